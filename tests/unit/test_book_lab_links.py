"""_ext/book_lab_links.py and tools/cite_to_links.py: citations and glossary terms written as
links (JupyterLab shows them) that the HTML build turns back into {cite:p}/{cite:t}/{term}."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from sphinx_build import build_html

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

from book_lab_links import (  # noqa: E402
    Sources, links_to_roles, markdown_links, notebook_links_to_roles, read_bibliography,
    roles_to_links, term_anchor)
from cite_to_links import book_sources, convert_notebook  # noqa: E402

BIB = ROOT / "book" / "references.bib"
GLOSSARY = ROOT / "book" / "glossary.md"

KANG = "[Kang and McAuley, 2018](https://doi.org/10.1109/ICDM.2018.00035)"
SALTON = "[Salton and Buckley, 1988](https://doi.org/10.1016/0306-4573(88)90021-0)"
SPARCK = "[Spärck Jones, 1972](https://doi.org/10.1108/eb026526)"


@pytest.fixture(scope="module")
def sources() -> Sources:
    return Sources.load([BIB], GLOSSARY, ROOT / "book")


# ------------------------------------------------------------------ labels from references.bib
@pytest.mark.parametrize("key, label", [
    ("kang2018sasrec", "Kang and McAuley, 2018"),          # two authors
    ("grootendorst2020keybert", "Grootendorst, 2020"),     # one
    ("sarwar2001item", "Sarwar et al., 2001"),             # more than two
    ("jarvelin2002cumulated", "Järvelin and Kekäläinen, 2002"),  # LaTeX accents decoded
    ("sparckjones1972statistical", "Spärck Jones, 1972"),  # a last name of two words
    ("allal2025smollm2", "Ben Allal et al., 2025"),        # ... and "and others"
])
def test_labels_are_sphinxcontrib_bibtex_author_year(sources, key, label):
    """As the HTML writes them (author_year style, without its brackets)."""
    assert sources.works[key].label() == label
    assert sources.works[key].label(narrative=True) == re.sub(r", (\d{4})$", r" (\1)", label)


def test_every_label_has_the_first_authors_last_name_and_the_year():
    raw = BIB.read_text(encoding="utf-8")
    for key, work in read_bibliography(BIB).items():
        entry = re.search(r"@\w+\{" + re.escape(key) + r",(.*?)\n\}", raw, re.S).group(1)
        year = re.search(r"\byear\s*=\s*\{(\d{4})\}", entry).group(1)
        first = re.search(r"\bauthor\s*=\s*\{(.*?)\},?\n", entry, re.S).group(1).split(" and ")[0]
        last = first.split(",")[0]
        plain = re.sub(r"[{}\\'\"`^~]", "", last)  # J{\"a}rvelin -> Jarvelin
        assert work.year == year, key
        assert re.sub(r"[^A-Za-z ]", "", _ascii(work.names[0])) == re.sub(r"[^A-Za-z ]", "", plain), key
        assert work.label().endswith(f", {year}")


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def test_links_go_to_the_doi_else_the_url():
    works = read_bibliography(BIB)
    assert works["kang2018sasrec"].url == "https://doi.org/10.1109/ICDM.2018.00035"
    assert works["zhao2021calibrate"].url == "https://proceedings.mlr.press/v139/zhao21c.html"
    assert works["pariser2011filter"].url is None  # a book without DOI or url


def test_a_work_without_a_link_links_to_its_bib_entry(sources):
    links = "([Pariser, 2011](../book/references.bib#pariser2011filter))"
    assert sources.link(sources.works["pariser2011filter"]) == "references.bib#pariser2011filter"
    assert roles_to_links("{cite:p}`pariser2011filter`", sources) == (
        "([Pariser, 2011](references.bib#pariser2011filter))", [])
    assert links_to_roles("([Pariser, 2011](references.bib#pariser2011filter))", sources) == (
        "{cite:p}`pariser2011filter`", [])
    assert links_to_roles(links, sources)[0] == links  # another file: not a citation


def test_glossary_anchors_are_the_ids_sphinx_gives_the_terms(sources):
    assert sources.terms["term-cosine-similarity"] == "cosine similarity"
    assert sources.terms["term-hit-K"] == "hit@K"
    assert sources.terms["term-BERT"] == "BERT"
    assert term_anchor("exploration-exploitation trade-off") == "term-exploration-exploitation-trade-off"
    assert len(sources.terms) == len(set(sources.terms.values())) >= 30


# ------------------------------------------------------------------ conversions
@pytest.mark.parametrize("roles, links", [
    ("SASRec {cite:p}`kang2018sasrec`, trained", f"SASRec ({KANG}), trained"),
    ("TF-IDF {cite:p}`sparckjones1972statistical,salton1988term` gives",
     f"TF-IDF ({SPARCK}; {SALTON}) gives"),
    ("as {cite:t}`kang2018sasrec` showed", "as [Kang and McAuley (2018)](https://doi.org/10.1109/ICDM.2018.00035) showed"),
    ("(VADER's score {cite:p}`hutto2014vader`) through",
     "(VADER's score ([Hutto and Gilbert, 2014](https://doi.org/10.1609/icwsm.v8i1.14550))) through"),
    ("the {term}`cosine similarity` of", "the [cosine similarity](glossary.md#term-cosine-similarity) of"),
    ("{term}`Cosine similarity` is", "[Cosine similarity](glossary.md#term-cosine-similarity) is"),
    ("two {term}`embeddings <embedding>`", "two [embeddings](glossary.md#term-embedding)"),
    ("top {term}`hit@K`", "top [hit@K](glossary.md#term-hit-K)"),
    (":::{note}\nSee {cite:p}`kang2018sasrec`.\n:::", f":::{{note}}\nSee ({KANG}).\n:::"),
    ("````{exercise}\n:label: x\nRe-rank with MMR\n{cite:p}`carbonell1998mmr` (`mmr`).\n````",
     "````{exercise}\n:label: x\nRe-rank with MMR\n([Carbonell and Goldstein, 1998]"
     "(https://doi.org/10.1145/290941.291025)) (`mmr`).\n````"),
])
def test_roles_and_links_convert_both_ways(sources, roles, links):
    assert roles_to_links(roles, sources) == (links, [])
    assert links_to_roles(links, sources) == (roles, [])


def test_cite_is_written_back_as_cite_p(sources):
    links, problems = roles_to_links("MovieLens {cite}`harper2015movielens`.", sources)
    assert problems == [] and links == "MovieLens ([Harper and Konstan, 2015](https://doi.org/10.1145/2827872))."
    assert links_to_roles(links, sources)[0] == "MovieLens {cite:p}`harper2015movielens`."


@pytest.mark.parametrize("markdown", [
    "```python\nprint('([Kang and McAuley, 2018](https://doi.org/10.1109/ICDM.2018.00035))')\n```",
    "Write `([Kang and McAuley, 2018](https://doi.org/10.1109/ICDM.2018.00035))` for a citation.",
    "A link [to the docs](https://example.org/doc) and an image ![x](https://doi.org/10.1145/2827872).",
    "Number {eval}`f\"{x:.2f}\"` and ([Some text](https://example.org)).",
])
def test_code_and_other_links_are_left_alone(sources, markdown):
    assert links_to_roles(markdown, sources) == (markdown, [])


@pytest.mark.parametrize("markdown, message", [
    ("([Kang, 2018](https://doi.org/10.1109/ICDM.2018.00035))", r"\[Kang and McAuley, 2018\] in a parenthesis"),
    (f"SASRec {KANG} is", "is either"),  # parenthetical label outside a parenthesis
    ("[Kang and McAuley (2018)](https://doi.org/10.1109/icdm.2018.00035X)", "looks like a citation"),
    (f"({KANG}; [docs](https://example.org))", "holds other links"),
    ("the [dot](glossary.md#term-dot-product)", "no glossary term has the anchor 'term-dot-product'"),
])
def test_broken_links_are_reported(sources, markdown, message):
    _, problems = links_to_roles(markdown, sources)
    assert problems and re.search(message, problems[0]), problems


def test_doi_links_match_whatever_the_resolver_spelling(sources):
    for url in ("http://dx.doi.org/10.1109/ICDM.2018.00035", "https://doi.org/10.1109/icdm.2018.00035"):
        assert links_to_roles(f"([Kang and McAuley, 2018]({url}))", sources) == ("{cite:p}`kang2018sasrec`", [])


@pytest.mark.parametrize("roles, message", [
    ("{cite:ps}`kang2018sasrec`", "only {cite}"),
    ("{cite:p}`{see}kang2018sasrec`", "prefix/suffix"),
    ("{cite:p}`nobody2020`", "not in references.bib"),
    ("{cite:t}`kang2018sasrec,harper2015movielens`", "several works"),
    ("{term}`dot product`", "not a term of the glossary"),
])
def test_the_tool_refuses_what_it_cannot_convert(sources, roles, message):
    out, problems = roles_to_links(roles, sources)
    assert out == roles and len(problems) == 1 and message in problems[0], problems


def test_the_tool_changes_only_markdown_cells_and_is_idempotent(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("SASRec {cite}`kang2018sasrec` and {term}`SASRec`."),
                nbformat.v4.new_code_cell("s = '{cite}`kang2018sasrec`'")]
    converted, problems = convert_notebook(nb, book_sources(ROOT / "book"))
    assert (converted, problems) == (2, [])
    assert nb.cells[0].source == f"SASRec ({KANG}) and [SASRec](glossary.md#term-SASRec)."
    assert nb.cells[1].source == "s = '{cite}`kang2018sasrec`'"
    assert convert_notebook(nb, book_sources(ROOT / "book")) == (0, [])


def test_markdown_links_skips_code(sources):
    assert markdown_links(f"a {KANG} `[x](y)`\n```\n[z](w)\n```\n") == [
        ("Kang and McAuley, 2018", "https://doi.org/10.1109/ICDM.2018.00035")]


def test_a_notebook_without_links_is_passed_on_unchanged(sources):
    text = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title")]))
    assert notebook_links_to_roles(text, sources) == (text, [])


# ------------------------------------------------------------------ in a real Sphinx build
def _project(tmp_path: Path, markdown: str) -> Path:
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_nb', 'sphinxcontrib.bibtex', 'book_lab_links']\nnb_execution_mode = 'off'\n"
        "bibtex_bibfiles = ['references.bib']\nbibtex_reference_style = 'author_year'\n"
        "book_lab_links_glossary = 'glossary.md'\n"
        "exclude_patterns = ['_build']\n", encoding="utf-8")
    (tmp_path / "references.bib").write_text(BIB.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "glossary.md").write_text(GLOSSARY.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "bibliography.md").write_text("# References\n\n```{bibliography}\n```\n", encoding="utf-8")
    (tmp_path / "roles.md").write_text(
        "# Roles\n\nSASRec {cite:p}`kang2018sasrec`; TF-IDF {cite}`sparckjones1972statistical,salton1988term`;"
        " {cite:t}`hutto2014vader`; two {term}`embeddings <embedding>`.\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Links"), nbformat.v4.new_markdown_cell(markdown)]
    nbformat.write(nb, tmp_path / "links.ipynb")
    (tmp_path / "index.md").write_text(
        "# Book\n\n```{toctree}\nlinks\nroles\nglossary\nbibliography\n```\n", encoding="utf-8")
    return tmp_path


def _paragraph(html: str) -> str:
    body = re.search(r"<p>(SASRec.*?)</p>", html, re.S).group(1)
    return re.sub(r' id="id\d+"', "", body)  # the citations' ids are numbered per build


def test_sphinx_build_makes_the_same_citations_and_terms_as_the_roles(tmp_path):
    links = (f"SASRec ({KANG}); TF-IDF ({SPARCK}; {SALTON}); "
             "[Hutto and Gilbert (2014)](https://doi.org/10.1609/icwsm.v8i1.14550); "
             "two [embeddings](glossary.md#term-embedding).")
    src = _project(tmp_path, links)
    status, err = build_html(src, "-W", "-n")
    assert status == 0, err
    out = src / "_build"
    from_links = _paragraph((out / "links.html").read_text(encoding="utf-8"))
    from_roles = _paragraph((out / "roles.html").read_text(encoding="utf-8"))
    assert from_links == from_roles
    assert 'class="bibtex-citation"' in from_links and "Kang and McAuley, 2018" in from_links
    assert 'href="glossary.html#term-embedding"' in from_links
    # the bibliography (cited works only) lists what the links cite
    bibliography = (out / "bibliography.html").read_text(encoding="utf-8")
    assert "Self-attentive sequential recommendation" in bibliography
    assert "Universal Sentence Encoder" not in bibliography  # in references.bib, cited nowhere


def test_sphinx_build_fails_with_W_on_a_wrong_label(tmp_path):
    src = _project(tmp_path, "SASRec ([Kang, 2018](https://doi.org/10.1109/ICDM.2018.00035)).")
    status, err = build_html(src, "-W")
    assert status != 0
    assert "links" in err and "kang2018sasrec is [Kang and McAuley, 2018]" in err
