"""Frequency and severity distributions, implemented in the C++ core and validated there at
construction (ValueError naming the parameter and the value).

Frequencies: ``Poisson(rate)``, ``NegativeBinomial(mean, dispersion)`` (variance
``mean + mean**2 / dispersion``).  Severities (JPY): ``Lognormal(mu, sigma)`` or
``Lognormal.from_mean_median(mean, median)`` (sigma = sqrt(2 ln(mean/median)), mu = ln median),
and ``SplicedLognormalGPD(body, threshold, xi, beta=0)`` (lognormal body, generalised Pareto
tail above ``threshold``; beta = 0 picks the value that makes the density continuous).

Each has ``mean()``, ``variance()``, ``cdf``, ``quantile`` (vectorised) and
``sample(n, seed, stream=0)``: element i is drawn from (seed, stream, year = i) as
docs/DESIGN.md describes, so the first n elements of a longer sample are the same; a sample
larger than the available memory is refused before the core allocates it (MemoryError naming
n, as ``cyberloss.random``'s samplers).  Severities also have ``lev(limit)``, the limited
expected value E[min(X, limit)].
"""
from __future__ import annotations

from ._core import Frequency, Lognormal, NegativeBinomial, Poisson, Severity, SplicedLognormalGPD

__all__ = ["Frequency", "Lognormal", "NegativeBinomial", "Poisson", "Severity",
           "SplicedLognormalGPD"]
