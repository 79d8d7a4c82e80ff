"""tools/make_handout.py: student copies keep the exercises and lose every solution.

The solutions are found here independently of the tool (plain regular expressions over the
notebook's text), and no distinctive line of any of them may survive in the handout. That the
handouts still run up to the exercises is checked by ``make test-handout`` (nbval).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from make_handout import make_handout, toc_chapters, until_exercises, write_handouts  # noqa: E402

CHAPTERS = toc_chapters(ROOT)
CELL_BREAK = "\n<<<cell>>>\n"
DROPDOWN = re.compile(r"(?ms)^(?P<f>`{3,}|:{3,})\{solution\}.*?^(?P=f)\s*$")
GATED = re.compile(r"(?ms)^(`{3,}|:{3,})\{solution-start\}.*?^(`{3,}|:{3,})\{solution-end\}[^\n]*\n\2\s*$")


def joined(nb: nbformat.NotebookNode) -> str:
    return CELL_BREAK.join(c.source for c in nb.cells)


def solutions_by_regex(nb: nbformat.NotebookNode) -> list[str]:
    text = joined(nb)
    found = [m.group(0) for m in DROPDOWN.finditer(text)] + [m.group(0) for m in GATED.finditer(text)]
    exercises = text.find("## Exercises")
    found += [c.source for c in nb.cells if "solution" in (c.metadata.get("tags") or [])
              or ("remove-cell" in (c.metadata.get("tags") or []) and exercises >= 0
                  and joined(nb).find(c.source) > exercises)]
    return found


def distinctive_lines(nb: nbformat.NotebookNode) -> list[str]:
    """Lines of the solutions (20+ characters) that the notebook has nowhere else."""
    solutions = solutions_by_regex(nb)
    rest = joined(nb)
    for s in solutions:
        rest = rest.replace(s, "")
    lines = {ln.strip() for s in solutions for ln in s.split("\n")}
    return sorted(ln for ln in lines if len(ln) >= 20 and ln not in rest and not ln.startswith((":", "`")))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_no_solution_text_survives(path: Path):
    nb = nbformat.read(path, as_version=4)
    handout = make_handout(nb).nb
    text = joined(handout)
    lines = distinctive_lines(nb)
    assert lines, f"{path.name}: found no solution text to check"
    survivors = [ln for ln in lines if ln in text]
    assert survivors == [], f"{path.name}: solution text left in the handout: {survivors[:5]}"
    for word in ("{solution}", "{solution-start}", "{solution-end}"):
        assert word not in text, f"{path.name}: {word} left in the handout"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_exercises_stay_and_outputs_go(path: Path):
    nb = nbformat.read(path, as_version=4)
    handout = make_handout(nb).nb
    exercise = re.compile(r"(?m)^(`{3,}|:{3,})\{exercise\}")
    assert len(exercise.findall(joined(handout))) == len(exercise.findall(joined(nb))) > 0
    for cell in handout.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        assert "user_expressions" not in cell.metadata
    assert "Student copy" in joined(handout)
    nbformat.validate(handout)
    # everything before the exercises is the chapter itself, unchanged
    cut = until_exercises(nb)
    kept = [c.source for c in handout.cells if c.id != "student-copy-note"]
    assert kept[: len(cut.cells) - 1] == [c.source for c in cut.cells[:-1]]


def test_every_kind_of_solution_is_removed():
    nb = nbformat.v4.new_notebook()
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    hidden = code("check_the_secret_solution_here = 1")
    hidden.metadata["tags"] = ["remove-cell"]
    tagged = code("tagged_solution_code_line_here = 2")
    tagged.metadata["tags"] = ["solution"]
    nb.cells = [
        md("# Title\n\nintro"), code("x = 1"), md("## Exercises\n\n````{exercise}\n:label: e1\nDo it.\n````\n\n"
                                                  "````{solution} e1\n:class: dropdown\nSECRET DROPDOWN TEXT\n"
                                                  "```python\nsecret_code_in_a_block()\n```\n````\nafter the solution"),
        hidden, tagged,
        md(":::{exercise}\n:label: e2\nColon fence.\n:::\n\n:::{solution} e2\nSECRET COLON TEXT\n:::"),
        md("````{exercise}\n:label: e3\nGated.\n````\n\n```{solution-start} e3\n:class: dropdown\n```\n"
           "SECRET GATED PROSE"),
        code("secret_gated_code()"),
        md("more SECRET GATED PROSE\n\n```{solution-end}\n```\n\nText after the gate."),
    ]
    handout = make_handout(nb)
    text = joined(handout.nb)
    for secret in ("SECRET", "secret", "check_the_secret", "tagged_solution"):
        assert secret not in text
    for kept in ("Do it.", "Colon fence.", "Gated.", "after the solution", "Text after the gate.", "x = 1"):
        assert kept in text
    assert handout.removed_cells == 3  # hidden check, tagged cell, gated code


def test_an_unclosed_gate_is_an_error():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("```{solution-start} e\n```\nno end")]
    with pytest.raises(ValueError, match="solution-end"):
        make_handout(nb)


def test_write_handouts(tmp_path):
    written = write_handouts(CHAPTERS, tmp_path)
    assert [p.name for p in written] == [p.name for p in CHAPTERS]
    short = write_handouts(CHAPTERS[:1], tmp_path / "short", until=True)
    last = nbformat.read(short[0], as_version=4).cells[-1]
    assert "## Exercises" in last.source
