"""The JNSA 2025 calibration (the Calibration object): frequency by attack type x industry x
size, survey severities.

    >>> from cyberloss import calibration
    >>> cal = calibration.load()                                  # packaged data/jnsa2025.json
    >>> cal.rate("ransomware", "manufacturing", "sme", basis="all", period="recent")
    >>> model = cal.default_model("manufacturing", "sme")          # cyberloss.Model, 5 attack types
    >>> cal.assumptions()                                          # every assumption, with reasons

Rates are expected attack-type events per organisation per year, on the *publicised* basis
(what JNSA counted) or on the *all-incidents* basis (publicised x the size's reporting
factor).  Severities are the survey basis: response costs and liability per incident (JPY),
without lost profit or internal effort (see ``cal.scope``).  The choices are documented in
docs/MODEL_NOTES.md, section "Calibration".
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..distributions import Lognormal, Poisson, SplicedLognormalGPD
from ..engine import AttackType, Model
from ..report.html import Described, escape
from . import _frequency
from ._data import MAN_YEN, PERIODS, CalibrationData, SeverityScope, SurveyFigure, parse, read
from ._frequency import WINDOWS, FrequencyFit

BASES = ("publicised", "all")


@dataclass(frozen=True)
class SeverityFit:
    """Lognormal survey-basis severity for one attack type and period (money in JPY).

    ``sigma = sqrt(2 ln(mean / median))`` and ``mu = ln(median)`` reproduce the survey's
    mean and median exactly.  ``scope`` says what the amounts cover.
    """

    attack_type: str
    period: str
    mean: float
    median: float
    answers: int
    quality: str
    source: str

    @property
    def mu(self) -> float:
        return math.log(self.median)

    @property
    def sigma(self) -> float:
        return math.sqrt(2.0 * math.log(self.mean / self.median))


def _check(name: str, value: Any, allowed: tuple[str, ...] | list[str]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


class Calibration(Described):
    """A validated calibration file with its fitted frequency model.

    Built by :func:`load`; immutable.  A parameter-uncertainty draw
    (:func:`cyberloss.calibration.uncertainty.draw`) is another ``Calibration`` whose
    coefficients and severities are redrawn (``parameter_draw`` says which block).
    """

    def __init__(self, data: CalibrationData, frequency: FrequencyFit,
                 beta: np.ndarray | None = None,
                 severities: Mapping[tuple[str, str], SeverityFit] | None = None,
                 parameter_draw: tuple[int, int] | None = None):
        self.data = data
        self.frequency = frequency
        self._beta = frequency.glm.beta if beta is None else np.asarray(beta, dtype=float)
        if self._beta.shape != frequency.glm.beta.shape or not np.all(np.isfinite(self._beta)):
            raise ValueError(f"beta must be {frequency.glm.beta.size} finite coefficients "
                             f"({', '.join(frequency.glm.names)}), got {beta!r}")
        self._cell_rates = np.exp(frequency.log_rate(self._beta))   # per organisation-year
        self._severities = dict(severities) if severities is not None else _survey_severities(data)
        self.parameter_draw = parameter_draw

    # ----- labels ---------------------------------------------------------------------------
    @property
    def attack_types(self) -> list[str]:
        return list(self.data.attack_types)

    @property
    def industries(self) -> dict[str, str]:
        return dict(self.data.industry_labels)

    @property
    def sizes(self) -> dict[str, str]:
        return dict(self.data.size_labels)

    @property
    def scope(self) -> SeverityScope:
        """What the survey severities cover: response costs + liability, not BI or internal effort."""
        return self.data.scope

    @property
    def beta(self) -> np.ndarray:
        return self._beta.copy()

    # ----- frequency ------------------------------------------------------------------------
    def reporting_factor(self, size: str) -> float:
        _check("size", size, self.data.sizes)
        return float(self.data.value(f"reporting_factor.{size}"))

    def rate(self, attack_type: str, industry: str, size: str, basis: str = "publicised",
             period: str = "cumulative") -> float:
        """Expected incidents of ``attack_type`` per organisation per year.

        ``period="cumulative"`` averages the 7.5-year window (5.5 earlier + 2 recent years);
        ``"recent"`` is the 2022-07..2024-06 rate.  ``basis="all"`` multiplies the publicised
        rate by the size's reporting factor.
        """
        a = self.data.attack_types.index(_check("attack_type", attack_type, self.data.attack_types))
        i = self.data.industries.index(_check("industry", industry, self.data.industries))
        s = self.data.sizes.index(_check("size", size, self.data.sizes))
        _check("basis", basis, BASES)
        _check("period", period, PERIODS)
        early, recent = (float(self._cell_rates[self.frequency.cell_index(a, i, s, w)]) for w in (0, 1))
        if period == "recent":
            value = recent
        else:
            y = self.data.years
            value = ((y["cumulative"] - y["recent"]) * early + y["recent"] * recent) / y["cumulative"]
        if basis == "all":
            value *= self.reporting_factor(size)
        return value

    def rates(self, basis: str = "publicised", period: str = "cumulative") -> pd.DataFrame:
        """Every (attack type, industry, size) rate, with the basis and period stated."""
        rows = [(a, i, s, self.rate(a, i, s, basis, period))
                for a in self.data.attack_types for i in self.data.industries for s in self.data.sizes]
        df = pd.DataFrame(rows, columns=["attack_type", "industry", "size", "rate"])
        df["basis"], df["period"] = basis, period
        return df

    def expected_counts(self, basis: str = "publicised") -> pd.DataFrame:
        """Expected attack-type events per cell of the Japanese economy.

        One row per (attack type, industry, size, window) with the exposure (organisations),
        the window length in years and the expected events in that window, on the
        publicised basis (what JNSA counted) or all incidents (x the size's reporting factor).
        """
        _check("basis", basis, BASES)
        f, d = self.frequency, self.data
        c = f.cells
        expected = f.expected(self._beta)
        if basis == "all":
            expected = expected * np.array([self.reporting_factor(s) for s in d.sizes])[c.size]
        return pd.DataFrame({
            "attack_type": np.array(d.attack_types)[c.type],
            "industry": np.array(d.industries)[c.industry],
            "size": np.array(d.sizes)[c.size],
            "window": np.array(WINDOWS)[c.window],
            "exposure": c.exposure,
            "years": c.years,
            "expected": expected,
            "basis": basis,
        })

    # ----- severity -------------------------------------------------------------------------
    def severity_fit(self, attack_type: str, period: str = "cumulative") -> SeverityFit:
        _check("attack_type", attack_type, self.data.attack_types)
        _check("period", period, PERIODS)
        return self._severities[(attack_type, period)]

    def severity(self, attack_type: str, period: str = "cumulative", tail: Any = None):
        """Survey-basis loss per incident in JPY: ``cyberloss.Lognormal``.

        ``tail`` adds a GPD tail (``cyberloss.SplicedLognormalGPD``) above a body quantile:
        ``True`` uses the assumptions ``tail.xi`` and ``tail.threshold_quantile``; a number
        is the GPD shape xi; a mapping may give ``xi`` and/or ``threshold_quantile``.
        """
        fit = self.severity_fit(attack_type, period)
        body = Lognormal(fit.mu, fit.sigma)
        if tail is None or tail is False:
            return body
        xi, q = self._tail_parameters(tail)
        return SplicedLognormalGPD(body, float(body.quantile(q)), xi)

    def _tail_parameters(self, tail: Any) -> tuple[float, float]:
        xi = float(self.data.value("tail.xi"))
        q = float(self.data.value("tail.threshold_quantile"))
        if tail is True:
            pass
        elif isinstance(tail, (int, float)) and not isinstance(tail, bool):
            xi = float(tail)
        elif isinstance(tail, Mapping):
            unknown = set(tail) - {"xi", "threshold_quantile"}
            if unknown:
                raise ValueError(f"tail: unknown keys {sorted(unknown)} (known: xi, threshold_quantile)")
            xi = float(tail.get("xi", xi))
            q = float(tail.get("threshold_quantile", q))
        else:
            raise ValueError(f"tail must be None, True, a GPD shape xi or a mapping, got {tail!r}")
        if not (math.isfinite(xi) and 0.0 <= xi < 1.0):
            raise ValueError(f"tail xi must be in [0, 1) for a finite mean, got {xi!r}")
        if not (0.0 < q < 1.0):
            raise ValueError(f"tail threshold_quantile must be in (0, 1), got {q!r}")
        return xi, q

    # ----- model ----------------------------------------------------------------------------
    def default_model(self, industry: str, size: str, basis: str = "all", period: str = "recent",
                      tail: Any = None):
        """One organisation's ``cyberloss.Model``: the five attack types in ``attack_types``
        order, Poisson frequency at ``rate(...)`` and the survey-basis severity."""
        types = [AttackType(a, Poisson(self.rate(a, industry, size, basis, period)),
                            self.severity(a, period, tail))
                 for a in self.data.attack_types]
        return Model(types)

    def model_table(self, industry: str, size: str, basis: str = "all",
                    period: str = "recent") -> pd.DataFrame:
        """What :meth:`default_model` holds, with provenance: one row per attack type with
        its rate (and the basis and period it is on), the survey-basis severity mean and
        median (JPY), their quality and the severity scope."""
        rows = []
        for a in self.data.attack_types:
            fit = self.severity_fit(a, period)
            rows.append({"attack_type": a, "label_ja": self.data.attack_labels[a],
                         "rate": self.rate(a, industry, size, basis, period), "basis": basis,
                         "period": period, "severity_mean": fit.mean, "severity_median": fit.median,
                         "severity_sigma": fit.sigma, "severity_quality": fit.quality,
                         "severity_scope": " + ".join(self.scope.includes)})
        return pd.DataFrame(rows)

    # ----- provenance -----------------------------------------------------------------------
    def assumptions(self) -> pd.DataFrame:
        """Every assumption used: key, value, quality, source, reasoning, overridden."""
        rows = [{"key": a.key, "value": a.value, "quality": a.quality, "source": a.source,
                 "reasoning": a.reasoning, "overridden": a.overridden}
                for a in self.data.assumptions.values()]
        return pd.DataFrame(rows)

    def describe(self) -> pd.DataFrame:
        """Annual rates per attack type for every industry and size (recent period, both bases)."""
        pub = self.rates("publicised", "recent").rename(columns={"rate": "rate_publicised"})
        pub["rate_all"] = self.rates("all", "recent")["rate"].to_numpy()
        return pub.drop(columns=["basis"])

    def _html_title(self) -> str:
        return f"cyberloss calibration {escape(self.data.path)}"

    def _html_note(self) -> str:
        return (f"{len(self.data.attack_types)} attack types, {len(self.data.industries)} industries, "
                f"{len(self.data.sizes)} sizes; survey severities cover {', '.join(self.scope.includes)}"
                f" (not {', '.join(self.scope.excludes)}); the assumptions in use:")

    def _html_table(self):
        return self.assumptions()[["key", "value", "quality", "source"]]

    def __repr__(self) -> str:
        draw = f", parameter_draw={self.parameter_draw}" if self.parameter_draw else ""
        return f"Calibration({self.data.path!r}{draw})"


def _survey_severities(data: CalibrationData) -> dict[tuple[str, str], SeverityFit]:
    out = {}
    for a in data.attack_types:
        for period in PERIODS:
            fig: SurveyFigure | None = data.survey.get((a, period))
            if fig is not None:
                out[(a, period)] = SeverityFit(a, period, fig.mean, fig.median, fig.answers,
                                               fig.quality, fig.source)
                continue
            if (a, "cumulative") in data.survey:      # published cumulative, not recent
                mean_key, median_key = f"severity.{a}.recent_mean", f"severity.{a}.recent_median"
                answers = data.survey[(a, "cumulative")].answers
            else:                                     # Emotet, other: assumptions
                mean_key, median_key = f"severity.{a}.mean", f"severity.{a}.median"
                answers = int(data.value(f"severity.{a}.answers"))
            mean_a, median_a = data.assumptions[mean_key], data.assumptions[median_key]
            out[(a, period)] = SeverityFit(a, period, mean_a.value * MAN_YEN, median_a.value * MAN_YEN,
                                           answers, "assumption", f"{mean_key}, {median_key}")
    return out


def load(path: str | Path | None = None,
         overrides: Mapping[str, Any] | str | Path | None = None) -> Calibration:
    """Load the packaged JNSA 2025 calibration (or a user file) and fit the frequency model.

    ``overrides`` maps assumption keys (see ``Calibration.assumptions()``) to new values, or
    names a JSON file holding such a mapping.  Every value is validated; an unknown key or a
    bad value raises ValueError naming it.
    """
    return _fitted(read(path, overrides))


def from_dict(document: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> Calibration:
    """Like :func:`load` for a calibration document already in memory."""
    return _fitted(parse(document, "<dict>", overrides))


def _fitted(data) -> Calibration:
    """Fit the frequency model; counts that make it overflow are refused, not fitted to inf."""
    try:
        with np.errstate(over="raise", invalid="raise"):
            return Calibration(data, _frequency.fit(data))
    except FloatingPointError as exc:
        raise ValueError(f"calibration file {data.path}: the frequency model cannot be fitted to "
                         f"these counts and exposures ({exc})") from None
    except ValueError as exc:
        raise ValueError(f"calibration file {data.path}: {exc}") from None

