"""The calibrated model side by side with every figure it can be compared with.

    >>> from cyberloss import validation
    >>> rep = validation.report()            # default calibration and component data
    >>> rep.describe()                        # one row per comparison
    >>> rep.to_dict()["rows"]                 # strict-JSON rows
    >>> rep.not_compared()                    # external figures used as inputs or left aside, and why

Each row states the source, the statistic, the population and basis it describes (e.g. "SMEs,
all incidents, one fiscal year"), the published figure, the model's value, the distance
(``measure`` says which: an absolute difference of shares, a relative difference, a ratio
factor ``max(m / p, p / m)``, or ``|q - 1/2|`` for the quantile ``q`` of a published sample
statistic in the model's sampling distribution), the tolerance, and whether it passes
(``distance <= tolerance``).  ``method`` says how the model value was obtained; ``role`` says
whether the figure was a calibration target (reproduced by construction at the default
assumptions: the row shows whether it still holds under overrides) or an independent check.

Rows (each builder in ``ROW_BUILDERS`` adds its own):

* JNSA 2025 on the publicised basis: every fitted margin and interaction share; the survey
  mean and median of each type as the mixture of the size-scaled major-incident severities
  over the publicised size mix; the cumulative ransomware mean and median from the earlier
  (8 answers) and recent (21) windows;
* the reporting evidence (NPA 2025, Kanagawa): all ransomware incidents per year, the
  police-reported count, the share reported to police, all incidents per publicised one;
* NPA 2025's police-reported ransomware victims: cost >= 1,000万円, recovered within a month,
  one week or more;
* IPA 2024's SMEs: share with an incident in a year, mean damage and share >= 100万円 among
  victims over three periods, the largest damage, mean recovery days, share >= 50 days.

The population statistics are the closed forms of ``_populations`` (the IPA damage sums by
FFT); the survey rows simulate surveys with the package's random streams (stream
``SURVEY``, seed ``seed``), so the report is deterministic.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import _validate
from .. import random as clrandom
from ..calibration import Calibration, _size, jnsa
from ..calibration import load as load_calibration
from ..distributions import Lognormal
from ..organisation import components as org_components
from ..report import language
from ..report import progress as report_progress
from ..report.html import Described
from ..report.money import format_yen
from . import _figures, _populations, _simulated

DEFAULT_SEED = 20250214      # IPA 2024's publication date
SURVEY_REPLICATIONS = 20_000
IPA_WINDOW_YEARS = 3.0       # IPA's damage covers the past three fiscal periods

__all__ = ["report", "Row", "ValidationReport", "ROW_BUILDERS", "DEFAULT_SEED"]


@dataclass(frozen=True)
class Row:
    """One comparison.  ``passed`` is ``distance <= tolerance``."""

    source: str
    statistic: str
    population: str
    basis: str
    published: float
    model: float
    distance: float
    tolerance: float
    passed: bool
    measure: str
    method: str
    role: str
    figure: str
    model_se: float | None = None   # standard error of a simulated model value; None: closed form


def _row(figure: str, source: str, statistic: str, population: str, basis: str, published: float,
         model: float, measure: str, tolerance: float, method: str, role: str,
         model_se: float | None = None) -> Row:
    if measure == "difference":
        distance = abs(model - published)
    elif measure == "relative difference":
        distance = abs(model / published - 1.0)
    elif measure == "ratio factor":
        distance = max(model / published, published / model)
    elif measure == "quantile":
        distance = abs(model - 0.5)
    else:
        raise ValueError(f"measure must be difference, relative difference, ratio factor or quantile, got {measure!r}")
    for name, value in (("published", published), ("model", model), ("distance", distance)):
        if not math.isfinite(value):
            raise ValueError(f"validation row {figure}: {name} is not finite ({value!r})")
    if model_se is not None and not math.isfinite(model_se):
        raise ValueError(f"validation row {figure}: model_se is not finite ({model_se!r})")
    return Row(source, statistic, population, basis, float(published), float(model), float(distance),
               float(tolerance), bool(distance <= tolerance), measure, method, role, figure,
               None if model_se is None else float(model_se))


@dataclass(frozen=True)
class Context:
    """What every row builder may use."""

    cal: Calibration
    components: Any
    figures: dict[str, _figures.Figure]
    seed: int


# ----- JNSA 2025, publicised basis ----------------------------------------------------------

def jnsa_rows(ctx: Context) -> list[Row]:
    cal = ctx.cal
    rows = []
    population = "Japan, publicised incidents"
    for r in jnsa.model_margins(cal).itertuples():
        window = "2022-07..2024-06" if r.table == "attack_type_recent" else "2017-01..2024-06"
        rows.append(_row(f"margins.{r.table}.{r.category}", "JNSA2025", f"incidents by {r.table}: {r.category}",
                         f"{population}, {window}", "publicised", r.published, r.model,
                         "relative difference", 1e-6, "fitted Poisson GLM (exact margins)", "calibration target"))
    for r in jnsa.interaction_shares(cal).itertuples():
        rows.append(_row(f"interactions.{r.interaction}", "JNSA2025", f"share: {r.interaction}",
                         f"{population}, 2017-01..2024-06", "publicised", r.published, r.model,
                         "difference", 1e-6, "fitted Poisson GLM (exact margins)", "calibration target"))
    for (a, period), fig in cal.data.survey.items():
        mix = cal.publicised_size_mix(a, period)
        laws = [cal.major_severity(a, s, period=period) for s in mix]
        weights = list(mix.values())
        mean = sum(w * d.mean() for w, d in zip(weights, laws))
        median = _size.mixture_median(weights, [d.mu for d in laws], [d.sigma for d in laws])
        for stat, published, model in (("mean", fig.mean, mean), ("median", fig.median, median)):
            rows.append(_row(f"severity.{a}.{period}.{stat}", fig.source,
                             f"survey {stat} loss of {a} ({period}), JPY: size-scaled major severity over the "
                             "publicised size mix", f"{population}, surveyed victims", "publicised",
                             published, model, "relative difference", 1e-9,
                             "closed form (lognormal mixture)", "calibration target"))
    return rows


def _simulated_survey_quantiles(ctx: Context) -> tuple[float, float, float]:
    """Mean of the 8 + 21 mixture, and where the published cumulative mean and median fall among
    simulated surveys of 8 earlier-window and 21 recent-window answers."""
    cal = ctx.cal
    early, recent = cal.severity_fit("ransomware", "earlier"), cal.severity_fit("ransomware", "recent")
    cum = cal.severity_fit("ransomware", "cumulative")
    n_early, n_recent = early.answers, recent.answers
    # SURVEY index 0x100: clear of cyberloss.jnsa's survey streams 2 * type + period
    stream = clrandom.stream_id(clrandom.Purpose.SURVEY, 0x100)
    reps = np.arange(SURVEY_REPLICATIONS, dtype=np.int64)[:, None]
    u = np.asarray(clrandom.uniform_at(ctx.seed, stream, reps, np.arange(n_early + n_recent, dtype=np.int64)[None, :]))
    losses = np.concatenate([
        np.asarray(Lognormal(early.mu, early.sigma).quantile(np.ravel(u[:, :n_early]))).reshape(-1, n_early),
        np.asarray(Lognormal(recent.mu, recent.sigma).quantile(np.ravel(u[:, n_early:]))).reshape(-1, n_recent)],
        axis=1)
    mixture_mean = (n_early * early.mean + n_recent * recent.mean) / (n_early + n_recent)
    q_mean = float(np.mean(losses.mean(axis=1) <= cum.mean))
    q_median = float(np.mean(np.median(losses, axis=1) <= cum.median))
    return mixture_mean, q_mean, q_median


def ransomware_period_rows(ctx: Context) -> list[Row]:
    cal = ctx.cal
    cum = cal.severity_fit("ransomware", "cumulative")
    mixture_mean, q_mean, q_median = _simulated_survey_quantiles(ctx)
    population = "Japan, publicised ransomware, 29 surveyed victims 2017-01..2024-06"
    method = (f"simulated surveys of 8 earlier + 21 recent answers ({SURVEY_REPLICATIONS:,} surveys, seed "
              f"{ctx.seed}): quantile of the published statistic")

    def share_se(q: float) -> float:   # a share of the simulated surveys: binomial
        return math.sqrt(q * (1.0 - q) / SURVEY_REPLICATIONS)

    return [
        _row("severity.ransomware.cumulative.mean (8 earlier + 21 recent)", "JNSA2025",
             "cumulative survey mean from the earlier and recent windows, JPY", population, "publicised",
             cum.mean, mixture_mean, "relative difference", 1e-9, "closed form", "calibration target"),
        _row("severity.ransomware.cumulative.mean (survey quantile)", "JNSA2025",
             "quantile of the published cumulative mean among simulated surveys", population, "publicised",
             0.5, q_mean, "quantile", 0.45, method, "check", share_se(q_mean)),
        _row("severity.ransomware.cumulative.median (survey quantile)", "JNSA2025",
             "quantile of the published cumulative median among simulated surveys", population, "publicised",
             0.5, q_median, "quantile", 0.45, method, "check", share_se(q_median)),
    ]


# ----- reporting evidence and NPA 2025 -----------------------------------------------------

def _police(ctx: Context) -> _populations.Population:
    f = ctx.figures
    return _populations.police_reported_ransomware(ctx.cal, ctx.components, f["npa2025.reported_cases_h1"].number,
                                                   f["npa2025.publicised_h1"].number)


def reporting_rows(ctx: Context) -> list[Row]:
    f = ctx.figures
    counts = _police(ctx).counts
    method = "fitted publicised rates (recent window) x reporting factors, closed form"

    def of(key: str, model: float, measure: str, tolerance: float, basis: str) -> Row:
        fig = f[key]
        return _row(key, fig.source, fig.statistic, fig.population, basis, fig.number, model, measure,
                    tolerance, method, fig.role)

    return [
        # "uncertain by a factor of about 2" (the 0.316 is all attack types in one prefecture)
        of("reporting.all_ransomware_per_year", counts["all_per_year"], "ratio factor", 2.0, "all incidents"),
        of("reporting.publicised_per_all_ransomware", counts["all_per_year"] / counts["publicised_per_year"],
           "ratio factor", 2.0, "all incidents / publicised"),
        # a 2025 count against the 2022-07..2024-06 publicised rate: years differ by tens of percent
        of("npa2025.reported_cases", counts["police_reported_per_year"], "ratio factor", 1.5, "police-reported"),
        # all attack types in one prefecture against ransomware nationally
        of("kanagawa.share_reporting_to_police", counts["police_reported_per_year"] / counts["all_per_year"],
           "difference", 0.10, "police-reported / all incidents"),
    ]


def npa_rows(ctx: Context) -> list[Row]:
    f = ctx.figures
    police = _police(ctx)
    model = {"npa2025.share_cost_at_least_10m_h1": police.share_loss_at_least(1e7),
             "npa2025.share_cost_at_least_10m": police.share_loss_at_least(1e7),
             "npa2025.share_recovered_within_one_month": 1.0 - police.share_days_at_least(30.0),
             "npa2025.share_one_week_or_more_h1": police.share_days_at_least(7.0)}
    method = "closed form over the police-reported ransomware population (branches x size classes)"
    rows = []
    for key, value in model.items():
        fig = f[key]
        tolerance = 0.06 + fig.half_band        # "more than half": the band's half-width on top
        rows.append(_row(key, fig.source, fig.statistic, fig.population, "all incidents, reported to police",
                         fig.number, value, "difference", tolerance, method, fig.role))
    return rows


# ----- IPA 2024, SMEs ---------------------------------------------------------------------

def ipa_rows(ctx: Context) -> list[Row]:
    f = ctx.figures
    sme = _populations.sme_population(ctx.cal, ctx.components)
    incidents = sme.incidents()
    years = IPA_WINDOW_YEARS
    sf_1m, sf_max = sme.victims_damage_sf([1e6, f["ipa2024.max_damage"].number], years)
    victims = f["ipa2024.respondents"].number * sme.share_with_incident(years)
    n_fy = f["ipa2024.victims_fy2023"].number
    closed = "closed form over SMEs of the class's mean headcount and the census industry mix"
    rows = []

    def of(key: str, model: float, measure: str, tolerance: float, method: str = closed) -> None:
        fig = f[key]
        rows.append(_row(key, fig.source, fig.statistic, fig.population, "all incidents", fig.number, model,
                         measure, tolerance, method, fig.role))

    of("ipa2024.share_with_incident", sme.share_with_incident(1.0), "difference", 0.03)
    of("ipa2024.mean_damage_among_victims", sme.mean_damage_among_victims(years), "relative difference", 0.25)
    of("ipa2024.share_victims_damage_at_least_1m", float(sf_1m), "difference", 0.02,
       "FFT of the compound damage over three years (1万円 bins)")
    of("ipa2024.mean_recovery_days", incidents.mean_days(), "relative difference", 0.25)
    # two binomial standard errors of a share near 2% among ~975 victims
    of("ipa2024.share_recovery_50_days_or_more", incidents.share_days_at_least(50.0), "difference",
       round(2.0 * math.sqrt(0.021 * 0.979 / n_fy), 3))
    fig = f["ipa2024.max_damage"]
    q = (1.0 - float(sf_max)) ** victims      # P(largest of the victims' damages < the published one)
    rows.append(_row("ipa2024.max_damage", fig.source,
                     f"quantile of the largest damage, {format_yen(fig.number, 'man')}, among {victims:,.0f} victims",
                     fig.population, "all incidents", 0.5, q, "quantile", 0.45,
                     "FFT of the compound damage, largest of the expected number of victims", fig.role))
    return rows


# ----- the same populations simulated with the incident model -----------------------------

def simulated_rows(ctx: Context) -> list[Row]:
    """The NPA and IPA statistics from the C++ incident model (branches, size scales, minor
    incidents), with the years simulated, the seed and standard errors stated."""
    f = ctx.figures
    npa = _simulated.npa(ctx.cal, ctx.components, ctx.seed, f["npa2025.reported_cases_h1"].number,
                         f["npa2025.publicised_h1"].number)
    ipa = _simulated.ipa(ctx.cal, ctx.components, ctx.seed)
    npa_method = (f"simulated with the incident model: {npa.incidents:,} ransomware incidents "
                  f"({npa.years_per_class:,} years per size class at {_simulated.NPA_RATE:g} a year), seed "
                  f"{npa.seed}, weighted by all incidents per year x P(reported to police)")
    ipa_method = (f"simulated with the incident model: {ipa.firm_years:,} SME firm-years over the census "
                  f"industry mix (three-year firms), seed {ipa.seed}")
    rows = []

    def of(key: str, est: _simulated.Estimate, measure: str, tolerance: float, basis: str, method: str) -> None:
        fig = f[key]
        tolerance += fig.half_band
        rows.append(_row(f"{key} (simulated)", fig.source, fig.statistic, fig.population, basis, fig.number,
                         est.value, measure, tolerance, method, fig.role, est.se))

    police = "all incidents, reported to police"
    of("npa2025.share_cost_at_least_10m_h1", npa.share_cost_at_least_10m, "difference", 0.06, police, npa_method)
    of("npa2025.share_cost_at_least_10m", npa.share_cost_at_least_10m, "difference", 0.06, police, npa_method)
    of("npa2025.share_recovered_within_one_month", npa.share_recovered_within_one_month, "difference", 0.06,
       police, npa_method)
    of("npa2025.share_one_week_or_more_h1", npa.share_one_week_or_more, "difference", 0.06, police, npa_method)
    n_fy = f["ipa2024.victims_fy2023"].number
    of("ipa2024.share_with_incident", ipa.share_with_incident, "difference", 0.03, "all incidents", ipa_method)
    of("ipa2024.mean_damage_among_victims", ipa.mean_damage_among_victims, "relative difference", 0.25,
       "all incidents", ipa_method)
    of("ipa2024.share_victims_damage_at_least_1m", ipa.share_victims_damage_at_least_1m, "difference", 0.02,
       "all incidents", ipa_method)
    of("ipa2024.mean_recovery_days", ipa.mean_recovery_days, "relative difference", 0.25, "all incidents",
       ipa_method)
    of("ipa2024.share_recovery_50_days_or_more", ipa.share_recovery_50_days_or_more, "difference",
       round(2.0 * math.sqrt(0.021 * 0.979 / n_fy), 3), "all incidents", ipa_method)
    return rows


ROW_BUILDERS: tuple[Callable[[Context], list[Row]], ...] = (
    jnsa_rows, ransomware_period_rows, reporting_rows, npa_rows, ipa_rows, simulated_rows)


@dataclass(frozen=True)
class ValidationReport(Described):
    """The comparisons, and the external figures not compared."""

    rows: tuple[Row, ...]
    figures: dict[str, _figures.Figure]
    seed: int

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows)

    def describe(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(r) for r in self.rows])

    def failures(self) -> pd.DataFrame:
        df = self.describe()
        return df[~df["passed"]].reset_index(drop=True)

    def not_compared(self) -> pd.DataFrame:
        """External figures used as inputs to stated assumptions or outside the model, and why."""
        return pd.DataFrame([{"figure": k, "role": f.role, "statistic": f.statistic, "value": f.value,
                              "source": f.source, "why": f.reason or f.note}
                             for k, f in self.figures.items() if f.role in ("input", "not compared")])

    def to_dict(self) -> dict[str, Any]:
        """``{"seed", "passed", "rows": [{source, statistic, population, published, model, distance,
        tolerance, passed, basis, measure, method, role, figure}, ...], "not_compared": [...]}``."""
        return {"seed": self.seed, "passed": self.passed, "rows": [asdict(r) for r in self.rows],
                "not_compared": self.not_compared().to_dict(orient="records")}

    def _html_title(self) -> str:
        return "cyberloss validation"

    def _html_note(self) -> str:
        n_fail = sum(not r.passed for r in self.rows)
        return f"{len(self.rows)} comparisons, {n_fail} failing (seed {self.seed})"

    def _html_table(self) -> str:
        return self.describe().to_html(index=False)


def figure_ja(figure: str, cal: Calibration) -> str:
    """A row's ``figure`` in Japanese ("規模別件数: 大企業", "警察庁2025: 1か月以内に復旧した割合
    （シミュレーション）"); the key itself where it has no Japanese name."""
    key, _, note = figure.partition(" (")
    parts = key.split(".")
    if parts[0] == "margins" and len(parts) == 3 and parts[1] in language.MARGIN_TABLES_JA:
        label = f"{language.MARGIN_TABLES_JA[parts[1]]}: {jnsa.category_ja(cal, parts[1], parts[2])}"
    elif parts[0] == "interactions" and len(parts) == 2:
        label = jnsa.interaction_ja(cal, parts[1])
    elif parts[0] == "severity" and len(parts) == 4:
        a, period, stat = parts[1:]
        label = (f"1件あたり被害額の{language.SURVEY_STATISTICS_JA.get(stat, stat)}: "
                 f"{jnsa.category_ja(cal, 'attack_type', a)}（{language.PERIODS_JA.get(period, period)}）")
    else:
        label = language.FIGURES_JA.get(key, key)
    if note:
        note = note.removesuffix(")")
        label += f"（{language.FIGURE_NOTES_JA.get(note, note)}）"
    return label


def population_ja(population: str) -> str:
    """A row's ``population`` in Japanese (as it is where it has no Japanese name)."""
    return language.POPULATIONS_JA.get(population, population)


def report(cal: Calibration | None = None, components: Any = None, *, seed: int = DEFAULT_SEED,
           figures: str | None = None,
           builders: tuple[Callable[[Context], list[Row]], ...] = ROW_BUILDERS,
           progress: bool = False) -> ValidationReport:
    """Compare the calibrated model with every external figure it describes (see the module
    docstring).  ``cal`` and ``components`` default to the packaged data; ``figures`` names an
    external-figures file instead of the packaged ``data/external.json``.  ``progress=True``
    shows a bar over the groups of comparisons."""
    cal = load_calibration() if cal is None else cal
    comp = org_components.load() if components is None else components
    ctx = Context(cal, comp, _figures.load(figures), _validate.seed(seed))
    rows: list[Row] = []
    with report_progress.reporting(progress, "validate", "groups", total=len(builders)) as report:
        for done, build in enumerate(builders, start=1):
            rows += build(ctx)
            if report:
                report(done, len(builders))
    return ValidationReport(tuple(rows), ctx.figures, ctx.seed)
