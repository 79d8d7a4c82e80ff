"""pytest plugin for ``pytest --nbval-lax book/``: the book build reuses what nbval executed.

nbval sends every code cell of a notebook to a kernel and fails a cell that raises. This
plugin listens to the same kernel messages nbval reads and feeds them, cell by cell, to
``nbclient.NotebookClient.process_message``: the very code jupyter-book's executor uses
to turn kernel messages into outputs (streams, ``clear_output``, display updates, glue's
``display_data``, widget state). When *every* code cell of a notebook passed, the executed
notebook is stored in the jupyter-cache that ``jupyter-book build`` reads with
``execute: execute_notebooks: cache`` (``_config.yml``), so the build finds a cache hit and
does not run the notebook a second time.

jupyter-cache matches a notebook on its code cells (source and cell metadata) and its
kernelspec; the stored notebook is the one nbval read from disk with outputs added, so it
matches exactly until a code cell changes.

A notebook is NOT stored (the build then executes it itself) when

* a cell failed, timed out, or was not selected (``-k``, ``--deselect``, ...);
* a cell is skipped by nbval (``nbval-skip``) but not by the build (``skip-execution``), or
  the other way round: the two runs would differ.

At the start of a run the cached outputs of every notebook about to run are dropped, so a
notebook that fails now is never served from an older cache entry. Cached outputs do not
notice a change in ``recsys_helpers`` or in the installed packages: the Makefile removes the
cache when those are newer than it (see ``fresh-cache`` there).

``BOOK_JUPYTER_CACHE=<folder>`` stores the cache elsewhere; ``BOOK_JUPYTER_CACHE=off``
turns the plugin off. The default is ``execute.cache`` of ``_config.yml``, else
``_build/.jupyter_cache`` (where jupyter-book looks when ``execute.cache`` is unset).
"""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_BUILD_TAG = "skip-execution"  # nbclient's default skip_cells_with_tag


def _cache_folder() -> Path | None:
    """The jupyter-cache folder the book build reads, or None when the build does not use one."""
    env = os.environ.get("BOOK_JUPYTER_CACHE")
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "none", "no") else Path(env).resolve()
    import yaml

    execute = (yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")) or {}).get("execute") or {}
    if execute.get("execute_notebooks") != "cache":
        return None
    return (ROOT / execute.get("cache", "_build/.jupyter_cache")).resolve()


def pytest_configure(config: pytest.Config) -> None:
    if not (getattr(config.option, "nbval_lax", False) or getattr(config.option, "nbval", False)):
        return
    folder = _cache_folder()
    if folder is not None and not config.pluginmanager.has_plugin("nbval-jupyter-cache"):
        config.pluginmanager.register(NbvalToJupyterCache(folder), "nbval-jupyter-cache")


class _Notebook:
    """The executed copy of one notebook, filled from the kernel messages nbval reads."""

    def __init__(self, nbfile: Any, items: list[Any]) -> None:
        from nbclient import NotebookClient

        self.file = nbfile
        self.path = Path(str(nbfile.path))
        self.nb = copy.deepcopy(nbfile.nb)
        # never started: only its message handling is used, set up as jupyter-cache's executor
        # sets it up (record_timing=False: no timing metadata in the cells)
        self.client = NotebookClient(self.nb, record_timing=False)
        self.items = {item.nodeid for item in items}
        self.finished: set[str] = set()
        n_code = sum(c.cell_type == "code" for c in nbfile.nb.cells)
        self.problem = None if len(items) == n_code else f"only {len(items)} of {n_code} code cells selected"
        self.hooked = False
        self.executed = 0
        self.index: int | None = None
        self.msg_id: str | None = None
        self.started = time.perf_counter()

    # -- wiring into nbval's objects (instance attributes only; nbval itself is untouched)
    def hook(self) -> None:
        kernel = self.file.kernel
        self.client.kc = kernel.kc  # nbclient's Output-widget emulation answers on it
        self._language_info(kernel.kc)
        execute_cell_input = kernel.execute_cell_input
        get_kernel_message = self.file.get_kernel_message

        def execute_and_note(*args: Any, **kwargs: Any) -> str:
            msg_id = execute_cell_input(*args, **kwargs)
            try:
                self._started_cell(msg_id)
            except Exception as error:  # noqa: BLE001 - never let recording fail nbval's check
                self.problem = f"recording the outputs failed: {error!r}"
            return msg_id

        def read_and_record(*args: Any, **kwargs: Any) -> dict:
            msg = get_kernel_message(*args, **kwargs)
            self._record(msg)
            return msg

        kernel.execute_cell_input = execute_and_note
        self.file.get_kernel_message = read_and_record
        self.hooked = True
        self.started = time.perf_counter()  # the notebook's first cell starts now

    def _language_info(self, kc: Any) -> None:
        """Ask the kernel for language_info, as nbclient does before running the cells."""
        try:
            msg_id = kc.kernel_info()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
                if reply["parent_header"].get("msg_id") == msg_id:
                    if "language_info" in reply["content"]:
                        self.nb.metadata["language_info"] = reply["content"]["language_info"]
                    return
        except Exception:  # noqa: BLE001 - the committed language_info stays; nothing else depends on it
            return

    # -- per cell
    def begin(self, item: Any) -> None:
        self.index = next(i for i, c in enumerate(self.file.nb.cells) if c is item.cell)
        self.msg_id = None
        tags = item.cell.metadata.get("tags", [])
        if bool(item.options["skip"]) != (SKIP_BUILD_TAG in tags):
            self.problem = (f"cell {item.cell_num} is skipped by "
                            f"{'nbval but not the build' if item.options['skip'] else 'the build but not nbval'}"
                            f" (tag it both 'nbval-skip' and '{SKIP_BUILD_TAG}')")

    def _started_cell(self, msg_id: str) -> None:
        if self.index is None:
            return
        cell = self.nb.cells[self.index]
        if not cell.source.strip():  # nbclient does not send empty cells
            return
        self.msg_id = msg_id
        cell.outputs = []
        self.client.clear_before_next_output = False
        self.client.clear_display_id_mapping(self.index)
        self.executed += 1
        cell.execution_count = self.executed

    def _record(self, msg: dict) -> None:
        from nbclient.exceptions import CellExecutionComplete

        if self.msg_id is None or msg.get("parent_header", {}).get("msg_id") != self.msg_id:
            return
        try:
            self.client.process_message(copy.deepcopy(msg), self.nb.cells[self.index], self.index)
        except CellExecutionComplete:
            pass
        except Exception as error:  # noqa: BLE001 - never let recording fail nbval's check
            self.problem = f"recording the outputs failed: {error!r}"
            self.msg_id = None

    def end(self) -> None:
        self.index = self.msg_id = None


class NbvalToJupyterCache:
    """Registered by ``pytest_configure`` when nbval runs and the build reads a jupyter-cache."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.notebooks: dict[str, _Notebook] = {}  # nodeid of the notebook file -> record
        self.by_item: dict[str, _Notebook] = {}
        self.stored: list[str] = []
        self.not_stored: list[str] = []

    def _cache(self) -> Any:
        from jupyter_cache import get_cache

        return get_cache(str(self.folder))

    @staticmethod
    def _is_cell(item: Any) -> bool:
        return type(item).__name__ == "IPyNbCell" and type(item).__module__.startswith("nbval")

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        by_file: dict[Any, list[Any]] = {}
        for item in session.items:
            if self._is_cell(item):
                by_file.setdefault(item.parent, []).append(item)
        if not by_file:
            return
        cache = self._cache()
        for nbfile, items in by_file.items():
            # a notebook about to run must not be served from an older run if it fails now
            try:
                cache.remove_cache(cache.match_cache_notebook(nbfile.nb).pk)
            except KeyError:
                pass
            record = _Notebook(nbfile, items)
            self.notebooks[nbfile.nodeid] = record
            for item in items:
                self.by_item[item.nodeid] = record

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        record = self.by_item.get(item.nodeid)
        if record is not None and record.problem is None:
            try:
                if not record.hooked and getattr(record.file, "kernel", None) is not None:
                    record.hook()
                record.begin(item)
            except Exception as error:  # noqa: BLE001 - nbval's check runs regardless
                record.problem = f"could not follow nbval's kernel: {error!r}"
        try:
            return (yield)
        finally:
            if record is not None:
                record.end()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self.by_item.get(report.nodeid)
        if record is None:
            return
        if record.problem is None:
            if report.failed:
                record.problem = f"{report.nodeid.rsplit('::', 1)[-1]} failed ({report.when})"
            elif report.skipped and hasattr(report, "wasxfail"):
                record.problem = f"{report.nodeid.rsplit('::', 1)[-1]} did not run (earlier cell timed out)"
            elif report.when == "call" and report.passed and not record.hooked:
                record.problem = "nbval's kernel was not found"
        if report.when == "teardown":
            record.finished.add(report.nodeid)
            if record.finished == record.items:
                self._store(record)

    def _store(self, record: _Notebook) -> None:
        from jupyter_cache.base import CacheBundleIn

        name = record.path.name
        self.notebooks.pop(record.file.nodeid, None)
        for nodeid in record.items:
            self.by_item.pop(nodeid, None)
        if record.problem is not None:
            self.not_stored.append(f"{name}: {record.problem}")
            return
        record.client.set_widgets_metadata()
        self._cache().cache_notebook_bundle(
            CacheBundleIn(record.nb, str(record.path),
                          data={"execution_seconds": time.perf_counter() - record.started,
                                "executed_by": "nbval"}),
            check_validity=False,  # as myst-nb: cells skipped by tag have no execution_count
            overwrite=True,
        )
        self.stored.append(name)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for record in list(self.notebooks.values()):  # interrupted or never finished
            record.problem = record.problem or "did not finish"
            self._store(record)
        if not (self.stored or self.not_stored):
            return
        write = terminalreporter.write_line
        write(f"jupyter-cache {self.folder}: the book build reuses the outputs of "
              f"{', '.join(self.stored) or 'no notebook'}")
        for line in self.not_stored:
            write(f"  not stored (the build executes it): {line}")
