"""Coverage terms against closed forms, an independent direct simulation and hand cases."""
import math

import numpy as np
import pytest
from scipy import stats as sps

import cyberloss as cl
from cyberloss.insurance import decision, terms
from cyberloss.insurance.terms import CoverageTerms, Layer

MU, SIGMA, RATE = 15.0, 1.2, 2.0
YEARS, SEED = 200_000, 20261123


def lognormal_lev(u: float, mu: float = MU, sigma: float = SIGMA) -> float:
    """E[min(X, u)] for X ~ lognormal(mu, sigma) (Klugman, Panjer & Willmot, A.4.11)."""
    if math.isinf(u):
        return math.exp(mu + sigma**2 / 2)
    if u == 0:
        return 0.0
    z = (math.log(u) - mu) / sigma
    return math.exp(mu + sigma**2 / 2) * sps.norm.cdf(z - sigma) + u * sps.norm.sf(z)


@pytest.fixture(scope="module")
def engine_events():
    model = cl.Model([cl.AttackType("ransomware", cl.Poisson(RATE), cl.Lognormal(MU, SIGMA))])
    ev = cl.simulate(model, years=YEARS, seed=SEED, events=True).events
    return terms.event_table(ev["year"], liability=ev["loss"])


LAYERS = [(0.0, 1e6), (1e6, 4e6), (5e6, 2e7), (2e7, 1e8), (1e8, math.inf)]


@pytest.mark.parametrize("attachment,limit", LAYERS)
def test_occurrence_layer_expected_loss_matches_closed_form(engine_events, attachment, limit):
    res = terms.apply(CoverageTerms(sections={"liability": {}}), engine_events, YEARS)
    est = res.layer(Layer(attachment, limit, "occurrence"), view="gross").expected_loss
    exact = RATE * (lognormal_lev(attachment + limit) - lognormal_lev(attachment))
    assert est.se > 0
    assert abs(est.value - exact) < 4 * est.se, (est, exact)


@pytest.mark.parametrize("attachment,limit", LAYERS[:4])
def test_deductible_and_section_limit_price_the_same_layer(engine_events, attachment, limit):
    policy = CoverageTerms(sections={"liability": {"limit": limit}}, deductible=attachment)
    est = terms.apply(policy, engine_events, YEARS).mean("insured")
    exact = RATE * (lognormal_lev(attachment + limit) - lognormal_lev(attachment))
    assert abs(est.value - exact) < 4 * est.se, (est, exact)


def test_layer_probabilities_match_poisson_closed_form(engine_events):
    res = terms.apply(CoverageTerms(sections={"liability": {}}), engine_events, YEARS)
    layer = Layer(2e7, 3e7)
    out = res.layer(layer, "gross")
    attach = 1 - math.exp(-RATE * sps.lognorm.sf(2e7, SIGMA, scale=math.exp(MU)))
    exhaust = 1 - math.exp(-RATE * sps.lognorm.sf(5e7, SIGMA, scale=math.exp(MU)))
    assert abs(out.prob_attach.value - attach) < 4 * out.prob_attach.se
    assert abs(out.prob_exhaust.value - exhaust) < 4 * out.prob_exhaust.se


def direct_annual_insured(year, loss, n_years, deductible, coinsurance, limit, aggregate):
    """Independent year-by-year loop: per-occurrence terms, then the annual aggregate."""
    out = np.zeros(n_years)
    for y, x in zip(year.tolist(), loss.tolist()):
        pay = min(max(x - deductible, 0.0) * coinsurance, limit)
        out[y] += min(pay, aggregate - out[y])
    return out


def test_annual_aggregate_limit_agrees_with_direct_simulation(engine_events):
    n = 20_000
    ev = engine_events[engine_events["year"] < n]
    d, c, lim, agg = 1e6, 0.8, 2e7, 3e7
    policy = CoverageTerms(sections={"liability": {"limit": lim, "coinsurance": c}},
                           deductible=d, aggregate_limit=agg)
    res = terms.apply(policy, ev, n)
    expected = direct_annual_insured(ev["year"].to_numpy(), ev["liability"].to_numpy(), n,
                                     d, c, lim, agg)
    assert (expected >= agg - 1e-6).sum() > 10  # the aggregate limit binds in some years
    np.testing.assert_allclose(res.annual("insured"), expected, rtol=1e-12, atol=1e-6)
    gross = np.bincount(ev["year"], weights=ev["liability"], minlength=n)
    np.testing.assert_allclose(res.annual("retained"), gross - expected, rtol=1e-12, atol=1e-6)


def one_event(**components):
    return terms.event_table([0], **components)


def test_sections_map_components_and_internal_effort_is_retained():
    ev = one_event(investigation=3e6, recovery=2e6, legal=1e6, notification=5e5, callcenter=5e5,
                   condolence=1e6, liability=4e6, prevention=7e6, lost_profit=9e6,
                   internal_effort=8e6, downtime_days=10)
    policy = CoverageTerms(sections={"response": {}, "liability": {}, "business_interruption": {}})
    res = terms.apply(policy, ev, 1)
    assert res.annual("gross")[0] == pytest.approx(36e6)
    assert res.annual("insured_response")[0] == pytest.approx(8e6)
    assert res.annual("insured_liability")[0] == pytest.approx(4e6)
    assert res.annual("insured_business_interruption")[0] == pytest.approx(9e6)
    assert res.annual("retained_uninsured")[0] == pytest.approx(15e6)
    covered = terms.apply(CoverageTerms(sections={"response": {}}, cover_prevention=True), ev, 1)
    assert covered.annual("insured")[0] == pytest.approx(15e6)


def test_business_interruption_waiting_and_indemnity_periods():
    ev = terms.event_table([0, 0, 0], downtime_days=[30.0, 5.0, 0.0], lost_profit=[3e7, 5e6, 1e6])
    bi = {"waiting_period_days": 2, "indemnity_period_days": 20}
    res = terms.apply(CoverageTerms(sections={"business_interruption": bi}), ev, 1)
    # 1e6 a day: days 3..20 of the first (18 days), days 3..5 of the second, nothing for 0 days
    assert res.annual("insured")[0] == pytest.approx(18e6 + 3e6)
    no_wait = terms.apply(CoverageTerms(sections={"business_interruption": {}}), ev, 1)
    assert no_wait.annual("insured")[0] == pytest.approx(3.6e7)


def test_deductible_is_per_occurrence_and_shared_pro_rata():
    ev = terms.event_table([0, 0], investigation=[3e6, 1e6], liability=[1e6, 0.0])
    policy = CoverageTerms(sections={"response": {}, "liability": {"limit": 5e5}},
                           deductible=2e6)
    res = terms.apply(policy, ev, 1)
    # event 1: 4e6 covered, 2e6 after deductible: response 1.5e6, liability 0.5e6 (limit 5e5)
    assert res.annual("insured_response")[0] == pytest.approx(1.5e6)
    assert res.annual("insured_liability")[0] == pytest.approx(5e5)
    assert res.annual("insured")[0] == pytest.approx(2e6)


def test_sublimits_cap_components_per_occurrence():
    ev = terms.event_table([0, 1], investigation=[8e6, 2e6], condolence=[5e6, 5e6])
    policy = CoverageTerms(sections={"response": {"sublimits": {"investigation": "500万円",
                                                                "condolence": 1e6}}})
    res = terms.apply(policy, ev, 2)
    np.testing.assert_allclose(res.annual("insured"), [6e6, 3e6])


def test_switched_off_section_is_retained():
    ev = one_event(liability=5e6, investigation=1e6)
    policy = CoverageTerms(sections={"response": {}, "liability": {"covered": False}})
    res = terms.apply(policy, ev, 1)
    assert res.annual("insured")[0] == pytest.approx(1e6)
    assert res.annual("retained_liability")[0] == pytest.approx(5e6)


def test_terms_load_from_toml(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(
        '[terms]\ndeductible = "100万円"\naggregate_limit = "1億円"\n'
        '[terms.sections.response]\nlimit = 50_000_000\nsublimits = { condolence = "300万円" }\n'
        '[terms.sections.business_interruption]\nwaiting_period_days = 1\n'
        'indemnity_period_days = 90\ncoinsurance = 0.9\n', encoding="utf-8")
    t = CoverageTerms.from_toml(path)
    assert t.deductible == 1e6 and t.aggregate_limit == 1e8
    assert t.sections["response"].sublimits["condolence"] == 3e6
    assert t.covered_sections == ("response", "business_interruption")
    assert CoverageTerms.from_dict(t.to_dict()) == t


@pytest.mark.parametrize("data,field", [
    ({"sections": {}, "deductible": -1}, "deductible"),
    ({"sections": {}, "deductible": "-100万円"}, "deductible"),
    ({"sections": {}, "aggregate_limit": 0}, "aggregate_limit"),
    ({"sections": {"liability": {"limit": 0}}}, "limit"),
    ({"sections": {"liability": {"limit": -5}}}, "limit"),
    ({"sections": {"liability": {"coinsurance": 0}}}, "coinsurance"),
    ({"sections": {"liability": {"coinsurance": 1.2}}}, "coinsurance"),
    ({"sections": {"cyber_extortion": {}}}, "cyber_extortion"),
    ({"sections": {"liability": {"limt": 1}}}, "limt"),
    ({"sections": {"response": {"sublimits": {"forensics": 1}}}}, "forensics"),
    ({"sections": {"liability": {"sublimits": {"condolence": 1}}}}, "condolence"),
    ({"sections": {"liability": {"waiting_period_days": 3}}}, "waiting_period_days"),
    ({"sections": {"business_interruption": {"waiting_period_days": -1}}}, "waiting_period_days"),
    ({"sections": {"business_interruption": {"indemnity_period_days": 0}}}, "indemnity_period_days"),
    ({"sections": {}, "cover_prevention": "yes"}, "cover_prevention"),
    ({"sections": {"response": {"sublimits": {"prevention": 1e6}}}}, "prevention"),
    ({"deductible": 0}, "sections"),
])
def test_bad_terms_are_refused_naming_the_field(data, field):
    with pytest.raises(ValueError, match=field):
        CoverageTerms.from_dict(data)


def test_a_prevention_sublimit_without_prevention_cover_is_refused_not_ignored():
    # the core pays prevention only with cover_prevention: a sublimit on it would do nothing
    data = {"sections": {"response": {"sublimits": {"prevention": "200万円"}}}}
    with pytest.raises(ValueError) as err:
        CoverageTerms.from_dict(data)
    assert str(err.value) == ("terms.sections.response.sublimits.prevention: recurrence prevention is not "
                              "covered (cover_prevention = false), so its sublimit would be ignored")
    with pytest.raises(ValueError, match="cover_prevention = false"):
        CoverageTerms({"response": terms.SectionTerms(sublimits={"prevention": 2e6})})
    covered = CoverageTerms.from_dict({**data, "cover_prevention": True})
    assert covered.sections["response"].sublimits["prevention"] == 2e6


@pytest.mark.parametrize("kwargs,field", [
    ({"attachment": -1, "limit": 1}, "attachment"),
    ({"attachment": 0, "limit": 0}, "limit"),
    ({"attachment": 0, "limit": 1, "basis": "policy"}, "basis"),
])
def test_bad_layers_are_refused(kwargs, field):
    with pytest.raises(ValueError, match=field):
        Layer(**kwargs)


def test_bad_event_tables_are_refused():
    policy = CoverageTerms(sections={"liability": {}})
    with pytest.raises(ValueError, match="n_years"):
        terms.apply(policy, one_event(liability=1.0), 0)
    with pytest.raises(ValueError, match="events.year"):
        terms.apply(policy, terms.event_table([3], liability=1.0), 2)
    with pytest.raises(ValueError, match="events.liability"):
        terms.apply(policy, one_event(liability=-1.0), 1)
    with pytest.raises(ValueError, match="missing column"):
        terms.apply(policy, {"year": np.array([0]), "liability": np.array([1.0])}, 1)


def test_result_views_and_tables(engine_events):
    n = 50_000
    ev = engine_events[engine_events["year"] < n]
    policy = CoverageTerms(sections={"liability": {"limit": 3e7}}, deductible=1e6,
                           aggregate_limit=5e7)
    res = terms.apply(policy, ev, n)
    table = res.to_frame(dense=True)
    assert len(table) == n and list(table.columns[:4]) == ["year", "gross", "insured", "retained"]
    assert "insured_liability" in table.columns
    sparse = res.to_frame()
    assert len(sparse) == res.loss_years.size < n
    np.testing.assert_array_equal(table["insured"].to_numpy()[res.loss_years], sparse["insured"])
    np.testing.assert_allclose(table["insured"] + table["retained"], table["gross"], rtol=1e-12)
    ep = res.ep_curve(view="gross")
    assert ep["return_period"].tolist() == [2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000]
    assert list(ep.columns) == ["return_period", "exceedance_probability", "aep", "aep_se", "oep",
                                "oep_se"]
    assert np.all(np.diff(ep["aep"]) >= 0) and np.all(ep["aep"] >= ep["oep"])
    described = res.describe()
    assert {"gross", "insured_se", "retained"} <= set(described.columns)
    assert described.notna().all().all()
    assert "万円" in res._repr_html_() or "億円" in res._repr_html_()
    ilf = res.ilf([1e7, 3e7, 1e8], basic_limit=1e7)
    assert ilf["ilf"].iloc[0] == 1.0 and np.all(np.diff(ilf["ilf"]) > 0)
    with pytest.raises(ValueError, match="return_periods"):
        res.ep_curve([10, n * 2])
    with pytest.raises(ValueError, match="view"):
        res.mean("net")


def test_annual_layer_is_a_stop_loss_on_the_annual_loss(engine_events):
    n = 20_000
    ev = engine_events[engine_events["year"] < n]
    res = terms.apply(CoverageTerms(sections={"liability": {}}), ev, n)
    gross = np.bincount(ev["year"], weights=ev["liability"], minlength=n)
    layer = Layer(5e7, 1e8, basis="annual")
    out = res.layer(layer, "gross")
    assert out.expected_loss.value == pytest.approx(np.clip(gross - 5e7, 0, 1e8).mean(), rel=1e-12)
    assert out.prob_attach.value == pytest.approx(np.mean(gross > 5e7))
    assert out.prob_exhaust.value == pytest.approx(np.mean(gross >= 1.5e8))


def test_an_aggregate_below_the_deductible_is_refused_from_a_table_only():
    # as MODEL_NOTES says: a unit slip in a [terms] table; the constructor and the grid take it
    with pytest.raises(ValueError, match=r"^terms.aggregate_limit must not be below terms.deductible"):
        CoverageTerms.from_dict({"sections": {"liability": {}}, "deductible": "1000万円",
                                 "aggregate_limit": "100万円"})
    policy = CoverageTerms({"liability": {}}, deductible=1e7, aggregate_limit=1e6)
    assert (policy.deductible, policy.aggregate_limit) == (1e7, 1e6)
    events = terms.event_table([0, 1], liability=[2e7, 5e6])
    grid = decision.choose_retention(events, 100, policy.with_retention(0.0, math.inf), deductibles=[1e7],
                                     limits=[1e6]).grid
    assert [1e7, 1e6] in grid[["deductible", "limit"]].to_numpy().tolist()


def test_a_tables_incidents_use_up_the_aggregate_in_row_order_within_a_year():
    # as the docs say: year by year, then the rows' order; attack_type and k are not read
    policy = CoverageTerms.from_dict({"aggregate_limit": 5e6, "sections": {"liability": {}, "response": {}}})
    events = terms.event_table([1, 0, 0, 0], liability=[5e6, 3e6, 3e6, 0], investigation=[0, 0, 1e6, 2e6])
    events["attack_type"], events["k"] = [0, 2, 1, 0], [0, 1, 0, 0]

    def paid(table):
        frame = terms.apply(policy, table, 2).to_frame()
        return frame[["insured_liability", "insured_response"]].to_numpy().tolist()

    assert paid(events) == [[4.5e6, 0.5e6], [5e6, 0.0]]
    assert paid(events.iloc[[3, 2, 1, 0]]) == [[2.25e6, 2.75e6], [5e6, 0.0]]
    assert paid(events.sort_values(["year", "attack_type", "k"])) == [[2.25e6, 2.75e6], [5e6, 0.0]]
    assert paid(events.assign(attack_type=[0, 0, 1, 2], k=[0, 0, 0, 0])) == paid(events)


def test_section_columns_are_each_years_events_summed_in_order(engine_events):
    """The year-loss table's <view>_<section> columns: per year with incidents, its events'
    section amounts added in event order from 0 (as np.bincount adds them), retained = gross -
    insured; each the same bits as the core's per-section annual loss."""
    policy = CoverageTerms(deductible=100_000, aggregate_limit=3e6,
                           sections={"response": {}, "liability": {"limit": 1e6},
                                     "business_interruption": {"waiting_period_days": 1}})
    ylt = terms.apply(policy, engine_events, YEARS)
    core = ylt.core
    years = np.asarray(core.years)
    row = np.searchsorted(years, ylt.occurrence("gross")[0])

    def summed(view, section):
        x = np.asarray(core.event_section(view, section))
        return np.bincount(row, weights=x, minlength=years.size)

    for view in terms.VIEWS:
        columns = core.annual_sparse_by_section(view)
        assert len(columns) == len(terms.ALL_SECTIONS)
        for section in terms.ALL_SECTIONS:
            gross, insured = summed("gross", section), summed("insured", section)
            expected = {"gross": gross, "insured": insured, "retained": gross - insured}[view]
            assert columns[f"{view}_{section}"].tobytes() == expected.tobytes(), (view, section)
            assert np.asarray(core.annual_sparse(view, section)).tobytes() == expected.tobytes()
    with pytest.raises(ValueError, match="view"):
        core.annual_sparse_by_section("ceded")


def test_an_event_table_without_n_years_or_with_a_text_cell_is_named():
    # n_years=None (the default) was refused as "n_years must be ...", and a text cell failed
    # with "could not convert string to float" naming no column
    ev = terms.event_table([0, 1], liability=[1e6, 2e6])
    with pytest.raises(ValueError, match="n_years is required with an event table given as a DataFrame"):
        terms.apply(CoverageTerms(sections={"liability": {}}), ev)
    ev["liability"] = ev["liability"].astype(object)
    ev.loc[1, "liability"] = "2,000,000"
    with pytest.raises(ValueError, match="events.liability must be numbers, got '2,000,000'"):
        terms.apply(CoverageTerms(sections={"liability": {}}), ev, n_years=2)
