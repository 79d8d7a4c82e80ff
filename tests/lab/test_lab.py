"""A chapter after Run All in JupyterLab shows what the HTML book shows.

Per chapter (``LAB_CHAPTERS``, see ``conftest.py``): no error output, no raw MyST markup in
any rendered markdown cell, every ``{eval}`` number shown (and equal to the number the HTML
build computes from the glued values), exercises with collapsed solutions, admonitions,
maths, citations and glossary terms rendered as links (no "Citation Not Found" or other
unresolved-reference marker), screenshots saved. Plus: explorer widgets are
live in Lab, on the kernel of the environment that runs the tests (the book's ``.venv``).
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from lab_driver import REPO, open_notebook, shut_down_kernel

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
    # gated solutions (solution-start ... solution-end): the cells in between are collapsed
    inside, open_cells = False, []
    for i, c in enumerate(lab_run.cells):
        src = _source(c)
        if inside and not re.search(DIRECTIVE.format(name="solution-end"), src):
            if not c.get("inputHidden") or (c["cell"]["cell_type"] == "code" and not c.get("outputHidden")):
                open_cells.append(i)
        if re.search(DIRECTIVE.format(name="solution-start"), src):
            inside = True
        if re.search(DIRECTIVE.format(name="solution-end"), src):
            inside = False
    assert open_cells == [], (f"cells of a gated solution shown in Lab: {open_cells} (give them the "
                              "metadata jupyter.source_hidden and jupyter.outputs_hidden)")


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


def test_widgets_live_on_the_books_kernel(browser, lab_server, screenshot_dir):
    folder = REPO / "_build" / "lab-check"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "widgets_check.ipynb"
    path.write_text(json.dumps(WIDGET_NOTEBOOK), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        open_notebook(page, lab_server, path.relative_to(REPO).as_posix())
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
    finally:
        shut_down_kernel(page)
        context.close()
        path.unlink(missing_ok=True)
