"""The chapters as a student runs them: real JupyterLab, real chromium (Playwright).

``make test-lab`` checks one short chapter (``ch04_mathematics``, about 10 s of kernel time);
``make test-lab-all`` every chapter of ``_toc.yml``. Choose others with
``LAB_CHAPTERS=ch01_concepts,ch02_content_understanding`` (or ``all``).

One JupyterLab server and one browser per session; each chapter is opened and run once
(``lab_run``), and every check in ``test_lab.py`` reads the recorded facts, so a failing test
names the chapter and the check. Screenshots go to ``_build/screenshots/lab_<chapter>*.png``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from lab_driver import CHROMIUM, CHROMIUM_ARGS, REPO, LabRun, LabServer, run_chapter

sys.path.insert(0, str(REPO / "tools"))
from make_handout import toc_chapters  # noqa: E402  (one reader of _toc.yml)

DEFAULT_CHAPTERS = "ch04_mathematics"


def toc_notebooks() -> list[str]:
    """The chapter notebooks of ``_toc.yml`` (paths relative to the repository), in reading order."""
    return [str(p.relative_to(REPO)) for p in toc_chapters(REPO)]


def chapters() -> list[str]:
    wanted = os.environ.get("LAB_CHAPTERS", DEFAULT_CHAPTERS).strip()
    notebooks = toc_notebooks()
    if wanted == "all":
        return notebooks
    chosen = []
    for stem in filter(None, (w.strip() for w in wanted.split(","))):
        match = [nb for nb in notebooks if Path(nb).stem == stem or nb == stem]
        if not match:
            raise pytest.UsageError(f"LAB_CHAPTERS: {stem!r} is not a notebook of _toc.yml {notebooks}")
        chosen += match
    return chosen


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "chapter" in metafunc.fixturenames:
        selected = chapters()
        metafunc.parametrize("chapter", selected, ids=[Path(c).stem for c in selected])


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    return REPO / "_build" / "screenshots"


@pytest.fixture(scope="session")
def lab_server() -> Iterator[LabServer]:
    server = LabServer(REPO)
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`make browser-deps`).",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def lab_runs() -> dict[str, LabRun]:
    return {}


@pytest.fixture
def lab_run(chapter: str, lab_runs: dict[str, LabRun], browser: Any, lab_server: LabServer,
            screenshot_dir: Path) -> LabRun:
    """The chapter after Run All in JupyterLab (run once per session)."""
    if chapter not in lab_runs:
        try:
            lab_runs[chapter] = run_chapter(browser, lab_server, chapter, screenshot_dir)
        except Exception as exc:  # noqa: BLE001 - report with the server log
            pytest.fail(f"{chapter}: running it in JupyterLab failed: {exc}\n--- jupyter lab log ---\n"
                        f"{lab_server.log()}", pytrace=False)
        print(f"\n{chapter}: Run All took {lab_runs[chapter].seconds:.1f} s in JupyterLab")
    return lab_runs[chapter]
