import numpy as np
import pytest
from scipy import special, stats

import cyberloss as cl
from cyberloss.random import Purpose, stream_id, uniform_at


def test_uniform_at_broadcasts_and_matches_scalar_calls():
    years = np.arange(5)[:, None]
    draws = np.arange(3)[None, :]
    u = uniform_at(3, stream_id(Purpose.SEVERITY, 1), years, draws)
    assert u.shape == (5, 3)
    assert u[4, 2] == uniform_at(3, stream_id(Purpose.SEVERITY, 1), 4, 2)
    assert ((u > 0) & (u < 1)).all()


def test_uniforms_pass_a_kolmogorov_smirnov_test():
    u = cl.random.uniform(200_000, seed=1)
    assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_normal_sampler_is_the_inverse_cdf_of_the_uniform():
    u = cl.random.uniform(1000, seed=4, stream=7)
    z = cl.random.normal(1000, seed=4, stream=7)
    np.testing.assert_allclose(z, special.ndtri(u), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("mean", [0.2, 5.0, 300.0])
def test_poisson_sampler_moments(mean):
    n = 200_000
    x = cl.random.poisson(mean, n, seed=8)
    assert abs(x.mean() - mean) <= 5 * np.sqrt(mean / n)


def test_negative_binomial_and_gamma_moments():
    n = 200_000
    x = cl.random.negative_binomial(2.0, 0.5, n, seed=8)
    var = 2.0 + 4.0 / 0.5
    assert abs(x.mean() - 2.0) <= 5 * np.sqrt(var / n)
    g = cl.random.gamma(0.5, 4.0, n, seed=9)
    assert abs(g.mean() - 2.0) <= 5 * np.sqrt(0.5 * 16 / n)


def test_severity_sample_uses_inverse_cdf():
    ln = cl.Lognormal(15, 1.3)
    x = ln.sample(1000, seed=2, stream=5)
    u = uniform_at(2, 5, np.arange(1000), 0)
    np.testing.assert_array_equal(x, ln.quantile(u))
    np.testing.assert_allclose(ln.quantile(u), np.exp(15 + 1.3 * special.ndtri(u)), rtol=1e-13)


def test_lognormal_and_spliced_closed_forms_against_scipy():
    ln = cl.Lognormal.from_mean_median(36.08e6, 16.9e6)
    ref = stats.lognorm(s=ln.sigma, scale=np.exp(ln.mu))
    assert ln.mean() == pytest.approx(36.08e6, rel=1e-12)
    assert ln.variance() == pytest.approx(ref.var(), rel=1e-10)
    p = np.array([0.01, 0.5, 0.99])
    np.testing.assert_allclose(ln.quantile(p), ref.ppf(p), rtol=1e-12)
    np.testing.assert_allclose(ln.cdf(ref.ppf(p)), p, rtol=1e-12)
    sp = cl.SplicedLognormalGPD(ln, ln.quantile(0.95), 0.4)
    q = sp.quantile(0.999)
    tail = stats.genpareto(c=0.4, scale=sp.beta)
    assert q == pytest.approx(sp.threshold + tail.ppf(1 - 0.001 / 0.05), rel=1e-10)


def test_spliced_sample_is_finite_and_uses_inverse_cdf():
    # issue 10, defect 1: sample() converts its uniforms in place, which the splice used to
    # overwrite with body quantiles before its tail test read them (every value came out NaN).
    sp = cl.SplicedLognormalGPD(cl.Lognormal(15, 1.3), 2e7, 0.4)
    x = sp.sample(8, 1)
    assert np.isfinite(x).all() and (x > 0).all()
    y = sp.sample(5000, seed=3, stream=7)
    u = uniform_at(3, 7, np.arange(5000), 0)
    np.testing.assert_array_equal(y, sp.quantile(u))
    assert (y > sp.threshold).any() and (y < sp.threshold).any()


def test_bad_sampler_arguments():
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        cl.random.uniform(0, seed=1)
    with pytest.raises(ValueError, match="shape must be finite and > 0, got -1"):
        cl.random.gamma(-1, 1, 10, seed=1)
    with pytest.raises(ValueError, match="year must be non-negative integers"):
        uniform_at(1, 1, -1, 0)


def test_frequency_sample_gives_the_engines_counts():
    f = cl.Poisson(0.7)
    m = cl.Model([cl.AttackType("a", f, cl.Lognormal(1, 1))])
    r = cl.simulate(m, years=5000, seed=21)
    stream = stream_id(Purpose.FREQUENCY, 0)
    np.testing.assert_array_equal(f.sample(5000, seed=21, stream=stream), r.counts[:, 0])


def test_a_counts_pmf_and_cdf_at_any_real_k():
    """A count is a whole number >= 0: P(N = 1.5) is 0 (not P(N = 1)), P(N <= -0.5) is 0 and
    P(N <= 1.5) is P(N <= 1); NaN is refused naming k."""
    p = cl.Poisson(2.0)
    np.testing.assert_array_equal(p.pmf(np.array([1.5, -0.5, np.inf])), [0.0, 0.0, 0.0])
    assert p.cdf(1.5) == p.cdf(1) and p.cdf(-0.5) == 0.0 and p.cdf(np.inf) == 1.0
    assert cl.NegativeBinomial(2.0, 1.0).cdf(-0.9) == 0.0
    np.testing.assert_array_equal(p.pmf(np.arange(4)), [p.pmf(k) for k in range(4)])
    with pytest.raises(ValueError, match="k must be a number, got nan"):
        p.pmf(np.array([np.nan]))


def test_lognormal_partial_moment_refuses_what_it_cannot_compute():
    ln = cl.Lognormal(15.0, 1.0)
    with pytest.raises(ValueError, match="k must be 1 or 2, got 200"):
        ln.partial_moment(200, 1e6)
    with pytest.raises(ValueError, match="x must be a number, got nan"):
        ln.partial_moment(1, float("nan"))
    assert 0.0 < cl.Lognormal(15.0, 19.0).partial_moment(2, 1.0) < 1.0   # E[X^2] overflows
