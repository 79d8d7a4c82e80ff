"""tools/glue_to_eval.py: glue roles -> {eval} inline expressions, safely and idempotently."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from glue_to_eval import (  # noqa: E402
    HELPER_NAME,
    ConversionError,
    convert_notebook,
    eval_names,
    identifier,
    main,
)


def notebook(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src)
                for kind, src in cells]
    return nb


def code(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def prose(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def run_cells(nb: nbformat.NotebookNode) -> dict:
    """Execute the code cells with a fake glue; return (namespace, glued values)."""
    glued: dict = {}
    ns: dict = {"glue": lambda name, value, display=True: glued.__setitem__(name, value)}
    for c in nb.cells:
        if c.cell_type == "code":
            source = c.source.replace("from myst_nb import glue", "pass  # the fake glue above")
            exec(compile(source, "<cell>", "exec"), ns)  # noqa: S102 - test notebooks only
    return ns, glued


def assert_rule_holds(nb: nbformat.NotebookNode) -> None:
    """Every name an {eval} reads is a variable equal to the value glued under that name."""
    ns, glued = run_cells(nb)
    for expr, names in eval_names(nb).items():
        for name in names:
            assert name in glued, f"{name} (in {expr}) is not glued"
            assert ns[name] == glued[name], f"{name}: variable {ns[name]!r} != glued {glued[name]!r}"


def test_identifier_rule():
    assert identifier("ch1_hit_Item-item CF") == "ch1_hit_Item_item_CF"
    assert identifier("3rd") == "_3rd"
    assert identifier("lambda") == "lambda_"
    assert identifier("rho") == "rho"


def test_roles_and_calls_are_converted_and_numbers_kept():
    nb = notebook(
        ("code", "from myst_nb import glue\nxs = [1, 2, 3]\n"
                 "glue(\"n_items\", len(xs), display=False)\n"
                 "share = 0.25\nglue(\"share_top\", share, display=False)  # a comment\n"
                 "glue(\"rho\", 0.123456, display=False)"),
        ("markdown", "We have {glue:text}`n_items:,` items, {glue:text}`share_top:.0%` share, "
                     "rho {glue:text}`rho:.3f`, raw {glue:text}`rho` and {glue:}`n_items`."),
    )
    report = convert_notebook(nb)
    assert "{glue" not in prose(nb)
    assert '{eval}`f"{n_items:,}"`' in prose(nb)
    assert '{eval}`f"{share:.0%}"`' in prose(nb)  # glued under the variable's own name
    assert '{eval}`f"{rho:.3f}"`' in prose(nb) and "{eval}`rho`" in prose(nb)
    assert 'n_items = len(xs)\nglue("n_items", n_items, display=False)' in code(nb)
    assert 'glue("share", share, display=False)  # a comment' in code(nb)
    assert report.renamed == {"share_top": "share"}
    assert_rule_holds(nb)


def test_second_run_changes_nothing():
    nb = notebook(("code", "from myst_nb import glue\nglue(\"a b\", 2, display=False)"),
                  ("markdown", "{glue:text}`a b:.1f`"))
    convert_notebook(nb)
    before = nbformat.writes(nb)
    report = convert_notebook(nb)
    assert not report.changed and nbformat.writes(nb) == before
    assert '{eval}`f"{a_b:.1f}"`' in prose(nb)
    assert_rule_holds(nb)


def test_an_existing_variable_is_never_clobbered():
    nb = notebook(
        ("code", "from myst_nb import glue\nn = 10\nm = 3.0\n"
                 "glue(\"n\", n + 1, display=False)\n"        # n means something else
                 "glue(\"m\", float(m), display=False)\n"     # same number: left alone
                 "glue(\"len\", 4, display=False)\n"          # a builtin
                 "total = n * 2"),
        ("markdown", "{glue:text}`n` {glue:text}`m:.1f` {glue:text}`len`"),
    )
    report = convert_notebook(nb)
    ns, glued = run_cells(nb)
    assert ns["n"] == 10 and ns["total"] == 20  # the old variable kept its meaning
    assert "{eval}`n_value`" in prose(nb) and glued["n_value"] == 11
    assert 'glue("m", float(m), display=False)' in code(nb)
    assert "{eval}`len_value`" in prose(nb) and ns.get("len", len) is len
    assert set(report.renamed) == {"n", "len"}
    assert_rule_holds(nb)


def test_computed_keys_use_the_helper_that_renames_at_run_time():
    nb = notebook(
        ("code", "import math\nfrom myst_nb import glue\n\nmodels = {'Item-item CF': 0.5, 'Pop': 0.25}"),
        ("code", "for name, v in models.items():\n    glue(f\"hit_{name}\", v, display=False)"),
        ("markdown", "CF {glue:text}`hit_Item-item CF:.2f`, pop {glue:text}`hit_Pop:.2f`"),
    )
    report = convert_notebook(nb)
    assert report.calls_dynamic == 1
    assert f"def {HELPER_NAME}(" in nb.cells[0].source
    assert f'    {HELPER_NAME}(f"hit_{{name}}", v, display=False)' in nb.cells[1].source
    assert '{eval}`f"{hit_Item_item_CF:.2f}"`' in prose(nb)
    assert_rule_holds(nb)
    assert not convert_notebook(nb).changed  # the helper's own glue call stays as it is


def test_the_helper_refuses_to_overwrite_a_variable():
    nb = notebook(
        ("code", "from myst_nb import glue\nhit_a = 'something else'"),
        ("code", "for k in ['a']:\n    glue(f'hit_{k}', 0.5, display=False)"),
        ("markdown", "{glue:text}`hit_a:.1f`"),
    )
    convert_notebook(nb)
    with pytest.raises(NameError, match="hit_a"):
        run_cells(nb)


@pytest.mark.parametrize("cells, message", [
    ([("markdown", "{glue:md}`x`"), ("code", "glue('x', 1)")], "glue:md"),
    ([("markdown", "{glue:text}`other.ipynb::x`"), ("code", "glue('x', 1)")], "another document"),
    ([("markdown", "```{glue:figure} fig\n```"), ("code", "glue('fig', 1)")], "directive"),
    ([("markdown", "{glue:text}`nowhere`"), ("code", "glue('x', 1)")], "no code cell glues"),
    ([("markdown", "{glue}`x`"), ("code", "y = 1; glue('x', 1)")], "shares its line"),
    ([("markdown", "{glue}`x`"), ("code", "print(glue('x', 1))")], "not a statement"),
    ([("markdown", "{glue}`a-b` {glue}`a b`"), ("code", "glue('a-b', 1)\nglue('a b', 2)")], "same variable"),
    ([("markdown", "{glue}`x`"), ("code", "%time glue('x', 1)")], "IPython magic"),
])
def test_refuses_what_it_cannot_convert_safely(cells, message):
    nb = notebook(*cells)
    before = nbformat.writes(nb)
    with pytest.raises(ConversionError, match=message):
        convert_notebook(nb)
    assert nbformat.writes(nb) == before


def test_command_line_check_mode(tmp_path, capsys):
    path = tmp_path / "ch.ipynb"
    nbformat.write(notebook(("code", "from myst_nb import glue\nglue('x', 1, display=False)"),
                            ("markdown", "{glue:text}`x`")), path)
    assert main(["--check", str(path)]) == 1
    assert main([str(path)]) == 0
    assert main(["--check", str(path)]) == 0
    converted = nbformat.read(path, 4)
    assert converted.cells[1].source == "{eval}`x`"
    ast.parse(converted.cells[0].source)
