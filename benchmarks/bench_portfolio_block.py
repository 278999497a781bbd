"""Portfolio block speed: the compiled block (_core.portfolio_block) against the NumPy block it
replaced and against the engine's time for the same incidents.

A synthetic book (10,000 policies by default, ``Portfolio.synthetic``) with the survey
severity and a programme of all four contracts, over 100,000 years in blocks of 4096 (as
``simulate_portfolio`` runs it).  Timed alternately in this process, medians of the repeats:

* events:         ``_core.portfolio_events`` alone (frequency, systemic shock, allocation to
                  policies, severity uniforms): the engine's time for these incidents;
* core block:     ``_core.portfolio_block``: events, losses, terms, reinsurance, year rows,
                  per-policy sums, all in C++;
* core + py loss: events, the loss computed by the Python ``SurveySeverity``, then
                  ``_core.portfolio_block_from_losses`` (the path of a user's loss function);
* numpy block:    the NumPy implementation (benchmarks/numpy_portfolio.py).

Wall and CPU (user + system of this process) times are printed; the machine is shared, so
CPU time is the steadier figure.

    .venv/bin/python benchmarks/bench_portfolio_block.py [--policies 10000] [--years 100000]
        [--block-years 4096] [--repeats 5] [--threads 0]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from cyberloss import _core
from cyberloss import portfolio as pf
from cyberloss.portfolio.result import YLT_COLUMNS
from cyberloss.portfolio.simulate import blocks as year_blocks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_portfolio import benchmark_model  # noqa: E402
from numpy_portfolio import numpy_block  # noqa: E402


def timed(f) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    f()
    return time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--policies", type=int, default=10_000)
    ap.add_argument("--years", type=int, default=100_000)
    ap.add_argument("--block-years", type=int, default=pf.DEFAULT_BLOCK_YEARS)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    model = benchmark_model(args.policies, args.seed)
    book, programme = model.portfolio, model.reinsurance
    freq = _core.PortfolioFrequency(model.rates().tolist(), model.variances())
    t = book.table
    terms = [t[c].to_numpy(float) for c in ("deductible", "occurrence_limit", "aggregate_limit")]
    loss, core_programme = model.loss.to_core(book), programme.to_core()
    blocks = year_blocks(args.years, args.block_years)
    seed, threads = args.seed, args.threads

    def events() -> None:
        for y0, n in blocks:
            _core.portfolio_events(freq, seed, y0, n, threads)

    def core_block() -> None:
        for y0, n in blocks:
            _core.portfolio_block(freq, loss, *terms, core_programme, seed, y0, n, [], threads)

    def core_python_loss() -> None:
        for y0, n in blocks:
            ev = _core.portfolio_events(freq, seed, y0, n, threads)
            x = model.loss(book, {**{k: ev[k] for k in ("policy", "type", "year", "k", "u")}, "seed": seed})
            _core.portfolio_block_from_losses(ev, y0, x, *terms, core_programme, [], threads)

    def numpy() -> None:
        for y0, n in blocks:
            numpy_block(model, seed, y0, n)

    # the two implementations agree before they are timed
    y0, n = blocks[0]
    ref, ev, _ = numpy_block(model, seed, y0, n)
    got = _core.portfolio_block(freq, loss, *terms, core_programme, seed, y0, n, [], threads)
    assert all(np.array_equal(ref[c], got[c]) for c in YLT_COLUMNS + ("policy_sum", "policy_sumsq"))
    incidents = sum(int(_core.portfolio_events(freq, seed, y, m, threads)["u"].size) for y, m in blocks)

    runs = {"events": events, "core block": core_block, "core + py loss": core_python_loss,
            "numpy block": numpy}
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in runs}
    for _ in range(args.repeats):
        for name, f in runs.items():
            times[name].append(timed(f))
    wall = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}

    print(f"book: {len(book):,} policies, {args.years:,} years in blocks of {args.block_years:,}, "
          f"{incidents:,} incidents; threads={threads or 'all'}; medians of {args.repeats}")
    for k in runs:
        print(f"  {k:15s} wall {wall[k]:7.3f} s  cpu {cpu[k]:7.3f} s  "
              f"({1e9 * cpu[k] / incidents:6.1f} ns cpu per incident)")
    print(f"core block / events:       wall {wall['core block'] / wall['events']:.2f}x  "
          f"cpu {cpu['core block'] / cpu['events']:.2f}x")
    print(f"numpy block / core block:  wall {wall['numpy block'] / wall['core block']:.2f}x  "
          f"cpu {cpu['numpy block'] / cpu['core block']:.2f}x")
    print(f"core + py loss / core:     wall {wall['core + py loss'] / wall['core block']:.2f}x  "
          f"cpu {cpu['core + py loss'] / cpu['core block']:.2f}x")


if __name__ == "__main__":
    main()
