"""A policy's terms applied to an event table in NumPy (the implementation the C++ core
replaced: the aggregate limit differences cumulative sums).  A test oracle, not shipped."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cyberloss.insurance import terms as package_terms
from cyberloss.insurance.terms import COMPONENTS, SECTIONS, CoverageTerms, SectionTerms, section_components

from . import measures
from .measures import Estimate

VIEWS = ("gross", "insured", "retained")


def _event_arrays(events, n_years: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The package's reading and checking of an event table (not what this oracle checks: the
    terms' arithmetic is), as a column dict."""
    year, downtime, parts = package_terms._event_arrays(events, n_years)
    return year, downtime, dict(zip(COMPONENTS, parts))


def _business_interruption(lost_profit, downtime, section: SectionTerms) -> np.ndarray:
    days = np.maximum(np.minimum(downtime, section.indemnity_period_days)
                      - section.waiting_period_days, 0.0)
    fraction = np.divide(days, downtime, out=np.zeros_like(downtime), where=downtime > 0)
    fraction = np.where(downtime > 0, fraction, 1.0 if section.waiting_period_days == 0 else 0.0)
    return lost_profit * fraction


def apply(terms: CoverageTerms, events, n_years: int) -> "InsuredResult":
    """Apply ``terms`` to an event table (see module docstring) over ``n_years`` simulated years.

    ``events`` is a DataFrame (or a dict of arrays) with columns ``year`` (0-based simulated
    year), ``downtime_days`` and every component in :data:`COMPONENTS`, one row per incident
    in occurrence order.
    """
    if not isinstance(terms, CoverageTerms):
        raise ValueError(f"terms must be CoverageTerms, got {type(terms).__name__}")
    if isinstance(n_years, bool) or not isinstance(n_years, (int, np.integer)) or n_years < 1:
        raise ValueError(f"n_years must be a positive integer, got {n_years!r}")
    n_years = int(n_years)
    year, downtime, comp = _event_arrays(events, n_years)
    n_events = year.size

    gross_by = {}
    for name in SECTIONS:
        gross_by[name] = sum((comp[c] for c in section_components(name, terms.cover_prevention)),
                             np.zeros(n_events))
    gross_by["uninsured"] = comp["internal_effort"] + (0.0 if terms.cover_prevention
                                                       else comp["prevention"])

    covered = terms.covered_sections
    ground_up = {}
    for name in covered:
        sec = terms.sections[name]
        capped = {c: np.minimum(comp[c], sec.sublimits.get(c, math.inf))
                  for c in section_components(name, terms.cover_prevention)}
        if name == "business_interruption":
            capped["lost_profit"] = _business_interruption(capped["lost_profit"], downtime, sec)
        ground_up[name] = sum(capped.values(), np.zeros(n_events))

    total = sum(ground_up.values(), np.zeros(n_events))
    after_deductible = np.maximum(total - terms.deductible, 0.0)
    share = np.divide(after_deductible, total, out=np.zeros(n_events), where=total > 0)
    paid = {name: np.minimum(ground_up[name] * share * terms.sections[name].coinsurance,
                             terms.sections[name].limit) for name in covered}
    per_event = sum(paid.values(), np.zeros(n_events))

    if math.isfinite(terms.aggregate_limit) and n_events:
        cumulative = pd.Series(per_event).groupby(year, sort=False).cumsum().to_numpy()
        limited = (np.minimum(cumulative, terms.aggregate_limit)
                   - np.minimum(cumulative - per_event, terms.aggregate_limit))
        limited = np.clip(limited, 0.0, per_event)
        ratio = np.divide(limited, per_event, out=np.zeros(n_events), where=per_event > 0)
        paid = {name: v * ratio for name, v in paid.items()}
        per_event = limited

    insured_by = {name: paid.get(name, np.zeros(n_events)) for name in SECTIONS}
    insured_by["uninsured"] = np.zeros(n_events)
    return InsuredResult(terms=terms, n_years=n_years, year=year,
                         gross_by=gross_by, insured_by=insured_by, insured=per_event)


class InsuredResult:
    """Gross, insured and retained losses of a policy over simulated years.

    Views: ``"gross"`` (every component), ``"insured"`` (paid by the policy), ``"retained"``
    (gross - insured).  Sections: ``response``, ``liability``, ``business_interruption`` and
    ``uninsured`` (internal effort, and prevention unless covered).  Every statistic is an
    Estimate (value, standard error) over the simulated years.
    """

    def __init__(self, *, terms: CoverageTerms, n_years: int, year: np.ndarray,
                 gross_by: dict[str, np.ndarray], insured_by: dict[str, np.ndarray],
                 insured: np.ndarray) -> None:
        self.terms = terms
        self.n_years = n_years
        self.n_events = int(year.size)
        self._year = year
        gross = sum(gross_by.values(), np.zeros(year.size))
        # insured <= gross exactly, although the two sums round differently: so retained
        # losses, per incident and (summed in the same order) per year, are never below 0
        insured = np.minimum(insured, gross)
        self._event = {"gross": gross, "insured": insured, "retained": gross - insured}
        self._annual = {v: self._sum_by_year(x) for v, x in self._event.items()}
        self._annual["retained"] = self._annual["gross"] - self._annual["insured"]
        # per-incident section amounts; annual sums are formed when a section is asked for
        self._gross_by = gross_by
        self._insured_by = insured_by

    def _sum_by_year(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self._year, weights=x, minlength=self.n_years)

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(self._gross_by)

    def _section_annual(self, section: str, view: str) -> np.ndarray:
        if section not in self._gross_by:
            raise ValueError(f"section must be one of {', '.join(self._gross_by)}, got {section!r}")
        gross = self._sum_by_year(self._gross_by[section])
        if view == "gross":
            return gross
        insured = self._sum_by_year(self._insured_by[section])
        return insured if view == "insured" else gross - insured

    @staticmethod
    def _check_view(view: str) -> str:
        if view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
        return view

    def annual(self, view: str = "insured", section: str | None = None) -> np.ndarray:
        """Annual loss per simulated year (read-only view), optionally of one section."""
        self._check_view(view)
        out = self._annual[view] if section is None else self._section_annual(section, view)
        out = out.view()
        out.flags.writeable = False
        return out

    def occurrence(self, view: str = "insured") -> tuple[np.ndarray, np.ndarray]:
        """(year, loss) of every incident in occurrence order, for ``view``."""
        self._check_view(view)
        return self._year.copy(), self._event[view].copy()

    def occurrence_max(self, view: str = "insured") -> np.ndarray:
        """Largest single-incident loss in each year (0 without incidents), for OEP."""
        self._check_view(view)
        out = np.zeros(self.n_years)
        np.maximum.at(out, self._year, self._event[view])
        return out

    def year_loss_table(self, by_section: bool = False) -> pd.DataFrame:
        """Year loss table (JPY): gross, insured, retained, and per section if asked."""
        data = {v: self._annual[v] for v in VIEWS}
        if by_section:
            for name in self.sections:
                for v in VIEWS:
                    data[f"{v}_{name}"] = self._section_annual(name, v)
        df = pd.DataFrame(data)
        df.index.name = "year"
        return df


    def describe(self, levels=(0.99, 0.995)) -> pd.DataFrame:
        """Mean, std, VaR and TVaR of gross, insured and retained annual loss, with SEs."""
        rows: dict[str, dict[str, float]] = {}

        def put(label: str, view: str, est: Estimate) -> None:
            rows.setdefault(label, {})[view] = est.value
            rows[label][f"{view}_se"] = est.se

        for view in VIEWS:
            x = self._annual[view]
            put("mean", view, measures.mean(x))
            put("std", view, measures.std(x))
            for p, row in measures.tail(x, levels).iterrows():
                label = f"{100.0 * float(p):.10g}%"
                put(f"VaR {label}", view, Estimate(row["var"], row["var_se"]))
                put(f"TVaR {label}", view, Estimate(row["tvar"], row["tvar_se"]))
        return pd.DataFrame.from_dict(rows, orient="index")
