"""Lognormal severity fitted to claims that deductibles truncate and limits censor.

A claim ``i`` with ground-up loss ``x_i`` under a policy with deductible ``d_i`` and limit
``l_i`` is seen only when ``x_i > d_i`` (left truncation) and is known exactly only below
``d_i + l_i`` (right censoring; an open claim is censored at what is incurred so far).  With
``y = ln x`` and ``z = (y - mu) / sigma`` the log-likelihood is

    sum_exact [ -z^2 / 2 - ln sigma - y - ln sqrt(2 pi) ]
  + sum_censored ln Phi(-z)
  - sum_{d_i > 0} ln Phi(-z(ln d_i)),

maximised over ``(mu, s = ln sigma)`` by Newton's method with analytic gradient and Hessian
(Levenberg-Marquardt damping where the Hessian is not negative definite, and a backtracking
line search).  Standard errors come from the observed information (the Hessian at the
optimum); ``se(sigma) = sigma se(s)``.

The prior (the JNSA fit) enters as a penalty worth ``n0`` claims: ``mu ~ N(mu0, sigma0^2 / n0)``
and ``s ~ N(ln sigma0, 1 / (2 n0))``, the normal approximation of what ``n0`` exact
observations from ``LN(mu0, sigma0)`` would tell (the Fisher information of one observation
about ``(mu, ln sigma)`` is ``diag(1 / sigma^2, 2)``).  A penalty rather than a conjugate
update because no conjugate family exists once claims are truncated and censored, and
because it keeps the fit well defined where the likelihood alone has no maximum (every claim
censored, a single claim).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _validate
from .. import random as clrandom

LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_ERFC = np.frompyfunc(math.erfc, 1, 1)
# Laplace's continued fraction for the Mills ratio converges fast beyond this z; below it
# erfc does not underflow.
_CF_FROM = 5.0
_CF_TERMS = 60
_SIGMA_BOUNDS = (math.log(1e-3), math.log(50.0))
MAX_ITERATIONS = 200
# A maximum whose log-likelihood exceeds that at the largest sigma by less than this (half the
# 95% point of chi2 with one degree of freedom) is not pinned: the likelihood-ratio confidence
# region reaches the bound, along the ridge mu -> -inf, sigma -> inf that heavy truncation opens.
PINNED_LOG_LIKELIHOOD = 1.92


def normal_tail(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``ln Phi(-z)`` and the hazard ``h(z) = phi(z) / Phi(-z)``, accurate for any finite z."""
    z = np.asarray(z, dtype=float)
    log_sf = np.empty_like(z)
    hazard = np.empty_like(z)
    small = z < _CF_FROM
    zs = z[small]
    sf = 0.5 * np.asarray(_ERFC(zs / math.sqrt(2.0)), dtype=float)
    log_sf[small] = np.log(sf)
    hazard[small] = np.exp(-0.5 * zs * zs - LOG_SQRT_2PI) / sf
    zl = z[~small]
    tail = np.zeros_like(zl)
    for k in range(_CF_TERMS, 0, -1):
        tail = k / (zl + tail)
    mills = 1.0 / (zl + tail)          # Phi(-z) / phi(z)
    log_sf[~small] = np.log(mills) - 0.5 * zl * zl - LOG_SQRT_2PI
    hazard[~small] = 1.0 / mills
    return log_sf, hazard


@dataclass(frozen=True)
class Observations:
    """Claims of one group on the log scale: ``y`` the ground-up loss (exact) or the point it
    is known to exceed (censored), ``log_deductible`` (-inf: no truncation)."""

    y: np.ndarray
    censored: np.ndarray
    log_deductible: np.ndarray

    @classmethod
    def from_losses(cls, loss, censored=None, deductible=None) -> "Observations":
        x = np.asarray(loss, dtype=float).ravel()
        n = x.size
        if not np.all(np.isfinite(x)) or np.any(x <= 0):
            bad = x[~(np.isfinite(x) & (x > 0))][0]
            raise ValueError(f"loss must be finite and > 0, got {bad!r}")
        c = np.zeros(n, bool) if censored is None else np.asarray(censored, dtype=bool).ravel()
        d = np.zeros(n) if deductible is None else np.asarray(deductible, dtype=float).ravel()
        if c.size != n or d.size != n:
            raise ValueError(f"loss, censored and deductible must have one value per claim, got "
                             f"{n}, {c.size} and {d.size}")
        if not np.all(np.isfinite(d)) or np.any(d < 0):
            raise ValueError(f"deductible must be finite and >= 0, got {d[~(np.isfinite(d) & (d >= 0))][0]!r}")
        if np.any(x <= d):
            i = int(np.argmax(x <= d))
            raise ValueError(f"claim {i}: ground-up loss {x[i]:g} must exceed its deductible {d[i]:g} "
                             "(a claim is seen only above the deductible)")
        with np.errstate(divide="ignore"):
            return cls(np.log(x), c, np.log(d))

    @property
    def n(self) -> int:
        return int(self.y.size)


@dataclass(frozen=True)
class LognormalPrior:
    """The prior ``LN(mu, sigma)`` worth ``weight`` claims (0: none, the plain MLE)."""

    mu: float
    sigma: float
    weight: float

    def __post_init__(self) -> None:
        _validate.number("prior mu", self.mu)
        _validate.number("prior sigma", self.sigma, 0.0, lo_open=True)
        _validate.number("prior weight", self.weight, 0.0)


@dataclass(frozen=True)
class LognormalFit:
    """The fitted ``LN(mu, sigma)`` with standard errors (observed information)."""

    mu: float
    sigma: float
    se_mu: float
    se_sigma: float
    covariance: np.ndarray           # of (mu, ln sigma)
    log_likelihood: float            # without the prior's penalty
    n: int
    censored: int
    truncated: int
    iterations: int
    method: str

    @property
    def mean(self) -> float:
        return math.exp(self.mu + 0.5 * self.sigma ** 2)

    @property
    def median(self) -> float:
        return math.exp(self.mu)


def _terms(obs: Observations, mu: float, s: float, want_hessian: bool = True):
    """Log-likelihood, gradient and Hessian in (mu, s = ln sigma)."""
    sigma = math.exp(s)
    z = (obs.y - mu) / sigma
    exact = ~obs.censored
    ze, zc = z[exact], z[obs.censored]
    trunc = np.isfinite(obs.log_deductible)
    zd = (obs.log_deductible[trunc] - mu) / sigma
    log_sf_c, h_c = normal_tail(zc)
    log_sf_d, h_d = normal_tail(zd)
    ll = (float(np.sum(-0.5 * ze * ze - obs.y[exact])) - ze.size * (s + LOG_SQRT_2PI)
          + float(np.sum(log_sf_c)) - float(np.sum(log_sf_d)))
    # each term is g(z): d/dmu = g' z_mu, d/ds = g' z_s with z_mu = -1/sigma, z_s = -z;
    # second derivatives g'' z_i z_j + g' z_ij with z_mumu = 0, z_mus = 1/sigma, z_ss = z
    inv = 1.0 / sigma
    g = np.zeros(2)
    hess = np.zeros((2, 2))
    for zz, d1, d2 in ((ze, -ze, -np.ones_like(ze)),
                       (zc, -h_c, -h_c * (h_c - zc)),
                       (zd, h_d, h_d * (h_d - zd))):
        g[0] += float(np.sum(d1)) * -inv
        g[1] += float(np.sum(d1 * -zz))
        if want_hessian:
            hess[0, 0] += float(np.sum(d2)) * inv * inv
            hess[0, 1] += float(np.sum(d2 * zz)) * inv + float(np.sum(d1)) * inv
            hess[1, 1] += float(np.sum(d2 * zz * zz + d1 * zz))
    g[1] -= ze.size
    hess[1, 0] = hess[0, 1]
    return ll, g, hess


def _penalty(prior: LognormalPrior | None, mu: float, s: float):
    if prior is None or prior.weight == 0.0:
        return 0.0, np.zeros(2), np.zeros((2, 2))
    n0, s0 = prior.weight, math.log(prior.sigma)
    a, b = n0 / prior.sigma ** 2, 2.0 * n0
    dm, ds = mu - prior.mu, s - s0
    return (-0.5 * a * dm * dm - 0.5 * b * ds * ds, np.array([-a * dm, -b * ds]),
            np.diag([-a, -b]))


def _start(obs: Observations, prior: LognormalPrior | None) -> np.ndarray:
    if prior is not None and prior.weight > 0:
        return np.array([prior.mu, math.log(prior.sigma)])
    y = obs.y
    sd = float(np.std(y)) if y.size > 1 else 1.0
    return np.array([float(np.mean(y)), math.log(sd if sd > 0.05 else 1.0)])


def _identifiable(obs: Observations, prior: LognormalPrior | None) -> None:
    if prior is not None and prior.weight > 0:
        return
    exact = obs.y[~obs.censored]
    if exact.size < 2 or float(np.ptp(exact)) == 0.0:
        raise ValueError(
            f"the severity has no maximum-likelihood estimate from {obs.n} claim(s) of which "
            f"{exact.size} uncensored with {np.unique(exact).size} distinct value(s): at least "
            "two different uncensored losses are needed, or a prior (prior weight > 0)")


def fit_lognormal(obs: Observations, prior: LognormalPrior | None = None,
                  tolerance: float = 1e-10) -> LognormalFit:
    """Maximise the (penalised) truncated/censored log-likelihood; ValueError when the data
    and prior pin no maximum or Newton's method does not converge."""
    _identifiable(obs, prior)

    def objective(theta, hessian=True):
        ll, g, h = _terms(obs, theta[0], theta[1], hessian)
        p, pg, ph = _penalty(prior, theta[0], theta[1])
        return ll + p, g + pg, h + ph, ll

    theta = _start(obs, prior)
    f, g, h, _ = objective(theta)
    iterations = 0
    while iterations < MAX_ITERATIONS:
        iterations += 1
        step = _damped_step(g, h)
        t = 1.0
        while True:
            trial = theta + t * step
            trial[1] = min(max(trial[1], _SIGMA_BOUNDS[0]), _SIGMA_BOUNDS[1])
            f_new, g_new, h_new, _ = objective(trial)
            if np.isfinite(f_new) and f_new >= f + 1e-4 * t * float(g @ step):
                break
            t *= 0.5
            if t < 1e-12:
                trial, f_new, g_new, h_new = theta, f, g, h
                break
        moved = float(np.max(np.abs(trial - theta)))
        theta, f, g, h = trial, f_new, g_new, h_new
        if moved < tolerance or float(np.max(np.abs(g))) < tolerance * max(1.0, abs(f)):
            break
    else:       # no break: the step limit was reached
        raise ValueError(f"the severity fit did not converge in {MAX_ITERATIONS} Newton steps "
                         f"(mu {theta[0]:.4g}, sigma {math.exp(theta[1]):.4g}); the claims may "
                         "not pin a lognormal: give a prior (prior weight > 0)")
    info = -h
    eig = np.linalg.eigvalsh(info)
    at_bound = theta[1] in _SIGMA_BOUNDS
    if at_bound or eig[0] <= 1e-12 * max(1.0, eig[-1]):
        raise ValueError(f"the severity fit has no interior maximum (mu {theta[0]:.4g}, sigma "
                         f"{math.exp(theta[1]):.4g}): the claims do not pin a lognormal; give a "
                         "prior (prior weight > 0)")
    edge = _profile_at_sigma_bound(objective, float(theta[0]))
    if f - edge < PINNED_LOG_LIKELIHOOD:
        raise ValueError(f"the severity fit has no interior maximum the claims pin (mu {theta[0]:.4g}, sigma "
                         f"{math.exp(theta[1]):.4g}): the log-likelihood at sigma {math.exp(_SIGMA_BOUNDS[1]):g} "
                         f"is within {f - edge:.3g} of it (mu -> -inf, sigma -> inf: a power law above the "
                         "deductibles fits as well); give a prior (severity prior weight > 0)")
    cov = np.linalg.inv(info)
    sigma = math.exp(theta[1])
    _, _, _, ll = objective(theta, hessian=False)
    return LognormalFit(
        mu=float(theta[0]), sigma=sigma, se_mu=math.sqrt(cov[0, 0]),
        se_sigma=sigma * math.sqrt(cov[1, 1]), covariance=cov, log_likelihood=float(ll), n=obs.n,
        censored=int(obs.censored.sum()), truncated=int(np.isfinite(obs.log_deductible).sum()),
        iterations=iterations,
        method="truncated/censored MLE" + ("" if prior is None or prior.weight == 0
                                           else f" + JNSA prior worth {prior.weight:g} claims"))


def _profile_at_sigma_bound(objective, mu: float) -> float:
    """The (penalised) log-likelihood maximised over mu at the largest sigma the fit allows: for
    fixed sigma it is concave in mu (a normal family truncated and censored at fixed points), so
    bisection on its slope, bracketed by doubling steps from ``mu``."""
    s = _SIGMA_BOUNDS[1]

    def slope(m: float) -> float:
        return float(objective(np.array([m, s]), hessian=False)[1][0])

    lo, hi, step = mu, mu, 1.0
    while slope(lo) < 0 and step < 1e7:
        lo, step = lo - step, 2 * step
    step = 1.0
    while slope(hi) > 0 and step < 1e7:
        hi, step = hi + step, 2 * step
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if slope(mid) > 0:
            lo = mid
        else:
            hi = mid
    return float(objective(np.array([0.5 * (lo + hi), s]), hessian=False)[0])


def _damped_step(g: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Newton's step on -h, damped (Levenberg-Marquardt) until -h + lambda I is positive definite."""
    a = -h
    lam = 0.0
    scale = max(1e-8, float(np.max(np.abs(np.diag(a)))))
    for _ in range(60):
        try:
            chol = np.linalg.cholesky(a + lam * np.eye(2))
            return np.linalg.solve(chol.T, np.linalg.solve(chol, g))
        except np.linalg.LinAlgError:
            lam = scale * 1e-6 if lam == 0.0 else lam * 10.0
    return g / scale


def fit_naive(obs: Observations) -> LognormalFit:
    """The naive fit: every loss taken as exact and untruncated (mean and sd of ln loss)."""
    y = obs.y
    if y.size < 2 or float(np.ptp(y)) == 0.0:
        raise ValueError(f"the naive fit needs at least two different losses, got {y.size} claim(s)")
    mu, sigma = float(np.mean(y)), float(np.std(y))
    n = y.size
    return LognormalFit(mu, sigma, sigma / math.sqrt(n), sigma / math.sqrt(2 * n),
                        np.diag([sigma ** 2 / n, 1 / (2 * n)]),
                        float(np.sum(-0.5 * ((y - mu) / sigma) ** 2 - y)) - n * (math.log(sigma) + LOG_SQRT_2PI),
                        n, 0, 0, 0, "naive (truncation and censoring ignored)")


def lognormal_sf(x, mu: float, sigma: float) -> np.ndarray:
    """P(X > x) for X ~ LN(mu, sigma); 1 where x <= 0."""
    x = np.asarray(x, dtype=float)
    out = np.ones_like(x)
    pos = x > 0
    out[pos] = np.exp(normal_tail((np.log(x[pos]) - mu) / sigma)[0])
    return out


def product_limit(obs: Observations) -> tuple[np.ndarray, np.ndarray]:
    """The product-limit (Lynden-Bell / Tsai-Jewell-Wang) estimate of the survival on the
    log scale under left truncation and right censoring: distinct uncensored ``y_j`` and
    ``S(y_j)``, conditional on exceeding the smallest deductible.  The risk set at ``y_j`` holds
    the claims entered below it (``ln d_i < y_j``) and still open (``y_i >= y_j``)."""
    event_y = np.unique(obs.y[~obs.censored])
    entry = obs.log_deductible
    at_risk = np.array([np.sum((entry < v) & (obs.y >= v)) for v in event_y], dtype=float)
    events = np.array([np.sum((obs.y == v) & ~obs.censored) for v in event_y], dtype=float)
    return event_y, np.cumprod(1.0 - events / at_risk)


@dataclass(frozen=True)
class SplicedFit:
    """The fitted lognormal-GPD splice: the lognormal ``LN(mu, sigma)`` below its
    ``threshold_quantile`` and a GPD tail of shape ``xi`` above it (scale chosen for a
    continuous density, as ``cyberloss.SplicedLognormalGPD`` with beta = 0)."""

    mu: float
    sigma: float
    xi: float
    se_mu: float
    se_sigma: float
    se_xi: float
    threshold_quantile: float
    log_likelihood: float
    n: int
    iterations: int

    @property
    def threshold(self) -> float:
        return math.exp(self.mu + self.sigma * _probit(self.threshold_quantile))


def _probit(p: float) -> float:
    """Phi^-1 of a level in (0, 1): the core's normal quantile (AS241), as everywhere else."""
    return float(clrandom.normal_quantile(p))


_XI_BOUNDS = (-0.45, 0.95)


def _spliced_log_likelihood(obs: Observations, theta: np.ndarray, zq: float, q: float) -> float:
    mu, s, xi = float(theta[0]), float(theta[1]), float(theta[2])
    sigma = math.exp(s)
    log_u = mu + sigma * zq
    # continuity: beta = S(u) / f(u) with f the lognormal density at u
    log_beta = math.log1p(-q) - (-0.5 * zq * zq - LOG_SQRT_2PI - s - log_u)

    def log_tail_sf(log_x: np.ndarray) -> np.ndarray:
        t = (np.exp(log_x - log_u) - 1.0) * math.exp(log_u - log_beta)      # (x - u) / beta
        if abs(xi) < 1e-9:
            return math.log1p(-q) - t
        # beyond the upper end point of a tail with xi < 0 the survival is 0: ln S = -inf
        with np.errstate(invalid="ignore", divide="ignore"):
            core = np.where(1.0 + xi * t > 0, np.log1p(xi * t) / xi, math.inf)
        return math.log1p(-q) - core

    def log_sf(log_x: np.ndarray) -> np.ndarray:
        out = np.empty_like(log_x)
        below = log_x <= log_u
        out[below] = normal_tail((log_x[below] - mu) / sigma)[0]
        out[~below] = log_tail_sf(log_x[~below])
        return out

    y, cens = obs.y, obs.censored
    exact = y[~cens]
    below = exact <= log_u
    z = (exact[below] - mu) / sigma
    ll = float(np.sum(-0.5 * z * z - s - exact[below] - LOG_SQRT_2PI))
    t = (np.exp(exact[~below] - log_u) - 1.0) * math.exp(log_u - log_beta)
    if xi < 0 and np.any(1.0 + xi * t <= 0):
        return -math.inf                     # beyond the upper end point of the tail
    ll += float(np.sum(math.log1p(-q) - log_beta - (1.0 / xi + 1.0) * np.log1p(xi * t)
                       if abs(xi) >= 1e-9 else math.log1p(-q) - log_beta - t))
    ll += float(np.sum(log_sf(y[cens])))
    trunc = np.isfinite(obs.log_deductible)
    ll -= float(np.sum(log_sf(obs.log_deductible[trunc])))
    # a deductible beyond the end point (-inf - -inf): as impossible as a claim beyond it
    return -math.inf if math.isnan(ll) else ll


def fit_spliced(obs: Observations, threshold_quantile: float, start: LognormalFit | None = None,
                xi_start: float = 0.3) -> SplicedFit:
    """Maximum likelihood of the lognormal-GPD splice (threshold at the body's
    ``threshold_quantile``, a fixed assumption) under the same truncation and censoring.
    Three parameters (mu, ln sigma, xi): Newton's method on central-difference derivatives of
    the closed-form log-likelihood (damped, with a line search), SEs from the observed
    information.  ``xi`` is kept in [-0.45, 0.95]."""
    q = _validate.number("threshold_quantile", threshold_quantile, 0.0, 1.0, lo_open=True, hi_open=True)
    if obs.n < 10 or int((~obs.censored).sum()) < 5:
        raise ValueError(f"the spliced fit needs at least 10 claims of which 5 uncensored, got {obs.n} "
                         f"({int((~obs.censored).sum())} uncensored)")
    zq = _probit(q)
    body = start if start is not None else fit_lognormal(obs)
    theta = np.array([body.mu, math.log(body.sigma), xi_start])

    def f(th: np.ndarray) -> float:
        if not (_XI_BOUNDS[0] <= th[2] <= _XI_BOUNDS[1]):
            return -math.inf
        return _spliced_log_likelihood(obs, th, zq, q)

    def derivatives(th: np.ndarray, step: float) -> tuple[float, np.ndarray, np.ndarray]:
        h = np.full(3, step)
        f0 = f(th)
        g = np.zeros(3)
        hess = np.zeros((3, 3))
        for i in range(3):
            e = np.zeros(3)
            e[i] = h[i]
            fp, fm = f(th + e), f(th - e)
            g[i] = (fp - fm) / (2 * h[i])
            hess[i, i] = (fp - 2 * f0 + fm) / h[i] ** 2
            for j in range(i):
                ej = np.zeros(3)
                ej[j] = h[j]
                hess[i, j] = hess[j, i] = (f(th + e + ej) - f(th + e - ej) - f(th - e + ej)
                                           + f(th - e - ej)) / (4 * h[i] * h[j])
        return f0, g, hess

    def newton(theta: np.ndarray, step: float) -> tuple[np.ndarray, float, np.ndarray, int]:
        value, g, hess = derivatives(theta, step)
        iterations = 0
        while iterations < MAX_ITERATIONS:
            iterations += 1
            a = -hess
            lam = 0.0
            for _ in range(60):
                try:
                    np.linalg.cholesky(a + lam * np.eye(3))
                    break
                except np.linalg.LinAlgError:
                    lam = 1e-6 * max(1.0, float(np.max(np.abs(np.diag(a))))) if lam == 0.0 else lam * 10.0
            move = np.linalg.solve(a + lam * np.eye(3), g)
            t = 1.0
            while t > 1e-10:
                trial = theta + t * move
                trial[2] = min(max(trial[2], _XI_BOUNDS[0]), _XI_BOUNDS[1])
                f_trial = f(trial)
                if np.isfinite(f_trial) and f_trial >= value:
                    break
                t *= 0.5
            else:
                break                                   # no ascent left: at the maximum
            moved = float(np.max(np.abs(trial - theta)))
            theta = trial
            value, g, hess = derivatives(theta, step)
            if moved < 1e-7:
                break
        else:
            raise ValueError(f"the spliced fit did not converge in {MAX_ITERATIONS} steps")
        return theta, value, -hess, iterations

    # The log-likelihood has a kink wherever a claim sits at the threshold exp(mu + sigma z_q),
    # which moves with mu and sigma: second differences that straddle one can make the observed
    # information indefinite where the steps stall. Then the steps are taken again with wider
    # differences, which average the two slopes, from where the narrow ones stopped.
    iterations = 0
    for step in (1e-4, 1e-3, 1e-2):
        theta, value, info, used = newton(theta, step)
        iterations += used
        definite = bool(np.all(np.isfinite(info)) and np.linalg.eigvalsh(info)[0] > 0)
        if definite or theta[2] in _XI_BOUNDS:
            break
    if not definite or theta[2] in _XI_BOUNDS:
        raise ValueError(f"the spliced fit has no interior maximum (xi {theta[2]:.3g}): the claims "
                         "above the threshold do not pin the tail shape")
    cov = np.linalg.inv(info)
    sigma = math.exp(theta[1])
    return SplicedFit(float(theta[0]), sigma, float(theta[2]), math.sqrt(cov[0, 0]),
                      sigma * math.sqrt(cov[1, 1]), math.sqrt(cov[2, 2]), q, value, obs.n, iterations)
