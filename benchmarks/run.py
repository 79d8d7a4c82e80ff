"""Run the ``benchmarks/bench_*.py`` modules; write ``_build/bench.json`` and ``_build/bench.md``.

Usage: ``python -m benchmarks.run`` (all), ``python -m benchmarks.run topk encode`` (only
the modules whose names contain one of the words), ``python -m benchmarks.run --skip build``
(all but those). Each module's ``run()`` returns a dict of figures; a module that fails is
reported and makes the exit status 1, the others still run. The markdown file (printed too)
starts with the machine (cores, CPU model, Python, torch, date, load average) and gives,
for each benchmark, its module docstring: exactly what was measured.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
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


def discover(only: list[str] | None = None, skip: list[str] | None = None) -> list[str]:
    """Module names ``benchmarks.bench_*`` in name order: those matching a word of ``only``
    (all when empty), minus those matching a word of ``skip``."""
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if only:
        names = [n for n in names if any(w in n for w in only)]
    if skip:
        names = [n for n in names if not any(w in n for w in skip)]
    return [f"benchmarks.{n}" for n in names]


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else ``platform.processor()``)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def machine() -> dict[str, object]:
    """What the figures depend on: cores, CPU, Python, torch, date, load average."""
    try:
        import torch

        torch_version, threads = torch.__version__, torch.get_num_threads()
    except ImportError:  # pragma: no cover - torch is pinned in requirements.txt
        torch_version, threads = "not installed", None
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on Windows
        load = None
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "torch": torch_version,
        "torch_threads": threads,
        "platform": platform.platform(),
        "load_average_1_5_15_min": load,
    }


def _module_doc(name: str) -> str:
    """A benchmark module's docstring (what it measures, and how), dedented."""
    try:
        doc = importlib.import_module(f"benchmarks.bench_{name}").__doc__ or ""
    except Exception:
        return ""
    return inspect.cleandoc(doc)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def format_markdown(info: dict, results: dict[str, dict], errors: dict[str, str],
                    seconds: dict[str, float] | None = None) -> str:
    """The report as markdown: the machine, then one table per benchmark (figure | value)."""
    seconds = seconds or {}
    load = info.get("load_average_1_5_15_min")
    lines = [
        "# Benchmarks",
        "",
        f"- date (UTC): {info['created']}",
        f"- machine: {info['cpu_count']} cores, {info['cpu_model']} ({info['platform']})",
        f"- Python {info['python']}, torch {info['torch']} ({info['torch_threads']} threads)",
        f"- load average (1, 5, 15 min) at the start: {', '.join(map(str, load)) if load else 'n/a'}"
        + (f"; at the end: {', '.join(map(str, info['load_average_end']))}"
           if info.get("load_average_end") else ""),
    ]
    for bench in [*results, *(b for b in errors if b not in results)]:
        took = f" ({seconds[bench]:.0f} s)" if bench in seconds else ""
        lines += ["", f"## {bench}{took}", ""]
        doc = _module_doc(bench)
        if doc:
            lines += [doc, ""]
        lines += ["| figure | value |", "|---|---:|"]
        lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in results.get(bench, {}).items()]
        if bench in errors:
            lines.append(f"| ERROR | {_cell(errors[bench])} |")
    return "\n".join(lines) + "\n"


def run_all(modules: list[str], seconds: dict[str, float] | None = None,
            ) -> tuple[dict[str, dict], dict[str, str]]:
    """Import each module and call its ``run()``; return (figures by module, errors by module).

    ``seconds``, when given, receives each module's wall time."""
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
        took = time.perf_counter() - start
        if seconds is not None:
            seconds[short] = took
        print(f"   ({took:.1f} s)", flush=True)
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
    parser.add_argument("--skip", action="append", default=[], metavar="WORD",
                        help="leave out modules whose name contains WORD (repeatable)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="JSON file to write; the markdown table goes next to it (.md)")
    args = parser.parse_args(argv)
    modules = discover(args.only, args.skip)
    if not modules:
        print(f"no benchmark module matches {args.only} (skipping {args.skip})", file=sys.stderr)
        return 2
    info = machine()
    seconds: dict[str, float] = {}
    results, errors = run_all(modules, seconds)
    try:
        info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover
        pass
    print()
    print(format_table(results, errors))
    report = {**info, "seconds": {k: round(v, 1) for k, v in seconds.items()},
              "results": results, "errors": errors}
    markdown = format_markdown(info, results, errors, seconds)
    md_path = args.out.with_suffix(".md")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    md_path.write_text(markdown, encoding="utf-8")
    print()
    print(markdown)
    print(f"wrote {args.out} and {md_path}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
