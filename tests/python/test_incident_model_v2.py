"""Calibration v2 in the organisation's incident model (issue 12): branches, size scales and
minor incidents on the all-incidents basis; the publicised basis unchanged."""
from __future__ import annotations

import math

import numpy as np
import pytest

import cyberloss as cl
from cyberloss import _core, calibration, validation
from cyberloss import organisation as org
from cyberloss import random as clrandom
from cyberloss.calibration import _size, jnsa
from cyberloss.organisation import components as comp
from cyberloss.organisation import incident as incidents
from reference import incident as ref_incident

YEARS = 60_000


@pytest.fixture(scope="module")
def cal():
    return calibration.load()


@pytest.fixture(scope="module")
def cal0():
    return calibration.load(overrides={"size.loss_elasticity": 0.0})


def test_publicised_basis_without_size_effect_is_v1_bit_for_bit(cal0):
    """With the loss elasticity at 0, the publicised basis is calibration v1's pipeline (the
    survey lognormals, no branches, no minor incidents) bit for bit."""
    profile = org.OrganisationProfile("manufacturing", "sme", employees=120, personal_records=20_000,
                                      controls={"edr": True, "restore_drills": True})
    sim = org.simulate_organisation(profile, 2_000_000, 7, basis="publicised", calibration=cal0)
    model, params = ref_incident.v1_model(profile, "publicised", "recent", cal0)
    models = [org.incident_model(profile, p.attack_type) for p in params]
    table = _core.simulate_organisation(model, models, 2_000_000, 7)
    assert len(sim.events) == len(table) > 500
    assert np.array_equal(sim.events["year"].to_numpy(), table.year)
    for c in comp.COMPONENTS:
        assert np.array_equal(sim.events[c].to_numpy(), table.component(c)), c
    assert np.array_equal(sim.events["downtime_days"].to_numpy(), table.downtime_days)


def test_all_incidents_basis_has_branches_and_minor_incidents(cal):
    profile = org.OrganisationProfile("manufacturing", "sme", employees=50)
    sim = org.simulate_organisation(profile, YEARS, 3, calibration=cal)
    assert sim.attack_types == [*cal.attack_types, "minor"]
    pub = org.simulate_organisation(profile, 1000, 3, basis="publicised", calibration=cal)
    assert pub.attack_types == list(cal.attack_types)
    ev = sim.events
    counts = ev["attack_type"].value_counts()
    expected = org.expected_events(profile, YEARS, calibration=cal)
    assert abs(len(ev) - expected) < 4 * math.sqrt(expected)
    rate = sim.rates["minor"]
    assert rate == pytest.approx(cal.minor_rate("manufacturing", "sme", 50))
    assert abs(counts["minor"] - rate * YEARS) < 4 * math.sqrt(rate * YEARS)
    # minor incidents: survey-basis loss is the calibrated lognormal at 50 employees
    minor = ev[ev["attack_type"] == "minor"]
    survey = minor[list(comp.RESPONSE)].sum(axis=1).to_numpy()
    law = cal.minor_severity("sme", 50)
    n = survey.size
    below = np.mean(survey <= float(law.quantile(0.5)))
    assert abs(below - 0.5) < 4 * math.sqrt(0.25 / n)


def test_branch_shares_and_contained_losses(cal):
    """Ransomware at a high rate: the share of major incidents is P(major), recomputed from
    the BRANCH stream; contained incidents cost the contained lognormal (survey basis)."""
    specs = incidents.attack_types(cal, comp.load(), "manufacturing", "sme", 50, "all", "recent")
    spec = specs[0]
    model = cl.Model([cl.AttackType("ransomware", cl.Poisson(5.0), spec.severity())])
    table = _core.simulate_organisation(model, [_core.IncidentModel(spec.incident_type, incidents.factors(spec))],
                                        40_000, 9)
    y, k = np.asarray(table.year), np.asarray(table.k, dtype=np.int64)
    u = np.asarray(clrandom.uniform_at(9, clrandom.stream_id(clrandom.Purpose.BRANCH, 0), y, 2 * k))
    major = u < spec.major_probability
    p = cal.major_probability("ransomware", "sme")
    assert spec.major_probability == p
    n = y.size
    assert abs(major.mean() - p) < 4 * math.sqrt(p * (1 - p) / n)
    loss = np.asarray(table.components)[:8].sum(axis=0)
    contained = cal.contained_severity("ransomware", "sme", 50)
    major_law = cal.major_severity("ransomware", "sme", 50)
    for sel, law in ((~major, contained), (major, major_law)):
        for q in (0.1, 0.5, 0.9):
            share = np.mean(loss[sel] <= float(law.quantile(q)))
            assert abs(share - q) < 4 * math.sqrt(q * (1 - q) / sel.sum())
    days = np.asarray(table.downtime_days)
    c = cal.contained("ransomware")
    assert abs(np.mean(days[~major] <= c.downtime.median) - 0.5) < 4 * math.sqrt(0.25 / (~major).sum())


def test_acceptance_3_losses_rise_with_size(cal):
    """10-, 50-, 250-person SMEs and a 1,000-person large company, same industry, default
    profiles: median loss per incident and expected annual loss strictly increasing."""
    profiles = [org.OrganisationProfile("manufacturing", "sme", employees=10),
                org.OrganisationProfile("manufacturing", "sme", employees=50),
                org.OrganisationProfile("manufacturing", "sme", employees=250),
                org.OrganisationProfile("manufacturing", "large", employees=1000)]
    medians, means, ses = [], [], []
    for p in profiles:
        sim = org.simulate_organisation(p, 1_000_000, 12, calibration=cal)
        per_incident = sim.events[list(comp.COMPONENTS)].sum(axis=1).to_numpy()
        medians.append(float(np.median(per_incident)))
        mean = sim.mean()
        means.append(mean.value)
        ses.append(mean.se)
    assert all(a < b for a, b in zip(medians, medians[1:])), medians
    for i in range(3):
        assert means[i + 1] - means[i] > 3 * math.hypot(ses[i], ses[i + 1]), (means, ses)


@pytest.mark.parametrize("period", ["recent", "cumulative"])
def test_acceptance_3_jnsa_mix_average_unchanged(cal, period):
    """Over JNSA's publicised size mix, each class at its mean headcount, the organisation
    model's survey-basis loss has the survey mean and median."""
    data = comp.load()
    for a in cal.attack_types:
        mix = cal.publicised_size_mix(a, period)
        specs = {s: incidents.attack_types(cal, data, "manufacturing", s, None, "publicised", period)
                 [cal.attack_types.index(a)] for s in mix}
        w = list(mix.values())
        mus = [specs[s].severity_mu + math.log(specs[s].severity_scale) for s in mix]
        sigma = [specs[s].severity_sigma for s in mix]
        mean = sum(wi * math.exp(m + 0.5 * sg * sg) for wi, m, sg in zip(w, mus, sigma))
        fit = cal.severity_fit(a, period)
        assert mean == pytest.approx(fit.mean, rel=1e-12)
        assert _size.mixture_median(w, mus, sigma) == pytest.approx(fit.median, rel=1e-9)


def test_acceptance_5_size_elasticity_override(cal, cal0):
    """Elasticity 0 changes the all-incidents results and leaves the JNSA reproduction."""
    profile = org.OrganisationProfile("manufacturing", "large", employees=3000)
    a = org.simulate_organisation(profile, 20_000, 4, calibration=cal)
    b = org.simulate_organisation(profile, 20_000, 4, calibration=cal0)
    assert len(a.events) == len(b.events)
    assert a.mean().value != b.mean().value
    assert jnsa.reproduce(cal, replications=2000).to_dict() == jnsa.reproduce(cal0, replications=2000).to_dict()


def test_simulation_is_the_same_for_any_thread_count(cal):
    profile = org.OrganisationProfile("services", "sme", employees=30)
    one = org.simulate_organisation(profile, 50_000, 21, threads=1, calibration=cal).events
    two = org.simulate_organisation(profile, 50_000, 21, threads=2, calibration=cal).events
    assert one.equals(two)


def test_validation_simulation_agrees_with_the_closed_forms():
    """The simulated NPA and IPA rows (C++ incident model) against the closed forms of the same
    populations: within four standard errors."""
    rep = validation.report()
    rows = {r.figure: r for r in rep.rows}
    simulated = [f for f in rows if f.endswith(" (simulated)")]
    assert len(simulated) == 9
    for f in simulated:
        sim, closed = rows[f], rows[f[: -len(" (simulated)")]]
        assert sim.model_se is not None and sim.model_se > 0
        assert abs(sim.model - closed.model) < 4 * sim.model_se, (f, sim.model, closed.model, sim.model_se)
        assert sim.passed


def _records_unknown_large_services():
    return org.OrganisationProfile("services", "large", employees=2500,
                                   controls={"ir_retainer": True, "restore_drills": True})


@pytest.mark.parametrize("case", ["records known, default calibration", "records unknown, downtime elasticity 0.2"])
def test_all_incidents_basis_equals_the_numpy_oracle_event_by_event(case):
    """simulate_organisation on the all-incidents basis (branches, size scales, minor incidents)
    against tests/python/reference/incident.py, an independent NumPy implementation of the
    documented model (docs/MODEL_NOTES.md): the same events, and each event's components,
    downtime, lost profit and effort to 1e-12 relative (the core's exp and log are its own
    vectorised ones, NumPy's are libm's: an ulp or so apart, 4e-15 at most measured).  One
    profile has personal and card records (record-driven costs of major incidents, the card
    suspension with its closure); the other none, at 2,500 employees with a downtime
    elasticity (size-normalised major downtime, both scales != 1)."""
    if case.startswith("records known"):
        profile = org.OrganisationProfile.from_toml("examples/ec_retailer.toml")
        cal = calibration.load()
    else:
        profile = _records_unknown_large_services()
        cal = calibration.load(overrides={"size.downtime_elasticity": 0.2})
    known = [org.TypeParameters.for_profile(profile, a).records_held is not None for a in cal.attack_types]
    assert any(known) == case.startswith("records known")
    years, seed = 1_000_000, 31
    sim = org.simulate_organisation(profile, years, seed, calibration=cal)
    got = sim.events
    want = ref_incident.simulate_organisation(profile, years, seed, calibration=cal)
    assert len(got) == len(want)
    for c in ("year", "k"):
        np.testing.assert_array_equal(got[c].to_numpy(), want[c].to_numpy())
    np.testing.assert_array_equal(got["attack_type"].cat.codes, want["attack_type"].cat.codes)
    # every branch is exercised: minor incidents, major and contained incidents of each web
    # leak type (the record-driven ones) and of the JNSA types together
    major = want.groupby("attack_type", observed=False)["major"].agg(["size", "sum"])
    major["contained"] = major["size"] - major["sum"]
    assert major.loc["minor", "size"] > 100_000 and major.loc["minor", "contained"] == 0
    leaks = ["web_leak_card", "web_leak_personal"]
    assert (major.loc[leaks, ["sum", "contained"]] > 10).all().all(), major
    assert (major.loc[cal.attack_types, ["sum", "contained"]].sum() > 300).all(), major
    for c in (*comp.COMPONENTS, "downtime_days"):
        np.testing.assert_allclose(got[c].to_numpy(), want[c].to_numpy(), rtol=1e-12, atol=0, err_msg=c)
    assert (got["lost_profit"] > 0).mean() > 0.5 and (got["internal_effort"] > 0).all()
