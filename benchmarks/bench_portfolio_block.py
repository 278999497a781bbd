"""Portfolio block speed: the compiled block (_core.portfolio_block) against the NumPy block it
replaced and against the engine's time for the same incidents.

A synthetic book (10,000 policies by default, ``Portfolio.synthetic``) with the survey
severity (``--loss organisation``: the organisation loss model with a headcount and controls
per policy) and a programme of all four contracts, over 100,000 years in blocks of 4096 (as
``simulate_portfolio`` runs it).  Timed alternately in this process, medians of the repeats:

* events:         ``_core.portfolio_events`` alone (frequency, systemic shock, allocation to
                  policies, severity uniforms): the engine's time for these incidents;
* core block:     ``_core.portfolio_block``: events, losses, terms, reinsurance, year rows,
                  per-policy sums, all in C++;
* core + py loss: events, the loss computed in NumPy (the test oracle
                  tests/python/reference/portfolio.py), then
                  ``_core.portfolio_block_from_losses`` (the path of a user's loss function);
* workflow:       ``simulate_portfolio(...).describe()``: the blocks, the year-loss table
                  and its statistics, as a user runs it;
* numpy block:    the NumPy implementation (tests/python/reference/portfolio.py).

Wall and CPU (user + system of this process) times are printed; the machine is shared, so
CPU time is the steadier figure.

    .venv/bin/python benchmarks/bench_portfolio_block.py [--policies 10000] [--years 100000]
        [--block-years 4096] [--repeats 5] [--threads 0] [--loss survey|organisation]
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
from cyberloss import random as clrandom
from cyberloss.portfolio.result import YLT_COLUMNS
from cyberloss.portfolio.simulate import blocks as year_blocks

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "python"))
from bench_portfolio import benchmark_model  # noqa: E402

from reference.portfolio import losses as python_losses  # noqa: E402
from reference.portfolio import numpy_block  # noqa: E402

CONTROLS = ("offline_backups", "restore_drills", "mfa_remote_access", "edr", "ir_retainer")


def organisation_model(model: pf.PortfolioModel, seed: int) -> pf.PortfolioModel:
    """The benchmark book with a headcount and controls per policy, losses from the
    organisation model (components, downtime, effort, lost profit) instead of the plain survey
    severity.  Headcount: revenue / 25 m yen per employee, at least 5; each control in place
    with probability 1/2 (uniforms on the USER stream, policy i = year i)."""
    t = model.portfolio.table
    idx = np.arange(len(t), dtype=np.uint64)
    u = [np.atleast_1d(clrandom.uniform_at(seed, clrandom.stream_id(clrandom.Purpose.USER, j), idx, 0))
         for j in range(len(CONTROLS))]
    t["employees"] = np.maximum(5, np.round(t["revenue"].to_numpy(float) / 2.5e7))
    t["controls"] = [";".join(c for c, uu in zip(CONTROLS, row) if uu < 0.5) for row in zip(*u)]
    book = pf.Portfolio(t, model.portfolio.calibration)
    return pf.PortfolioModel(book, loss=pf.OrganisationLoss.from_calibration(book.calibration),
                             reinsurance=model.reinsurance)


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
    ap.add_argument("--loss", choices=("survey", "organisation"), default="survey",
                    help="per-incident loss: the survey severity or the organisation model with "
                         "per-policy headcount and controls")
    ap.add_argument("--no-numpy", action="store_true",
                    help="time only the events, the core block and the workflow (not the NumPy "
                         "oracle)")
    args = ap.parse_args()

    model = benchmark_model(args.policies, args.seed)
    if args.loss == "organisation":
        model = organisation_model(model, args.seed)
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
            x = python_losses(model, {**{k: ev[k] for k in ("policy", "type", "year", "k", "u")}, "seed": seed})
            _core.portfolio_block_from_losses(ev, y0, x, *terms, core_programme, [], threads)

    def workflow() -> None:
        pf.simulate_portfolio(model, args.years, seed, block_years=args.block_years,
                              threads=threads or None).describe()

    def numpy() -> None:
        for y0, n in blocks:
            numpy_block(model, seed, y0, n)

    # the two implementations agree before they are timed
    if not args.no_numpy:
        y0, n = blocks[0]
        ref, ev, _ = numpy_block(model, seed, y0, n)
        got = _core.portfolio_block(freq, loss, *terms, core_programme, seed, y0, n, [], threads)
        # to rounding, not bit for bit: the contained losses and the organisation model's
        # components go through NumPy's exp and log, an ulp or so from the core's
        # (tests/python/test_portfolio_core.py)
        rtol = 1e-12
        for c in YLT_COLUMNS + ("policy_sum", "policy_sumsq"):
            np.testing.assert_allclose(got[c], ref[c], rtol=rtol, atol=0, err_msg=c)
    incidents = sum(int(_core.portfolio_events(freq, seed, y, m, threads)["u"].size) for y, m in blocks)

    runs = {"events": events, "core block": core_block, "workflow": workflow}
    if not args.no_numpy:
        runs.update({"core + py loss": core_python_loss, "numpy block": numpy})
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in runs}
    for _ in range(args.repeats):
        for name, f in runs.items():
            times[name].append(timed(f))
    wall = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}

    print(f"book: {len(book):,} policies, {args.loss} loss, {args.years:,} years in blocks of {args.block_years:,}, "
          f"{incidents:,} incidents; threads={threads or 'all'}; medians of {args.repeats}")
    for k in runs:
        print(f"  {k:15s} wall {wall[k]:7.3f} s  cpu {cpu[k]:7.3f} s  "
              f"({1e9 * cpu[k] / incidents:6.1f} ns cpu per incident)")
    print(f"core block / events:       wall {wall['core block'] / wall['events']:.2f}x  "
          f"cpu {cpu['core block'] / cpu['events']:.2f}x")
    print(f"workflow / events:         wall {wall['workflow'] / wall['events']:.2f}x  "
          f"cpu {cpu['workflow'] / cpu['events']:.2f}x   (target <= 2x)")
    if args.no_numpy:
        return
    print(f"numpy block / core block:  wall {wall['numpy block'] / wall['core block']:.2f}x  "
          f"cpu {cpu['numpy block'] / cpu['core block']:.2f}x")
    print(f"core + py loss / core:     wall {wall['core + py loss'] / wall['core block']:.2f}x  "
          f"cpu {cpu['core + py loss'] / cpu['core block']:.2f}x")


if __name__ == "__main__":
    main()
