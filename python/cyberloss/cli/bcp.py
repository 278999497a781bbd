"""``cyberloss bcp PROFILE.toml``: compare the profile with changed versions (BCP planning).

Prints annual expected loss (with its standard error), VaR 99%, expected downtime days and the
difference of each variant to the baseline with its standard error; the variants share their
random numbers.  ``--json`` prints ``{"variants": [...], "warnings": [...]}`` with stable keys
(strict JSON: a statistic that is not finite is null and named in ``warnings``).
"""
from __future__ import annotations

import argparse
import dataclasses
import unicodedata

from .. import _json
from ..organisation import bcp
from ..report.money import format_yen
from . import _args, calibration_option


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bcp", help="compare an organisation profile with changed versions (controls, downtime)",
        description=__doc__.split("\n\n")[0])
    p.add_argument("profile", help="TOML file: [organisation], optional [simulation] and [[variants]]")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--years", type=_args.integer(2, _args.MAX_COUNT),
                   help="simulated years (default from the file, else 200000)")
    p.add_argument("--seed", type=_args.SEED, help="random seed (default from the file, else 1)")
    p.add_argument("--basis", choices=("publicised", "all"), help="incidence basis (default all)")
    p.add_argument("--period", choices=("cumulative", "recent"), help="calibration window (default recent)")
    p.add_argument("--threads", type=_args.THREADS, default=None, help="engine threads (results do not depend on it)")
    calibration_option.add(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    plan = bcp.BcpPlan.from_toml(args.profile)
    changes = {k: getattr(args, k) for k in ("years", "seed", "basis", "period") if getattr(args, k) is not None}
    if changes:
        plan = dataclasses.replace(plan, settings=dataclasses.replace(plan.settings, **changes))
    cal = calibration_option.load(args)
    result = bcp.run_plan(plan, threads=args.threads, calibration=cal)
    if args.json:
        doc = result.to_dict()
        if cal is not None:
            doc["calibration"] = cal.provenance
        print(_json.dumps(doc))
    else:
        print(format_table(result))
        if cal is not None:
            print(f"calibration: {cal.provenance}")
    return 0


def format_table(result: bcp.BcpComparison) -> str:
    t = result.describe()
    s = result.sims[0]
    lines = [f"{s.profile.name}: {result.n_years:,} simulated years, seed {s.seed}, basis {s.basis}, "
             f"period {s.period}; variants share their random numbers",
             ""]
    header = (f"{'variant':<40} {'expected loss':>14} {'± SE':>10} {'VaR 99%':>12} "
              f"{'downtime d/yr':>13} {'ransomware d/yr':>15} {'vs baseline':>14} {'± SE':>10}")
    lines += [header, "-" * len(header)]
    for name, r in t.iterrows():
        lines.append(
            f"{_fit(name, 40)} {format_yen(r.expected_loss):>14} {format_yen(r.expected_loss_se):>10} "
            f"{format_yen(r.var_99):>12} {r.expected_downtime_days:>13.3f} "
            f"{r.expected_ransomware_downtime_days:>15.3f} "
            f"{format_yen(r.difference_to_baseline, sign=True):>14} {format_yen(r.difference_to_baseline_se):>10}")
    lines.append("")
    lines.append("expected loss = annual mean of all components incl. lost profit and internal effort; "
                 "VaR = lower empirical 99% quantile of the annual loss")
    prov = s.provenance()
    parts = []
    for what in ("severity", "shares", "downtime", "effort"):
        types = [t for t in prov.index if prov.loc[t, f"{what}_quality"] == "assumption"]
        if types:
            parts.append(f"{what} of {', '.join(types)}")
    lines.append("assumptions in use (not published figures): " + "; ".join(parts))
    lines.append("control factors and profile defaults: see python/cyberloss/data/components.json")
    return "\n".join(lines)


def _fit(text: str, width: int) -> str:
    """Left-align to ``width`` terminal columns (East Asian wide characters count two)."""
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)
