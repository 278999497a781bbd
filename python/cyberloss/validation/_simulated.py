"""The IPA and NPA populations simulated with the C++ incident model (the organisation's own
pipeline: engine counts and losses, per-incident branch, downtime and components).

* **IPA 2024** (:func:`ipa`): SMEs of the class's mean headcount, each census industry
  simulated for a number of firm-years proportional to its share of SMEs (a multiple of three),
  industry ``i`` on the years following industry ``i - 1``'s so that no two industries share
  random numbers.  Consecutive years ``3j, 3j + 1, 3j + 2`` are one firm's three fiscal
  periods.  A firm's damage is the sum of the survey-basis losses (the eight response
  components; no records known, no controls) of its incidents in the three periods.
* **NPA 2025** (:func:`npa`): ransomware incidents of each size class at the class's mean
  headcount, simulated at a nominal rate and weighted by the class's all-incidents count per
  year (``RF_s P_s``) and by each incident's probability of being reported to police: ``q p +
  r (1 - p)`` for a major incident publicised with probability ``p = 1 / (RF_s pi_s)``, ``r``
  for a contained one (``_populations.police_reported_ransomware``).  Whether an incident is
  major is recomputed from its BRANCH uniform, the same pure function the core uses.

Every statistic is a ratio of weighted means; its standard error is the linearised one
(``_ratio``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .. import _core
from .. import random as clrandom
from ..calibration import Calibration
from ..distributions import Poisson
from ..engine import AttackType, Model
from ..organisation import incident as incidents
from . import _populations

IPA_FIRM_YEARS = 3_000_000    # SME firm-years over the industry mix (1,000,000 three-year firms)
NPA_YEARS = 200_000           # years per size class at NPA_RATE ransomware incidents a year
NPA_RATE = 2.0


@dataclass(frozen=True)
class Estimate:
    value: float
    se: float


def _ratio(parts: Sequence[tuple[float, np.ndarray, np.ndarray]]) -> Estimate:
    """``sum_i w_i mean(a_i) / sum_i w_i mean(b_i)`` over groups ``(w_i, a_i, b_i)`` and its
    linearised standard error ``sqrt(sum_i w_i^2 var(a_i - R b_i) / n_i) / B``."""
    num = sum(w * float(np.mean(a)) for w, a, _ in parts)
    den = sum(w * float(np.mean(b)) for w, _, b in parts)
    r = num / den
    var = sum(w * w * float(np.var(a - r * b, ddof=1)) / a.size for w, a, b in parts)
    return Estimate(r, math.sqrt(var) / den)


def _simulate(specs: Sequence[incidents.TypeSpec], rates: Sequence[float], years: int, seed: int,
              first_year: int) -> Any:
    model = Model([AttackType(s.name, Poisson(r), s.severity()) for s, r in zip(specs, rates)])
    models = [_core.IncidentModel(s.incident_type, incidents.factors(s)) for s in specs]
    return _core.simulate_organisation(model, models, years, seed, first_year=first_year)


def _survey_loss(table: Any) -> np.ndarray:
    return np.asarray(table.components)[:8].sum(axis=0)


@dataclass(frozen=True)
class IpaSimulation:
    firm_years: int
    seed: int
    share_with_incident: Estimate
    mean_damage_among_victims: Estimate
    share_victims_damage_at_least_1m: Estimate
    mean_recovery_days: Estimate
    share_recovery_50_days_or_more: Estimate


def ipa(cal: Calibration, components: Any, seed: int, firm_years: int = IPA_FIRM_YEARS,
        period: str = "recent") -> IpaSimulation:
    shares = {i: float(v) for i, v in cal.data.value("industry_share.company").items() if v > 0}
    h = cal.class_employees("sme")
    first = 0
    year_parts, damage, big, days, long_days = [], [], [], [], []
    for i, x in shares.items():
        years = 3 * max(1, int(round(x * firm_years / 3.0)))
        specs = incidents.attack_types(cal, components, i, "sme", h, "all", period)
        table = _simulate(specs, [s.rate for s in specs], years, seed, first)
        y = np.asarray(table.year) - first
        firm = y // 3
        n_firms = years // 3
        loss = _survey_loss(table)
        d = np.asarray(table.downtime_days)
        per_year = np.bincount(y, minlength=years)
        per_firm = np.bincount(firm, weights=loss, minlength=n_firms)
        incidents_per_firm = np.bincount(firm, minlength=n_firms).astype(float)
        hit = (incidents_per_firm > 0).astype(float)
        year_parts.append((x, (per_year > 0).astype(float), np.ones(years)))
        damage.append((x, per_firm, hit))
        big.append((x, (per_firm >= 1e6).astype(float), hit))
        days.append((x, np.bincount(firm, weights=d, minlength=n_firms), incidents_per_firm))
        long_days.append((x, np.bincount(firm, weights=(d >= 50.0).astype(float), minlength=n_firms),
                          incidents_per_firm))
        first += years
    return IpaSimulation(first, seed, _ratio(year_parts), _ratio(damage), _ratio(big), _ratio(days),
                         _ratio(long_days))


@dataclass(frozen=True)
class NpaSimulation:
    years_per_class: int
    seed: int
    incidents: int
    share_cost_at_least_10m: Estimate
    share_recovered_within_one_month: Estimate
    share_one_week_or_more: Estimate


def npa(cal: Calibration, components: Any, seed: int, reported: float, publicised_reported: float,
        years: int = NPA_YEARS, period: str = "recent") -> NpaSimulation:
    q = float(cal.data.value("reporting.police_share_publicised"))
    r = _populations.police_reporting_probability(cal, reported, publicised_reported, period)
    publicised = _populations.publicised_per_year(cal, "ransomware", period)
    a = cal.attack_types.index("ransomware")
    costly, within_month, week, n_incidents = [], [], [], 0
    for k, (s, p_s) in enumerate(publicised.items()):
        if p_s <= 0:
            continue
        spec = incidents.attack_types(cal, components, "manufacturing", s, cal.class_employees(s), "all", period)[a]
        table = _simulate([spec], [NPA_RATE], years, seed, k * years)
        y = np.asarray(table.year, dtype=np.int64)
        kk = np.asarray(table.k, dtype=np.int64)
        u = np.asarray(clrandom.uniform_at(seed, clrandom.stream_id(clrandom.Purpose.BRANCH, 0), y, 2 * kk))
        major = u < spec.major_probability
        published = 1.0 / (cal.reporting_factor(s) * spec.major_probability)
        rho = np.where(major, q * published + r * (1.0 - published), r)
        loss = _survey_loss(table)
        d = np.asarray(table.downtime_days)
        w = cal.reporting_factor(s) * p_s
        costly.append((w, rho * (loss >= 1e7), rho))
        within_month.append((w, rho * (d < 30.0), rho))
        week.append((w, rho * (d >= 7.0), rho))
        n_incidents += y.size
    return NpaSimulation(years, seed, n_incidents, _ratio(costly), _ratio(within_month), _ratio(week))
