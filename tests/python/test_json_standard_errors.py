"""Every simulated figure of the --json outputs of simulate comes with
its Monte Carlo standard error (``<figure>_se``), the one the Python API gives for the same run."""
from __future__ import annotations

import json
import math
from pathlib import Path

from cyberloss import stats
from cyberloss.cli import main
from cyberloss.cli import simulate as cli_simulate
from cyberloss.engine import load_model, simulate

ROOT = Path(__file__).resolve().parents[2]
SPEC = str(ROOT / "examples" / "simulate_basic.toml")
BOOK = str(ROOT / "examples" / "portfolio_small.csv")
REINSURANCE = str(ROOT / "examples" / "reinsurance.toml")


def _json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def _finite(x: float) -> bool:
    return isinstance(x, float) and math.isfinite(x) and x >= 0.0


def test_simulate_json_has_the_standard_error_of_each_figure(capsys):
    doc = _json(capsys, ["simulate", SPEC, "--years", "20000", "--seed", "3", "--json"])
    result = simulate(load_model(SPEC), years=20_000, seed=3)
    assert doc["annual_loss_sha256"] == result.sha256()
    assert doc["std_se"] == result.std().se and doc["std_se"] > 0
    for p in cli_simulate.LEVELS:
        key = stats.level_key(p)
        assert doc["var_se"][key] == result.var(p).se and doc["var_se"][key] > 0, key
        assert doc["tvar_se"][key] == result.tvar(p).se and doc["tvar_se"][key] > 0, key
    assert list(doc["by_type_se"]) == list(doc["by_type"]) == result.type_names
    for name in result.type_names:
        assert doc["by_type_se"][name] == result.mean(name).se > 0, name
    assert list(doc["var_se"]) == list(doc["var"]) and list(doc["tvar_se"]) == list(doc["tvar"])
