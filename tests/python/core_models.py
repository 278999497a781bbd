"""Core (C++) incident models and policy terms built from the Python package's objects.

Used by the tests that compare the core pipeline with the Python implementation; the
package's own wiring onto the core comes later and will take this mapping over.
"""
from __future__ import annotations

import math

import numpy as np

import cyberloss as cl
from cyberloss import _core, calibration as calibration_module, components as comp, incidents, pricing
from cyberloss import terms as terms_mod
from cyberloss.organisation import OrganisationProfile, TypeParameters


def incident_type(data: comp.ComponentData, t: str) -> _core.IncidentType:
    """Calibration v1's incident type: the component data's laws, no contained branch."""
    return incidents.incident_type(data, t)


def incident_model(profile: OrganisationProfile, t: str) -> _core.IncidentModel:
    p = TypeParameters.for_profile(profile, t)
    factors = _core.IncidentFactors(
        severity_factor=list(p.severity_factor), downtime_factor=p.downtime_factor,
        effort_factor=p.effort_factor, share_affected=p.share_affected,
        records_held=p.records_held, daily_gross_profit=profile.daily_gross_profit,
        labour_cost_month=profile.labour_cost_month)
    return _core.IncidentModel(incident_type(profile.data, t), factors)


def organisation_model(profile: OrganisationProfile, basis: str = "all", period: str = "recent",
                       calibration=None) -> tuple[_core.Model, list[_core.IncidentModel]]:
    """The engine model and incident models that ``simulate_organisation`` uses."""
    cal = calibration if calibration is not None else calibration_module.load()
    types = list(cal.attack_types)
    attack = []
    for t in types:
        p = TypeParameters.for_profile(profile, t)
        rate = cal.rate(t, profile.industry, profile.size, basis=basis, period=period) * p.frequency_factor
        attack.append(cl.AttackType(t, cl.Poisson(rate), cal.severity(t, period=period)))
    return cl.Model(attack), [incident_model(profile, t) for t in types]


def coverage_terms(terms: terms_mod.CoverageTerms) -> _core.CoverageTerms:
    sections = {}
    for name, sec in terms.sections.items():
        sections[name] = _core.SectionTerms(
            covered=sec.covered, limit=sec.limit, coinsurance=sec.coinsurance,
            sublimits=dict(sec.sublimits), waiting_period_days=sec.waiting_period_days,
            indemnity_period_days=sec.indemnity_period_days)
    return _core.CoverageTerms(sections, terms.deductible, terms.aggregate_limit,
                               terms.cover_prevention)


def principle(p) -> _core.Principle:
    p = pricing.principle_from(p)
    if isinstance(p, pricing.ExpectedValue):
        return _core.Principle.expected_value(p.loading)
    if isinstance(p, pricing.StandardDeviation):
        return _core.Principle.standard_deviation(p.k)
    if isinstance(p, pricing.TVaRCostOfCapital):
        return _core.Principle.tvar_cost_of_capital(p.level, p.rate)
    return _core.Principle.wang(p.lam)


def loads(value: pricing.Loads) -> _core.Loads:
    return _core.Loads(value.expense_ratio, value.profit_ratio, value.fixed_expense)


def event_dict(table: _core.EventTable) -> dict[str, np.ndarray]:
    """The core event table as the columns ``terms.apply`` reads."""
    out = {"year": np.asarray(table.year), "downtime_days": np.asarray(table.downtime_days)}
    for c in comp.COMPONENTS:
        out[c] = np.asarray(table.component(c))
    return out


def relative_difference(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if np.any((a != b) & ~(np.isfinite(a) & np.isfinite(b))):
        return math.inf
    a, b = np.where(np.isfinite(a), a, 0.0), np.where(np.isfinite(b), b, 0.0)
    scale = np.maximum(np.abs(a), np.abs(b))
    d = np.abs(a - b)
    return float(np.max(np.where(scale > 0, d / np.where(scale > 0, scale, 1.0), 0.0), initial=0.0))


INF = math.inf


def organisation_portfolio_loss(book, loss) -> _core.OrganisationPortfolioLoss:
    """The core adapter for ``portfolio.OrganisationLoss`` on ``book``."""
    data = comp.load()
    types = list(book.attack_types)
    factor = loss.severity.exposure_factor(book)
    factors = [[] for _ in types]
    for p, row in enumerate(book.table.itertuples(index=False)):
        revenue = None if np.isnan(row.revenue) else float(row.revenue)
        profile = OrganisationProfile(row.industry, row.size, revenue=revenue, name=row.policy_id,
                                      data=data)
        for t, name in enumerate(types):
            params = TypeParameters.for_profile(profile, name)
            factors[t].append(_core.IncidentFactors(
                severity_factor=list(params.severity_factor), downtime_factor=params.downtime_factor,
                effort_factor=params.effort_factor, share_affected=params.share_affected,
                records_held=params.records_held, daily_gross_profit=profile.daily_gross_profit,
                labour_cost_month=profile.labour_cost_month, severity_scale=float(factor[p])))
    severity = [cl.Lognormal(loss.severity.mu[t], loss.severity.sigma[t]) for t in types]
    return _core.OrganisationPortfolioLoss([incident_type(data, t) for t in types], severity,
                                           factors, list(loss.sections))
