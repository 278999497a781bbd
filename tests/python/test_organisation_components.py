"""The component data (cyberloss.organisation.components) and the core's per-incident pieces
that use it (normal quantile, share draws, downtime, business interruption, effort)."""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from scipy import special, stats

from cyberloss import _core
from cyberloss import random as clrandom
from cyberloss.organisation import Controls, incident_type
from cyberloss.organisation import components as comp

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
    z = clrandom.normal_quantile(u)
    ref = special.ndtri(u)
    assert np.max(np.abs(z - ref) / np.maximum(np.abs(ref), 1.0)) < 1e-14


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, np.nan])
def test_normal_quantile_refuses_outside_open_interval(bad):
    with pytest.raises(ValueError, match="u must be"):
        clrandom.normal_quantile(np.array([0.5, bad]))


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
    s = np.asarray(data.mean_shares(attack_type))
    assert s.shape == (8,) and np.all(s > 0)
    assert s.sum() == pytest.approx(1.0, abs=1e-12)


def test_controls_in_data_match_the_profile_controls(data):
    assert set(data.control_names) == set(Controls.names())


def test_drawn_shares_sum_to_one_and_centre_on_the_means(data):
    n = 20_000
    # a deterministic low-discrepancy design (unscrambled Halton, first point dropped)
    u = np.zeros((n, 16))
    u[:, :8] = stats.qmc.Halton(d=8, scramble=False).random(n + 1)[1:]
    u[:, 8:] = 0.5
    m = np.asarray(data.mean_shares("ransomware"))
    model = _core.IncidentModel(incident_type(data, "ransomware"), _core.IncidentFactors())
    parts = model.from_uniforms(np.ones(n), np.full(n, 0.5), np.full(n, 0.5), u)
    s = np.column_stack([parts[c] for c in comp.RESPONSE])
    assert np.allclose(s.sum(axis=1), 1.0)
    assert np.all(s > 0)
    # with unit-mean lognormal weights the mean share stays within 15% of the target
    assert np.all(np.abs(s.mean(axis=0) / m - 1) < 0.15)


def test_lognormal_days_quantile_and_mean():
    d = _core.DowntimeDistribution.lognormal(44.5, 1.01)
    assert d.quantile(np.array([0.5]))[0] == pytest.approx(44.5, rel=1e-14)
    assert d.mean() == pytest.approx(stats.lognorm(1.01, scale=44.5).mean(), rel=1e-12)
    assert d.sf(100) == pytest.approx(stats.lognorm(1.01, scale=44.5).sf(100), rel=1e-12)
    effort = incident_type(comp.load(), "ransomware")    # mean 19.7 person-months, sigma 1
    assert effort.effort_median * math.exp(0.5) == pytest.approx(19.7, rel=1e-14)


def test_card_suspension_reproduces_jnsa_in_closed_form(data):
    card = facts()["survey"]["web_leak_with_card"]
    d = data.downtime("web_leak_card")
    assert d.is_card_suspension
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
    card = _core.IncidentModel(incident_type(data, "web_leak_card"), _core.IncidentFactors())
    days = [card.business_interruption_days(d) for d in (10.0, 20.0, 131.8)]
    assert days == pytest.approx([10.0, 20.0, 20.0 + 0.5 * 111.8])
    assert data.closure("ransomware") is None
    ransomware = _core.IncidentModel(incident_type(data, "ransomware"), _core.IncidentFactors())
    assert ransomware.business_interruption_days(7.0) == pytest.approx(7.0)


def test_effort_means_are_the_published_jnsa_means(data):
    survey = facts()["survey"]
    expected = {"ransomware": survey["ransomware"]["internal_person_months_mean"]["value"],
                "web_leak_card": survey["web_leak_with_card"]["internal_person_months_mean"]["value"],
                "web_leak_personal": survey["web_leak_personal_only"]["internal_person_months_mean"]["value"]}
    n = 400_000
    for t, mean in expected.items():
        assert data.effort(t)[0] == pytest.approx(mean, rel=1e-12)
        model = _core.IncidentModel(incident_type(data, t), _core.IncidentFactors(labour_cost_month=1.0))
        parts = model.from_uniforms(np.ones(n), np.full(n, 0.5), grid(n), np.full((n, 16), 0.5))
        assert parts["internal_effort"].mean() == pytest.approx(mean, rel=2e-3)


def test_overrides_change_a_factor_and_refuse_unknown_paths():
    d = comp.load(overrides={"controls.restore_drills.downtime.ransomware": 0.3,
                             "controls.edr.downtime.emotet": 0.9})
    assert d.control("restore_drills")["downtime"]["ransomware"] == 0.3
    assert d.control("edr")["downtime"]["emotet"] == 0.9
    assert comp.load().control("restore_drills")["downtime"]["ransomware"] == 0.5
    with pytest.raises(ValueError, match="no key 'nonsense'"):
        comp.load(overrides={"controls.nonsense.downtime": 1})
    with pytest.raises(ValueError, match="sum to 1"):
        comp.load(overrides={"shares.ransomware.values.recovery": 0.9})
    with pytest.raises(ValueError, match="downtime.ransomware: downtime median must be"):
        comp.load(overrides={"downtime.ransomware.median": -1.0})


@pytest.mark.parametrize("path, value, english, japanese", [
    # a misspelt attack type was added to the factor table and silently never read
    ("controls.restore_drills.downtime.ransomwar", 0.3, "override path 'controls.restore_drills.downtime."
     "ransomwar': no key 'ransomwar'", "controls.restore_drills.downtime.ransomwar: キー 'ransomwar' はない"
     "（使えるキー: all, ransomware, web_leak_card, web_leak_personal, emotet, other, minor）"),
    ("controls.restore_drill.downtime.emotet", 0.3, "no key 'restore_drill'",
     "controls.restore_drill.downtime.emotet: キー 'restore_drill' はない（使えるキー: offline_backups, "
     "restore_drills, mfa_remote_access, edr, ir_retainer）"),
    ("controls.ir_retainer.severity.all.recovry", 0.9, "no key 'recovry'",
     "controls.ir_retainer.severity.all.recovry: キー 'recovry' はない（使えるキー: investigation, recovery, legal, "
     "notification, callcenter, condolence, liability, prevention）"),
    ("controls.edr.severity.ransomware.recovery", 0.5, "no key 'ransomware'",
     "controls.edr.severity.ransomware.recovery: キー 'ransomware' はない（使えるキー: なし）"),
    ("controls.restore_drills", 3, "controls.restore_drills must be a table like the value it replaces, got 3",
     "controls.restore_drills には置き換える値と同じ表（テーブル）を指定する（入力: 3）"),
    ("controls.restore_drills.label_ja", 3, "must be a text like the value it replaces",
     "controls.restore_drills.label_ja には置き換える値と同じ文字列を指定する（入力: 3）"),
    ("controls.edr.frequency.all", "x", "must be a finite number, got 'x'",
     "controls.edr.frequency.all には有限の数値を指定する（入力: 'x'）"),
    ("controls.edr.label_ja.x", 1, "label_ja holds", "controls.edr.label_ja.x には controls.edr.label_ja"
     " までの表のキーのパス（controls.edr.label_ja は文字列で、表ではない）を指定する"),
])
def test_a_bad_override_is_refused_in_english_and_japanese(path, value, english, japanese):
    with pytest.raises(ValueError, match=re.escape(english)) as refused:
        comp.load(overrides={path: value})
    assert refused.value.japanese() == japanese
    # a type a factor table does not list yet may be added, and a component to a severity table
    added = comp.load(overrides={"controls.restore_drills.downtime.emotet": 0.8,
                                 "controls.ir_retainer.severity.all.recovery": 0.7}).raw["controls"]
    assert added["restore_drills"]["downtime"]["emotet"] == 0.8
    assert added["ir_retainer"]["severity"]["all"] == {"investigation": 0.8, "legal": 0.9, "recovery": 0.7}


def test_bad_distribution_parameters_are_refused():
    with pytest.raises(ValueError, match="median must be"):
        _core.DowntimeDistribution.lognormal(-1.0, 0.5)
    with pytest.raises(ValueError, match="long_probability"):
        _core.DowntimeDistribution.card_suspension(1.2, 180, 15, 20, 0.8)
