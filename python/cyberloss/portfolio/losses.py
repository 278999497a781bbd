"""Per-incident gross (ground-up) loss of a policy: the pluggable part of a portfolio run.

A loss function is any picklable callable ``loss(portfolio, events) -> ndarray`` returning
one finite JPY amount >= 0 per event.  ``events`` is a dict of equal-length NumPy arrays:

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
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import _core, calibration as calib

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
    def from_calibration(cls, calibration=None, period: str = "recent",
                         exposure_elasticity: float = 0.0,
                         reference_revenue: Mapping[str, float] | None = None) -> "SurveySeverity":
        cal = calibration if calibration is not None else calib.load()
        fits = {a: cal.severity_fit(a, period) for a in cal.attack_types}
        return cls({a: f.mu for a, f in fits.items()}, {a: f.sigma for a, f in fits.items()},
                   {a: f.quality for a, f in fits.items()}, period, float(exposure_elasticity),
                   dict(reference_revenue or DEFAULT_REFERENCE_REVENUE))

    def exposure_factor(self, portfolio) -> np.ndarray:
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

    def _lognormals(self, attack_types):
        import cyberloss as cl

        missing = [a for a in attack_types if a not in self.mu]
        if missing:
            raise ValueError(f"SurveySeverity has no severity for attack type(s) {missing}")
        return [cl.Lognormal(self.mu[a], self.sigma[a]) for a in attack_types]

    def __call__(self, portfolio, events) -> np.ndarray:
        factor = self.exposure_factor(portfolio)
        out = np.empty(events["u"].size)
        for t, dist in enumerate(self._lognormals(portfolio.attack_types)):
            sel = events["type"] == t
            if sel.any():
                out[sel] = np.asarray(dist.quantile(events["u"][sel]), dtype=float)
        return out * factor[events["policy"]]

    def to_core(self, portfolio):
        """The compiled loss for ``portfolio`` (the same numbers as calling this object)."""
        return _core.SurveyPortfolioLoss(self._lognormals(portfolio.attack_types),
                                         self.exposure_factor(portfolio))

    def mean(self, portfolio) -> np.ndarray:
        """E[loss] per (attack type, policy): shape (n_types, n_policies)."""
        factor = self.exposure_factor(portfolio)
        return np.array([d.mean() * factor for d in self._lognormals(portfolio.attack_types)])

    def expected_insured(self, portfolio) -> np.ndarray:
        """E[min((X - deductible)^+, occurrence_limit)] per (attack type, policy), exact
        (lognormal limited expected values); the annual aggregate limit is not applied."""
        factor = self.exposure_factor(portfolio)
        d = portfolio.table["deductible"].to_numpy(dtype=float)
        lim = portfolio.table["occurrence_limit"].to_numpy(dtype=float)
        rows = []
        for dist in self._lognormals(portfolio.attack_types):
            lev_hi = np.array([dist.lev(x) if math.isfinite(x) else dist.mean() for x in (d + lim) / factor])
            lev_lo = np.array([dist.lev(x) for x in d / factor])
            rows.append(factor * (lev_hi - lev_lo))
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

    def __call__(self, portfolio, events) -> np.ndarray:
        return np.full(events["u"].size, float(self.amount))

    def to_core(self, portfolio):
        """The compiled loss (the same numbers as calling this object)."""
        return _core.FixedPortfolioLoss(float(self.amount))


@dataclass(frozen=True)
class OrganisationLoss:
    """Per-incident loss built from ``cyberloss.organisation``: the survey-basis loss split
    into response-cost and liability components (費用損害, 賠償責任) plus lost profit over the
    downtime (利益損害) and internal effort, summed over ``sections``.

    Each policy is an ``OrganisationProfile(industry, size, revenue)`` with the profile's
    labelled defaults for everything else (revenue too when the column is empty).  The
    survey-basis loss is the calibrated severity at the event's uniform ``u``; the event's
    downtime, effort and component uniforms come from streams (DOWNTIME / EFFORT / COMPONENTS,
    0x200 + type), year, draw k (COMPONENTS: draws k*16 .. k*16+15), k being the event's number
    within its type and year across the book.  Default sections: the ones a Japanese cyber
    policy usually insures (``components.USUALLY_INSURED``: response costs and liability
    without recurrence prevention, plus lost profit).  Control-driven frequency factors are not
    applied here: use the portfolio's ``frequency_factor`` column.
    """

    severity: SurveySeverity
    sections: tuple[str, ...] | None = None

    def __post_init__(self):
        from .. import components as comp

        sections = tuple(self.sections) if self.sections is not None else tuple(comp.USUALLY_INSURED)
        unknown = [s for s in sections if s not in comp.COMPONENTS]
        if unknown or not sections:
            raise ValueError(f"sections must be components among {', '.join(comp.COMPONENTS)}, got {self.sections!r}")
        object.__setattr__(self, "sections", sections)

    @classmethod
    def from_calibration(cls, calibration=None, period: str = "recent",
                         sections: tuple[str, ...] | None = None) -> "OrganisationLoss":
        return cls(SurveySeverity.from_calibration(calibration, period), sections)

    def components(self, portfolio, events) -> pd.DataFrame:
        """Every component (JPY) and the downtime of each event, in event order."""
        from .. import components as comp
        from .. import organisation as org
        from .. import random as clrandom

        seed = int(events["seed"])
        n = events["u"].size
        survey = self.severity(portfolio, events)
        out = {c: np.zeros(n) for c in (*comp.COMPONENTS, "downtime_days")}
        table = portfolio.table
        data = comp.load()
        offsets = np.arange(comp.DRAWS_PER_EVENT, dtype=np.int64)
        for p in np.unique(events["policy"]):
            row = table.iloc[int(p)]
            revenue = None if np.isnan(row["revenue"]) else float(row["revenue"])
            profile = org.OrganisationProfile(row["industry"], row["size"], revenue=revenue,
                                              name=row["policy_id"], data=data)
            at_p = events["policy"] == p
            for t in np.unique(events["type"][at_p]):
                sel = np.flatnonzero(at_p & (events["type"] == t))
                y, k = events["year"][sel], events["k"][sel].astype(np.int64)

                def u(purpose, draws=k):
                    return np.asarray(clrandom.uniform_at(
                        seed, clrandom.stream_id(purpose, 0x200 + int(t)), y if draws is k else y[:, None], draws))

                params = org.TypeParameters.for_profile(profile, portfolio.attack_types[int(t)])
                parts = org.event_components(profile, params, survey[sel], u(clrandom.Purpose.DOWNTIME),
                                             u(clrandom.Purpose.EFFORT),
                                             u(clrandom.Purpose.COMPONENTS,
                                               k[:, None] * comp.DRAWS_PER_EVENT + offsets[None, :]))
                for key, value in parts.items():
                    out[key][sel] = value
        return pd.DataFrame(out)

    def __call__(self, portfolio, events) -> np.ndarray:
        parts = self.components(portfolio, events)
        return parts[list(self.sections)].sum(axis=1).to_numpy()


@dataclass(frozen=True)
class CoveredLoss:
    """Per-incident loss after a policy wording's sections (``cyberloss.terms``, issue 5).

    Each incident's components (from ``components``, an :class:`OrganisationLoss`) go through
    ``terms`` (a ``CoverageTerms`` template shared by the book): covered sections, per-component
    sublimits, the business-interruption waiting and indemnity periods, coinsurance and section
    limits.  The template's own deductible and aggregate limit must be 0 and unlimited: each
    policy's deductible, occurrence limit and annual aggregate limit are the portfolio's
    columns, applied by the portfolio to the sum of covered sections returned here (so the
    per-policy deductible acts after coinsurance and section limits, a documented
    simplification of ``terms.apply``'s order).
    """

    components_loss: OrganisationLoss
    terms: Any

    def __post_init__(self):
        from .. import terms as tm

        if not isinstance(self.components_loss, OrganisationLoss):
            raise ValueError(f"components_loss must be an OrganisationLoss, got {self.components_loss!r}")
        if not isinstance(self.terms, tm.CoverageTerms):
            raise ValueError(f"terms must be a cyberloss.terms.CoverageTerms, got {self.terms!r}")
        if self.terms.deductible != 0 or math.isfinite(self.terms.aggregate_limit):
            raise ValueError("terms: the template's deductible must be 0 and its aggregate_limit "
                             "unlimited; per-policy deductibles and limits are portfolio columns, got "
                             f"deductible={self.terms.deductible!r}, aggregate_limit={self.terms.aggregate_limit!r}")

    def __call__(self, portfolio, events) -> np.ndarray:
        from .. import terms as tm

        parts = self.components_loss.components(portfolio, events)
        n = len(parts)
        if n == 0:
            return np.zeros(0)
        table = tm.event_table(np.arange(n), downtime_days=parts["downtime_days"].to_numpy(),
                               **{c: parts[c].to_numpy() for c in tm.COMPONENTS})
        return tm.apply(self.terms, table, n).occurrence("insured")[1]
