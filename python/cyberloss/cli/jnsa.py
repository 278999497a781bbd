"""``cyberloss jnsa``: the JNSA 2025 tables, published next to the calibrated model.

``--json`` prints ``{"margins": [...], "severity": [...], "interactions": [...]}``: margin rows
have ``table``, ``category``, ``published``, ``model`` (plus difference, quality, basis);
severity rows have ``attack_type``, ``period``, ``statistic``, ``published``, ``model`` (JPY)
and ``survey_quantile``; ``warnings`` names any statistic that is not finite (written as null).
"""
from __future__ import annotations

import argparse

import pandas as pd

from .. import _json
from ..calibration import jnsa
from ..report import text
from ..report.money import format_yen
from . import _args, data_option


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "jnsa", help="reproduce the JNSA 2025 tables from the calibrated model",
        description="Published JNSA 2025 margins and survey statistics next to the model's.")
    p.add_argument("--json", action="store_true", help="print the tables as JSON")
    data_option.add(p, "reporting_factor.sme=12")
    p.add_argument("--seed", type=_args.SEED, default=None, help="seed of the simulated surveys")
    p.add_argument("--replications", type=_args.integer(2, _args.MAX_COUNT), default=20_000,
                   help="simulated surveys per attack type")
    p.set_defaults(func=run)


def _no_negative_zero(x: float, digits: int) -> float:
    """Round for display so that solver-precision residuals print as 0, not -0."""
    return round(float(x), digits) + 0.0


def run(args: argparse.Namespace) -> int:
    cal = data_option.load(args)
    seed = jnsa.DEFAULT_SEED if args.seed is None else args.seed
    rep = jnsa.reproduce(cal, seed=seed, replications=args.replications, progress=args.show_progress)
    if args.json:
        print(_json.dumps(rep.to_dict(), indent=1))
        return 0
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        for name, title in (("size", "Cases by size (cumulative 2017-01..2024-06, incidents)"),
                            ("industry", "Cases by industry (cumulative, incidents)"),
                            ("attack_type", "Cases by attack type (cumulative, attack-type events)"),
                            ("attack_type_recent", "Cases by attack type (recent 2022-07..2024-06)")):
            t = rep.table(name)[["category", "published", "model", "difference", "relative_difference",
                                 "quality"]].copy()
            t["difference"] = t["difference"].map(lambda v: f"{_no_negative_zero(v, 2):+,.2f}")
            t["relative_difference"] = t["relative_difference"].map(lambda v: f"{_no_negative_zero(100 * v, 3):+.3f}%")
            print(f"\n{title} - publicised basis")
            print(text.frame(t, index=False, float_format=lambda v: f"{v:,.2f}"))
        print("\nApproximate published shares")
        print(text.frame(rep.interactions, index=False, float_format=lambda v: f"{v:.4f}"))
        sev = rep.severity.copy()
        for col in ("published", "model", "difference"):
            sev[col] = sev[col].map(lambda v: format_yen(_no_negative_zero(v, 0)))
        print(f"\nSurvey loss per incident (response costs + liability; {rep.replications:,} "
              f"simulated surveys, seed {rep.seed})")
        print(text.frame(sev, index=False, float_format=lambda v: f"{v:.3f}"))
    return 0
