"""Wall time of every chapter notebook, executed top to bottom with nbclient, cold and warm.

Each notebook runs twice in a fresh kernel, on its own empty embedding cache (a temporary
folder handed to the kernel as ``$RECSYS_CACHE_DIR``, the variable ``lm.default_cache_dir``
reads; the user's ``data/cache`` is never read or touched):

* **cold** -- the cache is empty, so every text the notebook embeds is encoded;
* **warm** -- the same folder again, now filled by the cold run.

Kernel start-up is included. Next to the wall time stands the CPU time of the kernel
process (user + system, all its threads; ``getrusage(RUSAGE_CHILDREN)`` once the kernel
has exited), because wall time grows when other programs share the cores. A notebook
must run in under 3 minutes on 2 CPU cores (``LIMIT_S``). GPU-only cells tagged
``skip-execution`` are left out, as the book build does.

``BENCH_NOTEBOOKS=ch04,ch05`` (words matched against the file names) times only some
notebooks; by default every ``book/ch*.ipynb``.
"""

from __future__ import annotations

import contextlib
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Iterator

import nbformat
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parents[1] / "book"
LIMIT_S = 180.0


def selected_notebooks(spec: str | None = None) -> list[Path]:
    """The chapter notebooks, filtered by the comma-separated words of ``spec``
    (default: ``$BENCH_NOTEBOOKS``; empty: all)."""
    spec = os.environ.get("BENCH_NOTEBOOKS", "") if spec is None else spec
    words = [w.strip() for w in spec.split(",") if w.strip()]
    paths = sorted(BOOK.glob("ch*.ipynb"))
    return [p for p in paths if not words or any(w in p.stem for w in words)]


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    """Set environment variables (inherited by the kernel) for the duration of the block."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def time_notebook(path: Path, cache_dir: Path | str | None = None) -> tuple[float, float]:
    """Execute one notebook in its own folder; return (wall s, kernel CPU s).

    ``cache_dir``: the embedding cache the kernel uses (``$RECSYS_CACHE_DIR``); None keeps
    the caller's environment.
    """
    nb = nbformat.read(path, as_version=4)
    # GPU-only cells are tagged skip-execution (see README); the book build skips them too
    nb.cells = [c for c in nb.cells if "skip-execution" not in c.get("metadata", {}).get("tags", [])]
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    env = {"RECSYS_CACHE_DIR": str(cache_dir)} if cache_dir is not None else {}
    with _env(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", **env):
        cpu = _children_cpu()
        start = time.perf_counter()
        client.execute()  # starts a kernel, runs every cell, shuts the kernel down
        wall = time.perf_counter() - start
    return wall, _children_cpu() - cpu


def run() -> dict:
    """Time every selected notebook, cold and warm embedding cache; figures in seconds."""
    out: dict[str, object] = {}
    for path in selected_notebooks():
        with tempfile.TemporaryDirectory(prefix=f"bench-{path.stem}-cache-") as cache_dir:
            cold, cold_cpu = time_notebook(path, cache_dir)
            warm, warm_cpu = time_notebook(path, cache_dir)
        out[f"{path.stem} cold wall s"] = round(cold, 1)
        out[f"{path.stem} cold kernel CPU s"] = round(cold_cpu, 1)
        out[f"{path.stem} warm wall s"] = round(warm, 1)
        out[f"{path.stem} warm kernel CPU s"] = round(warm_cpu, 1)
        flag = "OK" if max(cold, warm) < LIMIT_S else f"OVER the {LIMIT_S:.0f} s limit"
        print(f"{path.name:40s} cold {cold:7.1f} s ({cold_cpu:6.1f} s CPU)  "
              f"warm {warm:7.1f} s ({warm_cpu:6.1f} s CPU)  {flag}", flush=True)
    return out


if __name__ == "__main__":
    run()
