"""A quote for one organisation: its losses under a policy, premiums, EP curve, retention choice.

``quote_events`` works on any event table (see :mod:`cyberloss.terms`); ``quote_profile``
simulates the organisation described by a profile TOML (``cyberloss.organisation``) and
reads the policy from its ``[terms]`` table and the settings from its ``[quote]`` table.
Every default below is an assumption the user can override in ``[quote]``.
"""
from __future__ import annotations

import base64
import dataclasses
import html
import io
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import _input, _json, _validate, decision, measures, pricing, terms as terms_mod

DEFAULT_LEVELS = (0.99, 0.995)
MIN_YEARS = 1000


def _fields(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def _refuse_unknown(cls, data: Mapping, where: str) -> None:
    fields = _fields(cls)
    unknown = [k for k in data if k not in fields]
    if unknown:
        raise ValueError(f"{where}: unknown field {unknown[0]!r}; known: {', '.join(fields)}")


def _sequence(name: str, value: Any) -> tuple:
    """A list from a file or any sequence from Python (not a text, which would split into letters)."""
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise ValueError(f"{name} must be a list, got {_validate.shown(value)}")
    return tuple(value)


@dataclasses.dataclass(frozen=True)
class DecisionSettings:
    """How the deductible x limit grid is priced and judged (see cyberloss.decision)."""

    deductibles: tuple = decision.DEFAULT_DEDUCTIBLES
    limits: tuple = decision.DEFAULT_LIMITS
    principle: Any = "expected_value"
    cost_of_capital: float = 0.10
    tail_level: float = 0.99
    max_premium: float | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "deductibles", decision._amounts(self.deductibles, "deductibles", positive=False))
        set_(self, "limits", decision._amounts(self.limits, "limits", positive=True))
        set_(self, "principle", pricing.principle_from(self.principle, "principle"))
        set_(self, "cost_of_capital", _validate.number("cost_of_capital", self.cost_of_capital,
                                                       0.0, 1.0, hi_open=True))
        set_(self, "tail_level", measures.check_level(self.tail_level, "tail_level"))
        if self.max_premium is not None:
            set_(self, "max_premium", decision.amount(self.max_premium, "max_premium", positive=False))

    @classmethod
    def from_dict(cls, data: Mapping, where: str = "quote.decision") -> "DecisionSettings":
        data = _validate.table(where, data)
        _refuse_unknown(cls, data, where)
        with _validate.located(where, _fields(cls)):
            for key in ("deductibles", "limits"):
                if key in data:
                    data[key] = _sequence(key, data[key])
            return cls(**data)


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
        set_(self, "years", _validate.positive_int("years", self.years))
        if self.years < MIN_YEARS:
            raise ValueError(f"years must be an integer >= {MIN_YEARS}, got {self.years!r}")
        set_(self, "seed", _validate.seed(self.seed))
        levels = _sequence("levels", self.levels)
        if not levels:
            raise ValueError("levels must list at least one level in (0, 1), got []")
        set_(self, "levels", tuple(measures.check_level(p, f"levels[{i}]") for i, p in enumerate(levels)))
        principles = _sequence("principles", self.principles)
        if not principles:
            raise ValueError("principles must list at least one premium principle, got []")
        set_(self, "principles", tuple(pricing.principle_from(p, f"principles[{i}]")
                                       for i, p in enumerate(principles)))
        if not isinstance(self.loads, pricing.Loads):
            raise ValueError(f"loads must be pricing.Loads, got {_validate.shown(self.loads)}")
        if not isinstance(self.decision, DecisionSettings):
            raise ValueError(f"decision must be DecisionSettings, got {_validate.shown(self.decision)}")

    @classmethod
    def from_dict(cls, data: Mapping, where: str = "quote") -> "QuoteSettings":
        data = _validate.table(where, data)
        _refuse_unknown(cls, data, where)
        if "loads" in data:
            data["loads"] = pricing.Loads.from_dict(data["loads"], f"{where}.loads")
        if "decision" in data:
            data["decision"] = DecisionSettings.from_dict(data["decision"], f"{where}.decision")
        with _validate.located(where, _fields(cls)):
            return cls(**data)


@dataclasses.dataclass(frozen=True)
class Quote:
    """Everything a quote shows; ``to_json()`` is the CLI's stable JSON contract."""

    name: str
    result: terms_mod.InsuredResult
    statistics: pd.DataFrame          # InsuredResult.describe(settings.levels)
    premiums: pd.DataFrame            # pricing.quote_table, one row per principle
    section_premium: pricing.Premium  # the first principle, by section
    decision: decision.RetentionDecision
    settings: QuoteSettings

    def ep_curve(self) -> pd.DataFrame:
        """AEP/OEP of gross loss and AEP of insured and retained loss by return period."""
        periods = measures.default_return_periods(self.result.n_years)
        gross = self.result.ep_curve(periods, "gross")
        out = gross[["return_period", "aep", "aep_se", "oep", "oep_se"]].copy()
        for view in ("insured", "retained"):
            ep = self.result.ep_curve(periods, view)
            out[f"aep_{view}"] = ep["aep"].to_numpy()
        return out

    def summary(self) -> pd.DataFrame:
        """Quote table (JPY): expected loss, VaR, TVaR by view, premiums by principle."""
        st = self.statistics
        rows = {("expected loss" if label == "mean" else
                 "standard deviation" if label == "std" else label):
                {view: st.loc[label, view] for view in terms_mod.VIEWS} for label in st.index}
        for name, row in self.premiums.iterrows():
            rows[f"premium: {row['label']}"] = {"insured": row["technical_premium"]}
        return pd.DataFrame.from_dict(rows, orient="index")[list(terms_mod.VIEWS)]

    def text(self) -> str:
        """The quote as plain text in 万円 / 億円."""
        format_yen = terms_mod.format_amount
        res, rec = self.result, self.decision.recommended
        table = self.summary().map(lambda v: "" if pd.isna(v) else format_yen(v))
        lines = [f"cyberloss quote: {self.name}",
                 f"{res.n_years:,} simulated years (seed {self.settings.seed}), "
                 f"{res.n_events:,} incidents",
                 "", table.to_string(), "",
                 "Technical premium by section (" + self.premiums.index[0] + "):",
                 self.section_premium.by_section.map(format_yen).to_string(), "",
                 "Recommended: " + (f"deductible {format_yen(rec['deductible'])}, annual aggregate "
                                    f"limit {format_yen(rec['limit'])}" if rec["insured"]
                                    else "no insurance"),
                 self.decision.reason]
        return "\n".join(lines)

    def to_json(self) -> dict:
        """JSON-ready dict in JPY (``cyberloss._json``): unlimited amounts are null; a
        statistic that is not finite is null and named in the ``warnings`` list."""
        res, rec = self.result, self.decision.recommended
        views = terms_mod.VIEWS
        st = self.statistics
        ep = self.ep_curve()
        return _json.document({
            "name": self.name,
            "unit": "JPY",
            "years": res.n_years,
            "seed": self.settings.seed,
            "incidents": res.n_events,
            "terms": res.terms.to_dict(),
            "expected_loss": {v: st.loc["mean", v] for v in views},
            "expected_loss_se": {v: st.loc["mean", f"{v}_se"] for v in views},
            "std": {v: st.loc["std", v] for v in views},
            "var": {f"{p:g}": {v: st.loc[f"VaR {measures.level_label(p)}", v] for v in views}
                    for p in self.settings.levels},
            "var_se": {f"{p:g}": {v: st.loc[f"VaR {measures.level_label(p)}", f"{v}_se"] for v in views}
                       for p in self.settings.levels},
            "tvar": {f"{p:g}": {v: st.loc[f"TVaR {measures.level_label(p)}", v] for v in views}
                     for p in self.settings.levels},
            "tvar_se": {f"{p:g}": {v: st.loc[f"TVaR {measures.level_label(p)}", f"{v}_se"] for v in views}
                        for p in self.settings.levels},
            "premium": {name: row["technical_premium"] for name, row in self.premiums.iterrows()},
            "premium_detail": {name: {k: row[k] for k in row.index}
                               for name, row in self.premiums.iterrows()},
            "premium_by_section": {k: dict(v) for k, v in
                                   self.section_premium.by_section.iterrows()},
            "loads": dataclasses.asdict(self.settings.loads),
            "ep_curve": ep.to_dict(orient="records"),
            "recommended": {
                "deductible": rec["deductible"] if rec["insured"] else None,
                "limit": rec["limit"] if rec["insured"] else 0.0,
                "insured": bool(rec["insured"]),
                "premium": rec["premium"],
                "total_cost_of_risk": rec["total_cost"],
                "reason": self.decision.reason,
            },
        })

    def plot_ep(self, ax=None):
        """EP curves against return period on a log axis (man-yen)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.5))
        res = self.result
        top = res.n_years / 10
        periods = np.geomspace(1.25, top, 40)
        styles = [("gross", "aep", "C3", "-", "gross AEP"), ("gross", "oep", "C3", "--", "gross OEP"),
                  ("insured", "aep", "C0", "-", "insured AEP"),
                  ("retained", "aep", "C2", "-", "retained AEP")]
        tables = {v: measures.ep_table(res.annual(v), res.occurrence_max(v), periods, with_se=False)
                  for v in ("gross", "insured", "retained")}
        for view, kind, colour, line, label in styles:
            ax.plot(periods, tables[view][kind] / 1e4, line, color=colour, label=label)
        ax.set_xscale("log")
        ax.set_xlabel("return period (years, log scale)")
        ax.set_ylabel("loss (man-yen)")
        ax.set_title(f"EP curves: {self.name}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        return ax

    def to_html(self) -> str:
        """A self-contained HTML report with tables and the two plots."""
        import matplotlib.pyplot as plt

        format_yen = terms_mod.format_amount
        ax = self.plot_ep()
        ep_png = _png(ax.figure)
        plt.close(ax.figure)
        fig = self.decision.plot()
        decision_png = _png(fig)
        plt.close(fig)
        summary = self.summary().map(lambda v: "" if pd.isna(v) else format_yen(v))
        return (f"<!doctype html><html><head><meta charset='utf-8'><title>cyberloss quote: "
                f"{html.escape(self.name)}</title></head><body>"
                f"<h1>cyberloss quote: {html.escape(self.name)}</h1>"
                f"<p>{self.result.n_years:,} simulated years, seed {self.settings.seed}.</p>"
                f"<h2>Policy</h2>{self.result.terms._repr_html_()}"
                f"<h2>Quote</h2>{summary.to_html()}"
                f"<h2>Premium by section</h2>{self.section_premium._repr_html_()}"
                f"<h2>Exceedance probability</h2><img src='data:image/png;base64,{ep_png}'>"
                f"<h2>Retention and limit</h2><p>{html.escape(self.decision.reason)}</p>"
                f"<img src='data:image/png;base64,{decision_png}'>"
                "</body></html>")

    def _repr_html_(self) -> str:
        format_yen = terms_mod.format_amount
        return (f"<p>Quote for {html.escape(self.name)}</p>"
                + self.summary().map(lambda v: "" if pd.isna(v) else format_yen(v)).to_html()
                + f"<p>{html.escape(self.decision.reason)}</p>")


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def quote_events(events, n_years: int, policy: terms_mod.CoverageTerms,
                 settings: QuoteSettings | None = None, name: str = "organisation") -> Quote:
    """Quote ``policy`` on a simulated event table of ``n_years`` years."""
    settings = QuoteSettings() if settings is None else settings
    res = terms_mod.apply(policy, events, n_years)
    premiums = pricing.quote_table(res, settings.principles, settings.loads)
    d = settings.decision
    dec = decision.choose_retention(events, n_years, policy, d.deductibles, d.limits,
                                    principle=d.principle, loads=settings.loads,
                                    cost_of_capital=d.cost_of_capital, tail_level=d.tail_level,
                                    max_premium=d.max_premium)
    return Quote(name=name, result=res, statistics=res.describe(settings.levels),
                 premiums=premiums,
                 section_premium=pricing.premium(res, settings.principles[0], settings.loads),
                 decision=dec, settings=settings)


def read_quote_toml(path: str | Path) -> tuple[terms_mod.CoverageTerms, QuoteSettings]:
    """The ``[terms]`` (required) and ``[quote]`` (optional) tables of a profile TOML."""
    return quote_tables(_input.read_toml(path, "profile"), str(path))


def quote_tables(doc: Mapping, where: str) -> tuple[terms_mod.CoverageTerms, QuoteSettings]:
    """The ``[terms]`` and ``[quote]`` tables of a profile document."""
    if "terms" not in doc:
        raise ValueError(f"{where}: no [terms] table; a quote needs the policy's terms")
    return (terms_mod.CoverageTerms.from_dict(doc["terms"], "terms"),
            QuoteSettings.from_dict(doc.get("quote", {})))


def quote_profile(path: str | Path, years: int | None = None, seed: int | None = None) -> Quote:
    """Simulate the organisation of a profile TOML and quote the policy in its ``[terms]``."""
    from . import organisation

    doc = _input.read_toml(path, "profile")
    path = Path(path)
    with _validate.located(f"profile {path}"):
        organisation.check_tables(doc)
        policy, settings = quote_tables(doc, str(path))
        profile = organisation.OrganisationProfile.from_document(doc)
    changes = {k: v for k, v in (("years", years), ("seed", seed)) if v is not None}
    if changes:
        settings = dataclasses.replace(settings, **changes)
    events = organisation.expected_events(profile, settings.years)
    _validate.fits_in_memory(events * organisation.QUOTE_BYTES_PER_EVENT
                             + settings.years * organisation.QUOTE_BYTES_PER_YEAR,
                             f"a quote over {settings.years:,} years (about {events:,.0f} simulated "
                             "incidents and the deductible x limit grid)", "simulate fewer years")
    sim = organisation.simulate_organisation(profile, settings.years, settings.seed)
    name = getattr(profile, "name", None) or path.stem
    return quote_events(sim.events, sim.n_years, policy, settings, name=str(name))
