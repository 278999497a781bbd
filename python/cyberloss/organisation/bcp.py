"""Business-continuity planning: controls and BCP targets compared by simulation.

``compare`` simulates the profile as it is and changed versions of it with the same seed.
Because every random number is a function of (seed, stream, year, draw), the variants share
their draws (common random numbers), so the per-year difference of two variants is measured
with a standard error far smaller than either variant's own.  Each variant is an
:class:`~cyberloss.organisation.simulate.OrganisationSimulation` (a year-loss table).
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import _validate as check
from .. import config, stats
from .._lazy import pandas as pd
from .._table import Table
from ..calibration import Calibration
from ..config import documents
from ..report import language
from ..report.html import Described
from . import components as comp
from .controls import Controls
from .profile import PROFILE_KEYS, OrganisationProfile, check_tables, read_profile
from .simulate import OrganisationSimulation, bcp_bytes, expected_events, simulate_variants


@dataclasses.dataclass(frozen=True)
class Variant:
    """A named version of the profile to compare with the baseline."""

    name: str
    profile: OrganisationProfile
    name_ja: str | None = None   # shown in Japanese output (None: the name as given)

    def name_in(self, lang: str) -> str:
        """The name in ``lang`` ("ja" or "en")."""
        return self.name_ja if lang == "ja" and self.name_ja else self.name


def _named(template: str, profile: OrganisationProfile, **fields: str) -> Variant:
    """A default variant named by ``template``, in English and Japanese (``VARIANTS_JA``)."""
    return Variant(template.format(**fields), profile, language.VARIANTS_JA[template].format(**fields))


def baseline(profile: OrganisationProfile) -> Variant:
    """The profile as it is ("as is", 現状)."""
    return _named("as is", profile)


def default_variants(profile: OrganisationProfile) -> list[Variant]:
    """The profile as it is, each control it lacks switched on alone, downtime halved, and all
    controls together."""
    out = [baseline(profile)]
    missing = [c for c in Controls.names() if not getattr(profile.controls, c)]
    for control in missing:
        label = profile.data.control(control)["label_ja"]
        out.append(_named("+ {control} ({label})", profile.with_controls(**{control: True}),
                          control=control, label=label))
    out.append(_named("downtime halved (BCP target)",
                      profile.with_controls(downtime_scale=profile.controls.downtime_scale * 0.5)))
    if len(missing) > 1:
        out.append(_named("all controls", profile.with_controls(**{c: True for c in missing})))
    return out


@dataclasses.dataclass(frozen=True)
class SimulationSettings:
    """``[simulation]``: years, seed, basis, period (``config.documents.SIMULATION``)."""

    years: int = 200_000
    seed: int = 1
    basis: str = "all"
    period: str = "recent"

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, documents.SIMULATION.field(f.name).parse(getattr(self, f.name)))


@dataclasses.dataclass(frozen=True)
class BcpPlan:
    """A profile, its variants and simulation settings, as read from a BCP TOML file."""

    variants: tuple[Variant, ...]
    settings: SimulationSettings

    @classmethod
    def from_toml(cls, path: str | Path) -> "BcpPlan":
        """``[organisation]``, optional ``[simulation]`` (years, seed, basis, period) and optional
        ``[[variants]]`` (name plus changed fields; ``controls`` merges into the baseline's)."""
        doc = read_profile(path)
        with check.located(f"profile {path}"):
            return cls.from_document(doc)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> "BcpPlan":
        check_tables(doc)
        base = OrganisationProfile.from_document(doc)
        settings = SimulationSettings(**config.check_table(doc.get("simulation", {}),
                                                           documents.SIMULATION, "simulation"))
        if "variants" not in doc:
            return cls(tuple(default_variants(base)), settings)
        variants = [baseline(base)]
        for i, spec in enumerate(config.check(doc["variants"], documents.VARIANTS, "variants")):
            where = f"variants[{i}]"
            name, name_ja = spec.pop("name"), spec.pop("name_ja", None)
            controls = spec.pop("controls", {})
            with check.located(where, PROFILE_KEYS):
                profile = base.replace(**spec) if spec else base
                variants.append(Variant(name, profile.with_controls(**controls) if controls else profile,
                                        name_ja))
        return cls(tuple(variants), settings)


class BcpComparison(Described):
    """Variants simulated with common random numbers; the first is the baseline.

    Differences are per simulated year (variant minus baseline); their standard error is the
    sample standard deviation of the per-year differences over sqrt(years).  VaR is the lower
    empirical quantile (ceil(n p)-th order statistic) of the annual loss.
    """

    def __init__(self, variants: Sequence[Variant], sims: Sequence[OrganisationSimulation],
                 var_level: float = 0.99):
        if len(variants) < 1 or len(variants) != len(sims):
            raise ValueError("need one simulation per variant, at least one")
        self.variants = tuple(variants)
        self.sims = tuple(sims)
        self.var_level = stats.check_level(var_level, "var_level")
        self.n_years = sims[0].n_years

    @property
    def var_column(self) -> str:
        """The VaR's column in :meth:`describe` (``var_99`` at 0.99, ``var_99_5`` at 0.995);
        its standard error is ``<column>_se``."""
        return "var_" + stats.level_label(self.var_level).rstrip("%").replace(".", "_")

    def describe(self) -> pd.DataFrame:
        """One row per variant: expected loss and its SE, VaR at ``var_level`` and its SE
        (:attr:`var_column`), expected downtime days (all types and ransomware) and their SEs,
        and the differences to the baseline with their SEs."""
        return self.describe_table().to_pandas()

    def describe_table(self) -> Table:
        """:meth:`describe` as a plain :class:`~cyberloss._table.Table` (no pandas)."""
        base = self.sims[0]
        base_loss, base_down = base.series(), base.series("downtime_days")
        base_rw = base.series_by_type("ransomware", "downtime_days")
        # Every per-year mean of the table in one parallel call: each variant's downtime days
        # (all types, ransomware) and, but for the baseline, its differences to the baseline;
        # the core forms the per-year arrays from the years with an incident.
        xs: list = []
        minus: list = []
        for sim in self.sims:
            down = sim.series("downtime_days")
            rw = base_rw if sim is base else sim.series_by_type("ransomware", "downtime_days")
            xs += [down, rw]
            minus += [None, None]
            if sim is not base:
                xs += [sim.series(), down, rw]
                minus += [base_loss, base_down, base_rw]
        means = iter(stats.means(xs, minus))
        zero = stats.Estimate(0.0, 0.0)   # differences of zeros: exactly what stats.mean gives
        rows: list[dict[str, float]] = []
        for sim in self.sims:
            var = sim.var(self.var_level)   # first: the mean reuses its sample's moments
            el = sim.mean()
            days, rw_days = next(means), next(means)
            d_loss, d_down, d_rw = ((zero, zero, zero) if sim is base
                                    else (next(means), next(means), next(means)))
            rows.append({
                "expected_loss": el.value,
                "expected_loss_se": el.se,
                self.var_column: var.value,
                f"{self.var_column}_se": var.se,
                "expected_downtime_days": days.value,
                "expected_downtime_days_se": days.se,
                "expected_ransomware_downtime_days": rw_days.value,
                "expected_ransomware_downtime_days_se": rw_days.se,
                "difference_to_baseline": d_loss.value,
                "difference_to_baseline_se": d_loss.se,
                "downtime_difference": d_down.value,
                "downtime_difference_se": d_down.se,
                "ransomware_downtime_difference": d_rw.value,
                "ransomware_downtime_difference_se": d_rw.se,
            })
        return Table.from_rows(rows, [v.name for v in self.variants], "variant")

    def sheets(self, lang: str | None = None) -> dict[str, pd.DataFrame]:
        """The comparison for a workbook (``--xlsx``), amounts in JPY: :meth:`describe` as the
        sheet "bcp", its names and labels in ``lang`` (default: the locale's); the VaR's standard
        error is an empty cell where the run's years do not reach its level (as ``to_dict``'s
        null)."""
        lang = language.resolve(lang)
        table = self.describe()
        if self.beyond_reach_notes():   # as the JSON's null and the text's note: an empty cell
            table[f"{self.var_column}_se"] = math.nan
        return language.sheets_in({"bcp": table}, lang,
                                  rows={"bcp": {v.name: v.name_in(lang) for v in self.variants}},
                                  columns={"bcp": {self.var_column: f"VaR {stats.level_label(self.var_level)}"}})

    def by_component(self) -> pd.DataFrame:
        """Annual expected loss by component (columns) for each variant (rows), JPY; the
        standard error of each is ``component_estimates()[variant][component].se``."""
        return pd.DataFrame({name: {c: e.value for c, e in row.items()}
                             for name, row in self.component_estimates().items()}).T

    def component_estimates(self) -> dict[str, dict[str, stats.Estimate]]:
        """Each variant's annual expected loss by component with its standard error (the
        sd of the per-year sums / sqrt(years), as the expected loss's), JPY: variant name ->
        component -> :class:`~cyberloss.stats.Estimate`."""
        return {v.name: {c: sim.mean(c) for c in comp.COMPONENTS}
                for v, sim in zip(self.variants, self.sims)}

    def component_differences(self) -> pd.DataFrame:
        """Per-component difference to the baseline and its SE (MultiIndex columns)."""
        base = self.sims[0]
        means = iter(stats.means([sim.series(c) for sim in self.sims for c in comp.COMPONENTS],
                                 [base.series(c) for _ in self.sims for c in comp.COMPONENTS]))
        out = {}
        for v in self.variants:
            row = {}
            for c in comp.COMPONENTS:
                d = next(means)
                row[(c, "difference")] = d.value
                row[(c, "se")] = d.se
            out[v.name] = row
        return pd.DataFrame(out).T

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``cyberloss bcp --json``."""
        comps = self.component_estimates()
        variants = []
        beyond = self.beyond_reach_notes()
        for i, (name, row) in enumerate(self.describe_table().rows()):
            entry = {"name": name, **{k: float(v) for k, v in row.items()}}
            if beyond:     # as the quote's, portfolio's and simulate's JSON: null beyond reach
                entry[f"{self.var_column}_se"] = None
            entry["components"] = {c: comps[name][c].value for c in comp.COMPONENTS}
            entry["components_se"] = {c: comps[name][c].se for c in comp.COMPONENTS}
            entry["controls"] = list(self.variants[i].profile.controls.enabled())
            variants.append(entry)
        s = self.sims[0]
        return {"years": self.n_years, "seed": s.seed, "basis": s.basis, "period": s.period,
                "var_level": self.var_level, "variants": variants, "assumptions": s.assumptions(),
                "warnings": [*self.warnings(), *beyond]}

    def beyond_reach_notes(self) -> list[str]:
        """The JSON's warning (none or one) that the VaR's standard error is null: the level
        lies beyond the reach of the run's years (:func:`stats.within_reach`)."""
        if stats.within_reach(self.var_level, self.n_years):
            return []
        return [f"{self.var_column}_se: {stats.beyond_reach(self.n_years)}; written as null"]

    def warnings(self) -> list[str]:
        """What the variants' simulations warn of, each once, in variant order."""
        return list(dict.fromkeys(w for sim in self.sims for w in sim.warnings))

    def _html_title(self) -> str:
        return "BCP comparison"

    def _html_note(self) -> str:
        return (f"{len(self.variants)} variants, {self.n_years:,} years, common random numbers "
                f"(seed {self.sims[0].seed})")


def compare(profile: OrganisationProfile, variants: Sequence[Variant] | None = None,
            years: int = 200_000, seed: int = 1, basis: str = "all", period: str = "recent",
            threads: int | None = None, calibration: Calibration | None = None,
            progress: bool | Callable[[int, int], None] = False) -> BcpComparison:
    """Simulate the baseline ``profile`` and each variant with the same seed (common random
    numbers).  ``variants`` default to ``default_variants(profile)``; if given, the baseline is
    prepended unless the first variant already is ``profile``."""
    settings = SimulationSettings(years=years, seed=seed, basis=basis, period=period)
    if variants is None:
        variants = default_variants(profile)
    else:
        if isinstance(variants, (str, bytes, Mapping)) or not isinstance(variants, Iterable):
            raise ValueError(f"variants must be a list of Variant, got {check.shown(variants)}")
        variants = list(variants)
        wrong = [v for v in variants if not isinstance(v, Variant)]
        if wrong:
            raise ValueError(f"variants must be a list of Variant, got {check.shown(wrong[0])} in it")
        if not variants or variants[0].profile != profile:
            variants = [baseline(profile), *variants]
    return _run(variants, settings, threads, calibration, progress)


def run_plan(plan: BcpPlan, threads: int | None = None, calibration: Calibration | None = None,
             progress: bool | Callable[[int, int], None] = False) -> BcpComparison:
    return _run(list(plan.variants), plan.settings, threads, calibration, progress)


def check_memory(plan: BcpPlan, calibration: Calibration | None = None) -> None:
    """Refuse a plan whose comparison would not fit in memory (``MemoryError`` saying how much
    it would need), as :func:`run_plan` does before it simulates: for a caller that answers
    before it starts the run (the web page's form)."""
    s = plan.settings
    _fits([expected_events(v.profile, s.years, s.basis, s.period, calibration) for v in plan.variants],
          s.years)


def _fits(events: Sequence[float], years: int) -> None:
    """Refuse a comparison of variants with these expected incident counts over ``years``
    that would not fit in memory."""
    check.fits_in_memory(bcp_bytes(events, years),
                         f"a comparison of {len(events)} variants over {years:,} years "
                         f"(about {sum(events):,.0f} simulated incidents, one event table each)",
                         "simulate fewer years",
                         f"{len(events)} 案の {years:,} 年にわたる比較（シミュレーションするインシデント約 "
                         f"{sum(events):,.0f} 件、案ごとに事象の表）", "シミュレーション年数を減らす")


def _run(variants: Sequence[Variant], settings: SimulationSettings, threads: int | None,
         calibration: Calibration | None, progress) -> BcpComparison:
    sims = simulate_variants([v.profile for v in variants], settings.years, settings.seed,
                             basis=settings.basis, period=settings.period, threads=threads,
                             calibration=calibration, progress=progress,
                             check_memory=lambda events: _fits(events, settings.years))
    return BcpComparison(variants, sims)


__all__ = ["BcpComparison", "BcpPlan", "SimulationSettings", "Variant", "check_memory", "compare",
           "default_variants", "run_plan"]
