"""``cyberloss bcp PROFILE.toml``: compare the profile with changed versions (BCP planning).

Prints annual expected loss (with its standard error), VaR 99%, expected downtime days and the
difference of each variant to the baseline with its standard error; the variants share their
random numbers.  ``--json`` prints ``{"variants": [...], "warnings": [...]}`` with stable keys
(strict JSON: a statistic that is not finite is null and named in ``warnings``, as is what the
variants' simulations warn of, which the table output prints on stderr in the ``--lang``
language).  Each figure of a variant comes with its Monte Carlo standard error as
``<figure>_se``: ``expected_loss_se``, ``var_99_se``, ``expected_downtime_days_se``,
``expected_ransomware_downtime_days_se``, ``difference_to_baseline_se`` and the downtime
differences', and ``components_se`` beside ``components`` (the expected loss by component);
each but VaR's is the sd of the per-year values / sqrt(years) (``cyberloss.stats``).
"""
from __future__ import annotations

import argparse
import dataclasses
import sys

from .. import _json, stats
from ..calibration import load as load_calibration
from ..organisation import bcp
from ..report import excel, language, text
from ..report.money import format_yen
from . import _args, _outputs, calibration_option
from ._help import both

DOC_JA = """``cyberloss bcp PROFILE.toml``: プロファイルを、変更した案と比較します（BCP の計画）。

年間期待損失（標準誤差つき）、VaR 99%、年間の期待停止日数と、各案の基準との差をその標準誤差と
ともに表示します。各案は同じ乱数を共有します。``--json`` は固定のキーで
``{"variants": [...], "warnings": [...]}`` を出力します（厳密な JSON: 有限でない統計量は null として
``warnings`` に名前を挙げ、各案のシミュレーションの警告も挙げます。表の出力ではこれを ``--lang``
の言語で標準エラー出力に表示します）。各案の数値にはそのモンテカルロ標準誤差が ``<項目>_se`` として
つきます: ``expected_loss_se``、``var_99_se``、``expected_downtime_days_se``、
``expected_ransomware_downtime_days_se``、``difference_to_baseline_se`` と停止日数の差のもの、および
``components``（損害項目別の期待損失）の横の ``components_se``。VaR 以外は年ごとの値の標準偏差 /
sqrt(年数) です（``cyberloss.stats``）。
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bcp", help=both("compare an organisation profile with changed versions (controls, downtime)",
                         "組織のプロファイルを、変更した案（対策・停止期間）と比較"))
    p.add_argument("profile", metavar=_args.PROFILE_WORD,
                   help=both("TOML file: [organisation], optional [simulation] and [[variants]]",
                             "TOML ファイル: [organisation]、任意で [simulation] と [[variants]]"))
    p.add_argument("--json", action="store_true", help=_args.JSON_TABLE)
    p.add_argument("--xlsx", metavar="BCP.xlsx",
                   help=both("also write the comparison table to Excel (JPY)", "比較表を Excel にも書き出す（円）"))
    p.add_argument("--years", type=_args.integer(2, _args.MAX_COUNT), metavar=_args.YEARS_WORD,
                   help=both("simulated years (default from the file, else 200000)",
                             "シミュレーションする年数（既定: ファイルの値、なければ 200000）"))
    p.add_argument("--seed", type=_args.SEED, metavar=_args.SEED_WORD,
                   help=both("random seed (default from the file, else 1)",
                             "乱数のシード（既定: ファイルの値、なければ 1）"))
    p.add_argument("--basis", choices=("publicised", "all"),
                   help=both("incidence basis (default all)",
                             "発生頻度の基準: all は全インシデント、publicised は公表事例（既定 all）"))
    p.add_argument("--period", choices=("cumulative", "recent"),
                   help=both("calibration window (default recent)",
                             "キャリブレーションの期間: recent は直近2年、cumulative は累計（既定 recent）"))
    p.add_argument("--threads", type=_args.THREADS, default=None, metavar=_args.THREADS_WORD,
                   help=both("engine threads (results do not depend on it)",
                             "計算エンジンのスレッド数（結果はこれによらない）"))
    calibration_option.add(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _outputs.check(args.xlsx, "--xlsx", "xlsx")
    plan = bcp.BcpPlan.from_toml(args.profile)
    changes = {k: getattr(args, k) for k in ("years", "seed", "basis", "period") if getattr(args, k) is not None}
    if changes:
        plan = dataclasses.replace(plan, settings=dataclasses.replace(plan.settings, **changes))
    cal = calibration_option.load(args)
    result = bcp.run_plan(plan, threads=args.threads, calibration=cal, progress=args.show_progress)
    warned = language.words(args.lang)("warning", "警告")
    for warning in (cal or load_calibration()).warnings_in(result.warnings(), args.lang):
        print(f"cyberloss bcp: {warned}: {warning}", file=sys.stderr)
    if args.xlsx is not None:
        excel.write(args.xlsx, "--xlsx", result.sheets(args.lang))
    if args.json:
        doc = result.to_dict()
        if cal is not None:
            doc["calibration"] = cal.provenance
        print(_json.dumps(doc))
    else:
        print(format_table(result, args.lang))
        if cal is not None:
            print(language.words(args.lang)(f"calibration: {cal.provenance}",
                                            f"キャリブレーション: {cal.provenance_ja}"))
    return 0


_HEADINGS = {   # {level}: the comparison's VaR level, e.g. 99%
    "en": ("variant", "expected loss", "± SE", "VaR {level}", "downtime d/yr", "ransomware d/yr",
           "vs baseline", "± SE"),
    "ja": ("ケース", "年間期待損失", "± 標準誤差", "VaR {level}", "停止日数/年", "ランサム停止日数/年",
           "基準との差", "± 標準誤差"),
}


def format_table(result: bcp.BcpComparison, lang: str = "en") -> str:
    """The comparison as a text table, columns aligned by terminal display width (万円 and
    Japanese variant names take two columns a character)."""
    t = result.describe_table()
    s = result.sims[0]
    ja = lang == "ja"
    if ja:
        intro = (f"{s.profile.name}: シミュレーション {result.n_years:,} 年、シード {s.seed}、"
                 f"集計ベース: {language.basis_words(s.basis, s.period, lang)}。各ケースは同じ乱数を共有")
    else:
        intro = (f"{s.profile.name}: {result.n_years:,} simulated years, seed {s.seed}, basis {s.basis}, "
                 f"period {s.period}; variants share their random numbers")
    rows = [(result.variants[i].name_in(lang), format_yen(r["expected_loss"]), format_yen(r["expected_loss_se"]),
             format_yen(r[result.var_column]), f"{r['expected_downtime_days']:.3f}",
             f"{r['expected_ransomware_downtime_days']:.3f}",
             format_yen(r["difference_to_baseline"], sign=True),
             format_yen(r["difference_to_baseline_se"]))
            for i, (_, r) in enumerate(t.rows())]
    level = stats.level_label(result.var_level)
    headings = tuple(h.format(level=level) for h in _HEADINGS[lang])
    lines = [intro, "", *text.table(headings, rows, max_width=[40] + [30] * 7), ""]
    w = language.words(lang)
    lines.append(w("expected loss = annual mean of all components incl. lost profit and internal effort; "
                   f"VaR = lower empirical {level} quantile of the annual loss",
                   "年間期待損失 = 逸失利益と社内対応工数を含む全損害項目の年間平均。"
                   f"VaR = 年間損失の経験分布の下側 {level} 分位点"))
    if not stats.within_reach(result.var_level, result.n_years):   # the figure rests on a handful of years
        n = result.n_years
        lines.append(f"VaR {level}: {stats.beyond_reach(n, lang=lang)}"
                     + w("; it rests on the run's few largest years", "。値は実行の最大の数年だけで決まる"))
    prov = s.provenance_table()
    attack = load_calibration().data.attack_labels if ja else {}

    def type_name(t: str) -> str:
        return (attack.get(t) or language.CATEGORIES_JA.get(t, t)) if ja else t

    parts = []
    for what in ("severity", "shares", "downtime", "effort"):
        types = [type_name(t) for t, q in zip(prov.labels, prov.column(f"{what}_quality"))
                 if q == "assumption"]
        if types:
            parts.append(w(f"{what} of {', '.join(types)}", f"{language.ASSUMED_JA[what]}: {'、'.join(types)}"))
    lines.append(w("assumptions in use (not published figures): ", "使用中の仮定（公表値ではない値）: ")
                 + w("; ", "；").join(parts))
    lines.append(w("control factors and profile defaults: see data/components.json in the cyberloss package",
                   "対策の効果と未入力項目の既定値: cyberloss パッケージの data/components.json を参照"))
    return "\n".join(lines)
