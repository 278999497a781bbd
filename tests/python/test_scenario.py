"""Scenario mode: one described incident, deterministic (acceptance 1: the TMNF scenarios)."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberloss import Lognormal
from cyberloss.calibration import load as load_calibration
from cyberloss.organisation import OrganisationProfile
from cyberloss.organisation import components as comp
from cyberloss.organisation import scenario as scenario_mod

ROOT = Path(__file__).resolve().parents[2]
FACTS = "/work/shared/reference/calibration-facts.json"


def insurer_case(case_id):
    with open(FACTS, encoding="utf-8") as fh:
        cases = json.load(fh)["insurer_scenarios"]["cases"]
    return next(c for c in cases if c["id"] == case_id)


@pytest.mark.parametrize("case_id, path", [("TMNF-1", "examples/tmnf1.toml"), ("TMNF-2", "examples/tmnf2.toml")])
def test_insurer_scenarios_lost_profit_within_15_percent(case_id, path):
    case = insurer_case(case_id)
    scenario = scenario_mod.Scenario.from_toml(ROOT / path)
    # the example files carry the insurer's stated inputs, nothing fitted to the answer
    assert scenario.profile.revenue == case["revenue"] * 1e4
    assert scenario.profile.employees == case["employees"]
    assert "gross_margin" not in scenario.profile.given()
    if "ec_share_of_sales" in case:
        assert scenario.profile.ec_share == case["ec_share_of_sales"]
    stated_days = scenario.closure_days if scenario.closure_days is not None else scenario.downtime_days
    assert stated_days == case["downtime_days"]
    result = scenario.evaluate()
    target = case["components"]["lost_profit"] * 1e4
    assert result.lost_profit == pytest.approx(target, rel=0.15)


def test_tmnf1_lost_profit_is_the_closed_form():
    result = scenario_mod.Scenario.from_toml(ROOT / "examples/tmnf1.toml").evaluate()
    # revenue x manufacturing gross margin (default 0.20) / 365 x 100% stopped x 14 days
    assert result.lost_profit == pytest.approx(10e9 * 0.20 / 365 * 1.0 * 14, rel=1e-12)
    assert result.sources["share_affected"] == "given"
    assert sum(result.components[c] for c in comp.RESPONSE) == pytest.approx(6_500_000, rel=1e-12)
    assert result.components["internal_effort"] == pytest.approx(19.7 * 500_000, rel=1e-12)


def test_tmnf2_card_leak_closure_then_suspension():
    result = scenario_mod.Scenario.from_toml(ROOT / "examples/tmnf2.toml").evaluate()
    data = comp.load()
    suspension = data.downtime("web_leak_card").mean()
    assert result.downtime_days == pytest.approx(suspension)
    assert "mean of the downtime distribution" in result.sources["downtime_days"]
    days = 20 + 0.5 * (suspension - 20)
    assert result.interruption_days == pytest.approx(days)
    assert result.lost_profit == pytest.approx(2e8 * 0.25 / 365 * 0.8 * days, rel=1e-12)
    # record-driven parts follow the 1,000 records; the stated total of response costs holds
    assert result.components["notification"] == pytest.approx(1000 * 110)
    assert result.components["condolence"] == pytest.approx(1000 * 667)
    assert result.components["liability"] == pytest.approx(1000 * 2000)
    assert sum(result.components[c] for c in comp.RESPONSE) == pytest.approx(7_600_000, rel=1e-12)


def base_profile():
    from cyberloss.organisation import OrganisationProfile
    return OrganisationProfile(industry="manufacturing", size="sme", revenue=1e9)


@pytest.mark.parametrize("kw, message", [
    (dict(attack_type="phishing", downtime_days=3), "attack_type must be one of"),
    (dict(attack_type="ransomware", downtime_days=-3), "downtime_days must be a finite number >= 0"),
    (dict(attack_type="ransomware", downtime_days=3, share_affected=1.5), r"share_affected must be a finite number in \[0, 1\]"),
    (dict(attack_type="ransomware", downtime_days=3, records_exposed=-1), "records_exposed must be a whole number"),
    (dict(attack_type="ransomware", downtime_days=3, closure_days=5), "closure_days applies to card leaks only"),
    (dict(attack_type="ransomware", downtime_days=3, response_costs=100.0, records_exposed=10_000),
     "response_costs must cover the record-driven costs"),
])
def test_bad_scenarios_are_refused(kw, message):
    with pytest.raises(ValueError, match=message):
        scenario_mod.Scenario(profile=base_profile(), **kw).evaluate()


def test_scenario_toml_refuses_unknown_fields(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(textwrap.dedent("""
        [scenario]
        attack_type = "ransomware"
        downtime = 14
        [organisation]
        industry = "manufacturing"
        size = "sme"
        """), encoding="utf-8")
    with pytest.raises(ValueError, match="scenario: unknown field 'downtime'"):
        scenario_mod.Scenario.from_toml(path)


def test_a_file_without_the_scenario_tables_is_named_once(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[organisation]\nindustry = "製造業"\nsize = "中小企業"\n', encoding="utf-8")
    with pytest.raises(ValueError) as err:
        scenario_mod.Scenario.from_toml(path)
    assert str(err.value) == f"scenario file {path}: a scenario file needs [scenario] and [organisation] tables"


def test_scenario_components_scale_with_inputs():
    p = base_profile()
    one = scenario_mod.Scenario(profile=p, attack_type="ransomware", downtime_days=10, response_costs=1e7, person_months=4).evaluate()
    two = scenario_mod.Scenario(profile=p, attack_type="ransomware", downtime_days=20, response_costs=1e7, person_months=4).evaluate()
    assert two.lost_profit == pytest.approx(2 * one.lost_profit)
    assert one.components["internal_effort"] == pytest.approx(4 * p.labour_cost_month)
    assert one.lost_profit == pytest.approx(1e9 * 0.2 / 365 * p.it_dependency * 10)
    drills = scenario_mod.Scenario(profile=p.with_controls(restore_drills=True), attack_type="ransomware",
                          response_costs=1e7, person_months=4).evaluate()
    plain = scenario_mod.Scenario(profile=p, attack_type="ransomware", response_costs=1e7, person_months=4).evaluate()
    assert drills.downtime_days == pytest.approx(0.5 * plain.downtime_days)


def test_cli_scenario_json_prints_the_components(capsys):
    from cyberloss.cli import main

    assert main(["scenario", str(ROOT / "examples/tmnf1.toml"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for c in comp.COMPONENTS:
        assert isinstance(doc[c], float), c
    assert doc["lost_profit"] == pytest.approx(7_000 * 1e4, rel=0.15)
    assert doc["total"] == pytest.approx(sum(doc[c] for c in comp.COMPONENTS))
    assert doc["attack_type"] == "ransomware" and doc["downtime_days"] == 14
    assert "gross_margin" in doc["profile"] and doc["sources"]["share_affected"] == "given"


def test_cli_scenario_table(capsys):
    from cyberloss.cli import main

    assert main(["scenario", str(ROOT / "examples/tmnf2.toml"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "lost_profit" in out and "832万円" in out and "site closed 20 days" in out
    assert main(["scenario", str(ROOT / "examples/nope.toml")]) == 2
    assert "profile not found" in capsys.readouterr().err


@settings(max_examples=60, deadline=None)
@given(revenue=st.floats(1e7, 1e12), margin=st.floats(0.0, 1.0), share=st.floats(0.0, 1.0),
       d1=st.floats(0.0, 365.0), d2=st.floats(0.0, 365.0),
       attack_type=st.sampled_from(["ransomware", "web_leak_card", "web_leak_personal", "emotet", "other"]))
def test_lost_profit_is_monotone_in_downtime_and_linear_in_revenue(revenue, margin, share, d1, d2, attack_type):
    from cyberloss.organisation import OrganisationProfile

    lo, hi = sorted((d1, d2))
    p = OrganisationProfile(industry="services", size="sme", revenue=revenue, gross_margin=margin)
    def lp(profile, days):
        return scenario_mod.Scenario(profile=profile, attack_type=attack_type, downtime_days=days, share_affected=share,
                            response_costs=1e6, person_months=1.0).evaluate().lost_profit
    assert lp(p, lo) <= lp(p, hi) * (1 + 1e-12) + 1e-9
    assert lp(p.replace(revenue=2 * revenue), hi) == pytest.approx(2 * lp(p, hi), rel=1e-12, abs=1e-9)


def test_scenario_without_response_costs_uses_the_calibrated_survey_mean():
    from cyberloss import calibration

    cal = calibration.load()
    result = scenario_mod.Scenario(profile=base_profile(), attack_type="ransomware", downtime_days=30).evaluate(calibration=cal)
    response = sum(result.components[c] for c in comp.RESPONSE)
    assert response == pytest.approx(cal.severity("ransomware", period="recent").mean(), rel=1e-12)
    assert "published" in result.sources["investigation"]
    assert result.components["prevention"] == pytest.approx(0.28 * response, rel=1e-12)


def test_a_minor_incident_scenario_uses_the_calibrated_minor_laws():
    cal = load_calibration()
    profile = OrganisationProfile("manufacturing", "sme", employees=120)
    r = scenario_mod.Scenario(profile, "minor").evaluate()
    m = cal.minor()
    recovery = Lognormal(m.downtime.mu, m.downtime.sigma).mean()
    assert r.downtime_days == pytest.approx(recovery, rel=1e-12)
    assert r.person_months == pytest.approx(m.effort_mean, rel=1e-12)
    assert r.share_affected == pytest.approx(profile.it_dependency * m.share_affected, rel=1e-12)
    response = sum(r.components[c] for c in comp.RESPONSE)
    assert response == pytest.approx(cal.minor_severity("sme", 120).mean(), rel=1e-12)
    assert "IPA2024" in r.sources["investigation"]
    assert scenario_mod.Scenario(profile, "minor", downtime_days=3.0).evaluate().downtime_days == 3.0
