"""Closed-form Poisson and negative binomial distribution functions (issue 10, defect 10).

The regularised incomplete gamma and beta functions of the core are checked against
scipy.special where scipy is accurate (it loses digits for a above about 1e6; the C++ tests
hold the core to 40-digit references there), and the frequency quantiles against the former
definition, the smallest k whose summed pmf reaches p.
"""
import numpy as np
import pytest
from scipy import special, stats

import cyberloss as cl
from cyberloss import _core


def smaller_tail(lower, upper, ref_lower, ref_upper):
    return (lower, ref_lower) if ref_lower <= ref_upper else (upper, ref_upper)


def test_incomplete_gamma_against_scipy():
    rng = np.random.default_rng(10)
    a = 10 ** rng.uniform(-2, 5, 3000)
    x = np.where(rng.random(3000) < 0.8, a * np.exp(rng.normal(0, 4 / np.sqrt(a) + 0.01, 3000)),
                 10 ** rng.uniform(-3, 6, 3000))
    worst = 0.0
    for ai, xi in zip(a, x):
        lower, upper = _core.special.gamma_tails(ai, xi)
        got, ref = smaller_tail(lower, upper, special.gammainc(ai, xi), special.gammaincc(ai, xi))
        if ref > 1e-280:
            worst = max(worst, abs(got - ref) / ref)
        assert abs(lower + upper - 1.0) <= 2e-16
    assert worst < 1e-12


def test_incomplete_beta_against_scipy():
    rng = np.random.default_rng(11)
    a, b = 10 ** rng.uniform(-2, 4, 3000), 10 ** rng.uniform(-2, 4, 3000)
    mode = a / (a + b)
    x = np.clip(mode + rng.normal(0, 4, 3000) * np.sqrt(mode * (1 - mode) / (a + b + 1)), 1e-300, 1 - 1e-16)
    worst = 0.0
    for ai, bi, xi in zip(a, b, x):
        lower, upper = _core.special.beta_tails(ai, bi, xi)
        ref_lower, ref_upper = special.betainc(ai, bi, xi), special.betaincc(ai, bi, xi)
        got, ref = smaller_tail(lower, upper, ref_lower, ref_upper)
        # below 1, the lifting step's difference tail is good to 1e-16 absolute (special.hpp)
        tol = 1e-16 if min(ai, bi) < 1 else 0.0
        if ref > 1e-280:
            worst = max(worst, (abs(got - ref) - tol) / ref)
    assert worst < 1e-12


# scipy's pmfs are exp(k log(lambda) - lambda - gammaln(k + 1)): their relative error grows
# like 1e-16 times the terms (about 4e-12 at a rate of 3,000), so they are compared up to there.
@pytest.mark.parametrize("rate", [0.0, 1e-3, 0.3, 2.0, 17.5, 63.9, 64.0, 250.0, 3000.0])
def test_poisson_cdf_pmf_against_scipy(rate):
    f = cl.Poisson(rate)
    sd = np.sqrt(rate)
    k = np.unique(np.clip(np.round(rate + np.linspace(-6, 8, 57) * sd), 0, None)).astype(np.int64)
    np.testing.assert_allclose(f.cdf(k), stats.poisson.cdf(k, rate), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(f.pmf(k), stats.poisson.pmf(k, rate), rtol=1e-11, atol=1e-300)


@pytest.mark.parametrize("mean,dispersion", [(1.5, 0.8), (0.4, 0.5), (70.0, 3.0), (2e4, 0.01),
                                             (300.0, 1e3), (5.0, 1e-3)])
def test_negative_binomial_cdf_pmf_against_scipy(mean, dispersion):
    f = cl.NegativeBinomial(mean, dispersion)
    p = dispersion / (dispersion + mean)
    sd = np.sqrt(mean + mean * mean / dispersion)
    k = np.unique(np.clip(np.round(mean + np.linspace(-6, 8, 57) * sd), 0, None)).astype(np.int64)
    np.testing.assert_allclose(f.cdf(k), stats.nbinom.cdf(k, dispersion, p), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(f.pmf(k), stats.nbinom.pmf(k, dispersion, p), rtol=1e-11, atol=1e-300)


def old_quantile(f, p, limit):
    """The former definition: the smallest k whose pmf sum, added in order, reaches p."""
    cum = np.cumsum(f.pmf(np.arange(limit, dtype=np.int64)))
    return int(np.argmax(cum >= p))


P_GRID = [1e-9, 1e-4, 0.013, 0.1, 0.37, 0.5, 0.77, 0.9, 0.99, 0.999, 0.999999]


@pytest.mark.parametrize("f", [cl.Poisson(0.003), cl.Poisson(0.7), cl.Poisson(5.0), cl.Poisson(63.0),
                               cl.Poisson(64.0), cl.Poisson(1234.5), cl.NegativeBinomial(1.5, 0.8),
                               cl.NegativeBinomial(0.4, 0.5), cl.NegativeBinomial(70.0, 3.0),
                               cl.NegativeBinomial(300.0, 0.2)])
def test_quantile_equals_the_former_pmf_sum(f):
    limit = int(f.mean() + 60 * np.sqrt(f.variance()) + 100)
    for p in P_GRID:
        assert f.quantile(p) == old_quantile(f, p, limit), p


@pytest.mark.parametrize("rate", [3e4, 1e6])
def test_large_poisson_quantiles_against_scipy(rate):
    # scipy's Poisson cdf loses digits for rates above about 1e6 (see the C++ references)
    np.testing.assert_array_equal(cl.Poisson(rate).quantile(np.array(P_GRID)),
                                  stats.poisson.ppf(P_GRID, rate).astype(np.int64))


def test_the_issue_reproducers_return_at_once():
    # Poisson(3e7).quantile(0.5) took 1.25 s, Poisson(1).cdf(1e8) 2.9 s, cdf(2**62) never ended
    assert cl.Poisson(3e7).quantile(0.5) == 30_000_000
    assert cl.Poisson(1).cdf(10**8) == 1.0
    assert cl.Poisson(1).cdf(2**62) == 1.0
    assert cl.Poisson(2.0**62).quantile(0.5) == pytest.approx(2.0**62, rel=1e-9)
    # Temme's expansion: 1/2 + about 0.0000282 sqrt(1e8 / 1e15) at the mean (C++ references)
    assert 0.5 < cl.NegativeBinomial(1e15, 1e15).cdf(10**15) < 0.5 + 1e-8
    with pytest.raises(ValueError, match=r"quantile at p = 0.5 exceeds 2\^63 - 1"):
        cl.Poisson(1e300).quantile(0.5)
    assert cl.Poisson(1.0).cdf(-1) == 0.0     # P(N <= -1), as scipy's; NaN is refused
