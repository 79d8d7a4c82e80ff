"""Benchmarks of the book (``make bench`` = ``python -m benchmarks.run``).

Each ``bench_*.py`` module exposes ``run() -> dict`` mapping a figure's name to its value.
Speed is measured here, never in the unit tests.
"""

from __future__ import annotations

import time
from typing import Any, Callable


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``(fn(), wall seconds, CPU seconds of this process)`` for one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu
