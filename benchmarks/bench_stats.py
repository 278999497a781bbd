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

Issue 11's target: cyberloss no slower than np.partition (ratio <= 1).

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

    ours, part, full = [], [], []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        sample = _core.stats.LossSample.dense(x, LEVELS[0])
        table = sample.tail(LEVELS)
        (sample.mean(), sample.std(), sample.mean_se(), sample.std_se())
        t1 = time.perf_counter()
        var_np = np.partition(x, k)[k]
        t2 = time.perf_counter()
        _core.stats.var_tvar(x, LEVELS)
        t3 = time.perf_counter()
        ours.append(t1 - t0)
        part.append(t2 - t1)
        full.append(t3 - t2)
    assert table["var"][0] == var_np
    o, p, f = statistics.median(ours), statistics.median(part), statistics.median(full)
    print(f"{n:,} years, levels {LEVELS}, medians of {args.repeats}")
    print(f"  cyberloss LossSample.dense + all measures  {o * 1e3:8.1f} ms")
    print(f"  np.partition (VaR 99% alone)               {p * 1e3:8.1f} ms")
    print(f"  full sort (stats.var_tvar, context)        {f * 1e3:8.1f} ms")
    print(f"  ratio cyberloss / np.partition             {o / p:8.2f}x   (target <= 1)")


if __name__ == "__main__":
    main()
