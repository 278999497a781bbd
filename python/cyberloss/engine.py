"""Compound frequency-severity simulation of one organisation (C++ engine, oneTBB-parallel)."""
from __future__ import annotations

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


class SimulationResult:
    """Simulated years of one organisation.

    Arrays are read-only NumPy views of the C++ result (no copies): ``annual_loss`` (years,),
    ``by_type`` (years, n_types), ``counts`` (years, n_types); with ``events=True`` also
    ``events``, a dict of arrays ``year``, ``type``, ``k``, ``loss`` ordered by (year, type, k).
    Money is JPY.
    """

    def __init__(self, raw, model: Model, events_kept: bool = False):
        self._raw = raw
        self._events_kept = events_kept
        self.model = model
        self.annual_loss: np.ndarray = raw.annual
        self.by_type: np.ndarray = raw.by_type
        self.counts: np.ndarray = raw.counts
        self.type_names: list[str] = list(raw.type_names)
        self.years: int = raw.years
        self.seed: int = raw.seed
        self.first_year: int = raw.first_year

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
        """One row for the annual total and one per attack type (JPY)."""
        columns = {"annual total": self.annual_loss}
        for j, name in enumerate(self.type_names):
            columns[name] = np.ascontiguousarray(self.by_type[:, j])
        rows = []
        for label, x in columns.items():
            v, t = stats.var_tvar(x, levels)
            j = None if label == "annual total" else self.type_names.index(label)
            counts = self.counts.sum(axis=1) if j is None else self.counts[:, j]
            row = {"mean": stats.mean(x), "mean_se": stats.mean_se(x), "std": stats.std(x),
                   "p_loss": float(np.mean(x > 0)), "mean_count": float(np.mean(counts))}
            for p, vv, tt in zip(levels, v, t):
                row[f"VaR {p:g}"] = vv
                row[f"TVaR {p:g}"] = tt
            rows.append(pd.Series(row, name=label))
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        shown = man_yen_table(self.describe(), not_money=("p_loss", "mean_count"))
        return (f"<p><b>cyberloss simulation</b>: {self.years:,} years, seed {self.seed}, "
                f"{len(self.type_names)} attack types</p>" + shown.to_html())

    def __repr__(self) -> str:
        return (f"SimulationResult(years={self.years}, seed={self.seed}, "
                f"types={self.type_names}, mean={self.mean():.6g})")


def _progress_printer(stream=sys.stderr) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        print(f"\rsimulated {done:,} / {total:,} years ({100 * done / total:.0f}%)",
              end="" if done < total else "\n", file=stream, flush=True)
    return report


def simulate(model: Model, years: int, seed: int, threads: int | None = None,
             block_size: int | None = None, events: bool = False, first_year: int = 0,
             progress: bool | Callable[[int, int], None] = False) -> SimulationResult:
    """Simulate ``years`` years of ``model`` with random numbers from ``seed``.

    The result depends only on (model, seed, years, first_year): not on ``threads`` (default:
    all cores, at most ``MAX_THREADS`` = 4096; more than the machine's cores run as many as it
    has) nor ``block_size`` (years per parallel task, default 8192). ``first_year`` lets a long
    run be split into pieces that concatenate to the same arrays; year indices lie in
    [0, 2**63). The GIL is released
    while C++ runs; Ctrl-C raises KeyboardInterrupt promptly and nothing is returned.
    A request larger than the available memory raises MemoryError before allocating.
    """
    if not isinstance(model, Model):
        raise ValueError(f"model must be a cyberloss.Model, got {type(model).__name__}")
    n, first = _validate.year_range(years, first_year)
    block = 0 if block_size is None else _validate.integer_in("block_size", block_size, 1,
                                                               _validate.YEAR_END, "2**63")
    callback = _progress_printer() if progress is True else (progress or None)
    raw = _core.simulate(model, n, _validate.seed(seed), _validate.threads(threads), block, first,
                         bool(events), callback)
    return SimulationResult(raw, model, bool(events))
