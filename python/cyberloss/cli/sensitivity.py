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
from ._help import both

DOC_JA = """``cyberloss sensitivity PROFILE.toml``: どの前提が結果を動かすか。

妥当な範囲が示されたすべての前提を順に下限と上限に設定し、同じ乱数でプロファイルの組織を
再びシミュレーションします。各限度での指標の変化を、対応のある標準誤差とともに、振れ幅の
大きい順に表示します。``--plot`` はトルネード図を書き出し、``--draws`` はすべての前提（と
キャリブレーションのパラメータ）を同時に抽出したときの幅を加え、``--json`` はすべてを円で
出力します。
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sensitivity", help=both("effect of each labelled assumption (low / high) on a measure, with a tornado chart",
                                 "各前提（下限・上限）が指標に与える影響をトルネード図とともに表示"))
    p.add_argument("profile", metavar=_args.PROFILE_WORD,
                   help=both("organisation profile TOML ([terms] needed for --measure premium)",
                             "組織のプロファイル（TOML。--measure premium には [terms] が必要）"))
    p.add_argument("--measure", choices=sens.MEASURES, default="expected_loss",
                   help=both("expected_loss (gross, default), premium (technical premium of the "
                             "[terms] under the first [quote] principle), var_0.99 or tvar_0.99 (gross)",
                             "expected_loss（総額。既定）、premium（[terms] の保険の、[quote] の最初の算出"
                             "原理による営業保険料）、var_0.99 または tvar_0.99（総額）"))
    p.add_argument("--json", action="store_true", help=both("print JSON (JPY)", "JSON で出力（円）"))
    p.add_argument("--plot", metavar="tornado.png",
                   help=both("write the tornado chart (.png, .svg, .pdf)",
                             "トルネード図を書き出す（.png、.svg、.pdf）"))
    p.add_argument("--years", type=_args.integer(2 * sens.BATCHES * 50, _args.MAX_COUNT), default=100_000,
                   metavar=_args.YEARS_WORD,
                   help=both("simulated years per run (default 100000)",
                             "1回の実行でシミュレーションする年数（既定 100000）"))
    p.add_argument("--seed", type=_args.SEED, metavar=_args.SEED_WORD,
                   help=both("random seed (default: the profile's [quote] seed)",
                             "乱数のシード（既定: プロファイルの [quote] の seed）"))
    p.add_argument("--draws", type=_args.integer(0, 10_000), default=0, metavar=both("DRAWS", "回数"),
                   help=both("joint draws of all assumptions for the combined band (default 0: none)",
                             "合わせた幅のために全前提を同時に抽出する回数（既定 0: 抽出しない）"))
    p.add_argument("--only", action="append", metavar=both("PREFIX", "接頭辞"),
                   help=both("only the assumptions whose name starts with PREFIX (e.g. components:controls); "
                             "repeatable",
                             "名前がこの接頭辞で始まる前提だけ（例: components:controls）。繰り返し指定できる"))
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
