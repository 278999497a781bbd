"""Portfolio simulation: closed-form means and variances, independence without the shock,
determinism, terms, validation of the policy table, empty books."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cyberloss as cl
from cyberloss import _core
from cyberloss import organisation as org
from cyberloss import portfolio as pf
from cyberloss import random as clrandom
from cyberloss.calibration import load as load_calibration
from cyberloss.cli import main
from cyberloss.organisation import components as comp

REPO = Path(__file__).resolve().parents[2]
FACTS = Path("/work/shared/reference/calibration-facts.json")


@pytest.fixture(scope="module")
def book() -> pf.Portfolio:
    # 60 policies; frequency factors raise the rates so that a short run sees many incidents.
    b = pf.Portfolio.synthetic(60, seed=4)
    t = b.table
    t["frequency_factor"] = 20.0
    t["aggregate_limit"] = math.inf
    return pf.Portfolio(t)


@pytest.fixture(scope="module")
def publicised(book) -> pf.Portfolio:
    # the shock's mechanics on the JNSA types alone (on the all-incidents basis unshocked minor
    # incidents make most of the counts) with as many
    # incidents, at the JNSA types' all-incidents rates (publicised x reporting factor)
    t = book.table
    cal = book.calibration
    t["frequency_factor"] *= t["size"].map(cal.reporting_factor)
    return pf.Portfolio(t, basis="publicised")


def sample_variance_se(x: np.ndarray) -> float:
    d2 = (x - x.mean()) ** 2
    return float(d2.std(ddof=1) / math.sqrt(x.size))


def test_no_shock_mean_is_sum_of_policy_means_and_policies_are_uncorrelated(book):
    loss = pf.SurveySeverity.from_calibration()
    model = pf.PortfolioModel(book, loss=loss, systemic=pf.SystemicShock.off())
    tracked = book.table["policy_id"].iloc[np.argsort(-book.rates.sum(axis=0))[:8]].tolist()
    res = pf.simulate_portfolio(model, years=20_000, seed=11, track=tracked)
    expected_by_policy = (book.rates * loss.expected_insured(book)).sum(axis=0)
    gross = res.annual("gross")
    se = float(gross.std(ddof=1) / math.sqrt(gross.size))
    assert abs(gross.mean() - expected_by_policy.sum()) < 4 * se
    # each policy's simulated mean against its own closed form
    z = (res.policies["mean"] - expected_by_policy) / np.maximum(res.policies["mean_se"], 1e-300)
    assert (np.abs(z[res.policies["mean_se"] > 0]) < 4.5).all()
    np.testing.assert_allclose(res.policies["mean"].sum(), gross.mean(), rtol=1e-9)
    corr = res.correlation().to_numpy()
    off = corr[~np.eye(len(tracked), dtype=bool)]
    assert np.abs(off).max() < 4 / math.sqrt(res.years)
    assert abs(res.average_correlation()) < 4 / math.sqrt(res.years) * 3


def test_shock_raises_the_variance_as_the_mixing_variance_predicts(publicised):
    book = publicised
    v = {"ransomware": 0.6, "other": 0.3}
    on = pf.PortfolioModel(book, loss=pf.FixedLoss(1.0), systemic=pf.SystemicShock(v))
    off = pf.PortfolioModel(book, loss=pf.FixedLoss(1.0), systemic=pf.SystemicShock.off())
    lam = book.rates.sum(axis=1)   # per attack type, whole book
    var_v = np.array([on.systemic.variance(a) for a in book.attack_types])
    # counts: Var S = sum_a Lambda_a + v_a Lambda_a^2 (gamma-mixed Poisson, shared per type)
    expected_on = float((lam + var_v * lam ** 2).sum())
    expected_off = float(lam.sum())
    # FixedLoss(1) ground-up: the annual loss is the book's incident count
    x_on = pf.simulate_portfolio(on, 60_000, 5).annual("ground_up")
    x_off = pf.simulate_portfolio(off, 60_000, 5).annual("ground_up")
    assert abs(x_on.mean() - lam.sum()) < 4 * x_on.std() / math.sqrt(x_on.size)
    assert abs(x_on.var(ddof=1) - expected_on) < 4 * sample_variance_se(x_on)
    assert abs(x_off.var(ddof=1) - expected_off) < 4 * sample_variance_se(x_off)
    assert x_on.var() > 1.5 * x_off.var()


def test_shock_correlates_policies_as_predicted(publicised):
    book = publicised
    v = 0.8
    # a fixed loss above every deductible: each policy pays a constant per incident (no
    # aggregate limit in this book), so its annual loss is a multiple of its count
    model = pf.PortfolioModel(book, loss=pf.FixedLoss(1e8), systemic=pf.SystemicShock({"other": v}))
    r = book.rates
    i, j = np.argsort(-r.sum(axis=0))[:2]
    ids = book.table["policy_id"].iloc[[i, j]].tolist()
    res = pf.simulate_portfolio(model, 60_000, 9, track=ids)
    a = book.attack_types.index("other")
    cov = v * r[a, i] * r[a, j]
    var_i = r[:, i].sum() + v * r[a, i] ** 2
    var_j = r[:, j].sum() + v * r[a, j] ** 2
    rho = cov / math.sqrt(var_i * var_j)
    assert rho > 0.005
    assert abs(res.correlation().iloc[0, 1] - rho) < 4 / math.sqrt(res.years)


def test_year_losses_do_not_depend_on_block_size(book):
    model = pf.PortfolioModel(book)
    a = pf.simulate_portfolio(model, 5000, 3, block_years=4096)
    b = pf.simulate_portfolio(model, 5000, 3, block_years=777, threads=1)
    np.testing.assert_array_equal(a.ylt.to_numpy(), b.ylt.to_numpy())
    np.testing.assert_allclose(a.policies["mean"], b.policies["mean"], rtol=1e-12)
    c = pf.simulate_portfolio(model, 5000, 4)
    assert not np.array_equal(a.annual("gross"), c.annual("gross"))


def test_events_follow_the_documented_streams(book):
    model = pf.PortfolioModel(book, systemic=pf.SystemicShock.off())
    blk = pf.run_block(model, 21, 100, 50)
    gross = blk.columns["ground_up"]
    # rebuild the year-120 ground-up loss from the raw generator and the documented uniforms
    ev = _core.portfolio_events(_core.PortfolioFrequency(model.rates().tolist(), model.variances()), 21, 100, 50)
    sel = ev["year"] == 120
    for t, k, u in zip(ev["type"][sel], ev["k"][sel], ev["u"][sel]):
        stream = clrandom.stream_id(clrandom.Purpose.PORTFOLIO, 0x200 + int(t))
        assert u == clrandom.uniform_at(21, stream, 120, int(k))
    losses = model.loss.to_core(book).losses(ev, 100, 21)
    assert gross[20] == pytest.approx(losses[sel].sum(), rel=1e-12)


def test_scenario_multiplies_the_ransomware_rate():
    b = pf.Portfolio.synthetic(200, seed=2)
    base = pf.PortfolioModel(b, systemic=pf.SystemicShock.off())
    wave = pf.PortfolioModel(b, systemic=pf.SystemicShock.off(), scenario=pf.scenario("vpn_zero_day_wave"))
    a = b.attack_types.index("ransomware")
    np.testing.assert_allclose(wave.rates()[a], 3 * base.rates()[a])
    np.testing.assert_array_equal(np.delete(wave.rates(), a, 0), np.delete(base.rates(), a, 0))
    with pytest.raises(ValueError, match="scenario must be one of"):
        pf.scenario("asteroid")


def test_default_variances_follow_the_published_counts():
    facts = json.loads(FACTS.read_text())["publicised_cases"]
    cum, rec = facts["by_attack_type_cumulative"], facts["by_attack_type_recent"]
    table = pf.derive_default_variances().set_index("attack_type")
    for a in ("ransomware", "emotet"):
        mu = cum[a]["value"] / 7.5
        early, recent = cum[a]["value"] - rec[a]["value"], rec[a]["value"]
        x2 = (early - 5.5 * mu) ** 2 / (5.5 * mu) + (recent - 2 * mu) ** 2 / (2 * mu)
        assert table.loc[a, "variance"] == pytest.approx((x2 - 1) / mu, rel=1e-12)
    assert table.loc["ransomware", "variance"] == pytest.approx(2.145, abs=1e-3)
    assert table.loc["emotet", "variance"] == pytest.approx(2.189, abs=1e-3)
    # the pooled count (website leaks + other) has v = 0.0138; each of its three types has an
    # independent shock of v / sum s_a^2, s = (297, 297, 573) / 1,167, so that the pooled count's
    # yearly variance mu + v mu^2 is the one derived
    pooled = ["web_leak_card", "web_leak_personal", "other"]
    assert table.loc["other", "pooled_variance"] == pytest.approx(0.0138, abs=1e-4)
    counts = np.array([cum["web_leak"]["value"] / 2, cum["web_leak"]["value"] / 2, cum["other"]["value"]])
    shares = counts / counts.sum()
    np.testing.assert_allclose(table.loc[pooled, "pooled_share"], shares, rtol=1e-12)
    for a in pooled:
        assert table.loc[a, "variance"] == pytest.approx(0.0138 / (shares ** 2).sum(), rel=1e-2)
        assert table.loc[a, "variance"] == pytest.approx(
            table.loc[a, "pooled_variance"] / (shares ** 2).sum(), rel=1e-12)
    assert (table["quality"] == "assumption").all()
    assert pf.SystemicShock.default().variance("ransomware") == table.loc["ransomware", "variance"]
    with pytest.raises(ValueError, match="systemic variance for 'ransomware'"):
        pf.SystemicShock({"ransomware": -1})


def hand_made_block(policy, year, x, deductible, occurrence_limit, aggregate_limit, n_years):
    """The core block on hand-made incidents of one attack type, every policy tracked."""
    counts = np.bincount(year, minlength=n_years)
    events = {"theta": np.ones((n_years, 1)), "counts": counts[:, None].astype(np.int64),
              "year": np.asarray(year, dtype=np.int64), "type": np.zeros(len(year), dtype=np.int32),
              "k": np.concatenate([np.arange(c) for c in counts]).astype(np.int32),
              "policy": np.asarray(policy, dtype=np.int32), "u": np.full(len(year), 0.5)}
    return _core.portfolio_block_from_losses(events, 0, np.asarray(x, dtype=float), deductible,
                                             occurrence_limit, aggregate_limit,
                                             _core.ReinsuranceProgramme(), list(range(len(deductible))))


def test_aggregate_limit_is_consumed_in_event_order():
    policy = np.array([0, 1, 0, 0, 1])
    year = np.array([0, 0, 0, 1, 1])
    x = np.array([60.0, 10.0, 70.0, 80.0, 5.0])
    b = hand_made_block(policy, year, x, [10.0, 0.0], [50.0, np.inf], [80.0, 12.0], 2)
    # policy 0, year 0: 50 then min(50, 80 - 50) = 30; year 1: 50. policy 1: 10, then 5 in year 1.
    np.testing.assert_array_equal(b["gross"], [90.0, 55.0])
    np.testing.assert_array_equal(b["policy_sum"], [130.0, 15.0])
    np.testing.assert_array_equal(b["policy_sumsq"], [80.0**2 + 50.0**2, 10.0**2 + 5.0**2])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e9), min_size=1, max_size=30), st.floats(0, 1e8), st.floats(0, 1e8))
def test_higher_deductible_never_raises_insured_loss(xs, d1, d2):
    x = np.array(xs)
    n = x.size
    policy = np.zeros(n, dtype=np.int64)
    year = np.arange(n) % 3
    lo, hi = min(d1, d2), max(d1, d2)
    order = np.argsort(year, kind="stable")
    policy, year, x = policy[order], year[order], x[order]
    a = hand_made_block(policy, year, x, [lo], [3e8], [5e8], 3)["gross"]
    b = hand_made_block(policy, year, x, [hi], [3e8], [5e8], 3)["gross"]
    # exact in real arithmetic; the running aggregate can move the float sum by a few ulps
    assert np.all(a >= b - 4 * n * np.spacing(np.maximum(b, 1.0)))
    assert np.all(a <= np.bincount(year, weights=x, minlength=3) * (1 + 1e-12))
    # the year's payments (summed in event order, as the aggregate consumes them) hold the cap
    assert np.all(a <= 5e8)


def write(tmp_path, text: str) -> Path:
    p = tmp_path / "book.csv"
    p.write_text(text)
    return p


HEADER = "policy_id,industry,size,revenue,deductible,occurrence_limit,aggregate_limit\n"


@pytest.mark.parametrize("row, column, message", [
    ("P3,manufacturing,sme,1e9,abc,1e8,1e8", "deductible", "got 'abc'"),
    ("P3,mining,sme,1e9,0,1e8,1e8", "industry", "got 'mining'"),
    ("P3,manufacturing,medium,1e9,0,1e8,1e8", "size", "got 'medium'"),
    ("P3,manufacturing,sme,-5,0,1e8,1e8", "revenue", "got '-5'"),
    ("P3,manufacturing,sme,1e9,0,0,1e8", "occurrence_limit", "got '0'"),
    ("P1,manufacturing,sme,1e9,0,1e8,1e8", "policy_id", "duplicates row 1"),
])
def test_bad_row_is_refused_with_its_row_and_column(tmp_path, row, column, message):
    good = "P1,manufacturing,sme,1e9,0,1e8,1e8\nP2,services,large,1e11,1e7,1e9,\n"
    path = write(tmp_path, HEADER + good + row + "\n")
    with pytest.raises(ValueError, match=f"row 3 .*column '{column}'.*{message}"):
        pf.Portfolio.read(path)
    code = main(["portfolio", str(path), "--years", "10"])
    assert code == 2


@pytest.mark.parametrize("last, message", [
    ("P3,manufacturing,sme,1e9,-1,1e8,1e8",
     r"portfolio row 3 \(line 9, policy_id 'P3'\), column 'deductible': .*, got '-1'"),
    ("P1,manufacturing,sme,1e9,0,1e8,1e8",
     r"portfolio row 3 \(line 9, policy_id 'P1'\), column 'policy_id': duplicates row 1 \(line 3\), got 'P1'"),
    ("P3,manufacturing,sme", r"portfolio row 3 \(line 9\) has 3 fields, the header has 7: 'P3,manufacturing,sme'"),
])
def test_csv_errors_name_the_line_past_blank_lines_and_quoted_line_breaks(tmp_path, capsys, last, message):
    # rows count policies; the line is where the row starts in the file: blank lines (2, 4, 5,
    # 8) and the line break inside P2's quoted id (6-7) move it away from row + 1
    text = (HEADER + "\nP1,manufacturing,sme,1e9,0,1e8,1e8\n\n\n"
            '"P\n2",services,large,1e11,1e7,1e9,\n\n' + last + "\n")
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=message + "$"):
        pf.Portfolio.read(path)
    assert main(["portfolio", str(path), "--years", "10"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(message, err)


def test_a_frame_names_rows_not_lines_whatever_its_index():
    """Only a frame read from a CSV file has lines: a user's frame indexed by integers named
    "line" (years, say) once had them printed as file lines ("row 2 (line 2025, ...)")."""
    frame = pd.DataFrame({"policy_id": ["a", "b"], "industry": ["manufacturing"] * 2, "size": ["sme"] * 2,
                          "deductible": [0, -1]}, index=pd.Index([2024, 2025], name="line"))
    with pytest.raises(ValueError, match=r"^portfolio row 2 \(policy_id 'b'\), column 'deductible'"):
        pf.Portfolio(frame)


def test_table_level_errors(tmp_path):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['size'\]"):
        pf.Portfolio(pd.DataFrame({"policy_id": ["a"], "industry": ["manufacturing"]}))
    with pytest.raises(ValueError, match="unknown column"):
        pf.Portfolio(pd.DataFrame({"policy_id": ["a"], "industry": ["manufacturing"], "size": ["sme"],
                                   "limit": [1]}))
    with pytest.raises(FileNotFoundError):
        pf.Portfolio.read(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="must be .csv or .parquet"):
        pf.Portfolio.read(write(tmp_path, "x").rename(tmp_path / "book.xlsx"))


def test_headers_are_read_nfkc_normalised_as_cells_are(tmp_path):
    """Excel's full-width digit in a Japanese header (１事故支払限度額) was an unknown column
    although the cell under it (１億円) was read: a header is NFKC-normalised before matching."""
    path = write(tmp_path, "証券番号,業種,規模,１事故支払限度額,ｄｅｄｕｃｔｉｂｌｅ\nA,製造業,中小企業,１億円,100万\n")
    t = pf.Portfolio.read(path).table
    assert t.loc[0, "occurrence_limit"] == 1e8 and t.loc[0, "deductible"] == 1e6
    # a header naming nothing is shown as written
    with pytest.raises(ValueError, match=r"unknown column\(s\) \['１事故限度額'\]"):
        pf.Portfolio.read(write(tmp_path, "policy_id,industry,size,１事故限度額\nA,manufacturing,sme,1\n"))


def test_trailing_empty_columns_as_excel_writes_them_are_dropped(tmp_path):
    """A header line ending ',,' (Excel's empty trailing cells) was refused as unknown columns
    ['', '']: a column with neither a header nor a value is dropped; one without a header over
    values is refused, naming its position, the row and the value."""
    plain = pf.Portfolio.read(write(tmp_path, "policy_id,industry,size,deductible\nA,manufacturing,sme,100000\n"))
    for text in ("policy_id,industry,size,deductible,,\nA,manufacturing,sme,100000,,\n",
                 "policy_id,,industry,size, ,deductible,\nA,,manufacturing,sme, ,100000,\n\n"):
        pd.testing.assert_frame_equal(pf.Portfolio.read(write(tmp_path, text)).table, plain.table)
    frame = pd.DataFrame({"policy_id": ["A"], "industry": ["manufacturing"], "size": ["sme"],
                          "deductible": [1e5], "": [np.nan], " ": [None]})
    pd.testing.assert_frame_equal(pf.Portfolio(frame).table, plain.table)
    with pytest.raises(ValueError, match=r"^portfolio file .*: portfolio column 5 has no header but holds "
                                         r"values \(first in portfolio row 2 \(line 4\): 'x'\): name the "
                                         r"column or delete it$"):
        pf.Portfolio.read(write(tmp_path, "policy_id,industry,size,deductible,,\n"
                                          "A,manufacturing,sme,100000,,\n\nB,manufacturing,sme,0,x,\n"))
    with pytest.raises(ValueError, match=r"^portfolio column 4 has no header but holds values "
                                         r"\(first in portfolio row 1: 100000\.0\)"):
        pf.Portfolio(frame.rename(columns={"deductible": ""}))


def test_parquet_and_frame_give_the_same_book(tmp_path):
    csv = pf.Portfolio.read(REPO / "examples" / "portfolio_small.csv")
    path = tmp_path / "book.parquet"
    csv.table.to_parquet(path)
    pq = pf.Portfolio.read(path)
    pd.testing.assert_frame_equal(csv.table, pq.table)
    np.testing.assert_array_equal(csv.rates, pq.rates)
    assert math.isinf(csv.table.set_index("policy_id").loc["CON-S-012", "aggregate_limit"])


def test_a_whole_float_policy_id_is_the_whole_numbers_id(tmp_path):
    """A float policy_id column (1001.0: Parquet from a spreadsheet, pandas' integers with a
    gap) was refused as "must be a non-empty id, got 1001.0": a whole float is the id its
    integer is ('1001'), a fraction is refused as not text nor a whole number."""
    def frame(ids):
        return pd.DataFrame({"policy_id": ids, "industry": "manufacturing", "size": "sme"})

    path = tmp_path / "book.parquet"
    frame([1001.0, 1002.0]).to_parquet(path)
    assert list(pf.Portfolio.read(path).table["policy_id"]) == ["1001", "1002"]
    for ids in ([1001.0, 1002.0], [1001, 1002], np.array([1001, 1002], dtype=np.float32), ["1001", "1002"]):
        assert list(pf.Portfolio(frame(ids)).table["policy_id"]) == ["1001", "1002"]
    assert list(pf.Portfolio(frame([-0.0, 7])).table["policy_id"]) == ["0", "7"]
    with pytest.raises(ValueError, match=r"^portfolio row 2 \(policy_id '1001'\), column 'policy_id': duplicates row 1, got '1001'$"):
        pf.Portfolio(frame([1001, 1001.0]))
    frame([1001.0, 1001.5]).to_parquet(path)
    for book in (lambda: pf.Portfolio.read(path), lambda: pf.Portfolio(frame([1001.0, 1001.5]))):
        with pytest.raises(ValueError, match=r"portfolio row 2, column 'policy_id': must be an id written as "
                                             r"text or as a whole number, got 1001\.5$"):
            book()
    with pytest.raises(ValueError, match=r"row 1, column 'policy_id': must be an id written as text or as a "
                                         r"whole number \(a float beyond 2\*\*53 may have lost digits"):
        pf.Portfolio(frame([2.0 ** 60]))
    for bad in (math.inf, True):
        with pytest.raises(ValueError, match=r"must be an id written as text or as a whole number, got"):
            pf.Portfolio(frame([bad]))
    with pytest.raises(ValueError, match=r"row 1, column 'policy_id': must be a non-empty id, got nan$"):
        pf.Portfolio(frame([np.nan]))


@pytest.mark.parametrize("column, need", [
    ("aggregate_limit", "must be a number > 0"), ("occurrence_limit", "must be a number > 0"),
    ("deductible", "must be a finite number >= 0"), ("frequency_factor", "must be a finite number > 0"),
    ("revenue", "must be a finite number > 0"), ("employees", "must be a whole number")])
def test_a_parquet_nan_is_refused_and_a_null_is_empty(tmp_path, capsys, column, need):
    """A NaN in a Parquet file was read as an empty cell: a NaN limit became unlimited, a NaN
    deductible 0, silently.  Only a null is empty there, as only an empty field is in a CSV."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    ids = {"policy_id": ["A1", "A2", "A3"], "industry": ["manufacturing"] * 3, "size": ["sme"] * 3}
    path = tmp_path / "book.parquet"
    pq.write_table(pa.table({**ids, column: pa.array([1e6, float("nan"), None])}), path)
    message = (rf"^portfolio file {re.escape(str(path))}: portfolio row 2 \(policy_id 'A2'\), "
               rf"column '{column}': {need}.*, got nan$")
    with pytest.raises(ValueError, match=message):
        pf.Portfolio.read(path)
    assert main(["portfolio", str(path), "--years", "10"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    pq.write_table(pa.table({**ids, column: pa.array([1e6, None, None])}), path)
    empty = pf.Portfolio.read(path).table[column]
    assert empty.iloc[1] == pf.OPTIONAL_DEFAULTS[column] or (
        math.isnan(empty.iloc[1]) and math.isnan(pf.OPTIONAL_DEFAULTS[column]))


def test_a_frames_nan_none_and_na_are_empty():
    """pandas writes a missing value as NaN (None in an object column, NA in a nullable one):
    in a DataFrame each is an empty cell, unlike a Parquet file's NaN."""
    frame = pd.DataFrame({"policy_id": ["A1", "A2", "A3", "A4"], "industry": ["manufacturing"] * 4,
                          "size": ["sme"] * 4,
                          "aggregate_limit": pd.Series([1e6, np.nan, None, pd.NA], dtype=object),
                          "deductible": pd.array([1.0, None, 2.0, None], dtype="Float64")})
    t = pf.Portfolio(frame).table
    assert list(t["aggregate_limit"]) == [1e6, math.inf, math.inf, math.inf]
    assert list(t["deductible"]) == [1.0, 0.0, 2.0, 0.0]


def test_a_parquet_files_stored_index_is_not_a_column(tmp_path):
    frame = pd.DataFrame({"policy_id": ["A1", "A2"], "industry": ["manufacturing"] * 2, "size": ["sme"] * 2,
                          "deductible": [1e6, np.nan]}, index=pd.Index([7, 9], name="n"))
    path = tmp_path / "book.parquet"
    frame.to_parquet(path)      # pandas writes NaN as a null, and the index as a column
    assert list(pf.Portfolio.read(path).table["deductible"]) == [1e6, 0.0]


def test_empty_portfolio_gives_an_empty_result_with_a_message(tmp_path, capsys):
    path = write(tmp_path, HEADER)
    book = pf.Portfolio.read(path)
    assert len(book) == 0
    res = pf.simulate_portfolio(pf.PortfolioModel(book), 100, 1)
    assert res.is_empty and "no policies" in res.message
    assert not res.annual("gross").any() and res.mean("gross") == 0
    assert not res.occurrence_max("gross").any()
    assert res.summary()["gross"] is None and "no policies" in res.summary()["message"]
    assert main(["portfolio", str(path), "--years", "100", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["policies"] == 0 and "no policies" in out["message"]


@pytest.mark.parametrize("years", [1, 0, -3])
def test_a_run_of_fewer_than_two_years_is_refused_up_front(book, capsys, years):
    # one year was simulated and then failed in summary() ("std needs at least 2 values")
    with pytest.raises(ValueError, match=rf"^years must be an integer in \[2, 2\*\*63 - 1\], got {years}$"):
        pf.simulate_portfolio(pf.PortfolioModel(book), years, 1)
    assert pf.simulate.MIN_YEARS == 2
    assert main(["portfolio", str(REPO / "examples" / "portfolio_small.csv"), f"--years={years}"]) == 2
    assert "--years: must be an integer >= 2" in capsys.readouterr().err
    assert pf.simulate_portfolio(pf.PortfolioModel(book), 2, 1).summary()["years"] == 2


@pytest.mark.parametrize("name", ["ylt.parquet", "ylt.csv"])
def test_empty_portfolio_writes_its_year_loss_table_of_zeros(tmp_path, capsys, name):
    # --out writes the table of the empty result (exit 0 and no file was the old behaviour)
    out = tmp_path / name
    assert main(["portfolio", str(write(tmp_path, HEADER)), "--years", "50", "--out", str(out)]) == 0
    assert "no policies" in capsys.readouterr().out
    ylt = pd.read_parquet(out) if name.endswith(".parquet") else pd.read_csv(out)
    assert len(ylt) == 50 and list(ylt["year"]) == list(range(50))
    assert not ylt[["gross", "ceded", "net", "ground_up", "events"]].to_numpy().any()


def test_an_empty_books_year_loss_table_has_the_drawn_systemic_multipliers(tmp_path, capsys, book):
    """An empty book's theta_* columns were all 0, theta_minor too, which is 1 in every year of
    any other run: they are the multipliers the run draws (by seed, type and year, whatever the
    book), 1 for a type without a shock."""
    empty = pf.Portfolio.read(write(tmp_path, HEADER))
    thetas = [f"theta_{a}" for a in empty.attack_types]
    full = pf.simulate_portfolio(pf.PortfolioModel(book), 300, 9).to_frame()[thetas]
    for block_years in (300, 7):
        res = pf.simulate_portfolio(pf.PortfolioModel(empty), 300, 9, block_years=block_years)
        assert res.is_empty
        pd.testing.assert_frame_equal(res.to_frame()[thetas], full)
    assert (full["theta_minor"] == 1.0).all() and full["theta_ransomware"].std() > 0.5
    off = pf.simulate_portfolio(pf.PortfolioModel(empty, systemic=pf.SystemicShock.off()), 50, 9).to_frame()
    assert (off[thetas] == 1.0).all().all()
    out = tmp_path / "ylt.parquet"
    assert main(["portfolio", str(write(tmp_path, HEADER)), "--years", "300", "--seed", "9", "--out", str(out)]) == 0
    ylt = pd.read_parquet(out)
    pd.testing.assert_frame_equal(ylt[thetas], full)
    assert not ylt[["gross", "events"]].to_numpy().any()


def test_each_years_largest_incident_gives_the_portfolio_oep(book):
    # The largest single incident of each year, ground-up and insured (its policy's deductible
    # and occurrence limit; this book has no aggregate limits), against the events the loss
    # function was given; the gross view's OEP then lies at or below its AEP.
    seen = []

    def loss(portfolio, events):
        x = 1e5 * (1.0 / events["u"] - 1.0)
        seen.append((np.array(events["year"]), np.array(events["policy"]), x))
        return x

    model = pf.PortfolioModel(book, loss=loss, systemic=pf.SystemicShock.off())
    res = pf.simulate_portfolio(model, 3000, 7, block_years=1000)
    year, policy, x = (np.concatenate([s[i] for s in seen]) for i in range(3))
    t = book.table
    insured = np.minimum(np.maximum(x - t["deductible"].to_numpy(float)[policy], 0.0),
                         t["occurrence_limit"].to_numpy(float)[policy])
    largest_ground_up, largest_insured = np.zeros(res.years), np.zeros(res.years)
    np.maximum.at(largest_ground_up, year, x)
    np.maximum.at(largest_insured, year, insured)
    assert np.array_equal(res.occurrence_max("ground_up"), largest_ground_up)
    assert np.array_equal(res.occurrence_max("gross"), largest_insured)
    assert (largest_insured < res.annual("gross")).any()      # years with several incidents
    ep = res.ep_curve([2, 10, 100])
    assert (ep["oep"] <= ep["aep"]).all() and (ep["oep"] > 0).all()
    assert "oep" not in res.ep_curve([10], "net")
    with pytest.raises(ValueError, match="no single losses"):
        res.occurrence_max("ceded")


def test_loss_function_must_return_finite_losses(book):
    def bad(portfolio, events):
        return np.full(events["u"].size, np.nan)

    with pytest.raises(ValueError, match="must be finite and >= 0"):
        pf.simulate_portfolio(pf.PortfolioModel(book, loss=bad), 2000, 1)


def test_parquet_ylt_and_cli_json(tmp_path, capsys):
    out = tmp_path / "ylt.parquet"
    code = main(["portfolio", str(REPO / "examples" / "portfolio_small.csv"), "--years", "3000",
                 "--json", "--out", str(out), "--reinsurance", str(REPO / "examples" / "reinsurance.toml")])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    ylt = pd.read_parquet(out)
    assert len(ylt) == 3000
    assert summary["gross"]["annual_loss_sha256"] == cl.results.annual_loss_sha256(ylt["gross"].to_numpy())
    assert summary["net"]["annual_loss_sha256"] == cl.results.annual_loss_sha256(ylt["net"].to_numpy())
    assert summary["gross"]["mean"] == pytest.approx(ylt["gross"].mean(), rel=1e-12)
    assert set(summary["reinsurance"]) == {"per_risk", "per_event", "quota_share", "stop_loss"}


def test_synthetic_book_is_deterministic_and_follows_the_mix():
    a = pf.Portfolio.synthetic(2000, seed=8, size_mix={"large": 1, "sme": 3})
    b = pf.Portfolio.synthetic(2000, seed=8, size_mix={"large": 1, "sme": 3})
    pd.testing.assert_frame_equal(a.table, b.table)
    share = (a.table["size"] == "large").mean()
    assert abs(share - 0.25) < 4 * math.sqrt(0.25 * 0.75 / 2000)
    with pytest.raises(ValueError, match="size_mix: unknown key 'huge'"):
        pf.Portfolio.synthetic(10, seed=1, size_mix={"huge": 1})


def test_synthetic_book_draws_sizes_only_where_the_calibration_has_exposure():
    """No manufacturing 団体等 nor 公務 company: a size drawn where the industry has no exposure
    is drawn again among its fitted sizes, in proportion to the mix; other draws are kept."""
    cal = load_calibration()
    book = pf.Portfolio.synthetic(20000, seed=3)
    assert book.warnings() == []
    t = book.table
    assert all(cal.exposure(i, s) > 0 for i, s in zip(t["industry"], t["size"]))
    assert set(t.loc[t["industry"] == "public_administration", "size"]) == {"organisation"}
    partly = ~t["industry"].isin(["medical_welfare", "education", "other", "public_administration"])
    n = int(partly.sum())
    share = (t.loc[partly, "size"] == "large").mean()      # 0.2 / (0.2 + 0.7)
    assert abs(share - 2 / 9) < 4 * math.sqrt(2 / 9 * 7 / 9 / n)
    fully = t["industry"].isin(["medical_welfare", "education", "other"])
    plain = pf.Portfolio.synthetic(20000, seed=3, industry_mix={"other": 1}).table
    u_sizes = plain["size"].to_numpy()                     # the same size uniforms, nothing moved
    assert (t.loc[fully, "size"].to_numpy() == u_sizes[fully.to_numpy()]).all()
    # an industry none of whose sizes in the mix is fitted keeps them, and is warned of
    only = pf.Portfolio.synthetic(50, seed=1, industry_mix={"public_administration": 1}, size_mix={"sme": 1})
    assert set(only.table["size"]) == {"sme"} and "50 of 50 policies" in only.warnings()[0]


def test_organisation_loss_uses_the_components_of_each_policy():
    # calibration v1's incident model on the publicised basis (v2: test_portfolio_v2.py)
    book = pf.Portfolio.read(REPO / "examples" / "portfolio_small.csv", basis="publicised")
    loss = pf.OrganisationLoss.from_calibration(basis="publicised")
    model = pf.PortfolioModel(book, loss=loss, systemic=pf.SystemicShock.off())
    ev = dict(_core.portfolio_events(_core.PortfolioFrequency(model.rates().tolist(), model.variances()),
                                     5, 0, 3000))
    compiled = loss.to_core(book)
    parts = compiled.components(ev, 0, 5)
    assert parts["liability"].size == ev["u"].size > 20
    i = int(np.argmax(ev["type"] == 0))                      # a ransomware incident
    row = book.table.iloc[int(ev["policy"][i])]
    profile = org.OrganisationProfile(row["industry"], row["size"], revenue=row["revenue"])
    y, k = ev["year"][i:i + 1], ev["k"][i:i + 1].astype(np.int64)

    def u(purpose, draws):
        return np.atleast_2d(clrandom.uniform_at(5, clrandom.stream_id(purpose, 0x200), y[:, None], draws))

    survey = loss.severity.to_core(book).losses(ev, 0, 5)[i:i + 1]
    direct = org.incident_model(profile, "ransomware").from_uniforms(
        survey, u(clrandom.Purpose.DOWNTIME, k[:, None])[0], u(clrandom.Purpose.EFFORT, k[:, None])[0],
        u(clrandom.Purpose.COMPONENTS, k[:, None] * 16 + np.arange(16)))
    for c in comp.COMPONENTS:
        assert parts[c][i] == pytest.approx(float(direct[c][0]), rel=1e-12)
    assert parts["lost_profit"][i] > 0
    total = compiled.losses(ev, 0, 5)
    np.testing.assert_allclose(total, sum(parts[c] for c in comp.USUALLY_INSURED), rtol=1e-12)
    with pytest.raises(ValueError, match="sections must be components"):
        pf.OrganisationLoss(pf.SurveySeverity.from_calibration(), sections=("lunch",))


def test_covered_loss_applies_the_section_wording_of_cyberloss_terms():
    from cyberloss.insurance import terms as tm

    book = pf.Portfolio.read(REPO / "examples" / "portfolio_small.csv")
    wording = tm.CoverageTerms.from_toml(REPO / "examples" / "sme_manufacturer.toml").with_retention(0.0, math.inf)
    components = pf.OrganisationLoss.from_calibration()
    covered = pf.CoveredLoss(components, wording)
    ev = dict(_core.portfolio_events(_core.PortfolioFrequency(book.rates.tolist(), [0.0] * len(book.attack_types)),
                                     6, 0, 4000))
    paid = covered.to_core(book).losses(ev, 0, 6)
    parts = components.to_core(book).components(ev, 0, 6)
    n = parts["liability"].size
    direct = tm.apply(wording, tm.event_table(np.arange(n), downtime_days=parts["downtime_days"],
                                              **{c: parts[c] for c in tm.COMPONENTS}), n)
    np.testing.assert_array_equal(paid, direct.occurrence("insured")[1])
    assert (paid <= sum(parts[c] for c in tm.COMPONENTS) + 1e-6).all()
    assert (paid < components.to_core(book).losses(ev, 0, 6)).any()   # sublimits / BI periods bite
    with pytest.raises(ValueError, match="template's deductible must be 0"):
        pf.CoveredLoss(components, tm.CoverageTerms.from_toml(REPO / "examples" / "sme_manufacturer.toml"))
    res = pf.simulate_portfolio(pf.PortfolioModel(book, loss=covered), 2000, 6)
    assert res.describe().loc["mean", "gross"] > 0


def test_a_run_that_cannot_fit_in_memory_is_refused_with_the_size(book):
    with pytest.raises(MemoryError, match=r"needs about [0-9.,]+ GiB.*: use fewer years \(the year-loss"):
        pf.simulate_portfolio(pf.PortfolioModel(book), 10**11, 1)


def test_a_run_too_large_for_memory_is_told_what_helps(book, monkeypatch):
    """The refusal said "use fewer years or smaller blocks" even when a single year was too
    large, where neither helps: it names what does (fewer policies, lower frequency factors)."""
    model = pf.PortfolioModel(book)
    single = pf.simulate.required_bytes(model, pf.simulate.MIN_YEARS, 1)
    run = pf.simulate.required_bytes(model, 1000, 1000)
    assert run > pf.simulate.required_bytes(model, 1000, 1) > single
    monkeypatch.setattr(_core, "available_memory_bytes", lambda: int(single) - 1)
    with pytest.raises(MemoryError, match=r"even a single year is too large \(about [0-9.,]+ events a year "
                                          r"across the book\): use fewer policies or lower frequency factors"):
        pf.simulate_portfolio(model, 2, 1, block_years=1)
    monkeypatch.setattr(_core, "available_memory_bytes", lambda: int(run) - 1)
    with pytest.raises(MemoryError, match=r": use fewer years or smaller blocks$"):
        pf.simulate_portfolio(model, 1000, 1, block_years=1000)


def test_policies_in_cells_without_exposure_are_warned_of(tmp_path, capsys):
    """A book's policies in cells the calibration has no exposure for (a manufacturing 団体等, a
    公務 SME) get the fitted model's extrapolation, as a profile does; the simulation of a profile
    warns of it, and so does a portfolio: on stderr and in the JSON's warnings."""
    path = write(tmp_path, HEADER + "P1,manufacturing,sme,1e9,0,1e8,1e8\n"
                                    "P2,manufacturing,organisation,1e9,0,1e8,1e8\n"
                                    "P3,public_administration,sme,1e9,0,1e8,1e8\n")
    warnings = pf.Portfolio.read(path).warnings()
    assert warnings == ["2 of 3 policies are in cells the calibration has no exposure for "
                        "(manufacturing x organisation: 1 (rows 2); public_administration x sme: 1 (rows 3)): "
                        "their rates are the fitted model's extrapolation to cells the survey cannot speak for "
                        "(Calibration.unfitted_cell)"]
    assert main(["portfolio", str(path), "--years", "100", "--json"]) == 0
    out, err = capsys.readouterr()
    # then the note on the levels 100 years do not reach (their SEs null; JSON only)
    assert json.loads(out)["warnings"][:-1] == warnings and err == f"cyberloss portfolio: warning: {warnings[0]}\n"
    assert json.loads(out)["warnings"][-1].endswith("written as null")
    example = pf.Portfolio.read(REPO / "examples" / "portfolio_small.csv")
    assert example.warnings() == []


def test_policies_in_cells_without_exposure_are_warned_of_in_japanese(tmp_path, capsys):
    """Under --lang ja the portfolio printed its unfitted-cell warning in English, while quote
    printed its own in Japanese: the warning is now in the --lang language, its industries and
    sizes by their label_ja, as quote's; JSON keeps the English."""
    rows = "".join(f"M{i},manufacturing,organisation,1e9,0,1e8,1e8\n" for i in range(1, 7))
    path = write(tmp_path, HEADER + rows + "P1,public_administration,sme,1e9,0,1e8,1e8\n"
                                           "P2,manufacturing,sme,1e9,0,1e8,1e8\n")
    book = pf.Portfolio.read(path)
    japanese = book.warnings("ja")
    assert japanese == ["契約 8 件のうち 7 件はキャリブレーションにエクスポージャーのない区分にある"
                        "（製造業 × 団体等: 6 件（行 1、2、3、4、5、…）; 公務 × 中小企業: 1 件（行 7））: "
                        "その発生率は推定したモデルを調査が何も言えない区分へ外挿したもの"
                        "（Calibration.unfitted_cell）"]
    assert book.warnings("en") == book.warnings() and "7 of 8 policies" in book.warnings()[0]
    assert main(["portfolio", str(path), "--years", "20", "--lang", "ja"]) == 0
    assert capsys.readouterr().err == f"cyberloss portfolio: 警告: {japanese[0]}\n"
    assert main(["portfolio", str(path), "--years", "20", "--lang", "ja", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["warnings"][:-1] == book.warnings() and err == f"cyberloss portfolio: 警告: {japanese[0]}\n"
    with pytest.raises(ValueError, match="lang must be one of ja, en"):
        book.warnings("fr")


@pytest.mark.parametrize("value", ["1000", " 12 ", "1e3", "1_000", "0", "-1", "1e400", "nan", "inf", "",
                                   "5000万円", "1,200", "１２", "2.5", 5, 5.5, 0, -3, True, np.int64(3),
                                   np.float64(2.5), np.float32(1.5), 1e19, 10_000_001, 1.0e7, None])
def test_plain_numbers_read_as_the_schemas_parser_reads_them(value, monkeypatch):
    """The fast path for plain numbers (_plain_number) gives what the schema's parser gives, or
    leaves the cell to it: the same value or the same refusal in every numeric column."""
    from cyberloss.portfolio import book as book_mod

    def read(fast: bool):
        if not fast:
            monkeypatch.setattr(book_mod, "_plain_number", lambda value, column: None)
        out = {}
        for column in book_mod._NUMERIC:
            try:
                out[column] = book_mod._number(value, column, "portfolio row 1", True)
            except ValueError as exc:
                out[column] = str(exc)
        monkeypatch.undo()
        return out

    fast, slow = read(True), read(False)
    assert fast.keys() == slow.keys()
    for column in fast:
        a, b = fast[column], slow[column]
        assert (a == b) or (isinstance(a, float) and math.isnan(a) and math.isnan(b)), (column, a, b)
        assert type(a) is type(b), (column, a, b)


def test_a_big_books_rows_are_read_as_a_small_books():
    # the per-row loop keeps text cells' readings by value: the same table row by row
    book = pf.Portfolio.synthetic(3000, seed=4)
    again = pf.Portfolio(book.table.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(again.table.iloc[::-1].reset_index(drop=True), book.table)
