"""``cyberloss sensitivity PROFILE.toml``: which labelled assumption moves the answer.

Sets every assumption with a stated plausible range to its low and its high bound in turn
and simulates the profile's organisation again with the same random numbers; prints the
change of the measure at each bound with its paired standard error, largest swing first.
``--plot`` writes the tornado chart; ``--draws`` adds the band with every assumption (and the
calibration's parameters) drawn jointly; ``--json`` prints everything in JPY.
"""
from __future__ import annotations

import argparse

from .. import _files, _json
from .. import sensitivity as sens
from ..report import language, plots
from . import _args, _outputs, calibration_option


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sensitivity", help="effect of each labelled assumption (low / high) on a measure, with a tornado chart")
    p.add_argument("profile", help="organisation profile TOML ([terms] needed for --measure premium)")
    p.add_argument("--measure", choices=sens.MEASURES, default="expected_loss",
                   help="expected_loss (gross, default), premium (technical premium of the "
                        "[terms] under the first [quote] principle), var_0.99 or tvar_0.99 (gross)")
    p.add_argument("--json", action="store_true", help="print JSON (JPY)")
    p.add_argument("--plot", metavar="tornado.png", help="write the tornado chart (.png, .svg, .pdf)")
    p.add_argument("--years", type=_args.integer(2 * sens.BATCHES * 50, _args.MAX_COUNT), default=100_000,
                   help="simulated years per run (default 100000)")
    p.add_argument("--seed", type=_args.SEED, help="random seed (default: the profile's [quote] seed)")
    p.add_argument("--draws", type=_args.integer(0, 10_000), default=0,
                   help="joint draws of all assumptions for the combined band (default 0: none)")
    p.add_argument("--only", action="append", metavar="PREFIX",
                   help="only the assumptions whose name starts with PREFIX (e.g. components:controls); repeatable")
    calibration_option.add(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.draws == 1:
        raise ValueError("--draws must be 0 or at least 2, got 1")
    plot = _outputs.check(args.plot, "--plot", "plot")
    result = sens.run(args.profile, args.measure, years=args.years, seed=args.seed,
                      calibration=calibration_option.load(args),
                      only=tuple(args.only) if args.only else None, draws=args.draws)
    # the printed result first: nothing is written when it cannot be shown
    shown = _json.dumps(result.to_json()) if args.json else result.text(lang=args.lang)
    if plot is not None:
        ax = result.plot(lang=args.lang)
        fmt = _files.suffix(plot, "--plot", _outputs.PLOT_FORMATS)[1:]
        try:
            _files.write(plot, "--plot", lambda fh: ax.figure.savefig(fh, format=fmt, dpi=110, bbox_inches="tight"))
        finally:
            plots.pyplot().close(ax.figure)
    print(shown)
    if plot is not None and not args.json:
        print(language.words(args.lang)(f"tornado chart: {plot}", f"トルネード図: {plot}"))
    return 0
