"""The chapters' sources render in JupyterLab as in the HTML book (checked without a browser).

``make test-lab`` checks the rendering itself in a real JupyterLab; these are the rules that
make it possible, checked on the sources: numbers as ``{eval}`` inline expressions whose
names are glued under the same name, citations and glossary terms as links that the HTML
build turns into ``{cite:p}``/``{cite:t}``/``{term}`` (``_ext/book_lab_links.py``), solutions
that JupyterLab can collapse, and the Lab settings that let Run All fill in every number.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from glue_to_eval import HELPER_NAME, ROLE_RE, eval_names  # noqa: E402
from cite_to_links import book_sources  # noqa: E402
from fold_solution_prose import is_wrapped  # noqa: E402

sys.path.insert(0, str(ROOT / "_ext"))
from book_lab_links import links_to_roles  # noqa: E402

# citation and glossary roles: jupyterlab-myst shows "Citation Not Found" / cannot reach glossary.md
CITE_TERM_RE = re.compile(r"\{cite(?::\w+)?\}`[^`]*`|\{term\}`[^`]*`")

NOTEBOOKS = sorted((ROOT / "book").glob("ch*.ipynb"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _src(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _markdown_matches(path: Path, pattern: re.Pattern) -> list[str]:
    """Every match of ``pattern`` in the notebook's markdown cells."""
    return [m.group(0) for c in _load(path)["cells"] if c["cell_type"] == "markdown"
            for m in pattern.finditer(_src(c))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_glue_roles_in_the_prose(path: Path):
    """JupyterLab cannot render {glue:text}: numbers are {eval} expressions (tools/glue_to_eval.py)."""
    roles = _markdown_matches(path, ROLE_RE)
    assert roles == [], (f"{path.name}: {len(roles)} glue roles, e.g. {roles[:3]}; convert them with "
                         f".venv/bin/python tools/glue_to_eval.py {path.relative_to(ROOT)}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_cite_or_term_roles_in_the_prose(path: Path):
    """JupyterLab shows {cite} as its raw key, "Citation Not Found", and cannot resolve {term}:
    citations and terms are links (tools/cite_to_links.py)."""
    roles = _markdown_matches(path, CITE_TERM_RE)
    assert roles == [], (f"{path.name}: {len(roles)} citation/glossary roles, e.g. {roles[:3]}; convert "
                         f"them with .venv/bin/python tools/cite_to_links.py {path.relative_to(ROOT)}")


# MyST reads "@key" after a non-word character as a citation (jupyterlab-myst: "Citation Not
# Found: key"), e.g. "[NDCG](glossary.md#term-NDCG)@K"; "hit@10" (a letter before "@") is fine
AT_CITATION_RE = re.compile(r"(?<![\w`])@[A-Za-z_]\w*")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_accidental_at_citations(path: Path):
    """No "@word" after a link, bracket or space in the prose: JupyterLab would show it as a
    citation that is not found."""
    found = _markdown_matches(path, AT_CITATION_RE)
    assert found == [], f"{path.name}: {found[:3]} read as citations; write e.g. 'NDCG at K'"


def test_the_at_citation_rule():
    assert AT_CITATION_RE.findall("[NDCG](glossary.md#term-NDCG)@K and (@K)") == ["@K", "@K"]
    assert AT_CITATION_RE.findall("hit@10, NDCG@K, recall@10 and `x @ y`") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_citation_and_glossary_links_resolve(path: Path):
    """Every citation link is a work of references.bib with its author-year label (authors' last
    names and year), in a parenthesis or narrative; every glossary link names a term of
    glossary.md: what the HTML build turns into roles, or warns about (-W)."""
    sources = book_sources(path.parent)
    problems = []
    for i, c in enumerate(_load(path)["cells"]):
        if c["cell_type"] != "markdown":
            continue
        roles, found = links_to_roles(_src(c), sources)
        problems += [f"markdown cell {i}: {p}" for p in found]
        # the roles the links became (roles left in the source are the test above's business)
        made = Counter(CITE_TERM_RE.findall(roles)) - Counter(CITE_TERM_RE.findall(_src(c)))
        for role in made:
            body = role.split("`")[1]
            if role.startswith("{cite"):
                missing = [k for k in body.split(",") if k not in sources.works]
                problems += [f"markdown cell {i}: {role}: not in references.bib: {missing}"] if missing else []
            elif not sources.term_for(re.sub(r"^.*<(.+)>$", r"\1", body)):
                problems.append(f"markdown cell {i}: {role}: not a term of glossary.md")
    assert problems == [], f"{path.name}:\n" + "\n".join(problems)


def test_the_book_build_turns_the_links_into_roles():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["local_extensions"].get("book_lab_links") == "_ext"


def _code_trees(nb) -> Iterator[tuple[int, ast.Module]]:
    """(cell index, parsed source) of every code cell that parses as Python."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            yield i, ast.parse(cell.source)
        except SyntaxError:
            continue


def _calls_of(tree: ast.Module, name: str) -> Iterator[ast.Call]:
    """Calls ``name(...)`` with at least one argument, anywhere in ``tree``."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == name and node.args):
            yield node


def _glued_name(call: ast.Call) -> str | None:
    """The name a ``glue("name", value, ...)`` call glues, or None when it is not a literal."""
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_eval_name_is_glued_under_its_own_name(path: Path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    glued: dict[str, str] = {}
    dynamic = False
    for _, tree in _code_trees(nb):
        dynamic = dynamic or any(True for _ in _calls_of(tree, HELPER_NAME))
        for call in _calls_of(tree, "glue"):
            if _glued_name(call) is not None and len(call.args) > 1:
                glued[_glued_name(call)] = ast.unparse(call.args[1])
    problems = []
    for expr, names in eval_names(nb).items():
        for name in names:
            if name not in glued:
                if not dynamic:
                    problems.append(f"{{eval}}`{expr}`: {name!r} is not glued")
            elif glued[name] not in (name, f"float({name})"):
                problems.append(f"{{eval}}`{expr}`: {name!r} is glued as {glued[name]!r}, not as the "
                                f"variable {name} itself: write {name} = {glued[name]} first")
    assert problems == [], f"{path.name}:\n" + "\n".join(problems)


def _bound_names(tree: ast.Module) -> set[str]:
    """Names a cell binds at the top level of the kernel (assignments, loops, imports, defs)."""
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)          # the body binds names of its own scope, not the kernel's
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                out.add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.add(sub.name)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                out.update((a.asname or a.name).split(".")[0] for a in sub.names)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_eval_name_is_rebound_after_its_glue(path: Path):
    """After Run All, JupyterLab evaluates every {eval} in the *final* kernel state, the HTML
    build with the glued value: a later cell that binds the same name again (chapter 8's
    section 8.7 once reused a name of section 8.4) makes the two disagree."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    names = {n for ns in eval_names(nb).values() for n in ns}
    glued_at: dict[str, int] = {}
    problems = []
    for i, tree in _code_trees(nb):
        for name in sorted(_bound_names(tree) & set(glued_at)):
            problems.append(f"cell {i} binds {name!r} again, after cell {glued_at[name]} glued it")
        for call in _calls_of(tree, "glue"):
            if _glued_name(call) in names:
                glued_at.setdefault(_glued_name(call), i)
    assert problems == [], f"{path.name}:\n" + "\n".join(problems)


# Calls whose output a cell shows in any case (not only as its last expression's result);
# plt: the inline backend shows every figure a cell leaves open
SHOWING_CALLS = {"print", "display", "pprint"}
FOLD_CALL = "folded"  # recsys_helpers.widgets.folded: a result that stays collapsed in Lab


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            return node.func.id
        if isinstance(node.func, ast.Attribute):
            return node.func.attr
    return None


def _shown_after_run_all(source: str) -> str | None:
    """Why a gated solution's code cell would show a result in JupyterLab after Run All, or None.

    Run All shows the outputs of every cell it runs, whatever ``jupyter.outputs_hidden`` says:
    a cell may produce no output, or end with ``widgets.folded(result)`` (a collapsed
    accordion in Lab, the result itself in the HTML book)."""
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    folds = isinstance(last, ast.Expr) and _call_name(last.value) == FOLD_CALL
    for node in ast.walk(tree):
        name = _call_name(node)
        if name in SHOWING_CALLS:
            return f"calls {name}(), shown after Run All; pass the result to widgets.folded instead"
        if name == "glue" and not any(k.arg == "display" and isinstance(k.value, ast.Constant)
                                      and k.value.value is False for k in node.keywords):
            return "glues with display, shown after Run All; add display=False"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "plt" and node.attr != "close" and not folds:
            return f"uses plt.{node.attr}: the inline backend shows its figures after Run All; " \
                   "make one figure (fig, ax = plt.subplots()) and end with widgets.folded(fig)"
    if isinstance(last, ast.Expr) and not folds and not source.rstrip().endswith(";") \
            and _call_name(last.value) != "glue":
        return (f"ends with the expression {ast.unparse(last.value)[:60]!r}, shown after Run All; "
                f"end with widgets.folded(...) of it")
    return None


def _gated(cells: list[dict]):
    """(index, cell, where) of every cell of a gated solution (solution-start ... solution-end):
    where is "inside" for the cells in between, "end" for the cell with the solution-end."""
    inside = False
    for i, c in enumerate(cells):
        marks = re.findall(r"\{solution-(start|end)\}", _src(c)) if c["cell_type"] == "markdown" else []
        if inside:
            yield i, c, "end" if "end" in marks else "inside"
        if marks:
            inside = marks[-1] == "start"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_solutions_can_be_collapsed_in_lab(path: Path):
    cells = _load(path)["cells"]
    # gated solutions (solution-start ... cells ... solution-end) run in the build; in
    # JupyterLab their cells must be collapsed (source and outputs hidden), like a dropdown
    shown_gated, shown_results, shown_prose = [], [], []
    for i, c, where in _gated(cells):
        meta = c["metadata"].get("jupyter") or {}
        if c["cell_type"] == "code":
            if not (meta.get("source_hidden") and meta.get("outputs_hidden")):
                shown_gated.append(i)
            # ... and Run All must not open their results again
            why = _shown_after_run_all(_src(c))
            if why:
                shown_results.append(f"cell {i} {why}")
        elif where == "end":
            # jupyterlab-myst renders each cell alone: prose before the solution-end is shown
            before = re.split(r"(?m)^\s*(?:`{3,}|:{3,})\{solution-end\}", _src(c))[0]
            if before.strip():
                shown_prose.append(f"cell {i}: {before.strip()[:50]!r}... before the solution-end "
                                   "is shown in Lab; move it into a markdown cell of its own")
        elif not is_wrapped(_src(c)):
            # Run All renders (and shows) every markdown cell, hidden or not: the prose must sit
            # in a dropdown that jupyterlab-myst renders closed (_ext/book_solution_text.py
            # opens it inside the HTML solution)
            shown_prose.append(f"cell {i}: the solution prose {_src(c).strip()[:40]!r} is shown "
                               "after Run All in JupyterLab; wrap it in a solution-text dropdown: "
                               ".venv/bin/python tools/fold_solution_prose.py " + path.name)
    assert shown_gated == [], (f"{path.name}: cells {shown_gated} of a gated solution would be shown to "
                               'students in JupyterLab; add "jupyter": {"source_hidden": true, '
                               '"outputs_hidden": true}')
    assert shown_results == [], (f"{path.name}: a gated solution's result would be shown after Run All "
                                 "in JupyterLab:\n" + "\n".join(shown_results))
    assert shown_prose == [], f"{path.name}:\n" + "\n".join(shown_prose)
    start = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                  and re.search(r"(?m)^##\s+Exercises\s*$", _src(c))), len(cells))
    shown = [i for i, c in enumerate(cells[start:], start) if c["cell_type"] == "code"
             and "remove-cell" in (c["metadata"].get("tags") or [])
             and not (c["metadata"].get("jupyter") or {}).get("source_hidden")]
    assert shown == [], (f"{path.name}: cells {shown} check a solution but JupyterLab shows their code; "
                         'add the metadata "jupyter": {"source_hidden": true}')


@pytest.mark.parametrize(("source", "shown"), [
    ("x = 1\nassert x", False),
    ("table = f(x)\nwidgets.folded(table)", False),
    ("from recsys_helpers.widgets import folded\nfolded(f(x), title='Result')", False),
    ("glue('a', a, display=False)", False),
    ("table = f(x)\ntable;", False),
    ("table = f(x)\ntable", True),
    ("print(table)", True),
    ("display(table)\nwidgets.folded(table)", True),
    ("glue('a', a)", True),
    ("fig, ax = plt.subplots()\nax.plot(x)", True),
    ("fig, ax = plt.subplots()\nax.plot(x)\nwidgets.folded(fig)", False),
    ("widgets.folded(table)\nx = 1\nx", True),
])
def test_the_gated_result_rule(source: str, shown: bool):
    assert (_shown_after_run_all(source) is not None) == shown


def test_lab_settings_attach_every_cell():
    """Run All fills in every {eval} only when every cell is attached (jupyterlab-myst #175)."""
    import json5

    overrides = json5.loads((ROOT / "lab-settings" / "overrides.json5").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/notebook-extension:tracker"]["windowingMode"] == "none"


def test_make_lab_uses_the_settings_the_venv_and_allows_root_only_as_root():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"(?m)^lab: .*\n((?:\t.*\n)+)", makefile).group(1)
    assert "$(BIN)/jupyter lab" in recipe and "book/" in recipe
    assert "$(LAB_FLAGS)" in recipe and "JUPYTER_PREFER_ENV_PATH=1" in recipe
    flags = re.search(r"(?m)^LAB_FLAGS = (.*)$", makefile).group(1)
    assert "app_settings_dir=$(CURDIR)/lab-settings" in flags
    assert "$(if $(filter 0,$(shell id -u)),--allow-root)" in flags
    pins = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"(?m)^jupyterlab-myst==\d", pins)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_bookkeeping_is_collapsed_in_lab(path: Path):
    """Cells the HTML hides (remove-input: glue and asserts) show collapsed in JupyterLab too."""
    shown = [i for i, c in enumerate(_load(path)["cells"]) if c["cell_type"] == "code"
             and "remove-input" in (c["metadata"].get("tags") or [])
             and not (c["metadata"].get("jupyter") or {}).get("source_hidden")]
    assert shown == [], (f"{path.name}: bookkeeping cells {shown} (tag remove-input) show their code in "
                         'JupyterLab; add the metadata "jupyter": {"source_hidden": true}')
