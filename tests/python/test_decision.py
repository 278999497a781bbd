"""The deductible x limit decision: cost identities, limiting cases, frontier, plot."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberloss.insurance import decision, pricing, terms
from cyberloss.insurance.pricing import ExpectedValue, Loads
from cyberloss.report.money import deductible_words, format_yen

N = 4000


@pytest.fixture(scope="module")
def events():
    # a hand-made table (rare, heavy incidents); the engine-based checks live in test_terms
    rng = np.random.default_rng(8)
    year = np.sort(rng.choice(N, size=400, replace=True))
    return terms.event_table(year, downtime_days=rng.uniform(0, 40, year.size),
                             investigation=rng.lognormal(15, 1.0, year.size),
                             liability=rng.lognormal(14, 1.8, year.size),
                             lost_profit=rng.lognormal(16, 1.2, year.size),
                             internal_effort=rng.lognormal(14, 0.5, year.size))


BASE = terms.CoverageTerms(sections={"response": {}, "liability": {},
                                     "business_interruption": {"waiting_period_days": 1}})
DEDUCTIBLES = [0, "100万円", "500万円", "1000万円"]
LIMITS = ["3000万円", "1億円", "3億円"]


def test_grid_costs_add_up_and_move_the_right_way(events):
    dec = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS)
    grid = dec.grid
    assert len(grid) == len(DEDUCTIBLES) * len(LIMITS) + 1
    np.testing.assert_allclose(grid["total_cost"], grid["retained_el"] + grid["premium"]
                               + grid["tail_capital_cost"], rtol=1e-12)
    options = grid[grid["insured"]]
    by_limit = options.pivot(index="deductible", columns="limit", values="premium")
    assert np.all(np.diff(by_limit.to_numpy(), axis=0) <= 0)  # higher deductible, lower premium
    assert np.all(np.diff(by_limit.to_numpy(), axis=1) >= 0)  # higher limit, higher premium
    gross_el = grid.loc[~grid["insured"], "retained_el"].iloc[0]
    np.testing.assert_allclose(options["retained_el"] + options["insured_el"], gross_el, rtol=1e-10)
    rec = dec.recommended
    assert rec["total_cost"] == grid["total_cost"].min()
    assert rec["efficient"] and rec["recommended"]
    assert "total cost of risk" in dec.reason


def test_without_capital_cost_a_loaded_premium_is_not_worth_buying(events):
    dec = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS, cost_of_capital=0.0,
                                    principle=ExpectedValue(0.1), loads=Loads.none())
    assert not dec.recommended["insured"]
    assert "Keeping the risk" in dec.reason


def test_with_fair_premium_and_capital_cost_buy_the_most_cover(events):
    dec = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS, cost_of_capital=0.2,
                                    principle=ExpectedValue(0.0), loads=Loads.none())
    assert dec.recommended["deductible"] == 0.0
    assert dec.recommended["limit"] == 3e8


def test_premium_budget_is_respected(events):
    free = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS, cost_of_capital=0.2)
    budget = free.recommended["premium"] * 0.5
    capped = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS, cost_of_capital=0.2,
                                       max_premium=budget)
    assert capped.recommended["premium"] <= budget
    assert "excluded" in capped.reason


def test_under_a_cap_the_reason_compares_only_options_within_it(events):
    """The next best and the options costing the same are among those the cap allows; an
    excluded option that would cost less is named as the cap's price. Once the next best was an
    excluded option cheaper than the recommendation ("lowest total cost ... 242万円 ... Next
    best: ... 229万円")."""
    free = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS, cost_of_capital=0.2)
    budget = free.recommended["premium"] * 0.85    # excludes the best two, leaves several
    capped = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS, cost_of_capital=0.2,
                                       max_premium=budget)
    grid, best = capped.grid, capped.recommended
    assert best["insured"] and best["total_cost"] > free.recommended["total_cost"]
    allowed = grid[grid["insured"] & (grid["premium"] <= budget) & ~grid["recommended"]]
    runner = allowed.loc[allowed["total_cost"].idxmin()]
    for reason, fmt in ((capped.reason, "Next best: deductible {d}, limit {l} at {c}."),
                        (capped.reason_ja, "次点：免責金額{d}、限度額{l}で{c}。")):
        assert fmt.format(d=format_yen(runner["deductible"]), l=format_yen(runner["limit"]),
                          c=format_yen(runner["total_cost"])) in reason
    assert runner["total_cost"] >= best["total_cost"]
    f = free.recommended
    assert (f"Without the cap the least total cost would be {deductible_words(f['deductible'])}, "
            f"limit {format_yen(f['limit'])} at {format_yen(f['total_cost'])}") in capped.reason
    assert (f"上限がなければ総コスト最小は{deductible_words(f['deductible'], 'ja')}、限度額"
            f"{format_yen(f['limit'])}で{format_yen(f['total_cost'])}") in capped.reason_ja
    assert "lowest total cost of risk within the premium cap of" in capped.reason
    # without a cap, nothing of the kind
    assert "premium cap" not in free.reason and "Without the cap" not in free.reason
    assert "上限" not in free.reason_ja


def test_a_zero_deductible_reads_as_none_in_the_reason(events):
    """A recommended (or named) deductible of 0 is "no deductible" / 「免責金額なし」, not an
    amount of 0万円 (the grid's table keeps its 0万円 column)."""
    free = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS, cost_of_capital=0.2)
    best = free.recommended
    assert best["insured"] and best["deductible"] == 0   # this book's choice: the premise
    assert free.reason.startswith(f"No deductible with an annual aggregate limit of "
                                  f"{format_yen(best['limit'])} gives the lowest total cost")
    assert free.reason_ja.startswith(f"免責金額なし、年間総支払限度額{format_yen(best['limit'])}で")
    assert "0万円" not in free.reason.split(",")[0] and "免責金額0" not in free.reason_ja
    assert deductible_words(0) == "no deductible" and deductible_words(0, "ja") == "免責金額なし"
    assert deductible_words(5e6) == "deductible 500万円"
    assert deductible_words(5e6, "ja", " ") == "免責金額 500万円"


def test_a_cap_below_every_worthwhile_premium_is_named_as_the_reason(events):
    # keeping the risk because the cap excludes every cheaper option is not "every policy costs
    # more in premium than it saves"
    free = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS, cost_of_capital=0.2)
    assert free.recommended["insured"]
    premiums = free.grid.loc[free.grid["insured"], "premium"]
    capped = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS, cost_of_capital=0.2,
                                       max_premium=0.5 * premiums.min())
    assert not capped.recommended["insured"]
    assert "premium above" in capped.reason and "Without the cap" in capped.reason
    assert "saves in capital" not in capped.reason


def test_pricing_entry_point_and_plot(events, tmp_path):
    dec = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS)
    fig = dec.plot()
    out = tmp_path / "decision.png"
    fig.savefig(out)
    assert out.stat().st_size > 10_000
    assert len(dec.frontier) >= 1
    assert "<table" in dec._repr_html_()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), coc=st.floats(0.0, 0.5),
       deductibles=st.lists(st.floats(0, 2e7), min_size=1, max_size=4),
       limits=st.lists(st.floats(1e6, 5e8), min_size=1, max_size=4))
def test_efficient_points_are_not_dominated(seed, coc, deductibles, limits):
    rng = np.random.default_rng(seed)
    year = np.sort(rng.choice(500, size=60, replace=True))
    ev = terms.event_table(year, downtime_days=rng.uniform(0, 40, year.size),
                           investigation=rng.lognormal(15, 1.0, year.size),
                           liability=rng.lognormal(14, 1.8, year.size))
    grid = decision.choose_retention(ev, 500, BASE, deductibles, limits, cost_of_capital=coc).grid
    c, t = (grid["retained_el"] + grid["premium"]).to_numpy(), grid["retained_tvar"].to_numpy()
    eff = grid["efficient"].to_numpy()
    assert eff.any()
    for i in range(c.size):
        dominated = np.any((c <= c[i]) & (t <= t[i]) & ((c < c[i]) | (t < t[i])))
        assert eff[i] == (not dominated)
    assert eff[int(np.lexsort((t, c))[0])]  # the cheapest option (least tail among ties)
    assert grid.loc[grid["recommended"], "efficient"].all()


@pytest.mark.parametrize("kwargs,field", [
    ({"deductibles": [-1]}, "deductibles"),
    ({"limits": [0]}, "limits"),
    ({"limits": []}, "limits"),
    ({"tail_level": 1.5}, "tail_level"),
    ({"cost_of_capital": -0.1}, "cost_of_capital"),
    ({"loads": {"expense_ratio": 0.3}}, "loads must be pricing.Loads, got dict"),
])
def test_bad_grids_are_refused(events, kwargs, field):
    with pytest.raises(ValueError, match=field):
        decision.choose_retention(events, N, BASE, **kwargs)


@pytest.mark.parametrize("tail_level", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("principle", ["expected_value", "wang"])
def test_every_option_equals_the_policy_applied_alone(events, tail_level, principle):
    """The grid's one pass (shared covered amounts, years clear of a limit summed without the
    capacity walk, tail candidates reused across limits) gives each option exactly what
    applying that policy alone gives: insured mean, premium, retained mean and TVaR."""
    limits = ["500万円", "3000万円", "1億円", "3億円", "30億円", "300億円"]
    loads = Loads(0.25, 0.05)
    grid = decision.choose_retention(events, N, BASE, DEDUCTIBLES, limits, principle=principle,
                                     loads=loads, tail_level=tail_level).grid
    for row in grid[grid["insured"]].itertuples():
        res = terms.apply(BASE.with_retention(row.deductible, row.limit), events, N)
        prem = pricing.premium(res, principle, loads, by_section=False)
        assert row.insured_el == prem.expected_loss.value
        assert row.premium == prem.technical_premium.value
        assert row.retained_el == res.mean("retained").value
        tvar = res.tvar(tail_level, view="retained").value
        if res.var(tail_level, view="retained").value > 0:   # VaR among the zero years sums apart
            assert row.retained_tvar == tvar
        else:
            assert row.retained_tvar == pytest.approx(tvar, rel=1e-12)


def test_an_applied_policy_stands_for_its_events(events):
    """A quote hands the grid the policy it already applied: the covered amounts are reused and
    every option is the same as from the event table; a policy with other sections is refused."""
    applied = terms.apply(BASE.with_retention(2e6, 5e8), events, N)
    from_events = decision.choose_retention(events, N, BASE, DEDUCTIBLES, LIMITS).grid
    from_applied = decision.choose_retention(applied, None, BASE, DEDUCTIBLES, LIMITS).grid
    pd.testing.assert_frame_equal(from_applied, from_events, check_exact=True)
    # The core's result before its table is built (a quote starts the grid on it) likewise.
    core_only = terms.applied(BASE.with_retention(2e6, 5e8), events, N)
    from_core = decision.choose_retention(core_only, None, BASE, DEDUCTIBLES, LIMITS).grid
    pd.testing.assert_frame_equal(from_core, from_events, check_exact=True)
    pd.testing.assert_frame_equal(core_only.result().describe(), applied.describe(),
                                  check_exact=True)
    other = terms.CoverageTerms(sections={"response": {}})
    with pytest.raises(ValueError, match="sections"):
        decision.choose_retention(applied, None, other, DEDUCTIBLES, LIMITS)
    with pytest.raises(ValueError, match="n_years"):
        decision.choose_retention(applied, N + 1, BASE, DEDUCTIBLES, LIMITS)


@pytest.mark.parametrize("principle", [ExpectedValue(loading=0.0), pricing.TVaRCostOfCapital()])
def test_a_policy_that_never_pays_is_not_recommended_over_no_insurance(principle):
    """A deductible above every simulated loss costs what no insurance costs; the grid's first
    option won such ties and was recommended ("deductible 100億円 ... premium 0万円")."""
    events = terms.event_table([0, 1], liability=[1e6, 2e6])
    policy = terms.CoverageTerms.from_dict({"sections": {"liability": {}}})
    d = decision.choose_retention(events, 1000, policy, ["1000万円"], ["1億円"], principle=principle,
                                  cost_of_capital=0.1)
    assert not d.recommended["insured"]
    row = d.grid[d.grid["insured"]].iloc[0]
    assert row["insured_el"] == 0.0 and row["premium"] == 0.0
    assert "1 policy option(s) cost exactly the same" in d.reason
    assert "1案の保険は総コストがまったく同じです" in d.reason_in("ja")
    if isinstance(principle, ExpectedValue):   # a fair premium for all of the tail: worth buying
        d = decision.choose_retention(events, 1000, policy, [0, "1000万円"], ["1億円"],
                                      principle=principle, cost_of_capital=0.1)
        assert d.recommended["insured"] and d.recommended["deductible"] == 0.0
