"""Benchmarks of the book (``make bench`` = ``python -m benchmarks.run``).

Each ``bench_*.py`` module exposes ``run() -> dict`` mapping a figure's name to its value.
Speed is measured here, never in the unit tests.
"""
