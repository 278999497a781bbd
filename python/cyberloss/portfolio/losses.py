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

from .. import _arith, _core
from ..calibration import BASES, MINOR, Calibration, SizeScale
from ..calibration import load as load_calibration
from ..distributions import Lognormal
from ..insurance.terms import CoverageTerms
from ..organisation import components as comp
from ..organisation.incident import TypeParameters, TypeSpec, factors, for_organisation, incident_type, type_laws
from ..organisation.profile import OrganisationProfile
from .book import Portfolio

# Assumption "portfolio.reference_revenue": the revenue at which the survey severity applies
# unscaled, per size class.  JNSA does not publish respondents' revenues; these are round
# typical values for each class (large enterprise 100 bn yen, SME 1 bn yen, organisation
# 3 bn yen), used only when exposure_elasticity > 0.
DEFAULT_REFERENCE_REVENUE = {"large": 1e11, "sme": 1e9, "organisation": 3e9}


@dataclass(frozen=True)
class SurveySeverity:
    """Calibrated survey-basis loss (費用損害 + 賠償責任) per attack type, optionally scaled per
    policy by revenue.

    On the publicised basis (calibration v1, the JNSA fit; ``basis="publicised"``): ``loss =
    F_a^{-1}(u) * (revenue / reference_revenue[size]) ** exposure_elasticity``, with ``F_a``
    the lognormal fitted to the survey's mean and median for ``period``.

    On the all-incidents basis (calibration v2, ``basis="all"``, what ``simulate_organisation``
    draws): ``F_a`` is the major incident's lognormal at the reference headcount, and each
    incident of a JNSA type is major with the policy's ``major_probability[a][size]``, else
    contained with loss ``LN(ln contained[a][0], contained[a][1])`` (BRANCH draws 2k, 2k + 1 of
    stream 0x200 + a, as the incident model draws them); ``minor`` has its own lognormal.  Both
    branches and ``minor`` scale with the policy's headcount by ``size_scale.loss(employees)``
    (``(employees / 9.84) ** 0.3`` by default), times the revenue factor above.

    The default elasticity 0 leaves the revenue out (no published evidence ties the JNSA
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
    basis: str = "publicised"
    contained: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    major_probability: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    size_scale: SizeScale | None = None

    def __post_init__(self):
        e = float(self.exposure_elasticity)
        if not (math.isfinite(e) and 0.0 <= e <= 1.0):
            raise ValueError(f"exposure_elasticity must be in [0, 1], got {self.exposure_elasticity!r}")
        for s, r in self.reference_revenue.items():
            if not (math.isfinite(float(r)) and float(r) > 0):
                raise ValueError(f"reference_revenue[{s!r}] must be finite and > 0, got {r!r}")
        if self.basis not in BASES:
            raise ValueError(f"basis must be one of {', '.join(BASES)}, got {self.basis!r}")
        if self.basis == "all" and self.size_scale is None:
            raise ValueError("basis 'all' needs size_scale (calibration v2); build with from_calibration")
        if set(self.major_probability) - set(self.contained):
            raise ValueError(f"major_probability given for type(s) without a contained branch: "
                             f"{sorted(set(self.major_probability) - set(self.contained))}")

    @classmethod
    def from_calibration(cls, calibration: Calibration | None = None, period: str = "recent",
                         exposure_elasticity: float = 0.0,
                         reference_revenue: Mapping[str, float] | None = None,
                         basis: str = "all") -> "SurveySeverity":
        """The calibration's survey-basis loss on ``basis`` (default all incidents, as the
        portfolio's default basis)."""
        cal = calibration if calibration is not None else load_calibration()
        reference = dict(reference_revenue or DEFAULT_REFERENCE_REVENUE)
        fits = {a: cal.severity_fit(a, period) for a in cal.attack_types}
        quality = {a: f.quality for a, f in fits.items()}
        if basis != "all":
            return cls({a: f.mu for a, f in fits.items()}, {a: f.sigma for a, f in fits.items()},
                       quality, period, float(exposure_elasticity), reference, basis)
        major = {a: cal.major_severity_parameters(a, period) for a in cal.attack_types}
        minor = cal.minor()
        contained = {a: (cal.contained(a).severity.median, cal.contained(a).severity.sigma)
                     for a in cal.attack_types}
        probability = {a: {s: cal.major_probability(a, s) for s in cal.sizes} for a in cal.attack_types}
        return cls({**{a: p.mu for a, p in major.items()}, MINOR: minor.severity.mu},
                   {**{a: p.sigma for a, p in major.items()}, MINOR: minor.severity.sigma},
                   {**quality, MINOR: "derived"}, period, float(exposure_elasticity), reference,
                   basis, contained, probability, cal.size_scale)

    def check(self, portfolio: Portfolio) -> None:
        """Refuse a portfolio on another basis or with attack types this severity lacks."""
        if portfolio.basis != self.basis:
            raise ValueError(f"the loss is on the {self.basis!r} basis and the portfolio on "
                             f"{portfolio.basis!r}; build it with from_calibration(basis={portfolio.basis!r})")
        missing = [a for a in portfolio.attack_types if a not in self.mu]
        if missing:
            raise ValueError(f"SurveySeverity has no severity for attack type(s) {missing}")

    def exposure_factor(self, portfolio: Portfolio) -> np.ndarray:
        """Per-policy loss multiplier: the revenue factor (1 when the elasticity is 0) times,
        on the all-incidents basis, the headcount's size scale."""
        n = len(portfolio)
        t = portfolio.table
        if self.exposure_elasticity == 0.0:
            factor = np.ones(n)
        else:
            revenue = t["revenue"].to_numpy(dtype=float)
            missing = np.flatnonzero(np.isnan(revenue))
            if missing.size:
                i = int(missing[0])
                raise ValueError(f"portfolio row {i + 1} (policy_id {t['policy_id'].iloc[i]!r}), column "
                                 f"'revenue': needed by exposure_elasticity {self.exposure_elasticity}, got empty")
            ref = t["size"].map(lambda s: self.reference_revenue[s]).to_numpy(dtype=float)
            factor = _arith.power(revenue / ref, self.exposure_elasticity)
        if self.size_scale is not None:
            scale = self.size_scale
            # SizeScale.loss (the core's exp) as calibration v2's TypeSpec computes it: both share the bits
            factor = factor * np.array([scale.loss(h) for h in portfolio.employees])
        return factor

    def lognormals(self, attack_types) -> list[Lognormal]:
        missing = [a for a in attack_types if a not in self.mu]
        if missing:
            raise ValueError(f"SurveySeverity has no severity for attack type(s) {missing}")
        return [Lognormal(self.mu[a], self.sigma[a]) for a in attack_types]

    def branches(self, portfolio: Portfolio) -> list[Any]:
        """The core's contained branch per attack type (None: every incident major)."""
        sizes = list(portfolio.table["size"])
        return [_core.SurveyBranch(self.contained[a][0], self.contained[a][1],
                                   [self.major_probability[a][s] for s in sizes])
                if a in self.contained else None for a in portfolio.attack_types]

    def to_core(self, portfolio: Portfolio):
        """The compiled loss for ``portfolio``."""
        self.check(portfolio)
        return _core.SurveyPortfolioLoss(self.lognormals(portfolio.attack_types),
                                         self.exposure_factor(portfolio), self.branches(portfolio))

    def _mixture(self, portfolio: Portfolio) -> list[list[tuple[np.ndarray, Lognormal]]]:
        """Per attack type, the (weight per policy, lognormal before the exposure factor) of
        each branch."""
        self.check(portfolio)
        sizes = portfolio.table["size"]
        out = []
        for a, major in zip(portfolio.attack_types, self.lognormals(portfolio.attack_types)):
            if a not in self.contained:
                out.append([(np.ones(len(portfolio)), major)])
                continue
            p = sizes.map(self.major_probability[a]).to_numpy(dtype=float)
            median, sigma = self.contained[a]
            out.append([(p, major), (1.0 - p, Lognormal(_arith.log(median), sigma))])
        return out

    def mean(self, portfolio: Portfolio) -> np.ndarray:
        """E[loss] per (attack type, policy): shape (n_types, n_policies)."""
        factor = self.exposure_factor(portfolio)
        return np.array([sum(w * d.mean() for w, d in branches) * factor
                         for branches in self._mixture(portfolio)])

    def expected_insured(self, portfolio: Portfolio) -> np.ndarray:
        """E[min((X - deductible)^+, occurrence_limit)] per (attack type, policy), exact
        (lognormal limited expected values, weighted by branch); the annual aggregate limit
        is not applied."""
        factor = self.exposure_factor(portfolio)
        d = portfolio.table["deductible"].to_numpy(dtype=float)
        lim = portfolio.table["occurrence_limit"].to_numpy(dtype=float)
        top = (d + lim) / factor
        finite = np.isfinite(top)
        rows = []
        for branches in self._mixture(portfolio):
            row = np.zeros(len(portfolio))
            for w, dist in branches:
                lev_hi = np.where(finite, np.asarray(dist.lev(np.where(finite, top, 0.0))), dist.mean())
                row = row + w * factor * (lev_hi - np.asarray(dist.lev(d / factor)))
            rows.append(row)
        return np.array(rows)

    def provenance(self) -> pd.DataFrame:
        """Per attack type: the lognormal, its period and the quality of its survey figures."""
        return pd.DataFrame([{"attack_type": a, "mu": self.mu[a], "sigma": self.sigma[a],
                              "mean": _arith.exp(self.mu[a] + 0.5 * self.sigma[a] * self.sigma[a]),
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
    controls (``Portfolio.profiles``).  On the all-incidents basis every policy is priced as
    ``simulate_organisation`` prices that organisation (calibration v2): the same incident
    types (major or contained, ``minor``), size scales of loss and downtime at the policy's
    headcount, P(major) of its size, and its controls; the book's rates are that organisation's
    rates.  On the publicised basis each policy keeps calibration v1's incident model with the
    survey severity of the whole publicised population, as before.  The survey-basis loss is
    ``severity``'s lognormal at the event's uniform ``u``; the event's branch, downtime, effort
    and component uniforms come from streams (BRANCH / DOWNTIME / EFFORT / COMPONENTS,
    0x200 + type), year, draw k (BRANCH: draws 2k, 2k + 1; COMPONENTS: k*16 .. k*16+15), k
    being the event's number within its type and year across the book.  Default sections: the
    ones a Japanese cyber policy usually insures (``components.USUALLY_INSURED``: response
    costs and liability without recurrence prevention, plus lost profit).
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
                         sections: tuple[str, ...] | None = None,
                         basis: str = "all") -> "OrganisationLoss":
        return cls(SurveySeverity.from_calibration(calibration, period, basis=basis), sections)

    def profiles(self, portfolio: Portfolio) -> list[OrganisationProfile]:
        """Each policy's organisation profile (``Portfolio.profiles``)."""
        return portfolio.profiles()

    def _specs(self, portfolio: Portfolio) -> list[list[TypeSpec]] | None:
        """Calibration v2's attack types of each policy (None on the publicised basis)."""
        if self.severity.basis != "all":
            return None
        cal = portfolio.calibration
        laws = type_laws(cal, comp.load(), "all", self.severity.period)
        cache: dict[tuple, list[TypeSpec]] = {}
        out = []
        for ind, size, h in zip(portfolio.table["industry"], portfolio.table["size"], portfolio.employees):
            key = (ind, size, float(h))
            if key not in cache:
                cache[key] = for_organisation(laws, cal, ind, size, float(h))
            out.append(cache[key])
        return out

    def factors(self, portfolio: Portfolio) -> list[list[Any]]:
        """The core's IncidentFactors per (attack type, policy)."""
        self.severity.check(portfolio)
        scale = self.severity.exposure_factor(portfolio)
        profiles = self.profiles(portfolio)
        specs = self._specs(portfolio)
        cache: dict[tuple, TypeParameters] = {}
        out: list[list[Any]] = [[] for _ in portfolio.attack_types]
        for p, profile in enumerate(profiles):
            # headcount apart: many policies share the rest
            key = (profile.industry, profile.size, profile.controls, profile.ec_share,
                   profile.it_dependency, profile.personal_records, profile.card_records)
            for t, name in enumerate(portfolio.attack_types):
                base = cache.get((*key, name))
                if base is None:
                    base = cache[(*key, name)] = TypeParameters.before_headcount(profile, name)
                params = base.at_headcount(profile.data, profile.size, profile.employees)
                out[t].append(params.factors(profile, severity_scale=float(scale[p])) if specs is None
                              else factors(specs[p][t], params, profile, float(scale[p])))
        return out

    def incident_types(self, portfolio: Portfolio) -> list[Any]:
        """The core's IncidentType per attack type (the same for every policy)."""
        data = comp.load()
        if self.severity.basis != "all":
            return [incident_type(data, t) for t in portfolio.attack_types]
        return [law.spec.incident_type for law in type_laws(portfolio.calibration, data, "all",
                                                             self.severity.period)]

    def to_core(self, portfolio: Portfolio):
        """The compiled organisation loss for ``portfolio``."""
        types = list(portfolio.attack_types)
        return _core.OrganisationPortfolioLoss(self.incident_types(portfolio),
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
