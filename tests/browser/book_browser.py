"""Helpers shared by the real-browser tests (paths, toc, page loading, facts).

Kept out of ``conftest.py`` so the test modules can import them by a unique name.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
# how long to wait for a page, MathJax or the search index (milliseconds)
TIMEOUT_MS = 60_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# --------------------------------------------------------------------------- paths
def html_dir() -> Path:
    """Folder holding the built HTML: ``$BOOK_HTML_DIR`` or ``<repo>/_build/html``."""
    return Path(os.environ.get("BOOK_HTML_DIR", REPO / "_build" / "html")).resolve()


def toc_path() -> Path:
    """The ``_toc.yml`` the checked build was made from."""
    if "BOOK_TOC" in os.environ:
        return Path(os.environ["BOOK_TOC"])
    beside_build = html_dir().parent.parent / "_toc.yml"
    return beside_build if beside_build.exists() else REPO / "_toc.yml"


def screenshot_dir() -> Path:
    """Screenshots go to ``_build/screenshots`` next to ``_build/html``."""
    return html_dir().parent / "screenshots"


def _strip_suffix(name: str) -> str:
    for suffix in (".ipynb", ".md", ".rst"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _toc_files(node: Any) -> list[str]:
    """Every ``file:`` entry of a jupyter-book toc, depth first, in reading order."""
    found: list[str] = []
    if isinstance(node, dict):
        if "file" in node:
            found.append(_strip_suffix(str(node["file"])))
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []) or []:
                found.extend(_toc_files(child))
    elif isinstance(node, list):
        for child in node:
            found.extend(_toc_files(child))
    return found


@functools.lru_cache(maxsize=None)
def toc_pages() -> tuple[str, ...]:
    """Docnames of every page in the toc (root first), e.g. ``book/intro``."""
    toc = yaml.safe_load(toc_path().read_text(encoding="utf-8"))
    pages = [_strip_suffix(str(toc["root"]))] + _toc_files(toc)
    return tuple(dict.fromkeys(pages))  # drop duplicates, keep order


def page_name(docname: str) -> str:
    """Short readable name of a page: ``book/ch04_mathematics`` -> ``ch04_mathematics``."""
    return docname.rsplit("/", 1)[-1]


def is_notebook(docname: str) -> bool:
    """True when the page was built from a ``.ipynb`` (its source is copied to ``_sources``)."""
    return (html_dir() / "_sources" / f"{docname}.ipynb").exists()


# --------------------------------------------------------------------------- pages
@dataclass
class Visit:
    """What one page load recorded."""

    url: str
    status: int | None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    screenshot: Path | None = None


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == LOCAL_HOST


def open_page(browser: Any, url: str) -> tuple[Any, Any, Visit]:
    """Open ``url`` in a fresh context, recording console errors and every request.

    Requests leaving 127.0.0.1 are recorded and then aborted, so a stray CDN link
    fails the test instead of hanging it. Returns (context, page, visit).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    visit = Visit(url=url, status=None)

    def route(route_: Any) -> None:
        if _is_local(route_.request.url):
            route_.continue_()
        else:
            route_.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("request", lambda req: visit.requests.append(req.url))
    page.on(
        "console",
        lambda msg: visit.console_errors.append(f"{msg.text} ({msg.location})")
        if msg.type == "error"
        else None,
    )
    page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
    response = page.goto(url, wait_until="load")
    visit.status = response.status if response is not None else None
    page.wait_for_load_state("networkidle")
    wait_for_mathjax(page)
    return context, page, visit


def wait_for_mathjax(page: Any) -> None:
    """Wait until MathJax (if the page loads it) has typeset everything."""
    has_mathjax = page.evaluate(
        "() => Array.from(document.scripts).some(s => (s.src || '').includes('mathjax'))"
    )
    if not has_mathjax:
        return
    page.wait_for_function(
        "() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise",
        timeout=TIMEOUT_MS,
    )
    page.evaluate("() => window.MathJax.startup.promise.then(() => true)")


# Everything one page load needs to record, collected in the browser in one pass.
COLLECT_FACTS_JS = r"""
() => {
  const article = document.querySelector('article.bd-article') || document.body;
  // text a reader sees, code blocks and typeset math excluded
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight, .MathJax')
       .forEach(el => el.remove());
  const proseText = clone.innerText || clone.textContent || '';

  // all the text of the page, code included, also what a reader can unfold (a hide-input
  // toggle, a closed solution); only scripts and styles left out. Cells tagged
  // remove-input are not in the HTML at all.
  const whole = article.cloneNode(true);
  whole.querySelectorAll('script, style').forEach(el => el.remove());
  const pageText = whole.textContent || '';

  const images = Array.from(document.images).map(img => ({
    src: img.currentSrc || img.src, complete: img.complete, width: img.naturalWidth,
    alt: img.alt || ''}));

  const mathNodes = Array.from(article.querySelectorAll('.math'));
  const untypeset = mathNodes.filter(el => !el.querySelector('mjx-container'))
                             .map(el => el.textContent.trim().slice(0, 80));

  const links = Array.from(document.querySelectorAll('a[href]'))
      .map(a => ({href: a.href, raw: a.getAttribute('href')}));

  const ids = Array.from(document.querySelectorAll('[id]')).map(el => el.id)
      .concat(Array.from(document.querySelectorAll('a[name]')).map(el => el.getAttribute('name')));

  const codeBlocks = Array.from(article.querySelectorAll('.cell_input div.highlight'));
  const codeWithoutCopy = codeBlocks.filter(el => !el.querySelector('button.copybtn')).length;

  const solutions = Array.from(article.querySelectorAll('.solution.admonition')).map(sol => {
    const body = Array.from(sol.children).filter(c => !c.classList.contains('admonition-title'));
    const bodyVisible = body.some(c => {
      const style = getComputedStyle(c);
      return style.display !== 'none' && style.visibility !== 'hidden'
             && parseFloat(style.opacity) > 0 && c.getBoundingClientRect().height > 0;
    });
    return {id: sol.id, dropdown: sol.classList.contains('dropdown'),
            hidden: sol.classList.contains('toggle-hidden'), bodyVisible: bodyVisible,
            hasButton: !!sol.querySelector('button.toggle-button')};
  });

  const emptyWidgets = Array.from(document.querySelectorAll(
      '[class*="jupyter-widgets"], [class*="widget-area"], .output_widget_view'))
      .filter(el => el.innerText.trim() === '' && !el.querySelector('img, svg, canvas'))
      .map(el => el.className);
  // a cell output made only of widget-view <script> tags shows a blank box in static HTML
  const blankWidgetOutputs = Array.from(article.querySelectorAll('.cell_output')).filter(out => {
    const hasView = out.querySelector('script[type="application/vnd.jupyter.widget-view+json"]');
    const visible = out.innerText.trim() !== '' || out.querySelector('img, svg, canvas, table');
    return hasView && !visible;
  }).length;

  const launch = Array.from(document.querySelectorAll('.dropdown-launch-buttons a'))
      .map(a => a.getAttribute('href'));
  const download = Array.from(document.querySelectorAll(
      '.dropdown-download-buttons a.btn-download-source-button'))
      .map(a => a.getAttribute('href'));

  const externalAssets = Array.from(document.querySelectorAll('script[src], link[href], img[src], iframe[src]'))
      .map(el => el.src || el.href)
      .filter(u => /^https?:/.test(u) && new URL(u).hostname !== location.hostname);

  return {
    title: document.title,
    h1: (article.querySelector('h1') || {}).textContent || '',
    proseText, pageText, images, mathCount: mathNodes.length, untypeset,
    mjxCount: document.querySelectorAll('mjx-container').length,
    links, ids, codeBlocks: codeBlocks.length, codeWithoutCopy, solutions,
    emptyWidgets, blankWidgetOutputs, launch, download, externalAssets,
    widgetViewScripts: document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]').length,
  };
}
"""
