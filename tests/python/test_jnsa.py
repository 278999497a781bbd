"""Reproduction of the JNSA 2025 statistics with the package's samplers (acceptance 1, 2)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import cyberloss as cl
from cyberloss import calibration
from cyberloss.calibration import jnsa
from cyberloss.cli import main

PUBLISHED_SURVEYS = [("ransomware", "cumulative", 29), ("ransomware", "recent", 21),
                     ("web_leak_card", "cumulative", 27), ("web_leak_personal", "cumulative", 27)]


@pytest.fixture(scope="module")
def cal():
    return calibration.load()


@pytest.mark.parametrize("attack_type,period,answers", PUBLISHED_SURVEYS)
def test_severity_reproduces_published_mean_and_median(cal, attack_type, period, answers):
    sev = cal.severity(attack_type, period)
    fit = cal.severity_fit(attack_type, period)
    assert isinstance(sev, cl.Lognormal)
    assert sev.mean() == pytest.approx(fit.mean, rel=1e-9)
    assert float(sev.quantile(0.5)) == pytest.approx(fit.median, rel=1e-9)
    assert fit.answers == answers


@pytest.mark.parametrize("attack_type,period,answers", PUBLISHED_SURVEYS)
def test_published_values_inside_simulated_survey_central_90(cal, attack_type, period, answers):
    sim = jnsa.simulate_survey(attack_type=attack_type, period=period, replications=20_000,
                               seed=11, cal=cal)
    assert sim.n_answers == answers and sim.means.shape == (20_000,)
    for stat in ("mean", "median"):
        q = sim.quantile_of_published(stat)
        assert 0.05 < q < 0.95, (stat, q)
        lo, hi = sim.interval(stat, 0.9)
        assert lo < sim.published(stat) < hi
    # the simulated sample mean is unbiased for the lognormal mean: within 4 standard errors
    se = sim.means.std(ddof=1) / np.sqrt(sim.means.size)
    assert abs(sim.means.mean() - sim.model_mean) < 4 * se


def test_survey_uses_survey_streams_deterministically(cal):
    a = jnsa.simulate_survey(29, replications=500, seed=3, cal=cal)
    b = jnsa.simulate_survey(29, replications=500, seed=3, cal=cal)
    c = jnsa.simulate_survey(29, replications=500, seed=4, cal=cal)
    assert np.array_equal(a.means, b.means) and not np.array_equal(a.means, c.means)
    # answer j of survey r is the severity quantile of uniform_at(seed, SURVEY stream, r, j)
    stream = cl.random.stream_id(cl.random.Purpose.SURVEY, 0)
    u = cl.random.uniform_at(3, stream, 7, np.arange(29))
    x = cal.severity("ransomware").quantile(u)
    assert a.means[7] == pytest.approx(np.mean(x), rel=1e-12)
    assert a.medians[7] == pytest.approx(np.median(x), rel=1e-12)
    with pytest.raises(ValueError, match="n_answers must be a positive integer"):
        jnsa.simulate_survey(0, cal=cal)


def test_economy_simulation_within_three_standard_errors(cal):
    """Acceptance 1: 7.5 simulated years of the Japanese economy, publicised basis."""
    # 16 correlated margins tested at 3 se each: about a 4% chance that some seed fails
    # although the model is exact; the test uses the package's default seed.
    sim = jnsa.simulate_economy(cal, histories=4_000, seed=jnsa.DEFAULT_SEED)
    table = sim.describe()
    assert len(table) == 16
    assert sim.within(3.0), table[["table", "category", "published", "simulated_mean", "se", "z"]]
    # attack-type counts are sums of Poisson cells: sd = sqrt(mean) (the noise of one history)
    events = table[table["table"].isin(["attack_type", "attack_type_recent"])]
    assert np.allclose(events["simulated_sd"], np.sqrt(events["model"]), rtol=0.06)


def test_reproduce_tables(cal):
    rep = jnsa.reproduce(cal, replications=5_000, seed=1)
    assert set(rep.margins["table"]) == set(jnsa.MARGIN_TABLES)
    assert (rep.margins["relative_difference"].abs() < 0.005).all()
    assert (rep.margins["basis"] == "publicised").all()
    size = rep.table("size").set_index("category")
    assert list(size["published"]) == [576, 814, 452]
    sev = rep.severity
    assert len(sev) == 8
    assert np.allclose(sev["model"], sev["published"], rtol=0.005)
    assert sev["survey_quantile"].between(0.05, 0.95).all()
    assert "published" in rep._repr_html_()


def test_cli_json_contract(capsys):
    assert main(["jnsa", "--json", "--replications", "2000"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"margins", "severity"}
    for row in out["margins"]:
        assert {"table", "category", "published", "model"} <= set(row)
        assert row["table"] in ("size", "industry", "attack_type", "attack_type_recent")
        assert abs(row["model"] - row["published"]) <= 0.005 * row["published"]
    categories = {(r["table"], r["category"]): r["published"] for r in out["margins"]}
    assert categories[("size", "sme")] == 814 and categories[("attack_type_recent", "emotet")] == 10
    for row in out["severity"]:
        assert {"attack_type", "period", "statistic", "published", "model", "survey_quantile"} <= set(row)
        assert row["statistic"] in ("mean", "median")
        assert 0.0 <= row["survey_quantile"] <= 1.0
    ransom = [r for r in out["severity"] if r["attack_type"] == "ransomware"
              and r["period"] == "cumulative" and r["statistic"] == "mean"][0]
    assert ransom["published"] == 49_590_000


def test_cli_tables_and_overrides(capsys):
    assert main(["jnsa", "--replications", "1000", "--set", "reporting_factor.sme=12", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    for fragment in ("Cases by size", "organisation", "ransomware_share_manufacturing",
                     "4,959万円", "survey_quantile", "publicised basis"):
        assert fragment in text
    assert main(["jnsa", "--set", "reporting_factor.micro=2"]) == 2
    assert "unknown assumption 'reporting_factor.micro'" in capsys.readouterr().err
