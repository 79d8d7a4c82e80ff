"""Speed and memory of the simulators at 100,000 users (the target: under a minute each).

CPU time is reported next to wall time because the wall time grows when other programs
share the cores. Each measurement runs in a fresh Python process, so its peak resident memory (``ru_maxrss``)
belongs to that simulation alone. The clothing catalogue is loaded once, before the clock
starts, and passed in (as a notebook would do).
"""

from __future__ import annotations

import json
import subprocess
import sys

LIMIT_S = 60.0

_CHILD = r"""
import json, resource, sys, time
from recsys_helpers import data, simulate
kind, n_users = sys.argv[1], int(sys.argv[2])
def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
start = time.perf_counter()
catalogue = data.load_clothing_reviews() if kind == "shop" else None
load_s = time.perf_counter() - start
before = rss_mb()
start, cpu = time.perf_counter(), time.process_time()
if kind == "shop":
    sim = simulate.simulate_shop(n_users, seed=0, catalogue=catalogue)
else:
    sim = simulate.simulate_music(n_users, seed=0)
wall = time.perf_counter() - start
cpu = time.process_time() - cpu
inter = sim.dataset.interactions
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "load_s": load_s, "events": len(inter),
                  "events_per_s": len(inter) / wall, "peak_rss_mb": rss_mb(),
                  "rss_before_mb": before,
                  "frame_mb": inter.memory_usage(deep=False).sum() / 2**20}))
"""


def measure(kind: str, n_users: int) -> dict:
    """Run one simulation in a child process and return its figures."""
    out = subprocess.run([sys.executable, "-c", _CHILD, kind, str(n_users)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> dict:
    """Time simulate_shop and simulate_music at 10k and 100k users; seconds, events, MiB."""
    out: dict[str, float] = {}
    for kind in ("shop", "music"):
        for n in (10_000, 100_000):
            r = measure(kind, n)
            tag = f"{kind} {n // 1000}k users"
            out[f"{tag} wall s"] = round(r["wall_s"], 2)
            out[f"{tag} CPU s"] = round(r["cpu_s"], 2)
            out[f"{tag} events"] = int(r["events"])
            out[f"{tag} events/s"] = int(r["events_per_s"])
            out[f"{tag} peak RSS MiB"] = round(r["peak_rss_mb"], 0)
            if kind == "shop" and n == 100_000:
                out["clothing catalogue load s"] = round(r["load_s"], 2)
            flag = "OK" if r["wall_s"] < LIMIT_S else f"OVER the {LIMIT_S:.0f} s target"
            print(f"{tag:22s} {r['wall_s']:7.2f} s wall {r['cpu_s']:7.2f} s CPU  "
                  f"{int(r['events']):>11,} events  "
                  f"peak RSS {r['peak_rss_mb']:7.0f} MiB  {flag}", flush=True)
    return out


if __name__ == "__main__":
    run()
