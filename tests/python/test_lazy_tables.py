"""The quote's tables held as plain data (``cyberloss._table``) give the DataFrames and Series
the public API always gave (values, dtypes, index, column order), built on first access, and
so do a BCP comparison's; the pandas-free text layout gives pandas' ``to_string`` character
for character."""
import dataclasses
import math
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cyberloss import _table
from cyberloss.insurance import decision, pricing, quote, terms
from cyberloss.organisation import bcp
from cyberloss.report import money, text
from test_pricing_quote import inputs


@pytest.fixture(scope="module")
def q():
    return quote.quote_events(*inputs(), name="plain tables")


def same_frame(got, want):
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True,
                                  check_column_type=True)
    assert list(got.dtypes) == list(want.dtypes)
    assert got.index.dtype == want.index.dtype and got.index.name == want.index.name


def test_statistics_and_ep_curve_are_the_frames_pandas_builds(q):
    st = q.statistics
    assert st is q.statistics     # built once, kept
    assert st.index.name == "statistic" and list(st.columns) == [
        c for v in terms.VIEWS for c in (v, f"{v}_se")]
    assert (st.dtypes == np.float64).all()
    same_frame(q.result.describe(q.settings.levels), st)
    ep = q.result.ep_curve(None, "gross")
    assert isinstance(ep.index, pd.RangeIndex)
    assert list(ep.columns) == ["return_period", "exceedance_probability", "aep", "aep_se", "oep",
                                "oep_se"]
    tail = q.result.sample("gross").tail([0.9, 0.99])
    assert tail.index.name == "level" and tail.index.dtype == np.float64


def test_premiums_are_the_frames_the_rows_made(q):
    priced = pricing.premiums(q.result, q.settings.principles, q.settings.loads, by_section=True)
    rows = [{"principle": p.principle, "label": p.label,
             "expected_loss": p.expected_loss.value, "expected_loss_se": p.expected_loss.se,
             "risk_premium": p.risk_premium.value, "risk_premium_se": p.risk_premium.se,
             "technical_premium": p.technical_premium.value,
             "technical_premium_se": p.technical_premium.se} for p in priced]
    want = pd.DataFrame(rows).set_index("principle")
    same_frame(pricing.premium_table(priced), want)
    same_frame(q.premiums, want)
    for p in priced:
        by = p.by_section
        old = pd.DataFrame([(s, *by.loc[s]) for s in by.index],
                           columns=["section", "expected_loss", "risk_premium",
                                    "technical_premium"]).set_index("section")
        same_frame(by, old)
        assert by.index[-1] == "total"


def test_summary_is_the_frame_from_dict_made(q):
    st = q.statistics.drop(index="P(loss>0)")
    rows = {("expected loss" if label == "mean" else "standard deviation" if label == "std"
             else label): {view: st.loc[label, view] for view in terms.VIEWS} for label in st.index}
    for _, row in q.premiums.iterrows():
        rows[f"premium: {row['label']}"] = {"insured": row["technical_premium"]}
    same_frame(q.summary(), pd.DataFrame.from_dict(rows, orient="index")[list(terms.VIEWS)])


def test_the_grid_and_its_recommended_row(q):
    grid, rec = q.decision.grid, q.decision.recommended
    assert isinstance(grid.index, pd.RangeIndex)
    assert grid["insured"].dtype == bool and grid["efficient"].dtype == bool
    (at,) = np.flatnonzero(grid["recommended"])
    pd.testing.assert_series_equal(rec, grid.loc[at], check_exact=True)
    assert rec.dtype == object and rec.name == at
    same_frame(q.decision.frontier, grid[grid["efficient"]].sort_values("retained_tvar"))


def pandas_picks(grid: pd.DataFrame, best: pd.Series) -> list[str]:
    """What decision's reason names, picked with pandas as it was before the reason read plain
    columns: the no-insurance option, how many options cost the same, the runner-up."""
    yen = money.format_yen
    none = grid[~grid["insured"]].iloc[0]
    if not best["insured"]:
        return [f"Keeping the risk costs least: {yen(none['total_cost'])} a year"]
    picks = [f"Without insurance it would be {yen(none['total_cost'])} "]
    others = grid[grid["insured"] & ~grid["recommended"]]
    same = np.isclose(others["total_cost"], best["total_cost"], rtol=1e-12, atol=0.0)
    if same.any():
        picks.append(f"{int(same.sum())} other option(s) cost exactly the same")
    others = others[~same]
    if len(others):
        runner = others.loc[others["total_cost"].idxmin()]
        picks.append(f"Next best: deductible {yen(runner['deductible'])}, limit "
                     f"{yen(runner['limit'])} at {yen(runner['total_cost'])}.")
    return picks


@pytest.mark.parametrize(("options", "branch"), [
    ({}, "Next best"),
    ({"limits": ["1億円", "3億円", "10億円"]}, "cost exactly the same"),   # limits never reached
    ({"cost_of_capital": 0.0, "principle": {"name": "expected_value", "loading": 3.0}},
     "Keeping the risk"),
])
def test_the_reason_names_what_pandas_picked(options, branch):
    ev, n, policy, _ = inputs()
    d = decision.choose_retention(ev, n, policy, **{"deductibles": [0, "100万円", "500万円"],
                                                    "limits": ["5000万円", "1億円"], **options})
    picks = pandas_picks(d.grid, d.recommended)
    assert any(branch in p for p in picks)
    for p in picks:
        assert p in d.reason


def test_a_quote_given_dataframes_reads_the_same(q):
    """A quote (or a decision, a premium) built from DataFrames, as before, prints and
    serialises as one built from plain tables; copies and pickles keep the tables."""
    given = dataclasses.replace(
        q, statistics=q.statistics.copy(), premiums=q.premiums.copy(),
        section_premium=dataclasses.replace(q.section_premium,
                                            by_section=q.section_premium.by_section.copy()),
        decision=dataclasses.replace(q.decision, grid=q.decision.grid.copy(),
                                     recommended=q.decision.recommended.copy()))
    assert given.text() == q.text()
    assert given.to_json() == q.to_json()
    fresh = quote.quote_events(*inputs(), name="plain tables")
    assert isinstance(_table.held(fresh, "statistics"), _table.Table)
    assert isinstance(_table.held(fresh.decision, "recommended"), _table.Row)
    back = pickle.loads(pickle.dumps(fresh.decision))
    assert isinstance(_table.held(back, "grid"), _table.Table)
    same_frame(back.grid, q.decision.grid)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fresh.statistics = q.statistics


def shown(frame: pd.DataFrame) -> tuple[str, str]:
    """(pandas' to_string, the plain layout) of a table of text cells."""
    table = _table.Table({c: list(frame[c]) for c in frame.columns}, list(frame.index),
                         frame.index.name)
    return text.frame(frame), text.layout(table)


def test_the_quote_tables_are_laid_out_as_pandas_does(q):
    for frame in (money.yen_table(q.summary()), money.yen_table(q.section_premium.by_section)):
        want, got = shown(frame)
        assert got == want
    plain = money.yen_table(_table.Table.from_frame(q.summary()))
    assert text.frame(plain) == text.frame(money.yen_table(q.summary()))
    assert text.frame(money.yen_table(q.summary())) in q.text()


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"総額": ["1.23億円", "56.8万円", ""], "insured": ["unlimited", "1,234万円", "0.0万円"]},
                 index=["期待損失", "std", "premium: 期待値原則 (loading 30%)"]),
    pd.DataFrame({"amount": ["１億円"]}, index=pd.Index(["費用損害 incident response"], name="section")),
    pd.DataFrame({"a": ["a very wide cell, wider than its heading", "b"], "long heading": ["", "x"]},
                 index=pd.Index(["x", "yy"], name="名前")),
    pd.DataFrame({"a": ["tab\there", "line\nbreak"], "b": ["  leading", "trailing  "]},
                 index=["  indented", "  both"]),
    pd.DataFrame({"長い列名の見出し": ["1", "2"], "b": ["ｘｙｚ", "ok"]}, index=["合計", "total"]),
    pd.DataFrame({"one": ["only"]}, index=["row"]),
])
def test_the_layout_is_pandas_to_string(frame):
    want, got = shown(frame)
    assert got == want


def test_the_layout_is_pandas_to_string_on_random_tables():
    """Many shapes, widths and scripts: wide (費用, ＡＢ), ambiguous (±, ×), combining (e + U+0301),
    half-width (ｶﾅ), ideographic and leading spaces, empty cells, with and without an index
    name, one to four rows and columns."""
    words = ["", "x", "1,234万円", "1.23億円", "unlimited", "費用損害", "ＡＢ", "±3 × 2", "e\u0301",
             "ｶﾅ", "\u3000全角", "  two", "a long cell that is wider than most", "合計 total"]
    rng = np.random.default_rng(11)
    for _ in range(300):
        rows, cols = rng.integers(1, 5, size=2)

        def pick():
            return str(words[rng.integers(len(words))])

        headings = list(dict.fromkeys(pick() or "c" for _ in range(cols)))
        frame = pd.DataFrame({h: [pick() for _ in range(rows)] for h in headings},
                             index=pd.Index([pick() for _ in range(rows)],
                                            name=pick() if rng.random() < 0.5 else None))
        want, got = shown(frame)
        assert got == want, frame


def test_the_layout_refuses_what_it_cannot_show():
    with pytest.raises(ValueError, match="'a' holds 1.5"):
        text.layout(_table.Table({"a": [1.5]}, ["x"]))
    with pytest.raises(ValueError, match="row labels"):
        text.layout(_table.Table({"a": ["1"]}))
    with pytest.raises(ValueError, match="no rows"):
        text.layout(_table.Table({"a": []}, []))


def test_yen_cells_are_the_same_in_both_forms():
    frame = pd.DataFrame({"x": [1.5e8, math.nan, math.inf], "n": [1.0, 2.0, 3.0]},
                         index=["a", "b", "c"])
    plain = money.yen_table(_table.Table.from_frame(frame), not_money=("n",))
    assert list(plain.column("x")) == list(money.yen_table(frame, not_money=("n",))["x"]) == [
        "1.50億円", "", "unlimited"]


def test_a_bcp_comparison_gives_the_frames_pandas_built():
    plan = bcp.BcpPlan.from_toml(Path(__file__).resolve().parents[2] / "examples" / "manufacturer.toml")
    plan = dataclasses.replace(plan, settings=dataclasses.replace(plan.settings, years=2_000))
    result = bcp.run_plan(plan)
    plain = result.describe_table()
    rows = [{"variant": name, **row} for name, row in plain.rows()]
    same_frame(result.describe(), pd.DataFrame(rows).set_index("variant"))
    sim = result.sims[0]
    rows = [{"attack_type": t, **row} for t, row in sim.provenance_table().rows()]
    same_frame(sim.provenance(), pd.DataFrame(rows).set_index("attack_type"))
    assert sim.provenance() is not sim.provenance()    # a copy each time, as before
    assert result.to_dict()["variants"][0]["components"] == {
        c: float(v) for c, v in result.by_component().iloc[0].items()}
