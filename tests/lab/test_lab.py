"""A chapter after Run All in JupyterLab shows what the HTML book shows.

Per chapter (``LAB_CHAPTERS``, see ``conftest.py``): no error output, no raw MyST markup in
any rendered markdown cell, every ``{eval}`` number shown (and equal to the number the HTML
build computes from the glued values), exercises with collapsed solutions, admonitions,
maths, citations and glossary terms rendered as links (no "Citation Not Found" or other
unresolved-reference marker), screenshots saved. Plus: explorer widgets are
live in Lab, on the kernel of the environment that runs the tests (the book's ``.venv``), and
a solution's result folded by ``recsys_helpers.widgets.folded`` stays collapsed after Run All
while a printed one is caught.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager

import pytest

from lab_driver import COLLECT_JS, REPO, _menu, _wait_idle, open_notebook, shut_down_kernel

from book_lab_links import markdown_links, normalise_url  # noqa: E402,I001  (lab_driver put _ext/ on the path)
from cite_to_links import book_sources  # noqa: E402  (conftest put tools/ on the path)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# MyST a reader must never see as text: role/directive names, fences, directive options, $$
RAW_MARKUP = [
    (re.compile(r"\{(?:eval|glue[\w:]*|exercise|solution[\w-]*|cite[\w:]*|term|ref|doc|numref|eq|"
                r"admonition|note|tip|warning|important|math|prf:\w+|bibliography|glossary)\}"),
     "a MyST role or directive name"),
    (re.compile(r"`{3,}|:{3,}\{"), "a directive fence"),
    (re.compile(r"(?m)^\s*:(?:label|class|name|dropdown|sorted):"), "a directive option"),
    (re.compile(r"\$\$|\\\(|\\\["), "raw TeX delimiters"),
]
DIRECTIVE = r"(?m)^\s*(?:`{{3,}}|:{{3,}})\{{{name}\}}"
ADMONITIONS = "admonition|note|tip|warning|important|caution|attention|danger|error|hint|seealso"


def _source(cell: dict) -> str:
    src = cell["cell"]["source"]
    return "".join(src) if isinstance(src, list) else src


def _markdown_source(run) -> str:
    return "\n".join(_source(c) for c in run.markdown())


def test_runs_without_error_output(lab_run):
    assert lab_run.errors() == [], f"{lab_run.notebook}: error outputs in JupyterLab: {lab_run.errors()}"
    assert lab_run.unexecuted() == [], f"{lab_run.notebook}: code cells that did not run: {lab_run.unexecuted()}"
    assert lab_run.page_errors == [], f"JavaScript exceptions in JupyterLab: {lab_run.page_errors}"


def test_every_markdown_cell_rendered_without_raw_markup(lab_run):
    problems = []
    for i, c in enumerate(lab_run.cells):
        if c["cell"]["cell_type"] != "markdown" or not _source(c).strip():
            continue
        if not c.get("rendered"):
            problems.append(f"cell {i} is not rendered")
            continue
        for pattern, what in RAW_MARKUP:
            for m in pattern.finditer(c["prose"]):
                around = c["prose"][max(0, m.start() - 40): m.end() + 40].replace("\n", " ")
                problems.append(f"cell {i}: {what} {m.group(0)!r} in '...{around}...'")
    assert problems == [], f"{lab_run.notebook}: raw MyST visible in JupyterLab:\n" + "\n".join(problems[:20])


def test_numbers_in_the_prose_are_shown_and_match_the_html(lab_run):
    rows = lab_run.expressions()
    if not rows:
        pytest.skip(f"{lab_run.notebook} has no {{eval}} expressions")
    cells = lab_run.cells
    problems = []
    for i, expr, lab, html in rows:
        if html.startswith("error: "):
            problems.append(f"cell {i}: {{eval}}`{expr}` cannot be computed from the glued values "
                            f"(the HTML build warns): {html[7:]}")
        if lab is None:
            problems.append(f"cell {i}: {{eval}}`{expr}` has no result from the kernel")
        elif lab != html and not html.startswith("error: "):
            problems.append(f"cell {i}: {{eval}}`{expr}` shows {lab!r} in Lab but {html!r} in the HTML "
                            "(the kernel variable differs from the glued value)")
        elif lab not in cells[i].get("text", ""):
            problems.append(f"cell {i}: {{eval}}`{expr}` = {lab!r} is not in the rendered text")
        if expr in (cells[i].get("inlineCode") or []):
            problems.append(f"cell {i}: {{eval}}`{expr}` is still shown as code")
    assert problems == [], f"{lab_run.notebook}:\n" + "\n".join(problems[:30])


def test_exercises_and_collapsed_solutions_render(lab_run):
    md = _markdown_source(lab_run)
    n_exercises = len(re.findall(DIRECTIVE.format(name="exercise"), md))
    n_dropdowns = len(re.findall(DIRECTIVE.format(name="solution"), md))
    n_gated = len(re.findall(DIRECTIVE.format(name="solution-start"), md))
    titles = [t for c in lab_run.markdown() for t in (c.get("exerciseTitles") or [])]
    shown = [t for t in titles if re.match(r"Exercise\b", t)]
    solutions = [state for c in lab_run.markdown() for state in (c.get("solutions") or [])]
    assert n_exercises > 0, f"{lab_run.notebook} has no exercises"
    assert len(shown) == n_exercises, f"{len(shown)} of {n_exercises} exercises rendered: {titles}"
    assert len(solutions) == n_dropdowns + n_gated, (
        f"{len(solutions)} of {n_dropdowns + n_gated} solutions rendered as a collapsible box")
    assert not any(solutions), "a solution is expanded: students must click to see it"
    # gated solutions (solution-start ... solution-end): the cells in between are collapsed when
    # the notebook is opened, and Run All (which opens the outputs of every code cell it runs)
    # shows no result of a solution: recsys_helpers.widgets.folded keeps it in a closed accordion
    before = [f"cell {i}: {why}" for i, c, where in _gated(lab_run.before)
              if (why := _shown_solution(c, where))]
    after = [f"cell {i}: {why}" for i, c, where in _gated(lab_run.cells)
             if where == "end" or c["cell"]["cell_type"] == "code"
             if (why := _shown_solution(c, where))]
    assert before == [], (
        "cells of a gated solution shown in Lab when the notebook is opened (give them the metadata "
        "jupyter.source_hidden, code cells also jupyter.outputs_hidden):\n" + "\n".join(before))
    assert after == [], (
        "cells of a gated solution shown in Lab after Run All (end a code cell that shows a result "
        "with recsys_helpers.widgets.folded(result)):\n" + "\n".join(after))


def test_solution_prose_after_run_all(lab_run):
    """JupyterLab's Run All shows every markdown cell it runs (runCell sets ``inputHidden =
    false``), so the prose of a gated solution sits in a dropdown admonition (class
    ``solution-text``) that jupyterlab-myst renders closed: only its title is readable."""
    prose = [i for i, c, where in _gated(lab_run.before)
             if where == "inside" and c["cell"]["cell_type"] == "markdown"]
    if not prose:
        pytest.skip(f"{lab_run.notebook}: no markdown cell inside a gated solution")
    shown = [f"cell {i}: {why}" for i in prose
             if (why := _shown_solution(lab_run.cells[i], "inside"))]
    assert shown == [], f"{lab_run.notebook}: solution prose readable after Run All:\n" + "\n".join(shown)


def _gated(cells: list[dict]):
    """(index, cell, where) of the cells of gated solutions: where is "end" for the cell with
    the solution-end, "inside" for the cells between a solution-start and it. A cell may end
    one solution and start the next (the end, the next exercise, its solution-start)."""
    marker = re.compile(r"(?m)^\s*(?:`{3,}|:{3,})\{solution-(start|end)\}")
    inside = False
    for i, c in enumerate(cells):
        marks = marker.findall(_source(c)) if c["cell"]["cell_type"] == "markdown" else []
        if inside:
            yield i, c, "end" if "end" in marks else "inside"
        if marks:
            inside = marks[-1] == "start"


def _shown_solution(c: dict, where: str) -> str | None:
    """What a student sees of a cell of a gated solution (None: only collapsed cells, or
    collapsed accordions of recsys_helpers.widgets.folded, with their titles)."""
    if where == "end":
        # jupyterlab-myst renders each cell alone: prose before the solution-end is not in it
        before = re.split(DIRECTIVE.format(name="solution-end"), _source(c))[0]
        return None if not before.strip() or c.get("inputHidden") else (
            f"the prose {before.strip()[:40]!r} before the solution-end is shown")
    if c["cell"]["cell_type"] == "markdown" and not c.get("inputHidden"):
        text = c.get("visibleText") or ""
        for d in c.get("dropdowns") or []:
            if d["open"]:
                return f"the dropdown {d['title']!r} is open"
            text = text.replace(d["title"], "", 1)
        return f"the prose {text.strip()[:40]!r} is shown" if text.strip() else None
    if not c.get("inputHidden"):
        return "its source is shown"
    if c["cell"]["cell_type"] != "code" or c.get("outputHidden"):
        return None
    accordions = c.get("accordions") or []
    for a in accordions:
        if a["open"] or a["contentVisible"]:
            return f"the accordion {a['titles']} is open"
    titles = [t for a in accordions for t in a["titles"]]
    for output in c.get("shownOutputs") or []:
        text = output["text"]
        for title in titles:
            text = text.replace(title, "", 1)
        if text.strip() or output["media"]:
            return (f"its output is shown: {output['text'][:60]!r}"
                    + (f" and {output['media']} pictures/tables" if output["media"] else ""))
    return None


@pytest.mark.parametrize(("facts", "shown"), [
    ({"inputHidden": True, "outputHidden": True}, False),
    ({"inputHidden": True, "outputHidden": False, "shownOutputs": []}, False),
    ({"inputHidden": True, "outputHidden": False, "shownOutputs": [{"text": "Show it", "media": 0}],
      "accordions": [{"titles": ["Show it"], "open": 0, "contentVisible": False}]}, False),
    ({"inputHidden": True, "outputHidden": False, "shownOutputs": [{"text": "0.123", "media": 0}]}, True),
    ({"inputHidden": True, "outputHidden": False, "shownOutputs": [{"text": "", "media": 1}]}, True),
    ({"inputHidden": True, "outputHidden": False, "shownOutputs": [{"text": "Show it\n0.1", "media": 1}],
      "accordions": [{"titles": ["Show it"], "open": 1, "contentVisible": True}]}, True),
    ({"inputHidden": True, "outputHidden": False, "shownOutputs": [{"text": "Show it\n0.1", "media": 0}],
      "accordions": [{"titles": ["Show it"], "open": 0, "contentVisible": False}]}, True),
    ({"inputHidden": False, "outputHidden": True}, True),
])
def test_the_check_of_gated_cells_catches_a_shown_result(facts, shown):
    """The rule above, on the facts lab_driver collects (no browser needed)."""
    cell = {"cell": {"cell_type": "code", "source": "x"}, **facts}
    assert (_shown_solution(cell, "inside") is not None) == shown


@pytest.mark.parametrize(("facts", "shown"), [
    ({"inputHidden": True}, False),
    ({"inputHidden": False, "visibleText": "The rest of the solution",
      "dropdowns": [{"title": "The rest of the solution", "open": False}]}, False),
    ({"inputHidden": False, "visibleText": "The rest of the solution\nThe answer is 42.",
      "dropdowns": [{"title": "The rest of the solution", "open": True}]}, True),
    ({"inputHidden": False, "visibleText": "The answer is 42.", "dropdowns": []}, True),
])
def test_what_counts_as_shown_solution_prose(facts, shown):
    cell = {"cell": {"cell_type": "markdown", "source": "x"}, **facts}
    assert (_shown_solution(cell, "inside") is not None) == shown


def test_maths_admonitions_citations_and_terms_render(lab_run):
    md = _markdown_source(lab_run)
    cells = lab_run.markdown()
    if "$" in md:
        assert sum(c.get("katex", 0) for c in cells) > 0, "no maths typeset (KaTeX)"
    n_admonitions = len(re.findall(DIRECTIVE.format(name=f"(?:{ADMONITIONS})"), md))
    assert sum(c.get("admonitions", 0) for c in cells) >= n_admonitions, "admonitions not rendered"
    # citations and glossary terms are links (_ext/book_lab_links.py): each one is shown as a
    # link with its text (author-year, the term) to its target (DOI/url, glossary.md#term-...)
    sources = book_sources((REPO / lab_run.notebook).parent)
    problems, n_cites, n_terms = [], 0, 0
    for i, c in enumerate(lab_run.cells):
        if c["cell"]["cell_type"] != "markdown":
            continue
        shown = c.get("anchors") or []
        for text, url in markdown_links(_source(c)):
            work, term = sources.work_at(url), sources.term_at(url)
            if work is None and term is None:
                continue
            n_cites, n_terms = n_cites + (work is not None), n_terms + (term is not None)
            if not any(a["text"] == text and _same_target(a["href"], url) for a in shown):
                problems.append(f"cell {i}: [{text}]({url}) is not shown as a link "
                                f"(links shown: {[(a['text'], a['href'][:60]) for a in shown][:8]})")
    assert problems == [], f"{lab_run.notebook}: citations/terms not rendered as links:\n" + "\n".join(problems[:20])
    print(f"{lab_run.notebook}: {n_cites} citations and {n_terms} glossary terms shown as links")


def _same_target(href: str, url: str) -> bool:
    """A link's href as JupyterLab writes it: as given (DOI/url), or for a file of the book
    (glossary.md#term-x) the server's URL of that file, with the anchor kept."""
    if href == url or normalise_url(href) == normalise_url(url):
        return True
    path, _, anchor = url.partition("#")
    name = path.rsplit("/", 1)[-1]
    return bool(name) and f"/{name}" in href.split("?")[0] and href.endswith(f"#{anchor}" if anchor else "")


def test_no_unresolved_citation_or_term(lab_run):
    """No "Citation Not Found" / "Cross Reference Not Found" icon, no dead term link, and no
    raw {cite} / {term} role visible in any markdown cell."""
    problems = []
    for i, c in enumerate(lab_run.cells):
        if c["cell"]["cell_type"] != "markdown" or not c.get("rendered"):
            continue
        problems += [f"cell {i}: {u}" for u in c.get("unresolved") or []]
        for m in re.finditer(r"\{cite[\w:]*\}|\{term\}", c.get("prose") or ""):
            problems.append(f"cell {i}: raw role {m.group(0)!r} in "
                            f"'...{c['prose'][max(0, m.start() - 40): m.end() + 40]}...'")
    assert problems == [], f"{lab_run.notebook}: unresolved references in JupyterLab:\n" + "\n".join(problems[:20])


def test_screenshots_saved(lab_run):
    assert lab_run.screenshots, "no screenshot"
    for path in lab_run.screenshots:
        assert path.exists() and path.read_bytes()[:8] == PNG_SIGNATURE, path


def test_explorer_widgets_are_live(lab_run):
    """A chapter's explorers (recsys_helpers.widgets.explore) show live controls in Lab."""
    views = [i for i, c in enumerate(lab_run.code())
             if any("application/vnd.jupyter.widget-view+json" in (o.get("data") or {})
                    for o in c["cell"].get("outputs", []))]
    if not views:
        pytest.skip(f"{lab_run.notebook} has no widgets")
    dead = [i for i in views if not lab_run.code()[i].get("widgets")]
    assert dead == [], f"widget outputs that are not live widgets: code cells {dead}"


# ------------------------------------------------------------------ widgets and kernel, in one go
WIDGET_NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "id": "kernel", "metadata": {}, "outputs": [],
         "source": "import sys\nprint('PREFIX=' + sys.prefix)"},
        {"cell_type": "code", "execution_count": None, "id": "explorer", "metadata": {}, "outputs": [],
         "source": ("from recsys_helpers.widgets import explore\n\n"
                    "def show(alpha=0.5):\n    return f'alpha is {alpha:.1f}'\n\n"
                    "explore(show, alpha=(0.0, 1.0, 0.1))")},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@contextmanager
def _scratch_notebook(browser, lab_server, name: str, notebook: dict):
    """Write ``notebook`` under _build/lab-check/, open it in JupyterLab, yield the page;
    afterwards shut its kernel down, close the browser context and delete the file."""
    folder = REPO / "_build" / "lab-check"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(notebook), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        open_notebook(page, lab_server, path.relative_to(REPO).as_posix())
        yield page
    finally:
        shut_down_kernel(page)
        context.close()
        path.unlink(missing_ok=True)


def test_widgets_live_on_the_books_kernel(browser, lab_server, screenshot_dir):
    with _scratch_notebook(browser, lab_server, "widgets_check.ipynb", WIDGET_NOTEBOOK) as page:
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        page.wait_for_selector(".jp-OutputArea .widget-slider", timeout=120_000)
        prefix = page.locator(".jp-OutputArea-output:has-text('PREFIX=')").first.inner_text()
        assert prefix.strip().removeprefix("PREFIX=") == sys.prefix, (
            f"the notebook runs on {prefix!r}, not on the environment of the tests ({sys.prefix})")
        output = page.locator(".jp-OutputArea .widget-interact .widget-output").first
        page.wait_for_function("() => document.body.innerText.includes('alpha is 0.5')", timeout=60_000)
        handle = page.locator(".jp-OutputArea .widget-slider .noUi-handle, .jp-OutputArea .widget-slider input").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.body.innerText.includes('alpha is 0.6')", timeout=60_000)
        assert "alpha is 0.6" in output.inner_text()
        page.screenshot(path=str(screenshot_dir / "lab_widgets.png"))


# ------------------------------------------------------------------ a folded result and a printed one
HIDDEN = {"jupyter": {"source_hidden": True, "outputs_hidden": True}}
GATED_NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "id": "start", "metadata": {},
         "source": "```{solution-start} ex\n:class: dropdown\n```\n\nThe answer:"},
        {"cell_type": "code", "execution_count": None, "id": "printed", "metadata": HIDDEN, "outputs": [],
         "source": "print('printed result 4711')"},
        {"cell_type": "code", "execution_count": None, "id": "folded", "metadata": HIDDEN, "outputs": [],
         "source": ("import pandas as pd\nfrom recsys_helpers import widgets\n\n"
                    "widgets.folded(pd.DataFrame({'folded result': [4242]}), title='Show it')")},
        {"cell_type": "markdown", "id": "end", "metadata": {}, "source": "```{solution-end}\n```"},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def test_a_folded_result_stays_collapsed_and_a_printed_one_is_caught(browser, lab_server, screenshot_dir):
    """Run All opens the outputs of both hidden cells: the printed result is shown (and the
    check above says so), the folded one is a collapsed accordion that opens on a click."""
    with _scratch_notebook(browser, lab_server, "folded_check.ipynb", GATED_NOTEBOOK) as page:
        _menu(page, "Run", "Run All Cells")
        _wait_idle(page, 120)
        page.wait_for_selector(".jp-OutputArea .widget-accordion", timeout=60_000)
        cells = page.evaluate(COLLECT_JS)
        found = {c["cell"]["id"]: _shown_solution(c, where) for _, c, where in _gated(cells)}
        assert not cells[1]["outputHidden"], "Run All no longer opens hidden outputs: folded may be moot"
        assert found["printed"] and "printed result 4711" in found["printed"], found
        assert found["folded"] is None and found["end"] is None, found
        assert cells[2]["accordions"] == [{"titles": ["Show it"], "open": 0, "contentVisible": False}]
        page.screenshot(path=str(screenshot_dir / "lab_folded_collapsed.png"))
        # the student clicks: the result appears
        page.click(".jp-OutputArea .widget-accordion .jupyter-widget-Collapse-header")
        page.wait_for_function("() => document.body.innerText.includes('4242')", timeout=30_000)
        opened = page.evaluate(COLLECT_JS)[2]
        assert opened["accordions"][0]["open"] == 1 and opened["accordions"][0]["contentVisible"]
        assert _shown_solution(opened, "inside") is not None
        page.screenshot(path=str(screenshot_dir / "lab_folded_opened.png"))
