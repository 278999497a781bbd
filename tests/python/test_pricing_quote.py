"""The quote assembled from an event table: JSON contract, text, EP plot and HTML report."""
import json

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from cyberloss.insurance import quote, terms

N = 20_000


def inputs():
    rng = np.random.default_rng(21)
    year = np.sort(rng.choice(N, size=600))
    ev = terms.event_table(year, downtime_days=rng.uniform(0, 30, year.size),
                           investigation=rng.lognormal(15, 1, year.size),
                           liability=rng.lognormal(14, 1.5, year.size),
                           lost_profit=rng.lognormal(16, 1, year.size),
                           prevention=rng.lognormal(14, 1, year.size), internal_effort=2e6)
    policy = terms.CoverageTerms(
        sections={"response": {"limit": "5000万円", "sublimits": {"condolence": "300万円"}},
                  "liability": {}, "business_interruption": {"waiting_period_days": 1,
                                                             "indemnity_period_days": 60}},
        deductible="50万円", aggregate_limit="1億円")
    settings = quote.QuoteSettings.from_dict(
        {"years": N, "seed": 3, "loads": {"expense_ratio": 0.25, "profit_ratio": 0.05},
         "decision": {"deductibles": [0, "100万円", "500万円"], "limits": ["5000万円", "1億円", "3億円"]}})
    return ev, N, policy, settings


@pytest.fixture(scope="module")
def q():
    return quote.quote_events(*inputs(), name="hand-made SME")


def test_quote_is_deterministic(q):
    assert quote.quote_events(*inputs(), name="hand-made SME").to_json() == q.to_json()


def test_json_contract(q):
    data = json.loads(json.dumps(q.to_json(), allow_nan=False))
    assert set(data["expected_loss"]) == {"gross", "insured", "retained"}
    el = data["expected_loss"]
    assert el["gross"] == pytest.approx(el["insured"] + el["retained"], rel=1e-12)
    assert set(data["premium"]) == {"expected_value", "standard_deviation",
                                    "tvar_cost_of_capital", "wang"}
    assert all(v > el["insured"] for v in data["premium"].values())
    assert set(data["var"]["0.99"]) == {"gross", "insured", "retained"}
    assert data["tvar"]["0.99"]["gross"] >= data["var"]["0.99"]["gross"]
    rows = data["ep_curve"]
    assert {"return_period", "aep", "oep"} <= set(rows[0])
    assert [r["return_period"] for r in rows] == sorted(r["return_period"] for r in rows)
    rec = data["recommended"]
    assert {"deductible", "limit", "reason"} <= set(rec)
    assert rec["limit"] in (0.0, 5e7, 1e8, 3e8) and rec["reason"]
    assert data["terms"]["sections"]["liability"]["limit"] is None  # unlimited


def test_json_carries_the_se_of_every_statistic(q):
    # the standard deviation's SE too: the text prints it beside the others
    data = q.to_json()
    st = q.statistics
    for key, label in (("expected_loss", "mean"), ("std", "std")):
        assert data[f"{key}_se"] == {v: st.loc[label, f"{v}_se"] for v in terms.VIEWS}
    assert all(0 < se < data["std"][v] for v, se in data["std_se"].items())


def test_json_ep_columns_are_each_views_ep_curve(q):
    # the insured and retained columns are AEP only: the same numbers as each view's full curve
    rows = q.to_json()["ep_curve"]
    periods = [r["return_period"] for r in rows]
    gross = q.result.ep_curve(periods, "gross")
    for key in ("aep", "aep_se", "oep", "oep_se"):
        assert [r[key] for r in rows] == gross[key].tolist()
    for view in ("insured", "retained"):
        assert [r[f"aep_{view}"] for r in rows] == q.result.ep_curve(periods, view)["aep"].tolist()


def test_text_plot_and_html(q, tmp_path):
    text = q.text()
    assert "万円" in text and "Recommended" in text
    ax = q.plot_ep()
    assert ax.get_xscale() == "log"
    png = tmp_path / "ep.png"
    ax.figure.savefig(png)
    assert png.stat().st_size > 10_000
    page = q.to_html()
    assert page.count("data:image/png;base64,") == 2 and "<table" in page


@pytest.mark.parametrize("data,field", [
    ({"years": 10}, "years"),
    ({"seed": -1}, "seed"),
    ({"levels": [1.5]}, "levels"),
    ({"principles": ["median"]}, "principle"),
    ({"loads": {"expense_ratio": 2}}, "expense_ratio"),
    ({"loads": {"expenses": 0.2}}, "expenses"),
    ({"decision": {"limit": [1]}}, "limit"),
    ({"colour": "red"}, "colour"),
])
def test_bad_quote_settings_are_refused(data, field):
    with pytest.raises(ValueError, match=field):
        quote.QuoteSettings.from_dict(data)


def test_profile_without_terms_is_refused(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('industry = "manufacturing"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[terms\]"):
        quote.read_quote_toml(path)

