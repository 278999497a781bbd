"""A calibration fitted to an insurer's own claims (``cyberloss fit``), usable wherever a
:class:`~cyberloss.calibration.Calibration` is: quote, bcp, portfolio, uncertainty.

It is the JNSA calibration with two things replaced by the experience fit
(``cyberloss.experience``):

* frequency: the all-incidents rate of attack type ``a`` for size ``s`` (every industry) is
  multiplied by the credibility-weighted factor of the group ``(a, s)``; the branch split, the
  minor incidents and the industry weights are JNSA's;
* severity: the major-incident loss of each fitted type at the reference headcount is the
  fitted ``LN(mu, sigma)`` (still shifted by the size scale for other headcounts); the contained
  branch is JNSA's.  ``severity_fit`` (the survey-basis view used by ``default_model`` and the
  portfolio) is the fitted law at the publicised size mix's mean offset.

Saved as JSON (``FORMAT``) with its provenance ("fitted to N claims from FILE on DATE, prior
JNSA 2025"); :func:`cyberloss.calibration.load` reads it back.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .. import _arith, _files, _json, _validate, config
from ..config import documents
from ..report import language
from . import model
from ._data import PERIODS
from ._incidents import LognormalParameters
from .model import Calibration, SeverityFit

FORMAT = "cyberloss-fitted-calibration/1"


@dataclass(frozen=True)
class FrequencyGroup:
    """The credibility update of one (attack type, size) group: ``factor = (k + N*) / (k + m)``
    with ``N*`` the claims grossed up for the deductibles, ``m`` the prior's expected count on
    the exposure and ``k`` the prior's weight; ``credibility = m / (k + m)``."""

    attack_type: str
    size: str
    claims: int
    ground_up_claims: float
    policy_years: float
    expected_prior: float
    credibility: float
    factor: float


@dataclass(frozen=True)
class FittedSeverity:
    """The fitted major-incident severity of one type at the reference headcount (ln JPY),
    with its standard errors, the prior and the naive fit beside it."""

    attack_type: str
    mu: float
    sigma: float
    se_mu: float
    se_sigma: float
    claims: int
    censored: int
    truncated: int
    prior_mu: float
    prior_sigma: float
    naive_mu: float
    naive_sigma: float
    # the correlation of the estimates of mu and ln sigma (the fit's observed information); NaN
    # in a file written before it was kept, whose parameter draws then take it as 0
    corr_mu_log_sigma: float = math.nan


class FittedCalibration(Calibration):
    """The JNSA calibration ``base`` with fitted frequency factors and severities."""

    def __init__(self, base: Calibration, groups: tuple[FrequencyGroup, ...],
                 severities: Mapping[str, FittedSeverity], provenance: Mapping[str, Any],
                 settings: Mapping[str, Any], beta: np.ndarray | None = None,
                 drawn: Mapping[tuple[str, str], SeverityFit] | None = None,
                 parameter_draw: tuple[int, int] | None = None):
        super().__init__(base.data, base.frequency, base.beta if beta is None else beta,
                         parameter_draw=parameter_draw)
        self.base = base
        self.groups = tuple(groups)
        self.fitted_severities = dict(severities)
        self.fit_provenance = dict(provenance)
        self.settings = dict(settings)
        self._factors = {(g.attack_type, g.size): g.factor for g in self.groups}
        self._fitted_views: dict[tuple[str, str], SeverityFit] = {}
        for a, fit in self.fitted_severities.items():
            mix = base.publicised_size_mix(a, "recent")
            offsets = self.size_scale.class_offsets(list(mix), self.size_scale.loss_elasticity)
            mu = fit.mu + sum(w * c for w, c in zip(mix.values(), offsets))
            for period in (*PERIODS, "earlier"):
                self._fitted_views[(a, period)] = SeverityFit(
                    a, period, _arith.exp(mu + 0.5 * fit.sigma * fit.sigma), _arith.exp(mu),
                    max(fit.claims - fit.censored, 2), "fitted", self.provenance)
        self._severities.update(self._fitted_views)
        if drawn is not None:
            self._severities.update(drawn)

    @property
    def provenance(self) -> str:
        return str(self.fit_provenance["text"])

    @property
    def provenance_ja(self) -> str:
        """:attr:`provenance` in Japanese (the English text when the file lacks its parts)."""
        p = self.fit_provenance
        if not all(k in p for k in ("claims", "claims_file", "fitted_on")):
            return self.provenance
        return (f"{p['claims_file']} の請求 {p['claims']} 件に当てはめたキャリブレーション"
                f"（{p['fitted_on']}、事前分布 {self.base.provenance_ja}）")

    def rate(self, attack_type: str, industry: str, size: str, basis: str = "publicised",
             period: str = "cumulative") -> float:
        return super().rate(attack_type, industry, size, basis, period) * \
            self._factors.get((attack_type, size), 1.0)

    def frequency_factor(self, attack_type: str, size: str) -> float:
        """Fitted rate / JNSA rate of a group (1 where the exposure had none)."""
        return self._factors.get((attack_type, size), 1.0)

    def major_severity_parameters(self, attack_type: str, period: str = "recent") -> LognormalParameters:
        fit = self.fitted_severities.get(attack_type)
        if fit is None:
            return super().major_severity_parameters(attack_type, period)
        # a parameter draw moves the survey-basis view; the same move applies at the reference headcount
        own, now = self._fitted_views[(attack_type, period)], self.severity_fit(attack_type, period)
        return LognormalParameters(fit.mu + now.mu - own.mu, fit.sigma * now.sigma / own.sigma)

    def with_parameters(self, beta: np.ndarray, severities: Mapping[tuple[str, str], SeverityFit],
                        parameter_draw: tuple[int, int]) -> "FittedCalibration":
        return FittedCalibration(self.base, self.groups, self.fitted_severities, self.fit_provenance,
                                 self.settings, beta, severities, parameter_draw)

    def on_base(self, base: Calibration) -> "FittedCalibration":
        """The same fit on another JNSA base (e.g. with an assumption overridden)."""
        return FittedCalibration(base, self.groups, self.fitted_severities, self.fit_provenance,
                                 self.settings)

    def to_document(self) -> dict[str, Any]:
        return {"format": FORMAT, "provenance": dict(self.fit_provenance),
                "settings": dict(self.settings),
                "frequency": [asdict(g) for g in self.groups],
                "severity": [{k: v for k, v in asdict(s).items() if not (isinstance(v, float) and math.isnan(v))}
                             for s in self.fitted_severities.values()]}

    def save(self, path: str | Path, option: str = "--out") -> Path:
        """Write the fitted calibration as JSON (atomically)."""
        return _files.write_text(path, option, _json.dumps(self.to_document()) + "\n")

    def _html_title(self) -> str:
        return "cyberloss calibration fitted to claims"

    def _html_note(self) -> str:
        return self.provenance

    def __repr__(self) -> str:
        return f"FittedCalibration({self.provenance!r})"


def is_fitted(document: Any) -> bool:
    return isinstance(document, Mapping) and document.get("format") == FORMAT


def from_document(document: Any, base: Calibration, origin: str) -> FittedCalibration:
    """Validate a fitted-calibration document against ``documents.FITTED_CALIBRATION`` and the
    base calibration's labels; errors name the file and the dotted key."""
    where = f"fitted calibration {origin}"
    try:
        doc = config.check(document, documents.FITTED_CALIBRATION)
        if doc["format"] != FORMAT:
            raise _validate.InputError(f"format must be {FORMAT!r}, got {doc['format']!r}",
                                       _validate.Need("relation", detail=repr(FORMAT)), "format", doc["format"])
        groups = []
        for n, g in enumerate(doc["frequency"]):
            _known(g["attack_type"], base.attack_types, f"frequency[{n}].attack_type")
            _known(g["size"], list(base.sizes), f"frequency[{n}].size")
            groups.append(FrequencyGroup(**g))
        pairs = [(g.attack_type, g.size) for g in groups]
        if len(set(pairs)) != len(pairs):
            twice = sorted(p for p in pairs if pairs.count(p) > 1)[0]
            heading = language.CATEGORY_HEADINGS_JA
            raise _validate.InputError(
                f"frequency lists a group twice: {twice}",
                _validate.Need("twice", noun=f"{heading['attack_type']}と{heading['size']}の組", key=" / ".join(twice),
                               detail=" と ".join(f"frequency[{n}]" for n, p in enumerate(pairs) if p == twice)),
                "frequency")
        severities: dict[str, FittedSeverity] = {}
        for n, s in enumerate(doc["severity"]):
            _known(s["attack_type"], base.attack_types, f"severity[{n}].attack_type")
            if s["attack_type"] in severities:
                first = next(i for i, t in enumerate(doc["severity"]) if t["attack_type"] == s["attack_type"])
                raise _validate.InputError(
                    f"severity[{n}].attack_type {s['attack_type']!r} is listed twice",
                    _validate.Need("twice", noun=language.CATEGORY_HEADINGS_JA["attack_type"], key=s["attack_type"],
                                   detail=f"severity[{first}] と severity[{n}]"), "severity")
            severities[s["attack_type"]] = FittedSeverity(**{"naive_mu": math.nan, "naive_sigma": math.nan,
                                                             "corr_mu_log_sigma": math.nan, **s})
    except _validate.InputError as exc:     # said in Japanese too, the file named as cyberloss fit's
        where_ja = f"cyberloss fit の{_validate.place_ja(f'calibration file {origin}')}"
        raise exc.replaced(f"{where}: {exc}", context=((where, where_ja), *exc.context)) from None
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return FittedCalibration(base, tuple(groups), severities, doc["provenance"], doc["settings"])


def _known(value: str, allowed, where: str) -> None:
    if value not in allowed:
        raise _validate.InputError(f"{where} must be one of {', '.join(allowed)}, got {value!r}",
                                   _validate.Need("choice", choices=tuple(allowed)), where, value)


def read(path: str | Path, base: Calibration) -> FittedCalibration:
    p = config.path_of(path, "calibration file")
    return from_document(config.read_json(p, "calibration file"), base, str(p))


def load(path: str | Path | None = None,
         overrides: Mapping[str, Any] | str | Path | None = None) -> Calibration:
    """:func:`cyberloss.calibration.model.load`, and a file written by ``cyberloss fit``
    (``FORMAT``) loaded as the fitted calibration on the packaged JNSA one (``overrides``
    apply to that base)."""
    if path is not None:
        file = config.path_of(path, "calibration file")
        document = config.read_json(file, "calibration file")
        if is_fitted(document):
            return from_document(document, model.load(None, overrides), str(file))
    return model.load(path, overrides)
