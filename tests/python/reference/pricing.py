"""Premium principles as weights on dense annual losses, in NumPy (the implementation the C++
core replaced; conventions in ``cyberloss.insurance.pricing``).  A test oracle, not shipped."""
from __future__ import annotations

import functools
import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from cyberloss.insurance import pricing
from cyberloss.insurance.terms import SECTIONS

from . import measures
from .measures import Estimate

BATCHES = 20


def _wsum(w: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum(w * x))


@functools.lru_cache(maxsize=32)
def _wang_rank_weights(n: int, zeros: int, lam: float) -> np.ndarray:
    nd = NormalDist()

    def g(u: float) -> float:
        if u <= 0.0:
            return 0.0
        if u >= 1.0:
            return 1.0
        return nd.cdf(nd.inv_cdf(u) + lam)

    survival = np.array([g((n - i) / n) for i in range(zeros, n + 1)])
    weights = np.empty(n)
    weights[zeros:] = survival[:-1] - survival[1:]
    if zeros:
        weights[:zeros] = (1.0 - survival[0]) / zeros
    return weights


def tvar_weights(x: np.ndarray, level: float) -> np.ndarray:
    """Weights ``t`` with ``sum(t * x) == TVaR_level(x)`` (ties ranked stably)."""
    n = x.size
    m = max(math.ceil(n * level), 1)
    order = np.argsort(x, kind="stable")
    t = np.zeros(n)
    t[order[m:]] = 1.0 / (n * (1.0 - level))
    t[order[m - 1]] = (m - n * level) / (n * (1.0 - level))
    return t


def weights(principle, x: np.ndarray) -> np.ndarray:
    p = pricing.principle_from(principle)
    n = x.size
    if isinstance(p, pricing.ExpectedValue):
        return np.full(n, (1.0 + p.loading) / n)
    if isinstance(p, pricing.StandardDeviation):
        sd = float(np.std(x, ddof=1))
        w = np.full(n, 1.0 / n)
        if sd > 0:
            w += p.k * (x - x.mean()) / ((n - 1) * sd)
        return w
    if isinstance(p, pricing.TVaRCostOfCapital):
        return (1.0 - p.rate) / n + p.rate * tvar_weights(x, p.level)
    order = np.argsort(x, kind="stable")
    zeros = int(np.count_nonzero(x == 0.0)) if x.size and x[order[0]] >= 0.0 else 0
    w = np.empty(n)
    w[order] = _wang_rank_weights(n, zeros, float(p.lam))
    return w


def standard_error(principle, x: np.ndarray) -> float:
    p = pricing.principle_from(principle)
    if isinstance(p, pricing.ExpectedValue):
        return (1.0 + p.loading) * float(np.std(x, ddof=1)) / math.sqrt(x.size)
    if isinstance(p, pricing.StandardDeviation):
        s = float(np.std(x, ddof=1))
        if s == 0.0:
            return 0.0
        c = x - x.mean()
        mu3, mu4 = float(np.mean(c**3)), float(np.mean(c**4))
        v = s * s + p.k * mu3 / s + p.k**2 * (mu4 - s**4) / (4.0 * s * s)
        return math.sqrt(max(v, 0.0) / x.size)
    if isinstance(p, pricing.TVaRCostOfCapital):
        row = measures.tail(x, [p.level]).iloc[0]
        influence = ((1.0 - p.rate) * (x - x.mean())
                     + p.rate * np.maximum(x - row["var"], 0.0) / (1.0 - p.level))
        return float(np.std(influence, ddof=1)) / math.sqrt(x.size)
    blocks = np.array_split(x, BATCHES)
    values = np.array([_wsum(weights(p, b), b) for b in blocks])
    return float(np.std(values, ddof=1) / math.sqrt(BATCHES))


def risk_premium(x, principle) -> float:
    x = np.ascontiguousarray(x, dtype=np.float64)
    return _wsum(weights(principle, x), x)


def premium(res, principle, loads: pricing.Loads, view: str = "insured") -> dict:
    """Expected loss, risk and technical premium with SEs and the split by section of a
    reference InsuredResult (reference.terms)."""
    x = np.ascontiguousarray(res.annual(view), dtype=np.float64)
    w = weights(principle, x)
    total = _wsum(w, x)
    factor = 1.0 / (1.0 - loads.expense_ratio - loads.profit_ratio)
    rows = []
    for section in SECTIONS + ("uninsured",):
        xs = res.annual(view, section)
        rp = _wsum(w, xs)
        fixed = loads.fixed_expense * (rp / total if total > 0 else 1.0 / (len(SECTIONS) + 1))
        rows.append((section, float(xs.mean()), rp, (rp + fixed) * factor))
    by_section = pd.DataFrame(rows, columns=["section", "expected_loss", "risk_premium",
                                             "technical_premium"]).set_index("section")
    se = standard_error(principle, x)
    expected = measures.mean(x)
    by_section.loc["total"] = (expected.value, total, loads.gross_up(total))
    return {"expected_loss": expected, "risk_premium": Estimate(total, se),
            "technical_premium": Estimate(loads.gross_up(total), se * factor),
            "by_section": by_section}
