"""Regression tests for the reproducers of issue 10 (Python package and CLI): each one is now
a one-line refusal naming the field and the value, or a valid strict-JSON result."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cyberloss.cli import main
from cyberloss.portfolio import reinsurance as re

ROOT = Path(__file__).resolve().parents[2]
BOOK = str(ROOT / "examples" / "portfolio_small.csv")
PROFILE = ROOT / "examples" / "sme_manufacturer.toml"


def strict(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def refusal(capsys, argv, *names) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"cyberloss {argv[0]}: error: "), captured.err
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


def spec(tmp_path, frequency="{ distribution = 'poisson', rate = 0.1 }",
         severity="{ distribution = 'lognormal', mu = 15, sigma = 1 }", name="'a'") -> str:
    path = tmp_path / "spec.toml"
    path.write_text(f"[[attack_type]]\nname = {name}\nfrequency = {frequency}\nseverity = {severity}\n")
    return str(path)


# ----- defect 5: output files --------------------------------------------------------------

def test_out_csv_writes_csv_and_parquet_writes_parquet(tmp_path, capsys):
    base = ["portfolio", BOOK, "--years", "300", "--seed", "4"]
    assert main(base + ["--out", str(tmp_path / "ylt.csv")]) == 0
    assert main(base + ["--out", str(tmp_path / "ylt.parquet")]) == 0
    capsys.readouterr()
    assert (tmp_path / "ylt.csv").read_bytes()[:4] != b"PAR1"
    csv = pd.read_csv(tmp_path / "ylt.csv")
    parquet = pd.read_parquet(tmp_path / "ylt.parquet")
    assert list(csv.columns) == list(parquet.columns)
    for column in ("gross", "ceded", "net"):
        np.testing.assert_array_equal(csv[column].to_numpy(), parquet[column].to_numpy())


@pytest.mark.parametrize("out, names", [
    ("ylt.txt", ("--out", "'.txt'", ".parquet, .csv")),
    ("no/such/folder/ylt.parquet", ("--out", "does not exist")),
    (".", ("--out",)),
])
def test_output_paths_are_checked_before_the_run(tmp_path, capsys, out, names):
    import time
    start = time.monotonic()
    # ten million years would take minutes: the refusal must come first
    refusal(capsys, ["portfolio", BOOK, "--years", "10000000", "--out", str(tmp_path / out)], *names)
    assert time.monotonic() - start < 20


def test_quote_outputs_are_checked_before_the_simulation(tmp_path, capsys):
    refusal(capsys, ["quote", str(PROFILE), "--plot", str(tmp_path / "ep.jpg")], "--plot", ".jpg")
    (tmp_path / "report.html").mkdir()
    refusal(capsys, ["quote", str(PROFILE), "--html", str(tmp_path / "report.html")], "--html", "folder")


# ----- defect 6: strict JSON ---------------------------------------------------------------

def test_unlimited_limits_are_null_without_a_warning(capsys):
    assert main(["portfolio", BOOK, "--years", "200", "--json", "--stop-loss", "1e9",
                 "--per-risk-xl", "1e7:inf:inf"]) == 0
    out = strict(capsys.readouterr().out)
    assert out["reinsurance"]["stop_loss"]["limit"] is None
    assert out["reinsurance"]["per_risk"]["limit"] is None
    assert out["reinsurance"]["per_risk"]["reinstatements"] is None
    # none for the limits (200 years only reach the lower levels: their SEs' note is all)
    assert [w for w in out["warnings"] if not w.startswith("var_se and tvar_se of gross, ceded, net at ")] == []


def test_a_statistic_that_is_not_finite_is_null_and_named(tmp_path, capsys):
    # a finite mean exp(mu + sigma^2/2) = e^352.5, but the squares of draws above e^354.9
    # overflow a float64, so the sample's standard deviation is inf
    path = spec(tmp_path, severity="{ distribution = 'lognormal', mu = 340, sigma = 5 }",
                frequency="{ distribution = 'poisson', rate = 2 }")
    assert main(["simulate", path, "--years", "2000", "--seed", "1", "--json"]) == 0
    out = strict(capsys.readouterr().out)
    assert out["std"] is None
    assert any(w.startswith("std: not a finite number") for w in out["warnings"])


def test_every_command_prints_strict_json(capsys):
    for argv in (["simulate", str(ROOT / "examples" / "simulate_basic.toml"), "--years", "100", "--seed", "1"],
                 ["jnsa", "--replications", "50"], ["scenario", str(ROOT / "examples" / "tmnf2.toml")],
                 ["bcp", str(ROOT / "examples" / "manufacturer.toml"), "--years", "200"],
                 ["quote", str(PROFILE), "--years", "1000"], ["portfolio", BOOK, "--years", "100"]):
        assert main(argv + ["--json"]) == 0
        assert isinstance(strict(capsys.readouterr().out)["warnings"], list)


# ----- defect 7: tracebacks ----------------------------------------------------------------

@pytest.mark.parametrize("frequency, severity, names", [
    ("{ distribution = 'poisson', rate = 1e10 }", None, ("attack_type[0].frequency", "rate=10000000000.0")),
    ("{ distribution = 'poisson', rate = 1" + "0" * 400 + " }", None, ("attack_type[0].frequency.rate", "bits")),
    ("{ distribution = 'poisson', rate = { x = 1 } }", None, ("attack_type[0].frequency.rate", "a table")),
    ("{ distribution = 'poisson', rate = [1, 2] }", None, ("attack_type[0].frequency.rate", "a list")),
    (None, "{ distribution = 'lognormal', mu = 1e300, sigma = 1 }", ("attack_type[0].severity", "mu=1e+300")),
])
def test_spec_values_that_used_to_raise_are_refused_by_name(tmp_path, capsys, frequency, severity, names):
    kwargs = {k: v for k, v in (("frequency", frequency), ("severity", severity)) if v is not None}
    refusal(capsys, ["simulate", spec(tmp_path, **kwargs), "--years", "10", "--seed", "1"], *names)


def test_unhashable_and_non_text_names_are_refused(tmp_path, capsys):
    refusal(capsys, ["simulate", spec(tmp_path, name="[1, 2]"), "--years", "10", "--seed", "1"],
            "attack_type[0].name", "a list")


def test_years_beyond_64_bits_is_refused_by_option(capsys):
    refusal(capsys, ["simulate", str(ROOT / "examples" / "simulate_basic.toml"), "--years", str(2**64),
                     "--seed", "1"], "--years", str(2**64))


def test_unknown_key_in_variants_is_refused(tmp_path, capsys):
    path = tmp_path / "plan.toml"
    path.write_text("[organisation]\nindustry = 'manufacturing'\nsize = 'sme'\n"
                    "[[variants]]\nname = 'x'\nrevenu = 1e9\n")
    refusal(capsys, ["bcp", str(path), "--years", "100"], "variants[0]", "revenu")


@pytest.mark.parametrize("suffix, text", [(".toml", "a = " + "[" * 5000 + "]" * 5000),
                                           (".json", "[" * 5000 + "]" * 5000)])
def test_deep_nesting_is_refused(tmp_path, capsys, suffix, text):
    path = tmp_path / f"deep{suffix}"
    path.write_text(text)
    argv = ["simulate", str(path), "--years", "10", "--seed", "1"] if suffix == ".toml" \
        else ["jnsa", "--data", str(path)]
    refusal(capsys, argv, str(path), "nested more than 64 levels")


def test_folders_and_non_folders_as_paths(tmp_path, capsys):
    refusal(capsys, ["simulate", str(tmp_path), "--years", "10", "--seed", "1"], str(tmp_path), "folder")
    refusal(capsys, ["portfolio", BOOK + "/x.csv", "--years", "10"], BOOK)
    refusal(capsys, ["portfolio", BOOK, "--years", "10", "--reinsurance", str(tmp_path)], "reinsurance file", "folder")


# ----- defect 8: refusals name the field and the value -------------------------------------

def test_reinsurance_text_where_a_number_belongs(tmp_path, capsys):
    path = tmp_path / "re.toml"
    path.write_text("[per_risk]\nretention = 1e7\nlimit = 'abc'\n")
    refusal(capsys, ["portfolio", BOOK, "--years", "10", "--reinsurance", str(path)],
            "reinsurance.per_risk.limit", "'abc'")


def test_quote_levels_and_bi_days(tmp_path, capsys):
    text = PROFILE.read_text(encoding="utf-8")
    bad_levels = tmp_path / "levels.toml"
    bad_levels.write_text(text.replace("levels = [0.99, 0.999, 0.9995, 0.9999]",
                                       "levels = [0.99, 0.999, 'abc', 0.9999]"), encoding="utf-8")
    refusal(capsys, ["quote", str(bad_levels)], "quote.levels[2]", "'abc'")
    bad_days = tmp_path / "days.toml"
    bad_days.write_text(text.replace("waiting_period_days = 0.5", "waiting_period_days = 'abc'"), encoding="utf-8")
    refusal(capsys, ["quote", str(bad_days)], "terms.sections.business_interruption.waiting_period_days", "'abc'")


@pytest.mark.parametrize("option, value, names", [
    ("--per-risk-xl", "1:2:nan", ("--per-risk-xl", "reinstatements", "nan")),
    ("--per-event-xl", "1:abc", ("--per-event-xl", "limit", "'abc'")),
    ("--stop-loss", "-5", ("--stop-loss", "retention", "-5")),
    ("--quota-share", "nan", ("--quota-share", "nan")),
])
def test_reinsurance_options_name_themselves(capsys, option, value, names):
    refusal(capsys, ["portfolio", BOOK, "--years", "10", f"{option}={value}"], *names)


# ----- defect 9: wrong values silently accepted --------------------------------------------

def test_a_csv_row_with_a_missing_field_is_refused(tmp_path, capsys):
    path = tmp_path / "book.csv"
    path.write_text("policy_id,industry,size,revenue,deductible,occurrence_limit,aggregate_limit\n"
                    "P1,manufacturing,sme,1e9,1e6,1e8,1e8\n"
                    "P2,manufacturing,sme,1e9,1e6,0.8\n")
    refusal(capsys, ["portfolio", str(path), "--years", "10"], "row 2", "6 fields", "header has 7")


def test_booleans_are_not_numbers_anywhere(tmp_path, capsys):
    path = tmp_path / "re.toml"
    path.write_text("[quota_share]\nshare = true\n")
    refusal(capsys, ["portfolio", BOOK, "--years", "10", "--reinsurance", str(path)],
            "reinsurance.quota_share.share", "true")
    with pytest.raises(ValueError, match="QuotaShare share .* got true"):
        re.QuotaShare(True)
    with pytest.raises(ValueError, match="PerRiskXL limit .* got true"):
        re.PerRiskXL(0.0, np.True_)
    book = tmp_path / "book.parquet"
    pd.DataFrame({"policy_id": ["P1"], "industry": ["manufacturing"], "size": ["sme"],
                  "deductible": [True]}).to_parquet(book)
    refusal(capsys, ["portfolio", str(book), "--years", "10"], "row 1", "deductible", "True")
    assert math.isinf(re.StopLoss(0.0).limit)
