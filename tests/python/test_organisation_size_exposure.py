"""The within-class size adjustment of frequencies (a labelled, overridable assumption)."""
import pytest

from cyberloss import organisation
from cyberloss.organisation import components


def rates(profile, **kw):
    sim = organisation.simulate_organisation(profile, years=10, seed=1, **kw)
    return sim.rates


def test_class_average_headcount_keeps_the_calibrated_rate():
    data = components.load()
    mean = data.raw["size_exposure"]["class_mean_employees"]["sme"]
    assert data.size_exposure_factor("sme", mean) == pytest.approx(1.0)
    assert data.size_exposure_factor("sme", 4 * mean) == pytest.approx(2.0)  # elasticity 0.5


def test_rates_grow_with_headcount_and_elasticity_zero_switches_it_off():
    small = organisation.OrganisationProfile(industry="manufacturing", size="sme", employees=10)
    big = small.replace(employees=160)
    r_small, r_big = rates(small), rates(big)
    jnsa_types = [t for t in r_small if t != "minor"]
    assert len(jnsa_types) == 5
    for t in jnsa_types:
        assert r_big[t] == pytest.approx(4.0 * r_small[t])
    # minor incidents scale with their own elasticity (calibration v2, minor.frequency_elasticity)
    assert r_big["minor"] == pytest.approx(16.0 ** 0.082 * r_small["minor"])
    off = components.load(overrides={"size_exposure.elasticity": 0.0})
    flat_small = organisation.OrganisationProfile(industry="manufacturing", size="sme", employees=10, data=off)
    flat_big = flat_small.replace(employees=160)
    flat_s, flat_b = rates(flat_small), rates(flat_big)
    assert all(flat_s[t] == flat_b[t] for t in jnsa_types)


def test_bad_elasticity_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^size_exposure.elasticity must be a finite number in \[0, 1\], got 2"):
        components.load(overrides={"size_exposure.elasticity": 2.0})
