"""OrganisationProfile: validation, labelled defaults, TOML, variants (no engine needed)."""
from __future__ import annotations

import re
import textwrap

import pytest

from cyberloss.organisation import Controls, OrganisationProfile, TypeParameters


def profile(**kw):
    base = dict(industry="manufacturing", size="sme", revenue=3e9)
    return OrganisationProfile(**{**base, **kw})


def write(tmp_path, text):
    path = tmp_path / "profile.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_defaults_are_filled_and_labelled():
    p = OrganisationProfile(industry="wholesale_retail", size="sme")
    assert p.gross_margin == 0.25 and p.ec_share == 0.10 and p.employees == 50
    assert p.revenue == 1e9 and p.labour_cost_month == 370_000
    assert p.personal_records is None and p.card_records is None
    for field in ("revenue", "gross_margin", "employees", "ec_share", "labour_cost_month", "it_dependency"):
        assert p.sources[field].startswith("default for"), field
        assert any(q in p.sources[field] for q in ("assumption", "approximate")), field
    assert "unknown" in p.describe().loc["personal records held (個人情報件数)", "value"]
    assert p.sources["personal_records"].startswith("default (assumption")
    assert p.sources["controls"].startswith("default (assumption")
    q = profile(gross_margin=0.3)
    assert q.sources["gross_margin"] == "given" and q.sources["revenue"] == "given"


@pytest.mark.parametrize("field, value, message", [
    ("revenue", -1.0, "revenue must be a finite number > 0"),
    ("revenue", 0.0, "revenue must be a finite number > 0"),
    ("revenue", float("nan"), "revenue must be a finite number"),
    ("gross_margin", 1.2, r"gross_margin must be a finite number in \[0, 1\]"),
    ("gross_margin", -0.1, r"gross_margin must be a finite number in \[0, 1\]"),
    ("ec_share", 1.5, r"ec_share must be a finite number in \[0, 1\]"),
    ("it_dependency", -0.5, r"it_dependency must be a finite number in \[0, 1\]"),
    ("personal_records", -1, "personal_records must be a whole number >= 0"),
    ("card_records", -5, "card_records must be a whole number >= 0"),
    ("card_records", 2.5, "card_records must be a whole number >= 0"),
    ("employees", 0, "employees must be a whole number >= 1"),
    ("labour_cost_month", -1.0, "labour_cost_month must be a finite number >= 0"),
    ("industry", "mining", "industry must be one of"),
    ("size", "huge", "size must be one of"),
])
def test_bad_fields_are_refused_by_name(field, value, message):
    with pytest.raises(ValueError, match=message):
        profile(**{field: value})


def test_unknown_control_is_refused_by_name():
    with pytest.raises(ValueError, match="controls: unknown control 'firewall'"):
        profile(controls={"firewall": True})
    with pytest.raises(ValueError, match="controls.edr must be true or false"):
        profile(controls={"edr": "yes"})
    with pytest.raises(ValueError, match="controls.downtime_scale must be a finite number >= 0"):
        profile(controls={"downtime_scale": -1})


@pytest.mark.parametrize("line, message", [
    ("revenue = -5e9", "organisation.revenue must be a finite number > 0"),
    ("gross_margin = 1.5", r"organisation.gross_margin must be a finite number in \[0, 1\]"),
    ("personal_records = -10", "personal_records must be a whole number >= 0"),
    ("turnover = 5e9", "organisation: unknown field 'turnover'"),
])
def test_bad_toml_profiles_are_refused_by_name(tmp_path, line, message):
    path = write(tmp_path, f"""
        [organisation]
        industry = "manufacturing"
        size = "sme"
        {line}
        """)
    with pytest.raises(ValueError, match=message):
        OrganisationProfile.from_toml(path)


def test_unknown_control_in_toml_is_refused(tmp_path):
    path = write(tmp_path, """
        [organisation]
        industry = "manufacturing"
        size = "sme"
        [organisation.controls]
        air_gap = true
        """)
    with pytest.raises(ValueError, match="controls: unknown control 'air_gap'"):
        OrganisationProfile.from_toml(path)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(FileNotFoundError):
        OrganisationProfile.from_toml(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("industry = ", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid TOML"):
        OrganisationProfile.from_toml(bad)
    with pytest.raises(ValueError, match="field 'size' is required"):
        OrganisationProfile.from_mapping({"industry": "manufacturing"})


def test_toml_round_trip(tmp_path):
    path = write(tmp_path, """
        [organisation]
        name = "Example"
        industry = "manufacturing"
        size = "large"
        revenue = 20e9
        personal_records = 50_000
        [organisation.controls]
        offline_backups = true
        """)
    p = OrganisationProfile.from_toml(path)
    assert p.name == "Example" and p.revenue == 20e9 and p.personal_records == 50_000
    assert p.controls == Controls(offline_backups=True)
    assert p.sources["controls"] == "given"
    top = write(tmp_path, 'industry = "services"\nsize = "sme"\n')
    assert OrganisationProfile.from_toml(top).industry == "services"


def test_variants_keep_given_fields_and_rederive_defaults():
    p = profile(revenue=5e9, controls={"edr": True})
    q = p.with_controls(restore_drills=True)
    assert q.controls == Controls(edr=True, restore_drills=True)
    assert q.revenue == 5e9 and q.sources["gross_margin"] == p.sources["gross_margin"]
    r = p.replace(industry="information_communications")
    assert r.gross_margin == 0.40 and r.revenue == 5e9 and r.controls.edr
    assert p.controls == Controls(edr=True)  # the original is unchanged (frozen)
    with pytest.raises(ValueError, match="controls: unknown control 'backup'"):
        p.with_controls(backup=True)


def test_controls_turn_into_type_factors():
    p = profile(controls={"restore_drills": True, "offline_backups": True, "mfa_remote_access": True,
                          "ir_retainer": True, "downtime_scale": 0.5})
    rw = TypeParameters.for_profile(p, "ransomware")
    size = p.data.size_exposure_factor(p.size, p.employees)  # headcount factor, all types
    assert rw.frequency_factor == pytest.approx(0.5 * size)
    assert rw.downtime_factor == pytest.approx(0.6 * 0.5 * 0.85 * 0.5)
    assert rw.effort_factor == pytest.approx(0.85 * 0.9 * 0.85)
    sev = dict(zip(("investigation", "recovery", "legal"), rw.severity_factor[:3]))
    assert sev == pytest.approx({"investigation": 0.8, "recovery": 0.8 * 0.9, "legal": 0.9})
    card = TypeParameters.for_profile(p, "web_leak_card")
    assert card.frequency_factor == pytest.approx(size) and card.share_affected == p.ec_share
    assert rw.share_affected == p.it_dependency
    assert profile().daily_gross_profit == pytest.approx(3e9 * 0.20 / 365)


def test_factors_are_overridable_from_python_and_toml(tmp_path):
    from cyberloss.organisation import components as comp

    data = comp.load(overrides={"controls.restore_drills.downtime.ransomware": 0.3})
    p = OrganisationProfile(industry="manufacturing", size="sme", controls={"restore_drills": True}, data=data)
    assert TypeParameters.for_profile(p, "ransomware").downtime_factor == pytest.approx(0.3)
    path = write(tmp_path, """
        [organisation]
        industry = "manufacturing"
        size = "sme"
        controls = { restore_drills = true }
        [overrides.controls.restore_drills.downtime]
        ransomware = 0.25
        [overrides]
        "profile_defaults.by_industry.gross_margin.values.manufacturing" = 0.3
        """)
    q = OrganisationProfile.from_toml(path)
    assert TypeParameters.for_profile(q, "ransomware").downtime_factor == pytest.approx(0.25)
    assert q.gross_margin == 0.3 and "default for manufacturing" in q.sources["gross_margin"]
    bad = write(tmp_path, """
        [organisation]
        industry = "manufacturing"
        size = "sme"
        [overrides]
        "controls.restore_drills.downtime.ransomware" = -1
        """)
    with pytest.raises(ValueError, match=r"controls.restore_drills.downtime.ransomware must be a finite number > 0"):
        OrganisationProfile.from_toml(bad)
    with pytest.raises(ValueError, match=r"records.by_type.ransomware.exposure_probability must be a finite number in \[0, 1\]"):
        comp.load(overrides={"records.by_type.ransomware.exposure_probability": 1.5})
    # every value is checked at load, so the error names the document's [overrides] (the size
    # and web exposure factors were once checked only when a profile's rates were computed)
    for key, value, rule in (("size_exposure.elasticity", -1, r"in \[0, 1\], got -1"),
                             ("size_exposure.class_mean_employees.sme", -3, r"> 0, got -3"),
                             ("web_exposure.floor", 2, r"in \(0, 1\], got 2")):
        bad = write(tmp_path, f"""
            [organisation]
            industry = "manufacturing"
            size = "sme"
            [overrides]
            "{key}" = {value}
            """)
        with pytest.raises(ValueError, match=rf"^profile .*profile.toml: overrides: {re.escape(key)} must be a finite number {rule}$"):
            OrganisationProfile.from_toml(bad)
