"""Assumption sensitivity: every ranged assumption listed, CRN effects with paired SEs, a
point range gives a zero effect exactly, the tornado chart renders."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from cyberloss import calibration, sensitivity, stats
from cyberloss.cli import main
from cyberloss.organisation import OrganisationProfile, components, organisation_model
from cyberloss.organisation.profile import read_profile
from cyberloss.report.text import width

PROFILE = "examples/sme_manufacturer.toml"
YEARS = 4000


def test_every_simulated_assumption_has_a_range_with_reasoning():
    cal = calibration.load()
    items = sensitivity.ranged_assumptions(cal, components.load())
    names = {a.name for a in items}
    for key in ("reporting_factor.sme", "size.loss_elasticity", "tail.xi", "web_leak_card_share",
                "minor.rate", "contained.ransomware.downtime_median"):
        assert f"calibration:{key}" in names
    for path in ("controls.offline_backups.downtime.ransomware", "downtime.ransomware.median",
                 "size_exposure.elasticity"):
        assert f"components:{path}" in names
    for a in items:
        assert a.reasoning
        lows, values, highs = ((a.low, a.value, a.high) if not isinstance(a.value, dict) else
                               (list(a.low.values()), list(a.value.values()), list(a.high.values())))
        assert np.all(np.asarray(lows) <= np.asarray(values)) and np.all(np.asarray(values) <= np.asarray(highs)), a


def test_effects_are_paired_and_a_point_range_gives_zero_exactly():
    only = ("calibration:reporting_factor.sme", "components:controls.mfa_remote_access.frequency.ransomware",
            "calibration:size.loss_elasticity")
    point = {"calibration:size.loss_elasticity": (0.3, 0.3)}
    res = sensitivity.run(PROFILE, "expected_loss", years=YEARS, seed=7, only=only, ranges=point)
    t = res.table.set_index("key")
    assert t.loc["size.loss_elasticity", ["low_effect", "high_effect", "low_se", "high_se"]].tolist() == [0, 0, 0, 0]
    rf = t.loc["reporting_factor.sme"]
    # more incidents per publicised one: more loss; the paired SE is far below the effect
    assert rf.high_effect > 0 > rf.low_effect
    assert rf.high_se < 0.5 * rf.high_effect
    mfa = t.loc["controls.mfa_remote_access.frequency.ransomware"]
    assert mfa.low_effect < 0 < mfa.high_effect      # a stronger control lowers the loss
    unpaired_se = res.base_se * np.sqrt(2)
    assert mfa.high_se < unpaired_se


def test_var_measure_and_joint_band():
    res = sensitivity.run(PROFILE, "var_0.99", years=YEARS, seed=7,
                          only=("calibration:reporting_factor.sme",), draws=3)
    assert res.band is not None and res.band["q05"] <= res.band["median"] <= res.band["q95"]
    assert res.table["low_se"].iloc[0] > 0


def test_a_quantile_effect_of_a_rank_or_two_has_a_standard_error():
    # The 18 years this control changes move the 99% VaR of 20,000 years by one rank, which no
    # batch of 1,000 years sees on its own: the batches' spread gave the effect an SE of 0.
    res = sensitivity.run(PROFILE, "var_0.99", years=20_000, seed=1,
                          only=("components:controls.offline_backups.downtime.ransomware",))
    row = res.table.iloc[0]
    assert row["low_effect"] != 0 and row["low_se"] > abs(row["low_effect"]) / 4
    assert res.base_se > 0


def test_a_var_effects_standard_error_matches_its_spread_over_replications():
    # A paired difference of 99% quantiles: the SE from the influence values against the effect's
    # spread over 100 replications (ratio within about 0.07 of 1); the delete-a-batch jackknife
    # gave twice the spread (ratio 0.51), being inconsistent for a quantile.
    rng = np.random.default_rng(5)
    n, level = 20_000, 0.99
    f = sensitivity._measure_function("var_0.99", None)
    effects, ses = [], []
    for _ in range(100):
        x0 = np.exp(14 + 1.5 * rng.standard_normal(n)) * (rng.random(n) < 0.3)
        x1 = 1.1 * x0 * np.exp(0.1 * rng.standard_normal(n))
        effect, se = sensitivity._effect(f, x0, x1, sensitivity._ranked(x0, level), level)
        effects.append(effect)
        ses.append(se)
    assert 0.75 < np.std(effects, ddof=1) / np.mean(ses) < 1.25


def test_a_var_effect_of_a_few_changed_years_has_a_standard_error():
    # A few years changed, none across the 99% quantile: the effect is exactly 0 but the
    # assumption changes the years, so its SE is not (the influence values' variance at the
    # quantile alone was 0); identical runs keep an SE of 0.
    rng = np.random.default_rng(3)
    n, level = 20_000, 0.99
    x0 = np.exp(14 + 1.5 * rng.standard_normal(n)) * (rng.random(n) < 0.3)
    x1 = x0.copy()
    x1[np.argsort(x0)[[100, 5000, 19_000]]] *= 1.05      # far from the quantile's rank 19,800
    f = sensitivity._measure_function("var_0.99", None)
    base = sensitivity._ranked(x0, level)
    effect, se = sensitivity._effect(f, x0, x1, base, level)
    assert effect == 0 and se > 0
    assert sensitivity._effect(f, x0, x0.copy(), base, level) == (0.0, 0.0)


def test_a_rare_jump_var_effects_standard_error_matches_its_spread_over_replications():
    # 0.3% of the years 20% higher: the 99% quantile moves in 1 replication of 7 (by a rank or
    # more), else not at all.  The spread of the effect over 300 replications against its mean
    # SE: the influence values' variance at the quantile alone gave 2.29 (an SE of 0 whenever
    # no year crossed the quantile), averaged over the levels around it holding 10 crossing
    # years 1.04.
    rng = np.random.default_rng(11)
    n, level = 20_000, 0.99
    f = sensitivity._measure_function("var_0.99", None)
    effects, ses = [], []
    for _ in range(300):
        x0 = np.exp(14 + 1.5 * rng.standard_normal(n)) * (rng.random(n) < 0.3)
        x1 = np.where(rng.random(n) < 0.003, 1.2 * x0, x0)
        effect, se = sensitivity._effect(f, x0, x1, sensitivity._ranked(x0, level), level)
        effects.append(effect)
        ses.append(se)
    assert min(ses) > 0
    assert 0.7 < np.std(effects, ddof=1) / np.mean(ses) < 1.4


def test_sensitivity_cli_json_and_tornado(tmp_path, capsys):
    png = tmp_path / "tornado.png"
    argv = ["sensitivity", PROFILE, "--years", "4000", "--seed", "3", "--json", "--plot", str(png),
            "--only", "calibration:reporting", "--only", "components:controls"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["measure"] == "expected_loss" and doc["calibration"].startswith("JNSA 2025")
    rows = doc["assumptions"]
    assert {r["source"] for r in rows} == {"calibration", "components"}
    assert all(set(r) >= {"low_effect", "low_se", "high_effect", "high_se", "low", "high"} for r in rows)
    swings = [r["swing"] for r in rows]
    used = swings[:swings.index(None)] if None in swings else swings    # the controls the profile lacks: last
    assert used == sorted(used, reverse=True) and set(swings[len(used):]) <= {None}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_bad_requests_are_refused_by_name(capsys):
    with pytest.raises(ValueError, match="measure must be one of"):
        sensitivity.run(PROFILE, "median", years=YEARS)
    with pytest.raises(ValueError, match="unknown assumption 'calibration:zz'"):
        sensitivity.run(PROFILE, years=YEARS, ranges={"calibration:zz": (1, 2)})
    assert main(["sensitivity", PROFILE, "--years", "10"]) == 2
    assert "--years" in capsys.readouterr().err


def test_every_assumption_is_listed_with_effects_or_the_reason_it_cannot_be_run():
    """Acceptance 4 on a short run: each ranged assumption has both effects and SEs, or names
    the bound the rest of the model cannot take (e.g. a survey mean below its median)."""
    cal = calibration.load()
    res = sensitivity.run(PROFILE, "expected_loss", years=2000, seed=5)
    expected = {a.name for a in sensitivity.ranged_assumptions(cal, components.load())}
    assert set(res.table["assumption"]) == expected and len(expected) > 70
    for r in res.table.itertuples():
        if r.unused:      # not used by this model: not run, no effect
            assert np.isnan([r.low_effect, r.low_se, r.high_effect, r.high_se]).all(), r.assumption
            continue
        for side in ("low", "high"):
            effect, se = getattr(r, f"{side}_effect"), getattr(r, f"{side}_se")
            assert np.isfinite(effect) and np.isfinite(se) and se >= 0, (r.assumption, side)
    # A bound the model cannot take (a survey mean below its median; a median the mean and the
    # size mix do not allow; a downtime elasticity no lognormal spans) is measured at the
    # furthest point toward it that the model takes, named with the stated bound and the reason.
    # Once these were NaN: the tornado drew them as no effect and `text()` failed on them.
    rows = res.table.set_index("key")
    profile = OrganisationProfile.from_toml(PROFILE)
    for key, side, stated in (("size.downtime_elasticity", "high", 0.3),
                              ("severity.web_leak_card.recent_median", "high", 2500),
                              ("severity.web_leak_personal.recent_mean", "low", 1700)):
        row = rows.loc[key]
        assert row["infeasible"].startswith(f"{side} {stated:g} is beyond what the model takes (")
        used, value = row[side], row["value"]
        assert 0 < (used - value) / (stated - value) < 1
        # the model takes the point used, and refuses the point 1/4096 of the way further
        organisation_model(profile, calibration=calibration.load(None, {key: used}))
        with pytest.raises(ValueError, match="no lognormal reproduces"):
            organisation_model(profile, calibration=calibration.load(
                None, {key: used + (stated - value) / 4096}))
    assert "not run:" not in res.text()
    # the GPD tail, the earlier period's severity and the controls the profile lacks are not
    # part of this model: named, not run (they once showed 0 ± 0, read as "insensitive")
    unused = set(res.table.loc[res.table["unused"] != "", "key"])
    assert unused == {"tail.xi", "tail.threshold_quantile", "severity.ransomware.earlier_mean",
                      "severity.ransomware.earlier_median", "controls.restore_drills.downtime.ransomware",
                      "controls.edr.frequency.ransomware", "controls.ir_retainer.downtime.ransomware"}


def test_assumptions_the_model_does_not_use_are_named_and_not_run(monkeypatch, capsys):
    """The GPD tail (the organisation model's severities have none), the earlier period's survey
    severity (the model is built on the recent period) and a control the profile lacks: "not
    used" in the text, the JSON and the tornado, and never run (the earlier mean's low bound
    once even ran the infeasible-bound bisection).  Decided from the model's structure: the
    runs at their bounds are the base's, bit for bit."""
    runs = []
    run_one = sensitivity._run_one
    monkeypatch.setattr(sensitivity, "_run_one", lambda setup, a, v: runs.append(a.key) or run_one(setup, a, v))
    argv = ["sensitivity", PROFILE, "--years", "2000", "--measure", "tvar_0.99", "--json",
            "--only", "calibration:tail", "--only", "calibration:severity.ransomware.earlier",
            "--only", "components:controls.edr", "--only", "calibration:reporting_factor.sme"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert runs == ["reporting_factor.sme"] * 2
    rows = {r["key"]: r for r in doc["assumptions"]}
    assert rows["reporting_factor.sme"]["unused"] is None and rows["reporting_factor.sme"]["high_effect"] > 0
    for key, why in (("tail.xi", "no GPD tail"), ("tail.threshold_quantile", "no GPD tail"),
                     ("severity.ransomware.earlier_mean", "built on the recent period"),
                     ("severity.ransomware.earlier_median", "earlier period's survey severity"),
                     ("controls.edr.frequency.ransomware", "the profile has no edr control")):
        r = rows[key]
        assert r["unused"].startswith("not used") and why in r["unused"], key
        assert [r[k] for k in ("low_effect", "low_se", "high_effect", "high_se", "swing", "infeasible")] == [None] * 6
    assert rows["severity.ransomware.earlier_mean"]["low"] == 1230      # the stated bound: no bisection
    assert not any("finite" in w for w in doc["warnings"])
    assert list(rows)[0] == "reporting_factor.sme"                     # unused rows last
    res = sensitivity.run(PROFILE, "tvar_0.99", years=2000, only=("calibration:tail", "components:controls.edr"))
    text = res.text()
    assert "calibration:tail.xi: not used by this model: its severities have no GPD tail (not run)" in text
    assert "± " not in text.split("swing):")[1].split("calibration:tail.xi:")[0]
    assert "使われない" in res.text(lang="ja") and "GPD の裾を用いない" in res.text(lang="ja")
    assert "プロファイルに対策「EDR」がない" in res.text(lang="ja")      # the control by its Japanese name
    labels = [t.get_text() for t in res.plot().get_yticklabels()]
    assert "tail.xi (not used)" in labels and "controls.edr.frequency.ransomware (not used)" in labels
    # the structure is right: the model does not read them (runs at the bounds are the base's)
    cal = calibration.load()
    profile = OrganisationProfile.from_toml(PROFILE)
    setup = sensitivity._Setup(read_profile(Path(PROFILE)), cal, None, None, 2000, 3, "tvar_0.99")
    x0 = setup.losses(cal, {})
    for key, value in (("tail.xi", 0.5), ("tail.threshold_quantile", 0.8),
                       ("severity.ransomware.earlier_mean", 3120), ("severity.ransomware.earlier_median", 1200)):
        assert np.array_equal(setup.losses(calibration.load(None, {key: value}), {}), x0), key
    assert np.array_equal(setup.losses(cal, {"controls.edr.frequency.ransomware": 0.5}), x0)
    # ... and a model that does use them says so: a profile with the control, another period
    items = {a.key: a for a in sensitivity.ranged_assumptions(cal, components.load())}
    with_edr = profile.with_controls(edr=True)
    assert sensitivity.unused(items["controls.edr.frequency.ransomware"], cal, with_edr) is None
    assert sensitivity.unused(items["severity.ransomware.earlier_mean"], cal, profile, "earlier") is None
    assert sensitivity.unused(items["severity.web_leak_card.recent_mean"], cal, profile) is None
    assert "recent period's" in sensitivity.unused(items["severity.web_leak_card.recent_mean"], cal, profile,
                                                   "cumulative")[0]


def test_standard_errors_resting_on_a_few_years_are_said(monkeypatch):
    """As the quote does (stats.largest_years_share, HEAVY_SHARE): when the 10 largest years
    make a quarter or more of a run's variance, the SEs of a mean or TVaR measure and of its
    changes rest on them and in a typical run understate the spread over seeds (the minor
    incidents' rate: 1.33-1.60 over 500 seeds at 100,000 years, |z| > 2 in 13-20% of them).
    Said under the text's table and in the JSON's warnings, with each run's share."""
    only = ("calibration:minor.rate", "calibration:reporting_factor.sme")
    res = sensitivity.run(PROFILE, "expected_loss", years=YEARS, seed=7, only=only)
    setup = sensitivity._Setup(read_profile(Path(PROFILE)), calibration.load(), None, None, YEARS, 7, "expected_loss")
    x0 = setup.losses(setup.calibration, {})
    assert res.largest_years_share == pytest.approx(stats.largest_years_share(x0[x0 > 0], YEARS), rel=1e-12)
    assert res.largest_years_share >= stats.HEAVY_SHARE
    t = res.table.set_index("key")
    minor = sensitivity.ranged_assumptions(setup.calibration, components.load())
    minor = next(a for a in minor if a.key == "minor.rate")
    x1 = sensitivity._run_one(setup, minor, minor.high)
    assert t.loc["minor.rate", "high_share"] == pytest.approx(stats.largest_years_share(x1[x1 > 0], YEARS), rel=1e-12)
    note = (f"base run: the 10 largest of the 4,000 years make {res.largest_years_share:.0%} of the variance; "
            "the standard errors of expected_loss and of its changes rest on those years and in a typical "
            "run understate the spread over seeds")
    assert note in res.text()
    assert "基準の実行: 4,000 年のうち最大の 10 年が分散の" in res.text(lang="ja")
    doc = res.to_json()
    assert doc["variance_share_of_largest_years"] == res.largest_years_share and note in doc["warnings"]
    assert all(r["se_rests_on_largest_years"] and set(r["variance_share_of_largest_years"]) == {"low", "high"}
               for r in doc["assumptions"])
    # only the bound runs of one row rest on their largest years: that row is named
    low_row = min(t.loc["reporting_factor.sme", ["low_share", "high_share"]].max(),
                  t.loc["minor.rate", ["low_share", "high_share"]].max())
    high_row = max(t.loc["reporting_factor.sme", ["low_share", "high_share"]].max(),
                   t.loc["minor.rate", ["low_share", "high_share"]].max())
    assert res.largest_years_share < high_row
    monkeypatch.setattr(stats, "HEAVY_SHARE", (max(res.largest_years_share, low_row) + high_row) / 2)
    heavy = res.resting_rows()
    assert len(heavy) == 1 and heavy[0][1] == high_row
    assert f"bound runs of {heavy[0][0]}: the 10 largest of the 4,000 years make {high_row:.0%}" in res.text()
    assert [r["se_rests_on_largest_years"] for r in res.to_json()["assumptions"]].count(True) == 1
    monkeypatch.setattr(stats, "HEAVY_SHARE", 1.01)
    assert "largest" not in res.text() and res.to_json()["warnings"] == []
    # a VaR's effects' SEs matched their spread over seeds: nothing said
    var = sensitivity.run(PROFILE, "var_0.99", years=YEARS, seed=7, only=only[:1])
    assert var.largest_years_share is None and var.to_json()["variance_share_of_largest_years"] is None
    monkeypatch.setattr(stats, "HEAVY_SHARE", 0.0)
    assert "largest" not in var.text() and var.to_json()["warnings"] == []


def test_a_bound_that_could_not_be_run_is_shown_as_such():
    """A NaN effect (a bound the model takes but could not run) reads "not run" in the text;
    it once stopped `text()` with "amount must be finite, got nan"."""
    res = sensitivity.run(PROFILE, "expected_loss", years=2000, seed=5, only=("components:shares",))
    table = res.table.copy()
    table.loc[0, ["high_effect", "high_se"]] = np.nan
    table.loc[0, "infeasible"] = "high 0.9 not run: memory"
    text = dataclasses.replace(res, table=table).text()
    assert "not run" in text and "bound of components:shares.dispersion.value: high 0.9 not run" in text



def test_sensitivity_in_japanese(tmp_path, capsys):
    argv = ["sensitivity", PROFILE, "--years", "2000", "--only", "calibration:size.downtime",
            "--only", "components:downtime.other", "--plot", str(tmp_path / "t.png")]
    assert main([*argv, "--lang", "ja"]) == 0
    ja = capsys.readouterr().out
    for words in ("感度分析", "期待損失（総額）", "標準誤差", "共通乱数", "キャリブレーション: JNSA 2025 調査",
                  "前提", "使用値", "下限での変化", "上限での変化",
                  "calibration:size.downtime_elasticity の範囲: 上限 0.3 はモデルが受け付けない値です",
                  "最も遠い点 0.252832 で計算しました", "トルネード図: ",
                  # the model's reason in Japanese too (it was its English inside the Japanese note)
                  "（ウェブサイトからの情報漏えい（個人情報のみ）（直近2年）の停止日数: 調査の平均値 19.3日 と"
                  "中央値 14日 を規模構成で再現する対数正規分布がない。"):
        assert words in ja, words
    for english in ("years", "seed", "calibration: ", "Change of", "bound of", "beyond what the model takes",
                    "tornado chart", "lognormal", "size mix", "downtime of"):
        assert english not in ja, english
    lines = ja.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("前提"))
    assert {width(line) for line in lines[head:head + 4]} == {width(lines[head])}
    assert main([*argv, "--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert "bound of calibration:size.downtime_elasticity: high 0.3 is beyond what the model takes" in en
    assert "感度" not in en
