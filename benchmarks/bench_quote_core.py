"""The whole quote computation in the C++ core against the bare engine run it starts from.

For the SME manufacturer example (examples/sme_manufacturer.toml: 2,000,000 years, 6 x 6
deductible x limit grid) this times, in one process, alternately:

* engine: the bare engine run of the organisation's model for the same years (annual loss
  only), ``_core.simulate``;
* core quote: everything a quote computes, in the core: the organisation's event table
  (engine with events + incident model), the policy terms, gross / insured / retained mean, std,
  VaR and TVaR with SEs at the quote's levels, the four premiums by section, the EP curve (AEP
  and OEP of the three views) and the 37-cell retention grid.

It prints the medians of R runs and their ratio (issue 11's target: at most 3x). With
``--python`` it also times the Python implementation of the same computation once (simulate,
terms.apply, describe, quote_table, ep_curve, choose_retention), for context.

    .venv/bin/python benchmarks/bench_quote_core.py [--repeats R] [--years N] [--threads T] [--python]
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "python"))

import core_models as cm  # noqa: E402

from cyberloss import _core  # noqa: E402
from cyberloss import organisation as org
from cyberloss import stats as measures
from cyberloss.insurance import decision, pricing, quote, terms

EXAMPLE = ROOT / "examples" / "sme_manufacturer.toml"


def core_quote(model, incidents, policy, settings, years, seed, threads):
    table = _core.simulate_organisation(model, incidents, years, seed, threads=threads)
    core_terms = cm.coverage_terms(policy)
    res = _core.apply_terms(core_terms, table)
    levels = list(settings.levels)
    stats = {v: (res.mean(v), res.std(v), res.tail(v, levels)) for v in terms.VIEWS}
    loads = cm.loads(settings.loads)
    premiums = [res.premium(cm.principle(p), loads, "insured", True) for p in settings.principles]
    periods = measures.default_return_periods(years)
    ep = {v: res.ep_table(v, periods) for v in terms.VIEWS}
    d = settings.decision
    grid = _core.retention_grid(core_terms, table, years, list(d.deductibles), list(d.limits),
                                cm.principle(d.principle), loads, d.cost_of_capital,
                                d.tail_level, d.max_premium)
    return stats, premiums, ep, grid


def python_quote(profile, policy, settings, years, seed):
    sim = org.simulate_organisation(profile, years, seed)
    events = sim.events
    res = terms.apply(policy, events, years)
    res.describe(settings.levels)
    pricing.quote_table(res, settings.principles, settings.loads)
    periods = measures.default_return_periods(years)
    for v in terms.VIEWS:
        res.ep_curve(periods, v)
    d = settings.decision
    decision.choose_retention(events, years, policy, d.deductibles, d.limits,
                              principle=d.principle, loads=settings.loads,
                              cost_of_capital=d.cost_of_capital, tail_level=d.tail_level,
                              max_premium=d.max_premium)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--years", type=int, default=None)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--python", action="store_true")
    args = ap.parse_args()

    profile = org.OrganisationProfile.from_toml(EXAMPLE)
    policy, settings = quote.read_quote_toml(EXAMPLE)
    years = args.years or settings.years
    model, incidents = cm.organisation_model(profile)
    seed = settings.seed

    engine_t, core_t = [], []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        _core.simulate(model, years, seed, args.threads)
        t1 = time.perf_counter()
        stats, premiums, ep, grid = core_quote(model, incidents, policy, settings, years, seed,
                                               args.threads)
        t2 = time.perf_counter()
        engine_t.append(t1 - t0)
        core_t.append(t2 - t1)
    e, c = statistics.median(engine_t), statistics.median(core_t)
    print(f"SME manufacturer, {years:,} years, {len(settings.decision.deductibles)} x "
          f"{len(settings.decision.limits)} grid + no insurance, medians of {args.repeats}")
    print(f"  bare engine (annual loss only)   {e * 1e3:8.1f} ms")
    print(f"  core quote (everything)          {c * 1e3:8.1f} ms")
    print(f"  ratio core quote / engine        {c / e:8.2f}x   (target <= 3x)")
    rec = int(grid["recommended_index"])
    print(f"  recommended: deductible {grid['deductible'][rec]:,.0f} JPY, limit "
          f"{grid['limit'][rec]:,.0f} JPY, total cost {grid['total_cost'][rec]:,.0f} JPY")
    if args.python:
        t0 = time.perf_counter()
        python_quote(profile, policy, settings, years, seed)
        p = time.perf_counter() - t0
        print(f"  Python implementation (1 run)    {p * 1e3:8.1f} ms   ({p / c:.1f}x the core)")


if __name__ == "__main__":
    main()
