"""A big run's memory and kernel time: 10^8 years of the 4-type benchmark model, annual loss only.

Each run is a fresh subprocess (so that every page of its result is new to it, as in a user's
first run), which prints its peak resident memory and its user and system CPU time; the
medians over the runs are printed with the targets (peak under 1.2 GB, system time under a
quarter of user time). The annual losses alone take 8 bytes per year (800 MB); with all outputs
(by type and counts) a year takes 56 bytes, shown for comparison with --all-outputs.

    .venv/bin/python benchmarks/bench_big_run.py [--years N] [--repeats R] [--all-outputs]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import cyberloss as cl
sys.path.insert(0, {bench_dir!r})
from bench_engine import cyberloss_model
m = cyberloss_model()
before = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
r = cl.simulate(m, years={years}, seed=1, outputs={outputs!r})
wall = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF)
assert r.annual_loss.shape == ({years},)
print(json.dumps({{"wall": wall, "user": after.ru_utime - before.ru_utime,
                  "system": after.ru_stime - before.ru_stime,
                  "peak_rss": after.ru_maxrss * 1024, "path": cl._core.simd_path()}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=100_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--all-outputs", action="store_true")
    args = parser.parse_args()
    outputs = ("annual", "by_type", "counts") if args.all_outputs else "annual"
    import os
    script = CHILD.format(bench_dir=os.path.dirname(os.path.abspath(__file__)), years=args.years,
                          outputs=outputs)
    runs = []
    for _ in range(args.repeats):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True)
        runs.append(json.loads(out.stdout))
    med = {k: statistics.median(r[k] for r in runs) for k in ("wall", "user", "system", "peak_rss")}
    print(f"{args.years:,} years of the 4-type model, outputs {outputs}, path {runs[0]['path']}, "
          f"{args.repeats} fresh processes (medians)")
    # a short run's user time can read 0 (the clock's tick): no ratio then
    ratio = f"{med['system'] / med['user']:.2f}" if med["user"] > 0 else "n/a, no user time measured"
    print(f"  wall {med['wall']:.3f} s   user {med['user']:.3f} s   system {med['system']:.3f} s "
          f"(system / user {ratio}; target < 0.25)")
    print(f"  peak resident memory {med['peak_rss'] / 1e9:.3f} GB (target < 1.2 GB for annual only)")
    print("  runs: " + ", ".join(f"{r['wall']:.2f} s / {r['user']:.2f} u / {r['system']:.2f} s"
                                 for r in runs))


if __name__ == "__main__":
    main()
