"""Citations and glossary terms as Markdown links that render in JupyterLab and in the HTML.

jupyterlab-myst (2.7.0) reads no bibliography and no other page of the book: every MyST
``{cite}`` role shows its raw key behind a "Citation Not Found" icon (its
``addCiteChildrenTransform`` marks every ``cite`` node as an error, the citation data is the
empty ``cite: {order: [], data: {}}`` of ``processNotebookMDAST``), and ``{term}`` resolves only
against a ``{glossary}`` in the same notebook. So the chapters write them as ordinary links,
which JupyterLab shows as links:

* a citation is a link to the work (its DOI, else the ``url``, else its arXiv page, as in
  ``book/references.bib``; a work with none of them, a book, links to its entry:
  ``references.bib#pariser2011filter``, which JupyterLab opens) whose text is its author-year
  label::

      ([Kang and McAuley, 2018](https://doi.org/10.1109/ICDM.2018.00035))            {cite:p}
      ([Salton and Buckley, 1988](https://doi.org/...); [Spärck Jones, 1972](...))  {cite:p} of two
      [Kang and McAuley (2018)](https://doi.org/10.1109/ICDM.2018.00035)              {cite:t}

  authors' last names as sphinxcontrib-bibtex writes them ("A", "A and B", "A et al." from
  three authors on), a comma and the year; a parenthetical citation is a parenthesis holding
  only citation links separated by "; ".
* a glossary term is a link to its entry of ``book/glossary.md`` (the anchor Sphinx gives
  the term)::

      [cosine similarity](glossary.md#term-cosine-similarity)        {term}`cosine similarity`
      [embeddings](glossary.md#term-embedding)                       {term}`embeddings <embedding>`

For the HTML this extension turns those links back into the roles before the notebook is
parsed (``source-read``, markdown cells of ``.ipynb`` documents only), so the HTML is exactly
what the roles make: sphinxcontrib-bibtex citations (the bibliography notes what is cited),
glossary references checked by ``-n``. A link to a work of ``references.bib`` that does not
follow the rules above (wrong label, outside a parenthesis, mixed with other links), and a
glossary link to no term, is a warning naming the document (``-W``: a failed build).

``tools/cite_to_links.py`` converts roles into these links; ``tests/unit/test_lab_sources.py``
checks the chapters with the same functions.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

WARNING_TYPE = "book_lab_links"
GLOSSARY_CONFIG = "book_lab_links_glossary"
DEFAULT_GLOSSARY = "book/glossary.md"

# [text](destination): no brackets or line breaks in the text; the destination may hold one
# level of balanced parentheses (DOIs such as 10.1016/0306-4573(88)90021-0 do); not an image
_LINK = r"\[[^\[\]\n]+\]\((?:[^()\s]|\([^()\s]*\))+\)"
LINK_RE = re.compile(r"(?<![!\\\]])\[(?P<text>[^\[\]\n]+)\]\((?P<url>(?:[^()\s]|\([^()\s]*\))+)\)")
# a parenthesis that holds only links, separated by ";"
GROUP_RE = re.compile(r"(?<![\\\]])\((?P<inner>[ \t]*" + _LINK + r"(?:[ \t]*;\s*" + _LINK + r")*[ \t]*)\)")
# the roles the tool converts
ROLE_RE = re.compile(r"\{(?P<name>cite(?::[a-z]+)?|term)\}`(?P<body>[^`]*)`")
# what a reader takes for a citation: "Name, 2018" or "Name (2018)"
AUTHOR_YEAR_RE = re.compile(r"^\D+(?:, |\s\()\d{4}[a-z]?\)?$")
# code that is not prose: fenced blocks that are not directives, inline code spans
FENCE_OPEN_RE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>[^\n]*)$")
CODE_SPAN_RE = re.compile(r"(?<!`)(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)", re.S)


# ------------------------------------------------------------------------------ the bibliography
@dataclass(frozen=True)
class Work:
    """One entry of references.bib, as the links need it."""

    key: str
    names: tuple[str, ...]  # the authors' last names (with "von" parts), LaTeX decoded
    year: str
    url: str | None  # https://doi.org/<doi>, else the url field, else https://arxiv.org/abs/<id>

    @property
    def authors(self) -> str:
        """The author part of sphinxcontrib-bibtex's author-year label."""
        if len(self.names) == 1:
            return self.names[0]
        if len(self.names) == 2:
            return f"{self.names[0]} and {self.names[1]}"
        return f"{self.names[0]} et al."

    def label(self, narrative: bool = False) -> str:
        """"Kang and McAuley, 2018" (in a parenthesis) or "Kang and McAuley (2018)" (in a sentence)."""
        return f"{self.authors} ({self.year})" if narrative else f"{self.authors}, {self.year}"


def _latex_to_text(latex: str) -> str:
    from pybtex.backends.plaintext import Backend
    from pybtex.richtext import Text

    # Backend() directly: render_as("text") looks the plugin up again at every call (slow)
    return unicodedata.normalize("NFC", Text.from_latex(latex).render(Backend()))


def read_bibliography(path: str | os.PathLike) -> dict[str, Work]:
    """The works of a .bib file by key (parsed with pybtex, as sphinxcontrib-bibtex does)."""
    from pybtex.database import parse_file

    works = {}
    for key, entry in parse_file(str(path), bib_format="bibtex").entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = tuple(_latex_to_text(" ".join(p.prelast_names + p.last_names)) for p in people
                      if str(p) != "others")
        fields = {k.lower(): v for k, v in entry.fields.items()}
        year = _latex_to_text(fields.get("year", "")).strip()
        doi = fields.get("doi", "").strip()
        arxiv = fields.get("eprint", "").strip() if fields.get("archiveprefix", "").lower() == "arxiv" else ""
        url = (f"https://doi.org/{doi}" if doi else fields.get("url", "").strip()
               or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None))
        works[key] = Work(key=key, names=names, year=year, url=url or None)
    return works


def normalise_url(url: str) -> str:
    """The form two links to the same work share (DOI resolver, scheme, case of the DOI)."""
    url = url.strip()
    m = re.match(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:)(10\..+)$", url)
    if m:
        return "doi:" + m.group(1).lower()
    m = re.match(r"(?i)^https?://arxiv\.org/(?:abs|pdf)/([^/?#]+?)(?:v\d+)?(?:\.pdf)?$", url)
    if m:
        return "arxiv:" + m.group(1).lower()
    return re.sub(r"^http://", "https://", url).rstrip("/")


# ------------------------------------------------------------------------------- the glossary
def term_anchor(term: str) -> str:
    """The id Sphinx gives a glossary term (``sphinx.util.nodes.make_id``: term-<id>)."""
    try:
        from sphinx.util.nodes import _make_id
    except ImportError:  # pragma: no cover - same rule as Sphinx 7
        def _make_id(string: str) -> str:
            string = unicodedata.normalize("NFKD", string).encode("ascii", "ignore").decode("ascii")
            return re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9_\-.]+", "-", string)).strip("-")
    return _make_id(f"term-{term}")


def read_glossary(path: str | os.PathLike) -> dict[str, str]:
    """The terms of the ``{glossary}`` directives of a MyST file: anchor -> term."""
    terms: dict[str, str] = {}
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    fence = None
    for line in lines:
        if fence is None:
            m = re.match(r"^\s*(`{3,}|:{3,})\{glossary\}", line)
            fence = m.group(1) if m else None
            continue
        if line.strip() == fence:
            fence = None
        elif line.strip() and not line[0].isspace() and not re.match(r"^:\w[\w-]*:", line):
            term = line.split(" : ")[0].strip()  # "term : classifier"
            terms[term_anchor(term)] = term
    return terms


# ------------------------------------------------------------------------------ conversions
@dataclass
class Sources:
    """The bibliography and glossary links point into, and where the glossary file is."""

    works: dict[str, Work]
    terms: dict[str, str]  # anchor -> term
    glossary_file: str = "glossary.md"  # the glossary as a notebook's link names it
    bib_files: dict[str, str] = field(default_factory=dict)  # key -> its .bib as a link names it
    _by_url: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for work in self.works.values():
            self._by_url.setdefault(normalise_url(self.link(work)), work.key)

    def link(self, work: Work) -> str:
        """Where a citation links to: the work's DOI/url/arXiv page; for a work with none of
        them (a book), its entry in references.bib (JupyterLab opens the file)."""
        return work.url or f"{self.bib_files.get(work.key, 'references.bib')}#{work.key}"

    @classmethod
    def load(cls, bibfiles: Iterable[str | os.PathLike], glossary: str | os.PathLike,
             document_dir: str | os.PathLike | None = None) -> "Sources":
        works: dict[str, Work] = {}
        bib_files: dict[str, str] = {}
        for bib in bibfiles:
            found = read_bibliography(bib)
            works.update(found)
            rel = Path(os.path.relpath(bib, document_dir or Path(bib).parent)).as_posix()
            bib_files.update(dict.fromkeys(found, rel))
        rel = os.path.relpath(glossary, document_dir or Path(glossary).parent)
        return cls(works=works, terms=read_glossary(glossary), glossary_file=Path(rel).as_posix(),
                   bib_files=bib_files)

    def work_at(self, url: str) -> Work | None:
        key = self._by_url.get(normalise_url(url))
        return self.works[key] if key else None

    def term_at(self, url: str) -> tuple[str, str] | None:
        """(anchor, term or "") for a link into the glossary file, None for any other link."""
        path, _, anchor = url.partition("#")
        if not anchor or os.path.normpath(path) != os.path.normpath(self.glossary_file):
            return None
        return anchor, self.terms.get(anchor, "")

    def term_for(self, target: str) -> str | None:
        """The glossary term a ``{term}`` target names (Sphinx matches case-insensitively)."""
        return next((t for t in self.terms.values() if t.lower() == target.strip().lower()), None)


def _fenced_segments(markdown: str) -> list[tuple[bool, str]]:
    """The markdown cut into (is_code, text): code fences (```python ... ```) and every fence
    line are code, the body of a directive (```{exercise} ... ```, :::{note} ... :::) is prose."""
    segments: list[tuple[bool, str]] = []
    stack: list[tuple[str, bool]] = []  # open fences: (fence, is_code)
    for line in markdown.splitlines(keepends=True):
        m = FENCE_OPEN_RE.match(line.rstrip("\r\n"))
        in_code = bool(stack) and stack[-1][1]
        if m and stack and m.group("fence")[0] == stack[-1][0][0] and len(m.group("fence")) >= len(stack[-1][0]) \
                and not m.group("info").strip():
            stack.pop()
            segments.append((True, line))  # fence lines are markup, not prose
            continue
        if m and not in_code:
            directive = m.group("info").lstrip().startswith("{")
            is_code = not directive and m.group("fence")[0] != ":"
            stack.append((m.group("fence"), is_code))
            segments.append((True, line))
            continue
        segments.append((in_code, line))
    merged: list[tuple[bool, str]] = []
    for is_code, text in segments:
        if merged and merged[-1][0] == is_code:
            merged[-1] = (is_code, merged[-1][1] + text)
        else:
            merged.append((is_code, text))
    return merged


def _prose_segments(markdown: str, convert: Callable[[str], str]) -> str:
    """Apply ``convert`` to the markdown outside code blocks and inline code."""
    return "".join(text if is_code else _outside_code_spans(text, convert)
                   for is_code, text in _fenced_segments(markdown))


def _outside_code_spans(text: str, convert: Callable[[str], str]) -> str:
    out, last = [], 0
    for m in CODE_SPAN_RE.finditer(text):
        # a role's body ({eval}`expr`) is inline code too: leave it, with its role name
        out.append(convert(text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(convert(text[last:]))
    return "".join(out)


def links_to_roles(markdown: str, sources: Sources) -> tuple[str, list[str]]:
    """The markdown with citation and glossary links turned into ``{cite:p}``, ``{cite:t}``
    and ``{term}`` roles, and the problems found (links that break the rules)."""
    problems: list[str] = []

    def group(m: re.Match) -> str:
        links = list(LINK_RE.finditer(m.group("inner")))
        works = [sources.work_at(link.group("url")) for link in links]
        if not any(works):
            return m.group(0)
        if not all(works):
            problems.append(f"{m.group(0)!r}: a parenthesis with citation links holds other links; "
                            "cite in one parenthesis, link elsewhere")
            return m.group(0)
        for link, work in zip(links, works):
            if link.group("text").strip() != work.label():
                problems.append(f"[{link.group('text')}]({link.group('url')}): {work.key} is "
                                f"[{work.label()}] in a parenthesis")
        return "{cite:p}`" + ",".join(w.key for w in works) + "`"

    def single(m: re.Match) -> str:
        text, url = m.group("text"), m.group("url")
        work = sources.work_at(url)
        if work is not None:
            if text.strip() == work.label(narrative=True):
                return "{cite:t}`" + work.key + "`"
            problems.append(f"[{text}]({url}): a citation of {work.key} is either "
                            f"([{work.label()}]({sources.link(work)})) or [{work.label(narrative=True)}]({sources.link(work)})")
            return m.group(0)
        term = sources.term_at(url)
        if term is not None:
            anchor, name = term
            if not name:
                problems.append(f"[{text}]({url}): no glossary term has the anchor {anchor!r}")
                return m.group(0)
            if "<" in text or "`" in text:
                problems.append(f"[{text}]({url}): a glossary link's text may not hold '<' or '`'")
                return m.group(0)
            body = text if text.strip().lower() == name.lower() else f"{text} <{name}>"
            return "{term}`" + body + "`"
        if AUTHOR_YEAR_RE.match(text.strip()):
            problems.append(f"[{text}]({url}): looks like a citation, but no work of the bibliography "
                            "has this link (use the DOI, url or arXiv link of its references.bib entry)")
        return m.group(0)

    def convert(text: str) -> str:
        return LINK_RE.sub(single, GROUP_RE.sub(group, text))

    return _prose_segments(markdown, convert), problems


def roles_to_links(markdown: str, sources: Sources) -> tuple[str, list[str]]:
    """The markdown with ``{cite}``, ``{cite:p}``, ``{cite:t}`` and ``{term}`` roles written as
    links (the inverse of ``links_to_roles``), and the roles it cannot convert."""
    problems: list[str] = []

    def role(m: re.Match) -> str:
        name, body = m.group("name"), m.group("body")
        if name == "term":
            t = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", body, re.S)
            text, target = (t.group("text"), t.group("target")) if t else (body, body)
            term = sources.term_for(target)
            if term is None:
                problems.append(f"{m.group(0)}: {target!r} is not a term of the glossary")
                return m.group(0)
            return f"[{text}]({sources.glossary_file}#{term_anchor(term)})"
        if name not in ("cite", "cite:p", "cite:t"):
            problems.append(f"{m.group(0)}: only {{cite}}, {{cite:p}} and {{cite:t}} are converted")
            return m.group(0)
        keys = [k.strip() for k in body.split(",") if k.strip()]
        bad = [k for k in keys if not re.fullmatch(r"[\w:.+-]+", k)]
        missing = [k for k in keys if k not in sources.works]
        if bad or missing or not keys:
            problems.append(f"{m.group(0)}: " + "; ".join(filter(None, [
                bad and f"prefix/suffix or odd keys {bad}", missing and f"not in references.bib: {missing}",
                not keys and "no key"])))
            return m.group(0)
        works = [sources.works[k] for k in keys]
        if name == "cite:t":
            if len(works) > 1:
                problems.append(f"{m.group(0)}: a narrative citation of several works; cite them one by one")
                return m.group(0)
            return f"[{works[0].label(narrative=True)}]({sources.link(works[0])})"
        return "(" + "; ".join(f"[{w.label()}]({sources.link(w)})" for w in works) + ")"

    def convert(text: str) -> str:
        return ROLE_RE.sub(role, text)

    # roles hold backticks, so they are found before code spans are set aside
    return _outside_fences(markdown, convert), problems


def _outside_fences(markdown: str, convert: Callable[[str], str]) -> str:
    return "".join(text if is_code else convert(text) for is_code, text in _fenced_segments(markdown))


def markdown_links(markdown: str) -> list[tuple[str, str]]:
    """(text, url) of every link of the prose (for checks)."""
    found: list[tuple[str, str]] = []

    def collect(text: str) -> str:
        found.extend((m.group("text"), m.group("url")) for m in LINK_RE.finditer(text))
        return text

    _prose_segments(markdown, collect)
    return found


# ------------------------------------------------------------------------------ notebooks
def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def notebook_links_to_roles(text: str, sources: Sources) -> tuple[str, list[str]]:
    """An .ipynb file's JSON text with the links of its markdown cells turned into roles
    (the text itself when nothing changes), and the problems with their cell numbers."""
    nb = json.loads(text)
    problems, changed = [], False
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell_source(cell)
        new, found = links_to_roles(source, sources)
        problems += [f"markdown cell {i}: {p}" for p in found]
        if new != source:
            cell["source"], changed = new, True
    return (json.dumps(nb, ensure_ascii=False, indent=1) if changed else text), problems


# ------------------------------------------------------------------------------ Sphinx
_CACHE: dict[Path, Sources] = {}  # per document folder, emptied when a build starts


def _sources_for(app: Any, docname: str) -> Sources:
    srcdir = Path(app.srcdir)
    docdir = (srcdir / docname).parent
    if docdir not in _CACHE:
        bibfiles = [srcdir / b for b in app.config.bibtex_bibfiles]
        _CACHE[docdir] = Sources.load(bibfiles, srcdir / getattr(app.config, GLOSSARY_CONFIG), docdir)
    return _CACHE[docdir]


def source_read(app: Any, docname: str, source: list[str]) -> None:
    from sphinx.util import logging

    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    source[0], problems = notebook_links_to_roles(source[0], _sources_for(app, docname))
    logger = logging.getLogger(__name__)
    for problem in problems:
        logger.warning(f"citation/glossary link: {problem}", type=WARNING_TYPE, location=docname)


def _forget(app: Any, *args: Any) -> None:
    _CACHE.clear()


def setup(app: Any) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_config_value(GLOSSARY_CONFIG, DEFAULT_GLOSSARY, "env")
    app.connect("builder-inited", _forget)  # read references.bib and the glossary once per build
    app.connect("source-read", source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
