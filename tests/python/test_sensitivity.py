"""Assumption sensitivity: every ranged assumption listed, CRN effects with paired SEs, a
point range gives a zero effect exactly, the tornado chart renders."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from cyberloss import calibration, sensitivity
from cyberloss.cli import main
from cyberloss.organisation import OrganisationProfile, components, organisation_model
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
    assert swings == sorted(swings, reverse=True)
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
        for side in ("low", "high"):
            effect, se = getattr(r, f"{side}_effect"), getattr(r, f"{side}_se")
            assert np.isfinite(effect) and np.isfinite(se) and se >= 0, (r.assumption, side)
    # A bound the model cannot take (a survey mean below its median; a median the mean and the
    # size mix do not allow; a downtime elasticity no lognormal spans) is measured at the
    # furthest point toward it that the model takes, named with the stated bound and the reason.
    # Once these were NaN: the tornado drew them as no effect and `text()` failed on them.
    rows = res.table.set_index("key")
    profile = OrganisationProfile.from_toml(PROFILE)
    earlier = rows.loc["severity.ransomware.earlier_mean"]
    assert earlier["infeasible"].startswith("low 1230 is beyond what the model takes (")
    assert "must exceed" in earlier["infeasible"] and earlier["high"] == 3120
    median = cal.data.assumptions["severity.ransomware.earlier_median"].value
    assert median < earlier["low"] <= median + (2176.5 - 1230) / 4096
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
    assert "not run" not in res.text()
    # the GPD tail is not part of the organisation model: exactly no effect
    assert res.table.set_index("key").loc["tail.xi", ["low_effect", "high_effect"]].tolist() == [0, 0]


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
                  "最も遠い点 0.252832 で計算しました", "トルネード図: "):
        assert words in ja, words
    for english in ("years", "seed", "calibration: ", "Change of", "bound of", "beyond what the model takes",
                    "tornado chart"):
        assert english not in ja, english
    lines = ja.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("前提"))
    assert {width(line) for line in lines[head:head + 4]} == {width(lines[head])}
    assert main([*argv, "--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert "bound of calibration:size.downtime_elasticity: high 0.3 is beyond what the model takes" in en
    assert "感度" not in en
