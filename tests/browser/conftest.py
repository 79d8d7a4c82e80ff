"""Real-browser checks of the built book (Debian's chromium driven by Playwright).

The book must be built first (``make test-build``); the Makefile does this before
``make test-browser``. Set ``BOOK_HTML_DIR`` to check a build somewhere else, and
``BOOK_TOC`` to the ``_toc.yml`` it was built from (default: the ``_toc.yml`` two
folders above the HTML folder, else the repository's).

Each page is loaded once per session (the ``visit`` fixture); the checks in
``test_pages.py`` and ``test_features.py`` read the recorded facts, so a failing
test names both the page and the check, e.g. ``test_images_loaded[ch04_mathematics]``.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from book_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COLLECT_FACTS_JS,
    LOCAL_HOST,
    Visit,
    html_dir,
    open_page,
    page_name,
    screenshot_dir,
    toc_pages,
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize every test that takes ``docname`` over the pages in the toc."""
    if "docname" in metafunc.fixturenames:
        pages = list(toc_pages())
        metafunc.parametrize("docname", pages, ids=[page_name(p) for p in pages])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCAL_HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def built_html() -> Path:
    """The built HTML folder; fails with instructions when the book was not built."""
    folder = html_dir()
    if not (folder / "index.html").exists() or not (folder / "search.html").exists():
        pytest.fail(
            f"No built book at {folder}. Run `make test-build` first "
            "(or set BOOK_HTML_DIR to a folder holding a jupyter-book HTML build).",
            pytrace=False,
        )
    return folder


@pytest.fixture(scope="session")
def base_url(built_html: Path) -> Iterator[str]:
    """Serve the built book on 127.0.0.1 on a free port, from a background thread."""
    handler = functools.partial(_QuietHandler, directory=str(built_html))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, _free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian chromium (never a browser downloaded by `playwright install`)."""
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (`make browser-deps`).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def visit(browser: Any, base_url: str) -> Any:
    """``visit(docname)`` loads a page once per session and returns its ``Visit``.

    It also saves a full-page screenshot to ``_build/screenshots/<page>.png``.
    """
    cache: dict[str, Visit] = {}
    shots = screenshot_dir()
    shots.mkdir(parents=True, exist_ok=True)

    def _visit(docname: str) -> Visit:
        if docname not in cache:
            context, page, record = open_page(browser, f"{base_url}{docname}.html")
            try:
                record.facts = page.evaluate(COLLECT_FACTS_JS)
                record.screenshot = shots / f"{page_name(docname)}.png"
                page.screenshot(path=str(record.screenshot), full_page=True)
            finally:
                context.close()
            cache[docname] = record
        return cache[docname]

    return _visit
