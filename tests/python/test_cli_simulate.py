import json
import subprocess
import sys
from pathlib import Path

import pytest

from cyberloss.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "simulate_basic.toml"


def run_json(capsys, *extra):
    assert main(["simulate", str(SPEC), "--years", "20000", "--seed", "7", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_contract_and_identical_hash_across_threads(capsys):
    one = run_json(capsys, "--threads", "1")
    two = run_json(capsys, "--threads", "2")
    for key in ("mean", "std", "var", "tvar", "years", "seed", "annual_loss_sha256"):
        assert key in one
    assert one["years"] == 20000 and one["seed"] == 7
    assert set(one["var"]) >= {"0.99", "0.995"} and one["tvar"]["0.99"] >= one["var"]["0.99"]
    assert one["annual_loss_sha256"] == two["annual_loss_sha256"]
    assert len(one["annual_loss_sha256"]) == 64


def test_hash_is_of_little_endian_float64_bytes(capsys):
    import hashlib

    import cyberloss as cl
    from cyberloss.engine import load_model
    out = run_json(capsys)
    r = cl.simulate(load_model(SPEC), years=20000, seed=7)
    assert out["annual_loss_sha256"] == hashlib.sha256(r.annual_loss.astype("<f8").tobytes()).hexdigest()


def test_table_output(capsys):
    assert main(["simulate", str(SPEC), "--years", "5000", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "万円" in out and "annual total" in out


@pytest.mark.parametrize("body, message", [
    ("[[attack_type]]\nname='a'\nfrequency={distribution='poisson', rate=-1}\n"
     "severity={distribution='lognormal', mu=1, sigma=1}\n", "attack_type[0].frequency.rate must be finite and >= 0, got -1"),
    ("[[attack_type]]\nname='a'\nfrequency={distribution='poisson', rate=1}\n"
     "severity={distribution='lognormal', mean=1, median=2}\n", "attack_type[0].severity.mean must be greater than median"),
    ("[[attack_type]]\nname='a'\nfrequency={distribution='binomial', rate=1}\n"
     "severity={distribution='lognormal', mu=1, sigma=1}\n",
         "attack_type[0].frequency.distribution must be one of poisson, negative_binomial, got 'binomial'"),
    ("[[attack_type]]\nname='a'\nfrequency={distribution='poisson'}\n"
     "severity={distribution='lognormal', mu=1, sigma=1}\n", "attack_type[0].frequency: field 'rate' is required"),
])
def test_bad_spec_is_refused_with_the_key(tmp_path, capsys, body, message):
    spec = tmp_path / "bad.toml"
    spec.write_text(body)
    assert main(["simulate", str(spec), "--years", "10", "--seed", "1"]) == 2
    assert message in capsys.readouterr().err


def test_console_script_runs():
    exe = Path(sys.executable).parent / "cyberloss"
    out = subprocess.run([str(exe), "simulate", str(SPEC), "--years", "1000", "--seed", "3", "--json"],
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["years"] == 1000


def test_heavy_tail_warning_on_stderr_once_and_in_json(tmp_path, capsys):
    spec = tmp_path / "heavy.toml"
    spec.write_text("[[attack_type]]\nname='huge'\nfrequency={distribution='poisson', rate=0.5}\n"
                    "severity={distribution='lognormal', mu=14.5, sigma=10}\n")
    assert main(["simulate", str(spec), "--years", "100000", "--seed", "1", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert len(out["warnings"]) == 1 and "out of reach" in out["warnings"][0]
    lines = captured.err.strip().splitlines()
    assert lines == [f"cyberloss simulate: warning: {out['warnings'][0]}"]
    assert run_json(capsys)["warnings"] == []


@pytest.mark.parametrize("argv", [
    ["simulate", "examples/simulate_basic.toml", "--seed", "1"],
    ["portfolio", "examples/portfolio_small.csv"],
])
def test_one_year_is_refused_by_name_before_the_run(capsys, argv):
    # a standard deviation needs two years: --json failed after the run with "std needs at
    # least 2 values, got 1", naming no option
    assert main([*argv, "--years", "1", "--json"]) == 2
    err = capsys.readouterr().err
    assert "argument --years: must be an integer >= 2" in err and err.count("\n") == 1
