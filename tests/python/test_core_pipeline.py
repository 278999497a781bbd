"""The C++ per-incident pipeline (what the package runs) against the NumPy implementation it
replaced (tests/python/reference, a test oracle).

Both are computed here on the example profiles.  Where the core's bits differ the cause is
named: the core's exp (vecmath) against NumPy's exp differ by an ulp or so, and the annual
aggregate limit is applied with AnnualCapacity (pay = min(x, capacity - used)) where the
reference differences cumulative sums, which rounds differently in years where it binds.
Tolerances are relative 1e-12, with an absolute floor of 1e-12 times the quantity's scale for
values that are differences of nearly equal amounts (retained = gross - insured, SEs at a cap).
"""
from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from cyberloss import _core, calibration
from cyberloss import organisation as org
from cyberloss import portfolio as pf
from cyberloss import random as clrandom
from cyberloss.insurance import pricing, quote, terms
from cyberloss.organisation import components as comp
from reference import decision as ref_decision
from reference import incident as ref_incident
from reference import measures as ref_measures
from reference import portfolio as ref_portfolio
from reference import pricing as ref_pricing
from reference import terms as ref_terms

EXAMPLES = ("examples/sme_manufacturer.toml", "examples/manufacturer.toml",
            "examples/ec_retailer.toml")
YEARS = 100_000
SEED = 20260701
RTOL = 1e-12


def close(a, b, scale=None, rtol=RTOL) -> None:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    same_inf = (a == b) & ~np.isfinite(a)
    a, b = np.where(same_inf, 0.0, a), np.where(same_inf, 0.0, b)
    floor = rtol * (np.max(np.abs(a), initial=0.0) if scale is None else scale)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=floor)


@pytest.fixture(scope="module")
def sme_policy():
    return quote.read_quote_toml("examples/sme_manufacturer.toml")


def rich_policy() -> terms.CoverageTerms:
    """Every term at work: prevention covered with a sublimit, coinsurance, a BI waiting
    period, liability not covered, an aggregate limit that binds."""
    return terms.CoverageTerms(
        sections={"response": terms.SectionTerms(limit=4e7, coinsurance=0.8,
                                                 sublimits={"prevention": 2e6,
                                                            "notification": 5e6}),
                  "liability": terms.SectionTerms(limit=1e8, covered=False),
                  "business_interruption": terms.SectionTerms(limit=2e7, waiting_period_days=3,
                                                              indemnity_period_days=60)},
        deductible=5e5, aggregate_limit=3e7, cover_prevention=True)


def event_dict(table) -> dict[str, np.ndarray]:
    """The core event table as the columns the reference reads."""
    out = {"year": np.asarray(table.year), "downtime_days": np.asarray(table.downtime_days)}
    for c in comp.COMPONENTS:
        out[c] = np.asarray(table.component(c))
    return out


@pytest.fixture(scope="module")
def cal0():
    """Calibration v2 without the size effect: on the publicised basis, calibration v1's model."""
    return calibration.load(overrides={"size.loss_elasticity": 0.0})


@pytest.fixture(scope="module", params=EXAMPLES)
def simulated(request, cal0):
    profile = org.OrganisationProfile.from_toml(request.param)
    table = org.simulate_organisation(profile, YEARS, SEED, basis="publicised", calibration=cal0).table
    return profile, table


def test_event_table_equals_the_numpy_reference(simulated, cal0):
    profile, table = simulated
    ev = ref_incident.simulate_organisation(profile, YEARS, SEED, basis="publicised", calibration=cal0)
    assert len(ev) == len(table) > 0
    np.testing.assert_array_equal(ev["year"].to_numpy(), table.year)
    np.testing.assert_array_equal(ev["attack_type"].cat.codes.to_numpy(), table.type)
    np.testing.assert_array_equal(ev["k"].to_numpy(), table.k)
    for c in comp.COMPONENTS:
        close(ev[c].to_numpy(), table.component(c), scale=0.0)
    close(ev["downtime_days"].to_numpy(), table.downtime_days, scale=0.0)


def test_batch_from_uniforms_equals_event_components():
    profile = org.OrganisationProfile.from_toml("examples/ec_retailer.toml")
    rng = np.random.default_rng(3)
    n = 2000
    for t in profile.data.raw["effort"]:
        if t == "about":
            continue
        params = org.TypeParameters.for_profile(profile, t)
        loss = rng.lognormal(15, 1.5, n)
        u_down, u_eff = rng.uniform(1e-12, 1 - 1e-12, (2, n))
        u_comp = rng.uniform(1e-12, 1 - 1e-12, (n, 16))
        want = ref_incident.event_components(profile, params, loss, u_down, u_eff, u_comp)
        got = org.incident_model(profile, t).from_uniforms(loss, u_down, u_eff, u_comp)
        for key, value in want.items():
            close(value, got[key], scale=0.0)


def test_core_uniforms_are_the_package_streams(simulated, cal0):
    """The core draws event k's uniforms at (seed, stream t, year, draw k) as uniform_at does."""
    profile, table = simulated
    t = int(table.type[0])
    sel = np.nonzero(np.asarray(table.type) == t)[0][:50]
    y, k = np.asarray(table.year)[sel], np.asarray(table.k)[sel].astype(np.int64)
    u_down = clrandom.uniform_at(SEED, clrandom.stream_id(clrandom.Purpose.DOWNTIME, t), y, k)
    u_eff = clrandom.uniform_at(SEED, clrandom.stream_id(clrandom.Purpose.EFFORT, t), y, k)
    u_comp = clrandom.uniform_at(SEED, clrandom.stream_id(clrandom.Purpose.COMPONENTS, t),
                                 y[:, None], k[:, None] * 16 + np.arange(16)[None, :])
    inc = org.organisation_model(profile, basis="publicised", calibration=cal0)[1][t]
    got = inc.from_uniforms(np.asarray(table.survey_loss)[sel], u_down, u_eff, u_comp)
    batch = inc.components(SEED, t, y, k.astype(np.int32), np.asarray(table.survey_loss)[sel])
    for c in comp.COMPONENTS:
        np.testing.assert_array_equal(got[c], np.asarray(table.component(c))[sel])
        np.testing.assert_array_equal(batch[c], got[c])


@pytest.mark.parametrize("threads,block", [(1, 0), (2, 997), (8, 64), (2, 100_000)])
def test_event_table_bit_identical_for_threads_and_blocks(threads, block):
    profile = org.OrganisationProfile.from_toml("examples/manufacturer.toml")
    model, incidents, _ = org.organisation_model(profile)
    ref = _core.simulate_organisation(model, incidents, 30_000, 5, threads=1, block_size=8192)
    got = _core.simulate_organisation(model, incidents, 30_000, 5, threads=threads,
                                      block_size=block)
    for name in ("year", "type", "k", "survey_loss", "downtime_days", "components"):
        np.testing.assert_array_equal(getattr(ref, name), getattr(got, name))


def test_event_table_views_are_read_only_without_copies(simulated):
    _, table = simulated
    col = table.component("liability")
    assert not col.flags.writeable and not col.flags.owndata
    assert table.components.shape == (10, len(table))


def policies(sme_policy):
    return [sme_policy[0], rich_policy()]


@pytest.mark.parametrize("which", [0, 1])
def test_terms_apply_views_and_sections(simulated, sme_policy, which):
    _, table = simulated
    policy = policies(sme_policy)[which]
    py = ref_terms.apply(policy, event_dict(table), YEARS)
    core = _core.apply_terms(policy.to_core(), table)
    ylt = terms.apply(policy, table)
    for view in terms.VIEWS:
        close(py.occurrence(view)[1], core.event(view), scale=np.max(py.occurrence("gross")[1]))
        np.testing.assert_array_equal(ylt.annual(view), core.annual(view))
        close(py.annual(view), core.annual(view), scale=np.max(py.annual("gross")))
        for section in py.sections:
            close(py.annual(view, section), core.annual(view, section),
                  scale=np.max(py.annual("gross")))
        close(py.occurrence_max(view)[np.asarray(core.years)], core.occurrence_max_sparse(view),
              scale=np.max(py.annual("gross")))
    assert np.all(np.asarray(core.event("insured")) <= np.asarray(core.event("gross")))
    # each incident's year as the events give it, dict or event table alike
    for result in (ylt, terms.apply(policy, event_dict(table), YEARS)):
        np.testing.assert_array_equal(result.occurrence("gross")[0], np.asarray(table.year))


def test_an_applied_policy_does_not_hold_on_to_its_events(simulated, sme_policy):
    # a quote keeps its year-loss table, not the simulation's event table and components
    _, table = simulated
    before = sys.getrefcount(table)
    ylt = terms.apply(sme_policy[0], table)
    assert sys.getrefcount(table) == before
    assert ylt.occurrence()[0].size == len(table)


def test_a_views_section_columns_are_summed_when_first_read(simulated, sme_policy):
    """The year-loss table of a policy sums one view's section columns when one of them is
    first read (a quote reads only the insured view's), each the same bits as the core's
    per-section annual loss."""
    _, table = simulated
    ylt = terms.apply(sme_policy[0], table)
    columns = vars(ylt)["_columns"]
    assert set(columns.loaded()) == set(terms.VIEWS)
    assert ylt.columns[:3] == terms.VIEWS and len(ylt.columns) == 3 + 3 * len(ylt.sections)
    assert set(columns.loaded()) == set(terms.VIEWS)   # naming them sums nothing
    for view in ("insured", "retained", "gross"):
        for section in ylt.sections:
            assert np.array_equal(ylt.annual(f"{view}_{section}"),
                                  ylt.core.annual(view, section)), (view, section)
        assert set(columns.loaded()) >= {f"{view}_{s}" for s in ylt.sections}
    assert len(columns.loaded()) == len(ylt.columns)


@pytest.mark.parametrize("which", [0, 1])
def test_describe_matches_insured_result(simulated, sme_policy, which):
    _, table = simulated
    policy, settings = policies(sme_policy)[which], sme_policy[1]
    levels = list(settings.levels)
    py = ref_terms.apply(policy, event_dict(table), YEARS).describe(levels)
    core = _core.apply_terms(policy.to_core(), table)
    ylt = terms.apply(policy, table).describe(levels)
    for view in terms.VIEWS:
        scale = py.loc["std", view]
        close([py.loc["mean", view], py.loc["std", view]], [core.mean(view)[0], core.std(view)[0]])
        close([py.loc["mean", f"{view}_se"], py.loc["std", f"{view}_se"]],
              [core.mean(view)[1], core.std(view)[1]])
        tail = core.tail(view, levels)
        labels = [f"{100 * p:.10g}%" for p in levels]
        close([py.loc[f"VaR {lb}", view] for lb in labels], tail["var"])
        for label in ("mean", "std", *(f"{k} {lb}" for k in ("VaR", "TVaR") for lb in labels)):
            close(ylt.loc[label, view], py.loc[label, view])
            close(ylt.loc[label, f"{view}_se"], py.loc[label, f"{view}_se"], scale=scale)
        close([py.loc[f"TVaR {lb}", view] for lb in labels], tail["tvar"])
        close([py.loc[f"VaR {lb}", f"{view}_se"] for lb in labels], tail["var_se"], scale=scale)
        close([py.loc[f"TVaR {lb}", f"{view}_se"] for lb in labels], tail["tvar_se"], scale=scale)


def test_quote_premiums_and_section_split(simulated, sme_policy):
    _, table = simulated
    policy, settings = sme_policy
    py_res = ref_terms.apply(policy, event_dict(table), YEARS)
    core = _core.apply_terms(policy.to_core(), table)
    ylt = terms.apply(policy, table)
    for p in settings.principles:
        got = core.premium(p.to_core(), settings.loads.to_core(), "insured", True)
        want = ref_pricing.premium(py_res, p, settings.loads)
        package = pricing.premium(ylt, p, settings.loads)
        for key in ("expected_loss", "risk_premium", "technical_premium"):
            close(want[key].value, got[key])
            close(want[key].se, got[f"{key}_se"], scale=want[key].value)
            assert getattr(package, key).value == got[key]
            assert getattr(package, key).se == got[f"{key}_se"]
        row = {"technical_premium": want["technical_premium"].value}
        split = want["by_section"].drop("total")
        got_split = np.array([got["by_section"][s] for s in split.index])
        np.testing.assert_array_equal(package.by_section.drop("total").loc[split.index].to_numpy(),
                                      got_split)
        # Rank-weighted principles split years tied at a cap by their order; terms.py's
        # cumulative-sum aggregate makes such ties differ by an ulp (see module docstring).
        tied_at_cap = p.name in ("tvar_cost_of_capital", "wang") and np.any(
            np.asarray(core.annual_sparse("insured")) == policy.aggregate_limit)
        close(split.to_numpy(), got_split, scale=row["technical_premium"],
              rtol=1e-3 if tied_at_cap else RTOL)


def test_ep_table_matches_the_reference(simulated, sme_policy):
    _, table = simulated
    policy = sme_policy[0]
    py_res = ref_terms.apply(policy, event_dict(table), YEARS)
    core = _core.apply_terms(policy.to_core(), table)
    ylt = terms.apply(policy, table)
    periods = [t for t in (2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000) if 10 * t <= YEARS]
    for view in terms.VIEWS:
        want = ref_measures.ep_table(py_res.annual(view), py_res.occurrence_max(view), periods)
        got = core.ep_table(view, periods)
        package = ylt.ep_curve(view=view)
        assert list(package.columns) == ["return_period", "exceedance_probability", "aep", "aep_se",
                                         "oep", "oep_se"]
        for key in ("aep", "oep"):
            close(want[key], got[key])
            close(want[f"{key}_se"], got[f"{key}_se"], scale=np.max(want[key]))
        for key in ("aep", "oep", "aep_se", "oep_se"):
            np.testing.assert_array_equal(package[key], got[key])
        for key in ("aep", "oep"):
            close(want[key], got[key])
            close(want[f"{key}_se"], got[f"{key}_se"], scale=np.max(want[key]))


@pytest.mark.parametrize("which", [0, 1])
def test_retention_grid_and_recommendation(simulated, sme_policy, which):
    _, table = simulated
    policy, settings = policies(sme_policy)[which], sme_policy[1]
    d = settings.decision
    for principle, max_premium in ((d.principle, None), (pricing.WangTransform(), 2e5)):
        want = ref_decision.grid(
            event_dict(table), YEARS, policy, d.deductibles, d.limits, principle=principle,
            loads=settings.loads, cost_of_capital=d.cost_of_capital, tail_level=d.tail_level,
            max_premium=max_premium)
        got = _core.retention_grid(policy.to_core(), table, YEARS, list(d.deductibles),
                                   list(d.limits), principle.to_core(),
                                   settings.loads.to_core(), d.cost_of_capital, d.tail_level,
                                   max_premium)
        assert len(want) == len(got["total_cost"]) == len(d.deductibles) * len(d.limits) + 1
        np.testing.assert_array_equal(want["insured"], got["insured"])
        for key in ("deductible", "limit", "insured_el", "premium", "retained_el",
                    "retained_tvar", "total_cost"):
            close(want[key], got[key])
        close(want["tail_capital_cost"], got["tail_capital_cost"],
              scale=np.max(want["total_cost"]))
        np.testing.assert_array_equal(want["efficient"], got["efficient"])
        np.testing.assert_array_equal(want["recommended"], got["recommended"])


@pytest.mark.parametrize("n,nonzero", [(1000, 0), (1000, 1), (5000, 40), (200, 200)])
def test_sparse_and_dense_samples_equal_measures_tail(n, nonzero):
    rng = np.random.default_rng(n + nonzero)
    x = np.zeros(n)
    # ties: values drawn from a few levels
    x[rng.choice(n, nonzero, replace=False)] = rng.choice([1.0, 2.5, 2.5, 7.0, 1e6], nonzero)
    levels = [0.5, 0.9, 0.99, 0.995]
    want = ref_measures.tail(x, levels)
    sparse = _core.stats.LossSample.sparse(n, x[x != 0])
    dense = _core.stats.LossSample.dense(x, 0.5)
    for sample in (sparse, dense):
        got = sample.tail(levels)
        close(want.index, got["level"])
        for key in ("var", "var_se", "tvar", "tvar_se"):
            close(want[key], got[key], scale=max(np.max(x), 1.0))
        close(np.mean(x), sample.mean())
        close(ref_measures.std(x).value, sample.std())
        close(ref_measures.std(x).se, sample.std_se(), scale=max(np.max(x), 1.0))


def test_var_se_at_an_atom_looks_two_then_three_binomial_sds_out():
    # 10,000 years: h = sqrt(0.99 * 0.01 / 10^4) ~ 0.001, 10 ranks. An atom at 5 on ranks
    # 9,885..9,914 (VaR 99% is rank 9,899): flat at +-1h, so the SE is the distance at +-2h over 4
    n = 10_000
    x = np.arange(n, dtype=float) / n
    x[9885:9915] = 5.0
    x[9915:] = 6.0 + np.arange(n - 9915) / n
    s = np.sort(x)
    h = math.sqrt(0.99 * 0.01 / n)
    idx = lambda p: math.ceil(n * p) - 1   # noqa: E731
    assert s[idx(0.99 - h)] == s[idx(0.99 + h)] == 5.0
    want = (s[idx(0.99 + 2 * h)] - s[idx(0.99 - 2 * h)]) / 4
    for sample in (_core.stats.LossSample.dense(x, 0.9), _core.stats.LossSample.sparse(n, x[x != 0], 0.9)):
        got = sample.tail([0.99])
        assert got["var"][0] == 5.0 and got["var_se"][0] == pytest.approx(want, rel=1e-12) and want > 0
    # flat across 3 SDs: 0
    x[9850:9950] = 5.0
    assert _core.stats.LossSample.dense(x).tail([0.99])["var_se"][0] == 0.0
    assert ref_measures.var_se(x, 0.99) == 0.0


def test_dense_sample_refuses_levels_below_its_selection():
    x = np.random.default_rng(1).uniform(size=10_000)
    sample = _core.stats.LossSample.dense(x, 0.9)
    assert sample.lowest_rank > 0
    close(sample.var(0.99), np.sort(x)[9899])
    with pytest.raises(IndexError, match="min_level"):
        sample.var(0.5)


def test_core_refuses_bad_input_naming_the_field():
    with pytest.raises(ValueError, match=r"sections.response.coinsurance must be in \(0, 1\], got 1.5"):
        _core.CoverageTerms({"response": _core.SectionTerms(coinsurance=1.5)})
    with pytest.raises(ValueError, match="sublimits: unknown component 'forensics'"):
        _core.SectionTerms(sublimits={"forensics": 1e6})
    with pytest.raises(ValueError, match="liability: waiting_period_days"):
        _core.CoverageTerms({"liability": _core.SectionTerms(waiting_period_days=2)})
    with pytest.raises(ValueError, match="deductible must be finite and >= 0, got -1"):
        _core.CoverageTerms({"response": _core.SectionTerms()}, deductible=-1)
    with pytest.raises(ValueError, match="aggregate_limit must be > 0"):
        _core.CoverageTerms({"response": _core.SectionTerms()}, aggregate_limit=math.nan)
    with pytest.raises(ValueError, match="long_probability must be in"):
        _core.DowntimeDistribution.card_suspension(1.2, 180, 15, 21, 0.8)
    with pytest.raises(ValueError, match="mean_shares must have 8 values"):
        _core.IncidentType("x", [1.0], 0.5, _core.DowntimeDistribution.lognormal(1, 1), 365, 1, 1)
    profile = org.OrganisationProfile.from_toml("examples/sme_manufacturer.toml")
    with pytest.raises(ValueError, match="share_affected must be in"):
        _core.IncidentModel(org.incident_type(profile.data, "ransomware"),
                            _core.IncidentFactors(share_affected=2.0))
    with pytest.raises(ValueError, match=r"the sum of shares.ransomware must be 1 \(within 1e-9\), got 4"):
        _core.IncidentModel(_core.IncidentType("ransomware", [0.5] * 8, 0.5,
                                               _core.DowntimeDistribution.lognormal(1, 1), 365,
                                               1, 1), _core.IncidentFactors())
    with pytest.raises(ValueError, match="events.year must be in"):
        _core.apply_terms(_core.CoverageTerms({"response": _core.SectionTerms()}),
                          np.array([5]), np.zeros(1), np.zeros((10, 1)), 3)
    with pytest.raises(ValueError, match="events.legal must be finite and >= 0, got nan"):
        comps = np.zeros((10, 1))
        comps[2, 0] = math.nan
        _core.apply_terms(_core.CoverageTerms({"response": _core.SectionTerms()}),
                          np.array([0]), np.zeros(1), comps, 3)
    # finite amounts whose year sums overflow: refused naming the year, not NaN retained losses
    huge = np.full((10, 2), 1e308)
    for year in (np.array([0, 0]), np.array([1, 1])):
        with pytest.raises(ValueError, match=f"events: the losses of year {year[0]} sum to inf, "
                                             "beyond the largest double"):
            _core.apply_terms(_core.CoverageTerms({"response": _core.SectionTerms()}),
                              year, np.zeros(2), huge, 3)
        with pytest.raises(ValueError, match=f"the losses of year {year[0]} sum to inf"):
            _core.retention_grid(_core.CoverageTerms({"response": _core.SectionTerms()}),
                                 year, np.zeros(2), huge, 3, [0.0], [1e6],
                                 _core.Principle.expected_value(), _core.Loads(), 0.1, 0.99)
    with pytest.raises(ValueError, match="u_effort must lie strictly inside"):
        org.incident_model(profile, "ransomware").from_uniforms(
            np.ones(1), np.full(1, 0.5), np.zeros(1), np.full((1, 16), 0.5))
    with pytest.raises(ValueError, match="rate must be in"):
        _core.Principle.tvar_cost_of_capital(0.99, 1.0)
    with pytest.raises(ValueError, match="expense_ratio \\+ profit_ratio must be < 1"):
        _core.Loads(0.6, 0.5, 0.0)
    with pytest.raises(ValueError, match="deductibles must be finite and >= 0"):
        _core.retention_grid(_core.CoverageTerms({"response": _core.SectionTerms()}),
                             np.array([0]), np.zeros(1), np.ones((10, 1)), 100, [-1.0], [1e6],
                             _core.Principle.expected_value(), _core.Loads(), 0.1, 0.99)


def _portfolio_block(book, seed: int, years: int) -> dict:
    freq = _core.PortfolioFrequency(book.rates.tolist(), [0.0] * len(book.attack_types))
    return dict(_core.portfolio_events(freq, seed, 0, years))


@pytest.mark.parametrize("basis", ["publicised", "all"])
def test_organisation_portfolio_loss_equals_the_reference(basis):
    """Calibration v1's incident model per policy on the publicised basis, v2's (branches, size
    scales, minor incidents) on the all-incidents basis."""
    book = pf.Portfolio.read("examples/portfolio_small.csv", basis=basis)
    loss = pf.OrganisationLoss.from_calibration(basis=basis)
    ev = _portfolio_block(book, 5, 3000)
    assert ev["u"].size > 20
    core = loss.to_core(book)
    want = ref_portfolio.organisation_components(loss, book, {**ev, "seed": 5})
    assert want["major"].all() == (basis == "publicised")
    got = core.components(ev, 0, 5)
    for c in (*comp.COMPONENTS, "downtime_days"):
        close(want[c].to_numpy(), got[c], scale=0.0)
    close(ref_portfolio.organisation_losses(loss, book, {**ev, "seed": 5}), core.losses(ev, 0, 5),
          scale=0.0)


@pytest.mark.parametrize("basis", ["publicised", "all"])
def test_covered_portfolio_loss_equals_the_reference(basis):
    book = pf.Portfolio.read("examples/portfolio_small.csv", basis=basis)
    wording = terms.CoverageTerms.from_toml("examples/sme_manufacturer.toml").with_retention(0.0, math.inf)
    components = pf.OrganisationLoss.from_calibration(basis=basis)
    ev = _portfolio_block(book, 6, 4000)
    loss = pf.CoveredLoss(components, wording)
    want = ref_portfolio.covered_losses(loss, book, {**ev, "seed": 6})
    core = loss.to_core(book)
    got = core.losses(ev, 0, 6)
    close(want, got, scale=0.0)
    assert core.name == "covered"
    with pytest.raises(ValueError, match="template's deductible must be 0"):
        _core.CoveredPortfolioLoss(components.to_core(book), terms.CoverageTerms.from_toml(
            "examples/sme_manufacturer.toml").to_core())



@hyp_settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), d1=st.floats(0, 5e6), d2=st.floats(0, 5e6),
       l1=st.floats(1e5, 1e8), l2=st.floats(1e5, 1e8), coinsurance=st.floats(0.05, 1.0))
def test_core_terms_are_monotone_in_deductible_and_limits(seed, d1, d2, l1, l2, coinsurance):
    """A higher deductible never raises, a higher aggregate limit never lowers what is paid."""
    rng = np.random.default_rng(seed)
    n = 300
    year = np.sort(rng.integers(0, 100, n))
    components = rng.lognormal(13, 1.5, (10, n)) * (rng.uniform(size=(10, n)) < 0.7)
    downtime = rng.exponential(10, n)
    sections = {"response": _core.SectionTerms(limit=2e7, coinsurance=coinsurance),
                "liability": _core.SectionTerms(),
                "business_interruption": _core.SectionTerms(waiting_period_days=1,
                                                            indemnity_period_days=30)}
    paid = {}
    for d in (d1, d2):
        for lim in (l1, l2):
            res = _core.apply_terms(_core.CoverageTerms(sections, d, lim), year, downtime,
                                    components, 100)
            paid[d, lim] = np.asarray(res.annual("insured"))
            # the year's payments add up to the limit up to rounding (a few ulps)
            assert np.all(paid[d, lim] <= lim * (1 + 1e-15))
            assert np.all(np.asarray(res.event("insured")) <= np.asarray(res.event("gross")))
    lo_d, hi_d = sorted((d1, d2))
    lo_l, hi_l = sorted((l1, l2))
    for lim in (l1, l2):
        assert np.all(paid[hi_d, lim] <= paid[lo_d, lim] * (1 + 1e-12) + 1e-6)
    for d in (d1, d2):
        assert np.all(paid[d, hi_l] >= paid[d, lo_l] * (1 - 1e-12) - 1e-6)
