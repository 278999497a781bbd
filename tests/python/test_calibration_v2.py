"""Calibration v2: size scales normalised to JNSA's size mix, major/contained branches, minor
incidents, industry prior weights, organisations apart, the earlier ransomware window."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from cyberloss import calibration
from cyberloss.calibration import MAN_YEN, _size, jnsa
from cyberloss.report import money

V2_PREFIXES = ("size.", "industry_weight.", "branch.", "contained.", "minor.", "reporting.police",
               "severity.ransomware.earlier")
SME_PROFILES = (("sme", 10), ("sme", 50), ("sme", 250), ("large", 1000))


@pytest.fixture(scope="module")
def cal():
    return calibration.load()


def mixture_mean_median(cal, attack_type, period):
    mix = cal.publicised_size_mix(attack_type, period)
    laws = [cal.major_severity(attack_type, s, period=period) for s in mix]
    w = list(mix.values())
    mean = sum(x * d.mean() for x, d in zip(w, laws))
    return mean, _size.mixture_median(w, [d.mu for d in laws], [d.sigma for d in laws])


def test_every_v2_assumption_has_reasoning_and_a_range(cal):
    table = cal.assumptions().set_index("key")
    v2 = [k for k in table.index if k.startswith(V2_PREFIXES)]
    assert len(v2) >= 45
    for key in v2:
        row = table.loc[key]
        assert row["quality"] in ("assumption", "derived"), key
        assert len(row["reasoning"]) > 60, key
        assert row["low"] is not None and row["high"] is not None, key
        if isinstance(row["value"], dict):
            assert all(row["low"][k] <= v <= row["high"][k] for k, v in row["value"].items()), key
        else:
            assert row["low"] <= row["value"] <= row["high"], key


@pytest.mark.parametrize("elasticity", [0.0, 0.1, 0.3, 0.4])
def test_publicised_mix_keeps_the_survey_mean_and_median(elasticity):
    """Acceptance 3 (second half): over the fitted publicised size mix the size-scaled major
    severities have JNSA's mean and median, whatever the elasticity."""
    c = calibration.load(overrides={"size.loss_elasticity": elasticity})
    for (a, period) in [*c.data.survey, ("ransomware", "earlier"), ("emotet", "recent")]:
        fit = c.severity_fit(a, period)
        mean, median = mixture_mean_median(c, a, period)
        assert mean == pytest.approx(fit.mean, rel=1e-12)
        assert median == pytest.approx(fit.median, rel=1e-10)


def test_zero_elasticity_is_the_survey_lognormal_bit_for_bit():
    c = calibration.load(overrides={"size.loss_elasticity": 0})
    for a in c.attack_types:
        for period in calibration.ALL_PERIODS:
            fit = c.severity_fit(a, period)
            for size in c.sizes:
                d = c.major_severity(a, size, employees=123, period=period)
                assert (d.mu, d.sigma) == (fit.mu, fit.sigma)


def test_losses_rise_with_size(cal):
    """Acceptance 3 (first half, survey basis): a 10-, 50-, 250-person SME and a 1,000-person
    large company of one industry: every branch's median loss is strictly increasing."""
    for a in cal.attack_types:
        majors = [cal.major_severity(a, s, e).median() for s, e in SME_PROFILES]
        contained = [cal.contained_severity(a, s, e).median() for s, e in SME_PROFILES]
        assert np.all(np.diff(majors) > 0) and np.all(np.diff(contained) > 0), a
    minors = [cal.minor_severity(s, e).median() for s, e in SME_PROFILES]
    assert np.all(np.diff(minors) > 0)
    # ... and the class-level figures follow the census headcounts
    assert cal.class_employees("large") == pytest.approx(14_570_000 / 10_364)
    assert cal.class_employees("sme") == pytest.approx(33_100_000 / 3_365_000)
    ratio = cal.major_severity("ransomware", "large").median() / cal.major_severity("ransomware", "sme").median()
    assert ratio == pytest.approx((14_570_000 / 10_364 / (33_100_000 / 3_365_000)) ** 0.3, rel=1e-12)


def test_too_large_an_elasticity_is_refused_by_name():
    c = calibration.load(overrides={"size.loss_elasticity": 0.6})
    with pytest.raises(ValueError, match=r"severity of web_leak_card \(recent\).*lower the size elasticity"):
        c.major_severity("web_leak_card", "sme")
    with pytest.raises(ValueError, match=r"overrides.size.loss_elasticity.*got -0.1"):
        calibration.load(overrides={"size.loss_elasticity": -0.1})


@pytest.mark.parametrize("key,value,fragment", [
    ("branch.ransomware.major_probability", 1.5, r"\(a probability\) must be a finite number in \(0, 1\]"),
    ("branch.emotet.major_probability", 0, r"\(a probability\)"),
    ("contained.ransomware.severity_median", -100, "contained.ransomware.severity_median"),
    ("contained.other.downtime_sigma", 0, r"\(a log-scale sigma\)"),
    ("minor.rate", "often", "minor.rate"),
    ("minor.share_affected", 1.2, "minor.share_affected"),
    ("industry_weight.company", {"construction": 2}, "missing key"),
    ("severity.ransomware.earlier_median", 3000, "must exceed"),
    ("size.organisation_employees", 0, "size.organisation_employees"),
])
def test_bad_overrides_are_refused_by_key(key, value, fragment):
    with pytest.raises(ValueError, match=fragment):
        calibration.load(overrides={key: value})


def test_a_median_too_far_below_the_mean_is_refused_at_load_by_key():
    """A median below mean / e^200 needs a lognormal sigma above the 20 the size normalisation
    searches: refused at load naming the key and value (it was refused later, as a size
    elasticity too large for the size mix)."""
    with pytest.raises(ValueError, match=r"^'assumptions.severity.emotet.median.value' \(1e-300\) is too far below "
                                         r"'assumptions.severity.emotet.mean.value' \(1000\): .* = 37\.355 exceeds the 20 "):
        calibration.load(overrides={"severity.emotet.median": 1e-300})
    with pytest.raises(ValueError, match=r"'assumptions.severity.web_leak_card.recent_median.value' \(1e-90\)"):
        calibration.load(overrides={"severity.web_leak_card.recent_median": 1e-90})
    # the limit itself: the median at least 1000 / e^200 = 1.38e-84 (万円)
    assert calibration.load(overrides={"severity.emotet.median": 1.39e-84}).major_severity("emotet", "sme")
    with pytest.raises(ValueError, match=r"median at least 1.38e-84"):
        calibration.load(overrides={"severity.emotet.median": 1.37e-84})
    # the size normalisation names the same cause if it meets it
    with pytest.raises(ValueError, match=r"x: no lognormal with sigma <= 20 .* ratio 1e\+90 needs a sigma of about .* = 20\.4"):
        _size.normalise([0.5, 0.5], [0.0, 0.5], 1e90, 1.0, "x")
    # ... in Japanese too, as `--lang ja` and the sensitivity notes say it (they showed the English)
    with pytest.raises(_size.SizeMixError) as refused:
        _size.normalise([0.5, 0.5], [0.0, 0.5], 1e90, 1.0, "x", "エモテット感染（直近2年）の損害額")
    assert refused.value.japanese().startswith(
        "エモテット感染（直近2年）の損害額: 調査の平均値 1e+90 と中央値 1 を規模構成で再現する σ 20 以下の対数正規分布がない。"
        "比 1e+90 には σ が約 sqrt(2 ln(平均値/中央値)) = 20.4 必要")
    # amounts as the model passes them (JPY): in 万円 / 億円, not e-notation
    with pytest.raises(_size.SizeMixError) as refused:
        _size.normalise([0.5, 0.5], [0.0, 30.0], 5e7, 1e7, "x", "ランサムウェア（直近2年）の損害額",
                        money.yen_words)
    assert refused.value.japanese().startswith(
        "ランサムウェア（直近2年）の損害額: 調査の平均値 5,000万円 と中央値 1,000万円 を規模構成で再現する"
        "対数正規分布がない。")
    assert money.yen_words(7.23e86) == "7.23e+86円" and money.yen_words(0) == "0円"
    assert money.yen_words(math.inf) == "inf円"


def test_nine_groups_split_by_exposure_and_weight_organisations_apart(cal):
    """Acceptance 4: the companies of the nine unnamed industries have expected publicised counts
    proportional to exposure x weight, adding up to the 703 less the organisations' 452;
    organisations keep rates of their own."""
    counts = cal.expected_counts()
    weights = cal.data.value("industry_weight.company")
    nine = [i for i, g in cal.data.industry_margin.items() if g == "all_other_industries"]
    assert len(nine) == 9
    companies = counts[counts["industry"].isin(nine) & (counts["size"] != "organisation")]
    for (_, size, window), part in companies.groupby(["attack_type", "size", "window"]):
        live = part[part["exposure"] > 0]
        ratio = live["expected"] / (live["exposure"] * live["industry"].map(weights))
        assert np.allclose(ratio, ratio.iloc[0], rtol=1e-12), (size, window)
    multiplicity = cal.frequency.multiplicity
    assert companies["expected"].sum() / multiplicity == pytest.approx(703 - 452, rel=1e-9)
    organisations = counts[counts["size"] == "organisation"]
    assert organisations["expected"].sum() / multiplicity == pytest.approx(452, rel=1e-9)
    assert set(organisations.loc[organisations["expected"] > 0, "industry"]) <= set(nine)
    # own rates: a medical corporation is not an SME of the same industry
    assert cal.rate("ransomware", "medical_welfare", "organisation") != pytest.approx(
        cal.rate("ransomware", "medical_welfare", "sme"), rel=0.01)
    # construction's weight lifts its companies above real estate's (weight 1) by exactly the ratio
    assert cal.rate("other", "construction", "sme") / cal.rate("other", "real_estate", "sme") == pytest.approx(
        weights["construction"] / weights["real_estate"], rel=1e-12)


def test_weights_change_the_split_not_the_margins():
    heavy = calibration.load(overrides={"industry_weight.company": {
        **calibration.load().data.value("industry_weight.company"), "construction": 3.0}})
    assert np.allclose(jnsa.model_margins(heavy)["model"], jnsa.model_margins()["model"], rtol=1e-9)
    base = calibration.load()
    # construction's weight x 2.7 within a fixed group total: its rate rises, the others' fall
    assert heavy.rate("ransomware", "construction", "sme") > 1.5 * base.rate("ransomware", "construction", "sme")
    assert heavy.rate("ransomware", "real_estate", "sme") < base.rate("ransomware", "real_estate", "sme")


def test_industry_weights_and_minor_elasticity_follow_teikoku():
    with open(calibration.DEFAULT_PATH.parent / "external.json", encoding="utf-8") as fh:
        fig = {k: v["value"] for k, v in json.load(fh)["figures"].items()}
    cal = calibration.load()
    h = lambda p: -math.log1p(-p)       # noqa: E731
    by_industry, by_size = fig["tdb2025.ever_attacked_by_industry"], fig["tdb2025.ever_attacked_by_size"]
    weights = cal.data.value("industry_weight.company")
    for industry, tdb in (("construction", "construction"), ("manufacturing", "manufacturing"),
                          ("services", "services"), ("other", "agriculture")):
        assert weights[industry] == pytest.approx(h(by_industry[tdb]) / h(by_size["all"]), abs=6e-5)
    assert weights["wholesale_retail"] == pytest.approx(
        0.5 * (h(by_industry["wholesale"]) + h(by_industry["retail"])) / h(by_size["all"]), abs=6e-5)
    e = math.log(h(by_size["large"]) / h(by_size["sme"])) / math.log(cal.class_employees("large") / cal.class_employees("sme"))
    assert cal.data.value("minor.frequency_elasticity") == pytest.approx(e, abs=6e-4)


def test_earlier_ransomware_window(cal):
    early = cal.severity_fit("ransomware", "earlier")
    assert early.mean / MAN_YEN == pytest.approx((29 * 4959 - 21 * 6019) / 8)
    assert early.answers == 8
    recent = cal.severity_fit("ransomware", "recent")
    assert early.sigma == pytest.approx(recent.sigma, abs=2e-4)     # the recent window's spread
    mixture_mean = (8 * early.mean + 21 * recent.mean) / 29
    assert mixture_mean == pytest.approx(cal.severity_fit("ransomware", "cumulative").mean, rel=1e-12)
    # no lognormal with this mean brings the 8 + 21 mixture's median up to the published 3,260
    def mixture_median(median_early):
        s = math.sqrt(2 * math.log(early.mean / median_early))
        return _size.mixture_median([8 / 29, 21 / 29], [math.log(median_early), recent.mu], [s, recent.sigma])
    best = max(mixture_median(m * MAN_YEN) for m in np.linspace(300, 2170, 400))
    assert 2925 * MAN_YEN < best < 3260 * MAN_YEN
    assert mixture_median(early.median) > 0.995 * best
    # other types: the cumulative figure; the earlier rate is window 0 of the fit
    assert cal.severity_fit("web_leak_card", "earlier").mean == cal.severity_fit("web_leak_card", "cumulative").mean
    y = cal.data.years
    for a in cal.attack_types:
        cum = cal.rate(a, "manufacturing", "large", period="cumulative")
        mixed = ((y["cumulative"] - y["recent"]) * cal.rate(a, "manufacturing", "large", period="earlier")
                 + y["recent"] * cal.rate(a, "manufacturing", "large", period="recent")) / y["cumulative"]
        assert mixed == pytest.approx(cum, rel=1e-12)


def test_branches_keep_the_publicised_basis(cal):
    """P(major) x P(publicised | major) = 1 / reporting factor: the publicised rate of every
    type and size is the all-incidents rate / RF, i.e. the JNSA fit."""
    for a in cal.attack_types:
        for s in cal.sizes:
            p, q = cal.major_probability(a, s), cal.publication_probability(a, s)
            assert 0 < p <= 1 and 0 < q <= 1
            assert p * q == pytest.approx(1 / cal.reporting_factor(s), rel=1e-12)
            all_rate = cal.rate(a, "construction", s, basis="all")
            assert all_rate * p * q == pytest.approx(cal.rate(a, "construction", s), rel=1e-12)
    # a reporting factor below 1 / P(major) raises P(major): every publicised incident is major
    low = calibration.load(overrides={"reporting_factor.large": 1.5})
    assert low.major_probability("ransomware", "large") == pytest.approx(1 / 1.5)
    assert low.publication_probability("ransomware", "large") == pytest.approx(1.0)


def test_incident_parameters_publicised_and_all(cal):
    pub = cal.incident_parameters("manufacturing", "sme", employees=50, basis="publicised")
    assert list(pub["branch"].unique()) == ["major"] and (pub["branch_probability"] == 1).all()
    assert "minor" not in set(pub["attack_type"])
    full = cal.incident_parameters("manufacturing", "sme", employees=50)
    assert set(full["branch"]) == {"major", "contained", "minor"}
    for a, part in full[full["attack_type"] != "minor"].groupby("attack_type"):
        assert part["branch_probability"].sum() == pytest.approx(1.0)
        major = part.set_index("branch").loc["major"]
        assert major["loss_mu"] == pytest.approx(cal.major_severity(a, "sme", 50).mu)
        assert major["rate"] == pytest.approx(cal.rate(a, "manufacturing", "sme", basis="all", period="recent"))
    minor = full.set_index("attack_type").loc["minor"]
    assert minor["rate"] == pytest.approx(cal.minor_rate("manufacturing", "sme", 50))
    assert minor["publication_probability"] == 0.0 and minor["share_affected"] == pytest.approx(0.2)


def test_minor_rate_by_industry_and_size(cal):
    m = cal.minor()
    weights = cal.data.value("industry_weight.company")
    h_ref = cal.class_employees("sme")
    assert cal.minor_rate("real_estate", "sme", h_ref) == pytest.approx(m.rate)
    assert cal.minor_rate("construction", "sme", h_ref) == pytest.approx(m.rate * weights["construction"])
    assert cal.minor_rate("other", "organisation", h_ref) == pytest.approx(m.rate)    # organisations: weight 1
    assert cal.minor_rate("real_estate", "large", 1000) == pytest.approx(
        m.rate * (1000 / h_ref) ** m.frequency_elasticity)
    rates = [cal.minor_rate("manufacturing", s, e) for s, e in SME_PROFILES]
    assert np.all(np.diff(rates) > 0)


@pytest.mark.parametrize("override", [
    {"size.loss_elasticity": 0.0}, {"size.downtime_elasticity": 0.2}, {"branch.ransomware.major_probability": 0.6},
    {"contained.ransomware.severity_median": 300}, {"minor.rate": 0.4}, {"minor.severity_sigma": 2.0},
    {"industry_weight.company": {**calibration.load().data.value("industry_weight.company"), "construction": 2.0}},
])
def test_overrides_move_all_incidents_and_leave_the_reproduction(override):
    """Acceptance 5: a v2 assumption changes the all-incidents parameters and leaves the JNSA
    reproduction identical (margins, interactions, survey severities)."""
    base, changed = calibration.load(), calibration.load(overrides=override)
    (key,) = override
    assert changed.assumptions().set_index("key").loc[key, "overridden"]
    a, b = jnsa.reproduce(base, replications=200), jnsa.reproduce(changed, replications=200)
    assert a.severity.equals(b.severity)
    assert np.allclose(a.margins["model"], b.margins["model"], rtol=1e-9)
    assert np.allclose(a.interactions["model"], b.interactions["model"], rtol=1e-9)
    profile = ("construction", "sme", 50)
    cols = ["rate", "branch_probability", "loss_mu", "loss_sigma", "downtime_mu", "downtime_sigma", "downtime_scale"]
    before = base.incident_parameters(*profile)[cols].to_numpy()
    after = changed.incident_parameters(*profile)[cols].to_numpy()
    assert (~np.isclose(before, after, rtol=1e-12, equal_nan=True)).any(), key


@pytest.mark.parametrize("elasticity", [0.0, 0.1])
def test_incident_parameters_scale_downtime_as_the_organisation_model_does(elasticity):
    """The table's downtime_scale is the one the simulation applies: (h / h_ref) ** e_D, except
    for the card-payment suspension (both branches), which size does not scale."""
    from cyberloss.calibration.model import CARD_SUSPENSION_TYPE
    from cyberloss.organisation import components, incident
    changed = calibration.load(overrides={"size.downtime_elasticity": elasticity})
    data = components.load()
    specs = {s.name: s for s in incident.attack_types(changed, data, "wholesale_retail", "large", 3000)}
    table = changed.incident_parameters("wholesale_retail", "large", 3000)
    assert data.downtime(CARD_SUSPENSION_TYPE).is_card_suspension
    for _, r in table.iterrows():
        assert r.downtime_scale == specs[r.attack_type].downtime_scale, (r.attack_type, r.branch)
    card = table[table.attack_type == CARD_SUSPENSION_TYPE]
    assert (card.downtime_scale == 1.0).all()
    contained = card[card.branch == "contained"].iloc[0]
    assert contained.downtime_mu == changed.contained(CARD_SUSPENSION_TYPE).downtime.mu
    if elasticity:
        assert (table[table.attack_type == "ransomware"].downtime_scale > 1.5).all()
