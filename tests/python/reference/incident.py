"""The organisation's per-incident model in NumPy (the implementation the C++ core replaced,
extended to calibration v2).

Pure NumPy on arrays of uniforms: the AS241 normal quantile, lognormal and card-suspension
downtimes, share draws, business-interruption days.  ``v2_types`` reads calibration v2's
attack types of an organisation off the calibration's published parameters as
docs/MODEL_NOTES.md states them (major and contained branches, size scales, ``minor``);
``price_events`` prices events of one type from their uniforms (the major / contained branch
from BRANCH draws 2k, 2k + 1); ``event_components`` is calibration v1's case (every incident
major, the component data's laws); ``simulate_organisation`` draws each event's uniforms with
``uniform_at`` and returns the event table as a DataFrame.  A test oracle, not part of the
package.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import cyberloss as cl
from cyberloss import random as clrandom
from cyberloss.calibration import load as load_calibration
from cyberloss.organisation import components as comp
from cyberloss.organisation.incident import TypeParameters
from cyberloss.organisation.profile import OrganisationProfile

DRAW_RECORDS_EXPOSED = len(comp.RESPONSE)
DRAW_GIFTS_PAID = len(comp.RESPONSE) + 1
DRAWS_PER_EVENT = 16
BRANCH_DRAWS_PER_EVENT = 2


def _require_positive(name: str, value: float, allow_zero: bool = False) -> None:
    if not (math.isfinite(value) and (value >= 0 if allow_zero else value > 0)):
        raise ValueError(f"{name} must be a finite number {'>=' if allow_zero else '>'} 0, got {value!r}")


def standard_normal_quantile(u: np.ndarray | float) -> np.ndarray:
    """Inverse of the standard normal CDF, vectorised (Wichura 1988, AS 241 PPND16).

    Relative accuracy about 1e-16 over (0, 1); ``u`` must lie strictly inside (0, 1).
    """
    u = np.asarray(u, dtype=np.float64)
    if np.any(~((u > 0.0) & (u < 1.0))):
        raise ValueError("u must lie strictly inside (0, 1)")
    q = u - 0.5
    out = np.empty_like(u)
    central = np.abs(q) <= 0.425
    r = 0.180625 - q[central] ** 2
    out[central] = q[central] * _poly(r, _A) / _poly(r, _B)
    tail = ~central
    r = np.where(q[tail] < 0.0, u[tail], 1.0 - u[tail])
    r = np.sqrt(-np.log(r))
    near = r <= 5.0
    val = np.where(
        near,
        _poly(r - 1.6, _C) / _poly(r - 1.6, _D),
        _poly(r - 5.0, _E) / _poly(r - 5.0, _F),
    )
    out[tail] = np.where(q[tail] < 0.0, -val, val)
    return out


def _poly(x: np.ndarray, coeffs: tuple[float, ...]) -> np.ndarray:
    acc = np.zeros_like(x)
    for c in reversed(coeffs):
        acc = acc * x + c
    return acc


_A = (3.387132872796366608, 133.14166789178437745, 1971.5909503065514427,
      13731.693765509461125, 45921.953931549871457, 67265.770927008700853,
      33430.575583588128105, 2509.0809287301226727)
_B = (1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
      21213.794301586595867, 39307.89580009271061, 28729.085735721942674,
      5226.495278852545925)
_C = (1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055,
      3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177,
      0.0227238449892691845833, 7.7454501427834140764e-4)
_D = (1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
      0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4,
      1.05075007164441684324e-9)
_E = (6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358,
      0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386,
      2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F = (1.0, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
      7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7,
      2.04426310338993978564e-15)


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


@dataclass(frozen=True)
class LognormalDays:
    """Lognormal duration (days or person-months) given its median and log-scale sigma."""

    median: float
    sigma: float

    def __post_init__(self) -> None:
        _require_positive("median", self.median)
        _require_positive("sigma", self.sigma, allow_zero=True)

    @classmethod
    def from_mean(cls, mean: float, sigma: float) -> "LognormalDays":
        _require_positive("mean", mean)
        return cls(mean * math.exp(-0.5 * sigma * sigma), sigma)

    def quantile(self, u: np.ndarray | float) -> np.ndarray:
        return self.median * np.exp(self.sigma * standard_normal_quantile(u))

    def mean(self) -> float:
        return self.median * math.exp(0.5 * self.sigma ** 2)

    def sf(self, x: float) -> float:
        """P(X >= x)."""
        return 1.0 - _normal_cdf(math.log(x / self.median) / self.sigma) if x > 0 else 1.0


@dataclass(frozen=True)
class CardSuspension:
    """Days card payment stays suspended after a card leak (JNSA: mean 131.8, >60% >= 6 months).

    A mixture drawn by inverse CDF from one uniform: below ``1 - long_probability`` a lognormal
    truncated below ``long_start`` (short suspensions); above it ``long_start`` plus an
    exponential excess.  The quantile is monotone in ``u``, so common random numbers hold.
    """

    long_probability: float
    long_start: float
    long_excess_mean: float
    short_median: float
    short_sigma: float

    def __post_init__(self) -> None:
        if not 0.0 < self.long_probability < 1.0:
            raise ValueError(f"long_probability must lie in (0, 1), got {self.long_probability!r}")
        for name in ("long_start", "long_excess_mean", "short_median", "short_sigma"):
            _require_positive(name, getattr(self, name))

    def _short_mass(self) -> float:
        return _normal_cdf(math.log(self.long_start / self.short_median) / self.short_sigma)

    def quantile(self, u: np.ndarray | float) -> np.ndarray:
        u = np.asarray(u, dtype=np.float64)
        p_short = 1.0 - self.long_probability
        short_u = np.clip(u / p_short, 1e-300, 1.0 - 1e-16) * self._short_mass()
        short = self.short_median * np.exp(self.short_sigma * standard_normal_quantile(short_u))
        long_u = np.clip((u - p_short) / self.long_probability, 0.0, 1.0 - 1e-16)
        long = self.long_start - self.long_excess_mean * np.log1p(-long_u)
        return np.where(u < p_short, np.minimum(short, self.long_start), long)

    def mean(self) -> float:
        s = self.short_sigma
        mu = math.log(self.short_median)
        short_mean = (math.exp(mu + 0.5 * s * s)
                      * _normal_cdf((math.log(self.long_start) - mu - s * s) / s)
                      / self._short_mass())
        return ((1.0 - self.long_probability) * short_mean
                + self.long_probability * (self.long_start + self.long_excess_mean))

    def sf(self, x: float) -> float:
        """P(X >= x)."""
        if x <= self.long_start:
            short_below = _normal_cdf(math.log(x / self.short_median) / self.short_sigma) if x > 0 else 0.0
            return 1.0 - (1.0 - self.long_probability) * short_below / self._short_mass()
        return self.long_probability * math.exp(-(x - self.long_start) / self.long_excess_mean)


def draw_shares(mean_shares: np.ndarray, dispersion: float, u: np.ndarray) -> np.ndarray:
    """Per-event response-cost shares drawn around ``mean_shares``.

    ``mean_shares`` (n, 8) or (8,), ``u`` (n, 8) uniforms.  Lognormal weights with unit mean,
    normalised to sum to one per event.
    """
    z = standard_normal_quantile(u)
    w = np.asarray(mean_shares) * np.exp(dispersion * z - 0.5 * dispersion * dispersion)
    return w / w.sum(axis=-1, keepdims=True)


def business_interruption_days(downtime_days: np.ndarray, closure: tuple[float, float] | None) -> np.ndarray:
    """Full-stop-equivalent days: all of the downtime, or for a card leak the closure days plus
    the lost share of sales over the rest of the suspension."""
    days = np.asarray(downtime_days, dtype=np.float64)
    if closure is None:
        return days
    closure_days, lost_share = closure
    closed = np.minimum(days, closure_days)
    return closed + lost_share * (days - closed)




def downtime_distribution(data: comp.ComponentData, attack_type: str) -> "LognormalDays | CardSuspension":
    spec = data.raw["downtime"][attack_type]
    if spec["distribution"] == "lognormal":
        return LognormalDays(float(spec["median"]), float(spec["sigma"]))
    return CardSuspension(*(float(spec[k]) for k in (
        "long_probability", "long_start", "long_excess_mean", "short_median", "short_sigma")))


def effort_distribution(data: comp.ComponentData, attack_type: str) -> LognormalDays:
    mean, sigma = data.effort(attack_type)
    return LognormalDays.from_mean(mean, sigma)


@dataclass(frozen=True)
class Contained:
    """A JNSA type's contained branch (calibration v2): its survey-basis loss at the reference
    headcount (JPY), downtime days and effort person-months, each a lognormal."""

    loss: LognormalDays
    downtime: LognormalDays
    effort: LognormalDays


@dataclass(frozen=True)
class IncidentLaws:
    """What an attack type's incidents look like for any organisation: the major (or only)
    branch's downtime and effort laws, the contained branch (None: every incident major),
    whether the downtime takes the size scale, and the multiplier of the share of operations
    affected (``minor.share_affected`` for ``minor``)."""

    name: str
    downtime: LognormalDays | CardSuspension
    effort: LognormalDays
    contained: Contained | None = None
    downtime_scales: bool = True
    share_multiplier: float = 1.0

    @classmethod
    def v1(cls, data: comp.ComponentData, attack_type: str) -> "IncidentLaws":
        """Calibration v1: the component data's laws, no contained branch."""
        return cls(attack_type, downtime_distribution(data, attack_type), effort_distribution(data, attack_type))


@dataclass(frozen=True)
class TypeV2:
    """One attack type of one organisation on calibration v2, before the profile's own factors:
    the rate a year, the engine's survey-basis lognormal (mu, sigma) at the reference
    headcount, the laws, and the organisation's size scales and P(major)."""

    laws: IncidentLaws
    rate: float
    severity_mu: float
    severity_sigma: float
    severity_scale: float
    downtime_scale: float
    major_probability: float

    @property
    def name(self) -> str:
        return self.laws.name


def headcount_factor(cal: Any, employees: float, elasticity: float) -> float:
    """``(h / h_ref) ** e`` as ``exp(e ln(h / h_ref))`` (h_ref the SME class's mean headcount)."""
    return math.exp(elasticity * math.log(float(employees) / cal.size_scale.reference_employees))


def v2_types(cal: Any, data: comp.ComponentData, industry: str, size: str, employees: float | None = None,
             basis: str = "all", period: str = "recent") -> list[TypeV2]:
    """Calibration v2's attack types of an organisation, from docs/MODEL_NOTES.md ("The model",
    "In the incident model"), read off the calibration's published parameters: the five JNSA
    types (major loss ``LN(mu0, sigma0)`` times ``(h/h_ref)^e_L``; P(major) and the contained
    branch on the all-incidents basis; downtime times ``(h/h_ref)^e_D`` except the card
    suspension, lognormal downtimes normalised to the publicised size mix when ``e_D > 0``),
    then ``minor`` on the all-incidents basis."""
    h = cal.class_employees(size) if employees is None else float(employees)
    scale = cal.size_scale

    def size_factor(elasticity: float) -> float:
        return headcount_factor(cal, h, elasticity)

    e_d = scale.downtime_elasticity
    out = []
    for a in cal.attack_types:
        downtime = downtime_distribution(data, a)
        card = isinstance(downtime, CardSuspension)
        if not card and e_d != 0.0:
            base = cal.normalised_to_publicised_mix(a, period, downtime.mean(), downtime.median, e_d, "downtime")
            downtime = LognormalDays(math.exp(base.mu), base.sigma)
        contained = None
        if basis == "all":
            c = cal.contained(a)
            contained = Contained(LognormalDays(math.exp(c.severity.mu), c.severity.sigma),
                                  LognormalDays(math.exp(c.downtime.mu), c.downtime.sigma),
                                  LognormalDays.from_mean(c.effort_mean, data.effort(a)[1]))
        major = cal.major_severity_parameters(a, period)
        out.append(TypeV2(IncidentLaws(a, downtime, effort_distribution(data, a), contained, not card),
                          cal.rate(a, industry, size, basis, period), major.mu, major.sigma,
                          size_factor(scale.loss_elasticity), 1.0 if card else size_factor(e_d),
                          cal.major_probability(a, size) if basis == "all" else 1.0))
    if basis == "all":
        m = cal.minor()
        laws = IncidentLaws("minor", LognormalDays(math.exp(m.downtime.mu), m.downtime.sigma),
                            LognormalDays.from_mean(m.effort_mean, m.effort_sigma),
                            share_multiplier=m.share_affected)
        out.append(TypeV2(laws, cal.minor_rate(industry, size, h), m.severity.mu, m.severity.sigma,
                          size_factor(scale.loss_elasticity), size_factor(e_d), 1.0))
    return out


@dataclass(frozen=True)
class Factors:
    """One organisation's factors for one attack type, or per event (arrays of the events'
    organisations): the controls' severity factors (8,) or (n, 8), downtime, effort factors,
    share of operations affected (times the type's multiplier), records held (NaN: unknown),
    daily gross profit, labour cost a person-month, size scales and P(major)."""

    severity_factor: Any
    downtime_factor: Any
    effort_factor: Any
    share_affected: Any
    records_held: Any
    daily_gross_profit: Any
    labour_cost_month: Any
    severity_scale: Any = 1.0
    downtime_scale: Any = 1.0
    major_probability: Any = 1.0

    @classmethod
    def of(cls, profile: OrganisationProfile, params: TypeParameters, spec: TypeV2 | None = None,
           severity_scale: float | None = None) -> "Factors":
        """The profile's factors, with calibration v2's scales and P(major) of ``spec`` (None:
        v1, all 1); ``severity_scale`` replaces the spec's."""
        share = params.share_affected * (spec.laws.share_multiplier if spec else 1.0)
        if severity_scale is None:
            severity_scale = spec.severity_scale if spec else 1.0
        return cls(np.asarray(params.severity_factor), params.downtime_factor, params.effort_factor, share,
                   math.nan if params.records_held is None else params.records_held,
                   profile.daily_gross_profit, profile.labour_cost_month, severity_scale,
                   spec.downtime_scale if spec else 1.0, spec.major_probability if spec else 1.0)

    @classmethod
    def gather(cls, each: list["Factors"], which: np.ndarray) -> "Factors":
        """Per event: event i takes ``each[which[i]]``."""
        return cls(*(np.asarray([getattr(f, name) for f in each], dtype=np.float64)[which]
                     for name in cls.__dataclass_fields__))


def price_events(data: comp.ComponentData, laws: IncidentLaws, f: Factors, survey_loss: np.ndarray,
                 u_downtime: np.ndarray, u_effort: np.ndarray, u_components: np.ndarray,
                 u_branch: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Components (JPY) and downtime days of events of one attack type (include/cyberloss/
    incident.hpp's formulas, docs/MODEL_NOTES.md), from their uniforms.

    ``survey_loss`` (n,) the major branch's survey-basis loss before ``severity_scale``;
    ``u_downtime``, ``u_effort`` (n,), ``u_components`` (n, 16) and ``u_branch`` (n, 2): BRANCH
    draws 2k (major when < P(major)) and 2k + 1 (the contained loss), needed when any event's
    P(major) < 1.  A contained event takes the contained loss, downtime and effort laws (the
    same DOWNTIME and EFFORT uniforms) and splits its loss by the shares even where records are
    known.  Pure NumPy: deterministic in its inputs."""
    t = laws.name
    survey_loss = np.asarray(survey_loss, dtype=np.float64)
    n = survey_loss.shape[0]
    if u_branch is None:
        if np.any(np.asarray(f.major_probability) < 1.0):
            raise ValueError(f"{t}: u_branch is needed when major_probability < 1")
        major = np.ones(n, dtype=bool)
        loss = survey_loss
    else:
        if laws.contained is None:
            raise ValueError(f"{t}: branch uniforms given for a type without a contained branch")
        major = u_branch[:, 0] < f.major_probability
        loss = np.where(major, survey_loss, laws.contained.loss.quantile(u_branch[:, 1]))
    loss = loss * f.severity_scale
    shares = draw_shares(np.asarray(data.mean_shares(t)), data.dispersion, u_components[:, :len(comp.RESPONSE)])
    severity_factor = np.broadcast_to(np.asarray(f.severity_factor, dtype=np.float64), (n, len(comp.RESPONSE)))
    response = loss[:, None] * shares * severity_factor
    held = np.broadcast_to(np.asarray(f.records_held, dtype=np.float64), (n,))
    by_records = major & ~np.isnan(held)
    if by_records.any():
        rec = data.records(t)
        exposed = np.where(u_components[:, DRAW_RECORDS_EXPOSED] < float(rec["exposure_probability"]),
                           held * float(rec["exposed_share"]), 0.0)
        gifts = u_components[:, DRAW_GIFTS_PAID] < float(rec["gift_probability"])
        per_record = {
            "notification": exposed * data.unit_cost("notification_per_record"),
            "condolence": np.where(gifts, exposed * data.unit_cost("condolence_per_person"), 0.0),
            "liability": exposed * data.unit_cost("card_compensation_per_card"),
        }
        for component in rec["record_driven"]:
            j = comp.RESPONSE.index(component)
            response[:, j] = np.where(by_records, per_record[component] * severity_factor[:, j], response[:, j])
    q_down = laws.downtime.quantile(u_downtime)
    person_months = laws.effort.quantile(u_effort)
    if u_branch is not None:
        c = laws.contained
        q_down = np.where(major, q_down, c.downtime.quantile(u_downtime))
        person_months = np.where(major, person_months, c.effort.quantile(u_effort))
    downtime = np.minimum(q_down * f.downtime_scale * f.downtime_factor, data.max_downtime_days)
    bi_days = business_interruption_days(downtime, data.closure(t))
    out = {c: response[:, j] for j, c in enumerate(comp.RESPONSE)}
    out["lost_profit"] = f.daily_gross_profit * f.share_affected * bi_days
    out["internal_effort"] = person_months * f.effort_factor * f.labour_cost_month
    out["downtime_days"] = downtime
    for key, value in out.items():
        out[key] = np.broadcast_to(value, (n,))
        if not np.all(np.isfinite(out[key])):
            raise ValueError(f"component {key} is not finite for attack type {t!r}")
    return out


def event_components(
    profile: OrganisationProfile,
    params: TypeParameters,
    survey_loss: np.ndarray,
    u_downtime: np.ndarray,
    u_effort: np.ndarray,
    u_components: np.ndarray,
) -> dict[str, np.ndarray]:
    """Components (JPY) and downtime days of events of one attack type on calibration v1 (the
    component data's laws, every incident major), from their uniforms.

    ``survey_loss`` (n,) survey-basis losses; ``u_downtime``, ``u_effort`` (n,) and
    ``u_components`` (n, 16) the event's uniforms.  Pure NumPy: deterministic in its inputs.
    """
    return price_events(profile.data, IncidentLaws.v1(profile.data, params.attack_type),
                        Factors.of(profile, params), survey_loss, u_downtime, u_effort, u_components)


def event_uniforms(seed: int, index: int, year: np.ndarray, k: np.ndarray,
                   branches: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The uniforms of events (year, k) on streams (DOWNTIME / EFFORT / COMPONENTS / BRANCH,
    ``index``) through ``uniform_at``: DOWNTIME and EFFORT draw k, COMPONENTS draws 16k ..
    16k + 15, BRANCH draws 2k, 2k + 1 (only when ``branches``)."""
    y, k = np.asarray(year, dtype=np.int64), np.asarray(k, dtype=np.int64)

    def draws(purpose: clrandom.Purpose, per_event: int) -> np.ndarray:
        j = k[:, None] * per_event + np.arange(per_event, dtype=np.int64)[None, :]
        return np.asarray(clrandom.uniform_at(seed, clrandom.stream_id(purpose, index), y[:, None], j))

    def one(purpose: clrandom.Purpose) -> np.ndarray:
        return np.asarray(clrandom.uniform_at(seed, clrandom.stream_id(purpose, index), y, k))

    return (one(clrandom.Purpose.DOWNTIME), one(clrandom.Purpose.EFFORT),
            draws(clrandom.Purpose.COMPONENTS, DRAWS_PER_EVENT),
            draws(clrandom.Purpose.BRANCH, BRANCH_DRAWS_PER_EVENT) if branches else None)


def v1_model(profile: OrganisationProfile, basis: str, period: str,
             cal: Any) -> tuple[cl.Model, list[TypeParameters]]:
    """Calibration v1's engine model of ``profile`` (the five JNSA types at ``cal.rate`` times
    the frequency factors, the survey lognormals) and each type's parameters."""
    types = list(cal.attack_types)
    params = [TypeParameters.for_profile(profile, t) for t in types]
    model = cl.Model([cl.AttackType(t, cl.Poisson(cal.rate(t, profile.industry, profile.size, basis=basis,
                                                             period=period) * p.frequency_factor),
                                    cal.severity(t, period=period)) for t, p in zip(types, params)])
    return model, params


def simulate_organisation(
    profile: OrganisationProfile,
    years: int,
    seed: int,
    basis: str = "all",
    period: str = "recent",
    threads: int | None = None,
    calibration: Any = None,
) -> pd.DataFrame:
    """Simulate ``years`` independent years of incidents for ``profile`` on calibration v2.

    The attack types are :func:`v2_types` (on the all-incidents basis with branches and
    ``minor``); frequencies their rates times the controls' frequency factors; survey-basis
    losses the major lognormal at the reference headcount; both drawn by the engine.  Each
    event (year, type t, k) is then priced by :func:`price_events` with its own counter-based
    uniforms on streams (DOWNTIME / EFFORT / COMPONENTS / BRANCH, t).  Columns: year,
    attack_type, k, downtime_days, the components, and ``major`` (False: contained).
    """
    if not isinstance(profile, OrganisationProfile):
        raise ValueError(f"profile must be an OrganisationProfile, got {type(profile).__name__}")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise ValueError(f"years must be a whole number >= 1, got {years!r}")
    if calibration is None:
        calibration = load_calibration()
    data = profile.data
    specs = v2_types(calibration, data, profile.industry, profile.size, profile.employees, basis, period)
    params = [TypeParameters.for_profile(profile, s.name) for s in specs]
    model = cl.Model([cl.AttackType(s.name, cl.Poisson(s.rate * p.frequency_factor),
                                    cl.Lognormal(s.severity_mu, s.severity_sigma)) for s, p in zip(specs, params)])
    res = cl.simulate(model, years=int(years), seed=seed, threads=threads, events=True)
    ev = res.events
    year = np.asarray(ev["year"], dtype=np.int64)
    type_idx = np.asarray(ev["type"], dtype=np.int32)
    k = np.asarray(ev["k"], dtype=np.int32)
    loss = np.asarray(ev["loss"], dtype=np.float64)

    columns = {c: np.zeros(year.size) for c in (*comp.COMPONENTS, "downtime_days")}
    major = np.ones(year.size, dtype=bool)
    for t, (spec, p) in enumerate(zip(specs, params)):
        mask = type_idx == t
        if not mask.any():
            continue
        branches = spec.major_probability < 1.0
        u_down, u_eff, u_comp, u_branch = event_uniforms(seed, t, year[mask], k[mask], branches)
        parts = price_events(data, spec.laws, Factors.of(profile, p, spec), loss[mask], u_down, u_eff,
                             u_comp, u_branch)
        for key, value in parts.items():
            columns[key][mask] = value
        if branches:
            major[mask] = u_branch[:, 0] < spec.major_probability

    return pd.DataFrame({
        "year": year,
        "attack_type": pd.Categorical.from_codes(type_idx, categories=[s.name for s in specs]),
        "k": k,
        "downtime_days": columns["downtime_days"],
        **{c: columns[c] for c in comp.COMPONENTS},
        "major": major,
    })
