"""Frequency and severity distributions (implemented in C++; validated at construction).

Frequencies: ``Poisson(rate)``, ``NegativeBinomial(mean, dispersion)`` (variance
``mean + mean**2 / dispersion``). Severities: ``Lognormal(mu, sigma)`` or
``Lognormal.from_mean_median(mean, median)`` (sigma = sqrt(2 ln(mean/median)), mu = ln median),
and ``SplicedLognormalGPD(body, threshold, xi, beta=0)`` (lognormal body, generalised Pareto tail
above ``threshold``; beta = 0 picks the value that makes the density continuous).

Each has ``mean()``, ``variance()``, ``cdf``, ``quantile`` (vectorised) and
``sample(n, seed, stream=0)`` following the package's random-number convention (element i uses
year = i of the given stream). Severities also have ``lev(limit)``, the limited expected value
E[min(X, limit)].
"""
from __future__ import annotations

from . import _core, _validate

Frequency = _core.Frequency
Poisson = _core.Poisson
NegativeBinomial = _core.NegativeBinomial
Severity = _core.Severity
Lognormal = _core.Lognormal
SplicedLognormalGPD = _core.SplicedLognormalGPD


def _wrap_sample(cls):
    raw = cls.sample

    def sample(self, n: int, seed: int, stream: int = 0):
        """n independent draws; element i uses (seed, stream, year=i)."""
        return raw(self, _validate.positive_int("n", n), _validate.seed(seed), int(stream))

    sample.__doc__ = raw.__doc__ or sample.__doc__
    cls.sample = sample


for _cls in (Frequency, Severity):
    _wrap_sample(_cls)


def _repr_frequency(self) -> str:
    if isinstance(self, Poisson):
        return f"Poisson(rate={self.rate:g})"
    return f"NegativeBinomial(mean={self.mean():g}, dispersion={self.dispersion:g})"


def _repr_severity(self) -> str:
    if isinstance(self, Lognormal):
        return f"Lognormal(mu={self.mu:.6g}, sigma={self.sigma:.6g})"
    return (f"SplicedLognormalGPD(body={_repr_severity(self.body)}, threshold={self.threshold:.6g}, "
            f"xi={self.xi:g}, beta={self.beta:.6g})")


Frequency.__repr__ = _repr_frequency
Severity.__repr__ = _repr_severity
