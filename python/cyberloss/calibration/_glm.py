"""Poisson log-linear model fitted from published margins (pure NumPy).

For a Poisson GLM with log link, design ``X`` and offset ``o``, the log-likelihood is
``l(b) = t'b - sum_c exp(o_c + x_c'b) + const`` with ``t = X'y``: the data enter only through
the sufficient statistics ``t``.  Published margins are exactly such sums of cell counts, so
Newton's method (= IRLS for the canonical link) on ``t`` is the maximum-likelihood fit even
though the cell counts themselves are unknown, and at the optimum ``X'mu = t``: every margin
used as a column of ``X`` is reproduced exactly.

The arithmetic is :mod:`cyberloss._arith`'s (the core's exp and log, correctly rounded 1-D sums,
matrix products added in a fixed order, Cholesky in plain floats): the coefficients, and every
rate computed from them, have the same bits on every CPU.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _arith, _validate


class MarginFitError(_validate.InJapaneseToo, ValueError):
    """Margins no Poisson log-linear model reproduces (a ValueError), said in Japanese too."""


@dataclass(frozen=True)
class PoissonMarginFit:
    """Result of :func:`fit_poisson_margins`."""

    names: tuple[str, ...]
    beta: np.ndarray          # coefficients, one per column of X
    covariance: np.ndarray    # inverse Fisher information (X' diag(mu) X)^-1
    targets: np.ndarray       # the sufficient statistics X'y that were fitted
    fitted: np.ndarray        # X'mu at the solution
    iterations: int

    def max_relative_gap(self) -> float:
        return float(np.max(np.abs(self.fitted - self.targets) / np.maximum(np.abs(self.targets), 1.0)))


def fit_poisson_margins(X: np.ndarray, targets: np.ndarray, offset: np.ndarray,
                        names: tuple[str, ...], *, tol: float = 1e-10,
                        max_iter: int = 100) -> PoissonMarginFit:
    """Maximum-likelihood Poisson log-linear fit given only ``X'y`` (the margins).

    Newton-Raphson with step halving on the concave log-likelihood; converged when every
    margin is reproduced to relative accuracy ``tol``.  Raises ValueError naming the worst
    margin when the design is not identified or the iteration does not converge (e.g. a
    zero margin, whose maximum-likelihood coefficient is at minus infinity).
    """
    X = np.asarray(X, dtype=float)
    t = np.asarray(targets, dtype=float)
    o = np.asarray(offset, dtype=float)
    if X.ndim != 2 or X.shape[1] != t.size or X.shape[0] != o.size or len(names) != t.size:
        raise ValueError(f"design {X.shape}, targets {t.shape}, offset {o.shape} and "
                         f"{len(names)} names do not match")
    for label, arr in (("design", X), ("targets", t), ("offset", o)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{label} must be finite")
    if np.any(t <= 0):
        j = int(np.argmin(t))
        raise MarginFitError(f"margin '{names[j]}' must be > 0, got {t[j]:g} (a zero margin has no "
                             "finite maximum-likelihood coefficient)",
                             f"件数 '{names[j]}' には 0 より大きい値を指定する（入力: {t[j]:g}。件数 0 には"
                             "有限の最尤推定の係数がない）")
    if np.linalg.matrix_rank(X) < X.shape[1]:
        rank = np.linalg.matrix_rank(X)
        raise MarginFitError(f"the margins do not identify the model: design of rank "
                             f"{rank} < {X.shape[1]} coefficients ({', '.join(names)})",
                             f"件数の表ではモデルが識別できない: 計画行列の階数 {rank} が係数の数 "
                             f"{X.shape[1]} より小さい（{', '.join(names)}）")

    beta = np.zeros(t.size)
    # start from the overall rate on the first (intercept) column
    beta[0] = _arith.log(t[0] / _arith.fsum(_arith.exp(o)))

    def loglik(b: np.ndarray) -> tuple[float, np.ndarray]:
        mu = _arith.exp(o + _arith.matvec(X, b))
        return _arith.fsum(np.concatenate([t * b, -mu])), mu

    ll, mu = loglik(beta)
    for iteration in range(1, max_iter + 1):
        score = t - _arith.rmatvec(X, mu)
        if np.max(np.abs(score) / np.maximum(np.abs(t), 1.0)) < tol:
            if np.max(np.abs(beta[1:])) > 50.0:
                j = 1 + int(np.argmax(np.abs(beta[1:])))
                raise MarginFitError(f"Poisson margin fit diverged: coefficient '{names[j]}' = "
                                     f"{beta[j]:.3g}; the margins are on the boundary of what the "
                                     "model can reproduce",
                                     f"件数へのポアソン回帰の当てはめが発散した: 係数 '{names[j]}' = "
                                     f"{beta[j]:.3g}。件数がモデルで再現できる範囲の境界にある")
            info = _arith.gram(X, mu)
            return PoissonMarginFit(tuple(names), beta, _arith.inverse_spd(info), t,
                                    _arith.rmatvec(X, mu), iteration - 1)
        step = _arith.solve_spd(_arith.gram(X, mu), score)
        scale = 1.0
        while True:
            candidate = beta + scale * step
            ll_new, mu_new = loglik(candidate)
            if np.isfinite(ll_new) and ll_new >= ll - 1e-12 * abs(ll):
                break
            scale /= 2.0
            if scale < 1e-12:
                break
        beta, ll, mu = candidate, ll_new, mu_new

    fitted = _arith.rmatvec(X, mu)
    gap = np.abs(fitted - t) / np.maximum(np.abs(t), 1.0)
    j = int(np.argmax(gap))
    raise MarginFitError(
        f"Poisson margin fit did not converge in {max_iter} iterations: margin '{names[j]}' "
        f"target {t[j]:g}, fitted {fitted[j]:g} (relative gap {gap[j]:.2e}); inconsistent "
        "margins have no finite maximum-likelihood solution",
        f"件数へのポアソン回帰の当てはめが {max_iter} 回の反復で収束しない: 件数 '{names[j]}' の目標 {t[j]:g}、"
        f"当てはめ値 {fitted[j]:g}（相対差 {gap[j]:.2e}）。互いに矛盾する件数には有限の最尤解がない")
