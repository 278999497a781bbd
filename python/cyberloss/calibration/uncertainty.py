"""Parameter uncertainty: redraw the calibrated parameters per simulation block.

The survey pins severities loosely (29 ransomware answers, 27 website-leak answers) and the
frequency rests on 1,842 counts.  :func:`draw` returns a :class:`Calibration` whose
parameters are one draw from their sampling distributions; :func:`simulate` runs one block
per draw and gives credible bands on any statistic of the annual loss.

Sampling distributions (normal theory, stated in docs/MODEL_NOTES.md):

* frequency: ``beta* = beta_hat + L z`` with ``L L' = (X' diag(mu) X)^-1``, the inverse
  Fisher information of the Poisson margin fit (the asymptotic distribution of the MLE);
* severity of a type and period with ``n`` answers: the log-losses are taken as
  normal(mu, sigma), so ``sigma*^2 = (n - 1) sigma^2 / chi2_{n-1}`` and
  ``mu* = mu + sigma* z / sqrt(n)`` (the posterior under the reference prior
  ``p(mu, sigma) ~ 1 / sigma``), with ``chi2_{n-1}`` the sum of ``n - 1`` squared normals;
* severity of a type fitted to claims (``FittedCalibration``): the fit's own asymptotic normal
  law, ``mu* = mu + se_mu z_0`` and ``ln sigma* = ln sigma + (se_sigma / sigma)
  (rho z_0 + sqrt(1 - rho^2) z_1)`` with ``rho`` the fit's correlation of mu and ln sigma
  (0 in a file written without it, as the draw's source says): the SEs of the truncated and
  censored likelihood, which the claims less the censored ones, taken as exact answers,
  understate (3000万円 deductibles: se_mu 0.122 against 0.066).

Every normal draw is ``Phi^-1(uniform_at(seed, stream_id(PARAMETERS, k), block, j))`` with
``k = 0`` for the frequency coefficients and ``k = 1 + 2 * type + period`` for severities,
so a block's parameters depend only on (seed, block).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from .. import _arith
from .. import random as clrandom
from .._lazy import pandas as pd
from ..engine import simulate as simulate_engine
from ..report.html import Described
from ._data import PERIODS
from .fitted import FittedCalibration, FittedSeverity
from .model import Calibration, SeverityFit


def _normals(seed: int, index: int, block: int, n: int) -> np.ndarray:
    stream = clrandom.stream_id(clrandom.Purpose.PARAMETERS, index)
    u = clrandom.uniform_at(seed, stream, block, np.arange(n, dtype=np.int64))
    return np.asarray(clrandom.normal_quantile(np.ravel(u)), dtype=float)


def draw(cal: Calibration, block: int, seed: int) -> Calibration:
    """One draw of all frequency and severity parameters, a pure function of (seed, block)."""
    if isinstance(block, bool) or not isinstance(block, (int, np.integer)) or block < 0:
        raise ValueError(f"block must be a non-negative integer, got {block!r}")
    glm = cal.frequency.glm
    chol = _arith.cholesky(glm.covariance)
    beta = glm.beta + _arith.matvec(chol, _normals(seed, 0, int(block), glm.beta.size))

    fitted = cal.fitted_severities if isinstance(cal, FittedCalibration) else {}
    severities: dict[tuple[str, str], SeverityFit] = {}
    for t_idx, a in enumerate(cal.attack_types):
        for p_idx, period in enumerate(PERIODS):
            fit = cal.severity_fit(a, period)
            n = fit.answers
            z = _normals(seed, 1 + 2 * t_idx + p_idx, int(block), n)
            how = f"parameter draw (seed {seed}, block {block})"
            if a in fitted:
                mu, sigma, how = _fitted_draw(fitted[a], fit, z, how)
            else:
                sigma = fit.sigma * math.sqrt((n - 1) / _arith.fsum(z[1:] * z[1:]))
                mu = fit.mu + sigma * float(z[0]) / math.sqrt(n)
            severities[(a, period)] = SeverityFit(
                a, period, _arith.exp(mu + 0.5 * sigma * sigma), _arith.exp(mu), n,
                fit.quality, f"{fit.source}; {how}")
    return cal.with_parameters(beta, severities, (int(seed), int(block)))


def _fitted_draw(fitted: FittedSeverity, view: SeverityFit, z: np.ndarray,
                 how: str) -> tuple[float, float, str]:
    """``(mu, sigma)`` of the fitted type's survey-basis ``view`` drawn from the fit's normal law
    of (mu, ln sigma) (module docstring), and the draw's description."""
    rho = fitted.corr_mu_log_sigma
    known = math.isfinite(rho)
    r = rho if known else 0.0
    mu = view.mu + fitted.se_mu * float(z[0])
    sigma = view.sigma * _arith.exp(fitted.se_sigma / fitted.sigma
                                  * (r * float(z[0]) + math.sqrt(1.0 - r * r) * float(z[1])))
    return mu, sigma, (f"{how} from the fit's standard errors and correlation" if known else
                       f"{how} from the fit's standard errors (correlation not in the file: taken as 0)")


def _default_statistics() -> dict[str, Callable]:
    return {
        "mean": lambda res: float(res.mean()),
        "std": lambda res: float(res.std()),
        "var_99": lambda res: float(res.var(0.99)),
        "tvar_99": lambda res: float(res.tvar(0.99)),
    }


@dataclass(frozen=True)
class UncertaintyResult(Described):
    """One row per block (parameter draw) with each statistic of that block's annual loss."""

    blocks: pd.DataFrame
    years_per_block: int
    seed: int
    basis: str
    period: str

    def bands(self, levels: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
        """Credible band per statistic: the given quantiles across parameter draws, plus the mean."""
        lo, hi = levels
        if not 0.0 <= lo < hi <= 1.0:
            raise ValueError(f"levels must satisfy 0 <= low < high <= 1, got {levels!r}")
        stats = self.blocks.drop(columns=["block"])
        return pd.DataFrame({"mean": stats.mean(), f"q{lo:g}": stats.quantile(lo),
                             f"q{hi:g}": stats.quantile(hi)}).rename_axis("statistic").reset_index()

    def describe(self) -> pd.DataFrame:
        out = self.bands()
        out["basis"], out["period"] = self.basis, self.period
        return out

    def _html_title(self) -> str:
        return "Parameter uncertainty"

    def _html_note(self) -> str:
        return (f"{len(self.blocks)} parameter draws x {self.years_per_block} years, seed "
                f"{self.seed}, {self.basis} basis, {self.period} period (JPY)")


def simulate(cal: Calibration, industry: str, size: str, *, blocks: int = 40,
             years_per_block: int = 20_000, seed: int, basis: str = "all",
             period: str = "recent", tail=None, common_random_numbers: bool = True,
             statistics: Mapping[str, Callable] | None = None) -> UncertaintyResult:
    """Simulate ``blocks`` blocks, each with its own parameter draw, for one organisation.

    With ``common_random_numbers`` (default) every block simulates the same years 0..n-1, so
    the spread across blocks is the parameter uncertainty and not Monte Carlo noise;
    otherwise block ``b`` simulates years ``b*n .. (b+1)*n - 1`` (parameter and process
    uncertainty together).  ``statistics`` maps a name to a function of a ``cyberloss``
    simulation result (default: mean, std, VaR and TVaR at 99%).
    """
    if isinstance(blocks, bool) or not isinstance(blocks, (int, np.integer)) or blocks < 2:
        raise ValueError(f"blocks must be an integer >= 2, got {blocks!r}")
    stats = dict(statistics) if statistics is not None else _default_statistics()
    rows = []
    for b in range(blocks):
        model = draw(cal, b, seed).default_model(industry, size, basis, period, tail)
        first = 0 if common_random_numbers else b * years_per_block
        res = simulate_engine(model, years=years_per_block, seed=seed, first_year=first)
        rows.append({"block": b, **{name: f(res) for name, f in stats.items()}})
    return UncertaintyResult(pd.DataFrame(rows), int(years_per_block), int(seed), basis, period)
