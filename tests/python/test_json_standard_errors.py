"""Every simulated figure of the --json outputs of simulate and portfolio comes with
its Monte Carlo standard error (``<figure>_se``), the one the Python API gives for the same run."""
from __future__ import annotations

import json
import math
from pathlib import Path

from cyberloss import portfolio as pf
from cyberloss import stats
from cyberloss.cli import main
from cyberloss.cli import simulate as cli_simulate
from cyberloss.engine import load_model, simulate
from cyberloss.portfolio import reinsurance as re
from cyberloss.portfolio import result as pf_result

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


def test_portfolio_json_has_the_standard_error_of_each_figure(capsys):
    doc = _json(capsys, ["portfolio", BOOK, "--years", "2000", "--json", "--reinsurance", REINSURANCE])
    model = pf.PortfolioModel(pf.Portfolio.read(BOOK), loss=pf.SurveySeverity.from_calibration(),
                              systemic=pf.SystemicShock.default(),
                              reinsurance=re.Programme.from_toml(REINSURANCE))
    result = pf.simulate_portfolio(model, 2000, 1)
    for view in pf_result.VIEWS:
        got = doc[view]
        assert got["annual_loss_sha256"] == result.sha256(view), view
        assert got["std_se"] == result.std(view).se and got["std_se"] > 0, view
        for p in pf_result.LEVELS:
            key = stats.level_key(p)
            var, tvar = result.var(p, view), result.tvar(p, view)
            assert (got["var"][key], got["var_se"][key]) == (var.value, var.se), (view, key)
            assert (got["tvar"][key], got["tvar_se"][key]) == (tvar.value, tvar.se), (view, key)
            assert _finite(got["var_se"][key]) and _finite(got["tvar_se"][key]), (view, key)
            if view == "gross" and stats.within_reach(p, result.n_years):   # a continuous tail
                assert got["var_se"][key] > 0 and got["tvar_se"][key] > 0, key
    premium = result.mean("reinstatement_premium")
    assert doc["reinstatement_premium_mean"] == premium.value > 0
    assert doc["reinstatement_premium_mean_se"] == premium.se > 0
    # the one figure without a standard error (docs/MODEL_NOTES.md, "Scale, determinism and Dask")
    assert "average_policy_correlation_se" not in doc


def test_portfolio_json_of_a_view_without_losses_has_zero_standard_errors(capsys):
    doc = _json(capsys, ["portfolio", BOOK, "--years", "200", "--json"])
    ceded = doc["ceded"]
    assert ceded["std"] == ceded["std_se"] == 0.0 and doc["reinstatement_premium_mean_se"] == 0.0
    assert set(ceded["var_se"].values()) == set(ceded["tvar_se"].values()) == {0.0}
    assert doc["warnings"] == []
