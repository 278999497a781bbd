"""The Poisson margin fit: published margins, interactions, reporting basis (acceptance 1, 3, 4)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberloss import calibration
from cyberloss.calibration import jnsa
from cyberloss.calibration._glm import fit_poisson_margins

FACTS = "/work/shared/reference/calibration-facts.json"


@pytest.fixture(scope="module")
def cal():
    return calibration.load()


@pytest.fixture(scope="module")
def facts():
    with open(FACTS, encoding="utf-8") as fh:
        return json.load(fh)["publicised_cases"]


def test_every_published_margin_within_half_a_percent(cal, facts):
    table = jnsa.model_margins(cal).set_index(["table", "category"])
    expected = {("size", k): facts["by_size_cumulative"][k]["value"] for k in ("large", "sme", "organisation")}
    expected.update({("industry", k): facts["by_industry_cumulative"][k]["value"]
                     for k in ("manufacturing", "wholesale_retail", "information_communications",
                               "services", "all_other_industries")})
    expected.update({("attack_type", k): facts["by_attack_type_cumulative"][k]["value"]
                     for k in ("ransomware", "web_leak", "emotet", "other")})
    expected[("attack_type_recent", "ransomware")] = facts["by_attack_type_recent"]["ransomware"]["value"]
    expected[("attack_type_recent", "emotet")] = facts["by_attack_type_recent"]["emotet"]["value"]
    expected[("attack_type_recent", "total")] = facts["total_recent"]["value"]
    for key, published in expected.items():
        assert table.loc[key, "published"] == published, key
        assert table.loc[key, "model"] == pytest.approx(published, rel=0.005), key
    # the ML fit reproduces them to solver precision, not just 0.5%
    assert np.abs(table["relative_difference"]).max() < 1e-9
    assert cal.frequency.glm.max_relative_gap() < 1e-10


def test_interactions_within_two_points(cal):
    shares = jnsa.interaction_shares(cal).set_index("interaction")
    assert abs(shares.loc["ransomware_share_manufacturing", "model"] - 0.40) < 0.02
    assert abs(shares.loc["web_leak_share_sme", "model"] - 0.60) < 0.02


def test_reconciliation_of_1887_and_1842(cal):
    # type events: the four type counts are matched and incidents = events / (1887/1842)
    assert cal.frequency.multiplicity == pytest.approx(1887 / 1842)
    assert cal.expected_counts()["expected"].sum() == pytest.approx(1887)
    scaled = calibration.load(overrides={"attack_type_reconciliation": "scale_to_total"})
    assert scaled.frequency.multiplicity == 1.0
    assert scaled.expected_counts()["expected"].sum() == pytest.approx(1842)
    t = jnsa.model_margins(scaled).set_index(["table", "category"])
    assert t.loc[("attack_type", "ransomware"), "model"] == pytest.approx(345 * 1842 / 1887)
    assert t.loc[("size", "sme"), "model"] == pytest.approx(814)


def test_web_leak_split_and_other_industries_by_exposure_and_weight(cal):
    counts = cal.expected_counts()
    by_type = counts.groupby("attack_type")["expected"].sum()
    assert by_type["web_leak_card"] == pytest.approx(594 * 0.5)
    assert by_type["web_leak_personal"] == pytest.approx(594 * 0.5)
    # the nine unnamed industries share one coefficient: companies' rates per organisation are
    # proportional to the stated industry weights (equal where the weights are)
    rest = ["construction", "accommodation_food", "real_estate", "transport_postal", "other"]
    weights = cal.data.value("industry_weight.company")
    rates = [cal.rate("other", i, "sme") / weights[i] for i in rest]
    assert np.allclose(rates, rates[0], rtol=1e-12)
    assert cal.rate("ransomware", "manufacturing", "sme") > cal.rate("ransomware", "construction", "sme")


def test_recent_period_effect(cal):
    counts = cal.expected_counts()
    recent = counts[counts["window"] == "recent"].groupby("attack_type")["expected"].sum()
    assert recent["ransomware"] / recent.sum() == pytest.approx(174 / 522)
    assert recent["emotet"] / recent.sum() == pytest.approx(10 / 522)
    for i, s in (("manufacturing", "large"), ("medical_welfare", "organisation")):
        early_ransom = cal.rate("ransomware", i, s, period="cumulative")
        assert cal.rate("ransomware", i, s, period="recent") > early_ransom
        assert cal.rate("emotet", i, s, period="recent") < cal.rate("emotet", i, s, period="cumulative")


def test_reporting_factor_moves_all_incidents_only(cal):
    """Acceptance 4: an assumption change moves the all-incidents basis, not the reproduction."""
    changed = calibration.load(overrides={"reporting_factor.sme": 15.0})
    for a in cal.attack_types:
        assert changed.rate(a, "manufacturing", "sme", basis="all") == pytest.approx(
            cal.rate(a, "manufacturing", "sme", basis="all") * 15.0 / 9.0)
        assert changed.rate(a, "manufacturing", "sme", basis="publicised") == cal.rate(
            a, "manufacturing", "sme", basis="publicised")
        assert changed.rate(a, "services", "large", basis="all") == cal.rate(
            a, "services", "large", basis="all")
    pub, alld = changed.expected_counts(), changed.expected_counts("all")
    sme = (pub["size"] == "sme").to_numpy()
    assert np.allclose(alld["expected"][sme], 15.0 * pub["expected"][sme])
    assert np.array_equal(alld["expected"][~sme], cal.expected_counts("all")["expected"][~sme])
    before = jnsa.model_margins(cal)
    after = jnsa.model_margins(changed)
    assert np.array_equal(before["model"].to_numpy(), after["model"].to_numpy())
    assert changed.rate("ransomware", "manufacturing", "sme", basis="all") == pytest.approx(
        15.0 * changed.rate("ransomware", "manufacturing", "sme", basis="publicised"))


def test_rates_table_states_basis_and_period(cal):
    table = cal.rates(basis="all", period="recent")
    assert set(table["basis"]) == {"all"} and set(table["period"]) == {"recent"}
    assert len(table) == 5 * len(cal.industries) * 3
    assert (table["rate"] > 0).all() and np.isfinite(table["rate"]).all()


def test_bad_arguments_are_named(cal):
    with pytest.raises(ValueError, match="industry must be one of .* got 'fishing'"):
        cal.rate("ransomware", "fishing", "sme")
    with pytest.raises(ValueError, match="size must be one of"):
        cal.rate("ransomware", "manufacturing", "micro")
    with pytest.raises(ValueError, match="basis must be one of publicised, all, got 'true'"):
        cal.rate("ransomware", "manufacturing", "sme", basis="true")


def test_irls_recovers_a_known_model():
    """Margins computed from a known main-effects model give back its coefficients."""
    rows, cols = np.indices((4, 3))
    rows, cols = rows.ravel(), cols.ravel()
    X = np.column_stack([np.ones(12), rows == 1, rows == 2, rows == 3, cols == 1, cols == 2]).astype(float)
    beta = np.array([-3.0, 0.5, -0.2, 1.0, 0.3, -0.7])
    offset = np.log(np.linspace(50, 500, 12))
    mu = np.exp(offset + X @ beta)
    fit = fit_poisson_margins(X, X.T @ mu, offset, tuple("abcdef"))
    assert np.allclose(fit.beta, beta, atol=1e-10)
    assert np.allclose(fit.covariance, np.linalg.inv(X.T @ (mu[:, None] * X)))


def test_irls_failure_is_explained():
    X = np.column_stack([np.ones(4), [1.0, 1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="did not converge in 2 iterations: margin 'a' target 10, fitted"):
        fit_poisson_margins(X, np.array([10.0, 3.0]), np.log([1.0, 1.0, 100.0, 100.0]), ("a", "b"),
                            max_iter=2)
    with pytest.raises(ValueError, match="do not identify"):
        fit_poisson_margins(np.ones((4, 2)), np.array([10.0, 10.0]), np.zeros(4), ("a", "b"))
    with pytest.raises(ValueError, match="margin 'b' must be > 0, got 0"):
        fit_poisson_margins(X, np.array([10.0, 0.0]), np.zeros(4), ("a", "b"))
    with pytest.raises(ValueError, match="margin 'b' must be > 0, got -1"):
        fit_poisson_margins(X, np.array([10.0, -1.0]), np.zeros(4), ("a", "b"))


def test_interaction_share_is_overridable():
    changed = calibration.load(overrides={"interactions.ransomware_share_manufacturing": 0.3})
    shares = jnsa.interaction_shares(changed).set_index("interaction")
    assert shares.loc["ransomware_share_manufacturing", "model"] == pytest.approx(0.3)
    assert shares.loc["ransomware_share_manufacturing", "quality"] == "assumption"
    # the margins are still reproduced; manufacturing ransomware rates fall
    assert np.abs(jnsa.model_margins(changed)["relative_difference"]).max() < 1e-9
    base = calibration.load()
    assert changed.rate("ransomware", "manufacturing", "large") < base.rate("ransomware", "manufacturing", "large")
    with pytest.raises(ValueError, match=r"interactions.web_leak_share_sme.*\(0, 1\), got 1.2"):
        calibration.load(overrides={"interactions.web_leak_share_sme": 1.2})


@settings(max_examples=25, deadline=None)
@given(card=st.floats(0.05, 0.95), organisations=st.floats(2e4, 2e6),
       sme_factor=st.floats(1.0, 30.0), reconciliation=st.sampled_from(["type_events", "scale_to_total"]))
def test_any_admissible_assumptions_still_reproduce_the_margins(card, organisations, sme_factor,
                                                                reconciliation):
    """Assumptions move rates, never the fit to the published incident margins."""
    c = calibration.load(overrides={"web_leak_card_share": card, "exposure.organisation": organisations,
                                    "reporting_factor.sme": sme_factor,
                                    "attack_type_reconciliation": reconciliation})
    table = jnsa.model_margins(c)
    incidents = table[table["table"].isin(["size", "industry", "attack_type_recent"])]
    assert np.allclose(incidents["model"], incidents["published"], rtol=1e-9)
    shares = jnsa.interaction_shares(c)
    assert np.allclose(shares["model"], shares["target"], atol=1e-9)
    rates = c.rates("all", "recent")
    assert np.isfinite(rates["rate"]).all() and (rates["rate"] > 0).all()
