"""Engine speed: cyberloss against a NumPy-vectorised implementation of the same model.

Model: 4 attack types, Poisson rates 0.05 / 0.1 / 0.25 / 0.5, lognormal severities; 10^7 years
by default. Both run in this process, alternately, several times; the medians are printed with
their ratio and cyberloss's nanoseconds per simulated incident per core.

    .venv/bin/python benchmarks/bench_engine.py [--years N] [--repeats R] [--threads T]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import cyberloss as cl

RATES = (0.05, 0.1, 0.25, 0.5)
SEVERITIES = ((17.3, 0.9), (16.6, 1.2), (16.3, 1.2), (14.5, 1.4))  # (mu, sigma) of ln JPY


def cyberloss_model() -> cl.Model:
    return cl.Model([cl.AttackType(f"type{i}", cl.Poisson(lam), cl.Lognormal(mu, s))
                     for i, (lam, (mu, s)) in enumerate(zip(RATES, SEVERITIES))])


def numpy_annual_losses(years: int, seed: int) -> tuple[np.ndarray, int]:
    """The same compound model, vectorised with NumPy (one draw per array element)."""
    rng = np.random.default_rng(seed)
    annual = np.zeros(years)
    incidents = 0
    for lam, (mu, sigma) in zip(RATES, SEVERITIES):
        counts = rng.poisson(lam, size=years)
        n = int(counts.sum())
        incidents += n
        losses = rng.lognormal(mu, sigma, size=n)
        annual += np.bincount(np.repeat(np.arange(years), counts), weights=losses, minlength=years)
    return annual, incidents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="default: all cores")
    args = parser.parse_args()
    cores = args.threads or os.cpu_count() or 1
    model = cyberloss_model()

    cl.simulate(model, years=100_000, seed=0, threads=args.threads)  # warm-up
    t_cl, t_np = [], []
    for r in range(args.repeats):
        start = time.perf_counter()
        res = cl.simulate(model, years=args.years, seed=r, threads=args.threads)
        t_cl.append(time.perf_counter() - start)
        incidents_cl = int(res.counts.sum(dtype=np.int64))
        start = time.perf_counter()
        annual_np, incidents_np = numpy_annual_losses(args.years, r)
        t_np.append(time.perf_counter() - start)
        expected = model.expected_annual_loss()
        for name, mean in (("cyberloss", res.mean()), ("numpy", annual_np.mean())):
            se = np.sqrt(model.annual_loss_variance() / args.years)
            assert abs(mean - expected) < 5 * se, f"{name} mean {mean} far from {expected}"
        del res, annual_np

    med_cl, med_np = statistics.median(t_cl), statistics.median(t_np)
    ns = med_cl * cores * 1e9 / incidents_cl
    print(f"years: {args.years:,}   incidents per run: {incidents_cl:,}   cores: {cores}")
    print(f"cyberloss  median {med_cl:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in t_cl)})")
    print(f"numpy      median {med_np:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in t_np)})")
    print(f"speed-up (numpy / cyberloss, medians): {med_np / med_cl:.1f}x")
    print(f"cyberloss: {ns:.1f} ns per simulated incident per core")


if __name__ == "__main__":
    main()
