"""The language of what people read: Japanese or English, chosen once.

``--lang ja|en`` on the command line and ``lang=`` in the Python API name it; left out, it is
Japanese when the locale is Japanese (``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starting with
``ja``, as POSIX looks them up) and English otherwise.
"""
from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping

from . import money

LANGUAGES = ("ja", "en")


def resolve(lang: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``lang`` checked ("ja" or "en"), or the locale's language when it is None."""
    if lang is not None:
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
        return lang
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def words(lang: str) -> Callable[[str, str], str]:
    """``w(en, ja)`` giving the text in ``lang``: one sentence written in both, side by side."""
    return (lambda en, ja: ja) if lang == "ja" else (lambda en, ja: en)


# Japanese words of the tables people read (the text tables and the HTML report): the
# statistics of a describe() table, the views and columns of the results, a policy's sections
# and the premium's parts.
STATISTICS_JA = {"mean": "期待損失", "std": "標準偏差", "P(loss>0)": "損害発生確率"}
VIEWS_JA = {"annual": "年間合計", "gross": "総額", "ceded": "出再", "net": "保有",
            "insured": "保険金", "retained": "自己負担"}
SECTIONS_JA = {"response": "費用損害", "liability": "賠償責任", "business_interruption": "利益損害",
               "uninsured": "補償対象外", "total": "合計"}
PREMIUM_PARTS_JA = {"expected_loss": "期待保険金", "risk_premium": "リスク保険料",
                    "technical_premium": "営業保険料"}
# Publicised incidents in the JNSA report's own word (公表事例: "公表された...事例"), the one
# every Japanese text uses for them.
PUBLICISED_JA = "公表事例"
PRINCIPLES_JA = {"expected_value": "期待値原理", "standard_deviation": "標準偏差原理",
                 "tvar_cost_of_capital": "TVaR資本コスト原理", "wang": "ワング変換"}
# The incidents a simulation counts (its basis; the periods are PERIODS_JA's).
BASES_JA = {"all": "全インシデント（公表されたものに限らない）", "publicised": PUBLICISED_JA}

# The JNSA report's words, for the tables that set the model beside published figures (jnsa,
# validate, scenario): a survey's statistics and windows, what a figure is (published, derived
# from published ones, ...), the margin tables, the categories the calibration data has no
# label_ja for (its sizes, industries and attack types have), and the columns.
SURVEY_STATISTICS_JA = {"mean": "平均値", "median": "中央値"}
PERIODS_JA = {"cumulative": "累計", "recent": "直近2年", "earlier": "2022年6月以前"}
QUALITIES_JA = {"published": "公表値", "derived": "算出値", "approximate": "概数", "assumption": "仮定",
                "secondary": "二次資料"}
MARGIN_TABLES_JA = {"size": "規模別件数", "industry": "業種別件数", "attack_type": "攻撃種別件数（累計）",
                    "attack_type_recent": "攻撃種別件数（直近2年）"}
CATEGORY_HEADINGS_JA = {"size": "規模", "industry": "業種", "attack_type": "攻撃種別",
                        "attack_type_recent": "攻撃種別"}
CATEGORIES_JA = {"all_other_industries": "その他の業種", "web_leak": "ウェブサイトからの情報漏えい",
                 "web_leak_plus_other": "ウェブサイトからの情報漏えい・その他", "total": "合計",
                 "minor": "軽微なインシデント"}
COLUMNS_JA = {"published": "公表値", "model": "モデル値", "difference": "差", "relative_difference": "相対差",
              "quality": "数値の種類", "interaction": "項目", "target": "目標値", "attack_type": "攻撃種別",
              "period": "期間", "statistic": "統計量", "n_answers": "回答数",
              "survey_quantile": "公表値の分位点", "figure": "項目", "population": "対象",
              "distance": "乖離", "tolerance": "許容差", "passed": "合否"}
PASSED_JA = {True: "合格", False: "不合格"}
# The figures ``cyberloss validate`` compares (data/external.json's keys and the notes the rows
# add to them) and the populations they describe.
FIGURES_JA = {
    "reporting.all_ransomware_per_year": "国内のランサムウェア感染の年間件数（公表されないものを含む）",
    "reporting.publicised_per_all_ransomware": "公表1件あたりのランサムウェア感染の全件数",
    "npa2025.reported_cases": "警察庁2025: 警察に届け出られたランサムウェア被害の件数（年間）",
    "kanagawa.share_reporting_to_police": "神奈川県警: 警察に届け出た被害組織の割合",
    "npa2025.share_cost_at_least_10m_h1": "警察庁2025上半期: 調査・復旧費用が1,000万円以上の割合",
    "npa2025.share_cost_at_least_10m": "警察庁2025: 調査・復旧費用が1,000万円以上の割合",
    "npa2025.share_recovered_within_one_month": "警察庁2025: 1か月以内に復旧した割合",
    "npa2025.share_one_week_or_more_h1": "警察庁2025上半期: 復旧に1週間以上を要した割合",
    "ipa2024.share_with_incident": "IPA2024: 1年間にインシデントのあった中小企業の割合",
    "ipa2024.mean_damage_among_victims": "IPA2024: 被害組織の過去3期の被害額の平均値",
    "ipa2024.share_victims_damage_at_least_1m": "IPA2024: 過去3期の被害額が100万円以上の被害組織の割合",
    "ipa2024.mean_recovery_days": "IPA2024: 復旧日数の平均値",
    "ipa2024.share_recovery_50_days_or_more": "IPA2024: 復旧に50日以上を要した割合",
    "ipa2024.max_damage": "IPA2024: 最大被害額の分位点",
}
FIGURE_NOTES_JA = {"simulated": "シミュレーション", "8 earlier + 21 recent": "2022年6月以前 8 件＋直近2年 21 件",
                   "survey quantile": "模擬アンケートでの分位点"}
POPULATIONS_JA = {
    "Japan, publicised incidents, 2017-01..2024-06": "国内、公表事例、2017年1月～2024年6月",
    "Japan, publicised incidents, 2022-07..2024-06": "国内、公表事例、2022年7月～2024年6月",
    "Japan, publicised incidents, surveyed victims": "国内、公表事例のうちアンケート回答組織",
    "Japan, publicised ransomware, 29 surveyed victims 2017-01..2024-06":
        "国内、ランサムウェア感染の公表事例のアンケート回答 29 組織、2017年1月～2024年6月",
    "Japan, all organisations, all incidents": "国内、全組織、全インシデント",
    "Japan, ransomware": "国内、ランサムウェア感染",
    "ransomware victims reporting to police": "警察に届け出たランサムウェア被害組織",
    "ransomware victims reporting to police, 2025H1": "警察に届け出たランサムウェア被害組織、2025年上半期",
    "ransomware victims reporting to police, 2025": "警察に届け出たランサムウェア被害組織、2025年",
    "ransomware victims reporting to police, 2025 (107 answers)":
        "警察に届け出たランサムウェア被害組織、2025年（回答 107 件）",
    "victims of cyber attacks (all attack types), Kanagawa": "神奈川県のサイバー攻撃被害組織（全攻撃種別）",
    "SMEs, all incidents, fiscal 2023": "中小企業、全インシデント、2023年度",
    "SMEs with an incident in the past three periods, all incidents":
        "過去3期にインシデントのあった中小企業、全インシデント",
    "SMEs, incidents of victims, all incidents": "中小企業の被害組織のインシデント、全インシデント",
}

# cyberloss fit: the columns of its severity and credibility tables.
FIT_COLUMNS_JA = {"attack_type": "攻撃種別", "size": "規模", "claims": "請求件数", "censored": "打切り件数",
                  "median (fit)": "中央値（推定）", "sigma (fit)": "σ（推定）", "mu ± se": "μ ± 標準誤差",
                  "mu (naive)": "μ（単純推定）", "mu (JNSA)": "μ（JNSA）", "sigma (JNSA)": "σ（JNSA）",
                  "ground_up_claims": "免責前換算件数", "policy_years": "契約年数",
                  "expected_prior": "JNSAでの期待件数", "credibility": "信頼度", "factor": "補正係数"}

# cyberloss sensitivity: its measures (sensitivity.MEASURES; the text and the tornado chart),
# the columns of its table and the two bounds.
MEASURES_JA = {"expected_loss": "期待損失（総額）", "premium": "営業保険料", "var_0.99": "VaR 99%（総額）",
               "tvar_0.99": "TVaR 99%（総額）"}
SENSITIVITY_COLUMNS_JA = {"assumption": "前提", "value": "使用値", "low": "下限", "high": "上限",
                          "at low": "下限での変化", "at high": "上限での変化"}
BOUNDS_JA = {"low": "下限", "high": "上限"}

# cyberloss bcp: the baseline's name, what an assumption in use is about, and the lines under
# the table (the basis and period line is basis_words', shared with the web page).
BASELINE_JA = {"as is": "現状"}
# The default variants' names (bcp.default_variants; "{control}" is the control's key, "{label}"
# its label_ja).
VARIANTS_JA = {**BASELINE_JA, "+ {control} ({label})": "+ {label}",
               "downtime halved (BCP target)": "停止期間を半減（BCP目標）", "all controls": "すべての対策"}
ASSUMED_JA = {"severity": "損害額", "shares": "損害項目の構成比", "downtime": "停止日数", "effort": "対応工数"}


# Workbooks (--xlsx, the web page's report.xlsx): the Japanese names of their sheets, the
# columns and row labels of the tables they hold ("<column>_se" is "<column> 標準誤差") and the
# heading of each sheet's first column, which says that amounts are in yen (JPY, as in English).
SHEETS_JA = {"quote": "見積り", "statistics": "統計量", "premiums": "保険料",
             "premium by section": "補償項目別の保険料", "EP curve": "超過確率曲線",
             "decision grid": "免責金額×支払限度額", "bcp": "BCP比較"}
SHEET_INDEX_JA = {"quote": "項目（金額は円）", "statistics": "統計量（金額は円）", "premiums": "算出原理（金額は円）",
                  "premium by section": "補償項目（金額は円）", "EP curve": "再現期間（年、金額は円）",
                  "decision grid": "選択肢（金額は円）", "bcp": "ケース（金額は円）"}
SHEET_COLUMNS_JA = {
    "statistics": VIEWS_JA,
    "premiums": {"label": "算出原理と付加", **PREMIUM_PARTS_JA},
    "premium by section": PREMIUM_PARTS_JA,
    "EP curve": {"aep": "総額 AEP", "oep": "総額 OEP", "aep_insured": "保険金 AEP", "aep_retained": "自己負担 AEP"},
    "decision grid": {"insured": "保険あり", "deductible": "免責金額", "limit": "年間総支払限度額",
                      "insured_el": "期待保険金", "premium": "保険料", "retained_el": "自己負担の期待値",
                      "retained_tvar": "自己負担の TVaR", "tail_capital_cost": "テール資本コスト",
                      "total_cost": "リスク総コスト", "efficient": "効率的フロンティア", "recommended": "推奨"},
    "bcp": {"expected_loss": "年間期待損失", "expected_downtime_days": "停止日数/年",
            "expected_ransomware_downtime_days": "ランサム停止日数/年", "difference_to_baseline": "基準との差",
            "downtime_difference": "停止日数の差", "ransomware_downtime_difference": "ランサム停止日数の差"},
}
SHEET_ROWS_JA = {"statistics": STATISTICS_JA, "premiums": PRINCIPLES_JA, "premium by section": SECTIONS_JA}


def sheets_in(sheets: Mapping, lang: str, rows: Mapping[str, Mapping] | None = None,
              columns: Mapping[str, Mapping] | None = None) -> dict:
    """A workbook's ``sheets`` (name -> DataFrame) in ``lang``: in Japanese their names, columns
    and row labels (``SHEET_COLUMNS_JA`` and ``SHEET_ROWS_JA``, and ``columns`` and ``rows`` by
    sheet) and their first column's heading, with the unit of the amounts; in English as given."""
    if lang != "ja":
        return dict(sheets)
    out = {}
    for name, table in sheets.items():
        named = {**SHEET_COLUMNS_JA.get(name, {}), **(columns or {}).get(name, {})}
        labels = {**SHEET_ROWS_JA.get(name, {}), **(rows or {}).get(name, {})}

        def column(c: str, named=named) -> str:
            base, se = (c[:-3], True) if c.endswith("_se") else (c, False)
            return named.get(base, base) + (" 標準誤差" if se else "")
        shown = table.rename(index=lambda r, labels=labels: labels.get(r, r), columns=column)
        out[SHEETS_JA.get(name, name)] = shown.rename_axis(SHEET_INDEX_JA.get(name, "金額は円"))
    return out


# Warnings the text output prints on stderr (JSON lists them in English, machine-read), each
# English sentence beside its Japanese, "{name}" fields carried over.  The no-exposure cell's is
# worded here (Calibration.unfitted_cell); the reliability warnings are worded by the C++ core
# (Model::reliability_warnings in src/engine.cpp), whose sentences these English ones repeat.
UNFITTED_CELL = ("industry '{industry}' has no exposure of size '{size}' in the calibration ({share} is 0 "
                 "there): its rates are the fitted model's extrapolation to a cell the survey cannot speak "
                 "for; the industries fitted for this size are {fitted}")
# A portfolio's policies in such cells (Portfolio.warnings): "{cells}" lists them as
# "<industry> x <size>: <policies> (rows <r>, <r>, ...)", separated by "; ".
UNFITTED_POLICIES = ("{n} of {total} policies are in cells the calibration has no exposure for ({cells}): their "
                     "rates are the fitted model's extrapolation to cells the survey cannot speak for "
                     "(Calibration.unfitted_cell)")
WARNINGS_JA = {
    UNFITTED_POLICIES: "契約 {total} 件のうち {n} 件はキャリブレーションにエクスポージャーのない区分にある（{cells}）: "
                       "その発生率は推定したモデルを調査が何も言えない区分へ外挿したもの（Calibration.unfitted_cell）",
    UNFITTED_CELL: "業種「{industry}」には規模「{size}」の組織がキャリブレーションにない（{share} が 0）: その発生率は"
                   "推定したモデルを調査が何も言えない区分へ外挿したもの。この規模で推定された業種は {fitted}",
    "{types}: the mean loss per incident is not finite, so the sample mean and its standard error "
    "estimate nothing": "{types}: 1件あたり損害額の平均が有限でないため、標本平均とその標準誤差は何も推定しない",
    "{types}: the variance of a loss is infinite, so the standard error of the mean is undefined and "
    "the one reported understates the uncertainty":
        "{types}: 損害額の分散が無限大のため、平均の標準誤差は定義されず、示される標準誤差は不確かさを過小に示す",
    "the exact mean is out of reach of {years} simulated years: {share}% of the expected annual loss "
    "comes from losses that 95% of such runs never see (for attack type '{type}', losses above {loss} JPY), "
    "{times} the standard error those runs report; the sample mean will most likely fall far short of the "
    "exact mean ({mean} JPY a year) without its standard error showing it":
        "シミュレーション {years} 年では厳密な平均に届かない: 年間期待損失の {share}% は、そうした実行の 95% が"
        "一度も見ない損害（攻撃種別「{type}」では {loss}を超える損害）から来ており、その大きさは実行が示す標準誤差の"
        " {times}。標本平均は厳密な平均（年 {mean}）をおそらく大きく下回り、標準誤差にもそれが表れない",
    "{types}: the fourth moment of a loss is infinite, so the standard error of the mean is itself very "
    "uncertain; read it as a rough guide":
        "{types}: 損害額の4次モーメントが無限大のため、平均の標準誤差そのものが非常に不確か。目安として読むこと",
}
# The parts of the fields above: the attack types named (each with what its moments allow)
# and how far the missed part of the mean lies beyond the standard error.
_WARNING_PARTS_JA = (
    (r"^attack types? ", "攻撃種別 "),
    (r"\(([^ ]+)% of the expected annual loss, ", "(年間期待損失の \\1%、"),
    (r"'([^']*)' \(", "「\\1」（"),
    (r"moments below order (\S+) only\)", "\\1 次未満のモーメントのみ）"),
    (r"beyond double precision\)", "倍精度の範囲を超える）"),
    (r"）, ", "）、"),
    (r"^(\S+) times$", "\\1 倍"),
    (r"^far beyond$", "はるか上"),
)


#: The fields above that hold an amount in JPY as the core writes it ("8.54e+06"): said in 万円 /
#: 億円 in Japanese.
_AMOUNT_FIELDS = ("loss", "mean")


def _yen_words(value: str) -> str:
    """An amount of a warning ("8.54e+06") in 万円 / 億円 (``money.yen_words``: "854万円", zero
    "0円", from 1京円 in e-notation); a value that is not a finite number stays as it is."""
    try:
        x = float(value)
    except ValueError:
        return value
    return money.yen_words(x) if math.isfinite(x) else value


def _template_pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)) + "$")


_WARNING_PATTERNS = [(_template_pattern(en), ja) for en, ja in WARNINGS_JA.items()]


def warning_words(warning: str, lang: str, names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A warning of :data:`WARNINGS_JA` in ``lang``; ``names`` gives the Japanese of the
    industries, sizes and attack types it names (by "industry", "size" and "attack_type", then
    key).  A sentence not listed stays as it is."""
    if lang != "ja":
        return warning
    named = {k: (names or {}).get(k, {}) for k in ("industry", "size", "attack_type")}
    for pattern, ja in _WARNING_PATTERNS:
        found = pattern.match(warning)
        if found:
            fields = {}
            for key, value in found.groupdict().items():
                if key == "fitted":
                    value = "、".join(named["industry"].get(v, v) for v in value.split(", "))
                elif key == "cells":
                    value = "; ".join(_cell_words(cell, named) for cell in value.split("; "))
                elif key in ("industry", "size"):
                    value = named[key].get(value, value)
                elif key == "type":
                    value = named["attack_type"].get(value, value)
                elif key in _AMOUNT_FIELDS:
                    value = _yen_words(value)
                else:
                    for english, japanese in _WARNING_PARTS_JA:
                        value = re.sub(english, japanese, value)
                    value = re.sub("「([^」]*)」", lambda m: f"「{named['attack_type'].get(m[1], m[1])}」", value)
                fields[key] = value
            return ja.format(**fields)
    return warning


#: The core's refusals of a run too large for memory (``cyberloss::memory_error``, raised as
#: MemoryError), in Japanese. The command line checks a run's memory first and says so in
#: Japanese itself (``_validate.OutOfMemory``); the core's stricter check (80% of the memory
#: available) and an allocation that fails (std::bad_alloc) still reach it.
MEMORY_ERRORS_JA = {
    "simulation of {years} years with its events needs about {need} MiB, but only {have} MiB are "
    "available; simulate fewer years per run":
        "イベントを含む {years} 年のシミュレーションには約 {need} MiB のメモリが必要だが、使えるのは {have} MiB。"
        "1 回の実行の年数を減らす",
    "simulation of {years} years needs about {need} MiB, but only {have} MiB are available; simulate "
    "fewer years per run":
        "{years} 年のシミュレーションには約 {need} MiB のメモリが必要だが、使えるのは {have} MiB。"
        "1 回の実行の年数を減らす",
    "a portfolio block of {years} years needs {need} MiB for its year rows, more than is available: "
    "use fewer years":
        "ポートフォリオの {years} 年のブロックには年の行だけで {need} MiB が必要で、使えるメモリを超える。年数を減らす",
    "portfolio block of {years} years holds {events} events, more than the limit of {limit} ({need} "
    "MiB): use smaller blocks":
        "ポートフォリオの {years} 年のブロックのイベントは {events} 件で、上限 {limit} 件（{need} MiB）を超える。"
        "ブロックを小さくする",
    "std::bad_alloc": "メモリを確保できない（std::bad_alloc）。年数・契約数を減らす",
    "": "メモリが不足している。年数・契約数を減らす",
}
_MEMORY_PATTERNS = [(_template_pattern(en), ja) for en, ja in MEMORY_ERRORS_JA.items()]


def memory_words(message: str) -> str | None:
    """A MemoryError's message (:data:`MEMORY_ERRORS_JA`; spaces as one) in Japanese, its
    numbers as the core wrote them; None for one not listed."""
    message = " ".join(message.split())
    for pattern, ja in _MEMORY_PATTERNS:
        found = pattern.match(message)
        if found:   # whole numbers with separators, as the Japanese messages write counts
            return ja.format(**{k: f"{int(v):,}" if v.isdigit() else v for k, v in found.groupdict().items()})
    return None


def _cell_words(cell: str, named: Mapping[str, Mapping[str, str]]) -> str:
    """A cell of :data:`UNFITTED_POLICIES` ("manufacturing x organisation: 2 (rows 3, 7)") in
    Japanese ("製造業 × 団体等: 2 件（行 3、7）"); a cell not so written stays as it is."""
    found = re.fullmatch(r"(\S+) x (\S+): (\d+) \(rows ([^)]*)\)", cell)
    if not found:
        return cell
    industry, size, n, rows = found.groups()
    rows = rows.replace(", ...", "、…").replace(", ", "、")
    return (f"{named['industry'].get(industry, industry)} × {named['size'].get(size, size)}: "
            f"{n} 件（行 {rows}）")


def basis_words(basis: str, period: str, lang: str) -> str:
    """What a simulation counts (its basis) and the calibration window, in ``lang``: in English
    with the keys a profile's ``[simulation]`` takes, in Japanese by the Japanese names, which
    it takes as well (「全インシデント（公表されたものに限らない）、期間: 直近2年」)."""
    if lang == "ja":
        return f"{BASES_JA.get(basis, basis)}、期間: {PERIODS_JA.get(period, period)}"
    shown = "all incidents, not only publicised ones" if basis == "all" else f"{basis} incidents"
    return f"{shown} ({basis}), {period} period"


def statistics_labels(frame, lang: str):
    """A describe() table with its row and column labels in ``lang``: the statistics (mean,
    std, P(loss>0); VaR and TVaR stay), the views and each standard error column
    ("<column> 標準誤差")."""
    if lang != "ja":
        return frame

    def column(c: str) -> str:
        base, se = (c[:-3], True) if c.endswith("_se") else (c, False)
        return VIEWS_JA.get(base, base) + (" 標準誤差" if se else "")
    return frame.rename(index=lambda r: STATISTICS_JA.get(r, r), columns=column).rename_axis("統計量")


# ----- plots -----------------------------------------------------------------------------------
# The words of the package's plots (the EP curves, the retention decision, the tornado chart,
# the QQ and probability plots, the simulated JNSA survey, the web page's EP and BCP plots), by
# their English; "{name}" fields are filled in after the lookup.  The views, sections, attack
# types and periods are named by the tables' words above and the calibration's label_ja.
PLOTS_JA = {
    # EP curves (the Python API, the CLI's --plot, the HTML report, the web page)
    "EP curves: {name}": "超過確率曲線：{name}",
    "EP curve: {name}": "超過確率曲線：{name}",
    "return period (years, log scale)": "再現期間（年、対数目盛）",
    "loss": "損害額",
    "annual loss": "年間損害額",
    "{n} simulated years": "シミュレーション {n} 年",
    "{view} AEP ± SE": "{view} AEP ± 標準誤差",
    # the retention decision
    "annual aggregate limit": "年間総支払限度額",
    "deductible per occurrence": "1事故あたり免責金額",
    "total cost of risk": "リスク総コスト",
    "options": "選択肢",
    "efficient frontier": "効率的フロンティア",
    "no insurance": "保険なし",
    "recommended": "推奨",
    "retained TVaR {level}": "自己負担の TVaR {level}",
    "expected cost: retained loss + premium": "期待コスト：自己負担額＋保険料",
    "risk kept vs. expected cost": "保有するリスクと期待コスト",
    # the tornado chart (cyberloss sensitivity)
    "Assumption sensitivity: {measure}": "前提の感応度：{measure}",
    "change of {measure} (base {base})": "{measure}の変化（基準 {base}）",
    "low bound": "下限",
    "high bound": "上限",
    # the QQ and probability plots (cyberloss fit)
    "claims": "保険金請求",
    "fitted quantile (log scale)": "あてはめた分布の分位点（対数目盛）",
    "observed ground-up loss (log scale)": "観測された損害額（免責控除前、対数目盛）",
    "QQ (truncated/censored scale)": "QQプロット（切断・打ち切りの尺度）",
    "truncation/censoring-aware fit": "切断・打ち切りを考慮したあてはめ",
    "naive fit": "単純なあてはめ",
    "model CDF given loss > deductible": "免責金額を超える損害のモデル累積分布",
    "product-limit CDF (Turnbull)": "積極限推定の累積分布（Turnbull）",
    "probability plot": "確率プロット",
    # the simulated JNSA survey
    "simulated median": "模擬アンケートの中央値",
    "simulated mean": "模擬アンケートの平均値",
    "published median": "公表値（中央値）",
    "published mean": "公表値（平均値）",
    "loss per incident": "1件あたり損害額",
    "surveys": "アンケート数",
    "{attack_type} ({period}), {n} answers": "{attack_type}（{period}）、回答 {n} 件",
    # the web page's BCP plot
    "change in expected annual loss ± SE": "年間期待損失の変化 ± 標準誤差",
    "BCP: {baseline} vs. variants (common random numbers)": "BCP：{baseline}と各案の比較（共通乱数）",
}
# The message of a portfolio without policies (PortfolioResult.message; JSON keeps the English).
EMPTY_PORTFOLIO = "the portfolio has no policies: nothing to simulate, the result is empty"
MESSAGES_JA = {EMPTY_PORTFOLIO: "ポートフォリオに契約がない: シミュレーションするものがなく、結果は空"}

# A year-loss table's default title (YearLossTable.title), the plot's title when none is given.
TITLES_JA = {"year-loss table": "年間損失表", "cyberloss simulation": "cyberloss シミュレーション",
             "cyberloss portfolio": "cyberloss ポートフォリオ", "InsuredResult": "保険適用後の年間損失表",
             "OrganisationSimulation {name}": "組織シミュレーション：{name}"}


def plot_words(lang: str | None = None) -> Callable[..., str]:
    """``t(english, **fields)``: a plot's words in ``lang`` (None: the locale's, as
    :func:`resolve` chooses), its fields filled in."""
    japanese = resolve(lang) == "ja"

    def t(english: str, **fields: object) -> str:
        return (PLOTS_JA[english] if japanese else english).format(**fields)
    return t
