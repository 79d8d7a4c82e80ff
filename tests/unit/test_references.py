"""book/references.bib: every entry can be found (a DOI, an arXiv id or, for a book, its
publisher), the keys are unique and sorted, and every citation in the book names an entry."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

from book_lab_links import Sources, markdown_links  # noqa: E402

BOOK = ROOT / "book"
BIB = BOOK / "references.bib"
GLOSSARY = BOOK / "glossary.md"

# Entries that can have neither a DOI nor an arXiv id, with the reason. Each must give the
# web address where the work is published (its `url` field). Keep this list short: add a
# work here only when no DOI exists for it.
WITHOUT_IDENTIFIER = {
    "brooks2018clothing": "a data set published on Kaggle, which gave it no DOI",
}

ENTRY_RE = re.compile(r"^@(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)
CITE_ROLE_RE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
# the text of a citation link: "Kang and McAuley, 2018" or "Kang and McAuley (2018)"
CITATION_TEXT_RE = re.compile(r"(?:, |\()(?:1[5-9]|20)\d\d[a-z]?\)?$")


def _entries() -> list[tuple[str, str]]:
    """(type, key) of every entry of references.bib, in file order (duplicates kept)."""
    text = BIB.read_text(encoding="utf-8")
    return [(kind.lower(), key) for kind, key in ENTRY_RE.findall(text)
            if kind.lower() not in ("comment", "string", "preamble")]


@pytest.fixture(scope="module")
def bibliography():
    return parse_file(str(BIB), bib_format="bibtex")


def _book_markdown() -> list[tuple[str, str]]:
    """(where, markdown) of every markdown page of book/ and every markdown cell of a chapter."""
    out = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(BOOK.glob("*.md"))]
    for nb_path in sorted(BOOK.glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown":
                source = cell["source"]
                out.append((f"{nb_path.name} cell {i}",
                            "".join(source) if isinstance(source, list) else source))
    return out


CODE_FENCE_RE = re.compile(r"^(`{3,}|~{3,})(?!\{)[^\n]*\n.*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN_RE = re.compile(r"(?<!`)``(?!`).+?(?<!`)``(?!`)", re.DOTALL)


def _cite_keys(markdown: str) -> list[str]:
    """The keys of the {cite} roles of the prose: not inside a code block (a fence that is
    not a directive) or a ``double-backtick`` code span, where a role is only an example."""
    prose = CODE_SPAN_RE.sub("", CODE_FENCE_RE.sub("", markdown))
    return [k.strip() for m in CITE_ROLE_RE.finditer(prose) for k in m.group(1).split(",")]


def _has_arxiv_id(fields) -> bool:
    eprint = fields.get("eprint", "").strip()
    prefix = fields.get("archiveprefix", fields.get("archivePrefix", "")).strip().lower()
    doi = fields.get("doi", "").strip().lower()
    return bool(eprint and prefix == "arxiv") or doi.startswith("10.48550/arxiv.")


# ------------------------------------------------------------------ the file itself
def test_the_bibliography_has_entries():
    assert len(_entries()) >= 30


def test_keys_are_unique():
    keys = [key for _, key in _entries()]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert duplicates == [], f"references.bib: duplicate keys {duplicates}"


def test_keys_are_sorted():
    keys = [key for _, key in _entries()]
    out_of_order = [(a, b) for a, b in zip(keys, keys[1:]) if a > b]
    assert out_of_order == [], ("references.bib: keep the entries sorted by key; "
                                f"out of order: {out_of_order}")


def test_parsed_entries_match_the_file(bibliography):
    assert sorted(bibliography.entries.keys()) == sorted(key for _, key in _entries())


def test_every_entry_can_be_found(bibliography):
    problems = []
    for key, entry in bibliography.entries.items():
        fields = entry.fields
        doi = fields.get("doi", "").strip()
        if doi:
            if not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
                problems.append(f"{key}: doi {doi!r} is not of the form 10.NNNN/...")
            continue
        if _has_arxiv_id(fields):
            continue
        if entry.type.lower() == "book" and fields.get("publisher", "").strip():
            continue
        if key in WITHOUT_IDENTIFIER and fields.get("url", "").startswith("https://"):
            continue
        problems.append(f"{key} (@{entry.type}): no doi, no arXiv eprint and not a book "
                        "with a publisher")
    assert problems == [], "\n".join(problems)


def test_entries_have_authors_titles_and_years(bibliography):
    problems = []
    for key, entry in bibliography.entries.items():
        if not entry.persons.get("author"):
            problems.append(f"{key}: no author")
        if not entry.fields.get("title", "").strip():
            problems.append(f"{key}: no title")
        year = entry.fields.get("year", "")
        if not re.fullmatch(r"(1[5-9]|20)\d\d", year):
            problems.append(f"{key}: year {year!r}")
        elif year not in key:                      # keys: firstauthorYEARword
            problems.append(f"{key}: the key does not contain the year {year}")
    assert problems == [], "\n".join(problems)


def test_the_exceptions_are_needed_and_complete(bibliography):
    for key, why in WITHOUT_IDENTIFIER.items():
        assert key in bibliography.entries, f"{key} ({why}) is no longer in references.bib"
        fields = bibliography.entries[key].fields
        assert not fields.get("doi") and not _has_arxiv_id(fields), (
            f"{key} now has a DOI or an arXiv id: remove it from WITHOUT_IDENTIFIER")
        assert fields.get("url", "").startswith("https://"), f"{key}: give its https url"


# ------------------------------------------------------------------ citations in the book
def test_every_cite_role_names_an_entry(bibliography):
    problems = []
    for where, markdown in _book_markdown():
        for key in _cite_keys(markdown):
            if key not in bibliography.entries:
                problems.append(f"{where}: {{cite}}`{key}` is not in references.bib")
    assert problems == [], "\n".join(problems)


def test_cite_keys_are_read_from_prose_not_from_code():
    assert _cite_keys("see {cite}`a,b` and {cite:t}`c`") == ["a", "b", "c"]
    assert _cite_keys("write `` {cite}`key` `` like this\n\n```python\n{cite}`x`\n```\n") == []
    assert _cite_keys("````{admonition} Note\n{cite:p}`d`\n````\n") == ["d"]
    assert len(_cite_keys((BOOK / "tools.md").read_text(encoding="utf-8"))) > 10


def test_every_citation_link_names_an_entry():
    sources = Sources.load([BIB], GLOSSARY, BOOK)
    problems, n_citations = [], 0
    for where, markdown in _book_markdown():
        for text, url in markdown_links(markdown):
            if not CITATION_TEXT_RE.search(text.strip()):
                continue
            n_citations += 1
            if sources.work_at(url) is None:
                problems.append(f"{where}: [{text}]({url}) links to no entry of references.bib")
    assert problems == [], "\n".join(problems)
    assert n_citations > 0            # the chapters do cite, as links


def test_the_bibliography_page_lists_every_entry():
    page = (BOOK / "bibliography.md").read_text(encoding="utf-8")
    assert re.search(r"```\{bibliography\}\s*\n:all:", page), (
        "bibliography.md: the {bibliography} directive should list every entry (:all:)")


def test_the_clothing_data_and_the_silhouette_are_in_the_bibliography(bibliography):
    # data and methods the chapters use, cited where they are used
    for key in ("brooks2018clothing", "harper2015movielens", "rousseeuw1987silhouettes"):
        assert key in bibliography.entries
