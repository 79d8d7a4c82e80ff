"""Drive a real JupyterLab (the book's .venv) with Playwright and Debian's chromium.

``LabServer`` starts ``jupyter lab`` on 127.0.0.1, on a free port, with a random token and
throw-away Jupyter config/data/runtime folders (so no user setting, workspace or kernelspec of
this machine leaks in), the book's JupyterLab defaults of ``lab-settings/`` (as ``make lab``),
``--allow-root`` when running as root (containers), and the app exposed to the page
(``window.jupyterapp``) so that the test can read the notebook model.

``run_chapter`` opens a notebook, runs it the way a student does (menu Run > Run All Cells;
cells tagged ``skip-execution`` are skipped by running the cells above and then the cells
below them, as a student on a laptop without a GPU would), waits until the kernel is idle and
every markdown cell has rendered, and returns what the browser shows (``LabRun``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "_ext"))
from book_eval import evaluate, namespace  # noqa: E402  (the HTML build's own evaluation)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOCAL_HOST = "127.0.0.1"
SKIP_TAG = "skip-execution"  # GPU-only cells (they also carry nbval-skip)

# JupyterLab settings of the test server: no news/update pop-up over the screenshots, and no
# autosave (a chapter that runs longer than its interval would be saved, with its outputs and
# with the solutions' hidden state that Run All undid, into the repository's notebook)
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}
# the book's JupyterLab defaults, the ones `make lab` uses (every cell attached: see the file)
APP_SETTINGS_DIR = REPO / "lab-settings"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCAL_HOST, 0))
        return int(sock.getsockname()[1])


class LabServer:
    """``jupyter lab`` of this interpreter's environment, serving ``root``."""

    def __init__(self, root: Path = REPO, startup_timeout: float = 180.0) -> None:
        self.root = root
        self.startup_timeout = startup_timeout
        self.port = _free_port()
        self.token = secrets.token_hex(24)
        self.tmp = Path(tempfile.mkdtemp(prefix="book-lab-"))
        self.log_path = self.tmp / "lab.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{LOCAL_HOST}:{self.port}"

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ip={LOCAL_HOST}",
               f"--port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
               "--LabApp.expose_app_in_browser=True",
               f"--LabApp.user_settings_dir={self.tmp / 'settings'}",
               f"--LabApp.app_settings_dir={APP_SETTINGS_DIR}",
               f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}"]
        if hasattr(os, "getuid") and os.getuid() == 0:
            cmd.append("--allow-root")  # containers run as root; Jupyter refuses that without it
        return cmd

    def start(self) -> "LabServer":
        for name, value in USER_SETTINGS.items():
            path = self.tmp / "settings" / f"{name}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value), encoding="utf-8")
        env = dict(os.environ,
                   JUPYTER_CONFIG_DIR=str(self.tmp / "config"), JUPYTER_DATA_DIR=str(self.tmp / "data"),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"), JUPYTER_PLATFORM_DIRS="1")
        log = self.log_path.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(self.command(), env=env, stdout=log, stderr=subprocess.STDOUT,
                                     cwd=self.root)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5):
                    return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"jupyter lab did not answer within {self.startup_timeout:.0f} s:\n{self.log()}")

    def api(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}{path}?token={self.token}", timeout=30) as resp:
            return json.loads(resp.read())

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-5000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # jupyter shuts its kernels down on SIGTERM
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# ---------------------------------------------------------------------------------- browser JS
PANEL = "window.jupyterapp && window.jupyterapp.shell.currentWidget"
KERNEL_READY_JS = f"""() => {{
  const p = {PANEL};
  const k = p && p.sessionContext && p.sessionContext.session && p.sessionContext.session.kernel;
  return !!(k && k.status === 'idle' && p.content && p.content.widgets.length);
}}"""
STATE_JS = f"""() => {{
  const p = {PANEL};
  const k = p.sessionContext.session && p.sessionContext.session.kernel;
  const pending = p.content.widgets.filter(w => w.model.type === 'code' &&
      (w.promptNode ? w.promptNode.textContent.includes('*') : false)).length;
  const executed = p.content.widgets.filter(w => w.model.type === 'code' && w.model.executionCount).length;
  return {{status: k ? k.status : 'none', pending, executed}};
}}"""
# the notebook model (nbformat JSON of every cell) and what each markdown cell shows
COLLECT_JS = f"""() => {{
  const p = {PANEL};
  return p.content.widgets.map(w => {{
    const cell = w.model.toJSON();
    const out = {{cell, inputHidden: !!w.inputHidden, outputHidden: !!w.outputHidden}};
    if (cell.cell_type === 'markdown') {{
      const view = w.node.querySelector('.myst') || w.node.querySelector('.jp-RenderedMarkdown');
      out.rendered = !!(w.rendered && view);
      if (view) {{
        const clone = view.cloneNode(true);
        // what a reader sees: TeX source of typeset maths is not visible text
        clone.querySelectorAll('.katex-mathml, annotation, script, style').forEach(e => e.remove());
        out.text = clone.textContent;
        // the prose alone: without code blocks and inline code (code may hold braces)
        clone.querySelectorAll('pre, code').forEach(e => e.remove());
        out.prose = clone.textContent;
        out.exerciseTitles = Array.from(view.querySelectorAll('aside.myst-exercise .myst-exercise-title'))
            .map(e => e.textContent.trim());
        out.solutions = Array.from(view.querySelectorAll('details')).filter(d =>
            /Solution/.test((d.querySelector('summary') || {{}}).textContent || '')).map(d => d.open);
        out.admonitions = view.querySelectorAll('.myst-admonition-body').length;
        out.katex = view.querySelectorAll('.katex').length;
        out.cites = Array.from(view.querySelectorAll('cite, [title="Citation Not Found"]')).map(e => e.textContent.trim());
        out.terms = Array.from(view.querySelectorAll('a.hover-link')).map(a => a.textContent.trim());
        out.citesNotFound = view.querySelectorAll('[title="Citation Not Found"]').length;
        out.links = Array.from(view.querySelectorAll('a')).map(a => a.textContent.trim());
        out.anchors = Array.from(view.querySelectorAll('a')).map(a => ({{text: a.textContent.trim(),
            href: a.getAttribute('href') || ''}}));
        // what jupyterlab-myst shows for a reference it cannot resolve: a yellow warning icon
        // before the raw key/label ("Citation Not Found", "Cross Reference Not Found", ...),
        // and a {{term}} without a glossary in the notebook is a dead link to "#"
        out.unresolved = Array.from(view.querySelectorAll('span.text-yellow-600[title], [title$="Not Found"], ' +
            '[title="Citation Has No Label"]')).map(e => `${{e.getAttribute('title')}}: ${{e.textContent.trim()}}`)
            .concat(Array.from(view.querySelectorAll('a.hover-link[href="#"]')).map(a => `dead link: ${{a.textContent.trim()}}`));
        out.inlineCode = Array.from(view.querySelectorAll('code')).map(e => e.textContent);
        // what a student can read without clicking (innerText skips the body of a closed
        // <details>), and the dropdowns (admonitions with class dropdown render as <details>)
        out.visibleText = view.innerText;
        out.dropdowns = Array.from(view.querySelectorAll('details')).map(d => ({{
          title: ((d.querySelector('summary') || {{}}).innerText || '').trim(), open: d.open}}));
      }}
    }} else if (cell.cell_type === 'code') {{
      out.widgets = w.node.querySelectorAll('.jp-OutputArea .jupyter-widgets, .jp-OutputArea .widget-interact').length;
      out.sliders = w.node.querySelectorAll('.jp-OutputArea .widget-slider, .jp-OutputArea input[type=range]').length;
      // what a student sees of the outputs: the visible text and pictures/tables of each output
      // (innerText leaves out what is hidden, e.g. the panel of a collapsed accordion), and the
      // accordions (recsys_helpers.widgets.folded): their titles, open panels, visible contents
      const seen = e => e.checkVisibility ? e.checkVisibility() : e.offsetParent !== null;
      const headers = '.jupyter-widget-Collapse-header';
      out.shownOutputs = w.outputHidden ? [] : Array.from(w.node.querySelectorAll('.jp-OutputArea-output'))
        .filter(seen).map(e => ({{text: e.innerText.trim(),
          media: Array.from(e.querySelectorAll('img, table, canvas, svg, video'))
            .filter(m => seen(m) && !m.closest(headers)).length}}));
      out.accordions = Array.from(w.node.querySelectorAll('.jp-OutputArea .widget-accordion')).map(a => ({{
        titles: Array.from(a.querySelectorAll(headers)).map(h => h.innerText.trim()),
        open: a.querySelectorAll('.jupyter-widget-Collapse-open').length,
        contentVisible: Array.from(a.querySelectorAll('.jupyter-widget-Collapse-contents')).some(seen)}}));
    }}
    return out;
  }});
}}"""


@dataclass
class LabRun:
    """What one chapter looked like in JupyterLab after running it."""

    notebook: str
    seconds: float
    cells: list[dict[str, Any]]
    skipped: list[int] = field(default_factory=list)
    before: list[dict[str, Any]] = field(default_factory=list)  # the cells as opened, before Run All
    screenshots: list[Path] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    # ---- derived facts
    def markdown(self) -> list[dict[str, Any]]:
        return [c for c in self.cells if c["cell"]["cell_type"] == "markdown"]

    def code(self) -> list[dict[str, Any]]:
        return [c for c in self.cells if c["cell"]["cell_type"] == "code"]

    def glued(self) -> dict[str, Any]:
        """The glue data of the cells as the kernel produced them (like myst-nb extracts it)."""
        data: dict[str, Any] = {}
        for c in self.code():
            for output in c["cell"].get("outputs", []):
                meta = output.get("metadata", {}) or {}
                if "scrapbook" not in meta:
                    continue
                prefix = len(meta["scrapbook"].get("mime_prefix", ""))
                data[meta["scrapbook"]["name"]] = {
                    "data": {k[prefix:]: v for k, v in output.get("data", {}).items()}}
        return data

    def errors(self) -> list[str]:
        found = []
        for i, c in enumerate(self.cells):
            for output in c["cell"].get("outputs", []) or []:
                if output.get("output_type") == "error":
                    found.append(f"cell {i}: {output.get('ename')}: {output.get('evalue', '')[:200]}")
        return found

    def unexecuted(self) -> list[int]:
        return [i for i, c in enumerate(self.cells) if c["cell"]["cell_type"] == "code"
                and not c["cell"].get("execution_count") and i not in self.skipped
                and c["cell"]["source"].strip()]

    def expressions(self) -> list[tuple[int, str, str | None, str]]:
        """(cell, expression, what Lab shows, what the HTML build shows) for every {eval}.

        Lab's text is the kernel's result (None: no result); the HTML's is computed as
        ``_ext/book_eval.py`` computes it, from the values this very run glued (or the
        reason it cannot be computed, starting with "error:")."""
        values, problems = namespace(self.glued())
        rows = []
        for i, c in enumerate(self.cells):
            cell = c["cell"]
            if cell["cell_type"] != "markdown":
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            results = {e.get("expression"): e.get("result", {})
                       for e in (cell.get("metadata", {}).get("user_expressions") or [])}
            for expr in _eval_roles(source):
                result = results.get(expr)
                lab = None
                if result and result.get("status") == "ok":
                    text = result.get("data", {}).get("text/plain", "")
                    lab = _strip_quotes("".join(text) if isinstance(text, list) else text)
                try:
                    html = evaluate(expr, values, problems)
                except ValueError as exc:
                    html = f"error: {exc}"
                rows.append((i, expr, lab, html))
        return rows


def _eval_roles(source: str) -> list[str]:
    import re

    return [m.group(1) for m in re.finditer(r"\{eval\}`([^`]*)`", source)]


def _strip_quotes(text: str) -> str:
    """jupyterlab-myst shows a str result without its quotes (the same regex as its renderer)."""
    import re

    return re.sub(r"""^(["'])(.*)\1$""", r"\2", text)


def _menu(page: Any, menu: str, item: str) -> None:
    page.click(f".lm-MenuBar-itemLabel:text-is('{menu}')")
    page.click(f".lm-Menu-itemLabel:text-is('{item}')")


def _select_cell(page: Any, index: int) -> None:
    page.evaluate(f"""() => {{ const nb = ({PANEL}).content; nb.activeCellIndex = {index};
                       nb.deselectAll(); nb.mode = 'command'; }}""")


def _wait_idle(page: Any, timeout_s: float, settle_s: float = 2.0) -> None:
    """Until the kernel is idle and no cell waits to run, for ``settle_s`` seconds in a row."""
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        state = page.evaluate(STATE_JS)
        if state["status"] == "idle" and state["pending"] == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= settle_s:
                return
        else:
            quiet_since = None
        time.sleep(0.5)
    raise TimeoutError(f"the notebook was still running after {timeout_s:.0f} s: {page.evaluate(STATE_JS)}")


# JavaScript: the {eval} expressions of a notebook cell widget, in the order of its source
EVAL_EXPRS_JS = r"(w => Array.from(w.model.sharedModel.getSource().matchAll(/\{eval\}`([^`]*)`/g), m => m[1]))"


def _wait_expressions(page: Any, timeout_s: float = 60.0) -> None:
    """Until every markdown cell with {eval} holds the kernel's results for all of them."""
    check = f"""() => ({PANEL}).content.widgets.every(w => {{
        if (w.model.type !== 'markdown') return true;
        const n = new Set({EVAL_EXPRS_JS}(w)).size;
        if (!n) return true;
        const ue = (w.model.getMetadata ? w.model.getMetadata('user_expressions') : null) || [];
        return ue.length >= n && w.rendered;
    }})"""
    try:
        page.wait_for_function(check, timeout=timeout_s * 1000, polling=500)
    except Exception:  # the test reports which expressions are missing
        pass


def _read_numbers(page: Any, timeout_s: float = 10.0) -> None:
    """Scroll to each markdown cell with {eval}, as a reader does, until it shows its numbers.

    jupyterlab-myst stores the kernel's results in the cell's metadata at once, but a cell far
    below the screen may keep its first rendering (the expressions as code) until it is on
    screen again (seen with jupyterlab-myst 2.7 and JupyterLab 4.6 on chapter 4). A reader only
    sees a cell on screen, so the test reads each one there; a cell that still shows code
    after ``timeout_s`` is reported by the test."""
    cells = page.evaluate(f"""() => ({PANEL}).content.widgets.map((w, i) =>
        w.model.type === 'markdown' && {EVAL_EXPRS_JS}(w).length ? i : -1)
        .filter(i => i >= 0)""")
    for index in cells:
        page.evaluate(f"async () => {{ await ({PANEL}).content.scrollToItem({index}, 'center'); }}")
        shows_code = f"""() => {{
            const w = ({PANEL}).content.widgets[{index}];
            const exprs = {EVAL_EXPRS_JS}(w);
            const view = w.node.querySelector('.myst') || w.node.querySelector('.jp-RenderedMarkdown');
            if (!view) return false;
            const code = Array.from(view.querySelectorAll('code')).map(e => e.textContent);
            return !exprs.some(e => code.includes(e));
        }}"""
        try:
            page.wait_for_function(shows_code, timeout=timeout_s * 1000, polling=100)
        except Exception:  # noqa: BLE001 - the test names the expressions still shown as code
            pass


def open_notebook(page: Any, server: LabServer, notebook: str, timeout_s: float = 180.0) -> None:
    """Open ``notebook`` alone, in a workspace of its own (no tab of an earlier test comes back)."""
    workspace = f"test-{secrets.token_hex(6)}"
    page.goto(f"{server.url}/lab/workspaces/{workspace}/tree/{notebook}?token={server.token}&reset",
              wait_until="load")
    page.wait_for_function(KERNEL_READY_JS, timeout=timeout_s * 1000, polling=500)
    current = page.evaluate(f"() => ({PANEL}).context.path")
    if current != notebook:
        raise RuntimeError(f"JupyterLab shows {current!r}, not {notebook!r}")


def shut_down_kernel(page: Any) -> None:
    """Stop the kernel of the open notebook (frees its memory before the next chapter)."""
    try:
        page.evaluate(f"async () => {{ const p = {PANEL}; if (p && p.sessionContext) await p.sessionContext.shutdown(); }}")
    except Exception:  # noqa: BLE001 - the server stops every kernel at the end anyway
        pass


def run_chapter(browser: Any, server: LabServer, notebook: str, screenshot_dir: Path,
                timeout_s: float = 900.0) -> LabRun:
    """Open ``notebook`` (path under the server root), run all its cells, collect the facts."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    run = LabRun(notebook=notebook, seconds=0.0, cells=[])
    on_disk = (server.root / notebook).read_bytes()
    page.on("console", lambda m: run.console_errors.append(m.text[:300]) if m.type == "error" else None)
    page.on("pageerror", lambda e: run.page_errors.append((str(e) + " @ " + (getattr(e, "stack", "") or ""))[:600]))
    try:
        open_notebook(page, server, notebook)
        cells = page.evaluate(COLLECT_JS)
        skipped = [i for i, c in enumerate(cells) if SKIP_TAG in (c["cell"].get("metadata", {}).get("tags") or [])]
        run.skipped = skipped
        run.before = cells
        start = time.monotonic()
        if not skipped:
            _menu(page, "Run", "Run All Cells")
            _wait_idle(page, timeout_s)
        else:  # a student without a GPU: run around the GPU-only cells
            bounds = [-1] + skipped + [len(cells)]
            for lo, hi in zip(bounds, bounds[1:]):
                if hi - lo <= 1:
                    continue
                if lo < 0:
                    _select_cell(page, hi)
                    _menu(page, "Run", "Run All Above Selected Cell")
                elif hi >= len(cells):
                    _select_cell(page, lo + 1)
                    _menu(page, "Run", "Run Selected Cell and All Below")
                else:
                    for i in range(lo + 1, hi):
                        _select_cell(page, i)
                        _menu(page, "Run", "Run Selected Cell")
                _wait_idle(page, timeout_s)
        _wait_expressions(page)
        run.seconds = time.monotonic() - start
        _read_numbers(page)
        run.cells = page.evaluate(COLLECT_JS)
        run.screenshots = _screenshots(page, run, screenshot_dir)
    finally:
        shut_down_kernel(page)
        context.close()
    if (server.root / notebook).read_bytes() != on_disk:
        raise RuntimeError(f"{notebook} changed on disk while JupyterLab ran it (saved by JupyterLab, "
                           "or edited meanwhile): check it with git diff before committing")
    return run


def _screenshots(page: Any, run: LabRun, folder: Path) -> list[Path]:
    """``lab_<chapter>.png``: the first prose with numbers, with citations (``_citations``); the
    last exercises (``_exercises``)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(run.notebook).stem
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    first_numbers = next((i for i, c in enumerate(run.cells) if c["cell"]["cell_type"] == "markdown"
                          and "{eval}" in _source(c)), 0)
    last = len(run.cells) - 1  # the last exercises, their collapsed solutions
    # the first prose with a citation or glossary link (_ext/book_lab_links.py)
    first_cite = next((i for i, c in enumerate(run.cells) if c["cell"]["cell_type"] == "markdown"
                       and re.search(r"\]\((?:https?://|[^)\s]*(?:glossary\.md|\.bib)#)", _source(c))), 0)
    shots = []
    for index, align, name in ((0, "start", f"lab_{stem}.png"),
                               (first_numbers, "start", f"lab_{stem}_numbers.png"),
                               (first_cite, "start", f"lab_{stem}_citations.png"),
                               (last, "end", f"lab_{stem}_exercises.png")):
        page.evaluate(f"""async () => {{ const nb = ({PANEL}).content;
            nb.activeCellIndex = {index}; await nb.scrollToItem({index}, '{align}'); }}""")
        page.wait_for_timeout(800)
        path = folder / name
        page.screenshot(path=str(path))
        shots.append(path)
    return shots


def _source(c: dict[str, Any]) -> str:
    src = c["cell"]["source"]
    return "".join(src) if isinstance(src, list) else src
