"""``cyberloss quote PROFILE.toml``: premiums, EP curve and the retention/limit choice."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "quote", help="price the policy in a profile's [terms] and recommend deductible and limit",
        description="Simulate the organisation described by PROFILE.toml, apply the policy in its "
                    "[terms] table, and print expected losses, VaR/TVaR, premiums by principle, "
                    "the EP curve and the recommended deductible and limit (amounts in 万円/億円; "
                    "JSON in JPY). Settings come from the optional [quote] table.")
    parser.add_argument("profile", type=Path, help="organisation profile TOML with a [terms] table")
    parser.add_argument("--json", action="store_true", help="print the quote as JSON (JPY)")
    parser.add_argument("--plot", type=Path, metavar="EP.png", help="write the EP curve plot")
    parser.add_argument("--html", type=Path, metavar="REPORT.html", help="write an HTML report")
    parser.add_argument("--years", type=int, help="simulated years (overrides [quote] years)")
    parser.add_argument("--seed", type=int, help="random seed (overrides [quote] seed)")
    parser.set_defaults(func=run)


def write_outputs(quote, plot: Path | None, html_path: Path | None) -> None:
    """Write the EP curve PNG and/or the HTML report (Agg backend without a display)."""
    if plot is None and html_path is None:
        return
    from ..plotting import pyplot

    plt = pyplot()
    if plot is not None:
        ax = quote.plot_ep()
        ax.figure.savefig(plot, dpi=120, bbox_inches="tight")
        plt.close(ax.figure)
    if html_path is not None:
        html_path.write_text(quote.to_html(), encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    from cyberloss.quote import quote_profile

    if not args.profile.is_file():
        raise FileNotFoundError(f"profile not found: {args.profile}")
    quote = quote_profile(args.profile, years=args.years, seed=args.seed)
    write_outputs(quote, args.plot, args.html)
    if args.json:
        json.dump(quote.to_json(), sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
        print()
    else:
        print(quote.text())
        for label, path in (("EP curve plot", args.plot), ("HTML report", args.html)):
            if path is not None:
                print(f"{label}: {path}")
    return 0
