"""Benchmark: a synthetic book of 10,000 policies over 100,000 years, local (and optionally
on a Dask LocalCluster).  Prints wall time, events simulated and peak memory
(resource.getrusage ru_maxrss of this process and, separately, of finished children).

    .venv/bin/python benchmarks/bench_portfolio.py [--policies 10000] [--years 100000]
        [--local-cluster N] [--block-years 4096]
"""
from __future__ import annotations

import argparse
import resource
import time

from cyberloss import portfolio as pf
from cyberloss.portfolio import distributed
from cyberloss.portfolio import reinsurance as re
from cyberloss.report.money import format_yen


def peak_mib(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0   # Linux: KiB


def benchmark_model(policies: int, seed: int) -> pf.PortfolioModel:
    """The synthetic book with the survey severity and all four contracts."""
    book = pf.Portfolio.synthetic(policies, seed=seed)
    programme = re.Programme(per_risk=re.PerRiskXL(5e7, 4.5e8, 2, 2e7),
                             per_event=re.PerEventXL(5e8, 2e9, 1, 1e8),
                             quota_share=re.QuotaShare(0.2), stop_loss=re.StopLoss(5e9, 2e9))
    return pf.PortfolioModel(book, reinsurance=programme)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--policies", type=int, default=10_000)
    ap.add_argument("--years", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--block-years", type=int, default=pf.DEFAULT_BLOCK_YEARS)
    ap.add_argument("--local-cluster", type=int, default=None)
    args = ap.parse_args()

    t0 = time.perf_counter()
    model = benchmark_model(args.policies, args.seed)
    book = model.portfolio
    t1 = time.perf_counter()
    print(f"book: {len(book):,} policies, {model.expected_events():.1f} expected incidents a year "
          f"(built in {t1 - t0:.2f} s); {args.years:,} years, blocks of {args.block_years:,}")
    res = pf.simulate_portfolio(model, args.years, args.seed, block_years=args.block_years)
    t2 = time.perf_counter()
    events = int(res.ylt["events"].sum())
    aal = res.mean("gross")
    print(f"local run: {t2 - t1:.2f} s, {events:,} incidents ({events / (t2 - t1) / 1e6:.2f} M/s), "
          f"peak memory {peak_mib():.0f} MiB (ru_maxrss)")
    print(f"gross AAL {format_yen(aal.value)} (se {format_yen(aal.se)}), VaR 99.5% "
          f"{format_yen(res.var(0.995, 'gross').value)}; net AAL {format_yen(res.mean('net').value)}; "
          f"average policy correlation {res.average_correlation():.4f}")
    ylt_mib = res.ylt.memory_usage(deep=True).sum() / 2**20
    print(f"kept: YLT {ylt_mib:.1f} MiB + per-policy moments; a policy x year matrix would be "
          f"{len(book) * args.years * 8 / 2**30:.1f} GiB")
    if args.local_cluster:
        t3 = time.perf_counter()
        d = distributed.simulate_portfolio(model, args.years, args.seed, block_years=args.block_years,
                                           local_cluster=args.local_cluster)
        t4 = time.perf_counter()
        same = all((d.ylt[c].to_numpy() == res.ylt[c].to_numpy()).all() for c in res.ylt.columns)
        print(f"Dask LocalCluster({args.local_cluster}): {t4 - t3:.2f} s (incl. cluster start), "
              f"bit-identical YLT: {same}; ratio to local {(t4 - t3) / (t2 - t1):.2f}")


if __name__ == "__main__":
    main()
