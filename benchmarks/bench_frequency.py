"""Poisson and negative binomial cdf and quantile: time per call over inputs up to 2**63.

Each call evaluates the closed forms of cyberloss/special.hpp a bounded number of times, so
the worst case matters more than the median: the benchmark prints both, for a seeded sweep of
rates, dispersions, counts and probabilities, next to scipy.stats on the same calls for means
up to 1e6 (scipy's discrete ppf searches step by step and can take minutes beyond).

    .venv/bin/python benchmarks/bench_frequency.py
"""
from __future__ import annotations

import time

import numpy as np
from scipy import stats

import cyberloss as cl


def timed(f, x):
    """CPU time of this thread for ``f(x)``: on a shared machine a preempted call would
    otherwise show the scheduler's 10-20 ms slices as its own worst case."""
    start = time.thread_time()
    f(x)
    return time.thread_time() - start


def main(n: int = 2000, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    ours = {"cdf": [], "quantile": []}
    theirs = {"cdf": [], "quantile": []}
    slowest = (0.0, "")
    for _ in range(n):
        mean = 10 ** rng.uniform(-3, 18.9)
        if rng.random() < 0.5:
            f, ref, label = cl.Poisson(mean), stats.poisson(mean), f"Poisson({mean:.3g})"
        else:
            r = 10 ** rng.uniform(-4, 18)
            f = cl.NegativeBinomial(mean, r)
            ref, label = stats.nbinom(r, r / (r + mean)), f"NegativeBinomial({mean:.3g}, {r:.3g})"
        k = int(min(2**63 - 1, 10 ** rng.uniform(0, 18.96)))
        p = float(rng.choice([1e-300, 1e-12, 0.001, 0.5, 0.9, 1 - 1e-12, rng.random()]))
        t_cdf = timed(f.cdf, k)
        try:
            t_q = timed(f.quantile, p)
        except ValueError:  # quantile beyond 2**63 - 1
            t_q = float("nan")
        ours["cdf"].append(t_cdf)
        ours["quantile"].append(t_q)
        if mean <= 1e6:
            theirs["cdf"].append(timed(ref.cdf, k))
            theirs["quantile"].append(timed(ref.ppf, p))
        if max(t_cdf, t_q if t_q == t_q else 0.0) > slowest[0]:
            slowest = (max(t_cdf, t_q), f"{label}: cdf({k}), quantile({p:g})")
    print(f"{n} random calls each (seed {seed}); microseconds of CPU time per call")
    print(f"{'':10s}{'median':>10s}{'99%':>10s}{'max':>10s}{'scipy median':>14s}{'ratio':>8s}"
          "   (scipy: means <= 1e6 only)")
    for what in ("cdf", "quantile"):
        a = np.array(ours[what]) * 1e6
        b = np.array(theirs[what]) * 1e6
        a = a[np.isfinite(a)]
        print(f"{what:10s}{np.median(a):10.1f}{np.percentile(a, 99):10.1f}{a.max():10.1f}"
              f"{np.median(b):14.1f}{np.median(a) / np.median(b):8.2f}")
    print(f"slowest: {slowest[0] * 1e3:.2f} ms for {slowest[1]}")


if __name__ == "__main__":
    main()
