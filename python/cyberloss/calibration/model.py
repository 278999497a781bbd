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
docs/MODEL_NOTES.md, sections "Calibration" and "Calibration v2".

Calibration v2 adds the major / contained branches, the size scales and the ``minor`` type
(methods under "calibration v2" below; the package docstring shows them in use).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from .. import _arith, _validate
from .._lazy import pandas as pd
from ..distributions import Lognormal, Poisson, SplicedLognormalGPD
from ..engine import AttackType, Model
from ..report import language, money
from ..report.html import Described, escape
from . import _frequency, _glm, _incidents, _size
from ._data import MAN_YEN, PERIODS, CalibrationData, SeverityScope, SurveyFigure, parse, read
from ._frequency import WINDOWS, FrequencyFit, type_targets
from ._incidents import MINOR, ContainedBranch, LognormalParameters, MinorIncidents

BASES = ("publicised", "all")
#: The attack type whose downtime is the card-payment suspension, whose length the card
#: companies set: size does not scale it, on either branch (size.downtime_elasticity's
#: reasoning). The organisation model reads the same from the component data (its downtime law
#: is the card-suspension mixture); a test ties the two.
CARD_SUSPENSION_TYPE = "web_leak_card"
# "earlier" is the 2017-01..2022-06 window (5.5 years): cumulative = earlier + recent
ALL_PERIODS = (*PERIODS, "earlier")
#: The assumptions of the optional GPD tail (:meth:`Calibration.severity` with ``tail``), read
#: nowhere else: a model whose severities have no tail (the organisation model's) never uses them.
TAIL_ASSUMPTIONS = ("tail.xi", "tail.threshold_quantile")


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
        return _arith.log(self.median)

    @property
    def sigma(self) -> float:
        return math.sqrt(2.0 * _arith.log(self.mean / self.median))


def _check(name: str, value: Any, allowed: tuple[str, ...] | list[str]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


class Calibration(Described):
    """A validated calibration file with its fitted frequency model.

    Built by :func:`load`; immutable.  :func:`load` of a file written by ``cyberloss fit``
    gives a :class:`~cyberloss.calibration.fitted.FittedCalibration` (a subclass).  A parameter-uncertainty draw
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
        self._cell_rates = _arith.exp(frequency.log_rate(self._beta))   # per organisation-year
        self._severity_keys: dict[tuple[str, str], tuple[str, ...]] = {}
        self._severities = _survey_severities(data, self._severity_keys)
        self._survey_fits = dict(self._severities)
        if severities is not None:
            self._severities.update(severities)
        self.parameter_draw = parameter_draw
        self._major_bases: dict[tuple[str, str], LognormalParameters] = {}

    # ----- labels ---------------------------------------------------------------------------
    @property
    def attack_types(self) -> list[str]:
        return list(self.data.attack_types)

    @property
    def industries(self) -> dict[str, str]:
        return dict(self.data.industry_labels)

    def type_targets(self) -> dict[str, float]:
        """Publicised events per attack type over the whole window, as the frequency fit targets
        them: JNSA's attack-type margins, the website leaks split by ``web_leak_card_share``."""
        return dict(type_targets(self.data)[0])

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

    @property
    def provenance(self) -> str:
        """Where the numbers come from, in one line (quote and report outputs show it)."""
        return f"JNSA 2025 survey calibration ({Path(self.data.path).name})"

    @property
    def provenance_ja(self) -> str:
        """:attr:`provenance` in Japanese."""
        return f"JNSA 2025 調査によるキャリブレーション（{Path(self.data.path).name}）"

    def with_parameters(self, beta: np.ndarray, severities: Mapping[tuple[str, str], SeverityFit],
                        parameter_draw: tuple[int, int]) -> "Calibration":
        """This calibration with redrawn frequency coefficients and survey severities (a
        parameter-uncertainty draw); a fitted calibration keeps its fitted parts."""
        return Calibration(self.data, self.frequency, beta, severities, parameter_draw=parameter_draw)

    # ----- frequency ------------------------------------------------------------------------
    def reporting_factor(self, size: str) -> float:
        _check("size", size, self.data.sizes)
        return float(self.data.value(f"reporting_factor.{size}"))

    def exposure(self, industry: str, size: str) -> float:
        """Organisations of ``industry`` and ``size`` in the frequency fit's exposure (the size's
        total x the industry's share, both assumptions: ``exposure.*``, ``industry_share.*``).
        Where it is 0 the fit saw no such organisation (団体等 are medical, educational, public
        and other bodies; 公務 has no companies) and a rate there is the model's extrapolation
        (:meth:`unfitted_cell`)."""
        i = self.data.industries.index(_check("industry", industry, self.data.industries))
        s = self.data.sizes.index(_check("size", size, self.data.sizes))
        # the fit's own cells hold it (the same for every attack type and window)
        return float(self.frequency.cells.exposure[self.frequency.cell_index(0, i, s, 0)])

    def unfitted_cell(self, industry: str, size: str) -> str | None:
        """A warning when (industry, size) has no exposure in the fit, else None (in English;
        ``language.warning_words`` gives its Japanese)."""
        if self.exposure(industry, size) > 0.0:
            return None
        share = "industry_share.organisation" if size == "organisation" else "industry_share.company"
        fitted = [i for i in self.data.industries if self.exposure(i, size) > 0.0]
        return language.UNFITTED_CELL.format(industry=industry, size=size, share=share, fitted=", ".join(fitted))

    def warnings_in(self, warnings: Sequence[str], lang: str) -> list[str]:
        """``warnings`` (a simulation's, in English) in ``lang``: in Japanese the industries,
        sizes and attack types they name by their label_ja (``language.warning_words``)."""
        d = self.data
        names = {"industry": d.industry_labels, "size": d.size_labels, "attack_type": d.attack_labels}
        return [language.warning_words(w, lang, names) for w in warnings]

    def rate(self, attack_type: str, industry: str, size: str, basis: str = "publicised",
             period: str = "cumulative") -> float:
        """Expected incidents of ``attack_type`` per organisation per year.

        ``period="cumulative"`` averages the 7.5-year window (5.5 earlier + 2 recent years);
        ``"recent"`` is the 2022-07..2024-06 rate and ``"earlier"`` the 2017-01..2022-06 one.
        ``basis="all"`` multiplies the publicised rate by the size's reporting factor.
        """
        a = self.data.attack_types.index(_check("attack_type", attack_type, self.data.attack_types))
        i = self.data.industries.index(_check("industry", industry, self.data.industries))
        s = self.data.sizes.index(_check("size", size, self.data.sizes))
        _check("basis", basis, BASES)
        _check("period", period, ALL_PERIODS)
        early, recent = (float(self._cell_rates[self.frequency.cell_index(a, i, s, w)]) for w in (0, 1))
        if period == "recent":
            value = recent
        elif period == "earlier":
            value = early
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
        """The survey-basis lognormal of a type and period: JNSA's mean and median over the
        publicised incidents of all sizes.  ``period="earlier"`` is the 2017-01..2022-06 window
        (ransomware: derived from the cumulative and recent figures; other types: the
        cumulative figure, no earlier figure being published)."""
        _check("attack_type", attack_type, self.data.attack_types)
        _check("period", period, ALL_PERIODS)
        return self._severities[(attack_type, period)]

    def severity_periods(self, key: str) -> tuple[str, ...] | None:
        """The periods whose survey severity in use (:meth:`severity_fit`) reads the assumption
        ``key`` (``severity.ransomware.earlier_mean``: ``("earlier",)``; () where a fitted or
        drawn severity has replaced every one that read it); None for a key no survey
        severity reads.  A model of another period never uses it."""
        reading = [k for k, keys in self._severity_keys.items() if key in keys]
        if not reading:
            return None
        return tuple(p for p in ALL_PERIODS
                     if any(k[1] == p and self._severities[k] is self._survey_fits[k] for k in reading))

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
        xi, q = (float(self.data.value(k)) for k in TAIL_ASSUMPTIONS)
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

    # ----- calibration v2: branches, size, minor incidents ----------------------------------
    @property
    def size_scale(self) -> _size.SizeScale:
        """Loss and downtime multipliers ``(employees / 9.84) ** elasticity`` (assumptions
        ``size.loss_elasticity``, ``size.downtime_elasticity``)."""
        return _incidents.size_scale(self.data)

    def class_employees(self, size: str) -> float:
        """Mean headcount of a size class (census for large and SME; an assumption for 団体等)."""
        _check("size", size, self.data.sizes)
        return float(self.data.class_employees[size])

    def publicised_size_mix(self, attack_type: str, period: str = "cumulative") -> dict[str, float]:
        """Shares of the fitted publicised events of a type by size class in a period: the
        mix over which JNSA's survey mean and median are kept exactly."""
        a = self.data.attack_types.index(_check("attack_type", attack_type, self.data.attack_types))
        windows = {"earlier": (0,), "recent": (1,), "cumulative": (0, 1)}[_check("period", period, ALL_PERIODS)]
        c = self.frequency.cells
        expected = self.frequency.expected(self._beta)
        counts = {s: float(expected[(c.type == a) & (c.size == k) & np.isin(c.window, windows)].sum())
                  for k, s in enumerate(self.data.sizes)}
        total = sum(counts.values())
        return {s: v / total for s, v in counts.items()}

    def normalised_to_publicised_mix(self, attack_type: str, period: str, mean: float, median: float,
                                     elasticity: float, what: str = "severity") -> LognormalParameters:
        """The lognormal at the reference headcount (``mu0``, ``sigma0``) whose mixture over the
        type's publicised size mix, each class shifted by ``elasticity ln(hbar_s / h_ref)``, has
        the given mean and median (``_size.normalise``).  Used for the survey severity and, by
        the incident model, for the interview-based downtime."""
        mix = self.publicised_size_mix(attack_type, period)
        sizes = list(mix)
        offsets = self.size_scale.class_offsets(sizes, elasticity)
        what_ja = (f"{self.data.attack_labels.get(attack_type, attack_type)}"
                   f"（{language.PERIODS_JA.get(period, period)}）の{language.ASSUMED_JA.get(what, what)}")
        shown_ja = money.yen_words if what == "severity" else (lambda days: f"{days:,.3g}日")
        mu0, sigma0 = _size.normalise([mix[s] for s in sizes], offsets, mean, median,
                                      f"{what} of {attack_type} ({period})", what_ja, shown_ja)
        return LognormalParameters(mu0, sigma0)

    def major_severity_parameters(self, attack_type: str, period: str = "recent") -> LognormalParameters:
        """Survey-basis loss of a major incident at the reference headcount (JPY)."""
        key = (attack_type, period)
        if key not in self._major_bases:
            fit = self.severity_fit(attack_type, period)
            self._major_bases[key] = self.normalised_to_publicised_mix(
                attack_type, period, fit.mean, fit.median, self.size_scale.loss_elasticity)
        return self._major_bases[key]

    def _employees(self, size: str, employees: float | None) -> float:
        return self.class_employees(size) if employees is None else float(employees)

    def major_severity(self, attack_type: str, size: str, employees: float | None = None,
                       period: str = "recent"):
        """Survey-basis loss of a major (publicisable) incident at an organisation of ``size``
        with ``employees`` (default: the class's mean headcount): ``cyberloss.Lognormal``, JPY.
        Over the publicised size mix these reproduce JNSA's mean and median exactly."""
        _check("size", size, self.data.sizes)
        p = self.major_severity_parameters(attack_type, period).shifted(
            self.size_scale.offset(self._employees(size, employees), self.size_scale.loss_elasticity))
        return Lognormal(p.mu, p.sigma)

    def major_probability(self, attack_type: str, size: str) -> float:
        """P(major) of an incident of a JNSA attack type, all-incidents basis."""
        _check("attack_type", attack_type, self.data.attack_types)
        return _incidents.major_probability(self.data, attack_type, _check("size", size, self.data.sizes))

    def publication_probability(self, attack_type: str, size: str) -> float:
        """P(publicised | major) = 1 / (reporting factor x P(major))."""
        _check("attack_type", attack_type, self.data.attack_types)
        return _incidents.publication_probability(self.data, attack_type, _check("size", size, self.data.sizes))

    def contained(self, attack_type: str) -> ContainedBranch:
        """The contained branch's loss, downtime and effort at the reference headcount."""
        return _incidents.contained(self.data, _check("attack_type", attack_type, self.data.attack_types))

    def contained_severity(self, attack_type: str, size: str, employees: float | None = None):
        """Survey-basis loss of a contained incident (``cyberloss.Lognormal``, JPY)."""
        _check("size", size, self.data.sizes)
        p = self.contained(attack_type).severity.shifted(
            self.size_scale.offset(self._employees(size, employees), self.size_scale.loss_elasticity))
        return Lognormal(p.mu, p.sigma)

    def minor(self) -> MinorIncidents:
        """The ``minor`` attack type at the reference headcount and industry weight 1."""
        return _incidents.minor(self.data)

    def minor_rate(self, industry: str, size: str, employees: float | None = None) -> float:
        """Minor incidents per year (all-incidents basis; none are publicised)."""
        _check("industry", industry, self.data.industries)
        _check("size", size, self.data.sizes)
        return _incidents.minor_rate(self.data, industry, size, self._employees(size, employees))

    def minor_severity(self, size: str, employees: float | None = None):
        """Survey-basis loss of a minor incident (``cyberloss.Lognormal``, JPY)."""
        _check("size", size, self.data.sizes)
        p = self.minor().severity.shifted(
            self.size_scale.offset(self._employees(size, employees), self.size_scale.loss_elasticity))
        return Lognormal(p.mu, p.sigma)

    def incident_parameters(self, industry: str, size: str, employees: float | None = None,
                            basis: str = "all", period: str = "recent") -> pd.DataFrame:
        """Everything the incident model needs for one organisation, one row per (attack type,
        branch): the JNSA types' ``major`` and ``contained`` branches and, on the
        all-incidents basis, ``minor`` (on the publicised basis every incident is major and
        minor incidents are absent).

        Columns: ``rate`` (the type's incidents per year; JNSA types at the class level,
        before the organisation's own headcount factor and controls; minor at ``employees``),
        ``branch_probability``, ``publication_probability`` (P(publicised | branch)),
        ``loss_mu``/``loss_sigma`` (survey-basis loss, ln JPY, at ``employees``),
        ``downtime_mu``/``downtime_sigma`` (ln days; NaN for the major branch, whose downtime
        is the type's interview-based distribution times ``downtime_scale``),
        ``downtime_scale`` (size multiplier of downtime; 1 for the card-payment suspension,
        ``CARD_SUSPENSION_TYPE``), ``effort_mean`` (person-months;
        NaN for the major branch: the type's surveyed effort), ``share_affected`` (multiplies
        the share of operations a downtime stops).
        """
        _check("basis", basis, BASES)
        _check("period", period, ALL_PERIODS)
        h = self._employees(_check("size", size, self.data.sizes), employees)
        scale = self.size_scale
        loss_shift = scale.offset(h, scale.loss_elasticity)
        down_shift = scale.offset(h, scale.downtime_elasticity)
        nan = math.nan
        rows = []

        def row(a, branch, rate, probability, published, loss, downtime, effort, share=1.0):
            shift = 0.0 if a == CARD_SUSPENSION_TYPE else down_shift
            rows.append({"attack_type": a, "branch": branch, "basis": basis, "period": period,
                         "employees": h, "rate": rate, "branch_probability": probability,
                         "publication_probability": published, "loss_mu": loss.mu + loss_shift,
                         "loss_sigma": loss.sigma,
                         "downtime_mu": nan if downtime is None else downtime.mu + shift,
                         "downtime_sigma": nan if downtime is None else downtime.sigma,
                         "downtime_scale": _arith.exp(shift), "effort_mean": effort,
                         "share_affected": share})

        for a in self.data.attack_types:
            rate = self.rate(a, industry, size, basis, period)
            major = self.major_severity_parameters(a, period)
            if basis == "publicised":
                row(a, "major", rate, 1.0, 1.0, major, None, nan)
                continue
            p = self.major_probability(a, size)
            row(a, "major", rate, p, self.publication_probability(a, size), major, None, nan)
            c = self.contained(a)
            row(a, "contained", rate, 1.0 - p, 0.0, c.severity, c.downtime, c.effort_mean)
        if basis == "all":
            m = self.minor()
            row(MINOR, MINOR, self.minor_rate(industry, size, h), 1.0, 0.0, m.severity, m.downtime,
                m.effort_mean, m.share_affected)
        return pd.DataFrame(rows)

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
        """Every assumption used: key, value, its plausible range (low, high; None where no
        range applies), quality, source, reasoning, overridden."""
        rows = [{"key": a.key, "value": a.value, "low": a.low, "high": a.high, "quality": a.quality,
                 "source": a.source, "reasoning": a.reasoning, "overridden": a.overridden}
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


def _survey_severities(data: CalibrationData, keys: dict[tuple[str, str], tuple[str, ...]]
                       ) -> dict[tuple[str, str], SeverityFit]:
    """The survey severity of each type and period; ``keys`` gets the assumptions each reads."""
    out = _survey_severities_by_period(data, keys)
    for a in data.attack_types:
        if a == "ransomware" and (a, "recent") in data.survey and (a, "cumulative") in data.survey:
            mean_a = data.assumptions["severity.ransomware.earlier_mean"]
            median_a = data.assumptions["severity.ransomware.earlier_median"]
            answers = max(data.survey[(a, "cumulative")].answers - data.survey[(a, "recent")].answers, 2)
            keys[(a, "earlier")] = (mean_a.key, median_a.key)
            out[(a, "earlier")] = SeverityFit(a, "earlier", mean_a.value * MAN_YEN, median_a.value * MAN_YEN,
                                              answers, "derived" if mean_a.quality == median_a.quality == "derived"
                                              else "assumption",
                                              "severity.ransomware.earlier_mean, severity.ransomware.earlier_median")
        else:
            cum = out[(a, "cumulative")]
            keys[(a, "earlier")] = keys.get((a, "cumulative"), ())
            out[(a, "earlier")] = SeverityFit(a, "earlier", cum.mean, cum.median, cum.answers, cum.quality,
                                              f"{cum.source} (cumulative figure; no earlier-window figure)")
    return out


def _survey_severities_by_period(data: CalibrationData, keys: dict[tuple[str, str], tuple[str, ...]]
                                 ) -> dict[tuple[str, str], SeverityFit]:
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
            keys[(a, period)] = (mean_key, median_key)
            out[(a, period)] = SeverityFit(a, period, mean_a.value * MAN_YEN, median_a.value * MAN_YEN,
                                           answers, "assumption", f"{mean_key}, {median_key}")
    return out


def load(path: str | Path | None = None,
         overrides: Mapping[str, Any] | str | Path | None = None) -> Calibration:
    """Load the packaged JNSA 2025 calibration (or a user file) and fit the frequency model.

    ``overrides`` maps assumption keys (see ``Calibration.assumptions()``) to new values, or
    names a JSON file holding such a mapping.  Every value is validated; an unknown key or a
    bad value raises ValueError naming it.  The packaged calibration without overrides is read
    and fitted once per process (it is immutable) and shared by every later call.
    """
    if path is None and overrides is None:
        return _packaged()
    return _fitted(read(path, overrides))


@functools.cache
def _packaged() -> Calibration:
    return _fitted(read(None, None))


def from_dict(document: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> Calibration:
    """Like :func:`load` for a calibration document already in memory."""
    return _fitted(parse(document, "<dict>", overrides))


def _fitted(data) -> Calibration:
    """Fit the frequency model; counts that make it overflow are refused, not fitted to inf.
    The refusal names the overrides in force, the likely cause when the shipped file fits."""
    overridden = [a for a in data.assumptions.values() if a.overridden]
    forced = [_override(a, _validate.shown) for a in overridden]
    where = (f"calibration file {data.path} with the override{'s' if len(forced) > 1 else ''} "
             f"{', '.join(forced)}" if forced else f"calibration file {data.path}")
    where_ja = _validate.place_ja(f"calibration file {data.path}") + (
        f"（前提の上書き {'、'.join(_override(a, _validate.shown_ja) for a in overridden)}）" if overridden else "")
    try:
        with np.errstate(over="raise", invalid="raise"):
            return Calibration(data, _frequency.fit(data))
    except FloatingPointError as exc:
        raise _FitError(f"{where}: the frequency model cannot be fitted to these counts and exposures ({exc})",
                        f"{where_ja}: 頻度モデルをこの件数とエクスポージャーに当てはめられない"
                        f"（{_numpy_reason_ja(str(exc))}）") from None
    except _glm.MarginFitError as exc:
        raise _FitError(f"{where}: {exc}", f"{where_ja}: {exc.japanese()}") from None
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


#: NumPy's floating-point errors (np.errstate(..., "raise")), in Japanese.
_NUMPY_ERRORS_JA = {"overflow": "桁あふれ", "invalid value": "不正な値（NaN）", "divide by zero": "ゼロ除算",
                    "underflow": "アンダーフロー"}


def _numpy_reason_ja(reason: str) -> str:
    """NumPy's "overflow encountered in exp" as 「exp で桁あふれ」; another reason as it is."""
    kind, _, where = reason.partition(" encountered in ")
    return f"{where} で{_NUMPY_ERRORS_JA[kind]}" if where and kind in _NUMPY_ERRORS_JA else reason


def _override(a, shown) -> str:
    """An assumption overridden, as a message names it (``shown``: how it shows a value)."""
    return f"{a.key} = {a.value:g}" if isinstance(a.value, float) else f"{a.key} = {shown(a.value)}"


class _FitError(_validate.InJapaneseToo, ValueError):
    """A calibration whose frequency model cannot be fitted (a ValueError), said in Japanese too."""

