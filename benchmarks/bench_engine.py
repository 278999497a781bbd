"""Engine speed: cyberloss against a NumPy-vectorised implementation of the same model.

Model: 4 attack types, Poisson rates 0.05 / 0.1 / 0.25 / 0.5, lognormal severities; 10^7 years
by default. Two output sets are timed, each against NumPy producing the same: all outputs
(annual loss, loss by type, counts by type) and the annual losses alone
(cl.simulate(..., outputs="annual"): 8 bytes per year). Everything runs in this process,
alternately, several times; the medians are printed with their ratios and cyberloss's
nanoseconds per simulated incident per core (targets, issue 11: all outputs at least 12x NumPy;
annual only at most 12 ns per incident per core, and within 1.3x of the floor that
bench_kernels.cpp measures).

The NumPy version is the fastest vectorisation we know of: per attack type it draws the total
count of the whole run (Poisson(rate * years)), places each incident in a uniformly chosen year
(which gives independent Poisson(rate) counts per year) and sums with np.bincount, so it costs
O(incidents) random draws instead of O(years). Its time for the annual losses alone (no by-type
or count matrices) is printed too, as the strongest NumPy baseline. For context, the model as
written (a Poisson count per year and type, numpy_per_year) is timed as well; the headline
ratio is against the faster numpy_simulation.

Where cyberloss's own time goes, and the floor its random-number contract sets, is measured by
the C++ benchmark bench_kernels.cpp (`make bench` runs both).

cyberloss's CPU time is split into user time (the simulation) and system time (the kernel
providing and zeroing the ~56 bytes per simulated year of fresh output memory).

    .venv/bin/python benchmarks/bench_engine.py [--years N] [--repeats R] [--threads T]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import numpy as np

import cyberloss as cl

RATES = (0.05, 0.1, 0.25, 0.5)
SEVERITIES = ((17.3, 0.9), (16.6, 1.2), (16.3, 1.2), (14.5, 1.4))  # (mu, sigma) of ln JPY


def cyberloss_model() -> cl.Model:
    return cl.Model([cl.AttackType(f"type{i}", cl.Poisson(lam), cl.Lognormal(mu, s))
                     for i, (lam, (mu, s)) in enumerate(zip(RATES, SEVERITIES))])


def numpy_simulation(years: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same compound model, vectorised with NumPy: (annual, by_type, counts)."""
    rng = np.random.default_rng(seed)
    by_type = np.empty((years, len(RATES)))
    counts = np.empty((years, len(RATES)), dtype=np.int32)
    for t, (lam, (mu, sigma)) in enumerate(zip(RATES, SEVERITIES)):
        year = rng.integers(0, years, size=rng.poisson(lam * years))
        counts[:, t] = np.bincount(year, minlength=years)
        by_type[:, t] = np.bincount(year, weights=rng.lognormal(mu, sigma, size=year.size),
                                    minlength=years)
    return by_type.sum(axis=1), by_type, counts


def numpy_per_year(years: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model as written, vectorised over years: a Poisson count per (year, type), then
    that many lognormal losses summed into their years. For context: the headline ratio is
    against numpy_simulation, which draws O(incidents) instead of O(years) random numbers."""
    rng = np.random.default_rng(seed)
    by_type = np.empty((years, len(RATES)))
    counts = np.empty((years, len(RATES)), dtype=np.int32)
    for t, (lam, (mu, sigma)) in enumerate(zip(RATES, SEVERITIES)):
        counts[:, t] = rng.poisson(lam, size=years)
        year = np.repeat(np.arange(years), counts[:, t])
        by_type[:, t] = np.bincount(year, weights=rng.lognormal(mu, sigma, size=year.size),
                                    minlength=years)
    return by_type.sum(axis=1), by_type, counts


def numpy_annual_only(years: int, seed: int) -> np.ndarray:
    """NumPy's strongest case: the annual losses alone."""
    rng = np.random.default_rng(seed)
    annual = np.zeros(years)
    for lam, (mu, sigma) in zip(RATES, SEVERITIES):
        year = rng.integers(0, years, size=rng.poisson(lam * years))
        annual += np.bincount(year, weights=rng.lognormal(mu, sigma, size=year.size),
                              minlength=years)
    return annual


def cpu_times() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="default: all cores")
    args = parser.parse_args()
    cores = args.threads or os.cpu_count() or 1
    model = cyberloss_model()

    cl.simulate(model, years=100_000, seed=0, threads=args.threads)  # warm-up
    names = ("cyberloss", "cyberloss annual", "numpy", "numpy annual", "numpy per-year")
    wall: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in names}
    user, system = [], []

    def timed(name, f):
        u0, s0 = cpu_times()
        start = time.perf_counter()
        out = f()
        wall[name].append(time.perf_counter() - start)
        u1, s1 = cpu_times()
        cpu[name].append(u1 - u0 + s1 - s0)
        if name == "cyberloss":
            user.append(u1 - u0)
            system.append(s1 - s0)
        return out

    expected = model.expected_annual_loss()
    se = np.sqrt(model.annual_loss_variance() / args.years)
    for r in range(args.repeats):
        res = timed("cyberloss", lambda r=r: cl.simulate(model, years=args.years, seed=r,
                                                         threads=args.threads))
        incidents_cl = int(res.counts.sum(dtype=np.int64))
        res_annual = timed("cyberloss annual", lambda r=r: cl.simulate(
            model, years=args.years, seed=r, threads=args.threads, outputs="annual"))
        assert res_annual.annual_loss.tobytes() == res.annual_loss.tobytes()
        del res_annual
        annual_np, by_type_np, counts_np = timed("numpy", lambda r=r: numpy_simulation(args.years, r))
        annual_only = timed("numpy annual", lambda r=r: numpy_annual_only(args.years, r))
        annual_year = timed("numpy per-year", lambda r=r: numpy_per_year(args.years, r))[0]
        for name, mean in (("cyberloss", res.mean()), ("numpy", annual_np.mean()),
                           ("numpy annual-only", annual_only.mean()),
                           ("numpy per-year", annual_year.mean())):
            assert abs(mean - expected) < 5 * se, f"{name} mean {mean} far from {expected}"
        assert by_type_np.shape == res.by_type.shape and counts_np.shape == res.counts.shape
        del res, annual_np, by_type_np, counts_np, annual_only, annual_year

    med = statistics.median
    w = {k: med(v) for k, v in wall.items()}
    c = {k: med(v) for k, v in cpu.items()}
    runs = lambda ts: ", ".join(f"{t:.3f}" for t in ts)  # noqa: E731
    print(f"years: {args.years:,}   incidents per run: {incidents_cl:,}   cores: {cores}   "
          f"SIMD path: {cl._core.simd_path()}")
    for label, ours, theirs, target in (("all outputs", "cyberloss", "numpy", "target >= 12x"),
                                        ("annual only", "cyberloss annual", "numpy annual", "")):
        ns = w[ours] * cores * 1e9 / incidents_cl
        ns_cpu = c[ours] * 1e9 / incidents_cl
        print(f"{label}: cyberloss median {w[ours]:.3f} s (runs: {runs(wall[ours])}), CPU "
              f"{c[ours]:.3f} s; numpy median {w[theirs]:.3f} s (runs: {runs(wall[theirs])}), CPU "
              f"{c[theirs]:.3f} s")
        print(f"  speed-up {w[theirs] / w[ours]:.1f}x wall"
              f"{' (' + target + ')' if target else ''}; from CPU times, as on an idle machine "
              f"(numpy CPU / (cyberloss CPU / {cores} cores)): {c[theirs] / (c[ours] / cores):.1f}x")
        print(f"  {ns:.1f} ns per simulated incident per core (wall x cores); {ns_cpu:.1f} ns of "
              f"CPU per incident" + ("  (target for annual only: <= 12)" if not target else ""))
    print(f"cyberloss, all outputs: CPU user {med(user):.3f} s, system {med(system):.3f} s (medians)")
    print(f"numpy, per-year counts (the model as written): median {w['numpy per-year']:.3f} s "
          f"({w['numpy per-year'] / w['cyberloss']:.1f}x cyberloss with all outputs; for context only)")


if __name__ == "__main__":
    main()
