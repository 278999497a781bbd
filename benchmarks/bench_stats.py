"""Risk measures on a dense 10^7-year array: cyberloss's selection against np.partition.

The sample is the annual loss of the 4-type benchmark model (bench_engine.py) over N years.
Timed alternately in this process, medians of R runs:

* cyberloss: ``_core.stats.LossSample.dense(x, min_level=0.99)`` (one pass keeping the values
  above a threshold taken from a subsample, a selection among them, then a sort of the part
  above the lowest level's SE neighbour) and, from that one selection, the
  mean, std and their SEs, VaR, TVaR and their SEs at 99%, 99.5% and 99.9%;
* np.partition: NumPy's selection of the single order statistic VaR_99% needs (the least any
  NumPy code computing these measures must do);
* full sort (context): the previous path, ``stats.var_tvar``, which copies and sorts the whole
  array.

Issue 11's target: cyberloss no slower than np.partition (ratio <= 1). Wall and CPU times (of
every thread of the process) are both printed: on a shared machine the CPU times say more.

    .venv/bin/python benchmarks/bench_stats.py [--years N] [--repeats R]
"""
from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np
from bench_engine import cyberloss_model

import cyberloss as cl
from cyberloss import _core

LEVELS = [0.99, 0.995, 0.999]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=10_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    x = np.array(cl.simulate(cyberloss_model(), years=args.years, seed=1).annual_loss)
    n = x.size
    k = math.ceil(n * LEVELS[0]) - 1

    def ours() -> float:
        sample = _core.stats.LossSample.dense(x, LEVELS[0])
        table = sample.tail(LEVELS)
        (sample.mean(), sample.std(), sample.mean_se(), sample.std_se())
        return float(table["var"][0])

    runs = {
        "cyberloss LossSample.dense + all measures": ours,
        "np.partition (VaR 99% alone)": lambda: float(np.partition(x, k)[k]),
        "full sort (stats.var_tvar, context)": lambda: _core.stats.var_tvar(x, LEVELS)[0][0],
    }
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeats):
        got = []
        for name, run in runs.items():
            c0, t0 = time.process_time(), time.perf_counter()
            got.append(run())
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
        assert got[0] == got[1] == got[2]
    w = {name: statistics.median(v) for name, v in wall.items()}
    c = {name: statistics.median(v) for name, v in cpu.items()}
    print(f"{n:,} years, levels {LEVELS}, medians of {args.repeats}")
    for name in runs:
        print(f"  {name:42s} {w[name] * 1e3:8.1f} ms wall, {c[name] * 1e3:8.1f} ms CPU")
    ours_name, part_name = list(runs)[:2]
    print(f"  ratio cyberloss / np.partition             {w[ours_name] / w[part_name]:8.2f}x wall, "
          f"{c[ours_name] / c[part_name]:.2f}x CPU   (target <= 1)")


if __name__ == "__main__":
    main()
