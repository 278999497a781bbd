"""``cyberloss simulate SPEC.toml --years N --seed S [--threads T] [--json]``.

JSON keys (stable): years, seed, mean, mean_se, std, std_se, var, var_se, tvar and tvar_se
(objects keyed by level, e.g. "0.99"), by_type (mean per attack type) and by_type_se,
annual_loss_sha256 (SHA-256 of the annual-loss array's little-endian float64 bytes), warnings
(list of strings: why the mean and its standard error may be unreliable for this model and
number of years, then one line per field that is not finite, written as null). Each reliability
warning is also printed once to stderr.
``<figure>_se`` is the Monte Carlo standard error of ``<figure>`` (``cyberloss.stats``, as the
text table's); a VaR or TVaR level with fewer than 10 simulated years expected beyond it
(``stats.within_reach``) has its standard errors null (they would say nothing of the
precision), named in warnings.
"""
from __future__ import annotations

import sys

from .. import _core, _json, _validate, stats
from ..engine import SimulationResult, load_model, simulate
from ..report import language, text
from ..report.money import statistics_table
from . import _args
from ._help import both

DOC_JA = """``cyberloss simulate SPEC.toml --years N --seed S [--threads T] [--json]``: TOML で与えた
モデルの年間損害額をシミュレーションします。

JSON のキー（固定）: years、seed、mean、mean_se、std、std_se、var、var_se、tvar と tvar_se（水準を
キーとするオブジェクト、例 "0.99"）、by_type（攻撃種別ごとの平均）と by_type_se、annual_loss_sha256
（年間損害額の配列をリトルエンディアンの float64 で並べたバイト列の SHA-256）、warnings（文字列の
リスト: このモデルと年数では平均とその標準誤差が信頼できない可能性がある理由と、有限でない項目
（null と書く）ごとに1行）。信頼性についての警告は標準エラー出力にも1回ずつ表示します。
``<項目>_se`` は ``<項目>`` のモンテカルロ標準誤差です（``cyberloss.stats``。表の出力と同じ）。超過する年が
10 年未満と見込まれる水準の VaR と TVaR（``stats.within_reach``）の標準誤差は精度を表さないため
null とし、warnings に挙げます。
"""

LEVELS = (0.9, 0.95, 0.99, 0.995, 0.999)


def summary(result: SimulationResult) -> dict:
    """The JSON contract of ``cyberloss simulate --json``."""
    tail = result.tail(LEVELS)
    mean, std = result.mean(), result.std()
    by_type = {name: result.mean(column) for name, column in zip(result.type_names, result.columns[1:])}

    def by_level(column: str) -> dict[str, float | None]:
        if column.endswith("_se"):      # null beyond the run's reach (stats.within_reach_se)
            return {stats.level_key(p): stats.within_reach_se(tail.loc[p, column], p, result.years) for p in LEVELS}
        return {stats.level_key(p): float(tail.loc[p, column]) for p in LEVELS}

    return {
        "years": int(result.years),
        "seed": result.seed,
        "mean": mean.value,
        "mean_se": mean.se,
        "std": std.value,
        "std_se": std.se,
        "var": by_level("var"),
        "var_se": by_level("var_se"),
        "tvar": by_level("tvar"),
        "tvar_se": by_level("tvar_se"),
        "by_type": {name: e.value for name, e in by_type.items()},
        "by_type_se": {name: e.se for name, e in by_type.items()},
        "annual_loss_sha256": result.sha256(),
        "warnings": [*result.warnings, *stats.beyond_reach_notes(LEVELS, result.years)],
    }


def print_table(result: SimulationResult, lang: str = "en") -> None:
    shown = statistics_table(result.describe(levels=(0.99, 0.995), columns=result.columns), "man")
    if lang == "ja":
        print(f"シミュレーション {result.years:,} 年、シード {result.seed}。金額は万円。列は総額（年間合計）と"
              "攻撃種別ごとの損害額、およびその標準誤差")
    else:
        print(f"{result.years:,} simulated years, seed {result.seed}; money in 万円 (10,000 JPY); "
              "columns: annual total and each attack type, with standard errors")
    print(text.frame(language.statistics_labels(shown, lang)))


def required_bytes(model, years: int, threads: int | None) -> float:
    """The command's peak: the engine's run (its outputs and working memory) and the
    statistics' contiguous copy of each attack type's column and of the annual losses' selection
    (measured: 87-90 bytes a year for four types, against 56 for the run alone)."""
    run = _core.simulation_bytes(model, years, threads=_validate.threads(threads))
    return run + 8.0 * (len(model.attack_types) + 1) * years


def run(args) -> int:
    model = load_model(args.spec)
    _validate.fits_in_memory(required_bytes(model, args.years, args.threads),
                             f"a simulation of {args.years:,} years with its statistics",
                             "use fewer --years", f"{args.years:,} 年のシミュレーションとその統計量",
                             "--years を減らす")
    result = simulate(model, years=args.years, seed=args.seed, threads=args.threads,
                      progress=args.show_progress)
    warned = language.words(args.lang)("warning", "警告")
    for warning in result.warnings:
        print(f"cyberloss simulate: {warned}: {language.warning_words(warning, args.lang)}", file=sys.stderr)
    if args.json:
        print(_json.dumps(summary(result)))
    else:
        print_table(result, args.lang)
    return 0


def register(sub) -> None:
    p = sub.add_parser("simulate", help=both("simulate the annual loss of a model given in TOML",
                                             "TOML で与えたモデルの年間損害額をシミュレーション"))
    p.add_argument("spec", metavar=both("spec", "モデル"),
                   help=both("TOML file with [[attack_type]] tables (see examples/simulate_basic.toml)",
                             "[[attack_type]] テーブルを持つ TOML ファイル（examples/simulate_basic.toml を参照）"))
    p.add_argument("--years", type=_args.integer(2, _args.MAX_COUNT), required=True, metavar=_args.YEARS_WORD,
                   help=both("number of simulated years (at least 2: a standard deviation needs two)",
                             "シミュレーションする年数（2以上: 標準偏差には2年が必要）"))
    p.add_argument("--seed", type=_args.SEED, required=True, metavar=_args.SEED_WORD,
                   help=both("random seed, 0 .. 2**32-1", "乱数のシード、0 .. 2**32-1"))
    p.add_argument("--threads", type=_args.THREADS, default=None, metavar=_args.THREADS_WORD,
                   help=both("threads (default: all cores)", "スレッド数（既定: すべてのコア）"))
    p.add_argument("--json", action="store_true", help=_args.JSON_TABLE)
    p.set_defaults(func=run)
