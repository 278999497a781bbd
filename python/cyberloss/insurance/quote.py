"""A quote for one organisation: its losses under a policy, premiums, EP curve, retention choice.

``quote_events`` works on any event table (see :mod:`.terms`); ``quote_profile`` simulates the
organisation described by a profile TOML (``cyberloss.organisation``) and reads the policy from
its ``[terms]`` table and the settings from its ``[quote]`` table
(``config.documents.QUOTE``).  Every default is an assumption the user can override in
``[quote]``.  The simulation, the terms, the statistics, the premiums and the deductible x
limit grid all run in the C++ core; this module passes the parameters down once and presents.
"""
from __future__ import annotations

import dataclasses
import functools
import html
import math
from collections.abc import Callable, Mapping, Sequence
from concurrent import futures
from pathlib import Path
from typing import Any

from .. import _json, _validate, config, stats
from .._extras import require
from .._lazy import pandas as pd
from .._table import FrameField, Table, held, plain
from ..calibration import Calibration
from ..calibration import load as load_calibration
from ..config import documents
from ..organisation import profile as org_profile
from ..organisation.simulate import QUOTE_BYTES_PER_EVENT, QUOTE_BYTES_PER_YEAR, expected_events, simulate_organisation
from ..report import html as report_html
from ..report import language, money, text
from ..report import progress as report_progress
from . import decision as decision_mod
from . import pricing
from . import report as quote_report
from . import terms as terms_mod

DEFAULT_LEVELS = (0.99, 0.995)
MIN_YEARS = documents.MIN_QUOTE_YEARS


@dataclasses.dataclass(frozen=True)
class DecisionSettings:
    """How the deductible x limit grid is priced and judged (``[quote.decision]``)."""

    deductibles: tuple = decision_mod.DEFAULT_DEDUCTIBLES
    limits: tuple = decision_mod.DEFAULT_LIMITS
    principle: Any = "expected_value"
    cost_of_capital: float = 0.10
    tail_level: float = 0.99
    max_premium: float | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        node = documents.DECISION
        set_(self, "deductibles", decision_mod.amounts(self.deductibles, "deductibles"))
        set_(self, "limits", decision_mod.amounts(self.limits, "limits"))
        set_(self, "principle", pricing.principle_from(self.principle, "principle"))
        for name in ("cost_of_capital", "tail_level"):
            set_(self, name, node.field(name).parse(getattr(self, name)))
        if self.max_premium is not None:
            set_(self, "max_premium", node.field("max_premium").parse(self.max_premium))

    @classmethod
    def from_dict(cls, data: Mapping, where: str = "quote.decision") -> "DecisionSettings":
        given = config.check_table(data, documents.DECISION, where)
        with _validate.located(where, documents.DECISION.keys):
            return cls(**given)


@dataclasses.dataclass(frozen=True)
class QuoteSettings:
    """Simulation size, statistics, premium principles and loads, and the decision grid."""

    years: int = 200_000
    seed: int = 1
    levels: tuple = DEFAULT_LEVELS
    principles: tuple = pricing.DEFAULT_PRINCIPLES
    loads: pricing.Loads = pricing.Loads()
    decision: DecisionSettings = DecisionSettings()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        node = documents.QUOTE
        for name in ("years", "seed"):
            set_(self, name, node.field(name).parse(getattr(self, name)))
        set_(self, "levels", tuple(node.field("levels").parse(self.levels)))
        principles = config.check(self.principles, config.ListOf("principles", config.Field(
            "principle", "any", ""), min_items=1), "principles")
        set_(self, "principles", tuple(pricing.principle_from(p, f"principles[{i}]")
                                       for i, p in enumerate(principles)))
        if not isinstance(self.loads, pricing.Loads):
            raise ValueError(f"loads must be pricing.Loads, got {_validate.shown(self.loads)}")
        if not isinstance(self.decision, DecisionSettings):
            raise ValueError(f"decision must be DecisionSettings, got {_validate.shown(self.decision)}")

    @classmethod
    def from_dict(cls, data: Mapping, where: str = "quote") -> "QuoteSettings":
        """From a table such as ``[quote]``; unknown fields are refused under ``where``."""
        given = config.check_table(data, documents.QUOTE, where)
        if "loads" in given:
            given["loads"] = pricing.Loads(**given["loads"])
        if "decision" in given:
            given["decision"] = DecisionSettings(**given["decision"])
        with _validate.located(where, documents.QUOTE.keys):
            return cls(**given)


@dataclasses.dataclass(frozen=True)
class Quote(report_html.Described):
    """Everything a quote shows; ``to_json()`` is the CLI's stable JSON contract."""

    name: str
    result: terms_mod.InsuredResult
    # Required fields (FrameField gives no default); mypy reads "= FrameField()" as one.
    statistics: FrameField[pd.DataFrame] = FrameField()   # InsuredResult.describe(settings.levels)
    premiums: FrameField[pd.DataFrame] = FrameField()     # pricing.quote_table, a row per principle
    section_premium: pricing.Premium  # type: ignore[misc]  # the first principle, by section
    decision: decision_mod.RetentionDecision  # type: ignore[misc]
    settings: QuoteSettings  # type: ignore[misc]
    profile: org_profile.OrganisationProfile | None = None   # shown in the report when known
    calibration: str | None = None    # the calibration's provenance (None: events given directly)
    # What the simulation warns of (an extrapolated cell, a mean out of reach): the CLI prints
    # them on stderr, the JSON lists them under "warnings".
    warnings: tuple[str, ...] = ()
    calibration_ja: str | None = None   # the provenance in Japanese (text and report in Japanese)

    def _ep_table(self) -> Table:
        """AEP/OEP of gross loss and AEP of insured and retained loss by return period."""
        periods = stats.default_return_periods(self.result.n_years)
        gross = self.result.ep_curve_table(periods, "gross")
        out = {k: gross.column(k) for k in ("return_period", "aep", "aep_se", "oep", "oep_se")}
        for view in ("insured", "retained"):   # AEP only: no occurrence sample to order
            out[f"aep_{view}"] = stats.ep_points(self.result.sample(view), None,
                                                 periods).column("aep")
        return Table(out)

    def summary(self, lang: str | None = None) -> pd.DataFrame:
        """Quote table (JPY): expected loss, VaR, TVaR by view, premiums by principle; its row
        and column labels in ``lang`` (those of ``text(lang)``; default: the locale's)."""
        return self._summary(language.resolve(lang)).to_pandas()

    def _figures(self, lang: str) -> dict[str, tuple[dict, dict, float | None]]:
        """The rows of the quote's table by their label in ``lang``: ({view: figure}, {view: its
        standard error}, the tail level the SEs rest on, None for a row without one)."""
        st = plain(self, "statistics")
        w = language.words(lang)
        levels = {f"{kind} {stats.level_label(p)}": p for p in self.settings.levels for kind in ("VaR", "TVaR")}
        rows = {(w("expected loss", "期待損失") if label == "mean" else
                 w("standard deviation", "標準偏差") if label == "std" else label):
                ({view: st.cell(label, view) for view in terms_mod.VIEWS},
                 {view: st.cell(label, f"{view}_se") for view in terms_mod.VIEWS}, levels.get(label))
                for label in st.labels if label != "P(loss>0)"}
        principles = {p.label(): p for p in self.settings.principles}
        for _, row in plain(self, "premiums").rows():
            p = principles.get(row["label"])
            shown = row["label"] if p is None else p.label(lang)
            rows[w(f"premium: {row['label']}", f"営業保険料: {shown}")] = (
                {"insured": row["technical_premium"]}, {"insured": row.get("technical_premium_se")},
                p.level if isinstance(p, pricing.TVaRCostOfCapital) else None)
        return rows

    def _summary(self, lang: str, rows: dict | None = None) -> Table:
        """The quote's table in ``lang``, from its rows (:meth:`_figures`) when given."""
        rows = self._figures(lang) if rows is None else rows
        return Table({language.words(lang)(view, language.VIEWS_JA[view]):
                      [figures.get(view, math.nan) for figures, _, _ in rows.values()]
                      for view in terms_mod.VIEWS}, list(rows))

    def _error_lines(self, lang: str, rows: dict, shown: Table) -> list[str]:
        """Under the quote's table (``rows`` of :meth:`_figures`, ``shown`` its cells as
        printed): the Monte Carlo standard error of each figure in the figure's place, "—"
        where the run gives none that means anything (and why), and the figure whose SE is the
        largest part of it."""
        w = language.words(lang)
        n = self.result.n_years
        cells: dict[str, list[str]] = {c: [] for c in shown.columns}
        why: set[str] = set()
        worst: tuple | None = None
        for label, (figures, errors, level) in rows.items():
            for view, column in zip(terms_mod.VIEWS, shown.columns):
                figure, se = figures.get(view, math.nan), errors.get(view)
                if math.isnan(figure) or se is None:    # no figure there, or no SE for it
                    cells[column].append("")
                elif level is not None and not stats.within_reach(level, n):
                    why.add("reach")
                    cells[column].append("—")
                elif not (math.isfinite(se) and math.isfinite(figure)):
                    why.add("finite")
                    cells[column].append("—")
                else:
                    cells[column].append(money.format_yen(se))
                    if figure != 0 and (worst is None or se / abs(figure) > worst[0]):
                        # a premium's row has one figure: its label says where it is
                        worst = (se / abs(figure), label, view if len(figures) > 1 else None, figure, se)
        lines = [w("Monte Carlo standard error (標準誤差) of each figure above:",
                   "上表の各数値のモンテカルロ標準誤差:"),
                 text.aligned(Table(cells, shown.index, shown.index_name), shown)]
        if worst is not None:
            share, label, view, figure, se = worst
            shown_view = "" if view is None else w(f" ({view})", f"（{language.VIEWS_JA[view]}）")
            figure_se = f"{money.format_yen(figure)} ± {money.format_yen(se)}"
            lines.append(w(f"largest relative standard error: {share:.1%}, {label}{shown_view}: {figure_se}",
                           f"相対標準誤差が最大の数値: {share:.1%}、{label}{shown_view}: {figure_se}"))
        if "reach" in why:
            lines.append(f"—: {stats.beyond_reach(n, lang=lang)}")
        if "finite" in why:
            lines.append(w("—: the standard error is not finite", "—: 標準誤差が有限でない"))
        heavy = {v: s for v, s in self.largest_years_shares.items() if stats.rests_on_largest_years(s)}
        if heavy:
            shares = list(heavy.values())
            lines.append(w(
                f"{', '.join(heavy)}: " + stats.largest_years_note(
                    n, shares, "the standard errors of the expected loss, standard deviation and TVaR")
                + " (the standard deviation's most)",
                f"{'・'.join(language.VIEWS_JA[v] for v in heavy)}: " + stats.largest_years_note(
                    n, shares, "期待損失・標準偏差・TVaR の標準誤差", "ja") + "（標準偏差で最も大きい）"))
        return lines

    @functools.cached_property
    def largest_years_shares(self) -> dict[str, float]:
        """Per view, the share of its variance that its ``stats.LARGEST_YEARS`` largest years
        make (:func:`stats.largest_years_share`): at ``stats.HEAVY_SHARE`` or more the text says
        that view's standard errors rest on those years.  Computed once (the text and the JSON
        both give it)."""
        return {v: self.result.sample(v).largest_years_share() for v in terms_mod.VIEWS}

    def _by_section(self, lang: str) -> Table:
        t = plain(self.section_premium, "by_section")
        if lang != "ja":
            return t
        return Table({language.PREMIUM_PARTS_JA.get(c, c): t.column(c) for c in t.columns},
                     [language.SECTIONS_JA.get(str(i), str(i)) for i in t.labels], "補償項目")

    def text(self, lang: str | None = None) -> str:
        """The quote as plain text in 万円 / 億円, in English or Japanese (``lang``; default: the
        locale's): the statistics and premiums, under them the Monte Carlo standard error of each,
        the premium by section and the recommended deductible and limit."""
        lang = language.resolve(lang)
        res, rec = self.result, held(self.decision, "recommended")
        w = language.words(lang)
        principle = plain(self, "premiums").labels[0]
        rows = self._figures(lang)
        shown = money.yen_table(self._summary(lang, rows))
        recommended = (w(f"{money.deductible_words(rec['deductible'])}, annual aggregate limit "
                         f"{money.format_yen(rec['limit'])}",
                         f"{money.deductible_words(rec['deductible'], 'ja', ' ')}、年間総支払限度額 "
                         f"{money.format_yen(rec['limit'])}")
                       if rec["insured"] else w("no insurance", "保険なし"))
        lines = [w(f"cyberloss quote: {self.name}", f"cyberloss 見積り: {self.name}"),
                 w(f"{res.n_years:,} simulated years (seed {self.settings.seed}), "
                   f"{res.n_events:,} incidents",
                   f"シミュレーション {res.n_years:,} 年（シード {self.settings.seed}）、"
                   f"インシデント {res.n_events:,} 件"),
                 *([w(f"calibration: {self.calibration}",
                      f"キャリブレーション: {self.calibration_ja or self.calibration}")]
                   if self.calibration else []),
                 "", text.frame(shown), "", *self._error_lines(lang, rows, shown), "",
                 w(f"Technical premium by section ({principle}):",
                   f"補償項目別の営業保険料（{language.PRINCIPLES_JA.get(principle, principle)}）:"),
                 text.frame(money.yen_table(self._by_section(lang))), "",
                 w("Recommended: ", "推奨: ") + recommended,
                 self.decision.reason_in(lang)]
        return "\n".join(lines)

    def to_json(self) -> dict:
        """JSON-ready dict in JPY (``cyberloss._json``): unlimited amounts are null; a
        statistic that is not finite is null and named in the ``warnings`` list."""
        res, rec = self.result, held(self.decision, "recommended")
        views = terms_mod.VIEWS
        st = plain(self, "statistics")
        premiums = plain(self, "premiums").rows()
        levels = self.settings.levels

        n = res.n_years

        def by_level(kind: str, suffix: str = "") -> dict:
            # an SE beyond reach (the text's "—") is null: it says nothing of the precision
            def cell(p: float, v: str):
                x = st.cell(f"{kind} {stats.level_label(p)}", f"{v}{suffix}")
                return stats.within_reach_se(x, p, n) if suffix else x
            return {stats.level_key(p): {v: cell(p, v) for v in views} for p in levels}

        return _json.document({
            "name": self.name,
            "calibration": self.calibration,
            "unit": "JPY",
            "years": res.n_years,
            "seed": self.settings.seed,
            "incidents": res.n_events,
            "annual_loss_sha256": res.sha256("gross"),
            "terms": res.terms.to_dict(),
            "expected_loss": {v: st.cell("mean", v) for v in views},
            "expected_loss_se": {v: st.cell("mean", f"{v}_se") for v in views},
            "std": {v: st.cell("std", v) for v in views},
            "std_se": {v: st.cell("std", f"{v}_se") for v in views},
            "var": by_level("VaR"),
            "var_se": by_level("VaR", "_se"),
            "tvar": by_level("TVaR"),
            "tvar_se": by_level("TVaR", "_se"),
            "premium": {name: row["technical_premium"] for name, row in premiums},
            "premium_detail": dict(premiums),
            "premium_by_section": dict(plain(self.section_premium, "by_section").rows()),
            "loads": dataclasses.asdict(self.settings.loads),
            "ep_curve": self._ep_table().records(),
            # the share of each view's variance its 10 largest years make (stats.largest_years_share)
            "variance_share_of_largest_years": dict(self.largest_years_shares),
            "recommended": {
                "deductible": rec["deductible"] if rec["insured"] else None,
                "limit": rec["limit"] if rec["insured"] else 0.0,
                "insured": bool(rec["insured"]),
                "premium": rec["premium"],
                "total_cost_of_risk": rec["total_cost"],
                "reason": self.decision.reason,
            },
            "warnings": [*self.warnings, *stats.beyond_reach_notes(levels, n)],
        })

    def sheets(self, lang: str | None = None) -> dict[str, pd.DataFrame]:
        """The tables of the quote for a workbook (``--xlsx``), amounts in JPY: the quote, the
        year-loss-table statistics with their SEs, premiums, premium by section, the EP curve
        and the deductible x limit grid; names and labels in ``lang`` (default: the locale's).
        The standard errors of a VaR or TVaR beyond the run's reach are empty cells (the JSON's
        null, the text's "—")."""
        lang = language.resolve(lang)
        premiums = self.premiums
        if lang == "ja":
            shown = {p.label(): p.label(lang) for p in self.settings.principles}
            premiums = premiums.assign(label=premiums["label"].map(lambda label: shown.get(label, label)))
        statistics = self.statistics.copy()
        for p in self.settings.levels:   # as the JSON's null and the text's "—": empty cells
            if not stats.within_reach(p, self.result.n_years):
                for kind in ("VaR", "TVaR"):
                    statistics.loc[f"{kind} {stats.level_label(p)}",
                                   [f"{v}_se" for v in terms_mod.VIEWS]] = math.nan
        return language.sheets_in({
            "quote": self.summary(lang), "statistics": statistics, "premiums": premiums,
            "premium by section": self.section_premium.by_section,
            "EP curve": self._ep_table().to_pandas().set_index("return_period"),
            "decision grid": self.decision.grid}, lang)

    def plot_ep(self, ax=None, lang: str | None = None):
        """EP curves of the gross (AEP and OEP), insured and retained loss against return
        period on a log axis (万円 / 億円); words in ``lang`` ("ja" or "en"; None: the locale's)."""
        require("matplotlib", "Quote.plot_ep")
        title = language.plot_words(lang)("EP curves: {name}", name=self.name)
        return self.result.plot(ax=ax, title=title, lang=lang)

    def to_html(self, lang: str | None = None) -> str:
        """The report people keep: a self-contained HTML page (packaged Jinja2 template) with the
        profile and its defaults, the terms in words, the quote, premiums and their loadings,
        the EP curve, the deductible x limit grid, the assumptions, version, seed and date;
        ``lang`` "ja" or "en" (default: the locale's)."""
        require("jinja2", "Quote.to_html")
        require("matplotlib", "Quote.to_html (its plots)")
        return quote_report.render(self, language.resolve(lang))

    def _html_title(self) -> str:
        return f"Quote for {html.escape(self.name)}"

    def _html_note(self) -> str:
        return html.escape(self.decision.reason)

    def _html_table(self):
        return money.yen_table(self.summary())


def quote_events(events, n_years: int | None, policy: terms_mod.CoverageTerms,
                 settings: QuoteSettings | None = None, name: str = "organisation",
                 progress: bool | Callable[[int, int], None] = False,
                 profile: org_profile.OrganisationProfile | None = None,
                 calibration: str | None = None, warnings: Sequence[str] | None = None,
                 calibration_ja: str | None = None) -> Quote:
    """Quote ``policy`` on a simulated event table of ``n_years`` years (the core's event
    table, an OrganisationSimulation, a DataFrame or a dict of arrays: see ``terms.apply``).
    ``progress=True`` shows a bar over the four steps after the simulation (terms applied,
    premiums, the deductible x limit grid, statistics; each one call into C++). ``warnings``
    (default: those of ``events`` when it has any, as an OrganisationSimulation does) travel
    with the quote; ``calibration`` names the calibration's provenance (``calibration_ja`` in
    Japanese)."""
    settings = QuoteSettings() if settings is None else settings
    d = settings.decision
    with report_progress.reporting(progress, "price", "steps", total=4) as report:
        step = report or (lambda done, total: None)
        applied = terms_mod.applied(policy, events, n_years)
        # The grid (one C++ call, the GIL released) runs beside the year-loss table's columns,
        # the premiums and statistics; each result depends only on its inputs, not on what
        # runs beside it.
        with futures.ThreadPoolExecutor(max_workers=1) as pool:
            grid = pool.submit(decision_mod.choose_retention, applied, applied.n_years, policy,
                               d.deductibles, d.limits, principle=d.principle,
                               loads=settings.loads, cost_of_capital=d.cost_of_capital,
                               tail_level=d.tail_level, max_premium=d.max_premium)
            res = applied.result()
            step(1, 4)
            # All principles in one call: the moments once and, for those that rank the insured
            # losses (TVaR, Wang), one ranking; the first, by section, is also its row of the
            # table (priced once).
            priced = pricing.premiums(res, settings.principles, settings.loads,
                                      by_section=[i == 0 for i in range(len(settings.principles))])
            premiums = pricing.premium_rows(priced)
            section_premium = priced[0]
            step(2, 4)
            statistics = res.describe_table(settings.levels)
            dec = grid.result()
        step(3, 4)
        step(4, 4)
    return Quote(name=name, result=res, statistics=statistics, premiums=premiums,
                 section_premium=section_premium, decision=dec, settings=settings,
                 profile=profile if profile is not None else getattr(events, "profile", None),
                 calibration=calibration, calibration_ja=calibration_ja,
                 warnings=tuple(getattr(events, "warnings", ()) if warnings is None else warnings))


def read_quote_toml(path: str | Path) -> tuple[terms_mod.CoverageTerms, QuoteSettings]:
    """The ``[terms]`` (required) and ``[quote]`` (optional) tables of a profile TOML."""
    doc = org_profile.read_profile(path)
    with _validate.located(f"profile {path}"):
        return quote_tables(doc, str(path))


def quote_tables(doc: Mapping, where: str) -> tuple[terms_mod.CoverageTerms, QuoteSettings]:
    """The ``[terms]`` and ``[quote]`` tables of a profile document."""
    if "terms" not in doc:
        raise _validate.InputError(f"{where}: no [terms] table; a quote needs the policy's terms",
                                   _validate.Need("no_table", key="terms", detail="見積りには保険条件が必要"),
                                   context=((where, _validate.place_ja(where)),))
    return (terms_mod.CoverageTerms.from_dict(doc["terms"], "terms"),
            QuoteSettings.from_dict(doc.get("quote", {})))


def quote_profile(path: str | Path, years: int | None = None, seed: int | None = None,
                  progress: bool | Callable[[int, int], None] = False,
                  calibration: Calibration | None = None) -> Quote:
    """Simulate the organisation of a profile TOML and quote the policy in its ``[terms]``
    (with the packaged JNSA calibration, or ``calibration``, e.g. one fitted by
    ``cyberloss fit``; the quote names it and its provenance)."""
    doc = org_profile.read_profile(path)
    path = Path(path)
    return quote_document(doc, f"profile {path}", path.stem, years, seed, progress, calibration)


def quote_document(doc: Mapping, where: str, default_name: str = "organisation",
                   years: int | None = None, seed: int | None = None,
                   progress: bool | Callable[[int, int], None] = False,
                   calibration: Calibration | None = None) -> Quote:
    """:func:`quote_profile` on a parsed profile document (``where`` prefixes its errors)."""
    cal = load_calibration() if calibration is None else calibration   # read once per quote
    profile, sim, policy, settings = simulate_document(doc, where, years, seed, progress, cal)
    name = getattr(profile, "name", None) or default_name
    return quote_events(sim.table, sim.n_years, policy, settings, name=str(name), progress=progress,
                        profile=profile, calibration=cal.provenance, warnings=sim.warnings,
                        calibration_ja=cal.provenance_ja)


def prepare_document(doc: Mapping, where: str, years: int | None = None, seed: int | None = None,
                     calibration: Calibration | None = None):
    """The profile, the policy, the settings and the calibration of a profile document, every
    table checked (``where`` prefixes the refusals) and the run's memory checked."""
    with _validate.located(where):
        org_profile.check_tables(doc)
        policy, settings = quote_tables(doc, where)
        profile = org_profile.OrganisationProfile.from_document(doc)
    if years is not None:
        settings = dataclasses.replace(settings, years=years)
    if seed is not None:
        settings = dataclasses.replace(settings, seed=seed)
    cal = load_calibration() if calibration is None else calibration
    events = expected_events(profile, settings.years, calibration=cal)
    _validate.fits_in_memory(events * QUOTE_BYTES_PER_EVENT + settings.years * QUOTE_BYTES_PER_YEAR,
                             f"a quote over {settings.years:,} years (about {events:,.0f} simulated "
                             "incidents and the deductible x limit grid)", "simulate fewer years",
                             f"{settings.years:,} 年の見積り（シミュレーションするインシデント約 {events:,.0f} 件"
                             "と免責金額×支払限度額の表）", "シミュレーション年数を減らす")
    return profile, policy, settings, cal


def simulate_document(doc: Mapping, where: str, years: int | None = None, seed: int | None = None,
                      progress: bool | Callable[[int, int], None] = False,
                      calibration: Calibration | None = None):
    """The profile, its simulation, the policy and the settings of a profile document: the
    steps of a quote before the terms are applied (the web page also shows the simulation)."""
    profile, policy, settings, cal = prepare_document(doc, where, years, seed, calibration)
    sim = simulate_organisation(profile, settings.years, settings.seed, calibration=cal,
                                progress=progress)
    return profile, sim, policy, settings
