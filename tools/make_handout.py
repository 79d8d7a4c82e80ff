"""Student copies of the chapters: the same notebooks without solutions and without outputs.

    .venv/bin/python tools/make_handout.py                 # every chapter of _toc.yml -> _build/handout/
    .venv/bin/python tools/make_handout.py book/ch04_mathematics.ipynb --out /tmp/handout

What is removed from each chapter:

* every ``{solution}`` block of a markdown cell (fenced with backticks or colons, with
  everything nested in it);
* sphinx-exercise's gated solutions: from a ``{solution-start}`` block to the matching
  ``{solution-end}`` block, with every cell in between (the code of the solution);
* code cells that check a solution: tagged ``solution``, or tagged ``remove-cell`` (hidden in
  the book) after the ``## Exercises`` heading;
* all outputs, execution counts and run-time metadata (``user_expressions``, widget state);
* markdown cells left empty by the above.

The exercises themselves stay, and a short note after the chapter title says that this is a
student copy. ``solution_texts`` returns what was removed, for the test that checks that no
solution text survives (``tests/unit/test_handout.py``).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "_build" / "handout"
SOLUTION_TAGS = {"solution"}
HIDDEN_TAG = "remove-cell"
EXERCISES_HEADING = re.compile(r"(?m)^##\s+Exercises\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}(?P<arg>.*)$")
NOTE = ("```{note}\n**Student copy.** The solutions of the exercises are not in this notebook; your "
        "teacher has them. Run all cells (*Run > Run All Cells*) to see the numbers in the text.\n```")
RUNTIME_METADATA = ("user_expressions", "execution", "trusted", "collapsed", "scrolled")


@dataclass
class Handout:
    """One student copy and what was taken out of it."""

    nb: nbformat.NotebookNode
    removed: list[str] = field(default_factory=list)  # the text of every solution removed
    removed_cells: int = 0


def _block_end(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the directive opened at ``lines[start]`` (or the last line)."""
    closer = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    for i in range(start + 1, len(lines)):
        if closer.match(lines[i]):
            return i
    return len(lines) - 1


def _strip_solutions(text: str, removed: list[str]) -> str:
    """``text`` without its ``{solution}`` directives."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group("name") == "solution":
            end = _block_end(lines, i, m.group("fence"))
            removed.append("\n".join(lines[i:end + 1]))
            i = end + 1
            # no run of blank lines where the solution was
            while out and not out[-1].strip() and i < len(lines) and not lines[i].strip():
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _find_gate(lines: list[str], name: str, start: int = 0) -> tuple[int, int] | None:
    """(first, last) line of the next ``{name}`` directive block at or after ``start``."""
    for i in range(start, len(lines)):
        m = FENCE.match(lines[i])
        if m and m.group("name") == name:
            return i, _block_end(lines, i, m.group("fence"))
    return None


def _clean_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cell = copy.deepcopy(cell)
    for key in RUNTIME_METADATA:
        cell.metadata.pop(key, None)
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell


def make_handout(nb: nbformat.NotebookNode) -> Handout:
    """The student copy of ``nb`` (``nb`` itself is not changed)."""
    result = Handout(nb=copy.deepcopy(nb))
    cells_in = [_clean_cell(c) for c in nb.cells]
    cells_out: list[nbformat.NotebookNode] = []
    in_exercises = False
    gate_open = False
    for cell in cells_in:
        tags = set(cell.metadata.get("tags", []) or [])
        if cell.cell_type == "markdown" and EXERCISES_HEADING.search(cell.source):
            in_exercises = True
        if not gate_open and (tags & SOLUTION_TAGS or (in_exercises and HIDDEN_TAG in tags)):
            result.removed.append(cell.source)
            result.removed_cells += 1
            continue
        if cell.cell_type != "markdown":
            if gate_open:
                result.removed.append(cell.source)
                result.removed_cells += 1
            else:
                cells_out.append(cell)
            continue
        # markdown: cut gated solutions (possibly spanning cells), then {solution} blocks
        lines = cell.source.split("\n")
        kept: list[str] = []
        i = 0
        while i < len(lines):
            if gate_open:
                end = _find_gate(lines, "solution-end", i)
                if end is None:
                    result.removed.append("\n".join(lines[i:]))
                    i = len(lines)
                    break
                result.removed.append("\n".join(lines[i:end[1] + 1]))
                i = end[1] + 1
                gate_open = False
                continue
            start = _find_gate(lines, "solution-start", i)
            if start is None:
                kept += lines[i:]
                break
            kept += lines[i:start[0]]
            gate_open = True
            i = start[0]
        text = _strip_solutions("\n".join(kept), result.removed).strip("\n")
        if text.strip():
            cell.source = text
            cells_out.append(cell)
        else:
            result.removed_cells += 1
    if gate_open:
        raise ValueError("a {solution-start} block has no {solution-end}")
    title = next((i for i, c in enumerate(cells_out) if c.cell_type == "markdown"), None)
    note = nbformat.v4.new_markdown_cell(NOTE)
    note.id = "student-copy-note"
    cells_out.insert(0 if title is None else title + 1, note)
    result.nb.cells = cells_out
    result.nb.metadata.pop("widgets", None)
    return result


def until_exercises(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` that ends with the cell holding the ``## Exercises`` heading.

    What the handout check runs with nbval: the chapter itself, without what a student is
    asked to write.
    """
    short = copy.deepcopy(nb)
    end = next((i for i, c in enumerate(short.cells)
                if c.cell_type == "markdown" and EXERCISES_HEADING.search(c.source)), None)
    if end is None:
        raise ValueError("no '## Exercises' heading")
    short.cells = short.cells[:end + 1]
    return short


def solution_texts(nb: nbformat.NotebookNode) -> list[str]:
    """The text of every solution of ``nb`` (what ``make_handout`` removes)."""
    return make_handout(nb).removed


def toc_chapters(repo: Path = REPO) -> list[Path]:
    """The chapter notebooks of ``_toc.yml``, in reading order."""
    toc = yaml.safe_load((repo / "_toc.yml").read_text(encoding="utf-8"))
    found: list[Path] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node and (repo / f"{node['file']}.ipynb").exists():
                found.append(repo / f"{node['file']}.ipynb")
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return found


def write_handouts(notebooks: list[Path], out: Path = OUT, *, until: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        handout = make_handout(nbformat.read(path, as_version=4))
        target = out / path.name
        nb = until_exercises(handout.nb) if until else handout.nb
        target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
        print(f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target}: "
              f"{len(handout.removed)} solution parts removed ({handout.removed_cells} cells), outputs cleared"
              + ("; cut after '## Exercises'" if until else ""))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter of _toc.yml")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT.relative_to(REPO)}")
    parser.add_argument("--until-exercises", action="store_true",
                        help="end each copy with the '## Exercises' heading (what `make test-handout` runs)")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or toc_chapters()
    write_handouts(notebooks, args.out, until=args.until_exercises)
    return 0


if __name__ == "__main__":
    sys.exit(main())
