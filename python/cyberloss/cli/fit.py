"""``cyberloss fit CLAIMS.csv --exposure EXPOSURE.csv``: fit the JNSA calibration to an
insurer's own claims (truncated by deductibles, censored by limits) with credibility.

Prints the severity fit table (truncated/censored MLE with standard errors, the naive fit and
the JNSA prior) and the credibility of each (attack type, size) group; ``--json`` prints the
same in JPY; ``--out`` writes the fitted calibration (JSON with its provenance) that
``cyberloss quote --calibration`` and ``cyberloss.calibration.load`` read; ``--plot`` writes
the QQ and probability plots of the type with most claims.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .. import _files, _json, experience
from ..report import language, plots
from . import _args, _outputs


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "fit", help="fit the calibration to an insurer's claims and exposure (credibility + MLE)")
    p.add_argument("claims", help="claims CSV: claim_id, date, attack_type, industry, size, "
                                  "ground_up or paid, deductible, limit, status")
    p.add_argument("--exposure", required=True, metavar="EXPOSURE.csv",
                   help="exposure CSV: industry, size, period, policy_years, revenue")
    p.add_argument("--encoding", default="auto", help=_args.encoding_help("the claims and exposure files"))
    p.add_argument("--json", action="store_true", help="print the fit as JSON (JPY)")
    p.add_argument("--out", metavar="calibration.json", help="write the fitted calibration (JSON)")
    p.add_argument("--plot", metavar="QQ.png", help="write QQ and probability plots (.png, .svg, .pdf)")
    p.add_argument("--attack-type", help="the type the plot shows (default: the one with most claims)")
    p.add_argument("--frequency-prior-weight", type=_args.number(0.0, 1e6), metavar="K",
                   help="prior weight in expected claims (default: the assumption "
                        "experience.frequency_prior_claims)")
    p.add_argument("--severity-prior-weight", type=_args.number(0.0, 1e6), metavar="N",
                   help="prior weight in claims, 0 for the plain MLE (default: the assumption "
                        "experience.severity_prior_claims)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = None if args.out is None else _files.check(Path(args.out), "--out", (".json",))
    plot = _outputs.check(args.plot, "--plot", "plot")
    result = experience.fit(args.claims, args.exposure,
                         frequency_prior_weight=args.frequency_prior_weight,
                         severity_prior_weight=args.severity_prior_weight, encoding=args.encoding)
    if plot is not None:
        fig = result.plot(args.attack_type, args.lang)
        fmt = _files.suffix(plot, "--plot", _outputs.PLOT_FORMATS)[1:]
        try:
            _files.write(plot, "--plot", lambda fh: fig.savefig(fh, format=fmt, dpi=110, bbox_inches="tight"))
        finally:
            plots.pyplot().close(fig)
    if out is not None:
        result.calibration.save(out, "--out")
    if args.json:
        print(_json.dumps(result.to_json()))
    else:
        print(result.text(args.lang))
        w = language.words(args.lang)
        for label, path in ((w("fitted calibration", "当てはめたキャリブレーション"), out),
                            (w("QQ and probability plots", "QQプロットと確率プロット"), plot)):
            if path is not None:
                print(f"{label}: {path}")
    return 0
