"""One organisation's simulated incidents, component by component (the C++ core's pipeline).

``simulate_organisation`` passes the calibrated model and the incident models down to
``_core.simulate_organisation`` once.  The attack types are calibration v2's
(:func:`.incident.attack_types`): on the all-incidents basis the five JNSA types, each
incident major or contained, and minor incidents; on the publicised basis the five JNSA types,
every incident major.  Frequencies are the calibrated rates times the profile's factors
(headcount, web exposure, controls).  The core draws every count, loss, downtime and share on
the package's streams (docs/DESIGN.md): the engine draws counts and survey-basis losses, and
each event (year, type index t, k) takes its branch from BRANCH draws 2k, 2k+1 of stream t
(none when P(major) = 1), its downtime from DOWNTIME draw k, its effort from EFFORT draw k and
its component shares from COMPONENTS draws 16k .. 16k+15.  Two profiles simulated with the
same seed share their random numbers.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from .. import _core, results, stats
from .. import _validate as check
from .._lazy import pandas as pd
from .._table import Table, table_of
from ..calibration import Calibration
from ..calibration import load as load_calibration
from ..distributions import Poisson
from ..engine import AttackType, Model
from ..report import language
from ..report import progress as report_progress
from . import components as comp
from .incident import TypeParameters, TypeSpec, attack_types, factors
from .profile import OrganisationProfile


class OrganisationSimulation(results.YearLossTable):
    """Simulated incidents of one organisation: a sparse year-loss table (view ``gross``, the
    sum of every component; one breakdown column per component; extra ``downtime_days``) and
    the event table behind it.

    ``table`` is the core's event table (columns year, type, k, survey_loss, components,
    downtime_days: read-only arrays, ordered by (year, attack type index, k)); ``events``
    gives it as a DataFrame (built on request).  Money is JPY.  ``survey_loss`` is the
    engine's draw, the major branch's survey-basis loss at the reference headcount; the loss
    an incident is priced at is its eight response columns' sum (a contained incident draws its
    own, and size scales both: MODEL_NOTES, "What the survey amount is").
    """

    def __init__(self, table, n_years: int, profile: OrganisationProfile, seed: int, basis: str,
                 period: str, rates: Mapping[str, float],
                 provenance: pd.DataFrame | Table | Callable[[], pd.DataFrame | Table],
                 warnings: Sequence[str] = (), threads: int = 0):
        self.table = table
        self.profile = profile
        self.basis = basis
        self.period = period
        self.rates = dict(rates)
        self._provenance_of = provenance   # a table, or a function building it when first asked
        self._types = list(table.type_names)
        self.n_years, self.seed, self.warnings = int(n_years), seed, list(warnings)
        self.title = f"OrganisationSimulation {profile.name}"
        # The per-year columns are summed on first use: a quote reads only the events.
        self._pending = threads

    def __getattr__(self, name: str):
        # Reached only for an attribute not yet set: the year-loss table's storage.
        if name.startswith("__") or "_pending" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self._sum_years(self.__dict__.pop("_pending"))
        return object.__getattribute__(self, name)

    def _sum_years(self, threads: int) -> None:
        # The core's pass gives what results.year_sums gives for the components, their sum per
        # event (gross) and the downtime days, bit for bit. The components' sums wait until a
        # component column is first read (a BCP comparison never reads them): a second pass.
        table = self.table   # not self: the columns would hold the simulation in a cycle
        totals = table.year_totals(threads, components=False)
        gross, downtime = totals.sums

        def components(name: str) -> dict[str, np.ndarray]:   # every component at once
            sums = table.year_totals(threads).sums
            return {c: sums[i] for i, c in enumerate(comp.COMPONENTS)}

        columns = results.LazyColumns({"gross": gross}, comp.COMPONENTS, components)
        super().__init__(self.n_years, columns, views=("gross",), loss_years=totals.years,
                         occurrence={"gross": totals.gross_max}, extras={"downtime_days": downtime},
                         seed=self.seed, title=self.title, warnings=self.warnings)

    def _title_in(self, lang: str) -> str:
        if lang == "ja" and self.title == f"OrganisationSimulation {self.profile.name}":
            return language.TITLES_JA["OrganisationSimulation {name}"].format(name=self.profile.name)
        return super()._title_in(lang)

    @property
    def n_events(self) -> int:
        return len(self.table)

    @property
    def attack_types(self) -> list[str]:
        return list(self._types)

    @property
    def events(self) -> pd.DataFrame:
        """One row per incident: year, attack_type (category), k, downtime_days and one JPY
        column per component, ordered by (year, attack type index, k)."""
        t = self.table
        parts = np.asarray(t.components)
        return pd.DataFrame({
            "year": np.asarray(t.year), "k": np.asarray(t.k),
            "attack_type": pd.Categorical.from_codes(np.asarray(t.type), categories=self._types),
            "downtime_days": np.asarray(t.downtime_days),
            **{c: parts[i] for i, c in enumerate(comp.COMPONENTS)},
        })[["year", "attack_type", "k", "downtime_days", *comp.COMPONENTS]]

    @functools.cached_property
    def _provenance(self) -> pd.DataFrame | Table:
        p = self._provenance_of
        return p() if callable(p) else p

    def provenance(self) -> pd.DataFrame:
        """Per attack type: the rate used and the quality and source of each input."""
        p = self._provenance
        return p.to_pandas() if isinstance(p, Table) else p.copy()

    def provenance_table(self) -> Table:
        """:meth:`provenance` as a plain :class:`~cyberloss._table.Table` (no pandas)."""
        return table_of(self._provenance)

    def assumptions(self, lang: str = "en") -> list[str]:
        """Inputs resting on assumptions rather than published figures, one line each; in
        Japanese (``lang="ja"``) the attack types by their label_ja."""
        w = language.words(lang)
        labels = load_calibration().data.attack_labels if lang == "ja" else {}
        out = []
        for t, row in self.provenance_table().rows():
            for what in ("severity", "shares", "downtime", "effort"):
                if row[f"{what}_quality"] == "assumption":
                    source, name = row[f"{what}_source"], labels.get(t) or language.CATEGORIES_JA.get(t, t)
                    out.append(w(f"{t} {what}: assumption ({source})",
                                 f"{name}の{language.ASSUMED_JA[what]}: 仮定（{source}）"))
        return out

    def _type_index(self, attack_type: str) -> int:
        if attack_type not in self._types:
            raise ValueError(f"attack_type must be one of {', '.join(self._types)}; got {attack_type!r}")
        return self._types.index(attack_type)

    def annual_by_type(self, attack_type: str, component: str | Sequence[str] | None = None) -> np.ndarray:
        """Per-year sum of ``component`` (one, several, or all ten when None; or
        "downtime_days") over the incidents of one attack type, float64 (n_years,)."""
        stored = self.series_by_type(attack_type, component)
        out = np.zeros(self.n_years)
        out[stored.index] = stored.values
        return out

    def series_by_type(self, attack_type: str, component: str | Sequence[str] | None = None
                       ) -> stats.Stored:
        """:meth:`annual_by_type` without its zeros: the years with an incident of the type and
        their sums (for :func:`cyberloss.stats.means`)."""
        names = list(comp.COMPONENTS) if component is None else (
            [component] if isinstance(component, str) else list(component))
        for c in names:
            if c not in comp.COMPONENTS and c != "downtime_days":
                raise ValueError(f"component must be one of {', '.join(comp.COMPONENTS)} or "
                                 f"downtime_days; got {c!r}")
        # An event's columns added in order, its year's sum in event order: np.bincount's bits.
        years, sums = self.table.type_year_sums(self._type_index(attack_type), names)
        return stats.Stored(self.n_years, years, sums)

    def annual_downtime(self, attack_type: str | None = None) -> np.ndarray:
        """Per-year total downtime days (all types, or one)."""
        if attack_type is None:
            return self.extra("downtime_days")
        return self.annual_by_type(attack_type, "downtime_days")

    def by_component(self) -> pd.DataFrame:
        """Annual expected loss by component with its standard error and share of the total."""
        labels = self.profile.data.raw["components"]["labels_ja"]
        rows = []
        for c in (*comp.COMPONENTS, "gross"):
            est = self.mean(c)
            rows.append({"component": "total" if c == "gross" else c,
                         "label_ja": "合計" if c == "gross" else labels[c],
                         "annual_mean": est.value, "annual_mean_se": est.se})
        df = pd.DataFrame(rows).set_index("component")
        df["share"] = df["annual_mean"] / max(df.loc["total", "annual_mean"], np.finfo(float).tiny)
        return df

    def by_attack_type(self) -> pd.DataFrame:
        """Per attack type: annual rate, incidents simulated, mean downtime per incident, mean
        loss per incident and expected downtime days a year."""
        t = self.table
        n = len(self._types)
        codes = np.asarray(t.type)
        count = np.bincount(codes, minlength=n)
        total = np.add.reduce(np.asarray(t.components), axis=0) if len(t) else np.zeros(0)
        down = np.bincount(codes, weights=np.asarray(t.downtime_days), minlength=n)
        loss = np.bincount(codes, weights=total, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            df = pd.DataFrame({
                "rate_per_year": [self.rates[a] for a in self._types],
                "incidents": count,
                "mean_downtime_days": np.where(count > 0, down / np.maximum(count, 1), np.nan),
                "mean_loss_per_incident": np.where(count > 0, loss / np.maximum(count, 1), np.nan),
                "annual_expected_downtime_days": down / self.n_years,
            }, index=pd.Index(self._types, name="attack_type"))
        return df

    def _html_note(self) -> str:
        return (f"{self.n_years:,} years, seed {self.seed}, basis {self.basis}, period "
                f"{self.period}; money in JPY")


# Peak memory per simulated incident and per simulated year of `cyberloss bcp` and
# `cyberloss quote` (maximum resident size, measured by tests/python/test_memory_checks.py on
# profiles with ~150 incidents a year).  bcp keeps every variant's event table and year sums
# (BCP_BYTES_PER_EVENT_KEPT) and, while it simulates a variant, the engine's events and the
# working arrays of the year sums (..._WORKING).  A quote holds one event table, the insured
# result and the retention grid's working arrays.  The constants add a margin of about 25-30%
# to the measured values.  With the statistics and the provenance table no longer built per
# variant, bcp measured 108 MiB for 906,000 incidents over two variants (3,000 years), about
# 125 bytes an incident in all: the working term is 300 (was 420), which puts the estimate at
# 2.4x that measurement.
BCP_BYTES_PER_EVENT_KEPT, BCP_BYTES_PER_EVENT_WORKING, BCP_BYTES_PER_YEAR = 150.0, 300.0, 48.0
QUOTE_BYTES_PER_EVENT, QUOTE_BYTES_PER_YEAR = 620.0, 230.0


def bcp_bytes(events: Sequence[float], years: int) -> float:
    """Peak memory of simulating variants with these expected incident counts over ``years``."""
    return (BCP_BYTES_PER_EVENT_KEPT * sum(events) + BCP_BYTES_PER_EVENT_WORKING * max(events, default=0.0)
            + BCP_BYTES_PER_YEAR * len(events) * years)


class _Built(NamedTuple):
    """What :func:`simulate_organisation` simulates for one profile."""

    specs: list[TypeSpec]
    model: Model
    incidents: list
    rates: dict[str, float]
    warnings: list[str]   # about the profile's cell (Calibration.unfitted_cell)

    def engine_key(self) -> tuple:
        """What the engine's event table depends on besides (seed, years): equal keys, equal
        tables."""
        return tuple((s.name, self.rates[s.name], s.severity_mu, s.severity_sigma) for s in self.specs)


def organisation_model(profile: OrganisationProfile, basis: str = "all", period: str = "recent",
                       calibration: Calibration | None = None
                       ) -> tuple[Model, list, dict[str, float]]:
    """The engine model, the core incident models and the rates that
    :func:`simulate_organisation` uses for ``profile``."""
    built = _organisation_model(profile, basis, period, calibration)
    return built.model, built.incidents, built.rates


def _organisation_model(profile: OrganisationProfile, basis: str, period: str,
                        calibration: Calibration | None,
                        specs: list[TypeSpec] | None = None) -> _Built:
    cal = load_calibration() if calibration is None else calibration
    specs = _specs(profile, basis, period, cal) if specs is None else specs
    params = {s.name: TypeParameters.for_profile(profile, s.name) for s in specs}
    rates = {s.name: s.rate * params[s.name].frequency_factor for s in specs}
    model = Model([AttackType(s.name, Poisson(rates[s.name]), s.severity()) for s in specs])
    incidents = [_core.IncidentModel(s.incident_type, factors(s, params[s.name], profile)) for s in specs]
    cell = cal.unfitted_cell(profile.industry, profile.size)
    return _Built(specs, model, incidents, rates, [cell] if cell else [])


def _specs(profile: OrganisationProfile, basis: str, period: str, cal: Calibration) -> list[TypeSpec]:
    return attack_types(cal, profile.data, profile.industry, profile.size, profile.employees,
                        basis, period)


def expected_events(profile: OrganisationProfile, years: int, basis: str = "all",
                    period: str = "recent", calibration: Calibration | None = None) -> float:
    """Expected number of incidents in ``years`` simulated years of ``profile``."""
    cal = load_calibration() if calibration is None else calibration
    rate = sum(s.rate * TypeParameters.for_profile(profile, s.name).frequency_factor
               for s in _specs(profile, basis, period, cal))
    return float(years) * rate


def _check_profile(profile) -> None:
    if not isinstance(profile, OrganisationProfile):
        raise ValueError(f"profile must be an OrganisationProfile, got {type(profile).__name__}")


def simulate_organisation(profile: OrganisationProfile, years: int, seed: int, basis: str = "all",
                          period: str = "recent", threads: int | None = None,
                          calibration: Calibration | None = None,
                          progress: bool | Callable[[int, int], None] | None = False) -> OrganisationSimulation:
    """Simulate ``years`` independent years of incidents for ``profile``.

    The attack types, rates and survey-basis losses are calibration v2's (module docstring);
    the components, downtime and branch of each incident come from the core's incident
    model.  The result depends only on (profile, calibration, seed, years), not on
    ``threads``.  ``progress=True`` shows a progress bar (terminal or notebook); a callable gets
    (years done, years).  The result's
    ``warnings`` are the survey-basis model's reliability warnings for ``years``
    (``Model.reliability_warnings``).
    """
    _check_profile(profile)
    n = check.positive_int("years", years)
    built = _organisation_model(profile, basis, period, calibration)
    with report_progress.reporting(progress, "simulate", total=n) as report:
        return _simulate(profile, built, n, seed, basis, period, threads, report)


def simulate_variants(profiles: Sequence[OrganisationProfile], years: int, seed: int,
                      basis: str = "all", period: str = "recent", threads: int | None = None,
                      calibration: Calibration | None = None,
                      progress: bool | Callable[[int, int], None] | None = False,
                      check_memory: Callable[[list[float]], None] | None = None
                      ) -> list[OrganisationSimulation]:
    """:func:`simulate_organisation` of each profile with one seed (common random numbers),
    each result the same as alone.  Profiles whose controls leave the engine's model (rates and
    survey-basis laws) unchanged share one engine run, and every profile shares each event's
    factor-free pricing (the core's ``price_variants``).  ``check_memory`` gets each profile's
    expected incident count before anything is simulated (to refuse a run that would not fit
    in memory)."""
    for p in profiles:
        _check_profile(p)
    n = check.positive_int("years", years)
    cal = load_calibration() if calibration is None else calibration
    # The attack types depend on the profile's industry, size and headcount, not its controls.
    specs: dict[tuple, list[TypeSpec]] = {}
    built = []
    for p in profiles:
        key = (id(p.data), p.industry, p.size, p.employees)
        if key not in specs:
            specs[key] = _specs(p, basis, period, cal)
        built.append(_organisation_model(p, basis, period, cal, specs[key]))
    if check_memory is not None:
        check_memory([float(n) * sum(b.rates.values()) for b in built])
    # One engine run per engine model (rates and survey-basis laws); the runs' events are priced
    # together, each event's factor-free pricing once (an event has the same uniforms in every
    # run, and a run with lower rates has a subset of another's events).
    models: dict[tuple, Model] = {}
    for b in built:
        models.setdefault(b.engine_key(), b.model)
    keys = list(models)
    nthreads = check.threads(threads)
    with report_progress.reporting(progress, "bcp", total=n * len(keys)) as report:
        runs = [_core.engine_events(models[k], n, check.seed(seed), nthreads, 0, 0,
                                    report_progress.part(report, i, len(keys)))
                for i, k in enumerate(keys)]
    tables = _core.price_variants(runs, [keys.index(b.engine_key()) for b in built],
                                  [b.incidents for b in built], nthreads)
    warnings = {k: m.reliability_warnings(n) for k, m in models.items()}   # once per engine model
    return [_simulation(p, b, table, n, seed, basis, period, nthreads, warnings[b.engine_key()])
            for p, b, table in zip(profiles, built, tables)]


def _simulate(profile: OrganisationProfile, built: _Built, n: int, seed: int, basis: str, period: str,
              threads: int | None, report: Callable[[int, int], None] | None) -> OrganisationSimulation:
    nthreads = check.threads(threads)
    table = _core.simulate_organisation(built.model, built.incidents, n, check.seed(seed), nthreads,
                                        0, 0, report)
    return _simulation(profile, built, table, n, seed, basis, period, nthreads)


def _simulation(profile: OrganisationProfile, built: _Built, table: _core.EventTable, n: int, seed: int,
                basis: str, period: str, nthreads: int,
                warnings: list[str] | None = None) -> OrganisationSimulation:
    """The simulation's result; ``warnings`` are its engine model's reliability warnings, when
    already known (the profile's cell's, if any, come first)."""
    specs, rates = built.specs, built.rates
    reliability = built.model.reliability_warnings(n) if warnings is None else warnings
    return OrganisationSimulation(table, n, profile, seed, basis, period, rates,
                                  functools.partial(_provenance, specs, profile.data, rates, basis, period),
                                  [*built.warnings, *reliability], threads=nthreads)


def _provenance(specs: Sequence[TypeSpec], data: comp.ComponentData, rates: Mapping[str, float],
                basis: str, period: str) -> Table:
    rows = []
    for spec in specs:
        t = spec.name
        row = {"rate_per_year": rates[t], "basis": basis, "period": period,
               "major_probability": spec.major_probability,
               "severity_mean": float(spec.severity().mean()) * spec.severity_scale,
               "severity_quality": spec.severity_quality, "severity_source": spec.severity_source}
        for section in ("shares", "downtime", "effort"):
            if t in data.raw[section]:
                row[f"{section}_quality"] = data.raw[section][t]["quality"]
                row[f"{section}_source"] = data.raw[section][t]["source"]
            else:
                row[f"{section}_quality"] = "derived"
                row[f"{section}_source"] = f"minor.{section} (IPA2024, calibration v2)"
        rows.append(row)
    return Table.from_rows(rows, [spec.name for spec in specs], "attack_type")
