"""simulate_organisation: event-table contract, survey consistency, common random numbers and
the acceptance checks on simulated components (ransomware shares, card-leak downtime).

These are the per-incident mechanics of the five JNSA types, so they run calibration v1's model:
the publicised basis (every incident major, no minor incidents) without the size effect
(``size.loss_elasticity`` 0), at the all-incidents rates where ``ScaledRates`` is used.
test_incident_model_v2.py covers the branches, the size scales and minor incidents."""
from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pandas as pd
import pytest

import cyberloss as cl
from cyberloss import organisation as org
from cyberloss import results
from cyberloss.organisation import components as comp

FACTS = "/work/shared/reference/calibration-facts.json"
COLUMNS = ["year", "attack_type", "k", "downtime_days", *comp.COMPONENTS]


@pytest.fixture(scope="module")
def cal():
    return cl.calibration.load(overrides={"size.loss_elasticity": 0.0})


def simulate(*args, **kwargs):
    return org.simulate_organisation(*args, basis="publicised", **kwargs)


class ScaledRates:
    """The real calibration with every rate (all-incidents basis, whatever basis is asked)
    multiplied by ``factor``: an organisation with a larger attack surface, so that a test sees
    enough incidents of a rare type."""

    def __init__(self, cal, factor):
        self._cal, self._factor = cal, factor
        self.attack_types = cal.attack_types

    def rate(self, attack_type, industry, size, basis="publicised", period="cumulative"):
        return self._cal.rate(attack_type, industry, size, "all", period) * self._factor

    def severity(self, *args, **kwargs):
        return self._cal.severity(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._cal, name)


@pytest.fixture(scope="module")
def manufacturer():
    # The large class's mean headcount: the size-exposure factor is exactly 1, so the engine's
    # calibrated rates apply unchanged (test_organisation_size_exposure.py covers the factor).
    return org.OrganisationProfile(industry="manufacturing", size="large", revenue=20e9, employees=1405,
                                   name="test manufacturer")


@pytest.fixture(scope="module")
def sim(cal, manufacturer):
    return simulate(manufacturer, 400_000, 11, calibration=ScaledRates(cal, 5.0))


def test_event_table_contract(sim, cal):
    ev = sim.events
    assert list(ev.columns) == COLUMNS
    assert ev["year"].dtype == np.int64 and ev["k"].dtype == np.int32
    assert isinstance(ev["attack_type"].dtype, pd.CategoricalDtype)
    assert list(ev["attack_type"].cat.categories) == list(cal.attack_types)
    for c in ("downtime_days", *comp.COMPONENTS):
        assert ev[c].dtype == np.float64 and np.all(np.isfinite(ev[c])) and np.all(ev[c] >= 0), c
    key = np.stack([ev["year"].to_numpy(), ev["attack_type"].cat.codes.to_numpy(), ev["k"].to_numpy()])
    order = np.lexsort(key[::-1])
    assert np.array_equal(order, np.arange(len(ev)))
    assert sim.n_years == 400_000
    total = sim.annual()
    assert total.dtype == np.float64 and total.shape == (400_000,)
    assert total.sum() == pytest.approx(ev[list(comp.COMPONENTS)].to_numpy().sum(), rel=1e-12)
    assert sim.annual("lost_profit").sum() == pytest.approx(ev["lost_profit"].sum(), rel=1e-12)
    assert np.allclose(sum(sim.annual(c) for c in comp.COMPONENTS), total, rtol=1e-12)
    assert sim.is_sparse and sim.loss_years.size == np.unique(ev["year"]).size
    with pytest.raises(ValueError, match="view must be one of"):
        sim.annual("ransom")


@pytest.mark.parametrize("factor, years", [(5.0, 20_000), (3000.0, 300)])
def test_year_totals_are_numpys_year_sums_bit_for_bit(cal, manufacturer, factor, years):
    """The core's one pass over the events (OrganisationSimulation's year-loss table) gives the
    per-year sums and maxima that results.year_sums gives for the components, their sum per
    event (np.add.reduce) and the downtime days, bit for bit, for any thread count: years of
    one incident, and (3000x the rates) years of hundreds, where NumPy's pairwise order shows."""
    sim = simulate(manufacturer, years, 7, calibration=ScaledRates(cal, factor))
    t = sim.table
    parts = np.asarray(t.components)
    columns = {c: parts[i] for i, c in enumerate(comp.COMPONENTS)}
    columns["gross"] = np.add.reduce(parts, axis=0)
    columns["downtime_days"] = np.asarray(t.downtime_days)
    loss_years, sums, maxima = results.year_sums(np.asarray(t.year) - t.first_year, columns)
    per_year = np.bincount(np.asarray(t.year) - t.first_year)
    assert per_year.max() > (200 if factor > 1000 else 1)
    for threads in (1, 2):
        totals = t.year_totals(threads)
        assert np.array_equal(totals.years, loss_years)
        for i, c in enumerate((*comp.COMPONENTS, "gross", "downtime_days")):
            assert totals.sums[i].tobytes() == sums[c].tobytes(), c
        assert totals.gross_max.tobytes() == maxima["gross"].tobytes()
    assert np.array_equal(sim.loss_years, loss_years)
    for c in ("gross", *comp.COMPONENTS):
        assert sim.stored(c)[1].tobytes() == sums[c].tobytes(), c
    dense = np.zeros(years)
    dense[loss_years] = maxima["gross"]
    assert sim.occurrence_max().tobytes() == dense.tobytes()
    dense[loss_years] = sums["downtime_days"]
    assert sim.extra("downtime_days").tobytes() == dense.tobytes()


def test_the_year_loss_table_is_summed_on_first_use(cal, manufacturer):
    """A quote reads only the event table: the per-year sums wait until a statistic, a column
    or the table's shape is asked for, and are then the same as summed at once."""
    sim = simulate(manufacturer, 20_000, 7, calibration=cal)
    assert "_columns" not in vars(sim) and len(sim.table) > 0
    assert sim.n_years == 20_000 and sim.seed == 7 and sim.title.startswith("OrganisationSimulation")
    assert not hasattr(sim, "no_such_attribute")
    assert sim.views == ("gross",) and "_columns" in vars(sim)
    other = simulate(manufacturer, 20_000, 7, calibration=cal)
    assert other.mean().value == sim.mean().value
    assert other.annual("legal").tobytes() == sim.annual("legal").tobytes()


def test_the_components_year_sums_wait_until_a_component_is_read(cal, manufacturer):
    """The gross loss's statistics (a BCP comparison's table) do not sum the components per
    year; the first component read sums them all, the same bits as summed at once."""
    sim = simulate(manufacturer, 20_000, 7, calibration=cal)
    sim.var(0.99), sim.mean(), sim.extra("downtime_days")
    columns = vars(sim)["_columns"]
    assert isinstance(columns, results.LazyColumns)
    assert list(columns.loaded()) == ["gross"] and "legal" in columns
    assert sim.columns == ("gross", *comp.COMPONENTS)
    assert list(columns.loaded()) == ["gross"]   # naming the columns computes nothing
    sums = sim.table.year_totals().sums
    assert sim.stored("legal")[1].tobytes() == sums[comp.COMPONENTS.index("legal")].tobytes()
    assert list(columns.loaded()) == ["gross", *comp.COMPONENTS]
    for i, c in enumerate(comp.COMPONENTS):
        assert columns[c].tobytes() == sums[i].tobytes(), c


def test_a_run_without_incidents_is_an_empty_year_loss_table(cal, manufacturer):
    sim = simulate(manufacturer, 3, 1, calibration=ScaledRates(cal, 1e-12))
    assert sim.n_events == 0 and len(sim.table.year_totals()) == 0
    assert sim.loss_years.size == 0
    assert np.array_equal(sim.annual(), np.zeros(3)) and sim.mean().value == 0.0


def test_counts_match_the_calibrated_rates(sim, cal, manufacturer):
    counts = sim.events.groupby("attack_type", observed=False).size()
    for t in cal.attack_types:
        lam = 5.0 * cal.rate(t, "manufacturing", "large", basis="all", period="recent")
        expected, se = lam * sim.n_years, math.sqrt(lam * sim.n_years)
        assert abs(counts[t] - expected) < 4 * se + 1, t


def test_survey_part_is_the_engine_loss_unchanged(cal, manufacturer):
    """Without records or severity controls the eight response components add up, event by
    event, to the engine's survey-basis loss: the JNSA-calibrated part is not altered."""
    sim = simulate(manufacturer, 100_000, 5, calibration=cal)
    model = cal.default_model("manufacturing", "large", basis="publicised", period="recent")
    res = cl.simulate(model, years=100_000, seed=5, events=True)
    response = sim.events[list(comp.RESPONSE)].to_numpy().sum(axis=1)
    assert np.allclose(response, res.events["loss"], rtol=1e-12, atol=0)
    assert np.allclose(sum(sim.annual(c) for c in comp.RESPONSE), res.annual_loss, rtol=1e-12, atol=1e-6)
    assert np.array_equal(sim.events["year"].to_numpy(), res.events["year"])


def test_deterministic_and_thread_independent(cal, manufacturer):
    a = simulate(manufacturer, 50_000, 3, threads=1, calibration=cal)
    b = simulate(manufacturer, 50_000, 3, threads=2, calibration=cal)
    pd.testing.assert_frame_equal(a.events, b.events)
    c = simulate(manufacturer, 50_000, 4, calibration=cal)
    assert not a.events.equals(c.events)


def test_restore_drills_share_random_numbers_with_the_baseline(cal, manufacturer):
    scaled = ScaledRates(cal, 5.0)
    base = simulate(manufacturer, 100_000, 8, calibration=scaled).events
    drills = simulate(manufacturer.with_controls(restore_drills=True), 100_000, 8,
                                       calibration=scaled).events
    assert len(base) == len(drills)  # no frequency effect: the same incidents
    rw = (base["attack_type"] == "ransomware").to_numpy()
    assert rw.sum() > 100
    uncapped = rw & (base["downtime_days"] < comp.load().max_downtime_days).to_numpy()
    assert np.allclose(drills["downtime_days"][uncapped], 0.5 * base["downtime_days"][uncapped], rtol=1e-12)
    assert np.allclose(drills["lost_profit"][uncapped], 0.5 * base["lost_profit"][uncapped], rtol=1e-12)
    assert np.all(drills["downtime_days"][rw] <= base["downtime_days"][rw])
    assert np.allclose(drills["recovery"][rw], 0.9 * base["recovery"][rw], rtol=1e-12)
    other = base["attack_type"] == "other"
    assert np.allclose(drills["downtime_days"][other], 0.8 * base["downtime_days"][other], rtol=1e-12)
    untouched = ~rw & (base["attack_type"] != "other").to_numpy()
    pd.testing.assert_frame_equal(drills[untouched], base[untouched])



def test_downtime_scale_zero_removes_downtime_and_lost_profit_only(cal, manufacturer):
    # the BCP extreme "no downtime" is a valid profile (controls.downtime_scale >= 0)
    scaled = ScaledRates(cal, 5.0)
    base = org.simulate_organisation(manufacturer, 20_000, 8, calibration=scaled).events
    none = org.simulate_organisation(manufacturer.with_controls(downtime_scale=0.0), 20_000, 8,
                                     calibration=scaled).events
    assert len(base) == len(none) and (base["downtime_days"] > 0).any()
    assert (none["downtime_days"] == 0).all() and (none["lost_profit"] == 0).all()
    rest = [c for c in comp.COMPONENTS if c != "lost_profit"]
    pd.testing.assert_frame_equal(none[rest], base[rest])

def test_mfa_lowers_ransomware_counts_year_by_year(cal, manufacturer):
    scaled = ScaledRates(cal, 5.0)
    base = simulate(manufacturer, 100_000, 9, calibration=scaled)
    mfa = simulate(manufacturer.with_controls(mfa_remote_access=True), 100_000, 9,
                                    calibration=scaled)
    def per_year(sim, t):
        ev = sim.events[sim.events["attack_type"] == t]
        return np.bincount(ev["year"], minlength=sim.n_years)
    b, m = per_year(base, "ransomware"), per_year(mfa, "ransomware")
    assert np.all(m <= b)  # inverse-CDF Poisson draws: a lower rate never adds incidents
    lam = 5.0 * cal.rate("ransomware", "manufacturing", "large", basis="all", period="recent")
    assert m.mean() == pytest.approx(0.5 * lam, abs=4 * math.sqrt(0.5 * lam / base.n_years))
    assert np.array_equal(per_year(base, "web_leak_card"), per_year(mfa, "web_leak_card"))


def interview_share_ranges():
    """Share of each response component in the itemised ransomware interview cases (cases
    itemising at least two response components; dark-web investigation counted as
    investigation; overtime, travel and lost profit are not response costs)."""
    with open(FACTS, encoding="utf-8") as fh:
        cases = json.load(fh)["interview_cases"]["cases"]
    shares: dict[str, list[float]] = {c: [] for c in comp.RESPONSE}
    n_itemised = 0
    for case in cases:
        if case["type"] != "ransomware" or "components" not in case:
            continue
        items = {c: v for c, v in case["components"].items() if c in comp.RESPONSE}
        items["investigation"] = items.get("investigation", 0) + case["components"].get("darkweb", 0)
        items = {c: v for c, v in items.items() if v > 0}
        if len(items) < 2:
            continue
        n_itemised += 1
        total = sum(items.values())
        for c, v in items.items():
            shares[c].append(v / total)
    assert n_itemised == 8
    return shares


def test_ransomware_component_shares_within_interview_ranges(cal, manufacturer):
    sim = simulate(manufacturer, 400_000, 21, calibration=ScaledRates(cal, 5.0))
    ev = sim.events[sim.events["attack_type"] == "ransomware"]
    assert len(ev) > 2_000
    x = ev[list(comp.RESPONSE)].to_numpy()
    per_event = x / x.sum(axis=1, keepdims=True)
    share = x.sum(axis=0) / x.sum()  # share of the simulated ransomware response costs
    ranges = interview_share_ranges()
    for j, c in enumerate(comp.RESPONSE):
        se = per_event[:, j].std(ddof=1) / math.sqrt(len(ev)) * 3  # loss-weighted: a loose bound
        cases = ranges[c]
        lo, hi = (min(cases), max(cases)) if len(cases) >= 2 else (0.0, cases[0])
        # components one case itemises: the other seven itemised cases show none, so the
        # range spans 0 .. that case
        assert lo <= share[j] <= hi, (c, share[j], lo, hi)
        assert lo <= per_event[:, j].mean() <= hi, (c, per_event[:, j].mean(), lo, hi, se)
    # recurrence prevention is its own column, outside the usually insured sections
    assert "prevention" in ev.columns and "prevention" not in comp.USUALLY_INSURED


def test_card_leak_downtime_reproduces_jnsa(cal):
    retailer = org.OrganisationProfile(industry="wholesale_retail", size="sme", revenue=1e9, ec_share=0.6)
    lam = cal.rate("web_leak_card", "wholesale_retail", "sme", basis="all", period="recent")
    factor = 0.05 / lam  # with the EC-share exposure factor (0.6 / 0.1): 0.3 a year, ~120,000 incidents
    sim = simulate(retailer, 400_000, 31, calibration=ScaledRates(cal, factor))
    days = sim.events.loc[sim.events["attack_type"] == "web_leak_card", "downtime_days"].to_numpy()
    assert len(days) > 15_000
    with open(FACTS, encoding="utf-8") as fh:
        card = json.load(fh)["survey"]["web_leak_with_card"]
    mean, share6m = card["card_payment_suspension_days_mean"]["value"], \
        card["card_payment_suspension_at_least_6_months_share"]["value"]
    se = days.std(ddof=1) / math.sqrt(days.size)
    assert abs(days.mean() - mean) < 0.05 * mean
    assert abs(days.mean() - comp.load().downtime("web_leak_card").mean()) < 4 * se
    p = np.mean(days >= 180.0)
    assert p >= share6m, (p, share6m)
    # lost profit: closure days at the full EC share, the rest at the lost card share
    ev = sim.events[sim.events["attack_type"] == "web_leak_card"]
    bi = np.minimum(days, 20) + 0.5 * np.maximum(days - 20, 0)
    assert np.allclose(ev["lost_profit"], retailer.daily_gross_profit * 0.6 * bi, rtol=1e-12)


def test_record_driven_costs_scale_with_records(cal, manufacturer):
    scaled = ScaledRates(cal, 5.0)
    a = simulate(manufacturer.replace(personal_records=10_000), 200_000, 41, calibration=scaled).events
    b = simulate(manufacturer.replace(personal_records=20_000), 200_000, 41, calibration=scaled).events
    rw = a["attack_type"] == "ransomware"
    notif = a.loc[rw, "notification"].to_numpy()
    assert set(np.unique(notif)) <= {0.0, 10_000 * 110.0}
    p = np.mean(notif > 0)
    assert abs(p - 0.3) < 4 * math.sqrt(0.3 * 0.7 / notif.size)
    assert np.allclose(b.loc[rw, "notification"], 2 * a.loc[rw, "notification"], rtol=1e-12)
    assert np.allclose(b.loc[rw, "condolence"], 2 * a.loc[rw, "condolence"], rtol=1e-12)
    assert np.allclose(b.loc[rw, "investigation"], a.loc[rw, "investigation"], rtol=1e-12)


def test_internal_effort_mean_is_the_jnsa_mean(sim, manufacturer):
    ev = sim.events[sim.events["attack_type"] == "ransomware"]
    pm = ev["internal_effort"].to_numpy() / manufacturer.labour_cost_month
    se = pm.std(ddof=1) / math.sqrt(pm.size)
    assert abs(pm.mean() - 19.7) < 4 * se


def test_describe_by_component_and_html(sim):
    d = sim.by_component()
    assert list(d.index) == [*comp.COMPONENTS, "total"]
    assert d.loc["total", "annual_mean"] == pytest.approx(sim.mean().value)
    assert d.loc["total", "share"] == pytest.approx(1.0)
    assert d["annual_mean"].drop("total").sum() == pytest.approx(sim.mean().value, rel=1e-12)
    table = sim.describe(columns=["gross", *comp.COMPONENTS])
    assert list(table.index[:3]) == ["mean", "std", "P(loss>0)"]
    assert table.loc["mean", "lost_profit"] == d.loc["lost_profit", "annual_mean"]
    assert "<table" in sim._repr_html_()
    assert sim.var(0.99) >= 0 and sim.mean().se > 0
    t = sim.by_attack_type()
    assert t["incidents"].sum() == len(sim.events)
    prov = sim.provenance()
    assert prov.loc["ransomware", "severity_quality"] == "published"
    assert prov.loc["ransomware", "effort_quality"] == "published"
    assert any(line.startswith("emotet severity: assumption") for line in sim.assumptions())
    assert not any(line.startswith("ransomware severity") for line in sim.assumptions())


def test_bad_arguments(cal, manufacturer):
    with pytest.raises(ValueError, match="years must be an integer >= 1, got 0"):
        simulate(manufacturer, 0, 1, calibration=cal)
    with pytest.raises(ValueError, match="profile must be an OrganisationProfile"):
        simulate({"industry": "manufacturing"}, 10, 1, calibration=cal)


@pytest.mark.parametrize("control", org.Controls.names())
def test_no_control_raises_any_incident_loss(cal, manufacturer, control):
    """With common random numbers every incident of the variant is an incident of the
    baseline (same year, type, k) and no component of it is larger."""
    scaled = ScaledRates(cal, 5.0)
    profile = manufacturer.replace(personal_records=5_000)
    base = simulate(profile, 50_000, 13, calibration=scaled).events
    var = simulate(profile.with_controls(**{control: True}), 50_000, 13, calibration=scaled).events
    keys = ["year", "attack_type", "k"]
    joined = var.merge(base, on=keys, how="left", suffixes=("", "_base"), indicator=True)
    assert (joined["_merge"] == "both").all()
    for c in ("downtime_days", *comp.COMPONENTS):
        assert np.all(joined[c].to_numpy() <= joined[f"{c}_base"].to_numpy() * (1 + 1e-12)), c


def test_reliability_warnings_travel_with_the_year_loss_table(sim):
    # the packaged calibration does not warn at these sizes; a table that warns shows it
    assert sim.warnings == []
    warned = cl.YearLossTable(4, {"gross": np.array([0.0, 1.0, 0.0, 2.0])}, views=("gross",),
                              warnings=["the mean is out of reach"])
    assert warned.warnings == ["the mean is out of reach"]
    assert "<b>warning</b>: the mean is out of reach" in warned._repr_html_()


@pytest.mark.parametrize("n_years, chunk", [(1, 1), (7, 3), (65_535, 1 << 16), (65_536, 1 << 16),
                                            (65_537, 1 << 16), (200_003, 999), (200_003, 1 << 16)])
def test_a_sparse_tables_sha256_is_its_dense_arrays(n_years, chunk):
    # hashed chunk by chunk without the dense array: the same bytes, -0.0 and empty chunks included
    rng = np.random.default_rng(n_years)
    for k in (0, 1, n_years // 3, n_years):
        years = np.sort(rng.choice(n_years, size=k, replace=False))
        values = rng.random(k) * 1e6
        values[: k // 4] = -0.0
        dense = np.zeros(n_years)
        dense[years] = values
        assert (results.sparse_annual_loss_sha256(n_years, years, values, chunk)
                == results.annual_loss_sha256(dense)
                == hashlib.sha256(dense.astype("<f8").tobytes()).hexdigest())
    table = cl.YearLossTable(n_years, {"gross": values}, views=("gross",), loss_years=years)
    assert table.sha256() == results.annual_loss_sha256(dense)


def test_stored_amounts_are_the_dense_years_with_a_loss():
    x = np.array([0.0, 3.0, 0.0, 0.0, 5.0, 1.0])
    dense = cl.YearLossTable(6, {"gross": x}, views=("gross",))
    sparse = cl.YearLossTable(6, {"gross": np.array([3.0, 5.0, 1.0])}, views=("gross",),
                              loss_years=np.array([1, 4, 5]))
    for t in (dense, sparse):
        years, values = t.stored()
        np.testing.assert_array_equal(years, [1, 4, 5])
        np.testing.assert_array_equal(values, x[years])
        np.testing.assert_array_equal(t.annual(), x)
        # one level gives the same Estimate as the table of several
        assert t.var(0.5) == t.var([0.5, 0.9]).loc[0.5, "var"]
        assert t.tvar(0.5).se == t.tvar([0.5, 0.9]).loc[0.5, "tvar_se"]


def test_a_cell_the_calibration_has_no_exposure_for_is_warned_of(cal):
    """団体等 are medical, educational, public and other bodies, and 公務 has no companies: a
    manufacturing 団体等 or a public-administration SME has no exposure in the frequency fit, so
    its rates are an extrapolation (a manufacturing 団体等's publicised ransomware rate came out
    19.5 times a medical one's) that was once simulated without a word."""
    empty = {(i, s) for i in cal.data.industries for s in cal.data.sizes if cal.exposure(i, s) == 0.0}
    assert ("manufacturing", "organisation") in empty and ("public_administration", "sme") in empty
    assert ("medical_welfare", "organisation") not in empty and ("manufacturing", "sme") not in empty
    for industry, size in sorted(empty)[:3] + [("medical_welfare", "organisation"), ("manufacturing", "sme")]:
        sim = org.simulate_organisation(org.OrganisationProfile(industry, size), 200, 1, calibration=cal)
        cell = [w for w in sim.warnings if "no exposure" in w]
        if (industry, size) in empty:
            assert cell == [cal.unfitted_cell(industry, size)]
            assert cell[0].startswith(f"industry {industry!r} has no exposure of size {size!r}")
        else:
            assert cell == [] and cal.unfitted_cell(industry, size) is None
