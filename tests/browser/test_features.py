"""The reader's and the teacher's tools on each page: search, hidden solutions,
copy / download / launch buttons, and widgets that never render as a blank box.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from book_browser import TIMEOUT_MS, is_notebook, open_page, page_name, toc_pages

# the word searched for when chapter 4 is in the toc, and the page it must find
SEARCH_PAGE = "book/ch04_mathematics"
SEARCH_WORD = "cosine"


def _search_target(built_html: Path) -> tuple[str, str]:
    """(word, docname): 'cosine' -> chapter 4, else a word from another chapter's title."""
    pages = toc_pages()
    if SEARCH_PAGE in pages:
        return SEARCH_WORD, SEARCH_PAGE
    root = pages[0]
    for docname in pages[1:] + (root,):
        html = (built_html / f"{docname}.html").read_text(encoding="utf-8")
        match = re.search(r"<h1>(.*?)<", html, flags=re.S)
        words = re.findall(r"[A-Za-z]{5,}", match.group(1) if match else "")
        if words:
            return max(words, key=len).lower(), docname
    pytest.fail("no page title with a word of 5+ letters to search for")


def test_search_finds_a_chapter(browser, base_url, built_html):
    word, docname = _search_target(built_html)
    context, page, visit = open_page(browser, f"{base_url}search.html?q={quote(word)}")
    try:
        page.wait_for_selector("#search-results ul.search li a", timeout=TIMEOUT_MS)
        hrefs = page.eval_on_selector_all(
            "#search-results ul.search li a", "els => els.map(a => a.getAttribute('href'))")
    finally:
        context.close()
    assert any(f"{docname}.html" in (h or "") for h in hrefs), (
        f"searching '{word}' did not list {docname}.html; results: {hrefs[:10]}")
    assert visit.page_errors == [] and visit.console_errors == []


def test_solutions_hidden_by_default(visit, docname):
    solutions = visit(docname).facts["solutions"]
    if not solutions:
        pytest.skip(f"{page_name(docname)} has no exercise solutions")
    not_dropdown = [s["id"] for s in solutions if not s["dropdown"]]
    assert not_dropdown == [], f"solutions without ':class: dropdown': {not_dropdown}"
    shown = [s["id"] for s in solutions
             if not s["hidden"] or s["bodyVisible"] or not s["hasButton"]]
    assert shown == [], f"solutions visible before the reader asks: {shown}"


def test_solution_opens_on_click(browser, base_url, visit):
    pages = [d for d in toc_pages() if visit(d).facts["solutions"]]
    if not pages:
        pytest.skip("no page in the toc has exercise solutions yet")
    docname = pages[0]
    context, page, _ = open_page(browser, f"{base_url}{docname}.html")
    try:
        solution = page.locator(".solution.admonition").first
        body = solution.locator(":scope > :not(.admonition-title)").first
        assert not body.is_visible()
        # its own title: the solution's prose sits in a nested admonition with a title too
        solution.locator(":scope > .admonition-title").click()
        body.wait_for(state="visible", timeout=TIMEOUT_MS)
        assert body.is_visible()
    finally:
        context.close()


def test_copy_button_on_every_code_cell(visit, docname):
    facts = visit(docname).facts
    if is_notebook(docname):
        assert facts["codeBlocks"] > 0, f"notebook page {docname} shows no code cell"
    elif facts["codeBlocks"] == 0:
        pytest.skip(f"{page_name(docname)} has no code cells")
    assert facts["codeWithoutCopy"] == 0, (
        f"{facts['codeWithoutCopy']} of {facts['codeBlocks']} code cells lack a copy button")


def test_download_button(visit, docname):
    links = visit(docname).facts["download"]
    suffix = ".ipynb" if is_notebook(docname) else ""
    assert any(h.endswith(f"_sources/{docname}{suffix}") or
               (not suffix and f"_sources/{docname}." in h) for h in links), (
        f"no download link to the source of {docname}: {links}")


def test_no_launch_buttons_without_a_real_repository(visit, docname):
    """The book has no public repository yet (_config.yml says where to set one): no Binder /
    Colab launch button and no repository button may send a reader to a page that does not
    exist. Readers download the notebook or run `make lab`."""
    links = visit(docname).facts["launch"]
    assert links == [], f"launch buttons without a repository: {links}"


def test_widgets_never_blank(visit, docname):
    facts = visit(docname).facts
    assert facts["emptyWidgets"] == [], f"empty widget boxes: {facts['emptyWidgets']}"
    assert facts["blankWidgetOutputs"] == 0, (
        "a cell output holds only a widget view, which is blank without widget "
        "JavaScript: use recsys_helpers.widgets.explore (static fallback)")


def test_no_widget_javascript_from_a_cdn(built_html, docname):
    html = (built_html / f"{docname}.html").read_text(encoding="utf-8")
    loaders = re.findall(r"<script[^>]+src=\"[^\"]*(?:html-manager|embed-amd|require\.js)[^\"]*\"", html)
    assert loaders == [], f"widget JavaScript loaded by {docname}: {loaders}"
