"""Statistics of a loss sample (annual or occurrence losses), computed in C++.

Conventions (empirical distribution of the sample, n values):

* ``var(x, p)`` = inf{x : F_n(x) >= p}: the ceil(n p)-th smallest value (lower quantile).
* ``tvar(x, p)`` = VaR_p + sum((x - VaR_p)^+) / (n (1 - p)) (Acerbi-Tasche expected shortfall;
  exact under ties, never below VaR_p).
* ``mean_se(x)`` = std(x, ddof=1) / sqrt(n), the Monte Carlo standard error of the mean.
* ``ep_curve(x)``: loss at each return period T (years), i.e. VaR at p = 1 - 1/T; the annual
  probability of exceeding it is about 1/T.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core, _validate

DEFAULT_RETURN_PERIODS = (2, 5, 10, 20, 50, 100, 200, 250, 500, 1000)


def mean(x) -> float:
    return _core.stats.mean(_validate.sample("losses", x))


def std(x) -> float:
    return _core.stats.std(_validate.sample("losses", x))


def mean_se(x) -> float:
    return _core.stats.mean_se(_validate.sample("losses", x))


def var(x, p: float) -> float:
    return _core.stats.var(_validate.sample("losses", x), _validate.probability("p", p))


def tvar(x, p: float) -> float:
    return _core.stats.tvar(_validate.sample("losses", x), _validate.probability("p", p))


def var_se(x, p: float) -> float:
    """Approximate standard error of VaR_p from the spread of neighbouring order statistics."""
    return _core.stats.var_se(_validate.sample("losses", x), _validate.probability("p", p))


def var_tvar(x, ps) -> tuple[np.ndarray, np.ndarray]:
    """VaR and TVaR at several levels from one sort."""
    levels = [_validate.probability("p", p) for p in np.atleast_1d(ps)]
    return _core.stats.var_tvar(_validate.sample("losses", x), levels)


def ep_curve(x, return_periods=DEFAULT_RETURN_PERIODS) -> pd.DataFrame:
    """Exceedance-probability curve: loss at each return period (years)."""
    periods = [float(t) for t in return_periods]
    for t in periods:
        if not np.isfinite(t) or t < 1:
            raise ValueError(f"return_periods must be finite and >= 1 year, got {t!r}")
    losses = _core.stats.return_period_losses(_validate.sample("losses", x), periods)
    return pd.DataFrame({
        "return_period": periods,
        "exceedance_probability": [1.0 / t for t in periods],
        "loss": losses,
    })
