"""``cyberloss quote PROFILE.toml``: premiums, EP curve and the retention/limit choice.

``--json`` prints the quote in JPY as strict JSON (README, "JSON output"): an unlimited limit
is null; a statistic that is not finite is null and named in ``warnings``, as is what the
simulation warns of (a cell the calibration has no exposure for, a mean out of the run's
reach), which the text output prints on stderr in the ``--lang`` language.  ``--plot`` writes
the EP curve (.png, .svg or .pdf, by extension), ``--html`` the report (.html, in the
``--lang`` language) and ``--xlsx`` the tables in JPY (.xlsx); the paths are checked before
the simulation and written atomically.
"""
from __future__ import annotations

import argparse
import sys

from .. import _json
from ..calibration import load as load_calibration
from ..insurance.quote import MIN_YEARS, quote_profile
from ..report import excel, language
from . import _args, _outputs, calibration_option
from ._help import both
from .quote_outputs import check_outputs, write_outputs

DOC_JA = """``cyberloss quote PROFILE.toml``: 保険料、EP曲線と免責金額・支払限度額の選択。

``--json`` は見積りを円建ての厳密な JSON で出力します（README の「JSON output」）: 無制限の
支払限度額は null、有限でない統計量は null として ``warnings`` に名前を挙げます。シミュレーションの
警告（キャリブレーションにエクスポージャーのない区分、この実行の年数では求まらない平均）も
同じく挙げ、テキスト出力ではこれを ``--lang`` の言語で標準エラー出力に表示します。``--plot`` は
EP曲線（拡張子により .png、.svg または .pdf）、``--html`` はレポート（.html、``--lang`` の言語）、
``--xlsx`` は円建ての表（.xlsx）を書き出します。出力先はシミュレーションの前に確認し、
アトミックに書き込みます。
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "quote", help=both("price the policy in a profile's [terms] and recommend deductible and limit",
                           "プロファイルの [terms] の保険の保険料を算出し、免責金額と支払限度額を推奨"),
        description=both("Simulate the organisation described by PROFILE.toml, apply the policy in its "
                         "[terms] table, and print expected losses, VaR/TVaR, premiums by principle, "
                         "the EP curve and the recommended deductible and limit (amounts in 万円/億円; "
                         "JSON in JPY). Settings come from the optional [quote] table.",
                         "PROFILE.toml に記述した組織をシミュレーションし、その [terms] テーブルの保険を"
                         "適用して、期待損失、VaR・TVaR、算出原理ごとの保険料、EP曲線と推奨する免責金額・"
                         "支払限度額を表示します（金額は万円・億円、JSON は円）。設定は任意の [quote] "
                         "テーブルから読みます。"))
    parser.add_argument("profile", metavar=_args.PROFILE_WORD,
                        help=both("organisation profile TOML with a [terms] table",
                                  "[terms] テーブルを持つ組織のプロファイル（TOML）"))
    parser.add_argument("--json", action="store_true",
                        help=both("print the quote as JSON (JPY)", "見積りを JSON で出力（円）"))
    parser.add_argument("--plot", metavar="EP.png",
                        help=both("write the EP curve plot (.png, .svg, .pdf)",
                                  "EP曲線の図を書き出す（.png、.svg、.pdf）"))
    parser.add_argument("--html", metavar="REPORT.html",
                        help=both("write an HTML report", "HTML レポートを書き出す"))
    parser.add_argument("--xlsx", metavar="QUOTE.xlsx",
                        help=both("write the quote, the loss statistics, premiums, EP curve and grid to Excel (JPY)",
                                  "見積り、損害額の統計量、保険料、EP曲線とグリッドを Excel に書き出す（円）"))
    parser.add_argument("--years", type=_args.integer(MIN_YEARS, _args.MAX_COUNT), metavar=_args.YEARS_WORD,
                        help=both("simulated years (overrides [quote] years)",
                                  "シミュレーションする年数（[quote] の years より優先）"))
    parser.add_argument("--seed", type=_args.SEED, metavar=_args.SEED_WORD,
                        help=both("random seed (overrides [quote] seed)", "乱数のシード（[quote] の seed より優先）"))
    calibration_option.add(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_outputs(args.plot, args.html)
    _outputs.check(args.xlsx, "--xlsx", "xlsx")
    cal = calibration_option.load(args)
    quote = quote_profile(args.profile, years=args.years, seed=args.seed, progress=args.show_progress,
                          calibration=cal)
    warned = language.words(args.lang)("warning", "警告")
    for warning in (cal or load_calibration()).warnings_in(quote.warnings, args.lang):
        print(f"cyberloss quote: {warned}: {warning}", file=sys.stderr)
    write_outputs(quote, args.plot, args.html, lang=args.lang)
    if args.xlsx is not None:
        excel.write(args.xlsx, "--xlsx", quote.sheets(args.lang))
    if args.json:
        print(_json.dumps(quote.to_json()))
    else:
        print(quote.text(args.lang))
        w = language.words(args.lang)
        for label, path in ((w("EP curve plot", "EP曲線の図"), args.plot),
                            (w("HTML report", "HTMLレポート"), args.html),
                            (w("Excel workbook", "Excelブック"), args.xlsx)):
            if path is not None:
                print(f"{label}: {path}")
    return 0
