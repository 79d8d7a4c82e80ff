"""Run every ``benchmarks/bench_*.py`` module, print a table and write ``_build/bench.json``.

Usage: ``python -m benchmarks.run`` (all), or ``python -m benchmarks.run simulate notebooks``
to run only the modules whose names contain one of the words. Each module's ``run()`` returns
a dict of figures; a module that fails is reported and makes the exit status 1, the others
still run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = ROOT / "_build" / "bench.json"


def discover(only: list[str] | None = None) -> list[str]:
    """Module names ``benchmarks.bench_*`` in name order, filtered by the words in ``only``."""
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if only:
        names = [n for n in names if any(w in n for w in only)]
    return [f"benchmarks.{n}" for n in names]


def run_all(modules: list[str]) -> tuple[dict[str, dict], dict[str, str]]:
    """Import each module and call its ``run()``; return (figures by module, errors by module)."""
    results: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for name in modules:
        short = name.split(".")[-1].removeprefix("bench_")
        print(f"== {short}", flush=True)
        start = time.perf_counter()
        try:
            mod = importlib.import_module(name)
            figures = mod.run()
            if not isinstance(figures, dict):
                raise TypeError(f"{name}.run() returned {type(figures).__name__}, expected dict")
            results[short] = dict(figures)
        except Exception as exc:  # report and carry on with the other benchmarks
            errors[short] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        print(f"   ({time.perf_counter() - start:.1f} s)", flush=True)
    return results, errors


def format_table(results: dict[str, dict], errors: dict[str, str]) -> str:
    """A plain-text table: benchmark, figure, value."""
    rows = [(b, k, f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v))
            for b, figs in results.items() for k, v in figs.items()]
    rows += [(b, "ERROR", e) for b, e in errors.items()]
    if not rows:
        return "(no benchmarks ran)"
    w0 = max(len("benchmark"), *(len(r[0]) for r in rows))
    w1 = max(len("figure"), *(len(r[1]) for r in rows))
    lines = [f"{'benchmark':{w0}}  {'figure':{w1}}  value", f"{'-' * w0}  {'-' * w1}  -----"]
    lines += [f"{a:{w0}}  {b:{w1}}  {c}" for a, b, c in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only modules whose name contains a word")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON file to write")
    args = parser.parse_args(argv)
    modules = discover(args.only)
    if not modules:
        print(f"no benchmark module matches {args.only}", file=sys.stderr)
        return 2
    results, errors = run_all(modules)
    print()
    print(format_table(results, errors))
    report = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "results": results,
        "errors": errors,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
