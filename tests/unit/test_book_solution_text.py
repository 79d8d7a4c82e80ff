"""_ext/book_solution_text.py: solution prose folded in JupyterLab, open in the HTML."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from sphinx_build import build_html

ROOT = Path(__file__).resolve().parents[2]

PROSE = ("````{admonition} The rest of the solution\n:class: dropdown solution-text\n"
         "The answer is 42.\n````\n")
OTHER = "````{admonition} A real dropdown\n:class: dropdown\nStill folded.\n````\n"


def _build(tmp_path: Path, extensions: list[str]) -> str:
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        f"extensions = {extensions!r}\nnb_execution_mode = 'off'\n"
        "exclude_patterns = ['_build']\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_markdown_cell(PROSE),
                nbformat.v4.new_markdown_cell(OTHER)]
    nbformat.write(nb, tmp_path / "index.ipynb")
    status, err = build_html(tmp_path, "-W")
    assert status == 0, err
    return (tmp_path / "_build" / "index.html").read_text(encoding="utf-8")


def _classes(html: str, text: str) -> str:
    """The class attribute of the admonition <div> that holds ``text``."""
    divs = re.findall(r'<div class="([^"]*admonition[^"]*)">(.*?)</div>', html, flags=re.S)
    return next(cls for cls, body in divs if text in body)


def test_solution_text_is_open_in_the_html(tmp_path):
    html = _build(tmp_path, ["myst_nb", "book_solution_text"])
    assert "dropdown" not in _classes(html, "The answer is 42.").split()
    assert "solution-text" in _classes(html, "The answer is 42.").split()
    assert "dropdown" in _classes(html, "Still folded.").split()   # other dropdowns stay


def test_without_the_extension_the_text_would_be_folded(tmp_path):
    html = _build(tmp_path, ["myst_nb"])
    assert "dropdown" in _classes(html, "The answer is 42.").split()
