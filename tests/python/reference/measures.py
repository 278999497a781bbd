"""Risk measures and their standard errors in NumPy, from full sorts (an oracle for
``cyberloss.stats``; conventions in its module docstring)."""
from __future__ import annotations

import math
import sys
from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd


class Estimate(NamedTuple):
    value: float
    se: float


def var_index(n: int, p: float) -> int:
    """0-based index of the ceil(n p)-th order statistic (guarded against n p a few units in the
    last place above a whole number), clamped to [0, n - 1]."""
    x = n * p
    k = math.ceil(x - 4.0 * sys.float_info.epsilon * max(1.0, x))
    return min(max(k, 1), n) - 1


def var(x, p: float) -> float:
    s = np.sort(np.asarray(x, dtype=float))
    return float(s[var_index(s.size, p)])


def tvar(x, p: float) -> float:
    x = np.asarray(x, dtype=float)
    v = var(x, p)
    return v + float(np.sum(np.maximum(x - v, 0.0))) / (x.size * (1.0 - p))


def mean(x) -> Estimate:
    x = np.asarray(x, dtype=float)
    return Estimate(float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else 0.0)


def std(x) -> Estimate:
    x = np.asarray(x, dtype=float)
    s = float(np.std(x, ddof=1))
    if s == 0.0:
        return Estimate(0.0, 0.0)
    m4 = float(np.mean((x - x.mean()) ** 4))
    return Estimate(s, math.sqrt(max(m4 - s**4, 0.0) / (4.0 * s * s * x.size)))


def var_se(x, p: float) -> float:
    """Half the distance between the order statistics at p -/+ h, h = sqrt(p (1 - p) / n)
    (clamped to [0.5/n, 1 - 0.5/n]); where that is 0 (flat: an atom), the distance at 2h, then
    3h, over 4 and 6."""
    n = np.asarray(x).size
    for width in (1, 2, 3):
        h = width * math.sqrt(p * (1.0 - p) / n)
        lo, hi = max(p - h, 0.5 / n), min(p + h, 1.0 - 0.5 / n)
        se = (var(x, hi) - var(x, lo)) / (2.0 * width)
        if se != 0.0:
            break
    return se


def tail(x, levels: Sequence[float]) -> pd.DataFrame:
    """VaR and TVaR with SEs: VaR SE :func:`var_se`, TVaR SE sd((X - VaR)^+) / ((1 - p) sqrt n)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    rows = []
    for p in np.atleast_1d(levels):
        v = var(x, p)
        excess_sd = float(np.std(np.maximum(x - v, 0.0), ddof=1)) if n > 1 else 0.0
        rows.append((float(p), v, var_se(x, p), tvar(x, p),
                     excess_sd / ((1.0 - p) * math.sqrt(n))))
    return pd.DataFrame(rows, columns=["level", "var", "var_se", "tvar", "tvar_se"]).set_index("level")


def probability(flags) -> Estimate:
    flags = np.asarray(flags, dtype=bool)
    q = float(np.mean(flags))
    return Estimate(q, math.sqrt(q * (1.0 - q) / flags.size))


def ep_table(annual, occurrence_max, return_periods) -> pd.DataFrame:
    periods = np.asarray(return_periods, dtype=float)
    a, o = tail(annual, 1.0 - 1.0 / periods), tail(occurrence_max, 1.0 - 1.0 / periods)
    return pd.DataFrame({"return_period": periods, "exceedance_probability": 1.0 / periods,
                         "aep": a["var"].to_numpy(), "aep_se": a["var_se"].to_numpy(),
                         "oep": o["var"].to_numpy(), "oep_se": o["var_se"].to_numpy()})
