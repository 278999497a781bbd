"""Compound frequency-severity simulation of one organisation (C++ engine, oneTBB-parallel)."""
from __future__ import annotations

import html
import sys
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from . import _core, _validate, stats
from .display import man_yen_table

AttackType = _core.AttackType
Model = _core.Model


def _model_repr(self) -> str:
    inner = ", ".join(f"{a.name}: {a.frequency!r} x {a.severity!r}" for a in self.attack_types)
    return f"Model([{inner}])"


Model.__repr__ = _model_repr
AttackType.__repr__ = lambda self: f"AttackType({self.name!r}, {self.frequency!r}, {self.severity!r})"


OUTPUTS = ("annual", "by_type", "counts", "events")
DEFAULT_OUTPUTS = ("annual", "by_type", "counts")


class SimulationResult:
    """Simulated years of one organisation.

    Arrays are read-only NumPy views of the C++ result (no copies): ``annual_loss`` (years,),
    and the outputs asked for: ``by_type`` (years, n_types), ``counts`` (years, n_types),
    ``events`` (a dict of arrays ``year``, ``type``, ``k``, ``loss`` ordered by (year, type,
    k)); with a layer, ``layered_annual_loss`` (years,). ``warnings`` lists, in plain words,
    why the run's mean and standard error may be unreliable for this model and number of years
    (``Model.reliability_warnings``; empty when they are not). Money is JPY.
    """

    def __init__(self, raw, model: Model, events_kept: bool = False,
                 warnings: Sequence[str] = ()):
        self._raw = raw
        self._events_kept = events_kept
        self.model = model
        self.warnings: list[str] = list(warnings)
        self.annual_loss: np.ndarray = raw.annual
        self.type_names: list[str] = list(raw.type_names)
        self.years: int = raw.years
        self.seed: int = raw.seed
        self.first_year: int = raw.first_year

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
        """The outputs this result holds (see ``simulate``)."""
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
        if not self._events_kept:
            raise ValueError("the event table was not kept: run simulate(..., events=True)")
        return {"year": self._raw.event_year, "type": self._raw.event_type,
                "k": self._raw.event_k, "loss": self._raw.event_loss}

    def mean(self) -> float:
        return stats.mean(self.annual_loss)

    def std(self) -> float:
        return stats.std(self.annual_loss)

    def mean_se(self) -> float:
        return stats.mean_se(self.annual_loss)

    def var(self, p: float) -> float:
        return stats.var(self.annual_loss, p)

    def tvar(self, p: float) -> float:
        return stats.tvar(self.annual_loss, p)

    def ep_curve(self, return_periods=stats.DEFAULT_RETURN_PERIODS) -> pd.DataFrame:
        return stats.ep_curve(self.annual_loss, return_periods)

    def describe(self, levels: Sequence[float] = (0.9, 0.99, 0.995)) -> pd.DataFrame:
        """One row for the annual total, one for the layered annual loss if a layer was given,
        and one per attack type if ``by_type`` was kept (JPY); ``mean_count`` if ``counts`` was
        kept."""
        raw = self._raw
        columns = {"annual total": self.annual_loss}
        if raw.layered_annual is not None:
            columns["layered annual"] = raw.layered_annual
        if raw.by_type is not None:
            for j, name in enumerate(self.type_names):
                columns[name] = np.ascontiguousarray(raw.by_type[:, j])
        rows = []
        for label, x in columns.items():
            v, t = stats.var_tvar(x, levels)
            row = {"mean": stats.mean(x), "mean_se": stats.mean_se(x), "std": stats.std(x),
                   "p_loss": float(np.mean(x > 0))}
            if raw.counts is not None and label != "layered annual":
                counts = (raw.counts.sum(axis=1) if label == "annual total"
                          else raw.counts[:, self.type_names.index(label)])
                row["mean_count"] = float(np.mean(counts))
            for p, vv, tt in zip(levels, v, t):
                row[f"VaR {p:g}"] = vv
                row[f"TVaR {p:g}"] = tt
            rows.append(pd.Series(row, name=label))
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        shown = man_yen_table(self.describe(), not_money=("p_loss", "mean_count"))
        warned = "".join(f"<p><b>warning</b>: {html.escape(w)}</p>" for w in self.warnings)
        return (f"<p><b>cyberloss simulation</b>: {self.years:,} years, seed {self.seed}, "
                f"{len(self.type_names)} attack types</p>" + warned + shown.to_html())

    def __repr__(self) -> str:
        return (f"SimulationResult(years={self.years}, seed={self.seed}, "
                f"types={self.type_names}, mean={self.mean():.6g})")


def _progress_printer(stream=sys.stderr) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        print(f"\rsimulated {done:,} / {total:,} years ({100 * done / total:.0f}%)",
              end="" if done < total else "\n", file=stream, flush=True)
    return report


def _outputs(outputs, events: bool) -> set[str]:
    if outputs is None:
        chosen = set(DEFAULT_OUTPUTS)
    else:
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
    ``terms.Layer`` of the given basis), or None."""
    if layer is None or isinstance(layer, _core.Layer):
        return layer
    if getattr(layer, "basis", basis) != basis:
        raise ValueError(f"{name} must be a layer on {basis} losses, got basis {layer.basis!r}")
    try:
        attachment, limit = layer.attachment, layer.limit
    except AttributeError:
        raise ValueError(f"{name} must be a layer with attachment and limit (e.g. "
                         f"cyberloss.terms.Layer), got {layer!r}") from None
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
    ``aggregate_layer`` to the year's sum of occurrence-layered losses (objects with
    ``attachment`` and ``limit``, e.g. ``cyberloss.terms.Layer(attachment, limit)``); with either,
    the result has ``layered_annual_loss``. Neither changes the other outputs.

    The result depends only on (model, seed, years, first_year): not on ``threads`` (default:
    all cores, at most ``MAX_THREADS`` = 4096; more than the machine's cores run as many as it
    has) nor ``block_size`` (years per parallel task, default 8192). ``first_year`` lets a long
    run be split into pieces that concatenate to the same arrays; year indices lie in
    [0, 2**63). The GIL is released
    while C++ runs; Ctrl-C raises KeyboardInterrupt promptly and nothing is returned.
    A request larger than the available memory raises MemoryError before allocating.
    The result's ``warnings`` say when its moments cannot be trusted (heavy tails, too few years).
    """
    if not isinstance(model, Model):
        raise ValueError(f"model must be a cyberloss.Model, got {type(model).__name__}")
    n, first = _validate.year_range(years, first_year)
    block = 0 if block_size is None else _validate.integer_in("block_size", block_size, 1,
                                                               _validate.YEAR_END, "2**63")
    callback = _progress_printer() if progress is True else (progress or None)
    kept = _outputs(outputs, bool(events))
    try:
        raw = _core.simulate(model, n, _validate.seed(seed), _validate.threads(threads), block, first,
                             "events" in kept, callback, "by_type" in kept, "counts" in kept,
                             _layer("occurrence_layer", occurrence_layer, "occurrence"),
                             _layer("aggregate_layer", aggregate_layer, "annual"))
    except OverflowError as exc:   # an annual count beyond the engine's 32-bit counts
        raise ValueError(str(exc)) from None
    return SimulationResult(raw, model, "events" in kept, model.reliability_warnings(n))
