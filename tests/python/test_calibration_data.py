"""Loading and validating the calibration file; overrides (acceptance 5 and provenance)."""
from __future__ import annotations

import copy
import json

import pytest

from cyberloss import calibration
from cyberloss.calibration import _data

QUALITIES = {"published", "derived", "approximate", "assumption"}


@pytest.fixture(scope="module")
def document():
    with open(calibration.DEFAULT_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def refused(document, mutate, *fragments):
    doc = copy.deepcopy(document)
    mutate(doc)
    with pytest.raises(ValueError) as info:
        calibration.from_dict(doc)
    for fragment in fragments:
        assert fragment in str(info.value)
    return str(info.value)


def test_packaged_file_loads_with_labels():
    cal = calibration.load()
    assert cal.attack_types == ["ransomware", "web_leak_card", "web_leak_personal", "emotet", "other"]
    assert cal.sizes == {"large": "大企業", "sme": "中小企業", "organisation": "団体等"}
    required = {"manufacturing", "wholesale_retail", "information_communications", "services",
                "construction", "medical_welfare", "education", "finance_insurance",
                "transport_postal", "accommodation_food", "real_estate", "public_administration", "other"}
    assert required <= set(cal.industries)
    assert cal.industries["manufacturing"] == "製造業"
    assert set(cal.scope.excludes) == {"lost_profit", "internal_effort"}
    assert set(cal.scope.includes) == {"response_costs", "liability"}


def test_every_figure_has_source_and_quality(document):
    for name, node in document["margins"].items():
        assert node["quality"] in QUALITIES and node["source"], name
    for name, node in document["interactions"].items():
        assert node["quality"] in QUALITIES and node["source"], name
    for size, node in document["exposure"].items():
        assert node["quality"] in QUALITIES and node["source"], size
    for a, periods in document["severity"].items():
        if a != "unit":
            for period, node in periods.items():
                assert node["quality"] in QUALITIES and node["source"], (a, period)
    table = calibration.load().assumptions()
    assert set(table.columns) >= {"key", "value", "quality", "source", "reasoning"}
    assert table["quality"].isin(QUALITIES).all()
    assert (table["reasoning"].str.len() > 20).all()
    # the unpublished figures the issue names are all labelled assumptions
    for key in ("web_leak_card_share", "industry_share.company", "industry_share.organisation",
                "reporting_factor.sme", "severity.emotet.mean", "severity.other.median"):
        assert table.set_index("key").loc[key, "quality"] == "assumption", key


def test_missing_key_is_named(document):
    refused(document, lambda d: d["margins"]["size"]["values"].pop("sme"),
            "missing key 'margins.size.values.sme'")
    refused(document, lambda d: d["assumptions"].pop("reporting_factor.large"),
            "missing key 'assumptions.reporting_factor.large'")
    refused(document, lambda d: d["severity"]["ransomware"]["recent"].pop("median"),
            "missing key 'severity.ransomware.recent.median'")


def test_negative_count_is_named(document):
    def mutate(d):
        d["margins"]["attack_type"]["values"]["emotet"] = -375
    refused(document, mutate, "margins.attack_type.values.emotet", "-375")


def test_share_above_one_is_named(document):
    def interaction(d):
        d["interactions"]["web_leak_share_sme"]["value"] = 1.6
    refused(document, interaction, "interactions.web_leak_share_sme.value", "1.6")

    def industry_share(d):
        d["assumptions"]["industry_share.company"]["value"]["manufacturing"] = 1.2
    refused(document, industry_share, "assumptions.industry_share.company.value.manufacturing", "1.2")


def test_unknown_industry_is_named(document):
    def margin(d):
        d["margins"]["industry"]["values"]["mining"] = 3
    refused(document, margin, "unknown industry 'mining'", "margins.industry.values")

    def share(d):
        d["assumptions"]["industry_share.organisation"]["value"]["space"] = 0.0
    refused(document, share, "unknown industry 'space'", "industry_share.organisation")


def test_other_malformed_content(document):
    def mean_below_median(d):
        d["severity"]["ransomware"]["cumulative"]["mean"] = 3000
    refused(document, mean_below_median, "severity.ransomware.cumulative", "mean > median")

    def inconsistent_total(d):
        d["margins"]["size"]["values"]["large"] = 600
    refused(document, inconsistent_total, "margins.size.values", "1842")

    def bad_quality(d):
        d["margins"]["size"]["quality"] = "guess"
    refused(document, bad_quality, "margins.size.quality")

    def unknown_assumption(d):
        d["assumptions"]["reporting_factor.micro"] = {"value": 2, "quality": "assumption",
                                                       "source": "x", "reasoning": "y"}
    refused(document, unknown_assumption, "unknown assumption 'assumptions.reporting_factor.micro'")


def test_user_file_round_trip(document, tmp_path):
    path = tmp_path / "mine.json"
    doc = copy.deepcopy(document)
    doc["assumptions"]["web_leak_card_share"]["value"] = 0.3
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    cal = calibration.load(path)
    assert cal.data.value("web_leak_card_share") == 0.3
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        calibration.load(path)


def test_overrides_validated_and_labelled(tmp_path):
    cal = calibration.load(overrides={"reporting_factor.sme": 12})
    row = cal.assumptions().set_index("key").loc["reporting_factor.sme"]
    assert row["value"] == 12 and row["overridden"] and row["source"] == "user override"
    with pytest.raises(ValueError, match="unknown assumption 'reporting_factor.micro'"):
        calibration.load(overrides={"reporting_factor.micro": 3})
    with pytest.raises(ValueError, match=r"overrides.reporting_factor.sme.*>= 1, got 0.5"):
        calibration.load(overrides={"reporting_factor.sme": 0.5})
    with pytest.raises(ValueError, match=r"overrides.web_leak_card_share.*\(0, 1\), got 1.5"):
        calibration.load(overrides={"web_leak_card_share": 1.5})
    with pytest.raises(ValueError, match="severity.emotet.mean"):
        calibration.load(overrides={"severity.emotet.mean": 300})
    path = tmp_path / "overrides.json"
    path.write_text(json.dumps({"exposure.organisation": 250000}), encoding="utf-8")
    assert calibration.load(overrides=path).data.exposure["organisation"] == 250000


@pytest.mark.parametrize("organisations", [100, 1e9, 1e12])
def test_an_organisation_count_the_fit_cannot_take_is_refused_as_the_override(organisations):
    # within the former range [1, 1e12], 1e3 and below or 1e8 and above overflowed the
    # frequency fit, and the error blamed the shipped file without naming the override
    with pytest.raises(ValueError, match=r"'overrides.exposure.organisation' .* in \[10000, 1e\+07\], got"):
        calibration.load(overrides={"exposure.organisation": organisations})
    for fits in (1e4, 1e7):
        assert calibration.load(overrides={"exposure.organisation": fits}).data.exposure["organisation"] == fits


def test_a_fit_that_fails_names_the_overrides_in_force(monkeypatch):
    from cyberloss.calibration import _frequency

    def overflow(data):
        raise FloatingPointError("overflow encountered in exp")

    monkeypatch.setattr(_frequency, "fit", overflow)
    with pytest.raises(ValueError, match=r"with the overrides exposure.organisation = 20000, "
                                         r"reporting_factor.sme = 12: the frequency model cannot be fitted") as refused:
        calibration.load(overrides={"exposure.organisation": 20000, "reporting_factor.sme": 12})
    # --lang ja: NumPy's reason in Japanese too (it was "overflow encountered in exp")
    assert refused.value.japanese().endswith("頻度モデルをこの件数とエクスポージャーに当てはめられない（exp で桁あふれ）")


def test_severity_units_are_jpy():
    cal = calibration.load()
    fit = cal.severity_fit("ransomware", "cumulative")
    assert fit.mean == 4959 * _data.MAN_YEN and fit.median == 3260 * _data.MAN_YEN
    assert fit.answers == 29 and fit.quality == "published"
    assert cal.severity_fit("ransomware", "recent").answers == 21
    emotet = cal.severity_fit("emotet", "recent")
    assert emotet.quality == "assumption" and emotet.mean == 1000 * _data.MAN_YEN
    with pytest.raises(ValueError, match="attack_type must be one of"):
        cal.severity_fit("phishing")
    with pytest.raises(ValueError, match="period must be one of"):
        cal.severity_fit("ransomware", "last_year")
