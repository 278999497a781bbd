"""Compound frequency-severity simulation of one organisation (C++ engine, oneTBB-parallel).

``Model([AttackType(name, frequency, severity), ...])`` describes the organisation;
:func:`simulate` runs it and returns a :class:`SimulationResult`, a year-loss table whose
view ``gross`` is the annual loss and whose breakdown columns are the attack types.
:func:`model_from_dict` / :func:`load_model` build a model from a TOML spec
(``config.documents.SPEC``):

    [[attack_type]]
    name = "ransomware"
    frequency = { distribution = "poisson", rate = 0.05 }
    severity = { distribution = "lognormal", mean = 49_590_000, median = 32_600_000 }
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from . import _core, _validate, config, results
from ._core import AttackType, Model
from .config import documents
from .distributions import Frequency, Lognormal, NegativeBinomial, Poisson, Severity, SplicedLognormalGPD
from .report import progress as report_progress

MAX_ANNUAL_COUNT = 2**31 - 1

OUTPUTS = ("annual", "by_type", "counts", "events")
DEFAULT_OUTPUTS = ("annual", "by_type", "counts")

__all__ = ["DEFAULT_OUTPUTS", "OUTPUTS", "AttackType", "Model", "SimulationResult", "load_model",
           "model_from_dict", "simulate"]


class SimulationResult(results.YearLossTable):
    """Simulated years of one organisation: a dense year-loss table whose view ``gross`` is the
    annual loss (and, with a layer, the view ``layered``: each year's aggregate layer of its
    occurrence-layered losses), with one breakdown column per attack type and extras
    ``count_<type>`` where those outputs were kept, and single losses for the OEP when events
    were kept.

    Arrays are read-only NumPy views of the C++ result (no copies): ``annual_loss`` (years,),
    and the outputs asked for (``simulate(outputs=...)``): ``by_type`` (years, n_types),
    ``counts`` (years, n_types), ``events`` (a dict of arrays ``year``, ``type``, ``k``,
    ``loss`` ordered by (year, type, k)); with a layer, ``layered_annual_loss`` (years,).
    ``warnings`` lists, in plain words, why the run's mean and standard error may be unreliable
    for this model and number of years (``Model.reliability_warnings``; empty when they are
    not).  Money is JPY.
    """

    def __init__(self, raw, model: Model, events_kept: bool = False,
                 warnings: Sequence[str] = ()):
        self._raw = raw
        self._events_kept = events_kept
        self.model = model
        self.annual_loss: np.ndarray = raw.annual
        self.type_names: list[str] = list(raw.type_names)
        columns = {"gross": self.annual_loss}
        views = ["gross"]
        if raw.layered_annual is not None:
            columns["layered"] = raw.layered_annual
            views.append("layered")
        if raw.by_type is not None:
            for j, name in enumerate(self.type_names):
                columns[name if name not in columns else f"{name} (type)"] = raw.by_type[:, j]
        extras = ({} if raw.counts is None else
                  {f"count_{n}": raw.counts[:, j] for j, n in enumerate(self.type_names)})
        occurrence = None
        if events_kept:
            years, _, maxima = results.year_sums(raw.event_year - raw.first_year,
                                                 {"gross": raw.event_loss})
            top = np.zeros(raw.years)
            top[years] = maxima["gross"]
            occurrence = {"gross": top}
        super().__init__(raw.years, columns, views=tuple(views), occurrence=occurrence,
                         extras=extras, first_year=raw.first_year, seed=raw.seed,
                         title="cyberloss simulation", warnings=warnings)

    def _kept(self, name: str, value):
        if value is None:
            raise ValueError(f"{name} was not kept: run simulate(..., outputs=(..., {name!r}))")
        return value

    @property
    def by_type(self) -> np.ndarray:
        """Loss of each attack type per year, (years, n_types)."""
        return self._kept("by_type", self._raw.by_type)

    @property
    def counts(self) -> np.ndarray:
        """Number of incidents of each attack type per year, (years, n_types) int32."""
        return self._kept("counts", self._raw.counts)

    @property
    def outputs(self) -> tuple[str, ...]:
        """The outputs this result holds (see :func:`simulate`)."""
        kept = {"annual": True, "by_type": self._raw.by_type is not None,
                "counts": self._raw.counts is not None, "events": self._events_kept}
        return tuple(name for name in OUTPUTS if kept[name])

    @property
    def layered_annual_loss(self) -> np.ndarray:
        """The aggregate layer of each year's sum of occurrence-layered losses, (years,)."""
        layered = self._raw.layered_annual
        if layered is None:
            raise ValueError("no layer was given: run simulate(..., occurrence_layer=..., "
                             "aggregate_layer=...)")
        return layered

    @property
    def events(self) -> dict[str, np.ndarray]:
        """The event table (``events=True`` only): year, attack type index, incident number within
        the year and loss (JPY) of every incident."""
        if not self._events_kept:
            raise ValueError("the event table was not kept: run simulate(..., events=True)")
        return {"year": self._raw.event_year, "type": self._raw.event_type,
                "k": self._raw.event_k, "loss": self._raw.event_loss}


def _outputs(outputs, events: bool) -> set[str]:
    if outputs is None:
        chosen = set(DEFAULT_OUTPUTS)
    else:
        if not isinstance(outputs, (str, list, tuple, set, frozenset)):
            raise ValueError(f"outputs must name some of {', '.join(OUTPUTS)}, got {_validate.shown(outputs)}")
        names = (outputs,) if isinstance(outputs, str) else tuple(outputs)
        for name in names:
            if name not in OUTPUTS:
                raise ValueError(f"outputs must name some of {', '.join(OUTPUTS)}, got {name!r}")
        chosen = set(names) | {"annual"}
    if events:
        chosen.add("events")
    return chosen


def _layer(name: str, layer, basis: str):
    """A layer for the engine from anything with ``attachment`` and ``limit`` (``_core.Layer``,
    ``insurance.terms.Layer`` of the given basis), or None."""
    if layer is None or isinstance(layer, _core.Layer):
        return layer
    if getattr(layer, "basis", basis) != basis:
        raise ValueError(f"{name} must be a layer on {basis} losses, got basis {layer.basis!r}")
    try:
        attachment, limit = layer.attachment, layer.limit
    except AttributeError:
        raise ValueError(f"{name} must be a layer with attachment and limit (e.g. "
                         f"cyberloss.insurance.terms.Layer), got {layer!r}") from None
    try:
        return _core.Layer(float(attachment), float(limit))
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None


def simulate(model: Model, years: int, seed: int, threads: int | None = None,
             block_size: int | None = None, events: bool = False, first_year: int = 0,
             progress: bool | Callable[[int, int], None] = False, outputs=None,
             occurrence_layer=None, aggregate_layer=None) -> SimulationResult:
    """Simulate ``years`` years of ``model`` with random numbers from ``seed``.

    ``outputs`` names what the result holds besides the annual losses (always kept): any of
    "by_type", "counts", "events" (default: "by_type" and "counts", plus "events" when
    ``events=True``). What is not asked for is not computed into memory: ``outputs="annual"``
    takes 8 bytes per year. ``occurrence_layer`` applies to each incident's loss and
    ``aggregate_layer`` to the year's sum of occurrence-layered losses (``terms.Layer``s:
    ``Layer(attachment, limit)`` per occurrence, ``Layer(attachment, limit, basis="annual")``
    for the aggregate one); with either, the result has the view ``layered``
    (``layered_annual_loss``), which holds no single losses (an aggregate layer applies to the
    year's sum; no OEP). Neither changes the other outputs.

    The result depends only on (model, seed, years, first_year): not on ``threads`` (default:
    all cores, at most ``MAX_THREADS`` = 4096; more than the machine's cores run as many as it
    has) nor ``block_size`` (years per parallel task, default 8192). ``first_year`` lets a long
    run be split into pieces that concatenate to the same arrays; year indices lie in
    [0, 2**63). The GIL is released while C++ runs; Ctrl-C raises KeyboardInterrupt promptly
    and nothing is returned. A request larger than the available memory raises MemoryError
    before allocating. ``progress=True`` shows a progress bar (terminal or notebook); a callable gets
    (done, years). The result's ``warnings`` say when its moments cannot be trusted (heavy
    tails, too few years).
    """
    if not isinstance(model, Model):
        raise ValueError(f"model must be a cyberloss.Model, got {type(model).__name__}")
    n, first = _validate.year_range(years, first_year)
    block = 0 if block_size is None else _validate.integer_in("block_size", block_size, 1,
                                                               _validate.YEAR_END, "2**63")
    if not (isinstance(progress, (bool, np.bool_)) or callable(progress)):
        raise ValueError(f"progress must be true, false or a callable (done, years), "
                         f"got {_validate.shown(progress)}")
    kept = _outputs(outputs, _validate.flag("events", events))
    try:
        with report_progress.reporting(progress, "simulate", total=n) as report:
            raw = _core.simulate(model, n, _validate.seed(seed), _validate.threads(threads), block,
                                 first, "events" in kept, report,
                                 "by_type" in kept, "counts" in kept,
                                 _layer("occurrence_layer", occurrence_layer, "occurrence"),
                                 _layer("aggregate_layer", aggregate_layer, "annual"))
    except OverflowError as exc:   # an annual count beyond the engine's 32-bit counts
        raise ValueError(str(exc)) from None
    return SimulationResult(raw, model, "events" in kept, model.reliability_warnings(n))


def _frequency(table: Mapping[str, Any], where: str):
    f: Frequency
    with _validate.located(where, set(table)):
        if table["distribution"] == "poisson":
            f = Poisson(table["rate"])
        else:
            f = NegativeBinomial(table["mean"], table["dispersion"])
    mean, sd = f.mean(), math.sqrt(f.variance())
    if mean + 10.0 * sd >= MAX_ANNUAL_COUNT:   # annual counts are 32-bit in the engine
        given = ", ".join(f"{k}={v!r}" for k, v in table.items() if k != "distribution")
        raise ValueError(f"{where}: the mean annual count must stay well below {MAX_ANNUAL_COUNT:,} "
                         f"(counts are 32-bit), got {given}")
    return f


def _lognormal(table: Mapping[str, Any], where: str) -> Lognormal:
    given = {k for k in ("mu", "sigma", "mean", "median") if table.get(k) is not None}
    if given & {"mu", "sigma"}:
        for k in ("mu", "sigma"):
            if k not in given:
                raise ValueError(f"{where}: missing key '{k}'")
        return Lognormal(table["mu"], table["sigma"])
    for k in ("mean", "median"):
        if k not in given:
            raise ValueError(f"{where}: missing key '{k}'")
    return Lognormal.from_mean_median(table["mean"], table["median"])


def _severity(table: Mapping[str, Any], where: str):
    s: Severity
    with _validate.located(where, set(table)):
        body = _lognormal(table, where)
        if table["distribution"] == "lognormal":
            s = body
        else:
            s = SplicedLognormalGPD(body, table["threshold"], table["xi"], table.get("beta", 0.0))
    try:   # a severity whose mean overflows a float64 would make every statistic infinite
        s.mean()
    except ValueError as exc:
        given = ", ".join(f"{k}={v!r}" for k, v in table.items() if k != "distribution")
        raise ValueError(f"{where}: {exc}; got {given}") from None
    return s


def model_from_dict(spec: Mapping[str, Any]) -> Model:
    """A :class:`Model` from a spec document (``config.documents.SPEC``); refusals name the
    dotted path (``attack_type[0].frequency.rate``) and the value."""
    doc = config.check(spec, documents.SPEC)
    built, names = [], set()
    for i, t in enumerate(doc["attack_type"]):
        where = f"attack_type[{i}]"
        if t["name"] in names:
            raise ValueError(f"{where}.name: {t['name']!r} is used by an earlier attack type")
        names.add(t["name"])
        built.append(AttackType(t["name"], _frequency(t["frequency"], f"{where}.frequency"),
                                _severity(t["severity"], f"{where}.severity")))
    return Model(built)


def load_model(path: str | os.PathLike) -> Model:
    """The model of a spec TOML file (``cyberloss simulate``)."""
    doc = config.read_toml(path, "spec file")
    with _validate.located(f"spec file {path}"):
        return model_from_dict(doc)
