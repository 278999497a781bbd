"""Argument checks shared by the public API: errors name the parameter and the value."""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import _core

SEED_MAX = 2**32 - 1
MAX_THREADS = _core.MAX_THREADS    # the engine's cap (include/cyberloss/engine.hpp)
YEAR_END = _core.MAX_YEAR_END      # year indices lie in [0, 2**63) (docs/DESIGN.md)


def seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= SEED_MAX:
        raise ValueError(f"seed must be an integer in [0, {SEED_MAX}], got {value!r}")
    return int(value)


def positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def integer_in(name: str, value, low: int, high: int, high_text: str | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high_text or high}], got {value!r}")
    return int(value)


def threads(value) -> int:
    """None (all cores) or an integer in [1, MAX_THREADS]; None becomes 0 for the engine."""
    if value is None:
        return 0
    return integer_in("threads", value, 1, MAX_THREADS)


def year_range(years, first_year=0) -> tuple[int, int]:
    """(years, first_year) with years >= 1, first_year >= 0 and first_year + years <= 2**63."""
    n = integer_in("years", years, 1, YEAR_END, "2**63")
    first = integer_in("first_year", first_year, 0, YEAR_END - n,
                       f"2**63 - years = {YEAR_END - n}" if n > 1 else "2**63 - 1")
    return n, first


def probability(name: str, value) -> float:
    p = float(value)
    if not 0.0 < p < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    return p


def finite(name: str, value) -> float:
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return x


def sample(name: str, x) -> np.ndarray:
    a = np.ascontiguousarray(x, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty")
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be finite, got {float(a[i])} at index {i}")
    return a
