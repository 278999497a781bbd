"""The compiled portfolio block (_core.portfolio_block, what the package runs) against the NumPy
block it replaced (tests/python/reference/portfolio.py): the same events, terms, reinsurance
and sums, bit for bit; the compiled programme against the NumPy programme; refusals of bad
input."""
from __future__ import annotations

import math
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import ticking
from cyberloss import _core
from cyberloss import portfolio as pf
from cyberloss.portfolio import reinsurance as re
from cyberloss.portfolio.result import YLT_COLUMNS
from reference import portfolio as ref_portfolio
from reference.portfolio import numpy_block

REPO = Path(__file__).resolve().parents[2]
INF = math.inf

PROGRAMMES = {
    "none": re.Programme(),
    "example": re.Programme.from_toml(REPO / "examples" / "reinsurance.toml"),
    "all four, tight": re.Programme(per_risk=re.PerRiskXL(2e6, 3e7, 1, 4e6),
                                    per_event=re.PerEventXL(1e7, 5e7, 0, 2e7),
                                    quota_share=re.QuotaShare(0.35), stop_loss=re.StopLoss(2e7, 1e8)),
    "unlimited": re.Programme(per_risk=re.PerRiskXL(1e6, INF, None, 5e6),
                              per_event=re.PerEventXL(5e6, 1e8, None, 1e7, 1.5),
                              stop_loss=re.StopLoss(0.0, INF)),
    "quota share": re.Programme(quota_share=re.QuotaShare(0.5)),
}


def core_block(model: pf.PortfolioModel, seed: int, first_year: int, years: int, tracked=(),
               threads: int = 0) -> dict:
    t = model.portfolio.table
    return _core.portfolio_block(
        _core.PortfolioFrequency(model.rates().tolist(), model.variances()),
        model.loss.to_core(model.portfolio), t["deductible"].to_numpy(float),
        t["occurrence_limit"].to_numpy(float), t["aggregate_limit"].to_numpy(float),
        model.reinsurance.to_core(), seed, first_year, years, list(tracked), threads)


def assert_same_block(core: dict, ref: dict) -> None:
    for c in (*YLT_COLUMNS, "theta", "counts", "policy_sum", "policy_sumsq", "policy_events", "tracked_sum"):
        np.testing.assert_array_equal(core[c], ref[c], err_msg=c, strict=True)
    # NumPy's matrix product is BLAS (its own blocking and fused multiply-adds); the core adds
    # the products year by year.
    np.testing.assert_allclose(core["tracked_cross"], ref["tracked_cross"], rtol=1e-13, atol=0)


# The block's terms, programme and sums are the same on either basis: most tests run on the
# publicised basis, where the survey and fixed losses agree bit for bit; the all-incidents
# basis (calibration v2's losses) is checked with the organisation loss below.
@pytest.fixture(scope="module")
def small_book() -> pf.Portfolio:
    return pf.Portfolio.read(REPO / "examples" / "portfolio_small.csv", basis="publicised")


def synthetic(basis: str) -> pf.Portfolio:
    # frequent incidents and tight limits so that every term and contract binds in a short run
    b = pf.Portfolio.synthetic(300, seed=5)
    t = b.table
    t["frequency_factor"] = 10.0
    t["occurrence_limit"] = t["occurrence_limit"] / 4
    t["aggregate_limit"] = t["occurrence_limit"] * 1.5
    return pf.Portfolio(t, basis=basis)


@pytest.fixture(scope="module")
def synthetic_book() -> pf.Portfolio:
    return synthetic("publicised")


@pytest.fixture(scope="module")
def synthetic_all() -> pf.Portfolio:
    return synthetic("all")


@pytest.mark.parametrize("name", list(PROGRAMMES))
def test_core_block_equals_numpy_block_on_the_example_book(small_book, name):
    model = pf.PortfolioModel(small_book, reinsurance=PROGRAMMES[name])
    ref, _, _ = numpy_block(model, 3, 0, 6000, tracked=[0, 2, 7])
    assert_same_block(core_block(model, 3, 0, 6000, tracked=[0, 2, 7]), ref)


@pytest.mark.parametrize("name", list(PROGRAMMES))
@pytest.mark.parametrize("loss", ["survey", "survey scaled", "fixed"])
def test_core_block_equals_numpy_block_on_a_synthetic_book(synthetic_book, name, loss):
    losses = {"survey": pf.SurveySeverity.from_calibration(basis="publicised"),
              "survey scaled": pf.SurveySeverity.from_calibration(exposure_elasticity=0.5, basis="publicised"),
              "fixed": pf.FixedLoss(2.5e7)}
    model = pf.PortfolioModel(synthetic_book, loss=losses[loss], reinsurance=PROGRAMMES[name])
    ref, ev, _ = numpy_block(model, 11, 250, 1500, tracked=[4])
    assert ev["u"].size > 10_000
    assert (ref["ceded"] > 0).any() or name == "none"
    assert_same_block(core_block(model, 11, 250, 1500, tracked=[4]), ref)


@pytest.mark.parametrize("name", ["example", "all four, tight"])
@pytest.mark.parametrize("loss", ["organisation", "survey"])
def test_core_block_equals_numpy_block_on_all_incidents(synthetic_all, name, loss):
    """Calibration v2 per policy (branches, size scales, minor incidents) in the block: the
    NumPy oracle's losses (tests/python/reference/incident.py, docs/MODEL_NOTES.md; the survey
    severity's contained losses on the same BRANCH draws) through its terms and programme.
    Counts and the per-policy event counts are equal; the money columns agree to 1e-12
    relative, not bit for bit: the core's exp and log are its own vectorised ones and NumPy's
    are libm's, an ulp or so apart per event (test_core_pipeline.py), summed over the year's
    events and carried through the limits and contracts (7e-16 at most measured)."""
    losses = {"organisation": pf.OrganisationLoss.from_calibration(), "survey": pf.SurveySeverity.from_calibration()}
    model = pf.PortfolioModel(synthetic_all, loss=losses[loss], reinsurance=PROGRAMMES[name])
    seed, first, years = 12, 40, 150
    ref, ev, ground_up = numpy_block(model, seed, first, years, tracked=[3, 5])
    types = list(synthetic_all.attack_types)
    minor = ev["type"] == types.index("minor")
    # the survey severity's branches are the organisation model's (the same draws and P(major))
    contained = ~ref_portfolio.organisation_components(
        losses["organisation"], synthetic_all,
        {**{k: ev[k] for k in ("policy", "type", "year", "k", "u")}, "seed": seed})["major"]
    assert minor.sum() > 10_000 and contained.sum() > 1000 and (~minor & ~contained).sum() > 1000
    core = core_block(model, seed, first, years, tracked=[3, 5])
    for c in ("theta", "counts", "events", "policy_events"):
        np.testing.assert_array_equal(core[c], ref[c], err_msg=c, strict=True)
    for c in (*YLT_COLUMNS, "policy_sum", "policy_sumsq", "tracked_sum", "tracked_cross"):
        np.testing.assert_allclose(core[c], ref[c], rtol=1e-12, atol=0, err_msg=c)
    assert (core["ceded"] > 0).all() and (core["ground_up"] > core["gross"]).all()


def test_the_aggregate_limit_and_every_contract_bind_in_the_synthetic_book(synthetic_book):
    model = pf.PortfolioModel(synthetic_book, reinsurance=PROGRAMMES["all four, tight"])
    b = core_block(model, 11, 250, 1500)
    for c in ("ceded_per_risk", "ceded_per_event", "ceded_quota_share", "ceded_stop_loss",
              "reinstatement_premium"):
        assert (b[c] > 0).any(), c
    # the per-risk capacity (1 reinstatement) and the per-event capacity (none) bind
    assert b["ceded_per_risk"].max() == 2 * 3e7
    assert b["ceded_per_event"].max() == 5e7
    np.testing.assert_allclose(b["ceded"] + b["net"], b["gross"], rtol=1e-15)


@pytest.mark.parametrize("loss", [pf.SurveySeverity.from_calibration(exposure_elasticity=0.7, basis="publicised"),
                                  pf.FixedLoss(3.5e6)])
def test_compiled_losses_equal_the_python_losses_event_by_event(synthetic_book, loss):
    model = pf.PortfolioModel(synthetic_book, loss=loss)
    ev = _core.portfolio_events(_core.PortfolioFrequency(model.rates().tolist(), model.variances()), 9, 70, 300)
    want = ref_portfolio.losses(model, {**{k: ev[k] for k in ("policy", "type", "year", "k", "u")}, "seed": 9})
    got = loss.to_core(synthetic_book).losses(ev, 70, 9)
    assert got.size > 1000
    np.testing.assert_array_equal(got, want)


def test_block_from_python_losses_equals_numpy_block(synthetic_book):
    def loss(portfolio, events):   # a user's loss function: depends on the policy row and u
        return 1e6 * (1 + events["policy"] % 7) * -np.log(events["u"])

    model = pf.PortfolioModel(synthetic_book, loss=loss, reinsurance=PROGRAMMES["example"])
    ref, ev, ground_up = numpy_block(model, 2, 40, 1200, tracked=[1, 2])
    t = synthetic_book.table
    got = _core.portfolio_block_from_losses(
        ev, 40, ground_up, t["deductible"].to_numpy(float), t["occurrence_limit"].to_numpy(float),
        t["aggregate_limit"].to_numpy(float), model.reinsurance.to_core(), [1, 2])
    assert_same_block(got, ref)


@pytest.mark.parametrize("loss", ["survey", "organisation"])
def test_core_block_does_not_depend_on_threads(synthetic_all, loss):
    losses = {"survey": None, "organisation": pf.OrganisationLoss.from_calibration()}
    model = pf.PortfolioModel(synthetic_all, loss=losses[loss], systemic=pf.SystemicShock({"ransomware": 1.0}),
                              reinsurance=PROGRAMMES["all four, tight"])
    one = core_block(model, 8, 0, 800, tracked=[0, 1, 2], threads=1)
    two = core_block(model, 8, 0, 800, tracked=[0, 1, 2], threads=2)
    for k in one:
        np.testing.assert_array_equal(one[k], two[k], err_msg=k)


def test_compiled_programme_equals_the_numpy_programme():
    rng = np.random.default_rng(4)
    n_years, n_types = 3000, 5
    n = 40_000
    year = np.sort(rng.integers(0, n_years, n))
    typ = rng.integers(0, n_types, n).astype(np.int32)
    order = np.lexsort((typ, year))
    year, typ = year[order], typ[order]
    insured = rng.lognormal(17, 1.5, n)
    for prog in PROGRAMMES.values():
        want = ref_portfolio.programme_apply(prog, year, typ, insured, n_years, n_types)
        got = prog.to_core().apply(year, typ, insured, n_years, n_types)
        assert set(got) == set(want)
        for c in want:
            np.testing.assert_array_equal(got[c], want[c], err_msg=c)


def test_bad_block_inputs_are_refused_by_name(small_book):
    model = pf.PortfolioModel(small_book)
    t = small_book.table
    freq = _core.PortfolioFrequency(model.rates().tolist(), model.variances())
    loss = model.loss.to_core(small_book)
    d, occ, agg = (t[c].to_numpy(float) for c in ("deductible", "occurrence_limit", "aggregate_limit"))
    prog = _core.ReinsuranceProgramme()
    bad = d.copy()
    bad[3] = -5.0
    with pytest.raises(ValueError, match="policy row 4 deductible must be finite and >= 0, got -5"):
        _core.portfolio_block(freq, loss, bad, occ, agg, prog, 1, 0, 10)
    with pytest.raises(ValueError, match="one entry per policy"):
        _core.portfolio_block(freq, loss, d[:-1], occ[:-1], agg[:-1], prog, 1, 0, 10)
    with pytest.raises(IndexError, match="tracked"):
        _core.portfolio_block(freq, loss, d, occ, agg, prog, 1, 0, 10, tracked=[len(t)])
    with pytest.raises(ValueError, match="PerRiskXL retention"):
        _core.ExcessOfLoss(-1.0, 2.0, name="PerRiskXL")
    with pytest.raises(ValueError, match="share must be in"):
        _core.QuotaShare(1.2)
    with pytest.raises(ValueError, match="StopLoss limit"):
        _core.stop_loss(0.0, 0.0)
    with pytest.raises(ValueError, match="exposure_factor of policy row 2"):
        _core.SurveyPortfolioLoss([_core.Lognormal(0.0, 1.0)], [1.0, math.nan])
    ev = _core.portfolio_events(freq, 1, 0, 500)
    x = np.ones(ev["u"].size)
    x[1] = -1.0
    with pytest.raises(ValueError, match=f"ground-up loss of the event of year {ev['year'][1]}, attack type "
                                         f"{ev['type'][1]}, k {ev['k'][1]} .* got -1"):
        _core.portfolio_block_from_losses(ev, 0, x, d, occ, agg, prog)
    with pytest.raises(ValueError, match="ordered by year, type, k"):
        _core.portfolio_block_from_losses(ev, 1, np.ones(ev["u"].size), d, occ, agg, prog)
    with pytest.raises(IndexError, match=r"'policy'\[0\] = \d+ is out of range"):
        _core.portfolio_block_from_losses({**ev, "policy": ev["policy"].astype(np.int64) + 2**32}, 0,
                                          np.ones(ev["u"].size), d, occ, agg, prog)
    with pytest.raises(ValueError, match="missing array 'policy'"):
        _core.portfolio_block_from_losses({k: v for k, v in ev.items() if k != "policy"}, 0,
                                          np.ones(ev["u"].size), d, occ, agg, prog)


def test_ctrl_c_stops_a_long_block_promptly_and_the_gil_is_free_meanwhile():
    # 200 incidents a year over 100,000 years: about 2 s of work on one thread
    freq = _core.PortfolioFrequency([[0.5] * 100] * 4, [0.0] * 4)
    terms = [np.zeros(100), np.full(100, INF), np.full(100, INF)]
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    with ticking() as ticks:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            _core.portfolio_block(freq, _core.FixedPortfolioLoss(1.0), *terms, _core.ReinsuranceProgramme(),
                                  1, 0, 100_000, [], 1)
        timer.join()
    assert time.monotonic() - start < 3.0
    assert len(ticks) > 10
