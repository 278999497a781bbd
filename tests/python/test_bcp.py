"""BCP comparison: common random numbers, the CLI table and JSON (acceptance 4)."""
from __future__ import annotations

import dataclasses
import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest

from cyberloss import _core, stats
from cyberloss.cli import bcp as cli_bcp
from cyberloss.cli import main
from cyberloss.organisation import OrganisationProfile, bcp, simulate
from cyberloss.organisation import components as comp

ROOT = Path(__file__).resolve().parents[2]
MANUFACTURER = str(ROOT / "examples" / "manufacturer.toml")
JSON_KEYS = {"name", "expected_loss", "expected_loss_se", "var_99", "var_99_se", "expected_downtime_days",
             "difference_to_baseline", "difference_to_baseline_se"}


@pytest.fixture(scope="module")
def plan_result():
    plan = bcp.BcpPlan.from_toml(MANUFACTURER)
    return bcp.run_plan(plan)


def test_cli_prints_the_comparison_table(capsys):
    assert main(["bcp", MANUFACTURER, "--years", "50000"]) == 0
    out = capsys.readouterr().out
    for name in ("as is", "restore drills", "MFA on VPN", "EDR", "IR retainer", "downtime halved"):
        assert name in out
    assert "expected loss" in out and "VaR 99%" in out and "万円" in out
    assert "assumptions in use" in out and "severity of web_leak_card, web_leak_personal, emotet, other" in out


def test_restore_drills_lower_ransomware_downtime_and_expected_loss_by_3_se(capsys):
    assert main(["bcp", MANUFACTURER, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    variants = {v["name"]: v for v in doc["variants"]}
    for v in doc["variants"]:
        assert JSON_KEYS <= set(v), v["name"]
        assert all(math.isfinite(v[k]) for k in JSON_KEYS - {"name"})
    assert any("emotet severity: assumption" in a for a in doc["assumptions"])
    base, drills = doc["variants"][0], variants["restore drills (復旧訓練)"]
    assert base["name"] == "as is" and base["difference_to_baseline"] == 0.0
    assert drills["ransomware_downtime_difference"] < -3 * drills["ransomware_downtime_difference_se"]
    assert drills["expected_ransomware_downtime_days"] < base["expected_ransomware_downtime_days"]
    assert drills["difference_to_baseline"] < -3 * drills["difference_to_baseline_se"]
    assert drills["expected_loss"] < base["expected_loss"]
    # common random numbers: the difference is measured far more precisely than either level
    assert drills["difference_to_baseline_se"] < 0.5 * base["expected_loss_se"]


def test_difference_se_is_the_paired_standard_error(plan_result):
    base, drills = plan_result.sims[0], plan_result.sims[1]
    d = drills.annual() - base.annual()
    row = plan_result.describe().iloc[1]
    assert row["difference_to_baseline"] == pytest.approx(d.mean(), rel=1e-12)
    assert row["difference_to_baseline_se"] == pytest.approx(d.std(ddof=1) / math.sqrt(d.size), rel=1e-12)
    # the paired SE is below the SE two independent runs would give
    independent = math.sqrt(base.annual().var(ddof=1) + drills.annual().var(ddof=1)) / math.sqrt(d.size)
    assert row["difference_to_baseline_se"] < independent
    assert plan_result.describe().loc["as is", "var_99"] == pytest.approx(base.var(0.99))


def test_the_var_is_an_estimate_at_the_comparisons_level(plan_result):
    # the VaR column carries its standard error, and its name and heading follow the level
    base = plan_result.sims[0]
    row = plan_result.describe().loc["as is"]
    assert (row["var_99"], row["var_99_se"]) == tuple(base.var(0.99))
    other = bcp.BcpComparison(plan_result.variants, plan_result.sims, var_level=0.995)
    assert other.var_column == "var_99_5"
    table = other.describe()
    assert (table.loc["as is", "var_99_5"], table.loc["as is", "var_99_5_se"]) == tuple(base.var(0.995))
    assert "var_99" not in table.columns
    assert "VaR 99.5%" in cli_bcp.format_table(other) and "VaR 99%" not in cli_bcp.format_table(other)
    with pytest.raises(ValueError, match="var_level"):
        bcp.BcpComparison(plan_result.variants, plan_result.sims, var_level=1.0)


def test_components_by_variant_add_up(plan_result):
    by = plan_result.by_component()
    table = plan_result.describe()
    assert np.allclose(by.sum(axis=1).to_numpy(), table["expected_loss"].to_numpy(), rtol=1e-9)
    diffs = plan_result.component_differences()
    assert diffs.loc["as is"].abs().max() == 0.0
    # restore drills act on ransomware lost profit, not on liability
    assert diffs.loc["restore drills (復旧訓練)", ("lost_profit", "difference")] < 0
    assert diffs.loc["restore drills (復旧訓練)", ("liability", "difference")] == 0.0
    assert "<table" in plan_result._repr_html_()


def test_variants_sharing_an_engine_run_equal_their_own_runs():
    """Controls that leave the rates and survey-basis laws alone (drills, a downtime target, a
    retainer) share the baseline's engine run; every variant's event table and year-loss table
    are still those of its own simulation, bit for bit."""
    p = OrganisationProfile(industry="manufacturing", size="large", revenue=20e9, personal_records=10_000)
    profiles = [p, p.with_controls(restore_drills=True), p.with_controls(mfa_remote_access=True),
                p.with_controls(downtime_scale=0.5), p.with_controls(ir_retainer=True)]
    keys = [simulate._organisation_model(q, "all", "recent", None).engine_key() for q in profiles]
    assert keys[1] == keys[0] and keys[3] == keys[0] and keys[2] != keys[0]
    sims = simulate.simulate_variants(profiles, 30_000, 5, threads=2)
    for q, sim in zip(profiles, sims):
        alone = simulate.simulate_organisation(q, 30_000, 5, threads=1)
        for column in ("year", "type", "k", "survey_loss", "components", "downtime_days"):
            assert np.asarray(getattr(sim.table, column)).tobytes() == \
                np.asarray(getattr(alone.table, column)).tobytes(), column
        for view in sim.columns:
            assert sim.annual(view).tobytes() == alone.annual(view).tobytes(), view
        assert sim.occurrence_max().tobytes() == alone.occurrence_max().tobytes()
        assert sim.warnings == alone.warnings
    with pytest.raises(ValueError, match="incident models: 5 given for 6"):
        _core.reprice_events(sims[0].table, simulate.organisation_model(p)[1][:5])


def test_annual_by_type_is_the_per_year_sum_of_that_types_events(plan_result):
    """The core's per-type year sums equal np.bincount of the events' columns bit for bit (the
    values the table's means were pinned on), and add up over the types."""
    sim = plan_result.sims[2]
    t = sim.table
    years = np.asarray(t.year) - t.first_year
    parts = {c: np.asarray(t.component(c)) for c in comp.COMPONENTS}
    parts["downtime_days"] = np.asarray(t.downtime_days)
    total = np.zeros(sim.n_years)
    for i, attack_type in enumerate(sim.attack_types):
        sel = np.asarray(t.type) == i
        for names in (["downtime_days"], list(comp.COMPONENTS), ["lost_profit", "downtime_days"]):
            values = sum(parts[c] for c in names)
            want = np.bincount(years[sel], weights=values[sel], minlength=sim.n_years)
            assert sim.annual_by_type(attack_type, names).tobytes() == want.tobytes()
        stored = sim.series_by_type(attack_type, "downtime_days")
        assert np.array_equal(stored.index, np.unique(years[sel])) and stored.n == sim.n_years
        total += sim.annual_by_type(attack_type, "downtime_days")
    assert np.allclose(total, sim.annual_downtime(), rtol=1e-12, atol=0.0)
    with pytest.raises(ValueError, match="attack_type must be one of .*got 'phishing'"):
        sim.annual_by_type("phishing")
    with pytest.raises(ValueError, match="component must be one of .*got 'ransom'"):
        sim.annual_by_type("ransomware", "ransom")


def test_the_tables_means_are_each_arrays_mean_bit_for_bit(plan_result):
    """describe() takes its per-year means in one parallel call (stats.means) from the stored
    years: the same bits as the mean of each dense array through a full LossSample (the path
    the table used before, which stats.means does not share)."""
    def mean(x):
        s = stats.Sample.dense(x)
        s.core(0.5)   # held: the mean comes from the sample's full moments
        return s.mean()

    table = plan_result.describe()
    base = plan_result.sims[0]
    for name, sim in zip(table.index, plan_result.sims):
        row = table.loc[name]
        down, rw = sim.annual_downtime(), sim.annual_downtime("ransomware")
        assert row["expected_downtime_days"] == mean(down).value
        assert row["expected_ransomware_downtime_days"] == mean(rw).value
        if sim is not base:
            d = mean(sim.annual() - base.annual())
            assert (row["difference_to_baseline"], row["difference_to_baseline_se"]) == (d.value, d.se)
            d = mean(down - base.annual_downtime())
            assert (row["downtime_difference"], row["downtime_difference_se"]) == (d.value, d.se)
            d = mean(rw - base.annual_downtime("ransomware"))
            assert (row["ransomware_downtime_difference"],
                    row["ransomware_downtime_difference_se"]) == (d.value, d.se)
    parts = plan_result.component_differences()
    for name, sim in zip(table.index, plan_result.sims):
        for c in ("lost_profit", "internal_effort"):
            d = mean(sim.annual(c) - base.annual(c))
            assert (parts.loc[name, (c, "difference")], parts.loc[name, (c, "se")]) == (d.value, d.se)


def test_means_of_many_samples_equal_each_mean_and_name_the_bad_one():
    rng = np.random.default_rng(3)
    xs = [rng.lognormal(10.0, 2.0, n) * rng.choice([-1.0, 1.0], n) for n in (1, 9, 1000, 65_537)]
    got = stats.means(xs)
    for x, e in zip(xs, got):
        held = stats.Sample.dense(x)
        held.core(0.5)   # through the held sample's full moments
        assert (e.value, e.se) == (held.mean().value, held.mean().se)
    assert stats.means([]) == []
    # stored samples and differences: as the dense arrays and their difference
    a = xs[2]
    at = np.arange(0, 1000, 7)
    b = stats.Stored(1000, at, rng.lognormal(10.0, 2.0, at.size))
    b_dense = np.zeros(1000)
    b_dense[at] = b.values
    for x, minus, want in ((b, None, b_dense), (a, b, a - b_dense), (b, a, b_dense - a),
                           (a, b_dense, a - b_dense), (b, b, b_dense - b_dense)):
        assert stats.means([x], [minus])[0] == stats.mean(want)
    with pytest.raises(ValueError, match=r"^losses\[1\] must be finite, got nan at index 4$"):
        stats.means([xs[0], np.r_[xs[1][:4], np.nan], np.array([])])
    with pytest.raises(ValueError, match=r"^b must not be empty$"):
        stats.means([xs[0], np.array([])], names=["a", "b"])
    with pytest.raises(ValueError, match=r"^losses\[0\]: stored position 1000 lies outside \[0, 1000\)$"):
        stats.means([stats.Stored(1000, np.array([1000]), np.array([1.0]))])
    with pytest.raises(ValueError, match=r"^losses\[0\]: 999 values to subtract from a sample of 1000$"):
        stats.means([a], [a[1:]])
    with pytest.raises(ValueError, match="one-dimensional"):
        stats.means([np.ones((2, 2))])
    with pytest.raises(ValueError, match="names has 1 entries for 2 samples"):
        stats.means([xs[0], xs[1]], names=["a"])


def test_default_variants_switch_each_missing_control():
    p = OrganisationProfile(industry="manufacturing", size="large", controls={"edr": True})
    names = [v.name for v in bcp.default_variants(p)]
    assert names[0] == "as is" and len(names) == 1 + 4 + 2
    assert not any(n.startswith("+ edr") for n in names)
    halved = [v for v in bcp.default_variants(p) if v.name.startswith("downtime halved")][0]
    assert halved.profile.controls.downtime_scale == 0.5 and halved.profile.controls.edr


def test_compare_prepends_the_baseline():
    p = OrganisationProfile(industry="manufacturing", size="large", revenue=20e9)
    res = bcp.compare(p, [bcp.Variant("MFA", p.with_controls(mfa_remote_access=True))], years=20_000, seed=3)
    assert [v.name for v in res.variants] == ["as is", "MFA"]
    again = bcp.compare(p, [bcp.Variant("MFA", p.with_controls(mfa_remote_access=True))], years=20_000, seed=3)
    assert res.describe().equals(again.describe())


@pytest.mark.parametrize("body, message", [
    ("[simulation]\nyears = 1\n", "simulation.years must be an integer >= 2, got 1"),
    ("[simulation]\nrounds = 5\n", "simulation: unknown field 'rounds'"),
    ("[[variants]]\ncontrols = { edr = true }\n", r"variants\[0\]: field 'name' is required"),
    ("[[variants]]\nname = 'x'\ncontrols = { sandbox = true }\n", "controls: unknown control 'sandbox'"),
    ("[[variants]]\nname = 'x'\nrevenue = -1\n", r"variants\[0\].revenue must be a finite number > 0"),
])
def test_bad_plans_are_refused(tmp_path, body, message):
    path = tmp_path / "plan.toml"
    path.write_text('[organisation]\nindustry = "manufacturing"\nsize = "large"\n' + body, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        bcp.BcpPlan.from_toml(path)


def test_cli_reports_bad_profile_with_field_name(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(textwrap.dedent("""
        [organisation]
        industry = "manufacturing"
        size = "large"
        gross_margin = 1.4
        """), encoding="utf-8")
    assert main(["bcp", str(path)]) == 2
    assert "organisation.gross_margin must be a finite number in [0, 1]" in capsys.readouterr().err


@pytest.mark.parametrize("make, message", [
    (lambda p: bcp.compare(p, variants="abc", years=100), "variants must be a list of Variant, got 'abc'"),
    (lambda p: bcp.compare(p, variants=1.5, years=100), "variants must be a list of Variant, got 1.5"),
    (lambda p: bcp.compare(p, variants=["x"], years=100), "variants must be a list of Variant, got 'x' in it"),
    (lambda p: simulate.simulate_organisation(p, years=100, seed=1, period=[]),
     r"period must be a text \(recent, cumulative\), got \[\]"),
])
def test_organisation_api_arguments_of_the_wrong_kind_are_named(make, message):
    # compare(variants="abc") failed with "'str' object has no attribute 'profile'" and
    # period=[] with "unhashable type: 'list'"
    profile = bcp.BcpPlan.from_toml(MANUFACTURER).variants[0].profile
    with pytest.raises(ValueError, match=message):
        make(profile)


def test_a_variant_named_in_japanese_keeps_its_name_in_english_and_json(tmp_path, capsys):
    """[[variants]] name_ja names a variant in the Japanese table; the English table and the
    JSON keep its name (the JSON's key); a variant without one shows its name in both."""
    profile = tmp_path / "p.toml"
    profile.write_text(textwrap.dedent("""\
        [organisation]
        name = "Plant"
        industry = "manufacturing"
        size = "large"
        revenue = 15_000_000_000
        employees = 600

        [[variants]]
        name = "restore drills"
        name_ja = "復旧訓練"
        controls = { restore_drills = true }

        [[variants]]
        name = "EDR"
        controls = { edr = true }
        """), encoding="utf-8")
    plan = bcp.BcpPlan.from_toml(profile)
    assert [(v.name, v.name_ja) for v in plan.variants] == [("as is", "現状"), ("restore drills", "復旧訓練"), ("EDR", None)]
    rows = {}
    for lang in ("ja", "en"):
        assert main(["bcp", str(profile), "--years", "2000", "--lang", lang]) == 0
        rows[lang] = [line.split()[0] for line in capsys.readouterr().out.splitlines()[4:7]]
    assert rows == {"ja": ["現状", "復旧訓練", "EDR"], "en": ["as", "restore", "EDR"]}
    assert main(["bcp", str(profile), "--years", "2000", "--json"]) == 0
    assert [v["name"] for v in json.loads(capsys.readouterr().out)["variants"]] == ["as is", "restore drills", "EDR"]
    profile.write_text(profile.read_text(encoding="utf-8").replace('name_ja = "復旧訓練"', "name_ja = 3"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"variants\[0\]\.name_ja"):
        bcp.BcpPlan.from_toml(profile)


@pytest.mark.parametrize("years, reached", [(500, False), (1000, True)])
def test_a_var_beyond_the_runs_reach_is_flagged_and_its_se_null(capsys, years, reached):
    """VaR 99% needs n (1 - 0.99) >= 10 simulated years beyond it (stats.within_reach): below
    1000 years bcp's JSON gives its SE as null with a warning and the text says why under the
    table, as the quote, portfolio and simulate do; from 1000 years neither."""
    args = ["bcp", MANUFACTURER, "--years", str(years)]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ses = [v["var_99_se"] for v in doc["variants"]]
    note = f"var_99_se: fewer than 10 of the {years:,} simulated years are expected beyond the level"
    if reached:
        assert all(isinstance(se, float) and math.isfinite(se) for se in ses)
        assert not any(w.startswith("var_99_se") for w in doc["warnings"])
    else:
        assert ses == [None] * len(ses)
        assert [w for w in doc["warnings"] if w.startswith("var_99_se")] == [
            note + ", too few for a standard error; written as null"]
    for lang, said in (("en", f"VaR 99%: fewer than 10 of the {years:,} simulated years"),
                       ("ja", f"VaR 99%: 水準を超える年の期待数が 10 年未満（シミュレーション {years:,} 年）")):
        assert main([*args, "--lang", lang]) == 0
        assert (said in capsys.readouterr().out) is not reached, lang
    # the workbook's cell is empty where the JSON has null
    plan = bcp.BcpPlan.from_toml(MANUFACTURER)
    plan = dataclasses.replace(plan, settings=dataclasses.replace(plan.settings, years=years))
    sheet = bcp.run_plan(plan).sheets("en")["bcp"]
    assert bool(sheet["var_99_se"].isna().all()) is not reached
    assert bool(sheet["var_99_se"].notna().all()) is reached
