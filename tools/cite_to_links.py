"""Rewrite a chapter's citation and glossary roles as links that render in JupyterLab too.

    .venv/bin/python tools/cite_to_links.py book/ch03_user_interests.ipynb     # rewrite in place
    .venv/bin/python tools/cite_to_links.py --check book/*.ipynb              # report only, exit 1 if work is left

jupyterlab-myst shows ``{cite}`key``` as the raw key with a "Citation Not Found" icon (it
reads no bibliography) and cannot resolve ``{term}`` against ``book/glossary.md``. In the
markdown cells this tool writes

* ``{cite}`a,b``` / ``{cite:p}`a,b``` as ``([Authors, Year](https://doi.org/...); [...](...))``
* ``{cite:t}`a``` as ``[Authors (Year)](https://doi.org/...)``
* ``{term}`text``` / ``{term}`text <term>``` as ``[text](glossary.md#term-<anchor>)``

with the label, link and anchor taken from ``book/references.bib`` and ``book/glossary.md``
(``_ext/book_lab_links.py``, which also turns the links back into exactly these roles when
the HTML book is built). Only the markdown cells change, nothing else of the notebook.

It refuses (exit status 2, nothing written) what it cannot convert: other citation roles
(``{cite:ps}``, ``{cite:year}`` ...), prefixes/suffixes, keys missing from references.bib,
narrative citations of several works, unknown terms.
It also checks that the result turns back into the same roles. Running it twice changes
nothing the second time.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

from book_lab_links import (  # noqa: E402
    DEFAULT_GLOSSARY, ROLE_RE, Sources, cell_source, links_to_roles, roles_to_links)


def book_sources(document_dir: Path, root: Path = ROOT) -> Sources:
    """references.bib (``bibtex_bibfiles`` of _config.yml) and the glossary, for a notebook in
    ``document_dir``."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    bibfiles = [root / b for b in config.get("bibtex_bibfiles", [])]
    glossary = (config.get("sphinx", {}).get("config", {}) or {}).get("book_lab_links_glossary",
                                                                      DEFAULT_GLOSSARY)
    return Sources.load(bibfiles, root / glossary, document_dir)


def convert_notebook(nb: nbformat.NotebookNode, sources: Sources) -> tuple[int, list[str]]:
    """Rewrite the roles of the markdown cells in place: (roles converted, problems)."""
    converted, problems = 0, []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        source = cell_source(cell)
        new, found = roles_to_links(source, sources)
        problems += [f"markdown cell {i}: {p}" for p in found]
        if new == source:
            continue
        back, found_back = links_to_roles(new, sources)
        if found_back or back != _canonical_roles(source, sources):
            problems.append(f"markdown cell {i}: the links do not turn back into the same roles "
                            f"({found_back or 'different text'})")
            continue
        converted += len(ROLE_RE.findall(source)) - len(ROLE_RE.findall(new))
        cell.source = new
    return converted, problems


def _canonical_roles(source: str, sources: Sources) -> str:
    """The roles as the links come back: ``{cite:p}`` for ``{cite}`` (the same HTML), a
    term's target spelled as in the glossary, and no target when the text names the term."""
    def canonical(m: re.Match) -> str:
        name, body = m.group("name"), m.group("body")
        if name in ("cite", "cite:p"):
            return "{cite:p}`" + ",".join(k.strip() for k in body.split(",")) + "`"
        if name == "term":
            t = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", body, re.S)
            text, target = (t.group("text"), t.group("target")) if t else (body, body)
            term = sources.term_for(target) or target
            return "{term}`" + (text if text.strip().lower() == term.lower() else f"{text} <{term}>") + "`"
        return m.group(0)

    return ROLE_RE.sub(canonical, source)


def convert_file(path: Path, *, write: bool = True) -> tuple[int, list[str]]:
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    converted, problems = convert_notebook(nb, book_sources(path.resolve().parent))
    if write and converted and not problems:
        path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return converted, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if a role is left")
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        converted, problems = convert_file(path, write=not args.check)
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
        if problems:
            status = 2
            print(f"{path}: nothing written ({len(problems)} problems)")
        elif args.check:
            print(f"{path}: {converted} roles to convert" if converted else f"{path}: nothing to convert")
            status = max(status, 1 if converted else 0)
        else:
            print(f"{path}: {converted} roles written as links" if converted else f"{path}: nothing to convert")
    return status


if __name__ == "__main__":
    sys.exit(main())
