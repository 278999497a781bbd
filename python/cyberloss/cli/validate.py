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
from ..calibration import Calibration
from ..report import language, text
from ..report.money import format_yen
from . import _args, data_option
from ._help import both

DOC_JA = """``cyberloss validate``: パッケージのデータにあるすべての外部の公表値とモデル値の比較。

``--json`` は ``{"seed", "passed", "rows": [...], "not_compared": [...]}`` を出力します。各行は
``source``、``statistic``、``population``、``basis``、``published``、``model``、``distance``、
``tolerance``、``passed``（ほかに ``measure``、``method``、``role``、``figure`` と、シミュレーション
したモデル値の標準誤差 ``model_se``。閉じた式の値では null）を持ちます。終了ステータスは、すべての
行が合格なら 0、そうでなければ 1 です。
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "validate", help=both("compare the calibrated model with every external figure (JNSA, NPA, IPA)",
                              "較正したモデルをすべての外部の公表値（JNSA・警察庁・IPA）と比較"),
        description=both("Published figures next to the model's, with the distance, the tolerance and "
                         "pass/fail; the basis and population of each comparison are stated.",
                         "公表値とモデル値を、乖離、許容差と合否とともに並べて表示します。各比較の"
                         "集計の基準と対象も示します。"))
    p.add_argument("--json", action="store_true",
                   help=both("print the rows as strict JSON", "各行を厳密な JSON で出力"))
    data_option.add(p, "size.loss_elasticity=0")
    p.add_argument("--seed", type=_args.SEED, default=None, metavar=_args.SEED_WORD,
                   help=both("seed of the simulated rows", "シミュレーションで求める行のシード"))
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
    print_table(rep, cal, args.lang)
    return 0 if rep.passed else 1


def print_table(rep: validation.ValidationReport, cal: Calibration, lang: str = "en") -> None:
    """The comparisons as a text table in ``lang`` (Japanese: labels left-aligned, columns
    aligned by display width)."""
    df = rep.describe()
    shown = df.apply(_shown, axis=1, result_type="expand")
    ja = lang == "ja"
    table = pd.DataFrame({
        "figure": [validation.figure_ja(f, cal) for f in df["figure"]] if ja else df["figure"],
        "population": df["population"].map(validation.population_ja) if ja else df["population"],
        "published": shown[0], "model": shown[1],
        "distance": df["distance"].map(lambda v: f"{v:.4g}"), "tolerance": df["tolerance"].map(lambda v: f"{v:.4g}"),
        "passed": df["passed"].map(language.PASSED_JA if ja else {True: "yes", False: "NO"})})
    failing = int((~df["passed"]).sum())
    if ja:
        print(f"検証: 比較 {len(df)} 件、不合格 {failing} 件（シード {rep.seed}）")
        print("\n".join(text.frame_table(table, language.COLUMNS_JA, ("figure", "population", "passed"))))
        return
    with pd.option_context("display.width", 200, "display.max_colwidth", 60, "display.max_rows", 500):
        print(f"Validation: {len(df)} comparisons, {failing} failing (seed {rep.seed})")
        print(text.frame(table, index=False))
