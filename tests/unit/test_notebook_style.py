"""The chapters show a student the code to read; the bookkeeping runs out of sight.

* Exercise solutions are executed: a ``{solution}`` block holds prose only. Code belongs in
  a *gated* solution (``solution-start`` / code cells / ``solution-end``), which the build
  runs and JupyterLab collapses (``test_lab_sources.py``), so its numbers can be glued.
* Bookkeeping (``glue(...)`` calls, and the ``assert`` lines that check the prose's claims)
  sits in code cells tagged ``remove-input`` (or ``remove-cell``): still executed, never
  shown. A teaching (visible) code cell never calls ``glue``.
* Code fits the page: the HTML cuts long lines off at the right edge of the code box.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "book").glob("ch*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]

MAX_LINE = 88
HIDDEN_TAGS = {"remove-input", "remove-cell"}
GLUE_FUNCTIONS = {"glue", "glue_var"}  # glue_var: tools/glue_to_eval.py's helper


# a {solution} directive (``` or ::: fence of any length) ... its closing fence
SOLUTION_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}", re.M)
# a fenced block inside it that is code (not a nested {directive})
FENCE = re.compile(r"^\s*(`{3,}|~{3,})(?P<info>[^`\n]*)$", re.M)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _src(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags") or [])


def solution_bodies(markdown: str) -> list[str]:
    """The bodies of the ``{solution}`` directives of one markdown cell."""
    bodies = []
    for m in SOLUTION_OPEN.finditer(markdown):
        fence = m.group("fence")
        close = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$", re.M)
        end = close.search(markdown, m.end())
        bodies.append(markdown[m.end(): end.start() if end else len(markdown)])
    return bodies


def code_fences(body: str) -> list[str]:
    """Opening lines of the fenced code blocks of a directive body (bare fences included;
    a nested {directive} such as {math} is not code, {code-cell}/{code-block} is)."""
    found, closing = [], None
    for line in body.splitlines():
        m = FENCE.match(line)
        if closing is not None:  # inside a fenced block: wait for its closing fence
            if m and m.group(1)[0] == closing[0] and len(m.group(1)) >= len(closing) \
                    and not m.group("info").strip():
                closing = None
            continue
        if m:
            info = m.group("info").strip()
            if not info.startswith("{") or info.startswith(("{code", "{code-cell", "{code-block")):
                found.append(line.strip())
            closing = m.group(1)
    return found


def glue_calls(source: str) -> list[int]:
    """Line numbers of the glue(...) calls of a code cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: fall back to the text
        return [i for i, line in enumerate(source.splitlines(), 1) if re.search(r"\bglue(_var)?\(", line)]
    return sorted(n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call)
                  and isinstance(n.func, ast.Name) and n.func.id in GLUE_FUNCTIONS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_solutions_hold_no_unexecuted_code(path: Path):
    """A {solution} block is prose: code in it never runs, so its numbers are typed by hand."""
    found = []
    for i, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for body in solution_bodies(_src(cell)):
            found += [f"markdown cell {i}: {fence}" for fence in code_fences(body)]
    assert found == [], (f"{path.name}: {{solution}} blocks with code that is never executed: "
                         f"{found}; make them gated solutions (```{{solution-start}} label ... "
                         "code cells ... ```{solution-end}) whose code cells run and glue the "
                         "numbers the prose states")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_teaching_cells_do_not_glue(path: Path):
    """glue(...) is bookkeeping: it goes into a cell tagged remove-input (or remove-cell)."""
    shown = []
    for i, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] != "code" or _tags(cell) & HIDDEN_TAGS:
            continue
        lines = glue_calls(_src(cell))
        if lines:
            shown.append(f"code cell {i} (lines {lines})")
    assert shown == [], (f"{path.name}: visible code cells call glue: {shown}; move the glue "
                         "calls (and the asserts) into a cell right after, tagged remove-input")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_lines_fit_the_page(path: Path):
    long = []
    for i, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        for n, line in enumerate(_src(cell).splitlines(), 1):
            if len(line) > MAX_LINE:
                long.append(f"code cell {i} line {n} ({len(line)} characters)")
    assert long == [], f"{path.name}: code lines longer than {MAX_LINE} characters: {long}"


def test_the_checks_see_what_they_should():
    """The helpers above find a fenced block in a {solution}, and only there."""
    sol = "````{solution} ex1\n:class: dropdown\nText.\n```python\nx = 1\n```\n````\n"
    assert solution_bodies(sol) and code_fences(solution_bodies(sol)[0]) == ["```python"]
    bare = "````{solution} ex1\n```\nx = 1\n```\n````\n"
    assert code_fences(solution_bodies(bare)[0]) == ["```"]
    math = "````{solution} ex1\n```{math}\nx = 1\n```\n````\n"
    assert code_fences(solution_bodies(math)[0]) == []
    gated = "```{solution-start} ex1\n:class: dropdown\n```\n"
    assert solution_bodies(gated) == []
    assert glue_calls('x = 1\nglue("x", x, display=False)\n') == [2]
    assert glue_calls("from myst_nb import glue\n") == []
