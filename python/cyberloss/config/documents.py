"""The schema of every input document of cyberloss.

=====================  =========================================================================
document               nodes
=====================  =========================================================================
profile (TOML)         PROFILE: [organisation] (+ [organisation.controls]), [terms], [quote],
                       [simulation], [[variants]], [scenario], [overrides]
reinsurance (TOML)     REINSURANCE: [per_risk], [per_event], [quota_share], [stop_loss]
simulate spec (TOML)   SPEC: [[attack_type]] with frequency and severity tables
portfolio (CSV)        PORTFOLIO_COLUMNS: one row per policy
calibration (JSON)     CALIBRATION: the structure of data/jnsa2025.json (values checked by
                       cyberloss.calibration, which knows what they mean)
=====================  =========================================================================

Defaults marked "from data" depend on the organisation (industry, size) and are filled by
``cyberloss.organisation`` from ``data/components.json``; the reference (``reference()``) names
the source of each.  Money is JPY; amounts may be written as numbers or as "500万円" / "1.5億円";
other numbers and counts as numbers or as texts such as "１２０" or "1,200".
"""
from __future__ import annotations

import dataclasses
import math

from .. import _core, _validate
from .schema import Field, ListOf, OneOf, Table

MAX_AMOUNT = _validate.MAX_AMOUNT
MAX_RECORDS = _validate.MAX_RECORDS
MAX_EMPLOYEES = _validate.MAX_EMPLOYEES
MAX_DAYS = _validate.MAX_DAYS
INF = math.inf
SIZES = ("large", "sme", "organisation")
BASES = ("publicised", "all")
PERIODS = ("cumulative", "recent")
PRINCIPLE_NAMES = ("expected_value", "standard_deviation", "tvar_cost_of_capital", "wang")
# Japanese names of the choices, in the same order (a part in brackets is a name too); the basis,
# period and principles are report.language's BASES_JA, PERIODS_JA and PRINCIPLES_JA (before any
# bracket), the words the outputs use
BASES_JA = ("公表事例", "全インシデント（公表されたものに限らない）")
PERIODS_JA = ("累計", "直近2年")
PRINCIPLE_NAMES_JA = ("期待値原理", "標準偏差原理", "TVaR資本コスト原理（資本コスト原理）", "ワング変換（ワン変換）")
DEFAULTS = "data/components.json profile_defaults"


def _amount(key: str, help: str, label_ja: str = "", **kw) -> Field:
    return Field(key, "amount", help, label_ja, unit="JPY", **kw)


CONTROLS = Table("controls", (
    Field("offline_backups", "bool", "offline (air-gapped) backups in place", "オフラインバックアップ",
          help_ja="ネットワークから切り離したバックアップがある",
          default=False),
    Field("restore_drills", "bool", "restore drills run regularly", "復旧訓練（リストア訓練）",
          help_ja="復旧（リストア）訓練を定期的に実施している",
          default=False),
    Field("mfa_remote_access", "bool", "multi-factor authentication on remote access (VPN, RDP)",
          "リモートアクセスの多要素認証",
          help_ja="リモートアクセス（VPN、RDP）に多要素認証を導入している", default=False),
    Field("edr", "bool", "endpoint detection and response on servers and PCs", "EDR",
          help_ja="サーバーとPCにEDR（エンドポイントでの検知と対応）を導入している", default=False),
    Field("ir_retainer", "bool", "an incident-response retainer with a security firm",
          "インシデント対応リテイナー契約",
          help_ja="セキュリティ会社とインシデント対応の契約を結んでいる", default=False),
    Field("downtime_scale", "rate", "BCP target: every downtime is multiplied by it "
          "(0.5 = downtime halved)", "停止期間の倍率（BCP目標）",
          help_ja="BCP目標：すべての停止期間にこの倍率をかける（0.5 = 停止期間が半分）",
          default=1.0, lo=0.0),
), "security and continuity controls (factors in data/components.json; each may be named by "
    "its Japanese label)", "対策", noun="control", japanese_keys=True)

_ORGANISATION_FIELDS = (
    Field("name", "text", "name shown in reports", "名称",
          help_ja="レポートに表示する名称", label="name", default="organisation"),
    Field("industry", "choice", "industry (JNSA classification; the key, its Japanese label "
          "such as 製造業, or English in any case)", "業種",
          help_ja="業種（JNSAの分類。製造業のような日本語名、キーまたは英語名）", label="industry",
          choices_from="calibration industries (data/jnsa2025.json)", vocabulary="industries"),
    Field("size", "choice", "size class: large (大企業), sme (中小企業 by the SME Basic Act) or "
          "organisation (団体等)", "規模",
          help_ja="規模区分：大企業、中小企業（中小企業基本法による）または団体等", label="size",
          choices=SIZES, vocabulary="sizes"),
    _amount("revenue", "annual revenue", "売上高",
            help_ja="年間の売上高", label="annual revenue", lo=0.0, lo_open=True, cap=MAX_AMOUNT,
            default=None, default_from=f"{DEFAULTS}.by_size.revenue"),
    Field("gross_margin", "share", "gross profit / revenue (drives lost profit)", "売上総利益率",
          help_ja="売上総利益 ÷ 売上高（利益損害を決める）",
          label="gross margin",
          default=None, default_from=f"{DEFAULTS}.by_industry.gross_margin"),
    Field("employees", "integer", "employees (scales the rate with size_exposure)", "従業員数",
          help_ja="従業員数（規模に応じて発生率を調整する）",
          label="employees",
          unit="people", lo=1.0, cap=MAX_EMPLOYEES, default=None,
          default_from=f"{DEFAULTS}.by_size.employees"),
    Field("personal_records", "integer", "personal records held (drives notification and "
          "condolence costs of leaks)", "個人情報件数",
          help_ja="保有する個人情報の件数（漏えい時の通知費用・見舞金を決める）",
          label="personal records held",
          unit="records", lo=0.0, cap=MAX_RECORDS,
          default=None, default_from=f"{DEFAULTS}.records: unknown, costs follow the survey shares"),
    Field("card_records", "integer", "card records exposed to the website in a year",
          "カード情報件数",
          help_ja="1年間にウェブサイトで扱うカード情報の件数",
          label="card records exposed to the website", unit="records", lo=0.0,
          cap=MAX_RECORDS, default=None,
          default_from=f"{DEFAULTS}.records: unknown, costs follow the survey shares"),
    Field("ec_share", "share", "share of sales through the own web shop (web leaks stop it)",
          "EC売上比率",
          help_ja="自社ECサイト経由の売上の割合（ウェブサイトからの漏えいで停止する）",
          label="share of sales through the EC site", default=None,
          default_from=f"{DEFAULTS}.by_industry.ec_share"),
    _amount("labour_cost_month", "labour cost per person-month (internal effort)", "人件費",
            help_ja="1人月あたりの人件費（社内対応工数の費用）",
            label="labour cost per person-month",
            lo=0.0, cap=MAX_AMOUNT, default=None, default_from=f"{DEFAULTS}.by_size.labour_cost_month"),
    Field("it_dependency", "share", "share of operations stopped while systems are down",
          "IT依存度",
          help_ja="システム停止中に止まる業務の割合",
          label="share of operations stopped while systems are down", default=None,
          default_from=f"{DEFAULTS}.by_industry.it_dependency"),
)

ORGANISATION = Table("organisation", (*_ORGANISATION_FIELDS, CONTROLS),
                     "the organisation as the model sees it (fields left out take labelled "
                     "defaults by industry and size)", "組織プロファイル")

_SUBLIMITS = Table("sublimits", tuple(
    _amount(c, f"per-occurrence cap on {c}", lo=0.0, lo_open=True, allow_inf=True, default=INF,
            help_ja="この費用項目に1事故あたりに支払う上限")
    for c in _core.COMPONENTS), "per-occurrence caps on single components", "縮小支払限度額",
    noun="component")

SECTION = Table("section", (
    _amount("limit", "per-occurrence limit of the section", "支払限度額",
            help_ja="この補償項目の1事故あたりの支払限度額", lo=0.0, lo_open=True,
            allow_inf=True, default=INF),
    Field("coinsurance", "share", "share of the loss after the deductible that the policy pays",
          "縮小てん補割合", help_ja="免責金額を超える損害のうち保険で支払う割合", lo=0.0, lo_open=True,
          default=1.0),
    _SUBLIMITS,
    Field("waiting_period_days", "number", "business interruption: days not paid at the start",
          "待機期間", help_ja="利益損害：停止の始めから支払われない日数", unit="days", lo=0.0, default=0.0),
    Field("indemnity_period_days", "number", "business interruption: days paid from the start "
          "of the interruption", "補償期間",
          help_ja="利益損害：停止の始めから数えて支払われる日数", unit="days", lo=0.0, lo_open=True,
          allow_inf=True, default=INF),
    Field("covered", "bool", "false switches the section off (its losses are retained)",
          "補償の有無", help_ja="「いいえ」でこの補償項目を外す（その損害は自己負担）", default=True),
), "terms of one policy section (per occurrence)", "補償項目")

_SECTION_LABELS = {"response": ("incident response costs", "費用損害"),
                   "liability": ("liability", "賠償責任"),
                   "business_interruption": ("business interruption (lost profit)", "利益損害")}

SECTIONS = Table("sections", tuple(
    Table(name, SECTION.fields, f"{_SECTION_LABELS[name][0]} section", _SECTION_LABELS[name][1])
    for name in _core.SECTIONS[:3]), "the covered sections (absent ones are not covered; "
    "each may be named by its Japanese name: 費用損害, 賠償責任, 利益損害)",
    "補償項目", required=True, noun="section", japanese_keys=True)

TERMS = Table("terms", (
    _amount("deductible", "per-occurrence deductible across sections", "免責金額",
            help_ja="1事故あたりの免責金額（全補償項目に共通）", lo=0.0,
            default=0.0),
    _amount("aggregate_limit", "annual aggregate limit over all sections", "総支払限度額",
            help_ja="全補償項目を通算した年間の総支払限度額",
            lo=0.0, lo_open=True, allow_inf=True, default=INF),
    Field("cover_prevention", "bool", "whether recurrence-prevention costs are paid under "
          "the response section", "再発防止費用の補償",
          help_ja="再発防止費用を費用損害の補償項目で支払うか", default=False),
    SECTIONS,
), "the policy's terms", "保険条件")

PRINCIPLE = OneOf("principle", "name", {
    "expected_value": Table("expected_value", (
        Field("name", "choice", "premium principle", "保険料算出原理",
              help_ja="保険料の算出原理", choices=PRINCIPLE_NAMES,
              choices_ja=PRINCIPLE_NAMES_JA),
        Field("loading", "rate", "P = (1 + loading) E[X]", "安全割増率",
              help_ja="P = (1 + 安全割増率) E[X]", lo=0.0, default=0.3,
              default_from="assumption"),
    )),
    "standard_deviation": Table("standard_deviation", (
        Field("name", "choice", "premium principle", "保険料算出原理",
              help_ja="保険料の算出原理", choices=PRINCIPLE_NAMES,
              choices_ja=PRINCIPLE_NAMES_JA),
        Field("k", "number", "P = E[X] + k sd(X)", "標準偏差の係数",
              help_ja="P = E[X] + k × 標準偏差(X)", lo=0.0, default=0.2,
              default_from="assumption"),
    )),
    "tvar_cost_of_capital": Table("tvar_cost_of_capital", (
        Field("name", "choice", "premium principle", "保険料算出原理",
              help_ja="保険料の算出原理", choices=PRINCIPLE_NAMES,
              choices_ja=PRINCIPLE_NAMES_JA),
        Field("level", "probability", "TVaR level of the capital", "TVaR水準",
              help_ja="資本とするTVaRの水準", default=0.99,
              default_from="assumption"),
        Field("rate", "share", "cost of capital rate", "資本コスト率",
              help_ja="TVaRの資本にかかるコストの率", hi_open=True, default=0.10,
              default_from="assumption"),
    )),
    "wang": Table("wang", (
        Field("name", "choice", "premium principle", "保険料算出原理",
              help_ja="保険料の算出原理", choices=PRINCIPLE_NAMES,
              choices_ja=PRINCIPLE_NAMES_JA),
        Field("lam", "number", "Wang transform lambda", "ワング変換のλ",
              help_ja="ワング変換のパラメータλ", lo=0.0, default=0.25,
              default_from="assumption"),
    )),
}, "a premium principle: a name, or a table with its name and parameters", "保険料算出原理",
    bare=True)

LOADS = Table("loads", (
    Field("expense_ratio", "share", "expense share of the technical premium", "事業費率",
          help_ja="営業保険料に占める事業費の割合",
          hi_open=True, default=0.30, default_from="assumption: typical Japanese non-life"),
    Field("profit_ratio", "share", "profit share of the technical premium", "利潤率",
          help_ja="営業保険料に占める利潤の割合",
          hi_open=True, default=0.05, default_from="assumption"),
    _amount("fixed_expense", "fixed expense per policy", "固定費", help_ja="1契約あたりの固定費", lo=0.0, default=0.0),
), "expense and profit loads: (risk premium + fixed) / (1 - expense - profit)", "付加保険料")

DEFAULT_DEDUCTIBLES = (0.0, 1e6, 3e6, 5e6, 1e7, 3e7)
DEFAULT_LIMITS = (3e7, 5e7, 1e8, 3e8, 5e8, 1e9)

DECISION = Table("decision", (
    Field("deductibles", "list", "deductibles of the grid", "免責金額の候補",
          help_ja="比較する免責金額の候補", unit="JPY",
          item=_amount("deductible", "", lo=0.0), min_items=1, default=DEFAULT_DEDUCTIBLES),
    Field("limits", "list", "annual aggregate limits of the grid", "支払限度額の候補",
          help_ja="比較する年間総支払限度額の候補", unit="JPY",
          item=_amount("limit", "", lo=0.0, lo_open=True), min_items=1, default=DEFAULT_LIMITS),
    PRINCIPLE,
    Field("cost_of_capital", "share", "the organisation's cost of holding capital against its "
          "retained tail", "自己保有の資本コスト率",
          help_ja="自己負担のテールリスクに備えて資本を持つ組織のコストの率", hi_open=True, default=0.10,
          default_from="assumption"),
    Field("tail_level", "probability", "TVaR level of the retained tail", "TVaR水準",
          help_ja="自己負担のテールを測るTVaRの水準",
          default=0.99),
    _amount("max_premium", "largest premium the organisation would pay (none: no cap)",
            "保険料の上限", help_ja="組織が支払える保険料の上限（なし：上限なし）", lo=0.0, default=None),
), "the deductible x limit grid and how it is judged", "免責金額・支払限度額の選択")

MIN_QUOTE_YEARS = 1000

QUOTE = Table("quote", (
    Field("years", "count", "simulated years", "シミュレーション年数",
          help_ja="シミュレーションする年数", lo=MIN_QUOTE_YEARS,
          default=200_000),
    Field("seed", "seed", "random seed", "乱数シード",
          help_ja="乱数のシード（同じ入力と同じシードなら同じ結果）", default=1),
    Field("levels", "list", "VaR / TVaR levels", "VaR・TVaRの水準", help_ja="VaR・TVaRを求める水準",
          item=Field("level", "probability", ""), min_items=1, default=(0.99, 0.995)),
    ListOf("principles", PRINCIPLE, "premium principles to quote (the first splits by section)",
           "保険料算出原理", min_items=1),
    LOADS,
    DECISION,
), "quote settings", "見積りの設定")

SIMULATION = Table("simulation", (
    Field("years", "count", "simulated years", "シミュレーション年数",
          help_ja="シミュレーションする年数", lo=2, default=200_000),
    Field("seed", "seed", "random seed", "乱数シード",
          help_ja="乱数のシード（同じ入力と同じシードなら同じ結果）", default=1),
    Field("basis", "choice", "incidence basis: publicised (what JNSA counted) or all incidents",
          "集計ベース", choices=BASES, choices_ja=BASES_JA, default="all"),
    Field("period", "choice", "calibration window", "期間", choices=PERIODS, choices_ja=PERIODS_JA,
          default="recent"),
), "BCP simulation settings", "シミュレーションの設定")

# A variant changes the profile: a field it leaves out is the profile's (one the profile left to
# its default is defaulted again, for the variant's industry and size), and its controls merge
# into the profile's.  The defaults below say so; the variant is read by BcpPlan, not filled.
_INHERITED = "the profile's (a value the profile left to its default follows the variant's industry and size)"
VARIANT = Table("variant", (
    Field("name", "text", "name of the variant", "名称"),
    Field("name_ja", "text", "name of the variant in Japanese output (--lang ja; default: name)",
          "日本語の名称", help_ja="日本語の出力（--lang ja）での名称（既定: name）", default=None),
    *(dataclasses.replace(f, default=None, default_from=_INHERITED if f.default is None and f.default_from
                          else "the profile's")
      for f in _ORGANISATION_FIELDS if f.key != "name"),
    dataclasses.replace(CONTROLS, fields=tuple(
        dataclasses.replace(f, default=None, default_from="the profile's (merged into its controls)")
        for f in CONTROLS.fields if isinstance(f, Field))),
), "a changed version of the profile (controls merge into the baseline's)", "比較するケース")

VARIANTS = ListOf("variants", VARIANT, "[[variants]] compared with the profile as it is "
                  "(default: each missing control alone, downtime halved, all controls)",
                  "比較するケース")

SCENARIO = Table("scenario", (
    Field("name", "text", "name of the scenario", "名称", default="scenario"),
    Field("attack_type", "choice", "attack type of the incident (the key, its Japanese label "
          "such as ランサムウェア感染, or a name of the JNSA report such as ランサムウェア or Emotet)",
          "攻撃の種類", choices_from="data/components.json attack types", vocabulary="attack_types"),
    Field("downtime_days", "number", "days business is interrupted (card leaks: card payment "
          "suspension)", "停止日数", unit="days", lo=0.0, cap=MAX_DAYS, default=None,
          default_from="mean of the calibrated downtime distribution"),
    Field("closure_days", "number", "card leaks: days the site is closed", "サイト閉鎖日数",
          unit="days", lo=0.0, cap=MAX_DAYS, default=None, default_from="data/components.json"),
    Field("share_affected", "share", "share of gross profit lost while down", "影響を受ける業務の割合",
          default=None, default_from="the profile's ec_share (web leaks) or it_dependency"),
    _amount("response_costs", "total of the eight response components", "対応費用の合計",
            lo=0.0, cap=MAX_AMOUNT, default=None, default_from="calibrated survey mean"),
    Field("person_months", "number", "internal effort", "社内対応工数", unit="person-months",
          lo=0.0, cap=MAX_RECORDS, default=None, default_from="data/components.json effort mean"),
    Field("records_exposed", "integer", "records exposed", "漏えい件数", unit="records", lo=0.0,
          cap=MAX_RECORDS, default=None, default_from="none: costs follow the survey shares"),
    Field("gifts_paid", "bool", "whether condolence gifts are paid", "お見舞い金の支払い",
          default=None, default_from="data/components.json gift probability"),
    Field("period", "choice", "calibration window of the survey mean", "期間", choices=PERIODS,
          choices_ja=PERIODS_JA,
          default="recent"),
), "one described incident (deterministic)", "想定インシデント")

OVERRIDES = Table("overrides", (), "replacements of data/components.json values by dotted path "
                  "(nested tables or quoted dotted keys)", "データの上書き",
                  other=Field("value", "any", "a value of the kind it replaces"), noun="path")

PROFILE = Table("", (ORGANISATION, TERMS, QUOTE, SIMULATION, VARIANTS, SCENARIO, OVERRIDES),
                "an organisation profile: one file serves quote, bcp and scenario", noun="table")

_XL = (
    _amount("retention", "retention of the layer", "保有額", lo=0.0, cap=MAX_AMOUNT),
    _amount("limit", "limit of the layer", "限度額", lo=0.0, lo_open=True, allow_inf=True),
    Field("reinstatements", "integer", "reinstatements (none: unlimited)", "復元回数", lo=0.0,
          hi=_validate.MAX_REINSTATEMENTS, default=None, default_from="unlimited"),
    _amount("premium", "the layer's up-front premium", "再保険料", lo=0.0, cap=MAX_AMOUNT,
            default=0.0),
    Field("reinstatement_rate", "rate", "reinstatement premium rate (1.0 = 100%)", "復元保険料率",
          lo=0.0, hi=100.0, default=1.0),
)

REINSURANCE = Table("reinsurance", (
    Table("per_risk", _XL, "per-risk excess of loss on each policy's loss per incident",
          "リスクエクセスロス"),
    Table("per_event", _XL, "per-event excess of loss on each systemic event (one attack type, "
          "one year, whole book)", "イベントエクセスロス"),
    Table("quota_share", (Field("share", "share", "share of the year's loss ceded", "出再割合"),),
          "quota share", "比例再保険"),
    Table("stop_loss", (
        _amount("retention", "annual retention", "保有額", lo=0.0, cap=MAX_AMOUNT),
        _amount("limit", "annual limit", "限度額", lo=0.0, lo_open=True, allow_inf=True,
                default=INF),
    ), "aggregate stop loss on the year's remaining loss", "ストップロス"),
), "a reinsurance programme (contracts inure in this order)", "再保険", noun="contract")

_LOGNORMAL = (
    Field("distribution", "choice", "severity distribution", "損害額分布",
          choices=("lognormal", "spliced_lognormal_gpd")),
    Field("mu", "number", "log-scale mean (with sigma)", default=None),
    Field("sigma", "number", "log-scale sd (with mu)", default=None),
    _amount("mean", "mean (with median)", "平均", default=None),
    _amount("median", "median (with mean)", "中央値", default=None),
)

SPEC = Table("", (ListOf("attack_type", Table("attack_type", (
    Field("name", "text", "attack type name", "攻撃の種類"),
    OneOf("frequency", "distribution", {
        "poisson": Table("poisson", (
            Field("distribution", "choice", "frequency distribution", "頻度分布",
                  choices=("poisson", "negative_binomial")),
            Field("rate", "number", "expected events per year", "年間発生率", unit="per year"),
        )),
        "negative_binomial": Table("negative_binomial", (
            Field("distribution", "choice", "frequency distribution", "頻度分布",
                  choices=("poisson", "negative_binomial")),
            Field("mean", "number", "expected events per year", "年間発生率", unit="per year"),
            Field("dispersion", "number", "variance = mean + mean^2 / dispersion", "分散パラメータ"),
        )),
    }, "annual count of the attack type", "頻度", required=True),
    OneOf("severity", "distribution", {
        "lognormal": Table("lognormal", _LOGNORMAL),
        "spliced_lognormal_gpd": Table("spliced_lognormal_gpd", (
            *_LOGNORMAL,
            _amount("threshold", "start of the GPD tail", "閾値"),
            Field("xi", "number", "GPD shape", "形状パラメータ"),
            _amount("beta", "GPD scale (0: continuous density)", "尺度パラメータ", default=0.0),
        )),
    }, "loss per incident (JPY)", "損害額", required=True),
)), "an attack type the organisation faces", "攻撃の種類", min_items=1, required=True),),
    "a model for `cyberloss simulate`", noun="table")

PORTFOLIO_COLUMNS = Table("portfolio", (
    Field("policy_id", "text", "unique id of the policy", "証券番号"),
    Field("industry", "choice", "a calibration industry (key, Japanese label or English)", "業種",
          choices_from="calibration industries (data/jnsa2025.json)", vocabulary="industries"),
    Field("size", "choice", "size class (large / sme / organisation, or 大企業 / 中小企業 / 団体等)",
          "規模", choices=SIZES, vocabulary="sizes"),
    _amount("revenue", "annual revenue (used by revenue-scaled severities; empty: unknown)",
            "売上高", lo=0.0, lo_open=True, cap=MAX_AMOUNT, default=None),
    _amount("deductible", "per-occurrence deductible", "免責金額", lo=0.0, cap=MAX_AMOUNT,
            default=0.0),
    _amount("occurrence_limit", "per-occurrence limit ('inf' or empty: unlimited)",
            "1事故支払限度額", lo=0.0, lo_open=True, allow_inf=True, default=INF),
    _amount("aggregate_limit", "annual aggregate limit ('inf' or empty: unlimited)",
            "年間総支払限度額", lo=0.0, lo_open=True, allow_inf=True, default=INF),
    Field("frequency_factor", "number", "further multiplier of the policy's rates (on the "
          "publicised basis: the controls' frequency factors)",
          "頻度の倍率", lo=0.0, lo_open=True, cap=1e6, default=1.0),
    Field("employees", "integer", "headcount (all-incidents basis: rates and size scales; "
          "organisation loss model; empty: the size's default)", "従業員数", unit="people",
          lo=1.0, cap=MAX_EMPLOYEES, default=None,
          default_from=f"{DEFAULTS}.by_size.employees"),
    Field("controls", "text", "controls in place (all-incidents basis: their frequency "
          "factors; organisation loss model: severity, downtime, effort), names or Japanese "
          "labels separated by ';' (e.g. offline_backups;edr or オフラインバックアップ;EDR)", "対策",
          default=""),
), "one row per policy", "保険契約", noun="column")

_TEXT = Field("text", "text", "free text")
_ANY = Field("value", "any", "checked by cyberloss.calibration")


def _record(key: str, values: tuple[str, ...], texts: tuple[str, ...]) -> Table:
    """A table of the calibration file: value keys (checked by the calibration) and free texts;
    no key is required here (the calibration names the ones it needs)."""
    return Table(key, tuple(Field(k, "any", "", default=None) for k in values)
                 + tuple(Field(k, "text", "", default="") for k in texts))


_ENTRY = ("value",), ("source", "quality", "note")
_MARGIN = ("values",), ("source", "quality", "window", "unit", "note")
_WINDOW = ("years",), ("start", "end", "source", "quality")

CALIBRATION = Table("", (
    Field("format", "text", "format marker", default=""),
    Field("about", "text", "what the file is", default=""),
    Table("sources", (), other=Field("source", "text", "citation")),
    Table("windows", (_record("cumulative", *_WINDOW), _record("recent", *_WINDOW))),
    ListOf("attack_types", _record("attack_type", ("key", "margin"), ("label_ja", "note"))),
    ListOf("industries", _record("industry", ("key", "margin"), ("label_ja", "jsic", "note"))),
    ListOf("sizes", _record("size", ("key",), ("label_ja", "note"))),
    Table("margins", (_record("total_cumulative", *_ENTRY), _record("total_recent", *_ENTRY),
                      *(_record(k, *_MARGIN) for k in ("size", "industry", "attack_type",
                                                       "attack_type_recent")))),
    Table("interactions", (), other=_record("interaction", ("value", "attack_margin", "dimension",
                                                            "category"),
                                            ("source", "quality", "note"))),
    Table("exposure", tuple(_record(k, *_ENTRY) for k in ("large", "sme", "enterprises_total",
                                                          "employees_large", "employees_sme"))),
    Table("severity", (Field("unit", "any", "unit of the amounts", default=None),),
          other=Table("attack_type", (), other=_record("period", ("mean", "median", "answers"),
                                                        ("source", "quality", "note")))),
    _record("severity_scope", ("includes", "excludes"), ("source", "quality", "note")),
    Table("assumptions", (), other=Table("assumption", (
        *(Field(k, "any", "", default=None) for k in ("value", "low", "high")),
        Field("allowed", "list", "", item=_TEXT, default=()),
        *(Field(k, "text", "", default="") for k in ("quality", "source", "reasoning"))))),
), "the calibration data file (data/jnsa2025.json)", noun="key")

# industry and size as a portfolio reads them: keys, Japanese labels or English (config.labels)
_INDUSTRY_COLUMN = Field("industry", "choice", "a calibration industry (key, Japanese label or English)",
                         "業種", choices_from="calibration industries (data/jnsa2025.json)",
                         vocabulary="industries")
_SIZE_COLUMN = Field("size", "choice", "size class (large / sme / organisation, or 大企業 / 中小企業 / "
                     "団体等)", "規模", choices=SIZES, vocabulary="sizes")

CLAIMS_COLUMNS = Table("claims", (
    Field("claim_id", "text", "unique id of the claim", "事故番号"),
    Field("date", "text", "date of the incident (YYYY-MM-DD)", "事故日"),
    Field("attack_type", "choice", "a calibration attack type (key, Japanese label or a name of "
          "the JNSA report such as ランサムウェア or Emotet)", "攻撃の種類",
          choices_from="calibration attack types (data/jnsa2025.json)", vocabulary="attack_types"),
    _INDUSTRY_COLUMN, _SIZE_COLUMN,
    _amount("ground_up", "ground-up loss of the incident (give this or paid)", "損害額",
            lo=0.0, lo_open=True, cap=MAX_AMOUNT, default=None),
    _amount("paid", "amount paid under the policy, after the deductible (give this or "
            "ground_up)", "支払保険金", lo=0.0, lo_open=True, cap=MAX_AMOUNT, default=None),
    _amount("deductible", "the policy's per-occurrence deductible at the time", "免責金額",
            lo=0.0, cap=MAX_AMOUNT, default=0.0),
    _amount("limit", "the policy's per-occurrence limit at the time ('inf' or empty: "
            "unlimited)", "支払限度額", lo=0.0, lo_open=True, allow_inf=True, default=INF),
    Field("status", "choice", "closed (the loss is final) or open (the loss is a lower bound)",
          "状態", choices=("closed", "open"), choices_ja=("既決（確定）", "未決（未確定）"), default="closed"),
), "one row per claim (cyberloss fit)", "事故", noun="column")

EXPOSURE_COLUMNS = Table("exposure", (
    _INDUSTRY_COLUMN, _SIZE_COLUMN,
    Field("period", "text", "the period the exposure covers (e.g. 2024)", "期間"),
    Field("policy_years", "number", "policy-years written in the cell", "契約年数", lo=0.0,
          lo_open=True, cap=1e9),
    _amount("revenue", "total revenue of the insureds in the cell (informative)", "売上高",
            lo=0.0, lo_open=True, cap=MAX_AMOUNT * 1e6, default=None),
), "one row per industry x size x period (cyberloss fit)", "エクスポージャー", noun="column")

_FITTED_GROUP = Table("group", (
    Field("attack_type", "text", "attack type"), Field("size", "text", "size class"),
    Field("claims", "integer", "claims in the group", lo=0.0, cap=1e12),
    Field("ground_up_claims", "number", "claims grossed up for the deductibles", lo=0.0, cap=1e12),
    Field("policy_years", "number", "exposure", lo=0.0, cap=1e12),
    Field("expected_prior", "number", "prior expected ground-up claims", lo=0.0, lo_open=True, cap=1e12),
    Field("credibility", "share", "credibility weight of the data"),
    Field("factor", "number", "fitted rate / prior rate", lo=0.0, lo_open=True, cap=1e6),
))
_FITTED_SEVERITY = Table("severity", (
    Field("attack_type", "text", "attack type"),
    *(Field(k, "number", "ln JPY at the reference headcount", lo=-50.0, hi=50.0)
      for k in ("mu", "prior_mu")),
    *(Field(k, "number", "log-scale sigma", lo=0.0, lo_open=True, hi=50.0)
      for k in ("sigma", "prior_sigma")),
    Field("naive_mu", "number", "naive fit (absent: fewer than two different losses)", lo=-50.0,
          hi=50.0, default=None),
    Field("naive_sigma", "number", "naive fit", lo=0.0, lo_open=True, hi=50.0, default=None),
    *(Field(k, "number", "standard error", lo=0.0, cap=1e6) for k in ("se_mu", "se_sigma")),
    Field("corr_mu_log_sigma", "number", "correlation of the estimates of mu and ln sigma "
          "(absent: taken as 0 by parameter draws)", lo=-1.0, hi=1.0, default=None),
    *(Field(k, "integer", "claim count", lo=0.0, cap=1e12) for k in ("claims", "censored", "truncated")),
))
FITTED_CALIBRATION = Table("", (
    Field("format", "text", "format marker"),
    Table("provenance", (
        Field("text", "text", "one line: what was fitted to what"),
        Field("claims", "integer", "number of claims", lo=0.0, cap=1e12),
        Field("claims_file", "text", "claims file"), Field("exposure_file", "text", "exposure file"),
        Field("fitted_on", "text", "date of the fit"), Field("prior", "text", "the prior"),
        Field("first_claim", "text", "earliest claim date", default=""),
        Field("last_claim", "text", "latest claim date", default=""),
    ), required=True),
    Table("settings", (
        Field("frequency_prior_weight", "number", "prior worth in expected claims", lo=0.0, cap=1e9),
        Field("severity_prior_weight", "number", "prior worth in claims", lo=0.0, cap=1e9),
        Field("period", "choice", "calibration period of the prior", choices=PERIODS),
    ), required=True),
    ListOf("frequency", _FITTED_GROUP, required=True),
    ListOf("severity", _FITTED_SEVERITY, required=True),
    Field("warnings", "list", "non-finite values written as null", item=_TEXT, default=()),
), "a calibration fitted by cyberloss fit", noun="key")
