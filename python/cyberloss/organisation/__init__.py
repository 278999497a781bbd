"""One organisation's cyber losses, component by component.

Modules: ``components`` (the per-incident data, ``data/components.json``), ``controls``,
``profile`` (:class:`OrganisationProfile`), ``incident`` (the profile and data passed to the
core's incident model), ``simulate`` (:func:`simulate_organisation`: a year-loss table of
components), ``scenario`` (one described incident), ``bcp`` (controls compared by
simulation with common random numbers).
"""
from __future__ import annotations

from . import bcp, components, incident, scenario
from .bcp import BcpComparison, BcpPlan, Variant, compare, default_variants, run_plan
from .components import COMPONENTS, ComponentData
from .controls import Controls
from .incident import TypeParameters, TypeSpec, attack_types, incident_model, incident_type
from .profile import PROFILE_KEYS, OrganisationProfile, check_tables, data_from_document
from .scenario import Scenario, ScenarioResult
from .simulate import (
                       BCP_BYTES_PER_EVENT_KEPT,
                       BCP_BYTES_PER_EVENT_WORKING,
                       BCP_BYTES_PER_YEAR,
                       QUOTE_BYTES_PER_EVENT,
                       QUOTE_BYTES_PER_YEAR,
                       OrganisationSimulation,
                       bcp_bytes,
                       expected_events,
                       organisation_model,
                       simulate_organisation,
)

__all__ = ["BCP_BYTES_PER_EVENT_KEPT", "BCP_BYTES_PER_EVENT_WORKING", "BCP_BYTES_PER_YEAR",
           "COMPONENTS", "QUOTE_BYTES_PER_EVENT", "QUOTE_BYTES_PER_YEAR", "PROFILE_KEYS",
           "BcpComparison", "BcpPlan", "ComponentData", "Controls", "OrganisationProfile",
           "OrganisationSimulation", "Scenario", "ScenarioResult", "TypeParameters", "TypeSpec",
           "Variant", "attack_types", "bcp", "bcp_bytes", "check_tables", "compare", "components", "data_from_document",
           "default_variants", "expected_events", "incident", "incident_model", "incident_type",
           "organisation_model", "run_plan", "scenario", "simulate_organisation"]
