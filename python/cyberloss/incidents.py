"""Calibration v2 passed down to the C++ incident model: one organisation's attack types.

For an organisation of ``industry``, size class ``size`` and ``employees``, on a basis and a
period, :func:`attack_types` gives one :class:`TypeSpec` per attack type, in the model's order
(the five JNSA types, then ``minor`` on the all-incidents basis):

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

import math
from dataclasses import dataclass
from typing import Any, Sequence

from . import _core
from . import components as comp
from .calibration import BASES, MINOR, Calibration

__all__ = ["TypeSpec", "attack_types", "incident_type", "factors"]


@dataclass(frozen=True)
class TypeSpec:
    """One attack type of one organisation, before the profile's own factors."""

    name: str
    rate: float
    severity_mu: float
    severity_sigma: float
    incident_type: Any          # _core.IncidentType
    severity_scale: float
    downtime_scale: float
    major_probability: float
    share_affected: float
    severity_quality: str
    severity_source: str

    def severity(self):
        import cyberloss as cl

        return cl.Lognormal(self.severity_mu, self.severity_sigma)


def _downtime(law: Any) -> Any:
    if isinstance(law, comp.CardSuspension):
        return _core.DowntimeDistribution.card_suspension(
            law.long_probability, law.long_start, law.long_excess_mean, law.short_median, law.short_sigma)
    return _core.DowntimeDistribution.lognormal(law.median, law.sigma)


def incident_type(data: comp.ComponentData, attack_type: str, downtime: Any = None,
                  effort: tuple[float, float] | None = None, contained: Any = None) -> Any:
    """The core IncidentType of ``attack_type``: the component data's shares and records, the
    given downtime law (default: the data's) and effort ``(mean, sigma)`` (default: the
    data's), and the contained branch if given."""
    closure = data.closure(attack_type) if attack_type in data.raw["downtime"] else None
    rec = data.records(attack_type)
    if effort is None:
        spec = data.raw["effort"][attack_type]
        effort = (float(spec["mean"]), float(spec["sigma"]))
    return _core.IncidentType(
        name=attack_type, mean_shares=list(data.mean_shares(attack_type)), dispersion=data.dispersion,
        downtime=_downtime(data.downtime(attack_type)) if downtime is None else downtime,
        max_downtime_days=data.max_downtime_days, effort_mean=effort[0], effort_sigma=effort[1],
        exposure_probability=float(rec["exposure_probability"]),
        exposed_share=float(rec["exposed_share"]), gift_probability=float(rec["gift_probability"]),
        record_driven=list(rec["record_driven"]),
        notification_per_record=data.unit_cost("notification_per_record"),
        condolence_per_person=data.unit_cost("condolence_per_person"),
        card_compensation_per_card=data.unit_cost("card_compensation_per_card"),
        closure_days=None if closure is None else closure[0],
        card_sales_lost_share=0.0 if closure is None else closure[1],
        contained=contained)


def _major_downtime(cal: Calibration, data: comp.ComponentData, a: str, period: str) -> tuple[Any, bool]:
    """The major branch's downtime law at the reference headcount and whether it scales."""
    law = data.downtime(a)
    e = cal.size_scale.downtime_elasticity
    if isinstance(law, comp.CardSuspension):
        return _downtime(law), False
    if e == 0.0:
        return _downtime(law), True
    base = cal.normalised_to_publicised_mix(a, period, law.mean(), law.median, e, "downtime")
    return _core.DowntimeDistribution.lognormal(base.median, base.sigma), True


def attack_types(cal: Calibration, data: comp.ComponentData, industry: str, size: str,
                 employees: float | None = None, basis: str = "all",
                 period: str = "recent") -> list[TypeSpec]:
    """Every attack type of an organisation (see the module docstring)."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, got {basis!r}")
    h = cal.class_employees(size) if employees is None else float(employees)
    scale = cal.size_scale
    loss_scale = math.exp(scale.offset(h, scale.loss_elasticity))
    down_scale = math.exp(scale.offset(h, scale.downtime_elasticity))
    out = []
    for a in cal.attack_types:
        major = cal.major_severity_parameters(a, period)
        fit = cal.severity_fit(a, period)
        downtime, scales = _major_downtime(cal, data, a, period)
        contained = None
        p_major = 1.0
        if basis == "all":
            c = cal.contained(a)
            contained = _core.ContainedBranch(
                loss_median=c.severity.median, loss_sigma=c.severity.sigma,
                downtime=_core.DowntimeDistribution.lognormal(c.downtime.median, c.downtime.sigma),
                effort_mean=c.effort_mean, effort_sigma=float(data.raw["effort"][a]["sigma"]))
            p_major = cal.major_probability(a, size)
        out.append(TypeSpec(
            a, cal.rate(a, industry, size, basis, period), major.mu, major.sigma,
            incident_type(data, a, downtime=downtime, contained=contained), loss_scale,
            down_scale if scales else 1.0, p_major, 1.0, fit.quality,
            f"{fit.source}; major incidents, size-normalised (calibration v2)"))
    if basis == "all":
        m = cal.minor()
        out.append(TypeSpec(
            MINOR, cal.minor_rate(industry, size, h), m.severity.mu, m.severity.sigma,
            incident_type(data, MINOR,
                          downtime=_core.DowntimeDistribution.lognormal(m.downtime.median, m.downtime.sigma),
                          effort=(m.effort_mean, m.effort_sigma)),
            loss_scale, down_scale, 1.0, m.share_affected, "derived",
            "minor.severity_median, minor.severity_sigma (IPA2024, calibration v2)"))
    return out


def factors(spec: TypeSpec, severity_factor: Sequence[float] | None = None, downtime_factor: float = 1.0,
            effort_factor: float = 1.0, share_affected: float = 0.0, records_held: float | None = None,
            daily_gross_profit: float = 0.0, labour_cost_month: float = 0.0) -> Any:
    """The core IncidentFactors of ``spec`` with a profile's factors (defaults: none)."""
    return _core.IncidentFactors(
        severity_factor=list(severity_factor) if severity_factor is not None else [1.0] * len(comp.RESPONSE),
        downtime_factor=downtime_factor, effort_factor=effort_factor,
        share_affected=share_affected * spec.share_affected, records_held=records_held,
        daily_gross_profit=daily_gross_profit, labour_cost_month=labour_cost_month,
        severity_scale=spec.severity_scale, downtime_scale=spec.downtime_scale,
        major_probability=spec.major_probability)
