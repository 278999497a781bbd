"""``cyberloss jnsa``: the JNSA 2025 tables, published next to the calibrated model.

``--json`` prints ``{"margins": [...], "severity": [...], "interactions": [...]}``: margin rows
have ``table``, ``category``, ``published``, ``model`` (plus difference, quality, basis);
severity rows have ``attack_type``, ``period``, ``statistic``, ``published``, ``model`` (JPY),
``survey_quantile`` (the share of the simulated surveys whose statistic is at most the published
one) and ``survey_quantile_se`` (its binomial standard error, ``sqrt(q (1 - q) / R)`` over the R
``--replications``); ``warnings`` names any statistic that is not finite (written as null).
"""
from __future__ import annotations

import argparse
import functools
from collections.abc import Callable

import pandas as pd

from .. import _json
from ..calibration import Calibration, jnsa
from ..report import language, text
from ..report.money import format_yen
from . import _args, data_option
from ._help import both

DOC_JA = """``cyberloss jnsa``: JNSA 2025 調査の表を、較正したモデルの値と並べて表示します。

``--json`` は ``{"margins": [...], "severity": [...], "interactions": [...]}`` を出力します。margins の行は
``table``、``category``、``published``、``model``（ほかに difference、quality、basis）、severity の行は
``attack_type``、``period``、``statistic``、``published``、``model``（円）、``survey_quantile``（統計量が公表値
以下となった模擬アンケートの割合）と ``survey_quantile_se``（その二項分布による標準誤差
``sqrt(q (1 - q) / R)``、R は ``--replications`` の回数）を持ちます。
``warnings`` は有限でない統計量（null と書く）を挙げます。
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "jnsa", help=both("reproduce the JNSA 2025 tables from the calibrated model",
                          "較正したモデルで JNSA 2025 調査の表を再現"),
        description=both("Published JNSA 2025 margins and survey statistics next to the model's.",
                         "JNSA 2025 調査で公表された件数の集計とアンケートの統計量を、モデル値と並べて"
                         "表示します。"))
    p.add_argument("--json", action="store_true", help=both("print the tables as JSON", "表を JSON で出力"))
    data_option.add(p, "reporting_factor.sme=12")
    p.add_argument("--seed", type=_args.SEED, default=None, metavar=_args.SEED_WORD,
                   help=both("seed of the simulated surveys", "模擬アンケートのシード"))
    p.add_argument("--replications", type=_args.integer(2, _args.MAX_COUNT), default=20_000,
                   metavar=both("REPLICATIONS", "回数"),
                   help=both("simulated surveys per attack type", "攻撃種別ごとの模擬アンケートの回数"))
    p.set_defaults(func=run)


def _no_negative_zero(x: float, digits: int) -> float:
    """Round for display so that solver-precision residuals print as 0, not -0."""
    return round(float(x), digits) + 0.0


# (table, English title, Japanese title)
_MARGIN_TITLES = (
    ("size", "Cases by size (cumulative 2017-01..2024-06, incidents)",
     f"規模別件数（累計 2017年1月～2024年6月、インシデント数、{language.PUBLICISED_JA}）"),
    ("industry", "Cases by industry (cumulative, incidents)",
     f"業種別件数（累計、インシデント数、{language.PUBLICISED_JA}）"),
    ("attack_type", "Cases by attack type (cumulative, attack-type events)",
     f"攻撃種別件数（累計、攻撃種別ごとの延べ件数、{language.PUBLICISED_JA}）"),
    ("attack_type_recent", "Cases by attack type (recent 2022-07..2024-06)",
     f"攻撃種別件数（直近2年 2022年7月～2024年6月、{language.PUBLICISED_JA}）"),
)


def run(args: argparse.Namespace) -> int:
    cal = data_option.load(args)
    seed = jnsa.DEFAULT_SEED if args.seed is None else args.seed
    rep = jnsa.reproduce(cal, seed=seed, replications=args.replications, progress=args.show_progress)
    if args.json:
        print(_json.dumps(rep.to_dict(), indent=1))
        return 0
    print_tables(rep, cal, args.lang)
    return 0


def _table(t: pd.DataFrame, float_format: Callable[[float], str], lang: str,
           labels: dict[str, Callable[[str], str]], **headings: str) -> str:
    """``t`` as text: pandas' layout in English, in Japanese the ``labels`` columns' cells named
    by them and left-aligned, the columns headed by language.COLUMNS_JA (``headings`` override)."""
    if lang != "ja":
        return text.frame(t, index=False, float_format=float_format)
    shown = t.copy()
    for column, label in labels.items():
        shown[column] = [label(v) for v in shown[column]]
    return "\n".join(text.frame_table(shown, {**language.COLUMNS_JA, **headings}, labels, float_format))


def print_tables(rep: jnsa.Reproduction, cal: Calibration, lang: str = "en") -> None:
    """The margins, the published shares and the survey statistics as text tables in ``lang``
    (Japanese ones aligned by display width)."""
    w = language.words(lang)

    def quality(q: str) -> str:
        return language.QUALITIES_JA.get(q, q)

    with pd.option_context("display.width", 120, "display.max_columns", 20):
        for name, title, title_ja in _MARGIN_TITLES:
            t = rep.table(name)[["category", "published", "model", "difference", "relative_difference",
                                 "quality"]].copy()
            # Counts: a published count as the whole number it is, the model's (a real number,
            # an expected count) and the difference to a tenth; the relative difference says
            # how close the fit is.
            t["published"] = t["published"].map(lambda v: f"{v:,.0f}" if v == round(v) else f"{v:,.1f}")
            t["model"] = t["model"].map(lambda v: f"{_no_negative_zero(v, 1):,.1f}")
            t["difference"] = t["difference"].map(lambda v: f"{_no_negative_zero(v, 1):+,.1f}")
            t["relative_difference"] = t["relative_difference"].map(lambda v: f"{_no_negative_zero(100 * v, 3):+.3f}%")
            print(f"\n{w(f'{title} - publicised basis', title_ja)}")
            print(_table(t, lambda v: f"{v:,.1f}", lang,
                         {"category": functools.partial(jnsa.category_ja, cal, name), "quality": quality},
                         category=language.CATEGORY_HEADINGS_JA[name]))
        print(w("\nApproximate published shares", "\n公表された割合（概数）"))
        print(_table(rep.interactions, lambda v: f"{v:.4f}", lang,
                     {"interaction": lambda i: jnsa.interaction_ja(cal, i), "quality": quality}))
        sev = rep.severity.drop(columns="survey_quantile_se")   # the table as it was; --json has it
        for col in ("published", "model", "difference"):
            sev[col] = sev[col].map(lambda v: format_yen(_no_negative_zero(v, 0)))
        sections = language.SECTIONS_JA
        print(w(f"\nSurvey loss per incident (response costs + liability; {rep.replications:,} "
                f"simulated surveys, seed {rep.seed})",
                f"\nアンケートによる1件あたり被害額（{sections['response']}＋{sections['liability']}、"
                f"模擬アンケート {rep.replications:,} 回、シード {rep.seed}）"))
        print(_table(sev, lambda v: f"{v:.3f}", lang,
                     {"attack_type": lambda a: jnsa.category_ja(cal, "attack_type", a),
                      "period": lambda p: language.PERIODS_JA.get(p, p),
                      "statistic": lambda s: language.SURVEY_STATISTICS_JA.get(s, s)}))
