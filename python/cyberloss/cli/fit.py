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
from ._help import both

DOC_JA = """``cyberloss fit CLAIMS.csv --exposure EXPOSURE.csv``: 保険会社自身の請求実績（免責金額で
切断、支払限度額で打ち切り）に、信頼度を用いて JNSA のキャリブレーションを当てはめます。

損害額の当てはめの表（切断・打ち切りを考慮した最尤推定とその標準誤差、単純な当てはめ、JNSA の
事前分布）と、（攻撃種別、規模）の区分ごとの信頼度を表示します。``--json`` は同じものを円で
出力し、``--out`` は当てはめたキャリブレーション（出所の情報を含む JSON）を書き出します。これは
``cyberloss quote --calibration`` と ``cyberloss.calibration.load`` で読めます。``--plot`` は請求件数の
最も多い攻撃種別の QQ プロットと確率プロットを書き出します。
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "fit", help=both("fit the calibration to an insurer's claims and exposure (credibility + MLE)",
                         "保険会社の請求実績とエクスポージャーにキャリブレーションを当てはめ（信頼度＋最尤推定）"))
    p.add_argument("claims", metavar=both("claims", "請求データ"),
                   help=both("claims CSV: claim_id, date, attack_type, industry, size, "
                             "ground_up or paid, deductible, limit, status",
                             "請求の CSV: claim_id、date、attack_type、industry、size、ground_up または paid、"
                             "deductible、limit、status"))
    p.add_argument("--exposure", required=True, metavar="EXPOSURE.csv",
                   help=both("exposure CSV: industry, size, period, policy_years, revenue",
                             "エクスポージャーの CSV: industry、size、period、policy_years、revenue"))
    p.add_argument("--encoding", default="auto", metavar=_args.ENCODING_WORD,
                   help=_args.encoding_help("the claims and exposure files", "請求とエクスポージャーのファイル"))
    p.add_argument("--json", action="store_true",
                   help=both("print the fit as JSON (JPY)", "当てはめの結果を JSON で出力（円）"))
    p.add_argument("--out", metavar="calibration.json",
                   help=both("write the fitted calibration (JSON)", "当てはめたキャリブレーションを書き出す（JSON）"))
    p.add_argument("--plot", metavar="QQ.png",
                   help=both("write QQ and probability plots (.png, .svg, .pdf)",
                             "QQ プロットと確率プロットを書き出す（.png、.svg、.pdf）"))
    p.add_argument("--attack-type", metavar=both("ATTACK_TYPE", "攻撃種別"),
                   help=both("the type the plot shows (default: the one with most claims)",
                             "図に示す攻撃種別（既定: 請求件数の最も多いもの）"))
    p.add_argument("--frequency-prior-weight", type=_args.number(0.0, 1e6), metavar="K",
                   help=both("prior weight in expected claims (default: the assumption "
                             "experience.frequency_prior_claims)",
                             "事前分布の重み。期待請求件数で表す（既定: 前提 experience.frequency_prior_claims）"))
    p.add_argument("--severity-prior-weight", type=_args.number(0.0, 1e6), metavar="N",
                   help=both("prior weight in claims, 0 for the plain MLE (default: the assumption "
                             "experience.severity_prior_claims)",
                             "事前分布の重み。請求件数で表し、0 なら単純な最尤推定（既定: 前提 "
                             "experience.severity_prior_claims）"))
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
