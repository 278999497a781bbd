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
from .quote_outputs import check_outputs, write_outputs


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "quote", help="price the policy in a profile's [terms] and recommend deductible and limit",
        description="Simulate the organisation described by PROFILE.toml, apply the policy in its "
                    "[terms] table, and print expected losses, VaR/TVaR, premiums by principle, "
                    "the EP curve and the recommended deductible and limit (amounts in 万円/億円; "
                    "JSON in JPY). Settings come from the optional [quote] table.")
    parser.add_argument("profile", help="organisation profile TOML with a [terms] table")
    parser.add_argument("--json", action="store_true", help="print the quote as JSON (JPY)")
    parser.add_argument("--plot", metavar="EP.png", help="write the EP curve plot (.png, .svg, .pdf)")
    parser.add_argument("--html", metavar="REPORT.html", help="write an HTML report")
    parser.add_argument("--xlsx", metavar="QUOTE.xlsx",
                        help="write the quote, the loss statistics, premiums, EP curve and grid to Excel (JPY)")
    parser.add_argument("--years", type=_args.integer(MIN_YEARS, _args.MAX_COUNT),
                        help="simulated years (overrides [quote] years)")
    parser.add_argument("--seed", type=_args.SEED, help="random seed (overrides [quote] seed)")
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
