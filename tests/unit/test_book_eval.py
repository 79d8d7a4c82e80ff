"""_ext/book_eval.py: the HTML build's {eval} role, computed from the glued values."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from sphinx_build import build_html

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

from book_eval import NotALiteral, evaluate, namespace, parse_plain_text, plain_text  # noqa: E402


@pytest.mark.parametrize("text, value", [
    ("0.123456", 0.123456), ("12345", 12345), ("'abc'", "abc"), ("-3.5", -3.5), ("True", True),
    ("None", None), ("nan", math.nan), ("-inf", -math.inf), ("(1, 'a')", (1, "a")),
    ("{'Item-item CF': 0.25,\n 'Popularity': 0.125}", {"Item-item CF": 0.25, "Popularity": 0.125}),
    ("np.float64(0.5)", np.float64(0.5)), ("np.int64(-3)", np.int64(-3)), ("np.True_", np.True_),
    ("{'a': np.float64(0.5)}", {"a": np.float64(0.5)}), ("[1, 2.5]", [1, 2.5]),
])
def test_glued_text_reads_back(text, value):
    got = parse_plain_text(text)
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(got)
    else:
        assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text", ["   a\n0  1", "tensor(3)", "np.zeros(3)", "__import__('os')",
                                  "<Figure size 640x480 with 1 Axes>", "f(1)"])
def test_other_glued_text_is_refused(text):
    with pytest.raises(NotALiteral):
        parse_plain_text(text)


def glue_data(**texts: str) -> dict:
    return {k: {"data": {"text/plain": v}} for k, v in texts.items()}


def test_expressions_format_like_the_kernel():
    values, problems = namespace(glue_data(rho="0.123456", n="12345", s="'abc'", y="np.float64(0.5)",
                                           d="{'a b': 0.25}"))
    assert problems == {}
    assert evaluate('f"{rho:.3f}"', values) == "0.123"
    assert evaluate('f"{n:,}"', values) == "12,345"
    assert evaluate("s", values) == "abc"  # a str without quotes, as jupyterlab-myst shows it
    assert evaluate("n", values) == "12345"
    assert evaluate("y", values) == "np.float64(0.5)"  # the repr the kernel shows
    assert evaluate('f"{y:.0%}"', values) == "50%"
    assert evaluate("f\"{d['a b']:.2f}\"", values) == "0.25"
    assert evaluate("round(rho * 100)", values) == "12"
    assert plain_text([1, 2]) == "[1, 2]"


@pytest.mark.parametrize("expr, message", [
    ("missing", "glue\\(\"missing\", missing"),
    ("df", "'df' is glued, but"),
    ("1/0", "ZeroDivisionError"),
    ("f\"{rho:.3f\"", "not a Python expression"),
    ("__import__('os')", "'__import__' is not defined"),
    ("open('x')", "'open' is not defined"),
])
def test_errors_name_the_cause(expr, message):
    values, problems = namespace(glue_data(rho="0.5", df="   a\n0  1"))
    with pytest.raises(ValueError, match=message):
        evaluate(expr, values, problems)


# ------------------------------------------------------------------ in a real Sphinx build
def _project(tmp_path: Path, markdown: str) -> Path:
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_nb', 'book_eval']\nnb_execution_mode = 'off'\n"
        "exclude_patterns = ['_build']\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell("rho = 0.123456\nglue('rho', rho, display=False)")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"application/papermill.record/text/plain": "0.123456"},
        metadata={"scrapbook": {"name": "rho", "mime_prefix": "application/papermill.record/"}})]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), cell, nbformat.v4.new_markdown_cell(markdown)]
    nbformat.write(nb, tmp_path / "index.ipynb")
    return tmp_path


def test_sphinx_build_shows_the_value_as_glue_did(tmp_path):
    src = _project(tmp_path, 'rho is {eval}`f"{rho:.3f}"`.')
    status, err = build_html(src, "-W")
    assert status == 0, err
    html = (src / "_build" / "index.html").read_text(encoding="utf-8")
    assert '<span class="pasted-text">0.123</span>' in html


def test_sphinx_build_fails_with_W_on_a_missing_name(tmp_path):
    src = _project(tmp_path, "oops {eval}`rh0`.")
    status, err = build_html(src, "-W")
    assert status != 0
    assert "{eval}`rh0` in index" in err and "rh0" in err
