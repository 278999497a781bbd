"""Layers in the engine: a layered run against the same run without layers, and against NumPy.

Model (issue 11): Poisson(3) incidents a year, lognormal severity with mean 84,541.68 and sd
177,728.3 JPY; a per-occurrence layer 1,000,000 xs 10,000 and an aggregate (annual) layer
1,000,000 xs 50,000; 10^7 years. cyberloss runs with the annual losses alone (outputs="annual")
and with its default outputs (by type and counts too); the NumPy implementation draws the same
model as fast as we know how (the run's total count, each incident's year, its loss, the
occurrence layer, per-year sums with np.bincount, the aggregate layer) and returns the annual and
layered annual losses. All run alternately in this process; medians are printed with the
ratios (targets: layered within 1.5x of unlayered; at least 4x NumPy).

    .venv/bin/python benchmarks/bench_layers.py [--years N] [--repeats R] [--threads T]
"""
from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import time

import numpy as np

import cyberloss as cl
from cyberloss.insurance.terms import Layer

RATE = 3.0
MEAN, SD = 84_541.68, 177_728.3
SIGMA2 = math.log(1 + (SD / MEAN) ** 2)
MU, SIGMA = math.log(MEAN) - SIGMA2 / 2, math.sqrt(SIGMA2)
OCCURRENCE = Layer(10_000.0, 1_000_000.0)
AGGREGATE = Layer(50_000.0, 1_000_000.0, "annual")


def numpy_layers(years: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(annual, layered annual) of the same model in NumPy."""
    rng = np.random.default_rng(seed)
    year = rng.integers(0, years, size=rng.poisson(RATE * years))
    loss = rng.lognormal(MU, SIGMA, size=year.size)
    occurrence = np.clip(loss - OCCURRENCE.attachment, 0.0, OCCURRENCE.limit)
    annual = np.bincount(year, weights=loss, minlength=years)
    layered = np.clip(np.bincount(year, weights=occurrence, minlength=years)
                      - AGGREGATE.attachment, 0.0, AGGREGATE.limit)
    return annual, layered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="default: all cores")
    args = parser.parse_args()
    model = cl.Model([cl.AttackType("all", cl.Poisson(RATE), cl.Lognormal(MU, SIGMA))])
    layers = {"occurrence_layer": OCCURRENCE, "aggregate_layer": AGGREGATE}
    runs = {
        "cyberloss layered, annual only": lambda r: cl.simulate(
            model, years=args.years, seed=r, threads=args.threads, outputs="annual", **layers),
        "cyberloss unlayered, annual only": lambda r: cl.simulate(
            model, years=args.years, seed=r, threads=args.threads, outputs="annual"),
        "cyberloss layered, default outputs": lambda r: cl.simulate(
            model, years=args.years, seed=r, threads=args.threads, **layers),
        "cyberloss unlayered, default outputs": lambda r: cl.simulate(
            model, years=args.years, seed=r, threads=args.threads),
        "numpy layered": lambda r: numpy_layers(args.years, r),
    }
    cl.simulate(model, years=100_000, seed=0, outputs="annual", **layers)  # warm-up
    times: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    cores = args.threads or os.cpu_count() or 1

    def cpu_now() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    el = (cl.Lognormal(MU, SIGMA).lev(OCCURRENCE.exhaustion_point)
          - cl.Lognormal(MU, SIGMA).lev(OCCURRENCE.attachment))
    for r in range(args.repeats):
        for name, run in runs.items():
            c0 = cpu_now()
            start = time.perf_counter()
            out = run(r)
            times[name].append(time.perf_counter() - start)
            cpu[name].append(cpu_now() - c0)
            layered = out[1] if isinstance(out, tuple) else (
                out.layered_annual_loss if "unlayered" not in name else None)
            if layered is not None:
                assert np.all(layered <= AGGREGATE.limit) and layered.mean() < RATE * el
            del out, layered
    med = {k: statistics.median(v) for k, v in times.items()}
    mcpu = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"years: {args.years:,}   Poisson({RATE:g}), lognormal mean {MEAN:,} sd {SD:,}; "
          f"{OCCURRENCE.limit:,.0f} xs {OCCURRENCE.attachment:,.0f} per occurrence, "
          f"{AGGREGATE.limit:,.0f} xs {AGGREGATE.attachment:,.0f} aggregate; "
          f"SIMD path {cl._core.simd_path()}")
    for name, t in times.items():
        print(f"  {name:38s} median {med[name]:.3f} s, CPU {mcpu[name]:.3f} s  "
              f"(runs: {', '.join(f'{x:.3f}' for x in t)})")
    for outputs in ("annual only", "default outputs"):
        key = f"cyberloss layered, {outputs}"
        layered, plain = med[key], med[f"cyberloss unlayered, {outputs}"]
        print(f"{outputs}: layered / unlayered {layered / plain:.2f}x wall, "
              f"{mcpu[key] / mcpu[f'cyberloss unlayered, {outputs}']:.2f}x CPU (target <= 1.5); "
              f"numpy / cyberloss layered {med['numpy layered'] / layered:.1f}x wall, "
              f"{mcpu['numpy layered'] / (mcpu[key] / cores):.1f}x from CPU times as on an idle "
              f"machine (target >= 4)")


if __name__ == "__main__":
    main()
