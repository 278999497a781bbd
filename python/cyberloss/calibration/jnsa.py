"""Put the JNSA 2025 tables and the calibrated model side by side.

* :func:`reproduce` - "published | model | difference" for cases by size, industry, attack
  type (cumulative and recent window), the two published interactions, and the survey mean
  and median per attack type with where the published value falls in the simulated survey.
* :func:`simulate_survey` - the sampling distribution of a survey's mean and median
  (29 ransomware answers, 27 website-leak answers) under the fitted severity.
* :func:`simulate_economy` - the Japanese economy simulated over the survey windows on the
  publicised basis, tabulated like the report, with Monte Carlo standard errors.

Random numbers follow the package convention: survey answers use stream
``stream_id(SURVEY, 2 * type + period)`` with year = replication and draw = answer; economy
counts use ``cyberloss.Poisson(expected).sample`` on stream ``stream_id(FREQUENCY, cell)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _arith, _validate, stats
from .. import random as clrandom
from .._extras import require
from .._lazy import pandas as pd
from ..distributions import Poisson
from ..report import language, plots
from ..report import progress as report_progress
from ..report.html import Described, escape
from ._data import PERIODS
from .model import Calibration, load

MARGIN_TABLES = ("size", "industry", "attack_type", "attack_type_recent")
# Peak memory per simulated answer (uniforms, their indices, losses, the sorted copy of the
# median): `cyberloss jnsa --replications R` measured 663-714 B per survey of 29 answers
# (23-25 B per answer) at R = 0.2-1.6 million; 32 B adds about 30%.
SURVEY_BYTES_PER_ANSWER = 32.0
DEFAULT_SEED = 20250723   # the report's publication date


def _calib(cal: Calibration | None) -> Calibration:
    return load() if cal is None else cal


def _published_margins(cal: Calibration) -> list[tuple[str, str, float, str]]:
    d = cal.data
    rows = [("size", s, v, "published") for s, v in d.size_margin.items()]
    rows += [("industry", g, v, "derived" if g == "all_other_industries" else "published")
             for g, v in d.industry_group_margin.items()]
    rows += [("attack_type", g, v, "published") for g, v in d.attack_type_margin.items()]
    rows += [("attack_type_recent", g, v, "published") for g, v in d.attack_type_recent_margin.items()]
    rows.append(("attack_type_recent", "web_leak_plus_other",
                 d.total_recent - sum(d.attack_type_recent_margin.values()), "derived"))
    rows.append(("attack_type_recent", "total", d.total_recent, "published"))
    return rows


def tabulate(cal: Calibration, counts: np.ndarray) -> np.ndarray:
    """Cell counts -> the report's margins, in :func:`_published_margins` order.

    ``counts`` has the cells on its last axis (any leading shape).  Size and industry
    tables count incidents, so events are divided by the attack-type multiplicity
    (1887 / 1842 under the default reconciliation); attack-type tables count events.
    """
    d, f = cal.data, cal.frequency
    c = f.cells
    counts = np.asarray(counts, dtype=float)
    margin_of_type = np.array([d.attack_margin[a] for a in d.attack_types])[c.type]
    group = np.array([d.industry_margin[i] for i in d.industries])[c.industry]
    size = np.array(d.sizes)[c.size]
    recent = c.window == 1
    masks = []
    for table, category, _, _ in _published_margins(cal):
        if table == "size":
            masks.append((size == category, 1.0 / f.multiplicity))
        elif table == "industry":
            masks.append((group == category, 1.0 / f.multiplicity))
        elif table == "attack_type":
            masks.append((margin_of_type == category, 1.0))
        elif category == "total":
            masks.append((recent, 1.0))
        elif category == "web_leak_plus_other":
            named = np.isin(margin_of_type, list(d.attack_type_recent_margin))
            masks.append((recent & ~named, 1.0))
        else:
            masks.append((recent & (margin_of_type == category), 1.0))
    # Each margin is a sum over its cells times the multiplicity factor: one expectation per
    # cell summed correctly rounded, simulated counts (whole numbers, summed exactly in any
    # order) along the last axis; the same bits on every CPU either way (no BLAS product).
    if counts.ndim == 1:
        return np.array([_arith.fsum(counts[m]) * w for m, w in masks])
    return np.stack([counts[..., m].sum(axis=-1) * w for m, w in masks], axis=-1)


def model_margins(cal: Calibration | None = None) -> pd.DataFrame:
    """Published margins next to the fitted expectations (publicised basis)."""
    cal = _calib(cal)
    published = _published_margins(cal)
    model = tabulate(cal, cal.frequency.expected(cal.beta))
    df = pd.DataFrame(published, columns=["table", "category", "published", "quality"])
    df["model"] = model
    df["difference"] = df["model"] - df["published"]
    df["relative_difference"] = df["difference"] / df["published"]
    df["basis"] = "publicised"
    return df[["table", "category", "published", "model", "difference", "relative_difference",
               "quality", "basis"]]


def interaction_shares(cal: Calibration | None = None) -> pd.DataFrame:
    """The approximate published shares (ransomware ~40% manufacturing, web leak ~60% SME)."""
    cal = _calib(cal)
    d, c = cal.data, cal.frequency.cells
    mu = cal.frequency.expected(cal.beta)
    margin_of_type = np.array([d.attack_margin[a] for a in d.attack_types])[c.type]
    group = np.array([d.industry_margin[i] for i in d.industries])[c.industry]
    size = np.array(d.sizes)[c.size]
    rows = []
    for inter in d.interactions:
        of_type = margin_of_type == inter.attack_margin
        where = group if inter.dimension == "industry" else size
        share = mu[of_type & (where == inter.category)].sum() / mu[of_type].sum()
        rows.append({"interaction": inter.name, "published": inter.published, "target": inter.value,
                     "model": share, "difference": share - inter.published, "quality": inter.quality})
    return pd.DataFrame(rows)


def category_ja(cal: Calibration, table: str, category: str) -> str:
    """The Japanese name of a margin table's category: the calibration data's label_ja of a size,
    industry or attack type, else the report's word for a grouping (その他の業種, 合計, ...)."""
    labels = {"size": cal.data.size_labels, "industry": cal.data.industry_labels}.get(table, cal.data.attack_labels)
    return labels.get(category) or language.CATEGORIES_JA.get(category, category)


def interaction_ja(cal: Calibration, name: str) -> str:
    """A published share in Japanese: "ランサムウェア感染に占める製造業の割合"."""
    inter = next((i for i in cal.data.interactions if i.name == name), None)
    if inter is None:
        return name
    return (f"{category_ja(cal, 'attack_type', inter.attack_margin)}に占める"
            f"{category_ja(cal, inter.dimension, inter.category)}の割合")


# ----- survey sampling distribution -------------------------------------------------------

@dataclass(frozen=True)
class SurveySimulation(Described):
    """Simulated means and medians of ``replications`` surveys of ``n_answers`` losses each."""

    attack_type: str
    period: str
    n_answers: int
    seed: int
    means: np.ndarray
    medians: np.ndarray
    published_mean: float
    published_median: float
    model_mean: float
    model_median: float

    def _sample(self, statistic: str) -> np.ndarray:
        if statistic not in ("mean", "median"):
            raise ValueError(f"statistic must be 'mean' or 'median', got {statistic!r}")
        return self.means if statistic == "mean" else self.medians

    def published(self, statistic: str) -> float:
        self._sample(statistic)
        return self.published_mean if statistic == "mean" else self.published_median

    def quantile_of_published(self, statistic: str) -> stats.Estimate:
        """Share of simulated surveys whose statistic is <= the published one (0-1), with its
        binomial standard error ``sqrt(q (1 - q) / replications)`` (:func:`stats.probability`)."""
        return stats.probability(self._sample(statistic) <= self.published(statistic))

    def interval(self, statistic: str, level: float = 0.9) -> tuple[float, float]:
        """Central ``level`` interval of the simulated statistic."""
        if not 0.0 < level < 1.0:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        lo, hi = np.quantile(self._sample(statistic), [(1 - level) / 2, (1 + level) / 2])
        return float(lo), float(hi)

    def describe(self) -> pd.DataFrame:
        rows = []
        for stat in ("mean", "median"):
            lo, hi = self.interval(stat)
            q = self.quantile_of_published(stat)
            rows.append({"attack_type": self.attack_type, "period": self.period, "statistic": stat,
                         "n_answers": self.n_answers, "published": self.published(stat),
                         "model": self.model_mean if stat == "mean" else self.model_median,
                         "simulated_median": float(np.median(self._sample(stat))),
                         "p05": lo, "p95": hi, "survey_quantile": q.value, "survey_quantile_se": q.se,
                         "inside_central_90": 0.05 <= q <= 0.95})
        return pd.DataFrame(rows)

    def _html_title(self) -> str:
        return "Simulated JNSA survey"

    def _html_note(self) -> str:
        return (f"{escape(self.attack_type)} ({self.period}), {self.n_answers} answers x "
                f"{self.means.size} surveys, seed {self.seed}")

    def plot(self, ax=None, lang: str | None = None):
        """Histograms of the simulated mean and median with the published values (axis in 万円 /
        億円); words in ``lang`` ("ja" or "en"; None: the locale's)."""
        require("matplotlib", "SurveySimulation.plot")
        lang = language.resolve(lang)
        with plots.style():
            ax = plots.axes(ax, figsize=(6, 3.5))
            self._draw(ax, lang)
            plots.finish(ax)
        return ax

    def _draw(self, ax, lang: str) -> None:
        t = language.plot_words(lang)
        bins = np.linspace(0, np.quantile(self.means, 0.995), 80)
        ax.hist(self.medians, bins=bins, alpha=0.55, label=t("simulated median"))
        ax.hist(self.means, bins=bins, alpha=0.55, label=t("simulated mean"))
        ax.axvline(self.published_median, color="C0", ls="--", label=t("published median"))
        ax.axvline(self.published_mean, color="C1", ls="--", label=t("published mean"))
        ax.set_xlabel(t("loss per incident"))
        plots.yen_axis(ax, "x")
        ax.set_ylabel(t("surveys"))
        attack_type, period = self.attack_type, self.period
        if lang == "ja":
            attack_type = _calib(None).data.attack_labels.get(attack_type, attack_type)
            period = language.PERIODS_JA.get(period, period)
        ax.set_title(t("{attack_type} ({period}), {n} answers", attack_type=attack_type, period=period,
                       n=self.n_answers))
        ax.legend(fontsize=7)


def simulate_survey(n_answers: int | None = None, attack_type: str = "ransomware",
                    period: str = "cumulative", *, replications: int = 20_000,
                    seed: int = DEFAULT_SEED, cal: Calibration | None = None,
                    tail: Any = None) -> SurveySimulation:
    """Simulate ``replications`` surveys of ``n_answers`` losses from the fitted severity.

    ``n_answers`` defaults to the survey's answer count for that attack type and period
    (29 ransomware cumulative, 21 recent, 27 website leak).  Answer ``j`` of survey ``r`` is
    ``severity.quantile(uniform_at(seed, stream_id(SURVEY, 2*type+period), r, j))``.
    """
    cal = _calib(cal)
    fit = cal.severity_fit(attack_type, period)
    n = fit.answers if n_answers is None else n_answers
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n_answers must be a positive integer, got {n_answers!r}")
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 2:
        raise ValueError(f"replications must be an integer >= 2, got {replications!r}")
    _validate.seed(seed)
    _validate.fits_in_memory(SURVEY_BYTES_PER_ANSWER * float(replications) * float(n),
                             f"{replications:,} simulated surveys of {n} answers",
                             "use fewer replications", f"回答 {n} 件の模擬アンケート {replications:,} 回",
                             "模擬アンケートの回数（replications）を減らす")
    severity = cal.severity(attack_type, period, tail)
    index = 2 * cal.attack_types.index(attack_type) + PERIODS.index(period)
    stream = clrandom.stream_id(clrandom.Purpose.SURVEY, index)
    u = clrandom.uniform_at(seed, stream, np.arange(replications, dtype=np.int64)[:, None],
                             np.arange(n, dtype=np.int64)[None, :])
    losses = np.asarray(severity.quantile(np.ravel(u)), dtype=float).reshape(replications, n)
    return SurveySimulation(attack_type, period, int(n), int(seed), losses.mean(axis=1),
                            np.median(losses, axis=1), fit.mean, fit.median,
                            float(severity.mean()), float(severity.quantile(0.5)))


# ----- the Japanese economy over the survey windows ----------------------------------------

@dataclass(frozen=True)
class EconomySimulation(Described):
    """Margins of ``histories`` simulated 7.5-year histories of the Japanese economy."""

    table: pd.DataFrame   # one row per published margin
    histories: int
    seed: int

    def describe(self) -> pd.DataFrame:
        return self.table.copy()

    def within(self, k: float = 3.0) -> bool:
        """True when every simulated mean is within ``k`` standard errors of the published margin."""
        return bool((self.table["z"].abs() <= k).all())

    def _html_title(self) -> str:
        return "Simulated Japanese economy"

    def _html_note(self) -> str:
        return f"{self.histories} histories of 7.5 years, publicised basis, seed {self.seed}"


def simulate_economy(cal: Calibration | None = None, *, histories: int = 2_000,
                     seed: int = DEFAULT_SEED) -> EconomySimulation:
    """Simulate every organisation cell over the earlier 5.5 and recent 2 years, tabulate.

    Each cell's count in a history is ``cyberloss.Poisson(expected).sample`` (publicised
    basis), so the sum over cells is the economy's count.  The table gives, per published
    margin, the simulated mean, its standard deviation across histories (the sampling noise
    of one 7.5-year history), the standard error of the mean and ``z`` = (mean - published) / se.
    """
    cal = _calib(cal)
    if isinstance(histories, bool) or not isinstance(histories, (int, np.integer)) or histories < 2:
        raise ValueError(f"histories must be an integer >= 2, got {histories!r}")
    expected = cal.frequency.expected(cal.beta)
    _validate.fits_in_memory(3 * 8.0 * histories * expected.size,
                             f"{histories:,} simulated histories of {expected.size} cells", "use fewer histories",
                             f"{expected.size} 区分の模擬履歴 {histories:,} 通り", "模擬履歴の数（histories）を減らす")
    counts = np.zeros((histories, expected.size))
    for cell in np.flatnonzero(expected > 0):
        stream = clrandom.stream_id(clrandom.Purpose.FREQUENCY, int(cell))
        counts[:, cell] = Poisson(float(expected[cell])).sample(histories, seed, stream)
    margins = tabulate(cal, counts)
    table = model_margins(cal).drop(columns=["difference", "relative_difference"])
    table["simulated_mean"] = margins.mean(axis=0)
    table["simulated_sd"] = margins.std(axis=0, ddof=1)
    table["se"] = table["simulated_sd"] / np.sqrt(histories)
    table["z"] = (table["simulated_mean"] - table["published"]) / table["se"]
    return EconomySimulation(table, int(histories), int(seed))


# ----- everything together -----------------------------------------------------------------

@dataclass(frozen=True)
class Reproduction(Described):
    """The JNSA 2025 tables rebuilt from the model (see :func:`reproduce`)."""

    margins: pd.DataFrame
    interactions: pd.DataFrame
    severity: pd.DataFrame
    seed: int
    replications: int

    def table(self, name: str) -> pd.DataFrame:
        if name not in MARGIN_TABLES:
            raise ValueError(f"table must be one of {', '.join(MARGIN_TABLES)}, got {name!r}")
        return self.margins[self.margins["table"] == name].reset_index(drop=True)

    def describe(self) -> pd.DataFrame:
        return self.margins.copy()

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """The JSON contract: ``{"margins": [...], "severity": [...], "interactions": [...]}``."""
        def records(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
                    for row in df.to_dict(orient="records")]
        return {"margins": records(self.margins), "severity": records(self.severity),
                "interactions": records(self.interactions)}

    def _html_title(self) -> str:
        return "JNSA 2025 reproduction"

    def _html_note(self) -> str:
        return "publicised basis; money in JPY"

    def _html_table(self):
        return (self.margins.to_html(index=False) + self.interactions.to_html(index=False)
                + self.severity.to_html(index=False))


def reproduce(cal: Calibration | None = None, *, seed: int = DEFAULT_SEED,
              replications: int = 20_000, progress: bool = False) -> Reproduction:
    """Published | model | difference for every JNSA 2025 table the model is fitted to.

    Severity rows compare the survey mean and median with the fitted lognormal's (JPY) and
    give ``survey_quantile``: where the published value falls among ``replications``
    simulated surveys with the survey's number of answers, and ``survey_quantile_se``, its
    binomial standard error ``sqrt(q (1 - q) / replications)``.  ``progress=True`` shows a bar
    over the simulated surveys (one step per attack type and period).
    """
    cal = _calib(cal)
    rows = []
    surveys = list(cal.data.survey)
    with report_progress.reporting(progress, "jnsa", "surveys", total=len(surveys)) as report:
        for done, (attack_type, period) in enumerate(surveys, start=1):
            rows += _survey_rows(cal, attack_type, period, replications, seed)
            if report:
                report(done, len(surveys))
    return Reproduction(model_margins(cal), interaction_shares(cal), pd.DataFrame(rows),
                        int(seed), int(replications))


def _survey_rows(cal: Calibration, attack_type: str, period: str, replications: int, seed: int) -> list[dict]:
    """The mean and median rows of one survey (attack type, period)."""
    sim = simulate_survey(None, attack_type, period, replications=replications, seed=seed, cal=cal)
    rows = []
    for stat in ("mean", "median"):
        published = sim.published(stat)
        model = sim.model_mean if stat == "mean" else sim.model_median
        q = sim.quantile_of_published(stat)
        rows.append({"attack_type": attack_type, "period": period, "statistic": stat,
                     "published": published, "model": model, "difference": model - published,
                     "n_answers": sim.n_answers, "survey_quantile": q.value, "survey_quantile_se": q.se})
    return rows
