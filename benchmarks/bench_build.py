"""Peak memory (and wall time) of the book build, every notebook executed.

Runs ``jupyter-book build <repo> --path-output <temporary folder>`` with the Makefile's
flags (``-W -n --keep-going --all``). The output folder, and with it the build's notebook
cache (``<path-output>/_build/.jupyter_cache``), is new and empty, so every notebook is
executed: the shared ``_build/`` and its cache are neither read nor written. The embedding
cache is the one ``make book`` uses (``lm.default_cache_dir``, or ``$RECSYS_CACHE_DIR``).

Memory is the resident set size (RSS) of the whole process tree (jupyter-book, Sphinx and
every kernel it starts), sampled every ``POLL_S`` seconds with psutil: the peak of the
sum over the tree, and the peak of the largest single process. Sampling can miss a spike
shorter than the interval. Takes minutes; run it alone with ``python -m benchmarks.run
build`` or leave it out with ``--skip build``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BUILD_FLAGS = ["-W", "-n", "--keep-going", "--all"]
POLL_S = 0.2
TIMEOUT_S = 3600.0


def _tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """(sum, largest) RSS in bytes over ``proc`` and all its descendants still alive."""
    total = largest = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            rss = p.memory_info().rss
        except psutil.Error:
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def measure_build(path_output: Path, log: Path | None = None, source: Path = ROOT) -> dict:
    """Build the book in ``source`` into ``path_output``; return wall s, exit status, peak RSS (MiB)."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(source),
           "--path-output", str(path_output), *BUILD_FLAGS]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    sink = open(log, "w") if log is not None else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        popen = subprocess.Popen(cmd, cwd=source, env=env, stdout=sink, stderr=subprocess.STDOUT)
        proc = psutil.Process(popen.pid)
        peak_sum = peak_one = 0
        while popen.poll() is None:
            total, largest = _tree_rss(proc)
            peak_sum, peak_one = max(peak_sum, total), max(peak_one, largest)
            if time.perf_counter() - start > TIMEOUT_S:
                popen.kill()
                break
            time.sleep(POLL_S)
        rc = popen.wait()
        wall = time.perf_counter() - start
    finally:
        if log is not None:
            sink.close()
    return {"wall_s": wall, "returncode": rc, "peak_tree_rss_mib": peak_sum / 2**20,
            "peak_process_rss_mib": peak_one / 2**20}


def summarise_log(text: str) -> dict:
    """Counts from a build log: notebooks executed, distinct notebooks whose execution failed,
    and the warning/error lines."""
    lines = text.splitlines()
    failed = {m.group(1) for ln in lines
              if (m := re.search(r"(\S+\.(?:ipynb|md)):.*Executing notebook failed", ln))}
    return {"executed": sum("Executed notebook in" in ln for ln in lines),
            "failed": len(failed),
            "problems": [ln for ln in lines if "WARNING:" in ln or "ERROR:" in ln]}


def run() -> dict:
    """Build the book into a temporary folder; peak RSS in MiB, wall seconds."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-book-build-"))
    log = tmp / "build.log"
    try:
        r = measure_build(tmp / "out", log=log)
        summary = summarise_log(log.read_text(encoding="utf-8", errors="replace"))
        if r["returncode"] != 0:
            kept = Path(tempfile.gettempdir()) / "bench-book-build.log"
            shutil.copyfile(log, kept)
            print(f"book build exited with status {r['returncode']}; {len(summary['problems'])} "
                  f"warning/error lines, the first ones below; full log: {kept}", flush=True)
            for line in summary["problems"][:10]:
                print("  ", line[:300], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = {"book build wall s": round(r["wall_s"], 1),
           "book build exit status": int(r["returncode"]),
           "notebooks executed by the build": summary["executed"],
           "notebooks whose execution failed": summary["failed"],
           "warning/error lines in the build log": len(summary["problems"]),
           "book build peak RSS, process tree MiB": round(r["peak_tree_rss_mib"]),
           "book build peak RSS, largest process MiB": round(r["peak_process_rss_mib"])}
    for k, v in out.items():
        print(f"{k:45s} {v}", flush=True)
    return out
