"""Portfolio (validated policy table + calibrated rates) and PortfolioModel (what to simulate)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .. import _output, _validate, calibration as calib
from .. import random as clrandom
from ..distributions import Lognormal
from . import _table
from .losses import SurveySeverity
from .systemic import Scenario, SystemicShock


class Portfolio:
    """Policies with their organisation profile (industry, size, revenue) and terms.

    Build with :meth:`read` (CSV/Parquet), :meth:`from_frame` or :meth:`synthetic`.  Rates are
    the calibration's expected events per organisation-year for each policy's industry and
    size (``basis`` and ``period`` as in ``Calibration.rate``) times ``frequency_factor``.
    Immutable; ``table`` is a copy.
    """

    def __init__(self, table: pd.DataFrame, calibration=None, basis: str = "all",
                 period: str = "recent"):
        cal = calibration if calibration is not None else calib.load()
        self._table = _table.validate_frame(table, cal.industries, cal.sizes)
        self.attack_types: list[str] = cal.attack_types
        self.basis, self.period = basis, period
        cells = {}
        rows = []
        for ind, size in zip(self._table["industry"], self._table["size"]):
            if (ind, size) not in cells:
                cells[(ind, size)] = [cal.rate(a, ind, size, basis, period) for a in self.attack_types]
            rows.append(cells[(ind, size)])
        base = np.array(rows, dtype=float).reshape(len(self._table), len(self.attack_types)).T
        self._rates = base * self._table["frequency_factor"].to_numpy(dtype=float)
        self._rates.setflags(write=False)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, calibration=None, **kwargs) -> "Portfolio":
        return cls(frame, calibration, **kwargs)

    @classmethod
    def read(cls, path: str | Path, calibration=None, **kwargs) -> "Portfolio":
        """Read a ``.csv`` or ``.parquet`` policy table (columns in ``cyberloss.portfolio.COLUMNS``)."""
        table = _table.read_table(path)
        with _validate.located(f"portfolio file {path}"):
            return cls(table, calibration, **kwargs)

    @classmethod
    def synthetic(cls, n: int, seed: int, industry_mix: Mapping[str, float] | None = None,
                  size_mix: Mapping[str, float] | None = None, calibration=None,
                  **kwargs) -> "Portfolio":
        """A synthetic book of ``n`` policies for examples and benchmarks.

        Industry and size are drawn independently from the mixes (weights, normalised; default
        equal weights over the calibration's industries, sizes 20% large / 70% SME / 10%
        organisation).  Revenue is lognormal around a typical value per size (large 50 bn yen,
        SME 1 bn yen, organisation 3 bn yen; sigma 1), and the terms follow the size: deductible
        10 / 1 / 1 million yen, occurrence limit 1 bn / 100 m / 300 m yen, aggregate limit equal
        to the occurrence limit.  All of this is illustrative, not a market calibration.
        Policy i uses uniforms (seed, (PORTFOLIO, 0x300 + field), year=i).
        """
        n = _validate.positive_int("n", n) if n != 0 else 0
        cal = calibration if calibration is not None else calib.load()
        industries = _mix("industry_mix", industry_mix or {i: 1.0 for i in cal.industries}, cal.industries)
        sizes = _mix("size_mix", size_mix or {"large": 0.2, "sme": 0.7, "organisation": 0.1}, cal.sizes)
        idx = np.arange(n, dtype=np.uint64)

        def u(field_no: int) -> np.ndarray:
            return np.atleast_1d(clrandom.uniform_at(
                seed, clrandom.stream_id(clrandom.Purpose.PORTFOLIO, 0x300 + field_no), idx, 0))

        def pick(mix: dict[str, float], uu: np.ndarray) -> np.ndarray:
            keys = list(mix)
            cum = np.cumsum([mix[k] for k in keys])
            return np.array(keys, dtype=object)[np.minimum(np.searchsorted(cum, uu * cum[-1], side="right"),
                                                           len(keys) - 1)]

        ind = pick(industries, u(0)) if n else np.array([], dtype=object)
        siz = pick(sizes, u(1)) if n else np.array([], dtype=object)
        typical = {"large": 5e10, "sme": 1e9, "organisation": 3e9}
        deductible = {"large": 1e7, "sme": 1e6, "organisation": 1e6}
        limit = {"large": 1e9, "sme": 1e8, "organisation": 3e8}
        spread = np.atleast_1d(Lognormal(0.0, 1.0).quantile(u(2))) if n else np.array([])
        revenue = np.array([typical[s] for s in siz], dtype=float) * spread
        frame = pd.DataFrame({
            "policy_id": [f"P{i + 1:06d}" for i in range(n)],
            "industry": ind, "size": siz, "revenue": np.round(revenue, -3),
            "deductible": [deductible[s] for s in siz],
            "occurrence_limit": [limit[s] for s in siz],
            "aggregate_limit": [limit[s] for s in siz],
            "frequency_factor": np.ones(n),
        })
        return cls(frame, cal, **kwargs)

    @property
    def table(self) -> pd.DataFrame:
        return self._table.copy()

    @property
    def rates(self) -> np.ndarray:
        """Expected events per year, shape (n_types, n_policies); read-only."""
        return self._rates

    def __len__(self) -> int:
        return len(self._table)

    def to_csv(self, path: str | Path, option: str = "portfolio file") -> Path:
        """Write the policy table to CSV (readable by :meth:`read`), atomically."""
        return _output.write_text(path, option, self._table.to_csv(index=False, float_format="%.17g"))

    def describe(self) -> pd.DataFrame:
        """Policies, revenue and expected events per year by industry and size."""
        t = self._table.assign(expected_events=self._rates.sum(axis=0))
        return (t.groupby(["industry", "size"])
                .agg(policies=("policy_id", "size"), revenue=("revenue", "sum"),
                     expected_events=("expected_events", "sum"))
                .reset_index())

    def _repr_html_(self) -> str:
        return (f"<p><b>cyberloss portfolio</b>: {len(self):,} policies, rates on the {self.basis} "
                f"basis, {self.period} period</p>" + self.describe().to_html(index=False))

    def __repr__(self) -> str:
        return f"Portfolio({len(self)} policies, basis={self.basis!r}, period={self.period!r})"


def _mix(name: str, mix: Mapping[str, float], allowed) -> dict[str, float]:
    out = {}
    for k, w in mix.items():
        if k not in allowed:
            raise ValueError(f"{name}: unknown key {k!r}; known: {', '.join(allowed)}")
        x = float(w)
        if not (math.isfinite(x) and x >= 0):
            raise ValueError(f"{name}[{k!r}] must be finite and >= 0, got {w!r}")
        if x > 0:
            out[k] = x
    if not out:
        raise ValueError(f"{name} must give some key a weight > 0, got {dict(mix)!r}")
    return out


@dataclass(frozen=True)
class PortfolioModel:
    """What a portfolio run simulates: policies, per-incident loss, systemic shock,
    reinsurance and an optional named scenario.

    ``loss`` defaults to the calibrated survey severity (unscaled), ``systemic`` to the
    derived default variances, ``reinsurance`` to none.
    """

    portfolio: Portfolio
    loss: Callable[[Any, dict], np.ndarray] | None = None
    systemic: SystemicShock | None = None
    reinsurance: Any = None
    scenario: Scenario | None = None

    def __post_init__(self):
        if not isinstance(self.portfolio, Portfolio):
            raise ValueError(f"portfolio must be a cyberloss.portfolio.Portfolio, got {type(self.portfolio).__name__}")
        from ..reinsurance import Programme

        loss = self.loss if self.loss is not None else SurveySeverity.from_calibration(period=self.portfolio.period)
        if not callable(loss):
            raise ValueError(f"loss must be callable (portfolio, events) -> losses, got {loss!r}")
        systemic = self.systemic if self.systemic is not None else SystemicShock.default()
        if not isinstance(systemic, SystemicShock):
            raise ValueError(f"systemic must be a SystemicShock, got {systemic!r}")
        systemic.vector(self.portfolio.attack_types)
        programme = self.reinsurance if self.reinsurance is not None else Programme()
        if not isinstance(programme, Programme):
            raise ValueError(f"reinsurance must be a cyberloss.reinsurance.Programme, got {programme!r}")
        if self.scenario is not None and not isinstance(self.scenario, Scenario):
            raise ValueError(f"scenario must be a Scenario, got {self.scenario!r}")
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "systemic", systemic)
        object.__setattr__(self, "reinsurance", programme)

    @property
    def attack_types(self) -> list[str]:
        return self.portfolio.attack_types

    def rates(self) -> np.ndarray:
        """(n_types, n_policies) rates with the scenario's factors applied."""
        r = np.array(self.portfolio.rates, dtype=float)
        if self.scenario is not None:
            unknown = set(self.scenario.rate_factors) - set(self.attack_types)
            if unknown:
                raise ValueError(f"scenario {self.scenario.name!r} names unknown attack type(s) {sorted(unknown)}")
            r *= np.array([self.scenario.factor(a) for a in self.attack_types])[:, None]
        return r

    def variances(self) -> list[float]:
        return self.systemic.vector(self.attack_types)

    def expected_events(self) -> float:
        return float(self.rates().sum())

    def describe(self) -> pd.DataFrame:
        """Per attack type: expected events per year across the book and the shock variance."""
        r = self.rates()
        return pd.DataFrame({"attack_type": self.attack_types, "expected_events": r.sum(axis=1),
                             "systemic_variance": self.variances()})
