"""The deductible x limit grid cell by cell in NumPy (the implementation the C++ core
replaced; rules in ``cyberloss.insurance.decision``).  A test oracle, not shipped."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cyberloss.insurance import pricing

from . import measures
from . import pricing as ref_pricing
from . import terms as ref_terms


def _row(insured: bool, d: float, limit: float, retained: np.ndarray, premium: float,
         insured_el: float, coc: float, p: float) -> dict:
    el = float(np.mean(retained))
    tv = measures.tvar(retained, p)
    capital_cost = coc * max(tv - el, 0.0)
    return {"insured": insured, "deductible": d, "limit": limit, "insured_el": insured_el,
            "premium": premium, "retained_el": el, "retained_tvar": tv,
            "tail_capital_cost": capital_cost, "total_cost": el + premium + capital_cost}


def efficient(cost, tail) -> np.ndarray:
    c, t = np.asarray(cost), np.asarray(tail)
    dominated = np.zeros(c.size, dtype=bool)
    for i in range(c.size):
        better = (c <= c[i]) & (t <= t[i]) & ((c < c[i]) | (t < t[i]))
        dominated[i] = bool(better.any())
    return ~dominated


def grid(events, n_years: int, base_terms, deductibles, limits, principle="expected_value",
         loads: pricing.Loads | None = None, cost_of_capital: float = 0.10,
         tail_level: float = 0.99, max_premium: float | None = None) -> pd.DataFrame:
    """Every cell, then no insurance; columns as RetentionDecision.grid."""
    loads = pricing.Loads() if loads is None else loads
    rows = []
    gross = None
    for d in sorted(set(deductibles)):
        for limit in sorted(set(limits)):
            res = ref_terms.apply(base_terms.with_retention(d, limit), events, n_years)
            if gross is None:
                gross = np.array(res.annual("gross"))
            prem = ref_pricing.premium(res, principle, loads)
            rows.append(_row(True, d, limit, res.annual("retained"), prem["technical_premium"].value,
                             prem["expected_loss"].value, cost_of_capital, tail_level))
    rows.append(_row(False, math.inf, 0.0, gross, 0.0, 0.0, cost_of_capital, tail_level))
    out = pd.DataFrame(rows)
    out["efficient"] = efficient(out["retained_el"] + out["premium"], out["retained_tvar"])
    allowed = out if max_premium is None else out[out["premium"] <= max_premium]
    best = allowed["total_cost"].idxmin()
    out["recommended"] = out.index == best
    return out
