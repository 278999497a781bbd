"""The populations the external surveys describe, computed from the calibration in closed form.

Each population is a mixture of incident *components* (attack type x branch x size class or
industry), each with a weight (incidents per year), a survey-basis loss ``LN(mu, sigma)`` (JPY)
and a downtime law (days).  Statistics follow from the mixture's CDFs; the IPA damage per firm
over several years (a compound Poisson sum) by FFT on a grid of ``GRID_STEP`` yen.  They are
the closed forms that the calibration's derived parameters are solved against
(``analysis/calibrate_v2.py``) and that a simulation of the incident model must reproduce.

* **NPA 2025, police-reported ransomware** (:func:`police_reported_ransomware`): per size
  class ``s`` (at its mean headcount) with ``P_s`` publicised incidents a year, all incidents
  ``RF_s P_s``, of which major ``pi_s``; a publicised incident is reported to police with
  probability ``q`` (``reporting.police_share_publicised``), an unpublicised one with ``r``,
  set so that police-reported per publicised-and-reported is NPA's 116 / 50:
  ``r = (116 / 50 - 1) q sum_s P_s / sum_s (RF_s - 1) P_s``.
* **IPA 2024, SMEs** (:func:`sme_population`): SMEs of the class's mean headcount over the
  census industry mix, all-incidents basis, every attack type including ``minor``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..calibration import MINOR, Calibration, LognormalParameters
from ..calibration._size import lognormal_capped_mean, lognormal_sf
from ..distributions import Lognormal

GRID_STEP = 10_000.0      # JPY: 1万円 bins for the compound damage distribution
GRID_POINTS = 1 << 21     # up to 210億円: beyond it the loss laws put less than 1e-8 of their mass


@dataclass(frozen=True)
class LognormalDaysLaw:
    """Downtime days ``LN(mu, sigma)`` capped at ``cap``."""

    mu: float
    sigma: float
    cap: float

    def sf(self, days: float) -> float:
        """P(min(D, cap) >= days)."""
        return 0.0 if days > self.cap else lognormal_sf(days, self.mu, self.sigma)

    def mean(self) -> float:
        return lognormal_capped_mean(self.mu, self.sigma, self.cap)


@dataclass(frozen=True)
class FixedDaysLaw:
    """A downtime distribution object with ``sf`` and ``mean`` (the card-payment suspension:
    the core's law and its parameters)."""

    law: Any
    parameters: Mapping[str, float]
    cap: float

    def sf(self, days: float) -> float:
        return 0.0 if days > self.cap else float(self.law.sf(days))

    def mean(self) -> float:
        # the suspension's exponential tail beyond the cap: E[(D - cap)+] = q m exp(-(cap - start) / m)
        q, start, m = (self.parameters[k] for k in ("long_probability", "long_start", "long_excess_mean"))
        beyond = q * m * math.exp(-(self.cap - start) / m) if self.cap > start else 0.0
        return float(self.law.mean()) - beyond


@dataclass(frozen=True)
class Component:
    """One kind of incident in a population: ``weight`` incidents (any unit), its loss, its days."""

    label: str
    weight: float
    loss: LognormalParameters
    days: Any


@dataclass(frozen=True)
class Population:
    """A mixture of incident components; shares are over incidents."""

    name: str
    components: tuple[Component, ...]
    counts: Mapping[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return float(sum(c.weight for c in self.components))

    def _share(self, f) -> float:
        return sum(c.weight * f(c) for c in self.components) / self.total

    def share_loss_at_least(self, amount: float) -> float:
        return self._share(lambda c: lognormal_sf(amount, c.loss.mu, c.loss.sigma))

    def share_days_at_least(self, days: float) -> float:
        return self._share(lambda c: c.days.sf(days))

    def mean_days(self) -> float:
        return self._share(lambda c: c.days.mean())

    def mean_loss(self) -> float:
        return self._share(lambda c: c.loss.mean)

    def shares_by(self, part: int) -> dict[str, float]:
        """Weight shares by the ``part``-th field of the components' ``a/b/c`` labels."""
        out: dict[str, float] = {}
        for c in self.components:
            key = c.label.split("/")[part]
            out[key] = out.get(key, 0.0) + c.weight / self.total
        return out


def major_days(cal: Calibration, components: Any, attack_type: str, period: str, employees: float) -> Any:
    """The major branch's downtime law at ``employees``: the type's interview-based lognormal
    normalised to the publicised size mix and shifted by the size scale, or the card-payment
    suspension unchanged."""
    law = components.downtime(attack_type)
    kind, parameters = components.downtime_parameters(attack_type)
    cap = components.max_downtime_days
    if kind == "card_suspension":
        return FixedDaysLaw(law, parameters, cap)
    e = cal.size_scale.downtime_elasticity
    base = cal.normalised_to_publicised_mix(attack_type, period, law.mean(), parameters["median"], e,
                                            "downtime")
    return LognormalDaysLaw(base.mu + cal.size_scale.offset(employees, e), base.sigma, cap)


def _branch_components(cal: Calibration, components: Any, attack_type: str, size: str, period: str,
                       weight: float, employees: float, label: str,
                       major_weight: float | None = None) -> list[Component]:
    """Major and contained components of ``weight`` incidents of a type at one size."""
    scale = cal.size_scale
    loss_shift = scale.offset(employees, scale.loss_elasticity)
    down_shift = scale.offset(employees, scale.downtime_elasticity)
    cap = components.max_downtime_days
    p = cal.major_probability(attack_type, size) if major_weight is None else major_weight
    major = cal.major_severity_parameters(attack_type, period).shifted(loss_shift)
    c = cal.contained(attack_type)
    return [Component(f"{attack_type}/major/{label}", weight * p, major,
                      major_days(cal, components, attack_type, period, employees)),
            Component(f"{attack_type}/contained/{label}", weight * (1.0 - p), c.severity.shifted(loss_shift),
                      LognormalDaysLaw(c.downtime.mu + down_shift, c.downtime.sigma, cap))]


def publicised_per_year(cal: Calibration, attack_type: str, period: str = "recent") -> dict[str, float]:
    """Fitted publicised events of a type per year, by size class (publicised basis)."""
    a = cal.attack_types.index(attack_type)
    c = cal.frequency.cells
    expected = cal.frequency.expected(cal.beta)
    windows = {"earlier": (0,), "recent": (1,), "cumulative": (0, 1)}[period]
    years = {"earlier": cal.data.years["cumulative"] - cal.data.years["recent"],
             "recent": cal.data.years["recent"], "cumulative": cal.data.years["cumulative"]}[period]
    return {s: float(expected[(c.type == a) & (c.size == k) & np.isin(c.window, windows)].sum()) / years
            for k, s in enumerate(cal.data.sizes)}


def police_reporting_probability(cal: Calibration, reported: float, publicised_reported: float,
                                 period: str = "recent") -> float:
    """P(an unpublicised ransomware incident is reported to police), from NPA's ratio of
    police-reported cases to the publicised ones among them."""
    q = float(cal.data.value("reporting.police_share_publicised"))
    pub = publicised_per_year(cal, "ransomware", period)
    unpublicised = sum((cal.reporting_factor(s) - 1.0) * v for s, v in pub.items())
    if unpublicised <= 0:
        return 0.0
    r = (reported / publicised_reported - 1.0) * q * sum(pub.values()) / unpublicised
    if not 0.0 <= r <= 1.0:
        raise ValueError(f"police reporting: {reported:g} reported per {publicised_reported:g} publicised "
                         f"needs a reporting probability of {r:.3g} for unpublicised incidents, outside [0, 1] "
                         "under these reporting factors")
    return r


def police_reported_ransomware(cal: Calibration, components: Any, reported: float,
                               publicised_reported: float, period: str = "recent") -> Population:
    """NPA's population: ransomware incidents reported to police (see the module docstring)."""
    q = float(cal.data.value("reporting.police_share_publicised"))
    r = police_reporting_probability(cal, reported, publicised_reported, period)
    pub = publicised_per_year(cal, "ransomware", period)
    parts: list[Component] = []
    for s, p_s in pub.items():
        if p_s <= 0:
            continue
        h = cal.class_employees(s)
        rf = cal.reporting_factor(s)
        pi = cal.major_probability("ransomware", s)
        # publicised (all major) reported with q; unpublicised major and contained with r
        major_reported = q * p_s + r * p_s * (rf * pi - 1.0)
        contained_reported = r * p_s * rf * (1.0 - pi)
        total = major_reported + contained_reported
        parts += _branch_components(cal, components, "ransomware", s, period, total, h, s,
                                    major_weight=major_reported / total)
    all_incidents = sum(cal.reporting_factor(s) * v for s, v in pub.items())
    counts = {"publicised_per_year": sum(pub.values()), "all_per_year": all_incidents,
              "police_reported_per_year": sum(q * v + r * (cal.reporting_factor(s) - 1.0) * v for s, v in pub.items()),
              "unpublicised_reporting_probability": r}
    return Population("police-reported ransomware", tuple(parts), counts)


def all_ransomware(cal: Calibration, components: Any, period: str = "recent") -> Population:
    """All ransomware incidents in Japan (all-incidents basis), by size class."""
    pub = publicised_per_year(cal, "ransomware", period)
    parts: list[Component] = []
    for s, p_s in pub.items():
        if p_s > 0:
            parts += _branch_components(cal, components, "ransomware", s, period,
                                        cal.reporting_factor(s) * p_s, cal.class_employees(s), s)
    return Population("all ransomware", tuple(parts),
                      {"all_per_year": sum(c.weight for c in parts), "publicised_per_year": sum(pub.values())})


@dataclass(frozen=True)
class SmePopulation:
    """SMEs of the class's mean headcount by industry (shares ``industry_shares``), each with
    its incident components per year (all-incidents basis)."""

    industry_shares: Mapping[str, float]
    by_industry: Mapping[str, Population]
    employees: float

    def rates(self) -> dict[str, float]:
        return {i: p.total for i, p in self.by_industry.items()}

    def share_with_incident(self, years: float = 1.0) -> float:
        """P(at least one incident in ``years``), over the industry mix."""
        return sum(x * -math.expm1(-years * self.by_industry[i].total)
                   for i, x in self.industry_shares.items())

    def mean_damage_among_victims(self, years: float) -> float:
        """E[damage over ``years`` | at least one incident]: ``sum x T L E[X] / sum x P(N >= 1)``."""
        num = sum(x * years * self.by_industry[i].total * self.by_industry[i].mean_loss()
                  for i, x in self.industry_shares.items())
        return num / self.share_with_incident(years)

    def incidents(self) -> Population:
        """All the SMEs' incidents pooled (weights: incidents per year over the industry mix)."""
        parts = [Component(c.label, x * c.weight, c.loss, c.days)
                 for i, x in self.industry_shares.items() for c in self.by_industry[i].components]
        return Population("SME incidents", tuple(parts))

    def damage_distribution(self, years: float, step: float = GRID_STEP,
                            points: int = GRID_POINTS) -> np.ndarray:
        """P(damage over ``years`` in bin k), bin k = [(k - 1/2) step, (k + 1/2) step), over the
        industry mix (firms without incidents included, in bin 0)."""
        upper = (np.arange(points, dtype=np.float64) + 0.5) * step
        cache: dict[tuple[float, float], np.ndarray] = {}

        def pmf(loss: LognormalParameters) -> np.ndarray:
            key = (loss.mu, loss.sigma)
            if key not in cache:
                cdf = np.asarray(Lognormal(loss.mu, loss.sigma).cdf(upper), dtype=np.float64)
                cache[key] = np.diff(cdf, prepend=0.0)
            return cache[key]

        total = np.zeros(points // 2 + 1, dtype=np.complex128)
        for i, x in self.industry_shares.items():
            pop = self.by_industry[i]
            lam = years * pop.total
            severity = np.zeros(points)
            for c in pop.components:
                severity += (c.weight / pop.total) * pmf(c.loss)
            total += x * np.exp(lam * (np.fft.rfft(severity) - 1.0))
        out = np.fft.irfft(total, n=points)
        return np.clip(out, 0.0, None)

    def victims_damage_sf(self, amounts: Sequence[float], years: float,
                          step: float = GRID_STEP, points: int = GRID_POINTS) -> np.ndarray:
        """P(damage over ``years`` >= amount | at least one incident) for each amount.  The mass
        of the bin holding the amount is taken as spread evenly over the bin (the grid rounds each
        loss to the nearest centre): counting the whole bin overstated the share of victims
        >= 100万円 by 0.0004 (half a bin's density), the difference 1万円 and 5,000-yen bins
        showed and 40 simulated seeds confirmed (z = -5.7)."""
        pmf = self.damage_distribution(years, step, points)
        below = np.cumsum(pmf)
        victims = self.share_with_incident(years)
        out = []
        for amount in amounts:
            t = amount / step
            if t <= 0.5:                                    # bin 0 holds the firms without incidents
                out.append(1.0)
                continue
            k = int(math.floor(t + 0.5))                    # the bin [(k - 1/2) step, (k + 1/2) step) holding it
            out.append((1.0 - below[k] + pmf[k] * (k + 0.5 - t)) / victims)
        return np.array(out)


def sme_population(cal: Calibration, components: Any, period: str = "recent") -> SmePopulation:
    """SMEs of the class's mean headcount over the census industry mix (companies)."""
    shares = {i: float(v) for i, v in cal.data.value("industry_share.company").items() if v > 0}
    h = cal.class_employees("sme")
    scale = cal.size_scale
    cap = components.max_downtime_days
    m = cal.minor()
    by_industry = {}
    for i in shares:
        parts: list[Component] = []
        for a in cal.attack_types:
            parts += _branch_components(cal, components, a, "sme", period,
                                        cal.rate(a, i, "sme", "all", period), h, i)
        parts.append(Component(f"{MINOR}/{MINOR}/{i}", cal.minor_rate(i, "sme", h),
                               m.severity.shifted(scale.offset(h, scale.loss_elasticity)),
                               LognormalDaysLaw(m.downtime.mu + scale.offset(h, scale.downtime_elasticity),
                                                m.downtime.sigma, cap)))
        by_industry[i] = Population(f"SMEs, {i}", tuple(parts))
    return SmePopulation(shares, by_industry, h)
