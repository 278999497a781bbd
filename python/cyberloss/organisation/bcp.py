"""Business-continuity planning: one described incident, and controls compared by simulation.

* ``Scenario`` fixes the attack type and the downtime of one incident (e.g. the insurers'
  example cases) and evaluates its components deterministically: no random numbers.
* ``compare`` simulates the profile as it is and changed versions of it with the same seed.
  Because every random number is a function of (seed, stream, year, draw), the variants share
  their draws (common random numbers), so the per-year difference of two variants is measured
  with a standard error far smaller than either variant's own.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _validate as check, components as comp, stats
from .organisation import (PROFILE_KEYS, Controls, OrganisationProfile, OrganisationSimulation,
                           TypeParameters, _read_toml, bcp_bytes, check_tables, data_from_document,
                           expected_events, simulate_organisation)

_SCENARIO_FIELDS = ("name", "attack_type", "downtime_days", "closure_days", "share_affected",
                    "response_costs", "person_months", "records_exposed", "gifts_paid", "period")


@dataclass(frozen=True)
class Scenario:
    """One described incident: attack type and downtime fixed, the rest from the profile.

    Optional fields fix what the description states: ``share_affected`` (share of gross profit
    lost while down; default the profile's EC share for web leaks, IT dependency otherwise),
    ``closure_days`` (card leaks: days the site is closed, default from the data file),
    ``response_costs`` (JPY total of the eight response components; default the calibrated
    survey mean of the type and period), ``person_months``, ``records_exposed`` and
    ``gifts_paid``.  For a card leak ``downtime_days`` is the card-payment suspension; left out
    it is the mean of the JNSA-calibrated suspension distribution.
    """

    profile: OrganisationProfile
    attack_type: str
    downtime_days: float | None = None
    name: str = "scenario"
    closure_days: float | None = None
    share_affected: float | None = None
    response_costs: float | None = None
    person_months: float | None = None
    records_exposed: int | None = None
    gifts_paid: bool | None = None
    period: str = "recent"

    def __post_init__(self) -> None:
        data = self.profile.data
        known = [k for k in data.raw["shares"] if k not in ("about", "dispersion")]
        check.text("attack_type", self.attack_type, known)
        check.text("name", self.name)
        for name, top in (("downtime_days", check.MAX_DAYS), ("closure_days", check.MAX_DAYS),
                          ("response_costs", check.MAX_AMOUNT), ("person_months", check.MAX_RECORDS)):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check.number(name, value, 0.0, cap=top))
        if self.share_affected is not None:
            object.__setattr__(self, "share_affected",
                               check.number("share_affected", self.share_affected, 0.0, 1.0))
        if self.records_exposed is not None:
            object.__setattr__(self, "records_exposed",
                               int(check.number("records_exposed", self.records_exposed, 0.0,
                                                cap=check.MAX_RECORDS, integer=True)))
        if self.gifts_paid is not None:
            check.flag("gifts_paid", self.gifts_paid)
        check.text("period", self.period, ("cumulative", "recent"))
        if data.closure(self.attack_type) is None and self.closure_days is not None:
            raise ValueError(f"closure_days applies to card leaks only, not to {self.attack_type!r}")

    @classmethod
    def from_toml(cls, path: str | Path) -> "Scenario":
        """``[scenario]`` table (attack_type, downtime_days, ...) and ``[organisation]`` table."""
        doc = _read_toml(path)
        with check.located(f"scenario file {path}"):
            return cls._from_document(doc, path)

    @classmethod
    def _from_document(cls, doc: Mapping[str, Any], path: Any) -> "Scenario":
        if "scenario" not in doc or "organisation" not in doc:
            raise ValueError(f"{path}: a scenario file needs [scenario] and [organisation] tables")
        check_tables(doc)
        table = check.table("scenario", doc["scenario"])
        for key in table:
            if key not in _SCENARIO_FIELDS:
                raise ValueError(f"scenario: unknown field {key!r} (known: {', '.join(_SCENARIO_FIELDS)})")
        if "attack_type" not in table:
            raise ValueError("scenario: field 'attack_type' is required")
        profile = OrganisationProfile.from_mapping(doc["organisation"], data=data_from_document(doc))
        with check.located("scenario", _SCENARIO_FIELDS):
            return cls(profile=profile, **table)

    def evaluate(self, calibration: Any = None) -> "ScenarioResult":
        """Components of the described incident (deterministic)."""
        profile, data, t = self.profile, self.profile.data, self.attack_type
        params = TypeParameters.for_profile(profile, t)
        sources: dict[str, str] = {}

        if self.downtime_days is not None:
            downtime = float(self.downtime_days)
            sources["downtime_days"] = "given"
        else:
            dist = data.downtime(t)
            downtime = min(dist.mean() * params.downtime_factor, data.max_downtime_days)
            sources["downtime_days"] = f"mean of the downtime distribution, {data.provenance('downtime', t)}"
        closure = data.closure(t)
        if closure is not None and self.closure_days is not None:
            closure = (float(self.closure_days), closure[1])
            sources["closure_days"] = "given"
        elif closure is not None:
            sources["closure_days"] = f"default {closure[0]:g} days, {data.provenance('downtime', t)}"
        share = self.share_affected if self.share_affected is not None else params.share_affected
        sources["share_affected"] = "given" if self.share_affected is not None else \
            f"profile {data.affects(t)} ({profile.sources[data.affects(t)]})"
        bi_days = float(comp.business_interruption_days(np.array([downtime]), closure)[0])
        lost_profit = profile.daily_gross_profit * share * bi_days
        sources["lost_profit"] = "revenue x gross margin / 365 x share affected x interruption days"

        response = self._response(params, sources, calibration)

        if self.person_months is not None:
            person_months = float(self.person_months)
            sources["internal_effort"] = "given person-months x labour cost"
        else:
            person_months = data.effort(t).mean() * params.effort_factor
            sources["internal_effort"] = f"mean person-months {data.provenance('effort', t)} x labour cost"
        values = {**response, "lost_profit": lost_profit,
                  "internal_effort": person_months * profile.labour_cost_month}
        return ScenarioResult(self, downtime, closure[0] if closure else None, bi_days, share,
                              person_months, values, sources)

    def _response(self, params: TypeParameters, sources: dict[str, str], calibration: Any) -> dict[str, float]:
        data, t = self.profile.data, self.attack_type
        shares = data.mean_shares(t)
        record_parts: dict[str, float] = {}
        if self.records_exposed is not None:
            rec = data.records(t)
            n = float(self.records_exposed)
            gift = (1.0 if self.gifts_paid else 0.0) if self.gifts_paid is not None else float(rec["gift_probability"])
            unit_names = {"notification": "notification_per_record", "condolence": "condolence_per_person",
                          "liability": "card_compensation_per_card"}
            for c in rec["record_driven"]:
                spec = data.raw["records"]["unit_costs"][unit_names[c]]
                factor = gift if c == "condolence" else 1.0
                record_parts[c] = n * factor * float(spec["value"])
                sources[c] = (f"{self.records_exposed:,} records x {spec['value']:,} JPY"
                              + (f" x gift probability {factor:g}" if c == "condolence" and factor not in (0.0, 1.0) else "")
                              + f" ({spec['quality']}, {spec['source']})")
        share_based = [c for c in comp.RESPONSE if c not in record_parts]
        if self.response_costs is not None:
            rest = float(self.response_costs) - sum(record_parts.values())
            if rest < 0:
                raise ValueError(f"response_costs must cover the record-driven costs of records_exposed = "
                                 f"{self.records_exposed:,} records ({sum(record_parts.values()):,.0f} JPY), "
                                 f"got {self.response_costs!r}")
            idx = [comp.RESPONSE.index(c) for c in share_based]
            weights = shares[idx] / shares[idx].sum()
            split = {c: rest * w for c, w in zip(share_based, weights)}
            label = "given response costs split by the mean shares"
        else:
            from cyberloss import calibration as calibration_module
            cal = calibration if calibration is not None else calibration_module.load()
            survey_mean = float(cal.severity(t, period=self.period).mean())
            fit = cal.severity_fit(t, self.period)
            split = {c: survey_mean * shares[comp.RESPONSE.index(c)] * params.severity_factor[comp.RESPONSE.index(c)]
                     for c in share_based}
            record_parts = {c: v * params.severity_factor[comp.RESPONSE.index(c)] for c, v in record_parts.items()}
            label = (f"survey mean {survey_mean / 1e4:,.0f}万円 ({self.period}; {fit.quality}, {fit.source}) "
                     f"x mean share ({data.provenance('shares', t)})")
        for c in share_based:
            sources[c] = label
        return {c: (split[c] if c in split else record_parts[c]) for c in comp.RESPONSE}


@dataclass(frozen=True)
class ScenarioResult:
    """Components (JPY) of one described incident, with where each number comes from."""

    scenario: Scenario
    downtime_days: float
    closure_days: float | None
    interruption_days: float
    share_affected: float
    person_months: float
    components: Mapping[str, float]
    sources: Mapping[str, str]

    @property
    def lost_profit(self) -> float:
        return self.components["lost_profit"]

    def total(self) -> float:
        return float(sum(self.components.values()))

    def describe(self) -> pd.DataFrame:
        labels = self.scenario.profile.data.raw["components"]["labels_ja"]
        rows = [{"component": c, "label_ja": labels[c], "jpy": self.components[c],
                 "man_yen": self.components[c] / 1e4, "source": self.sources.get(c, "")}
                for c in comp.COMPONENTS]
        rows.append({"component": "total", "label_ja": "合計", "jpy": self.total(),
                     "man_yen": self.total() / 1e4, "source": ""})
        return pd.DataFrame(rows).set_index("component")

    def to_dict(self) -> dict[str, Any]:
        s = self.scenario
        return {
            "name": s.name,
            "attack_type": s.attack_type,
            "downtime_days": self.downtime_days,
            "closure_days": self.closure_days,
            "interruption_days": self.interruption_days,
            "share_affected": self.share_affected,
            "person_months": self.person_months,
            **{c: float(v) for c, v in self.components.items()},
            "total": self.total(),
            "sources": dict(self.sources),
            "profile": {k: (v if not isinstance(v, Controls) else list(v.enabled()))
                        for k, v in _profile_fields(s.profile).items()},
        }

    def _repr_html_(self) -> str:
        return f"<b>Scenario {self.scenario.name}</b> ({self.scenario.attack_type})" + self.describe().to_html()


def _profile_fields(profile: OrganisationProfile) -> dict[str, Any]:
    keys = ("name", "industry", "size", "revenue", "gross_margin", "employees", "personal_records",
            "card_records", "ec_share", "labour_cost_month", "it_dependency", "controls")
    return {k: getattr(profile, k) for k in keys}


@dataclass(frozen=True)
class Variant:
    """A named version of the profile to compare with the baseline."""

    name: str
    profile: OrganisationProfile


def default_variants(profile: OrganisationProfile) -> list[Variant]:
    """The profile as it is, each control it lacks switched on alone, downtime halved, and all
    controls together."""
    out = [Variant("as is", profile)]
    missing = [c for c in Controls.names() if not getattr(profile.controls, c)]
    for control in missing:
        label = profile.data.control(control)["label_ja"]
        out.append(Variant(f"+ {control} ({label})", profile.with_controls(**{control: True})))
    out.append(Variant("downtime halved (BCP target)",
                       profile.with_controls(downtime_scale=profile.controls.downtime_scale * 0.5)))
    if len(missing) > 1:
        out.append(Variant("all controls", profile.with_controls(**{c: True for c in missing})))
    return out


@dataclass(frozen=True)
class SimulationSettings:
    years: int = 200_000
    seed: int = 1
    basis: str = "all"
    period: str = "recent"

    def __post_init__(self) -> None:
        years = check.positive_int("years", self.years)
        if years < 2:
            raise ValueError(f"years must be a whole number >= 2, got {self.years!r}")
        check.seed(self.seed)
        check.text("basis", self.basis, ("publicised", "all"))
        check.text("period", self.period, ("cumulative", "recent"))


@dataclass(frozen=True)
class BcpPlan:
    """A profile, its variants and simulation settings, as read from a BCP TOML file."""

    variants: tuple[Variant, ...]
    settings: SimulationSettings

    @classmethod
    def from_toml(cls, path: str | Path) -> "BcpPlan":
        """``[organisation]``, optional ``[simulation]`` (years, seed, basis, period) and optional
        ``[[variants]]`` (name plus changed fields; ``controls`` merges into the baseline's)."""
        doc = _read_toml(path)
        with check.located(f"profile {path}"):
            return cls._from_document(doc, path)

    @classmethod
    def _from_document(cls, doc: Mapping[str, Any], path: Any) -> "BcpPlan":
        check_tables(doc)
        base = OrganisationProfile.from_document(doc)
        sim = check.table("simulation", doc.get("simulation", {}))
        for key in sim:
            if key not in ("years", "seed", "basis", "period"):
                raise ValueError(f"simulation: unknown field {key!r} (known: basis, period, seed, years)")
        with check.located("simulation", ("years", "seed", "basis", "period")):
            settings = SimulationSettings(**sim)
        if "variants" not in doc:
            return cls(tuple(default_variants(base)), settings)
        specs = doc["variants"]
        if not isinstance(specs, list):
            raise ValueError(f"variants must be a list of [[variants]] tables, got {check.shown(specs)}")
        variants = [Variant("as is", base)]
        for i, spec in enumerate(specs):
            where = f"variants[{i}]"
            spec = check.table(where, spec)
            if "name" not in spec:
                raise ValueError(f"{where}: field 'name' is required")
            name = check.text(f"{where}.name", spec.pop("name"))
            controls = check.table(f"{where}.controls", spec.pop("controls", {}))
            with check.located(where, PROFILE_KEYS):
                profile = base.replace(**spec) if spec else base
                variants.append(Variant(name, profile.with_controls(**controls) if controls else profile))
        return cls(tuple(variants), settings)


class BcpComparison:
    """Variants simulated with common random numbers; the first is the baseline.

    Differences are per simulated year (variant minus baseline); their standard error is the
    sample standard deviation of the per-year differences over sqrt(years).  VaR is the lower
    empirical quantile (ceil(n p)-th order statistic) of the annual loss.
    """

    def __init__(self, variants: Sequence[Variant], sims: Sequence[OrganisationSimulation], var_level: float = 0.99):
        if len(variants) < 1 or len(variants) != len(sims):
            raise ValueError("need one simulation per variant, at least one")
        self.variants = tuple(variants)
        self.sims = tuple(sims)
        self.var_level = var_level
        self.n_years = sims[0].n_years

    def _annual(self, sim: OrganisationSimulation) -> tuple[np.ndarray, np.ndarray]:
        return sim.annual(), sim.annual_downtime()

    def describe(self) -> pd.DataFrame:
        """One row per variant: expected loss and its SE, VaR, expected downtime days (all
        types and ransomware), and the differences to the baseline with their SEs."""
        base_loss, base_down = self._annual(self.sims[0])
        base_rw = self.sims[0].annual_downtime("ransomware")
        n = self.n_years
        rows = []
        for v, sim in zip(self.variants, self.sims):
            loss, down = self._annual(sim)
            rw = sim.annual_downtime("ransomware")
            d_loss, d_down, d_rw = loss - base_loss, down - base_down, rw - base_rw
            rows.append({
                "variant": v.name,
                "expected_loss": loss.mean(),
                "expected_loss_se": loss.std(ddof=1) / math.sqrt(n),
                "var_99": stats.var(loss, self.var_level),
                "expected_downtime_days": down.mean(),
                "expected_ransomware_downtime_days": rw.mean(),
                "difference_to_baseline": d_loss.mean(),
                "difference_to_baseline_se": d_loss.std(ddof=1) / math.sqrt(n),
                "downtime_difference": d_down.mean(),
                "downtime_difference_se": d_down.std(ddof=1) / math.sqrt(n),
                "ransomware_downtime_difference": d_rw.mean(),
                "ransomware_downtime_difference_se": d_rw.std(ddof=1) / math.sqrt(n),
            })
        return pd.DataFrame(rows).set_index("variant")

    def by_component(self) -> pd.DataFrame:
        """Annual expected loss by component (columns) for each variant (rows), JPY."""
        return pd.DataFrame({v.name: {c: sim.annual(c).mean() for c in comp.COMPONENTS}
                             for v, sim in zip(self.variants, self.sims)}).T

    def component_differences(self) -> pd.DataFrame:
        """Per-component difference to the baseline and its SE (MultiIndex columns)."""
        base = self.sims[0]
        out = {}
        for v, sim in zip(self.variants, self.sims):
            row = {}
            for c in comp.COMPONENTS:
                d = sim.annual(c) - base.annual(c)
                row[(c, "difference")] = d.mean()
                row[(c, "se")] = d.std(ddof=1) / math.sqrt(self.n_years)
            out[v.name] = row
        return pd.DataFrame(out).T

    def to_dict(self) -> dict[str, Any]:
        table = self.describe()
        comps = self.by_component()
        variants = []
        for name, row in table.iterrows():
            entry = {"name": name, **{k: float(v) for k, v in row.items()}}
            entry["components"] = {c: float(comps.loc[name, c]) for c in comp.COMPONENTS}
            entry["controls"] = list(self.variants[len(variants)].profile.controls.enabled())
            variants.append(entry)
        s = self.sims[0]
        return {"years": self.n_years, "seed": s.seed, "basis": s.basis, "period": s.period,
                "var_level": self.var_level, "variants": variants, "assumptions": s.assumptions()}

    def _repr_html_(self) -> str:
        return (f"<b>BCP comparison</b>: {len(self.variants)} variants, {self.n_years:,} years, "
                f"common random numbers (seed {self.sims[0].seed})" + self.describe().to_html())


def compare(
    profile: OrganisationProfile,
    variants: Sequence[Variant] | None = None,
    years: int = 200_000,
    seed: int = 1,
    basis: str = "all",
    period: str = "recent",
    threads: int | None = None,
    calibration: Any = None,
) -> BcpComparison:
    """Simulate the baseline ``profile`` and each variant with the same seed (common random
    numbers).  ``variants`` default to ``default_variants(profile)``; if given, the baseline is
    prepended unless the first variant already is ``profile``."""
    settings = SimulationSettings(years=years, seed=seed, basis=basis, period=period)
    if variants is None:
        variants = default_variants(profile)
    else:
        variants = list(variants)
        if not variants or variants[0].profile != profile:
            variants = [Variant("as is", profile), *variants]
    return _run(variants, settings, threads, calibration)


def run_plan(plan: BcpPlan, threads: int | None = None, calibration: Any = None) -> BcpComparison:
    return _run(list(plan.variants), plan.settings, threads, calibration)


def _run(variants: Sequence[Variant], settings: SimulationSettings, threads: int | None,
         calibration: Any) -> BcpComparison:
    if calibration is None:
        from cyberloss import calibration as calibration_module
        calibration = calibration_module.load()
    events = [expected_events(v.profile, settings.years, settings.basis, settings.period, calibration)
              for v in variants]
    check.fits_in_memory(bcp_bytes(events, settings.years),
                         f"a comparison of {len(variants)} variants over {settings.years:,} years "
                         f"(about {sum(events):,.0f} simulated incidents, one event table each)",
                         "simulate fewer years")
    sims = [simulate_organisation(v.profile, settings.years, settings.seed, basis=settings.basis,
                                  period=settings.period, threads=threads, calibration=calibration)
            for v in variants]
    return BcpComparison(variants, sims)
