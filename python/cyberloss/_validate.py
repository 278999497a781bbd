"""Argument checks shared by the public API: errors name the parameter and the value."""
from __future__ import annotations

import math
import numbers

import numpy as np

SEED_MAX = 2**32 - 1


def seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= SEED_MAX:
        raise ValueError(f"seed must be an integer in [0, {SEED_MAX}], got {value!r}")
    return int(value)


def positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def threads(value) -> int:
    if value is None:
        return 0
    return positive_int("threads", value)


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
