"""What an incident costs one organisation: the data and the profile passed down to the core.

For each attack type this builds the core's ``IncidentType`` (shares, records, downtime,
effort: ``data/components.json``) and ``IncidentFactors`` (the profile's controls, share of
operations affected, records held, daily gross profit, labour cost), and the frequency factor
(controls, web exposure, size exposure).  The C++ ``IncidentModel`` then prices each simulated
incident (``include/cyberloss/incident.hpp`` documents the formulas and random streams).

Calibration v2 passes down through :func:`attack_types`: for an organisation of ``industry``,
size class ``size`` and ``employees``, on a basis and a period, one :class:`TypeSpec` per
attack type, in the model's order (the five JNSA types, then ``minor`` on the all-incidents
basis):

* the rate per year before the profile's own factors (JNSA types: ``cal.rate``, the class
  level, which the profile's headcount, web exposure and controls multiply; ``minor``:
  ``cal.minor_rate`` at ``employees``, which only the controls multiply);
* the survey-basis loss the engine draws: the major severity at the reference headcount
  ``LN(mu0, sigma0)`` (``cal.major_severity_parameters``), with ``severity_scale`` =
  ``(employees / h_ref) ** e_L``; ``minor``: its own lognormal at the reference headcount;
* the core ``IncidentType``: the component data's shares, records and interview downtime
  (lognormal types normalised to the publicised size mix when ``e_D > 0``), plus on the
  all-incidents basis the contained branch (``contained.<type>.*``: loss, downtime, effort
  mean; the effort's spread is the type's), and for ``minor`` the calibrated recovery time and
  effort;
* ``major_probability`` (``cal.major_probability``; 1 on the publicised basis and for
  ``minor``), ``downtime_scale`` (``(employees / h_ref) ** e_D``; 1 for the card-payment
  suspension, which the card companies set) and ``share_affected`` (1; ``minor``:
  ``minor.share_affected``, a multiplier of the profile's share of operations affected).

With the size elasticities at 0 and on the publicised basis this is calibration v1's model
bit for bit (the same lognormals, scales of exactly 1, no BRANCH draws; tested).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .. import _arith, _core
from ..calibration import BASES, MINOR, Calibration
from ..distributions import Lognormal
from . import components as comp
from .profile import OrganisationProfile


@dataclasses.dataclass(frozen=True)
class TypeParameters:
    """What the profile and its controls mean for one attack type."""

    attack_type: str
    frequency_factor: float
    downtime_factor: float
    severity_factor: tuple[float, ...]  # (8,) per response component
    effort_factor: float
    share_affected: float
    records_held: float | None

    @classmethod
    def for_profile(cls, profile: OrganisationProfile, attack_type: str) -> "TypeParameters":
        return cls.before_headcount(profile, attack_type).at_headcount(profile.data, profile.size,
                                                                       profile.employees)

    def at_headcount(self, data: comp.ComponentData, size: str, employees: float) -> "TypeParameters":
        """These parameters with the headcount's size exposure in the frequency factor (none
        for ``minor``, whose calibrated rate scales with headcount itself)."""
        if self.attack_type == MINOR:
            return self
        return dataclasses.replace(
            self, frequency_factor=self.frequency_factor * data.size_exposure_factor(size, employees))

    @classmethod
    def before_headcount(cls, profile: OrganisationProfile, attack_type: str) -> "TypeParameters":
        """Everything but the size exposure: the same for profiles that differ only in
        headcount (a book prices many such)."""
        data = profile.data
        freq = down = effort = 1.0
        severity = [1.0] * len(comp.RESPONSE)
        for control in profile.controls.enabled():
            spec = data.control(control)
            freq *= _factor(spec, "frequency", attack_type, control)
            down *= _factor(spec, "downtime", attack_type, control)
            effort *= _factor(spec, "effort", attack_type, control)
            sev = spec.get("severity", {})
            for key in ("all", attack_type):
                for component, value in sev.get(key, {}).items():
                    if component not in comp.RESPONSE:
                        raise ValueError(f"controls.{control}.severity names unknown component {component!r}")
                    severity[comp.RESPONSE.index(component)] *= comp.factor(
                        value, f"controls.{control}.severity.{key}.{component}")
        down *= profile.controls.downtime_scale
        if attack_type == MINOR:
            # the calibrated minor rate already scales with headcount; no records exposed in
            # bulk; the share of operations stopped is the calibration's minor.share_affected
            # times it_dependency (TypeSpec.share_affected)
            return cls(attack_type, freq, down, tuple(severity), effort, profile.it_dependency, None)
        default_ec = data.default("ec_share", profile.industry, profile.size)[0]
        freq *= data.web_exposure_factor(attack_type, profile.ec_share, default_ec)
        records_kind = data.records(attack_type)["record_kind"]
        return cls(attack_type, freq, down, tuple(severity), effort,
                   getattr(profile, data.affects(attack_type)), profile.records_held(records_kind))

    @classmethod
    def neutral(cls, attack_type: str) -> "TypeParameters":
        """No controls, no operations affected, no records held."""
        return cls(attack_type, 1.0, 1.0, (1.0,) * len(comp.RESPONSE), 1.0, 0.0, None)

    def factors(self, profile: OrganisationProfile, severity_scale: float = 1.0) -> _core.IncidentFactors:
        """The core's IncidentFactors of this type for ``profile`` (calibration v1: no branch,
        no size scale of downtime)."""
        return factors(None, self, profile, severity_scale)


def _factor(spec: Mapping[str, Any], kind: str, attack_type: str, control: str) -> float:
    table = spec.get(kind, {})
    value = 1.0
    for key in ("all", attack_type):
        if key in table:
            value *= comp.factor(table[key], f"controls.{control}.{kind}.{key}")
    return value


@dataclasses.dataclass(frozen=True)
class TypeSpec:
    """One attack type of one organisation, before the profile's own factors."""

    name: str
    rate: float
    severity_mu: float
    severity_sigma: float
    incident_type: _core.IncidentType
    severity_scale: float
    downtime_scale: float
    major_probability: float
    share_affected: float
    severity_quality: str
    severity_source: str

    def severity(self) -> Lognormal:
        return Lognormal(self.severity_mu, self.severity_sigma)


def incident_type(data: comp.ComponentData, attack_type: str, downtime: Any = None,
                  effort: tuple[float, float] | None = None, contained: Any = None,
                  closure_days: float | None = None) -> _core.IncidentType:
    """The core's IncidentType of ``attack_type``: the component data's shares and records,
    the given downtime law (default: the data's) and effort ``(mean, sigma)`` (default: the
    data's), the contained branch if given; ``closure_days`` replaces the data's closure of a
    card leak."""
    closure = data.closure(attack_type)
    if closure is not None and closure_days is not None:
        closure = (closure_days, closure[1])
    rec = data.records(attack_type)
    effort_mean, effort_sigma = data.effort(attack_type) if effort is None else effort
    return _core.IncidentType(
        name=attack_type, mean_shares=data.mean_shares(attack_type), dispersion=data.dispersion,
        downtime=data.downtime(attack_type) if downtime is None else downtime,
        max_downtime_days=data.max_downtime_days,
        effort_mean=effort_mean, effort_sigma=effort_sigma,
        exposure_probability=float(rec["exposure_probability"]),
        exposed_share=float(rec["exposed_share"]), gift_probability=float(rec["gift_probability"]),
        record_driven=list(rec["record_driven"]),
        **{comp.UNIT_COSTS[c]: data.unit_cost(comp.UNIT_COSTS[c]) for c in comp.RECORD_DRIVEN},
        closure_days=None if closure is None else closure[0],
        card_sales_lost_share=0.0 if closure is None else closure[1],
        contained=contained)


def _major_downtime(cal: Calibration, data: comp.ComponentData, a: str,
                    period: str) -> tuple[_core.DowntimeDistribution, bool]:
    """The major branch's downtime law at the reference headcount and whether it scales."""
    law = data.downtime(a)
    e = cal.size_scale.downtime_elasticity
    if law.is_card_suspension:
        return law, False
    if e == 0.0:
        return law, True
    median = float(data.downtime_parameters(a)[1]["median"])
    base = cal.normalised_to_publicised_mix(a, period, law.mean(), median, e, "downtime")
    return _core.DowntimeDistribution.lognormal(base.median, base.sigma), True


def attack_type_names(cal: Calibration, basis: str) -> list[str]:
    """The model's attack types on ``basis``: the five JNSA types, then ``minor`` on the
    all-incidents basis."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, got {basis!r}")
    return cal.attack_types + ([MINOR] if basis == "all" else [])


def base_rate(cal: Calibration, attack_type: str, industry: str, size: str, employees: float,
              basis: str, period: str) -> float:
    """Incidents a year of one type before the profile's own factors: ``cal.rate`` for a JNSA
    type (the class level), ``cal.minor_rate`` at ``employees`` for ``minor``."""
    if attack_type == MINOR:
        return cal.minor_rate(industry, size, employees)
    return cal.rate(attack_type, industry, size, basis, period)


def attack_types(cal: Calibration, data: comp.ComponentData, industry: str, size: str,
                 employees: float | None = None, basis: str = "all",
                 period: str = "recent") -> list[TypeSpec]:
    """Every attack type of an organisation (see the module docstring)."""
    return for_organisation(type_laws(cal, data, basis, period), cal, industry, size, employees)


@dataclasses.dataclass(frozen=True)
class TypeLaws:
    """What an attack type's specs share across organisations on one basis and period:
    the spec at the reference headcount (rate 0) and whether its downtime scales with size."""

    spec: TypeSpec
    downtime_scales: bool
    basis: str
    period: str


def type_laws(cal: Calibration, data: comp.ComponentData, basis: str = "all",
              period: str = "recent") -> list[TypeLaws]:
    """The organisation-independent part of :func:`attack_types` (the incident types and
    severities), computed once for many organisations."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, got {basis!r}")
    if not isinstance(period, str):
        raise ValueError(f"period must be a text (recent, cumulative), got {period!r}")
    out = []
    for a in cal.attack_types:
        major = cal.major_severity_parameters(a, period)
        fit = cal.severity_fit(a, period)
        downtime, scales = _major_downtime(cal, data, a, period)
        contained = None
        if basis == "all":
            c = cal.contained(a)
            contained = _core.ContainedBranch(
                loss_median=c.severity.median, loss_sigma=c.severity.sigma,
                downtime=_core.DowntimeDistribution.lognormal(c.downtime.median, c.downtime.sigma),
                effort_mean=c.effort_mean, effort_sigma=data.effort(a)[1])
        out.append(TypeLaws(TypeSpec(
            a, 0.0, major.mu, major.sigma,
            incident_type(data, a, downtime=downtime, contained=contained), 1.0, 1.0, 1.0, 1.0,
            fit.quality, f"{fit.source}; major incidents, size-normalised (calibration v2)"),
            scales, basis, period))
    if basis == "all":
        m = cal.minor()
        out.append(TypeLaws(TypeSpec(
            MINOR, 0.0, m.severity.mu, m.severity.sigma,
            incident_type(data, MINOR,
                          downtime=_core.DowntimeDistribution.lognormal(m.downtime.median, m.downtime.sigma),
                          effort=(m.effort_mean, m.effort_sigma)),
            1.0, 1.0, 1.0, m.share_affected, "derived",
            "minor.severity_median, minor.severity_sigma (IPA2024, calibration v2)"), True, basis, period))
    return out


def for_organisation(laws: list[TypeLaws], cal: Calibration, industry: str, size: str,
                     employees: float | None = None) -> list[TypeSpec]:
    """The specs of an organisation of ``industry``, ``size`` and ``employees`` (default the
    class's mean headcount): its rates, size scales and P(major)."""
    h = cal.class_employees(size) if employees is None else float(employees)
    scale = cal.size_scale
    loss_scale = _arith.exp(scale.offset(h, scale.loss_elasticity))
    down_scale = _arith.exp(scale.offset(h, scale.downtime_elasticity))
    out = []
    for law in laws:
        a = law.spec.name
        branches = law.basis == "all" and a != MINOR
        out.append(dataclasses.replace(
            law.spec, rate=base_rate(cal, a, industry, size, h, law.basis, law.period),
            severity_scale=loss_scale, downtime_scale=down_scale if law.downtime_scales else 1.0,
            major_probability=cal.major_probability(a, size) if branches else 1.0))
    return out


def factors(spec: TypeSpec | None = None, params: TypeParameters | None = None,
            profile: OrganisationProfile | None = None,
            severity_scale: float | None = None) -> _core.IncidentFactors:
    """The core's IncidentFactors: calibration v2's size scales, branch probability and share
    multiplier of ``spec`` (None: calibration v1, all 1) with a profile's factors ``params``
    (None: no controls, no operations affected, no records held) and its daily gross profit
    and labour cost (``profile`` None: 0).  ``severity_scale`` replaces the spec's."""
    p = TypeParameters.neutral(spec.name if spec else "") if params is None else params
    if severity_scale is None:
        severity_scale = spec.severity_scale if spec else 1.0
    return _core.IncidentFactors(
        severity_factor=list(p.severity_factor), downtime_factor=p.downtime_factor,
        effort_factor=p.effort_factor,
        share_affected=p.share_affected * (spec.share_affected if spec else 1.0),
        records_held=p.records_held,
        daily_gross_profit=profile.daily_gross_profit if profile else 0.0,
        labour_cost_month=profile.labour_cost_month if profile else 0.0,
        severity_scale=severity_scale, downtime_scale=spec.downtime_scale if spec else 1.0,
        major_probability=spec.major_probability if spec else 1.0)


def incident_model(profile: OrganisationProfile, attack_type: str) -> _core.IncidentModel:
    """The core's IncidentModel of one attack type for ``profile`` (calibration v1's type: the
    component data's laws, no contained branch, no size scales)."""
    params = TypeParameters.for_profile(profile, attack_type)
    return _core.IncidentModel(incident_type(profile.data, attack_type), params.factors(profile))
