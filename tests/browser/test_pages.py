"""Every page in the toc, as a reader sees it in a real browser.

One page load per page (see ``conftest.visit``); each check below is a separate test
per page, e.g. ``test_images_loaded[ch04_mathematics]``.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urlsplit

from book_browser import LOCAL_HOST, PNG_SIGNATURE

# raw TeX a reader must never see: \( \) \[ \] $$ or $...\command...$
RAW_MATH = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\$[^$\n]{0,80}\\[A-Za-z]+[^$\n]{0,80}\$")


def test_page_loads_without_errors(visit, docname):
    page = visit(docname)
    assert page.status == 200, f"{page.url} answered {page.status}"
    assert page.page_errors == [], f"JavaScript exceptions on {page.url}: {page.page_errors}"
    assert page.console_errors == [], f"console errors on {page.url}: {page.console_errors}"


def test_full_page_screenshot_saved(visit, docname):
    page = visit(docname)
    assert page.screenshot is not None and page.screenshot.exists()
    assert page.screenshot.read_bytes()[:8] == PNG_SIGNATURE


def test_images_loaded(visit, docname):
    page = visit(docname)
    broken = [img["src"][:120] for img in page.facts["images"]
              if not img["complete"] or img["width"] == 0]
    assert broken == [], f"images that did not load on {page.url}: {broken}"


def test_math_typeset(visit, docname):
    facts = visit(docname).facts
    assert facts["untypeset"] == [], f"formulas MathJax did not typeset: {facts['untypeset']}"
    if facts["mathCount"]:
        assert facts["mjxCount"] >= facts["mathCount"]
    leftovers = RAW_MATH.findall(facts["proseText"])
    assert leftovers == [], f"raw TeX left in the visible text: {leftovers[:5]}"


def test_no_bookkeeping_code_on_the_page(visit, docname):
    """glue(...) is bookkeeping: it belongs in cells tagged remove-input, which the HTML
    leaves out. The page's text (code included, also behind a toggle) never shows it."""
    text = visit(docname).facts["pageText"]
    shown = sorted({line.strip()[:100] for line in text.splitlines() if "glue(" in line})
    assert shown == [], (f"{visit(docname).url} shows glue calls (tag their cells "
                         f"remove-input): {shown[:5]}")


def test_no_request_leaves_the_machine(visit, docname):
    page = visit(docname)
    outside = [u for u in page.requests
               if urlsplit(u).scheme not in ("data", "blob")
               and urlsplit(u).hostname != LOCAL_HOST]
    assert outside == [], f"requests outside {LOCAL_HOST}: {outside}"
    assert page.facts["externalAssets"] == [], (
        f"scripts/styles/images from other hosts: {page.facts['externalAssets']}")


class _IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" or (tag == "a" and name == "name"):
                if value:
                    self.ids.add(value)


@lru_cache(maxsize=None)
def _fetch(url: str) -> tuple[int, str]:
    """Status and (for HTML) text of a URL on the local server."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 (local only)
            body = resp.read()
            ctype = resp.headers.get("Content-Type", "")
            text = body.decode("utf-8", "replace") if "html" in ctype else ""
            return resp.status, text
    except urllib.error.HTTPError as err:
        return err.code, ""


@lru_cache(maxsize=None)
def _ids_of(url: str) -> frozenset[str]:
    parser = _IdCollector()
    parser.feed(_fetch(url)[1])
    return frozenset(parser.ids)


# external links a page may hold: a reference's DOI or arXiv page, a URL that references.bib
# gives for a work without a DOI, and the official documentation of the tools the book uses
# (tools.md). Anything else (a placeholder repository, a launch service) fails.
REFERENCE_HOSTS = {"doi.org", "arxiv.org"}
DOCUMENTATION_HOSTS = {"scikit-learn.org", "pytorch.org", "pandas.pydata.org", "jupyterbook.org",
                       "ipywidgets.readthedocs.io", "huggingface.co", "faiss.ai", "distributed.dask.org"}
BIB_URLS = frozenset(re.findall(r"(?m)^\s*url\s*=\s*\{([^}]+)\}",
                                (Path(__file__).resolve().parents[2] / "book" / "references.bib")
                                .read_text(encoding="utf-8")))


def test_external_links_are_references_or_documentation(visit, docname):
    page = visit(docname)
    bad = []
    for link in page.facts["links"]:
        parts = urlsplit(link["href"])
        if parts.scheme not in ("http", "https") or parts.hostname == LOCAL_HOST:
            continue
        host = (parts.hostname or "").removeprefix("www.")
        if host in REFERENCE_HOSTS | DOCUMENTATION_HOSTS or link["href"] in BIB_URLS:
            continue
        bad.append(link["href"])
    assert bad == [], f"links to places that are not references or documentation on {page.url}: {bad}"


def test_internal_links_resolve(visit, docname):
    page = visit(docname)
    live_ids = set(page.facts["ids"])
    problems = []
    for link in page.facts["links"]:
        href = link["href"]
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or parts.hostname != LOCAL_HOST:
            continue  # external links (launch buttons, repository) are never followed
        target, fragment = urldefrag(href)
        status, _ = _fetch(target)
        if status != 200:
            problems.append(f"{link['raw']} -> HTTP {status}")
            continue
        fragment = unquote(fragment)
        if fragment and target.endswith(".html"):
            same_page = target.split("?")[0] == page.url.split("?")[0]
            if fragment not in _ids_of(target) and not (same_page and fragment in live_ids):
                problems.append(f"{link['raw']} -> no element with id '{fragment}'")
    assert problems == [], f"broken internal links on {page.url}: {sorted(set(problems))}"
