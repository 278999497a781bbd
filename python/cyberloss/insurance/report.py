"""The quote report people keep: an HTML page (the packaged template of ``report.html``) in
Japanese or English.

Sections: the organisation profile (each field given or defaulted, with the default's source),
the policy terms in words, the quote (expected loss, standard deviation, VaR, TVaR by view),
premiums with their loadings explained, the EP curve and the deductible x limit grid, the
assumptions in use; the version, seed, simulated years and date head the page.  Every money
column has one unit (万円 or 億円, named in its heading) and figures are right-aligned.
"""
from __future__ import annotations

import datetime
import math
from typing import Any

from ..config import documents, labels
from ..organisation import components as comp
from ..organisation.profile import source_ja
from ..report import html as report_html
from ..report import language, money, plots
from . import terms as terms_mod

# A quote (insurance.quote.Quote) reaches here as a value: quote imports this module.
Quote = Any

_VIEWS = {"gross": ("gross loss", "損害額（総額）"), "insured": ("insured (paid by the policy)", "保険金"),
          "retained": ("retained (borne by the organisation)", "自己負担額")}
_SECTION_WORDS = {name: (en, language.SECTIONS_JA[name]) for name, en in (
    ("response", "Incident response costs"), ("liability", "Liability"),
    ("business_interruption", "Business interruption (lost profit)"))}




def _unlimited(lang: str) -> str:
    return "無制限" if lang == "ja" else "unlimited"


def _amount(x: float, lang: str) -> str:
    return _unlimited(lang) if math.isinf(x) else money.format_yen(x)


def _profile_value(field, value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if field.vocabulary and lang == "ja":
        return labels.labels(field.vocabulary).get(value) or str(value)
    if field.kind == "amount":
        return _amount(float(value), lang)
    if field.kind in ("share", "rate"):
        return f"{float(value):.1%}"
    if field.kind == "integer":
        return f"{int(value):,}"
    return str(value)


def profile_section(profile, lang: str) -> dict[str, Any]:
    """Every field of the organisation, flagged when it took a default, with the source."""
    w = language.words(lang)
    rows, flags = [], []
    for key in ("name", "industry", "size", "revenue", "gross_margin", "employees",
                "personal_records", "card_records", "ec_share", "labour_cost_month", "it_dependency"):
        field = documents.ORGANISATION.field(key)
        source = profile.sources.get(key, "given")
        given = source == "given"
        label = w(field.label or key, field.label_ja or field.label or key)
        rows.append((label, _profile_value(field, getattr(profile, key), lang), w(source, source_ja(source))))
        flags.append("" if given else w("default", "既定値"))
    controls = profile.controls
    enabled = w(", ", "、").join(documents.CONTROLS.field(c).label_ja if lang == "ja" else c
                                for c in controls.enabled()) or w("none", "なし")
    control_source = profile.sources.get("controls", "given")
    rows.append((w("controls", "対策"), f"{enabled}{w('; ', '；')}{w('downtime x', '停止期間の倍率')} "
                 f"{controls.downtime_scale:g}", w(control_source, source_ja(control_source))))
    flags.append("" if control_source == "given" else w("default", "既定値"))
    cols = [report_html.column(w("field", "項目"), align="text"),
            report_html.column(w("value", "値"), align="text"),
            report_html.column(w("source", "出典"), align="text")]
    note = w("Highlighted fields were not given and took the default named in the source column "
             "(data/components.json, by industry and size).",
             "色付きの項目は入力がなく、出典欄の既定値（data/components.json、業種・規模別）を用いています。")
    return report_html.section("profile", w("Organisation profile", "組織プロファイル"),
                               [report_html.table(cols, rows, note=note, flags=flags)])


def terms_in_words(terms: terms_mod.CoverageTerms, lang: str) -> list[str]:
    """The policy as sentences: deductible, aggregate limit, each section and its limits."""
    w = language.words(lang)
    lines = [w("No deductible: every incident is covered from the first yen.",
               "免責金額なし（1事故の損害を1円目から補償）。") if terms.deductible == 0
             else w(f"Deductible {money.format_yen(terms.deductible)} per occurrence, across sections.",
                    f"免責金額は1事故につき{money.format_yen(terms.deductible)}（全補償項目共通）。"),
             w("No annual aggregate limit (unlimited over all sections).",
               "年間総支払限度額なし（全補償項目合計で無制限）。") if math.isinf(terms.aggregate_limit)
             else w(f"Annual aggregate limit {_amount(terms.aggregate_limit, lang)} over all sections.",
                    f"年間総支払限度額は全補償項目合計で{_amount(terms.aggregate_limit, lang)}。")]
    for name in terms_mod.SECTIONS:
        if name not in _SECTION_WORDS:
            continue
        title = w(f"{_SECTION_WORDS[name][0]} ({_SECTION_WORDS[name][1]})", _SECTION_WORDS[name][1])
        parts = section_terms(name, terms.sections.get(name), lang) or [covered_words(False, lang)]
        lines.append(w(f"{title}: " + "; ".join(parts) + ".", f"{title}：" + "、".join(parts) + "。"))
    lines.append(w("Recurrence-prevention costs (再発防止費用) are ", "再発防止費用は")
                 + covered_words(terms.cover_prevention, lang) + w(".", "。"))
    return lines


def covered_words(covered: bool, lang: str) -> str:
    """Whether a section or the recurrence-prevention costs are covered: 補償対象 / 補償対象外."""
    w = language.words(lang)
    return w("covered", "補償対象") if covered else w("not covered", "補償対象外")


def section_terms(name: str, sec: terms_mod.SectionTerms | None, lang: str) -> list[str]:
    """The terms of a covered section as phrases (「1事故につき1.00億円まで補償」, or
    「1事故あたりの支払限度額なし（無制限）で補償」 without a limit; 「免責金額控除後の
    損害の80%を支払い」, the sublimits, a business interruption's periods); none when the
    section is absent or not covered (the web's Cover page shows them as the report does)."""
    if sec is None or not sec.covered:
        return []
    w = language.words(lang)
    parts = [w("covered with no per-occurrence limit", "1事故あたりの支払限度額なし（無制限）で補償")
             if math.isinf(sec.limit) else w(f"covered up to {_amount(sec.limit, lang)} per occurrence",
                                             f"1事故につき{_amount(sec.limit, lang)}まで補償")]
    if sec.coinsurance < 1:
        parts.append(w(f"pays {sec.coinsurance:.0%} of the loss after the deductible",
                       f"免責金額控除後の損害の{sec.coinsurance:.0%}を支払い"))
    if sec.sublimits:
        names = comp.load().raw["components"]["labels_ja"] if lang == "ja" else {}
        subs = w(", ", "、").join(f"{names.get(k, k)} {_amount(v, lang)}" for k, v in sec.sublimits.items())
        parts.append(w(f"sublimits: {subs}", f"縮小支払限度額：{subs}"))
    if name == "business_interruption":
        days = sec.indemnity_period_days
        parts.append(w(f"waiting period {sec.waiting_period_days:g} days, indemnity period "
                       + ("unlimited" if math.isinf(days) else f"{days:g} days"),
                       f"待機期間{sec.waiting_period_days:g}日、補償期間"
                       + ("無制限" if math.isinf(days) else f"{days:g}日")))
    return parts


def _principle_labels(quote: Quote, lang: str) -> dict[str, str]:
    """A premium row's label (the principle's, in English) -> the label in ``lang``."""
    return {p.label(): p.label(lang) for p in quote.settings.principles}


def _money_columns(table, columns, labels, lang: str, first: tuple[str, list[str]]):
    """Columns of amounts, each with its own unit, after a first text column."""
    cols = [report_html.column(first[0], align="text")]
    cells = [first[1]]
    for c, label in zip(columns, labels):
        unit, shown = money.money_column(table[c].tolist(), _unlimited(lang))
        cols.append(report_html.column(label, unit))
        cells.append(shown)
    return cols, [list(r) for r in zip(*cells)]


def quote_section(quote: Quote, lang: str) -> dict[str, Any]:
    w = language.words(lang)
    st = quote.statistics.drop(index="P(loss>0)")
    names = [w("expected loss", "期待損失") if r == "mean" else w("standard deviation", "標準偏差")
             if r == "std" else r for r in st.index]
    columns, labels = [], []
    for view in terms_mod.VIEWS:
        columns += [view, f"{view}_se"]
        labels += [w(_VIEWS[view][0], _VIEWS[view][1]), w("± SE", "± 標準誤差")]
    cols, rows = _money_columns(st, columns, labels, lang, (w("statistic", "統計量"), names))
    p = quote.statistics.loc["P(loss>0)"]
    note = w(f"Annual amounts. P(loss > 0) gross {p['gross']:.3%}. VaR is the lower empirical "
             "quantile of the annual loss; TVaR the mean beyond it; ± SE the Monte Carlo standard "
             "error.", f"年間の金額。年間に損害が生じる確率（総額）{p['gross']:.3%}。VaRは年間損害額の経験分位点、"
             "TVaRはそれを超える部分の平均、± 標準誤差はモンテカルロ誤差。")
    return report_html.section("quote", w("Quote", "見積り"), [report_html.table(cols, rows, note=note)])


def premium_section(quote: Quote, lang: str) -> dict[str, Any]:
    w = language.words(lang)
    t = quote.premiums.copy()
    t["risk_loading"] = t["risk_premium"] - t["expected_loss"]
    t["expense_profit"] = t["technical_premium"] - t["risk_premium"]
    columns = ["expected_loss", "risk_loading", "risk_premium", "expense_profit", "technical_premium",
               "technical_premium_se"]
    labels = [w("expected insured loss", "期待保険金"), w("risk loading", "リスク割増"),
              w("risk premium", "リスク保険料"), w("expense and profit load", "事業費・利潤付加"),
              w("technical premium", "営業保険料"), w("± SE", "± 標準誤差")]
    shown = _principle_labels(quote, lang)
    names = [shown.get(label, label) for label in t["label"]]
    cols, rows = _money_columns(t, columns, labels, lang, (w("principle", "算出原理"), names))
    loads = quote.settings.loads
    explain = w(f"risk premium = expected insured loss + risk loading (by the principle); technical "
                f"premium = (risk premium + fixed expense {money.format_yen(loads.fixed_expense)}) / "
                f"(1 − expense ratio {loads.expense_ratio:.0%} − profit ratio {loads.profit_ratio:.0%}).",
                f"リスク保険料 = 期待保険金 + リスク割増（算出原理による）。営業保険料 = (リスク保険料 + 固定費"
                f"{money.format_yen(loads.fixed_expense)}) ÷ (1 − 事業費率{loads.expense_ratio:.0%} − "
                f"利潤率{loads.profit_ratio:.0%})。")
    by_section = quote.section_premium.by_section
    headings = {c: w(en, language.PREMIUM_PARTS_JA[c]) for c, en in (
        ("expected_loss", "expected insured loss"), ("risk_premium", "risk premium"),
        ("technical_premium", "technical premium"))}
    sections = [w(f"{_SECTION_WORDS[i][0]} ({_SECTION_WORDS[i][1]})", _SECTION_WORDS[i][1])
                if i in _SECTION_WORDS else w(str(i), language.SECTIONS_JA.get(str(i), str(i)))
                for i in by_section.index]
    s_cols, s_rows = _money_columns(by_section, list(by_section.columns),
                                    [headings.get(c, c) for c in by_section.columns], lang,
                                    (w("section", "補償項目"), sections))
    return report_html.section("premiums", w("Premiums", "保険料"), [
        report_html.table(cols, rows, note=explain),
        report_html.table(s_cols, s_rows, caption=w(f"By section ({names[0]})", f"補償項目別（{names[0]}）"))])


def ep_section(quote: Quote, lang: str) -> dict[str, Any]:
    w = language.words(lang)
    plt = plots.pyplot()
    ax = quote.plot_ep(lang=lang)
    try:
        image = report_html.figure(ax.figure, w("EP curves", "超過確率曲線"))
    finally:
        plt.close(ax.figure)
    ep = quote._ep_table().to_pandas()
    periods = [f"{p:,.0f}" for p in ep["return_period"]]
    cols, rows = _money_columns(ep, ["aep", "oep", "aep_insured", "aep_retained"],
                                [w("gross AEP", "総額 AEP"), w("gross OEP", "総額 OEP"),
                                 w("insured AEP", "保険金 AEP"), w("retained AEP", "自己負担 AEP")],
                                lang, (w("return period (years)", "再現期間（年）"), periods))
    note = w("AEP: the annual loss exceeded once in the return period; OEP: the largest single "
             "incident's loss exceeded once in it.",
             "AEP：年間損害額の超過確率、OEP：年間最大の1事故損害額の超過確率。")
    return report_html.section("ep", w("Exceedance probability", "超過確率"),
                               [image, report_html.table(cols, rows, note=note)])


def decision_section(quote: Quote, lang: str) -> dict[str, Any]:
    w = language.words(lang)
    plt = plots.pyplot()
    fig = quote.decision.plot(lang=lang)
    try:
        image = report_html.figure(fig, w("deductible x limit grid", "免責金額×支払限度額"))
    finally:
        plt.close(fig)
    grid = quote.decision.grid[quote.decision.grid["insured"]]
    columns = ["limit", "premium", "retained_el", "tail_capital_cost", "total_cost"]
    labels = [w("aggregate limit", "総支払限度額"), w("premium", "保険料"),
              w("retained expected loss", "自己負担の期待値"), w("tail capital cost", "テール資本コスト"),
              w("total cost of risk", "リスク総コスト")]
    deductibles = money.money_column(grid["deductible"].tolist(), _unlimited(lang))
    cols, rows = _money_columns(grid, columns, labels, lang,
                                (w(f"deductible ({deductibles[0]})", f"免責金額（{deductibles[0]}）"),
                                 deductibles[1]))
    rec = quote.decision.recommended
    flags = [w("recommended", "推奨") if (r.deductible == rec["deductible"] and r.limit == rec["limit"]) else ""
             for r in grid.itertuples()]
    return report_html.section("decision", w("Deductible and limit", "免責金額と支払限度額"), [
        report_html.text(quote.decision.reason_in(lang)), image, report_html.table(cols, rows, flags=flags)])


def assumptions_section(quote: Quote, lang: str) -> dict[str, Any]:
    w = language.words(lang)
    loads, d = quote.settings.loads, quote.settings.decision
    lines = [
        w(f"Expense ratio {loads.expense_ratio:.0%} and profit ratio {loads.profit_ratio:.0%} "
          f"({documents.LOADS.field('expense_ratio').default_from}).",
          f"事業費率{loads.expense_ratio:.0%}、利潤率{loads.profit_ratio:.0%}（仮定：日本の損害保険の一般的な水準）。"),
        w(f"Cost of capital of the retained tail {d.cost_of_capital:.0%} at TVaR {d.tail_level:.1%} "
          "(assumption).",
          f"自己負担テールの資本コスト率{d.cost_of_capital:.0%}、TVaR水準{d.tail_level:.1%}（仮定）。"),
        w("Frequencies and losses per incident are calibrated to the JNSA 2025 survey "
          "(data/jnsa2025.json); components, downtime and controls to data/components.json, "
          "where each number states its source and whether it is published, derived or an "
          "assumption.", "発生頻度と1事故あたり損害額はJNSA 2025調査に較正（data/jnsa2025.json）。"
          "損害の内訳・停止期間・対策の効果はdata/components.json（各数値に出典と、公表値・導出値・仮定の別を記載）。"),
        w("Premium principles: " + ", ".join(quote.premiums["label"]) + ".",
          "保険料算出原理：" + "、".join(_principle_labels(quote, lang).get(label, label)
                                   for label in quote.premiums["label"]) + "。"),
    ]
    lines += [w(f"Warning: {x}", f"注意：{x}") for x in quote.result.warnings]
    return report_html.section("assumptions", w("Assumptions", "前提"), [report_html.items(lines)])


def render(quote: Quote, lang: str = "en", now: datetime.datetime | None = None) -> str:
    """The quote report as a self-contained HTML page in ``lang`` ("ja" or "en")."""
    w = language.words(lang)
    version = report_html.package_version()
    when = (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    res = quote.result
    meta = [(w("simulated years", "シミュレーション年数"), f"{res.n_years:,}"),
            (w("seed", "乱数シード"), str(quote.settings.seed)),
            (w("incidents", "事故件数"), f"{res.n_events:,}"),
            (w("cyberloss version", "cyberloss バージョン"), version),
            (w("date", "作成日時"), when)]
    if quote.calibration:
        meta.append((w("calibration", "キャリブレーション"),
                     w(quote.calibration, quote.calibration_ja or quote.calibration)))
    sections = []
    if quote.profile is not None:
        sections.append(profile_section(quote.profile, lang))
    sections += [report_html.section("terms", w("Policy terms", "保険条件"),
                                     [report_html.items(terms_in_words(res.terms, lang))]),
                 quote_section(quote, lang), premium_section(quote, lang), ep_section(quote, lang),
                 decision_section(quote, lang), assumptions_section(quote, lang)]
    return report_html.render(
        w(f"Cyber insurance quote: {quote.name}", f"サイバー保険 見積り：{quote.name}"), sections,
        lang=lang, subtitle=w("Amounts in JPY (万円 = 10,000 yen, 億円 = 100 million yen).",
                              "金額は円（万円・億円）。"),
        meta=meta, version=version,
        footer=w(f"cyberloss {version}, seed {quote.settings.seed}, {when}. Results depend only on the "
                 "model, the seed and the number of years.",
                 f"cyberloss {version}、乱数シード {quote.settings.seed}、{when}。"
                 "結果はモデル・シード・年数のみで決まります。"))
