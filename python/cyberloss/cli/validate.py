"""``cyberloss validate``: the model next to every external figure in the package's data.

``--json`` prints ``{"seed", "passed", "rows": [...], "not_compared": [...]}``; each row has
``source``, ``statistic``, ``population``, ``basis``, ``published``, ``model``, ``distance``,
``tolerance``, ``passed`` (plus ``measure``, ``method``, ``role``, ``figure`` and ``model_se``,
the standard error of a simulated model value, null for a closed form).  The exit status is 0
when every row passes, 1 otherwise.
"""
from __future__ import annotations

import argparse

import pandas as pd

from .. import _json, validation
from ..report import text
from ..report.money import format_yen
from . import _args, data_option


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "validate", help="compare the calibrated model with every external figure (JNSA, NPA, IPA)",
        description="Published figures next to the model's, with the distance, the tolerance and "
                    "pass/fail; the basis and population of each comparison are stated.")
    p.add_argument("--json", action="store_true", help="print the rows as strict JSON")
    data_option.add(p, "size.loss_elasticity=0")
    p.add_argument("--seed", type=_args.SEED, default=None, help="seed of the simulated rows")
    p.set_defaults(func=run)


def _shown(row: pd.Series) -> tuple[str, str]:
    if row["measure"] != "quantile" and abs(row["published"]) >= 1e4:      # money (JPY)
        return format_yen(row["published"]), format_yen(row["model"])
    return f"{row['published']:.4g}", f"{row['model']:.4g}"


def run(args: argparse.Namespace) -> int:
    cal = data_option.load(args)
    seed = validation.DEFAULT_SEED if args.seed is None else args.seed
    rep = validation.report(cal, seed=seed, progress=args.show_progress)
    if args.json:
        print(_json.dumps(rep.to_dict(), indent=1))
        return 0 if rep.passed else 1
    df = rep.describe()
    shown = df.apply(_shown, axis=1, result_type="expand")
    table = pd.DataFrame({
        "figure": df["figure"], "population": df["population"], "published": shown[0], "model": shown[1],
        "distance": df["distance"].map(lambda v: f"{v:.4g}"), "tolerance": df["tolerance"].map(lambda v: f"{v:.4g}"),
        "passed": df["passed"].map({True: "yes", False: "NO"})})
    with pd.option_context("display.width", 200, "display.max_colwidth", 60, "display.max_rows", 500):
        print(f"Validation: {len(df)} comparisons, {int((~df['passed']).sum())} failing (seed {rep.seed})")
        print(text.frame(table, index=False))
    return 0 if rep.passed else 1
