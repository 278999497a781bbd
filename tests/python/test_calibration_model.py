"""default_model, heavy tail and parameter uncertainty, checked with the engine."""
from __future__ import annotations

import numpy as np
import pytest

import cyberloss as cl
from cyberloss import calibration
from cyberloss.calibration import uncertainty


@pytest.fixture(scope="module")
def cal():
    return calibration.load()


def test_default_model_matches_rates_and_severities(cal):
    model = cal.default_model("manufacturing", "sme")
    names = [a.name for a in model.attack_types]
    assert names == cal.attack_types
    table = cal.model_table("manufacturing", "sme")
    assert (table["basis"] == "all").all() and (table["period"] == "recent").all()
    for a, row in zip(model.attack_types, table.itertuples()):
        assert a.frequency.rate == pytest.approx(cal.rate(a.name, "manufacturing", "sme", "all", "recent"))
        assert a.severity.mean() == pytest.approx(row.severity_mean)
    # compound Poisson closed form for the annual mean, within 4 standard errors
    res = cl.simulate(model, years=400_000, seed=9)
    expected = float(table["rate"] @ table["severity_mean"])
    assert abs(res.mean() - expected) < 4 * res.mean_se()


def test_default_model_basis_changes_only_frequency(cal):
    pub = cal.default_model("services", "large", basis="publicised")
    alld = cal.default_model("services", "large", basis="all")
    for p, a in zip(pub.attack_types, alld.attack_types):
        assert a.frequency.rate == pytest.approx(p.frequency.rate * cal.reporting_factor("large"))
        assert a.severity.mean() == p.severity.mean()


def test_heavy_tail_option(cal):
    body = cal.severity("ransomware", "cumulative")
    spliced = cal.severity("ransomware", "cumulative", tail=True)
    assert isinstance(spliced, cl.SplicedLognormalGPD)
    assert spliced.threshold == pytest.approx(float(body.quantile(0.9)))
    assert spliced.xi == pytest.approx(0.3)
    # the body is untouched below the threshold, the tail is heavier above it
    assert float(spliced.cdf(spliced.threshold * 0.5)) == pytest.approx(float(body.cdf(spliced.threshold * 0.5)))
    assert float(spliced.quantile(0.999)) > float(body.quantile(0.999))
    assert cal.severity("ransomware", tail={"xi": 0.5}).xi == pytest.approx(0.5)
    with pytest.raises(ValueError, match="tail xi must be in"):
        cal.severity("ransomware", tail=1.2)
    with pytest.raises(ValueError, match="unknown keys"):
        cal.severity("ransomware", tail={"shape": 0.2})


def test_heavy_tail_model_simulates_finite_losses(cal):
    # issue 10, defect 1: every spliced severity came out of the engine as NaN.
    model = cal.default_model("manufacturing", "sme", tail=True)
    res = cl.simulate(model, years=200_000, seed=5, events=True)
    assert np.isfinite(res.annual_loss).all() and np.isfinite(res.by_type).all()
    loss = res.events["loss"]
    assert loss.size > 50 and np.isfinite(loss).all() and (loss > 0).all()
    # the tail is reached: some incidents lie above their type's splice threshold
    thresholds = np.array([a.severity.threshold for a in model.attack_types])
    assert (loss > thresholds[res.events["type"]]).any()


def test_uncertainty_with_heavy_tail(cal):
    res = uncertainty.simulate(cal, "manufacturing", "large", blocks=3, years_per_block=5_000,
                               seed=7, tail=True)
    assert np.isfinite(res.blocks.drop(columns=["block"]).to_numpy()).all()
    assert (res.blocks["mean"] > 0).all()


def test_parameter_draws_are_deterministic_and_centred(cal):
    a, b = uncertainty.draw(cal, 3, seed=1), uncertainty.draw(cal, 3, seed=1)
    assert np.array_equal(a.beta, b.beta)
    assert a.severity_fit("ransomware").mean == b.severity_fit("ransomware").mean
    assert not np.array_equal(a.beta, uncertainty.draw(cal, 4, seed=1).beta)
    draws = [uncertainty.draw(cal, k, seed=2) for k in range(400)]
    betas = np.array([d.beta for d in draws])
    se = np.sqrt(np.diag(cal.frequency.glm.covariance))
    # mean of 400 normal draws within 4 standard errors of beta-hat, spread matches the MLE's
    assert np.all(np.abs(betas.mean(axis=0) - cal.beta) < 4 * se / np.sqrt(400))
    assert np.allclose(betas.std(axis=0, ddof=1), se, rtol=0.2)
    # sigma*^2 = (n-1) sigma^2 / chi2_{n-1}: E = sigma^2 (n-1)/(n-3) for n = 29
    fit = cal.severity_fit("ransomware")
    s2 = np.array([d.severity_fit("ransomware").sigma ** 2 for d in draws])
    expected = fit.sigma ** 2 * 28 / 26
    sd = fit.sigma ** 2 * 28 * np.sqrt(2 / (26 ** 2 * 24))   # sd of scaled inverse chi-square
    assert abs(s2.mean() - expected) < 4 * sd / np.sqrt(400)
    # publicised margins of a draw move around the published ones (1,842 counts, not exact)
    from cyberloss import jnsa
    margins = np.array([jnsa.model_margins(d)["model"].to_numpy() for d in draws[:100]])
    assert margins[:, 0].std() > 5


def test_uncertainty_bands(cal):
    res = uncertainty.simulate(cal, "manufacturing", "large", blocks=12, years_per_block=20_000, seed=7)
    bands = res.bands((0.05, 0.95)).set_index("statistic")
    assert list(bands.index) == ["mean", "std", "var_99", "tvar_99"]
    assert (bands["q0.05"] < bands["q0.95"]).all()
    point = cl.simulate(cal.default_model("manufacturing", "large"), years=20_000, seed=7)
    assert bands.loc["mean", "q0.05"] < point.mean() < bands.loc["mean", "q0.95"]
    assert (res.describe()["basis"] == "all").all()
    with pytest.raises(ValueError, match="blocks must be an integer >= 2"):
        uncertainty.simulate(cal, "manufacturing", "sme", blocks=1, seed=7)
