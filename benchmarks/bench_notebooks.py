"""Wall time of every chapter notebook, executed top to bottom with nbclient.

Each notebook must run in under 3 minutes on 2 CPU cores. The embedding cache is used
as it is found; run `make clean` first to time a cold start.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parents[1] / "book"
LIMIT_S = 180.0


def time_notebook(path: Path) -> float:
    """Execute one notebook in its own folder and return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    # GPU-only cells are tagged skip-execution (see README); the book build skips them too
    nb.cells = [c for c in nb.cells if "skip-execution" not in c.get("metadata", {}).get("tags", [])]
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def run() -> dict:
    """Time every notebook in book/; figures in seconds."""
    out: dict[str, float] = {}
    for path in sorted(BOOK.glob("ch*.ipynb")):
        seconds = time_notebook(path)
        out[f"notebook {path.stem} wall s"] = round(seconds, 1)
        flag = "OK" if seconds < LIMIT_S else f"OVER the {LIMIT_S:.0f} s limit"
        print(f"{path.name:40s} {seconds:7.1f} s  {flag}", flush=True)
    return out


if __name__ == "__main__":
    run()
