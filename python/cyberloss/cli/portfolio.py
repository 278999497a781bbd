"""``cyberloss portfolio PORTFOLIO.csv --years N --seed S [--dask SCHEDULER | --local-cluster N]
[--json] [--out ylt.parquet]``: a book of policies with systemic shocks and reinsurance.

Reinsurance comes from ``--reinsurance FILE.toml`` (tables ``[per_risk]``, ``[per_event]``,
``[quota_share]``, ``[stop_loss]``, optionally under ``[reinsurance]``; see
``examples/reinsurance.toml``) or from the options ``--quota-share Q``,
``--per-risk-xl RETENTION:LIMIT[:REINSTATEMENTS[:PREMIUM]]``,
``--per-event-xl RETENTION:LIMIT[:REINSTATEMENTS[:PREMIUM]]`` and
``--stop-loss RETENTION[:LIMIT]`` (JPY, amounts written as in the file: ``1e8``,
``50,000,000``, ``5000万``, ``4.5億``, ``unlimited`` / ``無制限`` for a limit; REINSTATEMENTS
left out, left empty or written ``unlimited`` / ``無制限`` is unlimited, so that
``--per-risk-xl 5000万:4.5億::2000万`` is a layer with unlimited reinstatements and a
premium; an option overrides the same contract of the file).

The loss per incident is ``--loss survey`` (calibrated survey severity, default),
``organisation`` (the usually insured components of cyberloss.organisation, incl. lost
profit from each policy's revenue) or ``covered`` (those components through the sections of a
policy wording, ``--terms FILE.toml``; the book's deductible and limits stay per policy).

JSON keys (stable): policies, years, seed, block_years, attack_types, systemic_variance,
scenario, reinsurance, loss, gross / ceded / net (each: mean, mean_se, std, std_se, var and
var_se, tvar and tvar_se keyed by level, annual_loss_sha256 = SHA-256 of the year losses as
little-endian float64), reinstatement_premium_mean, reinstatement_premium_mean_se,
average_policy_correlation, warnings; for an empty portfolio, message and gross / ceded / net =
null.  Strict JSON (README, "JSON output"): an unlimited reinsurance limit is null; a statistic
that is not finite is null and named in ``warnings``, as are policies in cells the calibration
has no exposure for (also printed on stderr, there in the
``--lang`` language; JSON keeps the English).  ``<figure>_se`` is the Monte Carlo standard error
of ``<figure>`` (``cyberloss.stats``, as the text table's; a VaR or TVaR level with fewer than 10
simulated years expected beyond it, ``stats.within_reach``, has its standard errors null, named
in ``warnings``: they would say nothing of the precision).  The average policy correlation has
none: it is the book's variance less the
policies', a difference of noisy terms whose standard error the per-policy sums a run keeps
cannot give, so read it as a rough indication (docs/MODEL_NOTES.md, "Scale, determinism and
Dask").

``--out`` writes the year-loss table as Parquet or CSV, chosen by the extension (``.parquet``,
``.csv``; anything else is refused); the path is checked before the run and written
atomically.  For an empty portfolio it writes the table of the empty result, every loss of
every year 0, as ``PortfolioResult.to_frame()`` gives it (the printed statistics are null
beside the message, as nothing was simulated), with the systemic multipliers ``theta_<type>``
the seed draws for any book (1 for a type without a shock).

``--dask ADDRESS`` trusts that scheduler completely: Dask moves pickled code and data, so a
scheduler (or anyone who can reach it) runs what it likes in this process.
``--local-cluster N`` starts N worker processes bound to 127.0.0.1, with TLS and temporary
credentials, and without the dashboard unless ``--dashboard`` is given.
"""
from __future__ import annotations

import argparse
import math
import sys

from .. import _extras, _files, _json, _validate, config
from .. import portfolio as pf
from ..config import documents
from ..config import types as config_types
from ..insurance.terms import CoverageTerms
from ..portfolio import distributed
from ..portfolio import reinsurance as re
from ..portfolio.simulate import MIN_YEARS
from ..report import language, text
from ..report.money import statistics_table
from . import _args
from ._help import both

DOC_JA = """``cyberloss portfolio PORTFOLIO.csv --years N --seed S [--dask SCHEDULER | --local-cluster N]
[--json] [--out ylt.parquet]``: システミックなショックと再保険を含む契約群（ポートフォリオ）。

再保険は ``--reinsurance FILE.toml``（テーブル ``[per_risk]``、``[per_event]``、``[quota_share]``、
``[stop_loss]``。``[reinsurance]`` の下に置いてもよい。``examples/reinsurance.toml`` を参照）か、
オプション ``--quota-share Q``、``--per-risk-xl RETENTION:LIMIT[:REINSTATEMENTS[:PREMIUM]]``、
``--per-event-xl RETENTION:LIMIT[:REINSTATEMENTS[:PREMIUM]]`` と ``--stop-loss RETENTION[:LIMIT]``
で与えます（円。金額はファイルと同じく ``1e8``、``50,000,000``、``5000万``、``4.5億`` と書け、
限度額は ``unlimited`` / ``無制限`` とも書けます。REINSTATEMENTS（復元回数）は省くか、空にするか、
``unlimited`` / ``無制限`` と書くと無制限です。復元回数が無制限で再保険料のあるレイヤーは
``--per-risk-xl 5000万:4.5億::2000万`` です。オプションはファイルの同じ契約より優先します）。

1事故あたりの損害額は ``--loss survey``（較正したアンケートの損害額。既定）、``organisation``
（cyberloss.organisation の通常補償される損害項目。各契約の売上高による逸失利益を含む）または
``covered``（それらの損害項目に保険約款 ``--terms FILE.toml`` の補償項目を適用したもの。
契約群の免責金額と支払限度額は契約ごとのまま）です。

JSON のキー（固定）: policies、years、seed、block_years、attack_types、systemic_variance、
scenario、reinsurance、loss、gross / ceded / net（それぞれ mean、mean_se、std、std_se、水準をキーと
する var、var_se、tvar と tvar_se、annual_loss_sha256 = 年間損害額をリトルエンディアンの float64 で
並べたものの SHA-256）、reinstatement_premium_mean、reinstatement_premium_mean_se、
average_policy_correlation、warnings。契約のないポートフォリオでは message と gross / ceded / net =
null。厳密な JSON です（README の「JSON output」）: 無制限の再保険の限度額は null、有限でない統計量は
null として ``warnings`` に名前を挙げます。キャリブレーションにエクスポージャーのない区分の契約も
挙げます（標準エラー出力にも ``--lang`` の言語で表示。JSON では英語のまま）。
``<項目>_se`` は ``<項目>`` のモンテカルロ標準誤差です
（``cyberloss.stats``。表の出力と同じ。超過する年が 10 年未満と見込まれる水準の VaR と TVaR
（``stats.within_reach``）の標準誤差は精度を表さないため null とし、``warnings`` に挙げます）。
契約間の平均相関には標準誤差がありません:
契約群の分散から各契約の分散を引いた差（ノイズの大きい項の差）から求めるもので、実行が保持する
契約ごとの合計からはその標準誤差を求められないため、おおよその目安として読んでください
（docs/MODEL_NOTES.md の「Scale, determinism and Dask」）。

``--out`` は年間損失表を Parquet または CSV で書き出します。形式は拡張子（``.parquet``、
``.csv``。それ以外は拒否）で決まり、出力先は実行の前に確認してアトミックに書き込みます。
契約のないポートフォリオでは空の結果の表（すべての年のすべての損害額が 0）を
``PortfolioResult.to_frame()`` のとおりに書き出します（何もシミュレーションしないため、
表示する統計量はメッセージの横で null です）。システミックな倍率 ``theta_<type>`` は、
どの契約群でもそのシードで引かれる値です（ショックのない攻撃種別では 1）。

``--dask ADDRESS`` はそのスケジューラを完全に信頼します: Dask は pickle したコードとデータを
やり取りするため、スケジューラ（またはそこに接続できる者）はこのプロセスで任意のコードを実行
できます。``--local-cluster N`` は 127.0.0.1 だけで待ち受ける N 個のワーカープロセスを、TLS と
一時的な認証情報で起動します。ダッシュボードは ``--dashboard`` を指定したときだけ起動します。
"""

OUT_FORMATS = (".parquet", ".csv")
_XL_PARTS = ("retention", "limit", "reinstatements", "premium")


def _numbers(text: str, option: str, names: tuple[str, ...], least: int) -> list[float]:
    """The ':'-separated parts of an option: reinstatements a number (empty or "無制限" /
    "unlimited": inf, unlimited as when left out), the others amounts (a number, or a text
    ``config.parse_amount`` reads: "5000万", "4.5億", "50,000,000")."""
    parts = text.split(":")
    if not least <= len(parts) <= len(names):
        raise _validate.InputError(
            f"{option} takes {least} to {len(names)} numbers separated by ':' ({':'.join(names)}), got {text!r}",
            _validate.Need("relation", detail=f"':' で区切った {least}〜{len(names)} 個の数値（{':'.join(names)}）"),
            value=text, context=(("", f"引数 {option}"),))
    out = []
    for name, part in zip(names, parts):
        kind = "number" if name == "reinstatements" else "amount"
        if kind == "number" and (part.strip() == "" or config_types.is_unlimited(part)):
            out.append(math.inf)    # "R:L::P": unlimited reinstatements and a premium
            continue
        try:       # as a CSV cell is read: "inf" spelled out is unlimited, 1e400 is not
            x = config.parse_cell(part, kind, name)
        except ValueError as exc:
            why = f"{name} must be a number, got {part!r}" if kind == "number" else str(exc)
            raise _in_option(exc, f"{option} {text!r}: {why}", option, text, name, part) from None
        if math.isnan(x):
            raise _in_option(None, f"{option} {text!r}: {name} must be a number"
                             + ("" if kind == "number" else " or an amount such as '5000万'")
                             + f" ('inf' for unlimited), got {part!r}", option, text, name, part)
        out.append(x)
    return out


def _in_option(exc: ValueError | None, english: str, option: str, text: str, name: str = "",
               part: str = "") -> _validate.InputError:
    """A refusal of a part of an option's value (``name``: "retention", ...), said in Japanese
    too: the cause's own Japanese where it has one, else what ``name`` must be."""
    place = ((f"{option} {text!r}", f"引数 {option} {text!r}"),)
    label = next((g.label_ja for f in documents.REINSURANCE.fields if isinstance(f, config.Table)
                  for g in f.fields if g.key == name and isinstance(g, config.Field)), "")
    if isinstance(exc, _validate.InputError):
        return exc.replaced(english, context=place + exc.context, label_ja=exc.label_ja or label)
    need = _validate.Need("relation", detail="数値（無制限は 'inf'）" if name == "reinstatements" else
                          "金額（'5000万' など。無制限は 'inf'）")
    return _validate.InputError(english, need, name, part, label_ja=label, context=place)


def _contract(option: str, text: str, build):
    """Build a contract from an option's numbers; its errors name the option and the text."""
    try:
        return build()
    except ValueError as exc:
        raise _in_option(exc, f"{option} {text!r}: {exc}", option, text) from None


def _xl(cls, text: str, option: str):
    v = _numbers(text, option, _XL_PARTS, 2)
    reinst = None if len(v) < 3 or v[2] == math.inf else v[2]
    return _contract(option, text, lambda: cls(v[0], v[1], reinst, v[3] if len(v) > 3 else 0.0))


def programme(args: argparse.Namespace) -> re.Programme:
    base = re.Programme.from_toml(args.reinsurance) if args.reinsurance is not None else re.Programme()
    parts = {k: getattr(base, k) for k in ("per_risk", "per_event", "quota_share", "stop_loss")}
    if args.quota_share is not None:
        parts["quota_share"] = _contract("--quota-share", str(args.quota_share),
                                         lambda: re.QuotaShare(args.quota_share))
    if args.per_risk_xl is not None:
        parts["per_risk"] = _xl(re.PerRiskXL, args.per_risk_xl, "--per-risk-xl")
    if args.per_event_xl is not None:
        parts["per_event"] = _xl(re.PerEventXL, args.per_event_xl, "--per-event-xl")
    if args.stop_loss is not None:
        v = _numbers(args.stop_loss, "--stop-loss", ("retention", "limit"), 1)
        parts["stop_loss"] = _contract("--stop-loss", args.stop_loss,
                                       lambda: re.StopLoss(v[0], v[1] if len(v) > 1 else math.inf))
    return re.Programme(**parts)


def build_model(args: argparse.Namespace) -> pf.PortfolioModel:
    book = pf.Portfolio.read(args.portfolio, basis=args.basis, period=args.period, encoding=args.encoding)
    if args.no_systemic:
        systemic = pf.SystemicShock.off()
    elif args.systemic_variance is not None:
        v = args.systemic_variance
        systemic = pf.SystemicShock({a: v for a in book.attack_types})
    else:
        systemic = pf.SystemicShock.default()
    survey = pf.SurveySeverity.from_calibration(period=args.period, basis=args.basis,
                                                exposure_elasticity=args.exposure_elasticity)
    loss: pf.SurveySeverity | pf.OrganisationLoss | pf.CoveredLoss = survey
    if args.loss in ("organisation", "covered"):
        loss = pf.OrganisationLoss(survey)
    if args.loss == "covered":
        if args.terms is None:
            raise ValueError("--loss covered needs --terms FILE.toml (a [terms] table of cyberloss.terms)")
        # the book's deductible and limits are per-policy columns: the wording gives the sections
        wording = CoverageTerms.from_toml(args.terms).with_retention(0.0, math.inf)
        loss = pf.CoveredLoss(pf.OrganisationLoss(survey), wording)
    elif args.terms is not None:
        raise ValueError("--terms applies to --loss covered only")
    return pf.PortfolioModel(book, loss=loss, systemic=systemic, reinsurance=programme(args),
                             scenario=pf.scenario(args.scenario) if args.scenario else None)


def run(args: argparse.Namespace) -> int:
    if args.dask and args.local_cluster:
        raise ValueError("give --dask or --local-cluster, not both")
    if args.local_cluster is not None:
        distributed.check_local_cluster(args.local_cluster, "--local-cluster")
    if args.dashboard and args.local_cluster is None:
        raise ValueError("--dashboard applies to --local-cluster only")
    if args.dask or args.local_cluster:
        option = "--dask" if args.dask else "--local-cluster"
        _extras.require("dask.distributed", option, f"引数 {option}")
        if args.local_cluster:
            _extras.require("cryptography", f"{option} (TLS between the workers)", f"引数 {option}（ワーカー間の TLS）")
    if args.out is not None:
        if _files.suffix(args.out, "--out", OUT_FORMATS) == ".parquet":
            _extras.require("pyarrow", "--out .parquet", "引数 --out の .parquet")
        _files.check(args.out, "--out")
    model = build_model(args)
    warned = language.words(args.lang)("warning", "警告")
    for warning in model.portfolio.warnings(args.lang):    # JSON lists them in English
        print(f"cyberloss portfolio: {warned}: {warning}", file=sys.stderr)
    progress = args.show_progress
    if args.dask or args.local_cluster:
        result = distributed.simulate_portfolio(model, args.years, args.seed, scheduler=args.dask,
                                                local_cluster=args.local_cluster,
                                                block_years=args.block_years, progress=progress,
                                                dashboard=args.dashboard)
    else:
        result = pf.simulate_portfolio(model, args.years, args.seed, block_years=args.block_years,
                                       threads=args.threads, progress=progress)
    if args.out is not None:
        result.write(args.out, "--out")
    if args.json:
        print(_json.dumps(result.summary()))
    elif result.is_empty:
        print(f"{args.portfolio}: {result.message_in(args.lang)}")
    else:
        print_table(result, args.lang)
    if result.is_empty and args.json:
        print(f"cyberloss portfolio: {result.message_in(args.lang)}", file=sys.stderr)
    return 0


def print_table(result: pf.PortfolioResult, lang: str = "en") -> None:
    shown = statistics_table(result.describe(), "man")
    m = result.model
    ja = lang == "ja"
    print(f"契約 {len(m.portfolio):,} 件、シミュレーション {result.years:,} 年、シード {result.seed}。金額は万円"
          if ja else f"{len(m.portfolio):,} policies, {result.years:,} simulated years, seed {result.seed}; "
          f"money in 万円 (10,000 JPY)")
    print(text.frame(language.statistics_labels(shown, lang)))
    corr = result.average_correlation()
    if corr is not None:
        print(f"契約間の年間損害の平均相関: {corr:.4f}" if ja
              else f"average correlation between policies' annual losses: {corr:.4f}")
    variances = zip(m.attack_types, m.variances())
    if ja:
        names = m.portfolio.calibration.data.attack_labels
        print("攻撃種別ごとのシステミック分散: " + "、".join(
            f"{names.get(a) or language.CATEGORIES_JA.get(a, a)} {v:.3g}" for a, v in variances))
    else:
        print("systemic variance by attack type: " + ", ".join(f"{a} {v:.3g}" for a, v in variances))


def register(sub) -> None:
    p = sub.add_parser("portfolio", help=both("simulate a book of policies with systemic events and reinsurance",
                                              "契約群（ポートフォリオ）をシステミックな事象と再保険を含めて"
                                              "シミュレーション"))
    p.add_argument("portfolio", metavar=both("portfolio", "契約データ"),
                   help=both("policy table, .csv or .parquet (see examples/portfolio_small.csv)",
                             "契約の表、.csv または .parquet（examples/portfolio_small.csv を参照）"))
    p.add_argument("--encoding", default="auto", metavar=_args.ENCODING_WORD,
                   help=_args.encoding_help("a CSV", "CSV ファイル"))
    p.add_argument("--years", type=_args.integer(MIN_YEARS, _args.MAX_COUNT), required=True,
                   metavar=_args.YEARS_WORD,
                   help=both(f"number of simulated years (at least {MIN_YEARS}: a standard deviation needs two)",
                             f"シミュレーションする年数（{MIN_YEARS}以上: 標準偏差には2年が必要）"))
    p.add_argument("--seed", type=_args.SEED, default=1, metavar=_args.SEED_WORD,
                   help=both("random seed, 0 .. 2**32-1 (default 1)", "乱数のシード、0 .. 2**32-1（既定 1）"))
    p.add_argument("--block-years", type=_args.COUNT, default=pf.DEFAULT_BLOCK_YEARS,
                   metavar=both("BLOCK_YEARS", "年数"),
                   help=both(f"years per block (default {pf.DEFAULT_BLOCK_YEARS}); part of the run's definition",
                             f"1ブロックの年数（既定 {pf.DEFAULT_BLOCK_YEARS}）。実行の定義の一部"))
    p.add_argument("--threads", type=_args.THREADS, default=None, metavar=_args.THREADS_WORD,
                   help=both("threads for a local run (default: all cores)",
                             "ローカル実行のスレッド数（既定: すべてのコア）"))
    p.add_argument("--dask", metavar=both("SCHEDULER", "スケジューラ"), default=None,
                   help=both("run on this dask.distributed scheduler (trusted completely: Dask runs "
                             "pickled code, so use only a scheduler you control)",
                             "この dask.distributed のスケジューラで実行（完全に信頼する: Dask は pickle した"
                             "コードを実行するため、自分で管理するスケジューラだけを使う）"))
    p.add_argument("--local-cluster", type=_args.integer(1, distributed.MAX_LOCAL_WORKERS), metavar="N",
                   default=None, help=both("run on a LocalCluster of N worker processes on this machine "
                                           "(loopback only, TLS with temporary credentials)",
                                           "このコンピュータの N 個のワーカープロセスからなる LocalCluster で"
                                           "実行（ループバックのみ、一時的な認証情報による TLS）"))
    p.add_argument("--dashboard", action="store_true",
                   help=both("with --local-cluster: also start the Dask dashboard (loopback only)",
                             "--local-cluster とともに: Dask のダッシュボードも起動（ループバックのみ）"))
    p.add_argument("--json", action="store_true", help=_args.JSON_TABLE)
    p.add_argument("--out", metavar="YLT.parquet", default=None,
                   help=both("write the year-loss table: .parquet or .csv, by extension",
                             "年間損失表を書き出す: 拡張子により .parquet または .csv"))
    p.add_argument("--progress", action="store_true",
                   help=both("show progress on stderr even when it is not a terminal",
                             "標準エラー出力が端末でなくても進捗を表示"))
    p.add_argument("--basis", choices=("all", "publicised"), default="all",
                   help=both("rate basis (default all)",
                             "発生率の基準: all は全インシデント、publicised は公表事例（既定 all）"))
    p.add_argument("--period", choices=("recent", "cumulative"), default="recent",
                   help=both("rate and severity period (default recent)",
                             "発生率と損害額の期間: recent は直近2年、cumulative は累計（既定 recent）"))
    p.add_argument("--exposure-elasticity", type=_args.number(0.0, 1.0), default=0.0,
                   metavar=both("EXPOSURE_ELASTICITY", "e"),
                   help=both("scale survey severity by (revenue / reference)^e (default 0: unscaled)",
                             "アンケートの損害額を (売上高 / 基準の売上高)^e 倍する（既定 0: そのまま）"))
    p.add_argument("--loss", choices=("survey", "organisation", "covered"), default="survey",
                   help=both("per-incident loss: survey-basis severity (default), the organisation's "
                             "usually insured components incl. lost profit, or those components "
                             "through the sections of --terms (slower)",
                             "1事故あたりの損害額: アンケートの損害額（既定）、組織の通常補償される損害項目"
                             "（逸失利益を含む）、またはそれらに --terms の補償項目を適用したもの（遅い）"))
    p.add_argument("--terms", metavar="FILE.toml", default=None,
                   help=both("policy wording for --loss covered: the [terms] sections (sublimits, BI "
                             "periods, coinsurance, section limits); its deductible and aggregate "
                             "limit are replaced by the book's columns",
                             "--loss covered の保険約款: [terms] の補償項目（縮小支払限度額、利益損害の"
                             "待機期間・補償期間、縮小てん補割合、補償項目の支払限度額）。その免責金額と"
                             "総支払限度額は契約群の列で置き換える"))
    p.add_argument("--no-systemic", action="store_true",
                   help=both("switch the systemic shock off", "システミックなショックを使わない"))
    p.add_argument("--systemic-variance", type=_args.number(0.0), default=None,
                   metavar=both("SYSTEMIC_VARIANCE", "分散"),
                   help=both("one systemic variance for every attack type (default: derived per type)",
                             "すべての攻撃種別に共通のシステミック分散（既定: 攻撃種別ごとに導出）"))
    p.add_argument("--scenario", choices=sorted(pf.SCENARIOS), default=None,
                   help=both("a named stress scenario", "名前のついたストレスシナリオ"))
    p.add_argument("--reinsurance", metavar="FILE.toml", default=None,
                   help=both("reinsurance programme file", "再保険プログラムのファイル"))
    p.add_argument("--quota-share", type=_args.number(0.0, 1.0, "share"), default=None, metavar="Q",
                   help=both("quota share ceding Q in [0, 1] (or a percentage: 30%%)",
                             "出再割合 Q（0 以上 1 以下、または 30%% のような百分率）の比例再保険"))
    p.add_argument("--per-risk-xl", default=None, metavar="R:L[:N[:P]]",
                   help=both("per-risk XL: retention, limit, reinstatements, premium (JPY; amounts "
                             "also as 5000万, 4.5億 or 50,000,000; L or N unlimited as 無制限 or "
                             "unlimited, N also left empty: 5000万:4.5億::2000万)",
                             "リスクエクセスロス: 保有額、限度額、復元回数、再保険料（円。金額は 5000万、"
                             "4.5億、50,000,000 とも書ける。L と N は 無制限 または unlimited で"
                             "無制限、N は空でも無制限: 5000万:4.5億::2000万）"))
    p.add_argument("--per-event-xl", default=None, metavar="R:L[:N[:P]]",
                   help=both("per-event XL on each systemic event (attack type x year), "
                             "R:L[:N[:P]] as for --per-risk-xl",
                             "各システミック事象（攻撃種別 × 年）へのイベントエクセスロス。"
                             "R:L[:N[:P]] は --per-risk-xl と同じ"))
    p.add_argument("--stop-loss", default=None, metavar="R[:L]",
                   help=both("aggregate stop loss: retention, limit", "年間のストップロス: 保有額、限度額"))
    p.set_defaults(func=run)
