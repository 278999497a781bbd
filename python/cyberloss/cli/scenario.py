"""``cyberloss scenario SCENARIO.toml``: the components of one described incident.

The scenario fixes the attack type and the downtime (e.g. the insurers' example cases in
``examples/tmnf1.toml`` and ``examples/tmnf2.toml``); the rest comes from the organisation
profile and the calibrated data.  Deterministic: no random numbers.  ``--json`` prints every
component in JPY (including ``lost_profit``), the total, where each number comes from and
``warnings`` (strict JSON: see README, "JSON output").
"""
from __future__ import annotations

import argparse

from .. import _json
from ..calibration import jnsa
from ..calibration import load as load_calibration
from ..organisation.scenario import Scenario, ScenarioResult
from ..report import text
from ..report.money import format_yen
from . import _args
from ._help import both

DOC_JA = """``cyberloss scenario SCENARIO.toml``: 想定した1件のインシデントの損害項目。

シナリオは攻撃種別と停止期間を定めます（例: ``examples/tmnf1.toml`` と ``examples/tmnf2.toml`` の
保険会社の事例）。ほかは組織のプロファイルと較正したデータから求めます。決定論的で、乱数は
使いません。``--json`` はすべての損害項目を円で（``lost_profit`` を含む）、合計、各数値の算出根拠と
``warnings`` を出力します（厳密な JSON: README の「JSON output」を参照）。
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("scenario", help=both("evaluate one described incident component by component",
                                                    "想定した1件のインシデントを損害項目ごとに評価"))
    p.add_argument("scenario", metavar=both("scenario", "シナリオ"),
                   help=both("TOML file with [scenario] and [organisation] tables",
                             "[scenario] と [organisation] テーブルを持つ TOML ファイル"))
    p.add_argument("--json", action="store_true", help=_args.JSON_TABLE)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = Scenario.from_toml(args.scenario).evaluate()
    if args.json:
        print(_json.dumps(result.to_dict()))
    else:
        print(format_table(result, args.lang))
    return 0


def format_table(result: ScenarioResult, lang: str = "en") -> str:
    """The incident and its components as text in ``lang`` (the Japanese table has headings and
    is aligned by display width)."""
    if lang == "ja":
        return _japanese_table(result)
    s = result.scenario
    if result.closure_days is not None:
        down = (f"site closed {result.closure_days:g} days, card payment suspended "
                f"{result.downtime_days:.1f} days ({result.sources['downtime_days']})")
    else:
        down = f"downtime {result.downtime_days:.1f} days ({result.sources['downtime_days']})"
    lines = [s.name, f"attack type {s.attack_type}; {down}",
             f"share of operations affected {result.share_affected:.0%}; "
             f"internal effort {result.person_months:.1f} person-months", ""]
    df = result.describe()
    for name, r in df.iterrows():
        lines.append(f"{name:<16} {format_yen(r.jpy):>12}  {r.source}")
    return "\n".join(lines)


def _japanese_table(result: ScenarioResult) -> str:
    s, source = result.scenario, result.sources_ja
    if result.closure_days is not None:
        down = (f"サイト閉鎖 {result.closure_days:g} 日、カード決済停止 {result.downtime_days:.1f} 日"
                f"（{source['downtime_days']}）")
    else:
        down = f"業務停止 {result.downtime_days:.1f} 日（{source['downtime_days']}）"
    attack = jnsa.category_ja(load_calibration(), "attack_type", s.attack_type)
    rows = [(r.label_ja, format_yen(r.jpy), source.get(str(name), "")) for name, r in result.describe().iterrows()]
    return "\n".join([s.name, f"攻撃種別 {attack}、{down}",
                      f"影響を受けた業務の割合 {result.share_affected:.0%}、内部工数 {result.person_months:.1f} 人月",
                      "", *text.table(("損害項目", "金額", "算出根拠"), rows, "<><")])
