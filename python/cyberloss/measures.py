"""Risk measures on simulated annual (or occurrence) losses, each with its standard error.

The point estimates of VaR and TVaR come from :mod:`cyberloss.stats` (C++), whose
conventions are:

* ``VaR_p = inf{x : F_n(x) >= p}``, the lower empirical quantile, i.e. the ``ceil(n p)``-th
  order statistic;
* ``TVaR_p = VaR_p + E[(X - VaR_p)^+] / (1 - p)`` (Acerbi-Tasche expected shortfall; ties at
  VaR are handled exactly);
* a return period of ``T`` years is the level exceeded with probability ``1/T`` in a year,
  i.e. ``VaR_{1 - 1/T}`` of the annual loss (AEP) or of the largest occurrence (OEP).

Standard errors (all for ``n`` independent simulated years):

* mean: ``s / sqrt(n)``;
* standard deviation: delta method, ``sqrt((m4 - s^4) / (4 s^2 n))`` with ``m4`` the fourth
  central moment;
* VaR: ``stats.var_se``, half the distance between the VaR at ``p - h`` and ``p + h`` with
  ``h = sqrt(p (1 - p) / n)`` (one binomial standard deviation of the empirical CDF; no
  density estimate needed).  It is 0 where the distribution is flat there (e.g. zero years);
* TVaR: ``sd((X - VaR_p)^+) / ((1 - p) sqrt(n))``, the asymptotic variance of the
  Rockafellar-Uryasev representation ``TVaR_p = min_c c + E[(X - c)^+] / (1 - p)``, whose
  derivative in ``c`` vanishes at ``c = VaR_p``;
* a probability ``q``: ``sqrt(q (1 - q) / n)``.
"""
from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from . import _validate, stats

DEFAULT_RETURN_PERIODS = (2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000,
                          50000, 100000)


class Estimate(NamedTuple):
    """A Monte Carlo estimate and its standard error (same unit as the value)."""

    value: float
    se: float

    def __float__(self) -> float:
        return float(self.value)

    def __repr__(self) -> str:
        return f"Estimate(value={self.value:.6g}, se={self.se:.3g})"


def _as_losses(x, name: str = "losses") -> np.ndarray:
    arr = np.ascontiguousarray(x, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {int(np.sum(~np.isfinite(arr)))} non-finite values")
    return arr


def check_level(p: float, name: str = "p") -> float:
    """Validate a probability level in (0, 1)."""
    return _validate.number(name, p, 0.0, 1.0, lo_open=True, hi_open=True)


def level_label(p: float) -> str:
    """``0.99`` -> ``"99%"``, ``0.9995`` -> ``"99.95%"``."""
    return f"{100.0 * float(p):.10g}%"


def mean(x) -> Estimate:
    x = _as_losses(x)
    return Estimate(float(np.mean(x)), float(stats.mean_se(x)) if x.size > 1 else 0.0)


def std(x) -> Estimate:
    x = _as_losses(x)
    if x.size < 2:
        raise ValueError(f"std needs at least 2 values, got {x.size}")
    s = float(np.std(x, ddof=1))
    if s == 0.0:
        return Estimate(0.0, 0.0)
    m4 = float(np.mean((x - x.mean()) ** 4))
    return Estimate(s, math.sqrt(max(m4 - s**4, 0.0) / (4.0 * s * s * x.size)))


def tail(x, levels: Sequence[float]) -> pd.DataFrame:
    """VaR and TVaR at several levels with their SEs, from one sort (``stats.var_tvar``).

    The VaR SE is ``stats.var_se``'s: half the distance between VaR at ``p - h`` and
    ``p + h``, ``h = sqrt(p (1 - p) / n)``, the neighbours clamped to ``[0.5/n, 1 - 0.5/n]``.
    """
    x = _as_losses(x)
    ps = [check_level(p) for p in np.atleast_1d(np.asarray(levels, dtype=np.float64))]
    n = x.size
    hs = [math.sqrt(p * (1.0 - p) / n) for p in ps]
    lows = [max(p - h, 0.5 / n) for p, h in zip(ps, hs)]
    highs = [min(p + h, 1.0 - 0.5 / n) for p, h in zip(ps, hs)]
    v, t = stats.var_tvar(x, ps + lows + highs)
    k = len(ps)
    rows = []
    for i, p in enumerate(ps):
        excess_sd = float(np.std(np.maximum(x - v[i], 0.0), ddof=1)) if n > 1 else 0.0
        rows.append((p, float(v[i]), 0.5 * float(v[2 * k + i] - v[k + i]),
                     float(t[i]), excess_sd / ((1.0 - p) * math.sqrt(n))))
    return pd.DataFrame(rows, columns=["level", "var", "var_se", "tvar", "tvar_se"]).set_index("level")


def var(x, p: float) -> Estimate:
    """Value at risk (lower empirical quantile, see module docstring) with its SE."""
    row = tail(x, [p]).iloc[0]
    return Estimate(float(row["var"]), float(row["var_se"]))


def tvar(x, p: float) -> Estimate:
    """Tail value at risk (Acerbi-Tasche, see module docstring) with its SE."""
    row = tail(x, [p]).iloc[0]
    return Estimate(float(row["tvar"]), float(row["tvar_se"]))


def probability(flags) -> Estimate:
    """Share of years where ``flags`` is true, with its binomial SE."""
    flags = np.asarray(flags, dtype=bool)
    q = float(np.mean(flags))
    return Estimate(q, math.sqrt(q * (1.0 - q) / flags.size))


def check_return_periods(return_periods: Sequence[float], n_years: int) -> np.ndarray:
    periods = np.asarray(return_periods, dtype=np.float64)
    if periods.ndim != 1 or periods.size == 0:
        raise ValueError(f"return_periods must be a non-empty list, got {return_periods!r}")
    bad = periods[~(periods > 1.0) | ~np.isfinite(periods)]
    if bad.size:
        raise ValueError(f"return_periods must be finite and > 1 year, got {bad[0]!r}")
    too_long = periods[periods > n_years]
    if too_long.size:
        raise ValueError(
            f"return_periods: {too_long[0]:g} years is longer than the {n_years} simulated years; "
            "simulate more years")
    return periods


def default_return_periods(n_years: int) -> list[float]:
    """The standard return periods that at least 10 simulated exceedances can support."""
    return [t for t in DEFAULT_RETURN_PERIODS if t * 10 <= n_years]


def ep_table(annual, occurrence_max, return_periods: Sequence[float],
             with_se: bool = True) -> pd.DataFrame:
    """AEP and OEP losses at the given return periods, with standard errors.

    ``annual`` is the annual aggregate loss per simulated year, ``occurrence_max`` the largest
    single-incident loss in the same year (0 in years without incidents).  ``with_se=False``
    skips the standard errors (they are then reported as 0; for plots).
    """
    annual = _as_losses(annual, "annual")
    occurrence_max = _as_losses(occurrence_max, "occurrence_max")
    periods = check_return_periods(return_periods, annual.size)
    out = pd.DataFrame({"return_period": periods, "exceedance_probability": 1.0 / periods,
                        "aep": stats.ep_curve(annual, periods)["loss"].to_numpy(),
                        "aep_se": 0.0,
                        "oep": stats.ep_curve(occurrence_max, periods)["loss"].to_numpy(),
                        "oep_se": 0.0})
    if with_se:
        out["aep_se"] = tail(annual, 1.0 - 1.0 / periods)["var_se"].to_numpy()
        out["oep_se"] = tail(occurrence_max, 1.0 - 1.0 / periods)["var_se"].to_numpy()
    return out
