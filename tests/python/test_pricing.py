"""Premium principles against their formulas on cases with known answers."""
import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cyberloss import results, stats
from cyberloss.insurance import pricing, terms
from cyberloss.insurance.pricing import ExpectedValue, Loads, StandardDeviation, TVaRCostOfCapital, WangTransform


def result_with(liability, investigation=None):
    """An InsuredResult whose insured annual losses are the given per-year values."""
    liability = np.asarray(liability, dtype=float)
    n = liability.size
    inv = np.zeros(n) if investigation is None else np.asarray(investigation, dtype=float)
    ev = terms.event_table(np.arange(n), liability=liability, investigation=inv)
    policy = terms.CoverageTerms(sections={"liability": {}, "response": {}})
    return terms.apply(policy, ev, n)


X = np.arange(1.0, 201.0)  # 1..200, mean 100.5


def test_expected_value_principle():
    assert pricing.risk_premium(X, ExpectedValue(0.25)) == pytest.approx(1.25 * 100.5, rel=1e-14)


def test_standard_deviation_principle():
    expected = 100.5 + 0.5 * np.std(X, ddof=1)
    assert pricing.risk_premium(X, StandardDeviation(0.5)) == pytest.approx(expected, rel=1e-13)


def test_tvar_cost_of_capital_principle():
    # n = 200, p = 0.9525: VaR is the ceil(190.5) = 191st order statistic, 191;
    # TVaR = 191 + (1 + ... + 9) / (200 * 0.0475) = 191 + 45 / 9.5
    tvar = 191.0 + 45.0 / 9.5
    assert pricing.risk_premium(X, TVaRCostOfCapital(0.9525, 0.0)) == pytest.approx(100.5)
    p = pricing.risk_premium(X, TVaRCostOfCapital(level=0.9525, rate=0.1))
    assert p == pytest.approx(100.5 + 0.1 * (tvar - 100.5), rel=1e-13)


def test_wang_transform_two_point_law():
    # X = 1 with probability 0.1, else 0: the Wang premium is g(0.1) = Phi(Phi^-1(0.1) + lam)
    x = np.zeros(1000)
    x[::10] = 1.0
    expected = NormalDist().cdf(NormalDist().inv_cdf(0.1) + 0.3)
    assert pricing.risk_premium(x, WangTransform(0.3)) == pytest.approx(expected, rel=1e-12)
    assert pricing.risk_premium(x, WangTransform(0.0)) == pytest.approx(0.1, rel=1e-12)


def test_wang_transform_of_lognormal_is_lognormal_with_shifted_mu():
    # Wang (2000): the transform of lognormal(mu, sigma) is lognormal(mu + lam sigma, sigma)
    mu, sigma, lam, n = 2.0, 0.5, 0.4, 200_000
    x = sps.lognorm.ppf((np.arange(n) + 0.5) / n, sigma, scale=math.exp(mu))
    exact = math.exp(mu + lam * sigma + sigma**2 / 2)
    assert pricing.risk_premium(x, WangTransform(lam)) == pytest.approx(exact, rel=2e-3)


def test_loads_gross_up_and_sections_add_up():
    rng = np.random.default_rng(3)
    liab = rng.exponential(1e6, 2000) * (rng.random(2000) < 0.3)
    inv = rng.exponential(5e5, 2000) * (rng.random(2000) < 0.5)
    res = result_with(liab, inv)
    loads = Loads(expense_ratio=0.3, profit_ratio=0.05, fixed_expense=1e4)
    for principle in pricing.DEFAULT_PRINCIPLES:
        prem = pricing.premium(res, principle, loads)
        rp = pricing.risk_premium(liab + inv, principle)
        assert prem.risk_premium.value == pytest.approx(rp, rel=1e-12)
        assert prem.technical_premium.value == pytest.approx((rp + 1e4) / 0.65, rel=1e-12)
        table = prem.by_section
        parts = table.drop(index="total")
        assert parts["risk_premium"].sum() == pytest.approx(rp, rel=1e-10)
        assert parts["technical_premium"].sum() == pytest.approx(prem.technical_premium.value,
                                                                 rel=1e-10)
        assert parts.loc["liability", "expected_loss"] == pytest.approx(liab.mean(), rel=1e-12)
        assert 0 < prem.risk_premium.se < 0.2 * rp
    ev = pricing.premium(res, ExpectedValue(0.2), Loads.none()).by_section
    assert ev.loc["response", "risk_premium"] == pytest.approx(1.2 * inv.mean(), rel=1e-12)


def test_premiums_share_one_ranking_and_give_each_premiums_numbers():
    # Ties, zero years stored and not, TVaR ranked beside Wang: every figure is premium()'s.
    rng = np.random.default_rng(11)
    n = 30_000
    liab = np.round(rng.exponential(1e6, n), -5) * (rng.random(n) < 0.2)
    inv = rng.exponential(5e5, n) * (rng.random(n) < 0.3)
    res = result_with(liab, inv)
    loads = Loads(expense_ratio=0.3, profit_ratio=0.05, fixed_expense=1e4)
    principles = [*pricing.DEFAULT_PRINCIPLES, TVaRCostOfCapital(0.9, 0.2), "wang"]
    flags = [True, False, True, False, True, False]
    together = pricing.premiums(res, principles, loads, by_section=flags)
    for spec, flag, got in zip(principles, flags, together):
        alone = pricing.premium(res, spec, loads, by_section=flag)
        assert (got.principle, got.label) == (alone.principle, alone.label)
        for field in ("expected_loss", "risk_premium", "technical_premium"):
            assert (getattr(got, field).value, getattr(got, field).se) == \
                (getattr(alone, field).value, getattr(alone, field).se)
        pd.testing.assert_frame_equal(got.by_section, alone.by_section, check_exact=True)
    table = pricing.quote_table(res, principles, loads)
    pd.testing.assert_frame_equal(pricing.premium_table(together), table, check_exact=True)
    with pytest.raises(ValueError, match="by_section has 1 flags for 6 principles"):
        pricing.premiums(res, principles, loads, by_section=[True])


def test_a_view_ranked_for_the_premiums_gives_the_statistics_and_ep_points_of_a_fresh_one():
    rng = np.random.default_rng(5)
    n = 20_000
    liab = np.round(rng.exponential(1e6, n), -5) * (rng.random(n) < 0.3)
    ranked, fresh = result_with(liab), result_with(liab)
    assert ranked.is_sparse
    pricing.premiums(ranked, pricing.DEFAULT_PRINCIPLES)   # ranks the insured view once
    assert ranked.sample("insured")._ranking is not None
    assert fresh.sample("insured")._ranking is None
    levels = [0.5, 0.9, 0.99, 0.999]
    pd.testing.assert_frame_equal(ranked.describe(levels), fresh.describe(levels), check_exact=True)
    pd.testing.assert_frame_equal(ranked.ep_curve(view="insured"), fresh.ep_curve(view="insured"),
                                  check_exact=True)
    with pytest.raises(ValueError, match="only a sparse sample is ranked"):
        stats.Sample.dense(liab).ranking()


def test_risk_loads_are_ordered_sensibly():
    rng = np.random.default_rng(4)
    res = result_with(rng.lognormal(13, 1.5, 5000) * (rng.random(5000) < 0.05))
    table = pricing.quote_table(res, loads=Loads.none())
    assert np.all(table["risk_premium"] >= table["expected_loss"])
    assert set(table.index) == {"expected_value", "standard_deviation", "tvar_cost_of_capital",
                                "wang"}


@pytest.mark.parametrize("spec,field", [
    ({"name": "expected_value", "loading": -0.1}, "loading"),
    ({"name": "standard_deviation", "k": float("nan")}, "k"),
    ({"name": "tvar_cost_of_capital", "level": 1.0}, "level"),
    ({"name": "tvar_cost_of_capital", "rate": 1.5}, "rate"),
    ({"name": "wang", "lam": -1}, "lam"),
    ({"name": "wang", "lambda": 1}, "lambda"),
    ({"name": "variance"}, "principle"),
])
def test_bad_principles_are_refused(spec, field):
    with pytest.raises(ValueError, match=field):
        pricing.principle_from(spec)


@pytest.mark.parametrize("kwargs,field", [
    ({"expense_ratio": -0.1}, "expense_ratio"),
    ({"profit_ratio": 1.0}, "profit_ratio"),
    ({"expense_ratio": 0.6, "profit_ratio": 0.5}, "expense_ratio"),
    ({"fixed_expense": -1}, "fixed_expense"),
])
def test_bad_loads_are_refused(kwargs, field):
    with pytest.raises(ValueError, match=field):
        Loads(**kwargs)


@pytest.mark.parametrize("principle", [ExpectedValue(0.3), StandardDeviation(0.2),
                                       TVaRCostOfCapital(0.99, 0.1), WangTransform(0.25)])
def test_premium_standard_error_matches_replication_spread(principle):
    rng = np.random.default_rng(17)
    premiums, ses = [], []
    for _ in range(60):
        n = 20_000
        x = rng.lognormal(14, 1.2, n) * (rng.random(n) < 0.1)
        res = result_with(x)
        p = pricing.premium(res, principle, Loads.none(), by_section=False)
        premiums.append(p.risk_premium.value)
        ses.append(p.risk_premium.se)
    # batch means with 20 batches: the SE of an SE is ~16%, plus the spread over 60 runs
    assert np.mean(ses) == pytest.approx(np.std(premiums, ddof=1), rel=0.35)


def test_risk_premium_states_the_years_it_needs():
    with pytest.raises(ValueError, match="at least 100 years"):
        pricing.risk_premium(np.ones(50), "expected_value")


def test_amounts_too_large_for_their_moments_give_infinite_errors_not_nan():
    # squares of 1e160 overflow: the standard deviation and every SE built on it are +inf (the
    # CLI reports them as not finite), never NaN; the standard deviation principle, which
    # needs sd itself, refuses rather than dropping its loading
    huge = np.r_[np.zeros(190), np.arange(1, 11) * 1e160]
    t = results.YearLossTable(200, {"gross": huge}, views=["gross"])
    table = t.describe()
    assert not table.isna().any().any()
    assert np.isinf(table.loc["std", "gross"]) and np.isinf(table.loc["mean", "gross_se"])
    assert np.isinf(pricing.premium(t, ExpectedValue(0.2), view="gross").risk_premium.se)
    with pytest.raises(ValueError, match="finite standard deviation"):
        pricing.premium(t, StandardDeviation(0.2), view="gross")
    # fourth powers of 1e80 overflow, squares do not: sd is exact, its SE infinite
    large = np.r_[np.zeros(190), np.arange(1, 11) * 1e80]
    sd = stats.std(large)
    assert sd == pytest.approx(float(np.std(large / 1e80, ddof=1)) * 1e80) and np.isinf(sd.se)
    p = pricing.premium(results.YearLossTable(200, {"gross": large}, views=["gross"]),
                       StandardDeviation(0.2), view="gross")
    assert np.isfinite(float(p.risk_premium)) and np.isinf(p.risk_premium.se)
