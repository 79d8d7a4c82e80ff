"""Wrap the prose of gated solutions in a ``solution-text`` dropdown (JupyterLab folds it).

JupyterLab shows every markdown cell that *Run All* renders, so a gated solution's prose
(a markdown cell between ``solution-start`` and ``solution-end``) would be readable after
Run All. This tool rewrites each such cell as one dropdown admonition with the marker class
``solution-text``; jupyterlab-myst renders it closed, and ``_ext/book_solution_text.py``
shows it open inside the HTML solution. Leading MyST comment lines (``% ...``) and the
``source_hidden`` flag of those cells are dropped; a cell already wrapped is left alone.

Usage: python tools/fold_solution_prose.py book/ch01_concepts.ipynb [...] [--check]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

TITLE = "The rest of the solution"
MARK = re.compile(r"(?m)^\s*(?:`{3,}|:{3,})\{solution-(start|end)\}")
WRAPPED = re.compile(r"^(`{3,}|:{3,})\{admonition\}[^\n]*\n:class:[^\n]*\bsolution-text\b.*\n\1\s*$",
                     re.S)


def is_wrapped(source: str) -> bool:
    """True when ``source`` (comment lines aside) is one ``solution-text`` admonition."""
    body = "\n".join(l for l in source.strip().splitlines() if not l.startswith("%")).strip()
    return bool(WRAPPED.match(body))


def wrap(source: str) -> str:
    """The prose of ``source`` inside a closed ``solution-text`` dropdown admonition."""
    body = "\n".join(l for l in source.strip().splitlines() if not l.startswith("%")).strip()
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=3)
    fence = "`" * max(4, longest + 1)
    return f"{fence}{{admonition}} {TITLE}\n:class: dropdown solution-text\n{body}\n{fence}"


def prose_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of the markdown cells strictly inside gated solutions."""
    inside, found = False, []
    for i, c in enumerate(nb.cells):
        marks = MARK.findall(c.source) if c.cell_type == "markdown" else []
        if inside and not marks and c.cell_type == "markdown":
            found.append(i)
        if marks:
            inside = marks[-1] == "start"
    return found


def main(argv: list[str]) -> int:
    check = "--check" in argv
    todo = 0
    for name in [a for a in argv if a != "--check"]:
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        cells = [i for i in prose_cells(nb) if not is_wrapped(nb.cells[i].source)]
        todo += len(cells)
        if check or not cells:
            print(f"{path}: {len(cells)} solution prose cells to fold")
            continue
        for i in cells:
            c = nb.cells[i]
            c.source = wrap(c.source)
            jup = c.metadata.get("jupyter", {})
            jup.pop("source_hidden", None)
            if jup:
                c.metadata["jupyter"] = jup
            else:
                c.metadata.pop("jupyter", None)
        nbformat.write(nb, path)
        print(f"{path}: folded {len(cells)} solution prose cells")
    return 1 if check and todo else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
