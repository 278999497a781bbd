"""The portfolio block computed with NumPy from the generator's events: the implementation the
compiled block (_core.portfolio_block) replaced, kept as its reference (tests compare the two
bit for bit) and as the comparison of bench_portfolio_block.py.

Terms with ``cyberloss.portfolio.apply_terms``, reinsurance with ``Programme.apply``, per-year
sums with np.bincount, per-policy sums over the sorted (year, policy) keys, tracked
cross-products with a matrix product.
"""
from __future__ import annotations

import numpy as np

from cyberloss import _core
from cyberloss import portfolio as pf


def numpy_block(model: pf.PortfolioModel, seed: int, first_year: int, years: int, tracked=()):
    """(block dict with the keys of _core.portfolio_block, events, ground-up losses)."""
    p = model.portfolio
    n_pol, t = len(p), p.table
    ev = _core.portfolio_events(_core.PortfolioFrequency(model.rates().tolist(), model.variances()),
                                seed, first_year, years)
    events = {k: ev[k] for k in ("policy", "type", "year", "k", "u")}
    events["seed"] = seed
    ground_up = np.asarray(model.loss(p, events), dtype=np.float64)
    yi = events["year"] - first_year
    insured = pf.apply_terms(events["policy"], yi, ground_up, t["deductible"].to_numpy(float),
                             t["occurrence_limit"].to_numpy(float), t["aggregate_limit"].to_numpy(float), n_pol)
    out = model.reinsurance.apply(yi, events["type"], insured, years, len(model.attack_types))
    out["ground_up"] = np.bincount(yi, weights=ground_up, minlength=years)
    out["events"] = ev["counts"].sum(axis=1)
    out["theta"], out["counts"] = ev["theta"], ev["counts"]
    key = yi.astype(np.int64) * n_pol + events["policy"]
    uniq, inverse = np.unique(key, return_inverse=True)
    annual = np.bincount(inverse, weights=insured, minlength=uniq.size)
    pol = (uniq % n_pol).astype(np.int64)
    out["policy_sum"] = np.bincount(pol, weights=annual, minlength=n_pol)
    out["policy_sumsq"] = np.bincount(pol, weights=annual * annual, minlength=n_pol)
    out["policy_events"] = np.bincount(events["policy"], minlength=n_pol).astype(np.int64)
    tracked = np.asarray(tracked, dtype=np.int64)
    matrix = np.zeros((years, tracked.size))
    slot = np.full(n_pol, -1, dtype=np.int64)
    slot[tracked] = np.arange(tracked.size)
    hit = slot[pol] >= 0
    matrix[uniq[hit] // n_pol, slot[pol][hit]] = annual[hit]
    out["tracked_sum"], out["tracked_cross"] = matrix.sum(axis=0), matrix.T @ matrix
    return out, ev, ground_up
