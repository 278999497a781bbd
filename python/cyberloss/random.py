"""The package's random-number convention, exposed for extensions and tests.

Every random number is a pure function of ``(seed, stream, year, draw)`` (Philox4x32-10,
key = (seed, stream), counter = (draw >> 1, year)); ``stream = purpose << 16 | index``.  See
docs/DESIGN.md.  The samplers below (in the C++ core) draw element i from
(seed, stream, year = i); arguments are checked there, errors name them.  A sample larger
than the available memory is refused before the core allocates it (MemoryError naming n).
"""
from __future__ import annotations

import enum

import numpy as np

from . import _core, _validate

philox4x32_10 = _core.philox4x32_10


class Purpose(enum.IntEnum):
    """What a stream is used for (the high 16 bits of the stream id)."""

    FREQUENCY = 1
    SEVERITY = 2
    DOWNTIME = 3
    EFFORT = 4
    COMPONENTS = 5
    SYSTEMIC = 6
    PARAMETERS = 7
    PORTFOLIO = 8
    SURVEY = 9
    BRANCH = 10
    USER = 32


def stream_id(purpose: int, index: int = 0) -> int:
    """``purpose << 16 | index``; purpose in [1, 65535], index in [0, 65535]."""
    return _core.stream_id(int(purpose), int(index))


def _coords(name: str, x) -> np.ndarray:
    a = np.asarray(x)
    if a.size and (not np.issubdtype(a.dtype, np.integer) or (a < 0).any()):
        raise ValueError(f"{name} must be non-negative integers, got {a.ravel()[:3]!r}")
    return a


def uniform_at(seed: int, stream: int, year, draw) -> np.ndarray | float:
    """The uniform(s) in (0, 1) at the given coordinates; ``year`` and ``draw`` broadcast."""
    y, d = np.broadcast_arrays(_coords("year", year), _coords("draw", draw))
    out = _core.uniform_batch(_validate.seed(seed), int(stream),
                              np.ascontiguousarray(y, dtype=np.uint64).ravel(),
                              np.ascontiguousarray(d, dtype=np.uint64).ravel())
    return float(out[0]) if y.ndim == 0 else out.reshape(y.shape)


def normal_quantile(u) -> np.ndarray | float:
    """The standard normal quantile Phi^-1(u) (AS241, the core's), elementwise; u in (0, 1)."""
    return _core.normal_quantile(u)


def uniform(n: int, seed: int, stream: int = 0) -> np.ndarray:
    """n uniforms in (0, 1); element i is draw 0 of (seed, stream, year = i)."""
    return _core.sample_uniform(n, seed, stream)


def normal(n: int, seed: int, stream: int = 0) -> np.ndarray:
    """Standard normal by inverse CDF (AS241), one draw each."""
    return _core.sample_normal(n, seed, stream)


def lognormal(mu: float, sigma: float, n: int, seed: int, stream: int = 0) -> np.ndarray:
    """exp(mu + sigma Z), Z by inverse CDF, one draw each."""
    return _core.sample_lognormal(mu, sigma, n, seed, stream)


def gamma(shape: float, scale: float, n: int, seed: int, stream: int = 0) -> np.ndarray:
    """Gamma(shape, scale) by Marsaglia and Tsang's method."""
    return _core.sample_gamma(shape, scale, n, seed, stream)


def poisson(mean: float, n: int, seed: int, stream: int = 0) -> np.ndarray:
    """Poisson: inversion from one uniform for mean < 64, PTRS (Hormann 1993) above."""
    return _core.sample_poisson(mean, n, seed, stream)


def negative_binomial(mean: float, dispersion: float, n: int, seed: int, stream: int = 0) -> np.ndarray:
    """Negative binomial as a gamma-Poisson mixture; variance = mean + mean**2 / dispersion."""
    return _core.sample_negative_binomial(mean, dispersion, n, seed, stream)
