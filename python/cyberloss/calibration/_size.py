"""Per-incident loss and downtime by the organisation's size, normalised to JNSA's size mix.

An incident at an organisation of ``h`` employees has its loss (and downtime) multiplied by
``(h / h_ref) ** e`` (``e``: the elasticity, an assumption; ``h_ref``: the SME class's mean
headcount).  A publicised incident of attack type ``a`` at an organisation of size class ``s``
then has the loss ``LN(mu0 + e ln(hbar_s / h_ref), sigma0)``, where ``hbar_s`` is the class's
mean headcount (the headcount at which the class's calibrated rate applies).

JNSA's survey mean ``M`` and median ``m`` describe the publicised incidents of all sizes
together, a mixture over the classes with weights ``w_s`` (the fitted publicised counts of
the type by size).  :func:`normalise` solves for ``(mu0, sigma0)`` so that this mixture has
mean ``M`` and median ``m`` exactly:

    sum_s w_s exp(mu0 + c_s + sigma0^2 / 2) = M           =>  mu0 = ln M - sigma0^2/2 - ln sum_s w_s e^{c_s}
    sum_s w_s Phi((ln m - mu0 - c_s) / sigma0) = 1/2      (one equation in sigma0, by bisection)

with ``c_s = e ln(hbar_s / h_ref)``.  With ``e = 0`` every ``c_s`` is 0 and the solution is the
survey's own lognormal, ``sigma0 = sqrt(2 ln(M / m))``, ``mu0 = ln m`` (returned in closed form,
so switching the size effect off gives back today's numbers bit for bit).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from .. import _arith, _validate

normal_cdf = _arith.normal_cdf


class SizeMixError(_validate.InJapaneseToo, ValueError):
    """A survey mean and median no lognormal reproduces over the size mix (a ValueError, as the
    model's checks raise), said in Japanese too."""


def lognormal_sf(x: float, mu: float, sigma: float) -> float:
    """P(X >= x) for X ~ LN(mu, sigma); x > 0."""
    if sigma == 0.0:
        return 1.0 if _arith.log(x) <= mu else 0.0
    return normal_cdf((mu - _arith.log(x)) / sigma)


def lognormal_capped_mean(mu: float, sigma: float, cap: float) -> float:
    """E[min(X, cap)] for X ~ LN(mu, sigma):
    ``e^{mu + sigma^2/2} Phi((ln cap - mu - sigma^2) / sigma) + cap (1 - Phi((ln cap - mu) / sigma))``."""
    z = (_arith.log(cap) - mu) / sigma
    return _arith.exp(mu + 0.5 * sigma * sigma) * normal_cdf(z - sigma) + cap * normal_cdf(-z)


@dataclass(frozen=True)
class SizeScale:
    """Loss and downtime multipliers ``(employees / reference) ** elasticity``."""

    loss_elasticity: float
    downtime_elasticity: float
    reference_employees: float            # the SME class's mean headcount
    class_employees: Mapping[str, float]  # mean headcount per size class

    def offset(self, employees: float, elasticity: float) -> float:
        """``elasticity * ln(employees / reference)``: the shift of the log-loss or log-downtime."""
        if not (math.isfinite(employees) and employees > 0):
            raise ValueError(f"employees must be a finite number > 0, got {employees!r}")
        return elasticity * _arith.log(employees / self.reference_employees)

    def loss(self, employees: float) -> float:
        return _arith.exp(self.offset(employees, self.loss_elasticity))

    def downtime(self, employees: float) -> float:
        return _arith.exp(self.offset(employees, self.downtime_elasticity))

    def class_offsets(self, sizes: Sequence[str], elasticity: float) -> list[float]:
        return [self.offset(self.class_employees[s], elasticity) for s in sizes]


def mixture_sf(x: float, weights: Sequence[float], mus: Sequence[float], sigma: Sequence[float] | float) -> float:
    """P(X >= x) for a mixture of lognormals (weights summing to 1)."""
    sigmas = [sigma] * len(mus) if isinstance(sigma, (int, float)) else list(sigma)
    return _arith.fsum(w * lognormal_sf(x, mu, s) for w, mu, s in zip(weights, mus, sigmas))


def mixture_median(weights: Sequence[float], mus: Sequence[float], sigmas: Sequence[float]) -> float:
    """The median of a lognormal mixture, by bisection on the log scale."""
    lo = min(m - 10.0 * s for m, s in zip(mus, sigmas))
    hi = max(m + 10.0 * s for m, s in zip(mus, sigmas))
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mixture_sf(_arith.exp(mid), weights, mus, sigmas) > 0.5:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13:
            break
    return _arith.exp(0.5 * (lo + hi))


#: The largest log-scale sigma the size normalisation searches: a survey mean and median whose
#: lognormal needs more (``sqrt(2 ln(mean / median)) > 20``: mean / median above e^200) are
#: refused at load (``_data``), naming the assumption.
MAX_SIGMA = 20.0


def normalise(weights: Sequence[float], offsets: Sequence[float], mean: float,
              median: float, what: str = "severity", what_ja: str = "",
              shown_ja: Callable[[float], str] = _validate.figure_ja) -> tuple[float, float]:
    """``(mu0, sigma0)``: the lognormal at offset 0 whose mixture over ``offsets`` with
    ``weights`` has the given mean and median (see the module docstring).

    Raises :class:`SizeMixError` naming ``what`` (in Japanese ``what_ja``, the mean and median
    written by ``shown_ja``, e.g. in 万円) when no lognormal does (the offsets spread the classes
    further apart than the survey's mean/median ratio allows)."""
    what_ja = what_ja or what
    total = _arith.fsum(weights)
    if total <= 0 or any(w < 0 for w in weights):
        raise SizeMixError(f"{what}: size-mix weights must be >= 0 and not all 0, got {list(weights)}",
                           f"{what_ja}: 規模構成の重みは 0 以上で、すべてが 0 ではないこと（入力: {list(weights)}）")
    if not (mean > median > 0):
        raise SizeMixError(f"{what}: need mean > median > 0, got mean {mean!r}, median {median!r}",
                           f"{what_ja}: 平均値 > 中央値 > 0 であること（入力: 平均値 {mean!r}、中央値 {median!r}）")
    w = [x / total for x in weights]
    if all(c == offsets[0] for c in offsets):
        sigma0 = math.sqrt(2.0 * _arith.log(mean / median))
        return _arith.log(median) - offsets[0], sigma0
    log_scale = _arith.log(_arith.fsum(wi * _arith.exp(c) for wi, c in zip(w, offsets)))
    log_m = _arith.log(median)

    def excess(sigma: float) -> float:
        mu0 = _arith.log(mean) - 0.5 * sigma * sigma - log_scale
        return _arith.fsum(wi * normal_cdf((log_m - mu0 - c) / sigma) for wi, c in zip(w, offsets)) - 0.5

    # The root continuing the e = 0 solution is the largest sigma0 where the excess changes
    # sign: above it the mixture is too spread and its median falls below m.  (Small sigma0 may
    # have a second, degenerate root when most of the weight sits below m as near point masses.)
    grid = [MAX_SIGMA * _arith.power(10.0, -k / 50.0) for k in range(451)]     # 20 down to 2e-8
    if excess(grid[0]) < 0.0:      # the root lies beyond the search: a mean far above the median
        sigma = math.sqrt(2.0 * _arith.log(mean / median))
        raise SizeMixError(
            f"{what}: no lognormal with sigma <= {MAX_SIGMA:g} reproduces the survey mean {mean:g} and "
            f"median {median:g} over the size mix: their ratio {mean / median:.3g} needs a sigma of "
            f"about sqrt(2 ln(mean/median)) = {sigma:.3g} (raise the median or lower the mean)",
            f"{what_ja}: 調査の平均値 {shown_ja(mean)} と中央値 {shown_ja(median)} "
            f"を規模構成で再現する σ {MAX_SIGMA:g} 以下の"
            f"対数正規分布がない。比 {mean / median:.3g} には σ が約 sqrt(2 ln(平均値/中央値)) = {sigma:.3g} "
            "必要（中央値を上げるか平均値を下げる）")
    lo = next((g for g in grid[1:] if excess(g) < 0.0), None)
    if lo is None:
        spread = max(offsets) - min(offsets)
        raise SizeMixError(
            f"{what}: no lognormal reproduces the survey mean {mean:g} and median {median:g} over "
            f"the size mix: the size classes' log-scales differ by up to {spread:.3g}, more than the "
            "mean/median ratio allows (lower the size elasticity)",
            f"{what_ja}: 調査の平均値 {shown_ja(mean)} と中央値 {shown_ja(median)} "
            "を規模構成で再現する対数正規分布がない。"
            f"規模区分の対数スケールの差が最大 {spread:.3g} で、平均値と中央値の比が許す幅を超える"
            "（規模の弾力性を下げる）")
    hi = grid[grid.index(lo) - 1]
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if excess(mid) < 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    sigma0 = 0.5 * (lo + hi)
    return _arith.log(mean) - 0.5 * sigma0 * sigma0 - log_scale, sigma0
