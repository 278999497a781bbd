"""What an incident costs one organisation: the data and the profile passed down to the core.

For each attack type this builds the core's ``IncidentType`` (shares, records, downtime,
effort: ``data/components.json``) and ``IncidentFactors`` (the profile's controls, share of
operations affected, records held, daily gross profit, labour cost), and the frequency factor
(controls, web exposure, size exposure).  The C++ ``IncidentModel`` then prices each simulated
incident (``include/cyberloss/incident.hpp`` documents the formulas and random streams).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from .. import _core
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
        default_ec = data.default("ec_share", profile.industry, profile.size)[0]
        freq *= data.web_exposure_factor(attack_type, profile.ec_share, default_ec)
        freq *= data.size_exposure_factor(profile.size, profile.employees)
        records_kind = data.records(attack_type)["record_kind"]
        return cls(attack_type, freq, down, tuple(severity), effort,
                   getattr(profile, data.affects(attack_type)), profile.records_held(records_kind))

    def factors(self, profile: OrganisationProfile, severity_scale: float = 1.0) -> _core.IncidentFactors:
        """The core's IncidentFactors of this type for ``profile``."""
        return _core.IncidentFactors(
            severity_factor=list(self.severity_factor), downtime_factor=self.downtime_factor,
            effort_factor=self.effort_factor, share_affected=self.share_affected,
            records_held=self.records_held, daily_gross_profit=profile.daily_gross_profit,
            labour_cost_month=profile.labour_cost_month, severity_scale=severity_scale)


def _factor(spec: Mapping[str, Any], kind: str, attack_type: str, control: str) -> float:
    table = spec.get(kind, {})
    value = 1.0
    for key in ("all", attack_type):
        if key in table:
            value *= comp.factor(table[key], f"controls.{control}.{kind}.{key}")
    return value


def incident_type(data: comp.ComponentData, attack_type: str,
                  closure_days: float | None = None) -> _core.IncidentType:
    """The core's IncidentType of ``attack_type`` from the component data (``closure_days``
    replaces the data's closure of a card leak)."""
    closure = data.closure(attack_type)
    if closure is not None and closure_days is not None:
        closure = (closure_days, closure[1])
    rec = data.records(attack_type)
    effort_mean, effort_sigma = data.effort(attack_type)
    return _core.IncidentType(
        name=attack_type, mean_shares=data.mean_shares(attack_type), dispersion=data.dispersion,
        downtime=data.downtime(attack_type), max_downtime_days=data.max_downtime_days,
        effort_mean=effort_mean, effort_sigma=effort_sigma,
        exposure_probability=float(rec["exposure_probability"]),
        exposed_share=float(rec["exposed_share"]), gift_probability=float(rec["gift_probability"]),
        record_driven=list(rec["record_driven"]),
        **{comp.UNIT_COSTS[c]: data.unit_cost(comp.UNIT_COSTS[c]) for c in comp.RECORD_DRIVEN},
        closure_days=None if closure is None else closure[0],
        card_sales_lost_share=0.0 if closure is None else closure[1])


def incident_model(profile: OrganisationProfile, attack_type: str) -> _core.IncidentModel:
    """The core's IncidentModel of one attack type for ``profile``."""
    params = TypeParameters.for_profile(profile, attack_type)
    return _core.IncidentModel(incident_type(profile.data, attack_type), params.factors(profile))


def incident_models(profile: OrganisationProfile, attack_types: Sequence[str]) -> list[_core.IncidentModel]:
    return [incident_model(profile, t) for t in attack_types]
