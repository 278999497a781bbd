"""Reinsurance: net = gross - ceded, quota share exactness, reinstatement caps, formulas."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberloss import _json
from cyberloss import portfolio as pf
from cyberloss.cli import main
from cyberloss.portfolio import reinsurance as re

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def book() -> pf.Portfolio:
    b = pf.Portfolio.synthetic(300, seed=12)
    t = b.table
    t["frequency_factor"] = 10.0
    return pf.Portfolio(t)


def run(book, programme, years=20_000, seed=2):
    return pf.simulate_portfolio(pf.PortfolioModel(book, reinsurance=programme), years, seed)


def test_net_is_gross_minus_ceded_and_ceded_plus_net_is_gross_to_rounding(book):
    res = run(book, re.Programme.from_toml(REPO / "examples" / "reinsurance.toml"))
    y = res.ylt
    gross, ceded, net = y["gross"].to_numpy(), y["ceded"].to_numpy(), y["net"].to_numpy()
    assert (ceded > 0).mean() > 0.5                       # the programme is not idle
    parts = y[["ceded_per_risk", "ceded_per_event", "ceded_quota_share", "ceded_stop_loss"]].to_numpy()
    assert (parts >= 0).all() and (parts > 0).any(axis=0).all()
    # what the module docstring states: exact identities for the stored numbers ...
    assert np.array_equal(((parts[:, 0] + parts[:, 1]) + parts[:, 2]) + parts[:, 3], ceded)
    assert np.array_equal(net, gross - ceded)
    # ... and the sum to rounding only: off by at most an ulp of gross, in some years
    off = ceded + net - gross
    assert np.all(np.abs(off) <= np.spacing(gross)) and 0 < np.count_nonzero(off) < 0.02 * off.size
    assert (net >= -1e-6 * gross.max()).all()


def test_the_docstring_states_the_identities_that_hold():
    # it said "ceded + net = gross for every year", false in the last bit in ~1% of years
    doc = " ".join(re.__doc__.split())
    assert "``net = gross - ceded``: one floating-point subtraction, so this identity holds exactly" in doc
    assert "``ceded + net`` added again equals ``gross`` to rounding only" in doc
    assert "for every year" not in doc


def test_quota_share_cedes_exactly_q_of_each_year(book):
    q = 0.37
    res = run(book, re.Programme(quota_share=re.QuotaShare(q)))
    gross = res.annual("gross")
    assert (gross > 0).any()
    np.testing.assert_array_equal(res.annual("ceded"), q * gross)
    np.testing.assert_array_equal(res.annual("net"), gross - q * gross)


def test_per_event_xl_with_one_reinstatement_pays_at_most_twice_the_limit(book):
    limit = 2e7
    xl = re.PerEventXL(retention=1e6, limit=limit, reinstatements=1, premium=4e6)
    res = run(book, re.Programme(per_event=xl), years=30_000)
    ceded = res.annual("ceded")
    assert ceded.max() <= 2 * limit
    assert (ceded == 2 * limit).sum() > 10          # the cap binds in some years
    assert (ceded > limit).any()
    # reinstatement premium: pro rata to the amount reinstated, at most one limit's worth
    rip = res.ylt["reinstatement_premium"].to_numpy()
    np.testing.assert_allclose(rip, 4e6 * np.minimum(ceded, limit) / limit, rtol=1e-15)


def test_contract_formulas_on_a_hand_made_year_table():
    # two years, two attack types; incidents: (year, type, insured loss)
    year = np.array([0, 0, 0, 1, 1])
    typ = np.array([0, 0, 1, 0, 1])
    x = np.array([100.0, 30.0, 50.0, 10.0, 400.0])
    prog = re.Programme(per_risk=re.PerRiskXL(40, 50, reinstatements=0),
                        per_event=re.PerEventXL(20, 30, reinstatements=1),
                        quota_share=re.QuotaShare(0.5),
                        stop_loss=re.StopLoss(10, 5))
    out = prog.to_core().apply(year, typ, x, 2, 2)
    np.testing.assert_array_equal(out["gross"], [180.0, 410.0])
    # per risk: layers 50, 0, 10 (year 0; cap 50 consumed by type 0 first) and 0, 50 (year 1)
    np.testing.assert_array_equal(out["ceded_per_risk"], [50.0, 50.0])
    # year 0 net by type: (130 - 50, 50 - 0) = (80, 50) -> per-event layers 30, 30, cap 60
    # year 1: (10, 350) -> 0, 30
    np.testing.assert_array_equal(out["ceded_per_event"], [60.0, 30.0])
    np.testing.assert_array_equal(out["ceded_quota_share"], [35.0, 165.0])
    np.testing.assert_array_equal(out["ceded_stop_loss"], [5.0, 5.0])
    np.testing.assert_array_equal(out["net"], out["gross"] - out["ceded"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1e9), min_size=1, max_size=40), st.floats(0, 1e9), st.floats(0, 1e9),
       st.integers(0, 3))
def test_higher_retention_never_cedes_more(xs, r1, r2, n):
    x = np.array(xs)
    year = np.arange(x.size) % 4
    typ = np.arange(x.size) % 3
    lo, hi = min(r1, r2), max(r1, r2)
    for cls, key in ((re.PerRiskXL, "per_risk"), (re.PerEventXL, "per_event")):
        a = re.Programme(**{key: cls(lo, 2e8, n)}).to_core().apply(year, typ, x, 4, 3)["ceded"]
        b = re.Programme(**{key: cls(hi, 2e8, n)}).to_core().apply(year, typ, x, 4, 3)["ceded"]
        assert (a >= b).all()
        assert (a <= 2e8 * (n + 1)).all()


def test_bad_contracts_are_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="QuotaShare share must be a finite number in"):
        re.QuotaShare(1.5)
    with pytest.raises(ValueError, match="PerEventXL reinstatements"):
        re.PerEventXL(1, 2, reinstatements=-1)
    with pytest.raises(ValueError, match="PerRiskXL retention"):
        re.PerRiskXL(-1, 2)
    with pytest.raises(ValueError, match="StopLoss limit"):
        re.StopLoss(1, 0)
    with pytest.raises(ValueError, match="unknown contract"):
        re.Programme.from_dict({"cat_bond": {}})
    with pytest.raises(ValueError, match=r"reinsurance.quota_share: unknown field 'cession'"):
        re.Programme.from_dict({"quota_share": {"cession": 0.2}})
    p = tmp_path / "r.toml"
    p.write_text("[reinsurance.quota_share]\nshare = 0.25\n")
    assert re.Programme.from_toml(p) == re.Programme(quota_share=re.QuotaShare(0.25))
    assert math.isinf(re.PerEventXL(0, 1).annual_capacity)


@pytest.mark.parametrize("written, plain", [
    (["--per-risk-xl", "5000万:4.5億:2:１００万円", "--per-event-xl", "1億:無制限", "--stop-loss", "50,000,000"],
     ["--per-risk-xl", "5e7:4.5e8:2:1e6", "--per-event-xl", "1e8:inf", "--stop-loss", "5e7"]),
    (["--stop-loss", "1.5億:3億円"], ["--stop-loss", "150000000:300000000"]),
    # unlimited reinstatements with a premium: N empty or written as the limit's unlimited
    (["--per-risk-xl", "5000万:4.5億::2000万", "--per-event-xl", "1億:2億:無制限:100万"],
     ["--per-risk-xl", "5e7:4.5e8:inf:2e7", "--per-event-xl", "1e8:2e8:inf:1e6"]),
    (["--per-risk-xl", "5000万:4.5億:unlimited:2000万", "--per-event-xl", "1億:2億: "],
     ["--per-risk-xl", "5e7:4.5e8:inf:2e7", "--per-event-xl", "1e8:2e8"]),
])
def test_cli_contract_amounts_may_be_written_as_in_the_reinsurance_file(capsys, written, plain):
    run = ["portfolio", str(REPO / "examples" / "portfolio_small.csv"), "--years", "500", "--json"]
    assert main([*run, *plain]) == 0
    expected = capsys.readouterr().out
    assert main([*run, *written]) == 0
    assert capsys.readouterr().out == expected


@pytest.mark.parametrize("option, value, message", [
    ("--per-risk-xl", "5000万:千万", "limit must be an amount such as 5000000, '500万円' or '1.5億円', got '千万'"),
    ("--stop-loss", "5,00,000", "retention must be an amount such as 5000000, '500万円' or '1.5億円', got '5,00,000'"),
    ("--per-event-xl", "1億:2億:二", "reinstatements must be a number, got '二'"),
    # read as a CSV cell is: 'inf' spelled out is unlimited, a number too large to hold is not
    ("--stop-loss", "1e7:1e400", "limit must be a number or an amount such as '5000万' ('inf' for "
                                 "unlimited), got '1e400'"),
    ("--per-risk-xl", "1億:2億:nan", "reinstatements must be a number ('inf' for unlimited), got 'nan'"),
])
def test_cli_contract_amounts_that_are_not_amounts_are_refused_naming_the_option(capsys, option, value, message):
    assert main(["portfolio", str(REPO / "examples" / "portfolio_small.csv"), "--years", "10",
                 f"{option}={value}"]) == 2
    err = capsys.readouterr().err
    assert err == f"cyberloss portfolio: error: {option} {value!r}: {message}\n"


@pytest.mark.parametrize("programme", [
    re.Programme(per_risk=re.PerRiskXL(0, math.inf, None, 1e7)),
    re.Programme(per_risk=re.PerRiskXL(5e7, 4.5e8, 2, 2e7, 0.5)),
    re.Programme(per_event=re.PerEventXL(3e8, math.inf, 1, 6e7)),
    re.Programme(per_event=re.PerEventXL(3e8, 1e9)),
    re.Programme(quota_share=re.QuotaShare(0.2)),
    re.Programme(stop_loss=re.StopLoss(1.5e9)),
    re.Programme(stop_loss=re.StopLoss(1.5e9, 1e9)),
    re.Programme.from_toml(REPO / "examples" / "reinsurance.toml"),
])
def test_a_programme_read_back_from_its_json_text_is_the_same(programme):
    """Strict JSON writes an unlimited limit and unlimited reinstatements as null; reading the
    text back refused them ("reinstatements must be a whole number ..., got None")."""
    text = _json.dumps({"reinsurance": programme.to_dict()})
    assert re.Programme.from_dict(_json.loads(text, "the output")["reinsurance"]) == programme


def test_the_reinsurance_of_the_cli_json_reproduces_the_run(capsys):
    book = REPO / "examples" / "portfolio_small.csv"
    assert main(["portfolio", str(book), "--years", "400", "--seed", "5", "--json",
                 "--per-risk-xl", "5000万:inf:inf:2000万", "--per-event-xl", "3億:10億:1",
                 "--quota-share", "0.2", "--stop-loss", "15億"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["reinsurance"]["per_risk"]["limit"] is None and out["reinsurance"]["stop_loss"]["limit"] is None
    programme = re.Programme.from_dict(out["reinsurance"])
    assert programme == re.Programme(re.PerRiskXL(5e7, math.inf, None, 2e7), re.PerEventXL(3e8, 1e9, 1),
                                     re.QuotaShare(0.2), re.StopLoss(1.5e9))
    again = pf.simulate_portfolio(pf.PortfolioModel(pf.Portfolio.read(book), reinsurance=programme),
                                  out["years"], out["seed"], out["block_years"])
    assert again.summary()["net"]["annual_loss_sha256"] == out["net"]["annual_loss_sha256"]


@pytest.mark.parametrize("doc, field", [
    ({"per_risk": {"retention": None, "limit": 1e8}}, "per_risk.retention"),
    ({"per_event": {"retention": 0, "limit": 1e8, "premium": None}}, "per_event.premium"),
    ({"per_event": {"retention": 0, "limit": 1e8, "reinstatement_rate": None}}, "per_event.reinstatement_rate"),
    ({"quota_share": {"share": None}}, "quota_share.share"),
    ({"stop_loss": {"retention": None}}, "stop_loss.retention"),
])
def test_a_null_is_unlimited_only_where_a_field_can_be(doc, field):
    with pytest.raises(ValueError, match=rf"^reinsurance\.{field} must be .*, got None$"):
        re.Programme.from_dict(doc)


@pytest.mark.parametrize("n", ["", "無制限", "unlimited", "ＵＮＬＩＭＩＴＥＤ"])
def test_cli_layer_with_unlimited_reinstatements_and_a_premium(capsys, n):
    """"5000万:4.5億::2000万" was refused ("reinstatements must be a number, got ''"): a layer
    could not have unlimited reinstatements and a premium from the command line."""
    assert main(["portfolio", str(REPO / "examples" / "portfolio_small.csv"), "--years", "50", "--json",
                 "--per-risk-xl", f"5000万:4.5億:{n}:2000万", "--per-event-xl", f"1億:2億:{n}:100万"]) == 0
    block = json.loads(capsys.readouterr().out)["reinsurance"]
    assert block["per_risk"] == {"retention": 5e7, "limit": 4.5e8, "reinstatements": None,
                                 "premium": 2e7, "reinstatement_rate": 1.0}
    assert block["per_event"]["reinstatements"] is None and block["per_event"]["premium"] == 1e6
