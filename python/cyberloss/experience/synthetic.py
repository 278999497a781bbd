"""A synthetic claims book drawn from a known model, for tests, notebooks and demonstrations.

Counts and losses are pure functions of (seed, stream, cell, draw) through
``cyberloss.random`` (USER streams), so a book is reproducible on any machine.
"""
from __future__ import annotations

import datetime
from typing import Mapping

import numpy as np
import pandas as pd

from .. import random as clrandom
from ..calibration import Calibration
from ..distributions import Poisson


def _uniforms(seed: int, stream: int, cell: int, n: int) -> np.ndarray:
    u = clrandom.uniform_at(seed, clrandom.stream_id(clrandom.Purpose.USER, stream), cell,
                            np.arange(n, dtype=np.int64))
    return np.asarray(u, dtype=float).ravel()


def claims_book(calibration: Calibration, exposure: pd.DataFrame, *, seed: int,
                deductible: float = 1e6, limit: float = 1e8, rate_factor: float = 1.0,
                severity: Mapping[str, tuple[float, float]] | None = None,
                period: str = "recent", start: datetime.date = datetime.date(2024, 1, 1),
                days: int = 365) -> pd.DataFrame:
    """Claims of a book with ``exposure`` (columns industry, size, period, policy_years):
    major incidents at ``rate_factor`` x the calibration's rate, ground-up losses
    ``LN(mu + size offset, sigma)`` (``severity``: attack type -> (mu, sigma) at the reference
    headcount; default the calibration's major severity), kept above the deductible.  Columns
    of a claims file (``ground_up`` in JPY)."""
    scale = calibration.size_scale
    rows = []
    for c, cell in enumerate(exposure.itertuples(index=False)):
        offset = scale.offset(calibration.class_employees(cell.size), scale.loss_elasticity)
        for t, a in enumerate(calibration.attack_types):
            lam = (cell.policy_years * rate_factor * calibration.rate(a, cell.industry, cell.size, "all", period)
                   * calibration.major_probability(a, cell.size))
            count = int(np.asarray(Poisson(lam).quantile(_uniforms(seed, 4 * t, c, 1))).ravel()[0])
            if count == 0:
                continue
            p = calibration.major_severity_parameters(a, period)
            mu, sigma = severity[a] if severity is not None and a in severity else (p.mu, p.sigma)
            z = np.asarray(clrandom.normal_quantile(_uniforms(seed, 4 * t + 1, c, count)), dtype=float)
            loss = np.exp(mu + offset + sigma * z)
            day = (_uniforms(seed, 4 * t + 2, c, count) * days).astype(int)
            for k in np.flatnonzero(loss > deductible):
                rows.append({"claim_id": f"C{c:03d}-{t}-{k:05d}",
                             "date": (start + datetime.timedelta(days=int(day[k]))).isoformat(),
                             "attack_type": a, "industry": cell.industry, "size": cell.size,
                             "ground_up": float(loss[k]), "deductible": deductible, "limit": limit})
    return pd.DataFrame(rows, columns=["claim_id", "date", "attack_type", "industry", "size",
                                       "ground_up", "deductible", "limit"])
