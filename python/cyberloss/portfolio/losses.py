"""Per-incident gross (ground-up) loss of a policy: the pluggable part of a portfolio run.

The built-in losses describe themselves and are computed by the C++ core in the portfolio
block (``to_core(portfolio)`` gives the compiled loss): :class:`SurveySeverity`,
:class:`FixedLoss`, :class:`OrganisationLoss` (the organisation loss model per policy) and
:class:`CoveredLoss` (those components through a policy wording's sections).

A user's loss function is any picklable callable ``loss(portfolio, events) -> ndarray``
returning one finite JPY amount >= 0 per event; the block's events are drawn in C++, passed
to it, and its losses passed back down (``_core.portfolio_block_from_losses``).  ``events`` is
a dict of equal-length NumPy arrays:

* ``policy`` (int32): row index into ``portfolio.table``;
* ``type`` (int32): index into ``portfolio.attack_types``;
* ``year`` (int64), ``k`` (int32): the event's simulated year and number within its type;
* ``u`` (float64): the event's severity uniform in (0, 1), from stream
  (PORTFOLIO, 0x200 + type), draw k of the year (docs/DESIGN.md);
* ``seed`` (int): the run's seed.  Draw any further numbers
  with ``cyberloss.random.uniform_at`` on your own stream (Purpose.USER) so the result stays a
  pure function of (seed, portfolio, year).

The function sees whole blocks of events at once, so it should be vectorised.  It must hold
plain data (no compiled objects) to travel to Dask workers.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import _core
from ..calibration import Calibration
from ..calibration import load as load_calibration
from ..distributions import Lognormal
from ..insurance.terms import CoverageTerms
from ..organisation import components as comp
from ..organisation.controls import Controls
from ..organisation.incident import TypeParameters, incident_type
from ..organisation.profile import OrganisationProfile
from .book import Portfolio

# Assumption "portfolio.reference_revenue": the revenue at which the survey severity applies
# unscaled, per size class.  JNSA does not publish respondents' revenues; these are round
# typical values for each class (large enterprise 100 bn yen, SME 1 bn yen, organisation
# 3 bn yen), used only when exposure_elasticity > 0.
DEFAULT_REFERENCE_REVENUE = {"large": 1e11, "sme": 1e9, "organisation": 3e9}


@dataclass(frozen=True)
class SurveySeverity:
    """Calibrated survey-basis severity (費用損害 + 賠償責任) per attack type, optionally
    scaled per policy by revenue.

    ``loss = F_a^{-1}(u) * (revenue / reference_revenue[size]) ** exposure_elasticity``, with
    ``F_a`` the lognormal fitted to the survey's mean and median for ``period``.  The default
    elasticity 0 leaves the survey severity unscaled (no published evidence ties the JNSA
    amounts to revenue); 0 < elasticity <= 1 is an assumption the user states (e.g. 0.5: ten
    times the revenue, about three times the response cost).  Survey amounts exclude lost
    profit and internal effort (see ``calibration.load().scope``).
    """

    mu: Mapping[str, float]
    sigma: Mapping[str, float]
    quality: Mapping[str, str]
    period: str = "recent"
    exposure_elasticity: float = 0.0
    reference_revenue: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_REFERENCE_REVENUE))

    def __post_init__(self):
        e = float(self.exposure_elasticity)
        if not (math.isfinite(e) and 0.0 <= e <= 1.0):
            raise ValueError(f"exposure_elasticity must be in [0, 1], got {self.exposure_elasticity!r}")
        for s, r in self.reference_revenue.items():
            if not (math.isfinite(float(r)) and float(r) > 0):
                raise ValueError(f"reference_revenue[{s!r}] must be finite and > 0, got {r!r}")

    @classmethod
    def from_calibration(cls, calibration: Calibration | None = None, period: str = "recent",
                         exposure_elasticity: float = 0.0,
                         reference_revenue: Mapping[str, float] | None = None) -> "SurveySeverity":
        cal = calibration if calibration is not None else load_calibration()
        fits = {a: cal.severity_fit(a, period) for a in cal.attack_types}
        return cls({a: f.mu for a, f in fits.items()}, {a: f.sigma for a, f in fits.items()},
                   {a: f.quality for a, f in fits.items()}, period, float(exposure_elasticity),
                   dict(reference_revenue or DEFAULT_REFERENCE_REVENUE))

    def exposure_factor(self, portfolio: Portfolio) -> np.ndarray:
        """Per-policy severity multiplier (1 when the elasticity is 0)."""
        n = len(portfolio)
        if self.exposure_elasticity == 0.0:
            return np.ones(n)
        t = portfolio.table
        revenue = t["revenue"].to_numpy(dtype=float)
        missing = np.flatnonzero(np.isnan(revenue))
        if missing.size:
            i = int(missing[0])
            raise ValueError(f"portfolio row {i + 1} (policy_id {t['policy_id'].iloc[i]!r}), column "
                             f"'revenue': needed by exposure_elasticity {self.exposure_elasticity}, got empty")
        ref = t["size"].map(lambda s: self.reference_revenue[s]).to_numpy(dtype=float)
        return (revenue / ref) ** self.exposure_elasticity

    def lognormals(self, attack_types) -> list[Lognormal]:
        missing = [a for a in attack_types if a not in self.mu]
        if missing:
            raise ValueError(f"SurveySeverity has no severity for attack type(s) {missing}")
        return [Lognormal(self.mu[a], self.sigma[a]) for a in attack_types]

    def to_core(self, portfolio: Portfolio):
        """The compiled loss for ``portfolio``."""
        return _core.SurveyPortfolioLoss(self.lognormals(portfolio.attack_types),
                                         self.exposure_factor(portfolio))

    def mean(self, portfolio: Portfolio) -> np.ndarray:
        """E[loss] per (attack type, policy): shape (n_types, n_policies)."""
        factor = self.exposure_factor(portfolio)
        return np.array([d.mean() * factor for d in self.lognormals(portfolio.attack_types)])

    def expected_insured(self, portfolio: Portfolio) -> np.ndarray:
        """E[min((X - deductible)^+, occurrence_limit)] per (attack type, policy), exact
        (lognormal limited expected values); the annual aggregate limit is not applied."""
        factor = self.exposure_factor(portfolio)
        d = portfolio.table["deductible"].to_numpy(dtype=float)
        lim = portfolio.table["occurrence_limit"].to_numpy(dtype=float)
        rows = []
        for dist in self.lognormals(portfolio.attack_types):
            top = (d + lim) / factor
            lev_hi = np.where(np.isfinite(top), np.asarray(dist.lev(np.where(np.isfinite(top), top, 0.0))),
                              dist.mean())
            rows.append(factor * (lev_hi - np.asarray(dist.lev(d / factor))))
        return np.array(rows)

    def provenance(self) -> pd.DataFrame:
        """Per attack type: the lognormal, its period and the quality of its survey figures."""
        return pd.DataFrame([{"attack_type": a, "mu": self.mu[a], "sigma": self.sigma[a],
                              "mean": math.exp(self.mu[a] + 0.5 * self.sigma[a] ** 2),
                              "period": self.period, "quality": self.quality[a],
                              "exposure_elasticity": self.exposure_elasticity}
                             for a in self.mu])


@dataclass(frozen=True)
class FixedLoss:
    """Every incident costs ``amount`` JPY (for checks against closed forms and for
    exposure counting)."""

    amount: float

    def __post_init__(self):
        if not (math.isfinite(float(self.amount)) and float(self.amount) >= 0):
            raise ValueError(f"amount must be finite and >= 0, got {self.amount!r}")

    def to_core(self, portfolio: Portfolio):
        """The compiled loss."""
        return _core.FixedPortfolioLoss(float(self.amount))


@dataclass(frozen=True)
class OrganisationLoss:
    """Per-incident loss of the organisation model (``cyberloss.organisation``): the
    survey-basis loss split into response-cost and liability components (費用損害, 賠償責任)
    plus lost profit over the downtime (利益損害) and internal effort, summed over ``sections``.

    Each policy is an ``OrganisationProfile`` of its industry, size, revenue, employees and
    controls (the book's columns; the profile's labelled defaults for the rest, revenue and
    employees too when the column is empty).  The survey-basis loss is the calibrated severity
    at the event's uniform ``u``; the event's downtime, effort and component uniforms come from
    streams (DOWNTIME / EFFORT / COMPONENTS, 0x200 + type), year, draw k (COMPONENTS: draws
    k*16 .. k*16+15), k being the event's number within its type and year across the book.
    Default sections: the ones a Japanese cyber policy usually insures
    (``components.USUALLY_INSURED``: response costs and liability without recurrence
    prevention, plus lost profit).  Controls change severity, downtime and effort here; their
    frequency factors belong in the book's ``frequency_factor`` column.
    """

    severity: SurveySeverity
    sections: tuple[str, ...] | None = None

    def __post_init__(self):
        sections = tuple(self.sections) if self.sections is not None else tuple(comp.USUALLY_INSURED)
        unknown = [s for s in sections if s not in comp.COMPONENTS]
        if unknown or not sections:
            raise ValueError(f"sections must be components among {', '.join(comp.COMPONENTS)}, got {self.sections!r}")
        object.__setattr__(self, "sections", sections)

    @classmethod
    def from_calibration(cls, calibration: Calibration | None = None, period: str = "recent",
                         sections: tuple[str, ...] | None = None) -> "OrganisationLoss":
        return cls(SurveySeverity.from_calibration(calibration, period), sections)

    def profiles(self, portfolio: Portfolio) -> list[OrganisationProfile]:
        """Each policy's organisation profile."""
        data = comp.load()
        out = []
        for row in portfolio.table.itertuples(index=False):
            given: dict[str, Any] = {"revenue": None if math.isnan(row.revenue) else float(row.revenue),
                                     "employees": None if math.isnan(row.employees) else int(row.employees)}
            out.append(OrganisationProfile(row.industry, row.size, name=row.policy_id, data=data,
                                           controls=Controls(**{c: True for c in row.controls.split(";") if c}),
                                           **given))
        return out

    def factors(self, portfolio: Portfolio) -> list[list[Any]]:
        """The core's IncidentFactors per (attack type, policy)."""
        scale = self.severity.exposure_factor(portfolio)
        profiles = self.profiles(portfolio)
        cache: dict[tuple, TypeParameters] = {}
        out: list[list[Any]] = [[] for _ in portfolio.attack_types]
        for p, profile in enumerate(profiles):
            key = (profile.industry, profile.size, profile.employees, profile.controls,
                   profile.ec_share, profile.it_dependency, profile.personal_records,
                   profile.card_records)
            for t, name in enumerate(portfolio.attack_types):
                params = cache.get((*key, name))
                if params is None:
                    params = cache[(*key, name)] = TypeParameters.for_profile(profile, name)
                out[t].append(params.factors(profile, severity_scale=float(scale[p])))
        return out

    def to_core(self, portfolio: Portfolio):
        """The compiled organisation loss for ``portfolio``."""
        data = comp.load()
        types = list(portfolio.attack_types)
        return _core.OrganisationPortfolioLoss([incident_type(data, t) for t in types],
                                               self.severity.lognormals(types),
                                               self.factors(portfolio), list(self.sections or ()))


@dataclass(frozen=True)
class CoveredLoss:
    """Per-incident loss after a policy wording's sections (``cyberloss.insurance.terms``).

    Each incident's components (from ``components_loss``, an :class:`OrganisationLoss`) go
    through ``terms`` (a ``CoverageTerms`` template shared by the book): covered sections,
    per-component sublimits, the business-interruption waiting and indemnity periods,
    coinsurance and section limits.  The template's own deductible and aggregate limit must be
    0 and unlimited: each policy's deductible, occurrence limit and annual aggregate limit are
    the portfolio's columns, applied by the portfolio to the sum of covered sections returned
    here (so the per-policy deductible acts after coinsurance and section limits, a documented
    simplification of ``terms.apply``'s order).
    """

    components_loss: OrganisationLoss
    terms: CoverageTerms

    def __post_init__(self):
        if not isinstance(self.components_loss, OrganisationLoss):
            raise ValueError(f"components_loss must be an OrganisationLoss, got {self.components_loss!r}")
        if not isinstance(self.terms, CoverageTerms):
            raise ValueError(f"terms must be a cyberloss.insurance.terms.CoverageTerms, got {self.terms!r}")
        if self.terms.deductible != 0 or math.isfinite(self.terms.aggregate_limit):
            raise ValueError("terms: the template's deductible must be 0 and its aggregate_limit "
                             "unlimited; per-policy deductibles and limits are portfolio columns, got "
                             f"deductible={self.terms.deductible!r}, aggregate_limit={self.terms.aggregate_limit!r}")

    def to_core(self, portfolio: Portfolio):
        """The compiled covered loss for ``portfolio``."""
        return _core.CoveredPortfolioLoss(self.components_loss.to_core(portfolio), self.terms.to_core())
