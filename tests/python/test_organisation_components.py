"""Component data and the pure-NumPy pieces of cyberloss.components (no engine needed)."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import special, stats

from cyberloss import components as comp
from cyberloss.organisation import Controls

FACTS = "/work/shared/reference/calibration-facts.json"
TYPES = ("ransomware", "web_leak_card", "web_leak_personal", "emotet", "other")


def facts():
    with open(FACTS, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def data():
    return comp.load()


def grid(n):
    """Midpoint grid on (0, 1): integrates a quantile function deterministically."""
    return (np.arange(n) + 0.5) / n


def test_normal_quantile_matches_scipy():
    u = np.concatenate([np.logspace(-300, -1, 400), np.linspace(0.01, 0.99, 999), 1 - np.logspace(-16, -1, 200)])
    u = u[(u > 0) & (u < 1)]
    z = comp.standard_normal_quantile(u)
    ref = special.ndtri(u)
    assert np.max(np.abs(z - ref) / np.maximum(np.abs(ref), 1.0)) < 1e-14


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, np.nan])
def test_normal_quantile_refuses_outside_open_interval(bad):
    with pytest.raises(ValueError, match="u must lie strictly inside"):
        comp.standard_normal_quantile(np.array([0.5, bad]))


def test_every_number_has_quality_and_source(data):
    raw = data.raw
    for section in ("shares", "downtime", "effort", "controls"):
        for key, spec in raw[section].items():
            if key == "about":
                continue
            assert spec["quality"] in ("published", "derived", "approximate", "assumption"), (section, key)
            assert spec["source"], (section, key)
            if spec["quality"] == "assumption":
                assert spec.get("reasoning"), (section, key)
    for key, spec in raw["records"]["unit_costs"].items():
        assert spec["quality"] and spec["source"], key
    for group in ("by_industry", "by_size"):
        for key, spec in raw["profile_defaults"][group].items():
            assert spec["quality"] and spec["source"], key


@pytest.mark.parametrize("attack_type", TYPES)
def test_mean_shares_sum_to_one(data, attack_type):
    s = data.mean_shares(attack_type)
    assert s.shape == (8,) and np.all(s > 0)
    assert s.sum() == pytest.approx(1.0, abs=1e-12)


def test_controls_in_data_match_the_profile_controls(data):
    assert set(data.control_names) == set(Controls.names())


def test_drawn_shares_sum_to_one_and_centre_on_the_means(data):
    n = 20_000
    # a deterministic low-discrepancy design (unscrambled Halton, first point dropped)
    u = stats.qmc.Halton(d=8, scramble=False).random(n + 1)[1:]
    m = data.mean_shares("ransomware")
    s = comp.draw_shares(m, data.dispersion, u)
    assert np.allclose(s.sum(axis=1), 1.0)
    assert np.all(s > 0)
    # with unit-mean lognormal weights the mean share stays within 15% of the target
    assert np.all(np.abs(s.mean(axis=0) / m - 1) < 0.15)


def test_lognormal_days_quantile_and_mean():
    d = comp.LognormalDays(44.5, 1.01)
    assert d.quantile(0.5) == pytest.approx(44.5, rel=1e-14)
    assert d.mean() == pytest.approx(stats.lognorm(1.01, scale=44.5).mean(), rel=1e-12)
    assert d.sf(100) == pytest.approx(stats.lognorm(1.01, scale=44.5).sf(100), rel=1e-12)
    e = comp.LognormalDays.from_mean(19.7, 1.0)
    assert e.mean() == pytest.approx(19.7, rel=1e-14)


def test_card_suspension_reproduces_jnsa_in_closed_form(data):
    card = facts()["survey"]["web_leak_with_card"]
    d = data.downtime("web_leak_card")
    assert isinstance(d, comp.CardSuspension)
    assert d.mean() == pytest.approx(card["card_payment_suspension_days_mean"]["value"], rel=1e-3)
    assert d.sf(180.0) >= card["card_payment_suspension_at_least_6_months_share"]["value"]
    # the quantile integrates to the closed-form mean and is monotone (common random numbers)
    u = grid(2_000_000)
    q = d.quantile(u)
    assert np.all(np.diff(q) >= 0)
    assert q.mean() == pytest.approx(d.mean(), rel=1e-3)
    assert np.mean(q >= 180.0) == pytest.approx(d.sf(180.0), abs=1e-5)


def test_card_leak_interruption_days(data):
    closure = data.closure("web_leak_card")
    assert closure == (20.0, 0.5)
    days = comp.business_interruption_days(np.array([10.0, 20.0, 131.8]), closure)
    assert days == pytest.approx([10.0, 20.0, 20.0 + 0.5 * 111.8])
    assert data.closure("ransomware") is None
    assert comp.business_interruption_days(np.array([7.0]), None) == pytest.approx([7.0])


def test_effort_means_are_the_published_jnsa_means(data):
    survey = facts()["survey"]
    expected = {"ransomware": survey["ransomware"]["internal_person_months_mean"]["value"],
                "web_leak_card": survey["web_leak_with_card"]["internal_person_months_mean"]["value"],
                "web_leak_personal": survey["web_leak_personal_only"]["internal_person_months_mean"]["value"]}
    for t, mean in expected.items():
        assert data.effort(t).mean() == pytest.approx(mean, rel=1e-12)
        assert data.effort(t).quantile(grid(400_000)).mean() == pytest.approx(mean, rel=2e-3)


def test_overrides_change_a_factor_and_refuse_unknown_paths():
    d = comp.load(overrides={"controls.restore_drills.downtime.ransomware": 0.3,
                             "controls.edr.downtime.emotet": 0.9})
    assert d.control("restore_drills")["downtime"]["ransomware"] == 0.3
    assert d.control("edr")["downtime"]["emotet"] == 0.9
    assert comp.load().control("restore_drills")["downtime"]["ransomware"] == 0.5
    with pytest.raises(ValueError, match="no key 'nonsense'"):
        comp.load(overrides={"controls.nonsense.downtime": 1})
    with pytest.raises(ValueError, match="sum to 1"):
        comp.load(overrides={"shares.ransomware.values.recovery": 0.9}).mean_shares("ransomware")


def test_bad_distribution_parameters_are_refused():
    with pytest.raises(ValueError, match="median must be a finite number > 0"):
        comp.LognormalDays(-1.0, 0.5)
    with pytest.raises(ValueError, match="long_probability"):
        comp.CardSuspension(1.2, 180, 15, 20, 0.8)
