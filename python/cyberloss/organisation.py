"""One organisation's cyber losses, component by component.

``OrganisationProfile`` describes the organisation (industry, size, revenue, margin, records,
EC share, labour cost, controls); fields left out take labelled defaults by industry and size.
``simulate_organisation`` runs the engine for the calibrated attack types and turns each
simulated incident into named components (``cyberloss.components``): the survey-basis loss
split into response costs and liability, plus lost profit over the downtime and internal effort.

Random numbers follow the package convention (docs/DESIGN.md): the engine draws counts and
survey-basis losses; each event (year, type index t, k) then takes its downtime from
``uniform_at(seed, stream_id(DOWNTIME, t), year, k)``, its effort from EFFORT draw k and its
component shares from COMPONENTS draws k*16 .. k*16+15.  Two profiles simulated with the same
seed therefore share their random numbers.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _input, _validate as check, components as comp, stats

SIZES = ("large", "sme", "organisation")
MINOR = "minor"   # calibration v2's sixth attack type (cyberloss.calibration.MINOR)


@dataclass(frozen=True)
class Controls:
    """Security and continuity controls in place (all off unless stated).

    ``downtime_scale`` is a BCP target: every downtime is multiplied by it (0.5 = "downtime
    halved").  The factors each control applies are in ``data/components.json``.
    """

    offline_backups: bool = False
    restore_drills: bool = False
    mfa_remote_access: bool = False
    edr: bool = False
    ir_retainer: bool = False
    downtime_scale: float = 1.0

    def __post_init__(self) -> None:
        for name in self.names():
            check.flag(f"controls.{name}", getattr(self, name))
        object.__setattr__(self, "downtime_scale",
                           check.number("controls.downtime_scale", self.downtime_scale, 0.0))

    @staticmethod
    def names() -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(Controls) if f.name != "downtime_scale")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> "Controls":
        mapping = check.table("controls", mapping)
        known = set(cls.names()) | {"downtime_scale"}
        for key in mapping:
            if key not in known:
                raise ValueError(f"controls: unknown control {key!r} (known: {', '.join(sorted(known))})")
        return cls(**mapping)

    def enabled(self) -> tuple[str, ...]:
        return tuple(n for n in self.names() if getattr(self, n))

    def with_(self, **changes: Any) -> "Controls":
        return Controls.from_mapping({**dataclasses.asdict(self), **changes})


_PROFILE_FIELDS = (
    "revenue", "gross_margin", "employees", "personal_records", "card_records",
    "ec_share", "labour_cost_month", "it_dependency",
)
PROFILE_KEYS = frozenset({"industry", "size", "name", "controls", *_PROFILE_FIELDS})
# tables of a profile document that other readers own (bcp, scenario, quote, overrides)
OTHER_TABLES = ("simulation", "variants", "scenario", "overrides", "terms", "quote")
_LABELS = {
    "name": "name",
    "industry": "industry (業種)",
    "size": "size (規模)",
    "revenue": "annual revenue (売上高), JPY",
    "gross_margin": "gross margin (売上総利益率)",
    "employees": "employees (従業員数)",
    "personal_records": "personal records held (個人情報件数)",
    "card_records": "card records exposed to the website (カード情報件数)",
    "ec_share": "share of sales through the EC site (EC売上比率)",
    "labour_cost_month": "labour cost per person-month (人件費), JPY",
    "it_dependency": "share of operations stopped while systems are down",
    "controls": "controls (対策)",
}


@dataclass(frozen=True)
class OrganisationProfile:
    """An organisation as the model sees it.  Validated at construction.

    Fields left as ``None`` take the defaults of ``data/components.json`` for the industry and
    size; ``sources`` says, field by field, whether a value was given or defaulted (and from
    what).  Records left out mean "unknown": record-driven costs then follow the survey shares.
    """

    industry: str
    size: str
    revenue: float | None = None
    gross_margin: float | None = None
    employees: int | None = None
    personal_records: int | None = None
    card_records: int | None = None
    ec_share: float | None = None
    labour_cost_month: float | None = None
    it_dependency: float | None = None
    controls: Controls = field(default_factory=Controls)
    name: str = "organisation"
    sources: Mapping[str, str] = field(default=None, init=False, compare=False, repr=False)  # type: ignore[assignment]
    data: comp.ComponentData = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        data = self.data if self.data is not None else comp.load()
        object.__setattr__(self, "data", data)
        industries = tuple(data.raw["profile_defaults"]["by_industry"]["gross_margin"]["values"])
        check.text("industry", self.industry, industries)
        check.text("size", self.size, SIZES)
        check.text("name", self.name)
        if isinstance(self.controls, Mapping):
            object.__setattr__(self, "controls", Controls.from_mapping(self.controls))
        elif not isinstance(self.controls, Controls):
            raise ValueError(f"controls must be a Controls or a mapping, got {self.controls!r}")
        for control in self.controls.names():
            data.control(control)
        sources = {"industry": "given", "size": "given", "name": "given", "controls": "given"}
        for name in _PROFILE_FIELDS:
            value = getattr(self, name)
            if value is None:
                value, label = self._default(data, name)
            else:
                label = "given"
            object.__setattr__(self, name, _check_field(name, value))
            sources[name] = label
        if not self.controls.enabled() and self.controls.downtime_scale == 1.0:
            sources["controls"] = self._default(data, "controls")[1]
        object.__setattr__(self, "sources", dict(sources))

    def _default(self, data: comp.ComponentData, name: str) -> tuple[Any, str]:
        if name in ("personal_records", "card_records"):
            return data.default("records", self.industry, self.size)
        return data.default(name, self.industry, self.size)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], data: comp.ComponentData | None = None,
                     where: str = "organisation") -> "OrganisationProfile":
        """Build from a plain mapping (e.g. a TOML table); unknown keys are refused and errors
        name the field's dotted path under ``where`` (``organisation.revenue``)."""
        mapping = check.table(where, mapping)
        for key in mapping:
            if key not in PROFILE_KEYS:
                raise ValueError(f"{where}: unknown field {key!r} (known: {', '.join(sorted(PROFILE_KEYS))})")
        for key in ("industry", "size"):
            if key not in mapping:
                raise ValueError(f"{where}: field {key!r} is required")
        with check.located(where, PROFILE_KEYS):
            if "controls" in mapping:
                mapping["controls"] = Controls.from_mapping(mapping["controls"])
            return cls(**mapping, data=data)

    @classmethod
    def from_toml(cls, path: str | Path, data: comp.ComponentData | None = None) -> "OrganisationProfile":
        """Read a profile from TOML: the ``[organisation]`` table if present, else the top level
        (``[simulation]``, ``[[variants]]``, ``[scenario]``, ``[terms]``, ``[quote]`` and
        ``[overrides]`` tables are left to their readers)."""
        doc = _read_toml(path)
        with check.located(f"profile {path}"):
            return cls.from_document(doc, data)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any], data: comp.ComponentData | None = None) -> "OrganisationProfile":
        """The profile of a parsed profile document (see :meth:`from_toml`)."""
        if "organisation" in doc:
            table = doc["organisation"]
        else:
            table = {k: v for k, v in doc.items() if k not in OTHER_TABLES}
        return cls.from_mapping(table, data=data if data is not None else data_from_document(doc))

    def given(self) -> dict[str, Any]:
        """The fields the user gave (defaults left out), as keyword arguments."""
        out = {k: getattr(self, k) for k in ("industry", "size", "name", *_PROFILE_FIELDS)
               if self.sources.get(k, "given") == "given"}
        out["controls"] = self.controls
        return out

    def replace(self, **changes: Any) -> "OrganisationProfile":
        """A variant with some fields changed; defaulted fields are re-derived (e.g. on a
        change of industry)."""
        unknown = [k for k in changes if k not in PROFILE_KEYS]
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(PROFILE_KEYS))})")
        kwargs = {**self.given(), **changes}
        if isinstance(kwargs.get("controls"), Mapping):
            kwargs["controls"] = self.controls.with_(**kwargs["controls"])
        return OrganisationProfile(**kwargs, data=self.data)

    def with_controls(self, **changes: Any) -> "OrganisationProfile":
        """A variant with controls switched, e.g. ``profile.with_controls(restore_drills=True)``."""
        return OrganisationProfile(**{**self.given(), "controls": self.controls.with_(**changes)}, data=self.data)

    @property
    def daily_gross_profit(self) -> float:
        """Revenue x gross margin / 365 (calendar days, as Japanese BI cover counts them)."""
        return self.revenue * self.gross_margin / comp.DAYS_PER_YEAR

    def records_held(self, kind: str) -> float | None:
        value = {"personal": self.personal_records, "card": self.card_records}[kind]
        return None if value is None else float(value)

    def describe(self) -> pd.DataFrame:
        rows = []
        for key in ("name", "industry", "size", *_PROFILE_FIELDS, "controls"):
            value = getattr(self, key)
            if key == "controls":
                value = ", ".join(self.controls.enabled()) or "none"
                if self.controls.downtime_scale != 1.0:
                    value += f"; downtime x {self.controls.downtime_scale:g}"
            elif value is None:
                value = "unknown"
            rows.append({"field": _LABELS[key], "value": value, "source": self.sources[key]})
        return pd.DataFrame(rows).set_index("field")

    def _repr_html_(self) -> str:
        return f"<b>OrganisationProfile {self.name}</b>" + self.describe().to_html()


def _check_field(name: str, value: Any) -> Any:
    if name in ("personal_records", "card_records"):
        return None if value is None else check.number(name, value, 0.0, cap=check.MAX_RECORDS, integer=True)
    if name in ("gross_margin", "ec_share", "it_dependency"):
        return check.number(name, value, 0.0, 1.0)
    if name == "employees":
        return check.number(name, value, 1.0, cap=check.MAX_EMPLOYEES, integer=True)
    if name == "revenue":
        return check.number("revenue", value, 0.0, cap=check.MAX_AMOUNT, lo_open=True)
    return check.number(name, value, 0.0, cap=check.MAX_AMOUNT)


def check_tables(doc: Mapping[str, Any]) -> None:
    """A profile document with an ``[organisation]`` table holds only the tables of the
    profile format (one file may serve quote, bcp and scenario); others are typos."""
    if "organisation" not in doc:
        return
    unknown = [k for k in doc if k != "organisation" and k not in OTHER_TABLES]
    if unknown:
        raise ValueError(f"unknown table {unknown[0]!r} (a profile takes [organisation], "
                         f"{', '.join(f'[{t}]' for t in OTHER_TABLES)})")


def data_from_document(doc: Mapping[str, Any]) -> comp.ComponentData:
    """Component data with the document's ``[overrides]`` applied (nested tables or quoted
    dotted keys, e.g. ``"controls.restore_drills.downtime.ransomware" = 0.3``)."""
    overrides = doc.get("overrides")
    if overrides is None:
        return comp.load()
    check.table("overrides", overrides)
    with check.located("overrides"):
        return comp.load(overrides=dict(_flatten(overrides)))


def _flatten(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.extend(_flatten(value, path + "."))
        else:
            out.append((path, value))
    return out


def _read_toml(path: str | Path) -> dict[str, Any]:
    return _input.read_toml(path, "profile")


@dataclass(frozen=True)
class TypeParameters:
    """What the profile and its controls mean for one attack type."""

    attack_type: str
    frequency_factor: float
    downtime_factor: float
    severity_factor: np.ndarray  # (8,) per response component
    effort_factor: float
    share_affected: float
    records_held: float | None

    @classmethod
    def for_profile(cls, profile: OrganisationProfile, attack_type: str) -> "TypeParameters":
        data = profile.data
        freq = down = effort = 1.0
        severity = np.ones(len(comp.RESPONSE))
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
                    severity[comp.RESPONSE.index(component)] *= _check_factor(value, f"controls.{control}.severity.{key}.{component}")
        down *= profile.controls.downtime_scale
        if attack_type == MINOR:
            # the calibrated minor rate already scales with headcount; no records exposed in
            # bulk; the share of operations stopped is the calibration's minor.share_affected
            # times it_dependency (cyberloss.incidents)
            return cls(attack_type, freq, down, severity, effort, profile.it_dependency, None)
        default_ec = data.default("ec_share", profile.industry, profile.size)[0]
        freq *= data.web_exposure_factor(attack_type, profile.ec_share, default_ec)
        freq *= data.size_exposure_factor(profile.size, profile.employees)
        records_kind = data.records(attack_type)["record_kind"]
        return cls(attack_type, freq, down, severity, effort,
                   getattr(profile, data.affects(attack_type)), profile.records_held(records_kind))


def _factor(spec: Mapping[str, Any], kind: str, attack_type: str, control: str) -> float:
    table = spec.get(kind, {})
    value = 1.0
    for key in ("all", attack_type):
        if key in table:
            value *= _check_factor(table[key], f"controls.{control}.{kind}.{key}")
    return value


def _check_factor(value: Any, where: str) -> float:
    return check.number(where, value, 0.0, lo_open=True)


def event_components(
    profile: OrganisationProfile,
    params: TypeParameters,
    survey_loss: np.ndarray,
    u_downtime: np.ndarray,
    u_effort: np.ndarray,
    u_components: np.ndarray,
) -> dict[str, np.ndarray]:
    """Components (JPY) and downtime days of events of one attack type, from their uniforms.

    ``survey_loss`` (n,) survey-basis losses; ``u_downtime``, ``u_effort`` (n,) and
    ``u_components`` (n, 16) the event's uniforms.  Pure NumPy: deterministic in its inputs.
    """
    data = profile.data
    t = params.attack_type
    survey_loss = np.asarray(survey_loss, dtype=np.float64)
    n = survey_loss.shape[0]
    shares = comp.draw_shares(data.mean_shares(t), data.dispersion, u_components[:, :len(comp.RESPONSE)])
    response = survey_loss[:, None] * shares * params.severity_factor
    if params.records_held is not None:
        rec = data.records(t)
        exposed = np.where(u_components[:, comp.DRAW_RECORDS_EXPOSED] < float(rec["exposure_probability"]),
                           params.records_held * float(rec["exposed_share"]), 0.0)
        gifts = u_components[:, comp.DRAW_GIFTS_PAID] < float(rec["gift_probability"])
        per_record = {
            "notification": exposed * data.unit_cost("notification_per_record"),
            "condolence": np.where(gifts, exposed * data.unit_cost("condolence_per_person"), 0.0),
            "liability": exposed * data.unit_cost("card_compensation_per_card"),
        }
        for component in rec["record_driven"]:
            j = comp.RESPONSE.index(component)
            response[:, j] = per_record[component] * params.severity_factor[j]
    downtime = np.minimum(data.downtime(t).quantile(u_downtime) * params.downtime_factor, data.max_downtime_days)
    bi_days = comp.business_interruption_days(downtime, data.closure(t))
    person_months = data.effort(t).quantile(u_effort) * params.effort_factor
    out = {c: response[:, j] for j, c in enumerate(comp.RESPONSE)}
    out["lost_profit"] = profile.daily_gross_profit * params.share_affected * bi_days
    out["internal_effort"] = person_months * profile.labour_cost_month
    out["downtime_days"] = downtime
    for key, value in out.items():
        if value.shape != (n,) or not np.all(np.isfinite(value)):
            raise ValueError(f"component {key} is not finite for attack type {t!r}")
    return out


class OrganisationSimulation:
    """Simulated incidents of one organisation, one row per incident, by component.

    ``events`` columns: year (int64), attack_type (category), k (int32), downtime_days and one
    JPY column per component (``cyberloss.components.COMPONENTS``), ordered by (year,
    attack type index, k).  ``annual()`` sums them per simulated year.
    """

    def __init__(self, events: pd.DataFrame, n_years: int, profile: OrganisationProfile,
                 seed: int, basis: str, period: str, rates: Mapping[str, float],
                 provenance: pd.DataFrame):
        self.events = events
        self.n_years = int(n_years)
        self.profile = profile
        self.seed = seed
        self.basis = basis
        self.period = period
        self.rates = dict(rates)
        self._provenance = provenance

    def provenance(self) -> pd.DataFrame:
        """Per attack type: the rate used and the quality and source of each input."""
        return self._provenance.copy()

    def assumptions(self) -> list[str]:
        """Inputs resting on assumptions rather than published figures, one line each."""
        out = []
        for t, row in self._provenance.iterrows():
            for what in ("severity", "shares", "downtime", "effort"):
                if row[f"{what}_quality"] == "assumption":
                    out.append(f"{t} {what}: assumption ({row[f'{what}_source']})")
        return out

    @property
    def attack_types(self) -> list[str]:
        return list(self.events["attack_type"].cat.categories)

    def annual(self, component: str | Sequence[str] | None = None,
               attack_type: str | None = None) -> np.ndarray:
        """Per-year sum of the given component(s) (all ten when None), float64 (n_years,)."""
        if component is None:
            cols = list(comp.COMPONENTS)
        elif isinstance(component, str):
            cols = [component]
        else:
            cols = list(component)
        for c in cols:
            if c not in comp.COMPONENTS and c != "downtime_days":
                raise ValueError(f"component must be one of {', '.join(comp.COMPONENTS)}; got {c!r}")
        ev = self.events
        if attack_type is not None:
            if attack_type not in self.attack_types:
                raise ValueError(f"attack_type must be one of {', '.join(self.attack_types)}; got {attack_type!r}")
            ev = ev[ev["attack_type"] == attack_type]
        weights = ev[cols].to_numpy(dtype=np.float64).sum(axis=1)
        return np.bincount(ev["year"].to_numpy(), weights=weights, minlength=self.n_years).astype(np.float64)

    def annual_downtime(self, attack_type: str | None = None) -> np.ndarray:
        """Per-year total downtime days (all types, or one)."""
        return self.annual("downtime_days", attack_type=attack_type)

    def expected_loss(self) -> float:
        return float(self.annual().mean())

    def expected_loss_se(self) -> float:
        x = self.annual()
        return float(x.std(ddof=1) / math.sqrt(x.size))

    def var(self, p: float) -> float:
        """VaR_p of the annual loss: the lower empirical quantile, ceil(n p)-th order statistic."""
        return stats.var(self.annual(), p)

    def describe(self) -> pd.DataFrame:
        """Annual expected loss by component with its standard error, and counts/downtime."""
        rows = []
        for c in comp.COMPONENTS:
            x = self.annual(c)
            rows.append({"component": c, "label_ja": self.profile.data.raw["components"]["labels_ja"][c],
                         "annual_mean": x.mean(), "annual_mean_se": x.std(ddof=1) / math.sqrt(x.size)})
        total = self.annual()
        rows.append({"component": "total", "label_ja": "合計", "annual_mean": total.mean(),
                     "annual_mean_se": total.std(ddof=1) / math.sqrt(total.size)})
        df = pd.DataFrame(rows).set_index("component")
        df["share"] = df["annual_mean"] / max(total.mean(), np.finfo(float).tiny)
        return df

    def by_attack_type(self) -> pd.DataFrame:
        """Per attack type: annual rate, incidents simulated, mean downtime per incident, mean loss per incident."""
        ev = self.events
        tot = ev[list(comp.COMPONENTS)].sum(axis=1)
        g = ev.assign(total=tot).groupby("attack_type", observed=False)
        df = pd.DataFrame({
            "rate_per_year": pd.Series(self.rates),
            "incidents": g.size(),
            "mean_downtime_days": g["downtime_days"].mean(),
            "mean_loss_per_incident": g["total"].mean(),
            "annual_expected_downtime_days": g["downtime_days"].sum() / self.n_years,
        })
        df.index.name = "attack_type"
        return df

    def _repr_html_(self) -> str:
        return (f"<b>OrganisationSimulation</b> {self.profile.name}: {self.n_years:,} years, seed {self.seed}, "
                f"basis {self.basis}, period {self.period}" + self.describe().to_html())


# Peak memory per simulated incident and per simulated year, measured as the maximum resident
# size of `cyberloss bcp` and `cyberloss quote` runs (2,000-16,000 years of a profile with
# ~150 incidents a year; 200,000-8,000,000 years of ones with 0.003-0.07).  bcp keeps every
# variant's event table (about 116 B per incident) and, while it simulates a variant, works
# on that variant's incidents (about 320 B each): 277 B per incident with 2 variants, 156 B
# with 8.  A quote holds one simulation and the terms over the deductible x limit grid
# (250-490 B per incident, 170-180 B per year); bcp about 33 B per year and variant.  The
# constants add about 25-30% to the measured values.
BCP_BYTES_PER_EVENT_KEPT, BCP_BYTES_PER_EVENT_WORKING, BCP_BYTES_PER_YEAR = 150.0, 420.0, 48.0
QUOTE_BYTES_PER_EVENT, QUOTE_BYTES_PER_YEAR = 620.0, 230.0


def bcp_bytes(events: Sequence[float], years: int) -> float:
    """Peak memory of simulating variants with these expected incident counts over ``years``."""
    return (BCP_BYTES_PER_EVENT_KEPT * sum(events) + BCP_BYTES_PER_EVENT_WORKING * max(events, default=0.0)
            + BCP_BYTES_PER_YEAR * len(events) * years)


def expected_events(profile: "OrganisationProfile", years: int, basis: str = "all",
                    period: str = "recent", calibration: Any = None) -> float:
    """Expected number of incidents in ``years`` simulated years of ``profile``."""
    specs = _specs(profile, basis, period, calibration)
    return float(years) * sum(_rate(profile, s) for s in specs)


def _specs(profile: "OrganisationProfile", basis: str, period: str, calibration: Any) -> list:
    from cyberloss import incidents

    if calibration is None:
        from cyberloss import calibration as calibration_module
        calibration = calibration_module.load()
    return incidents.attack_types(calibration, profile.data, profile.industry, profile.size,
                                  profile.employees, basis, period)


def _rate(profile: "OrganisationProfile", spec: Any) -> float:
    return spec.rate * TypeParameters.for_profile(profile, spec.name).frequency_factor


def simulate_organisation(
    profile: OrganisationProfile,
    years: int,
    seed: int,
    basis: str = "all",
    period: str = "recent",
    threads: int | None = None,
    calibration: Any = None,
) -> OrganisationSimulation:
    """Simulate ``years`` independent years of incidents for ``profile``.

    The attack types are calibration v2's (``cyberloss.incidents``): on the all-incidents
    basis the five JNSA types, each incident major or contained, and minor incidents; on the
    publicised basis the five JNSA types, every incident major.  Frequencies are the
    calibrated rates times the profile's factors (headcount, web exposure, controls); the
    engine draws counts and survey-basis losses and the C++ incident model prices each event
    (components, downtime, branch) on its own counter-based streams (docs/DESIGN.md).
    """
    import cyberloss as cl
    from cyberloss import _core, incidents

    if not isinstance(profile, OrganisationProfile):
        raise ValueError(f"profile must be an OrganisationProfile, got {type(profile).__name__}")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise ValueError(f"years must be a whole number >= 1, got {years!r}")
    if calibration is None:
        from cyberloss import calibration as calibration_module
        calibration = calibration_module.load()
    cal = calibration
    specs = _specs(profile, basis, period, cal)
    types = [s.name for s in specs]
    params = {s.name: TypeParameters.for_profile(profile, s.name) for s in specs}
    rates = {s.name: s.rate * params[s.name].frequency_factor for s in specs}
    model = cl.Model([cl.AttackType(s.name, cl.Poisson(rates[s.name]), s.severity()) for s in specs])
    models = []
    for s in specs:
        p = params[s.name]
        models.append(_core.IncidentModel(s.incident_type, incidents.factors(
            s, p.severity_factor, p.downtime_factor, p.effort_factor, p.share_affected, p.records_held,
            profile.daily_gross_profit, profile.labour_cost_month)))
    table = _core.simulate_organisation(model, models, int(years), check.seed(seed),
                                        threads=check.threads(threads))
    parts = np.asarray(table.components)
    events = pd.DataFrame({
        "year": np.asarray(table.year, dtype=np.int64),
        "attack_type": pd.Categorical.from_codes(np.asarray(table.type, dtype=np.int32), categories=types),
        "k": np.asarray(table.k, dtype=np.int32),
        "downtime_days": np.array(table.downtime_days),
        **{c: np.array(parts[j]) for j, c in enumerate(comp.COMPONENTS)},
    })
    return OrganisationSimulation(events, int(years), profile, seed, basis, period, rates,
                                  _provenance(specs, profile.data, rates, basis, period))


def _provenance(specs: Sequence[Any], data: comp.ComponentData, rates: Mapping[str, float],
                basis: str, period: str) -> pd.DataFrame:
    rows = []
    for spec in specs:
        t = spec.name
        severity = spec.severity()
        row = {"attack_type": t, "rate_per_year": rates[t], "basis": basis, "period": period,
               "major_probability": spec.major_probability,
               "severity_mean": float(severity.mean()) * spec.severity_scale,
               "severity_quality": spec.severity_quality, "severity_source": spec.severity_source}
        for section in ("shares", "downtime", "effort"):
            if t in data.raw[section]:
                row[f"{section}_quality"], row[f"{section}_source"] = data.raw[section][t]["quality"], data.raw[section][t]["source"]
            else:
                row[f"{section}_quality"], row[f"{section}_source"] = "derived", f"minor.{section} (IPA2024, calibration v2)"
        rows.append(row)
    return pd.DataFrame(rows).set_index("attack_type")
