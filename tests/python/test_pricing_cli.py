"""`cyberloss quote` on the example profile (needs the organisation model)."""
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest

pytest.importorskip("cyberloss.organisation")

from cyberloss.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "examples" / "sme_manufacturer.toml"


def test_quote_json_has_the_contract_keys(capsys):
    assert main(["quote", str(PROFILE), "--json", "--years", "50000"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["expected_loss"]) == {"gross", "insured", "retained"}
    assert data["expected_loss"]["gross"] > 0
    assert {"expected_value", "standard_deviation", "tvar_cost_of_capital", "wang"} <= set(data["premium"])
    assert "0.99" in data["var"] and "0.99" in data["tvar"]
    assert {"return_period", "aep", "oep"} <= set(data["ep_curve"][0])
    rec = data["recommended"]
    assert rec["reason"]
    assert rec["limit"] in (0.0, 3e7, 5e7, 1e8, 3e8, 5e8, 1e9)
    assert rec["deductible"] is None or rec["deductible"] >= 0


def test_quote_json_keys_each_level_apart(tmp_path, capsys):
    # levels with more than 6 significant digits stay apart (f"{p:g}" keyed two of these
    # "0.999999" and the last "1")
    path = tmp_path / "levels.toml"
    path.write_text('[organisation]\nindustry = "manufacturing"\nsize = "sme"\n'
                    '[terms.sections.liability]\n[quote]\nyears = 1000\n'
                    'levels = [0.99, 0.9999991, 0.9999992, 0.99999995]\n', encoding="utf-8")
    assert main(["quote", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    keys = ["0.99", "0.9999991", "0.9999992", "0.99999995"]
    for measure in ("var", "var_se", "tvar", "tvar_se"):
        assert list(data[measure]) == keys


def test_quote_text_plot_and_html(tmp_path, capsys):
    png, page = tmp_path / "ep.png", tmp_path / "report.html"
    assert main(["quote", str(PROFILE), "--years", "50000", "--plot", str(png),
                 "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert "万円" in out and "Recommended" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "data:image/png;base64," in page.read_text(encoding="utf-8")


def test_quote_refuses_a_profile_without_terms(tmp_path, capsys):
    path = tmp_path / "no_terms.toml"
    path.write_text('[organisation]\nindustry = "manufacturing"\nsize = "sme"\n', encoding="utf-8")
    assert main(["quote", str(path), "--json"]) == 2
    assert "[terms]" in capsys.readouterr().err


def test_demo_quotes_the_example_and_writes_the_ep_plot(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--years", "50000"]) == 0
    out = capsys.readouterr().out
    assert "SME manufacturer" in out and "Recommended" in out
    assert (tmp_path / "ep_curve.png").read_bytes()[:4] == b"\x89PNG"
    data = json.loads((tmp_path / "quote.json").read_text(encoding="utf-8"))
    assert data["recommended"]["reason"]


def test_quote_and_bcp_show_what_the_simulation_warns_of(tmp_path, capsys):
    """A profile in a cell the calibration has no exposure for (a manufacturing 団体等): the
    simulation's warning goes to stderr and into the JSON's warnings, for quote and bcp alike;
    the example (a fitted cell) has none."""
    path = tmp_path / "association.toml"
    path.write_text(PROFILE.read_text("utf-8").replace('size = "sme"', 'size = "organisation"'), "utf-8")
    for command in ("quote", "bcp"):
        assert main([command, str(path), "--years", "2000"]) == 0
        err = capsys.readouterr().err
        assert f"cyberloss {command}: warning: industry 'manufacturing' has no exposure of size 'organisation'" in err
        assert main([command, str(path), "--years", "2000", "--json"]) == 0
        # besides the levels beyond 2,000 years' reach, whose SEs the quote writes as null
        warnings = [w for w in json.loads(capsys.readouterr().out)["warnings"] if not w.endswith("written as null")]
        assert len(warnings) == 1 and "extrapolation" in warnings[0]
        assert main([command, str(PROFILE), "--years", "2000", "--json"]) == 0
        left = json.loads(capsys.readouterr().out)["warnings"]
        assert all(w.endswith("too few for a standard error; written as null") for w in left)
        assert len(left) == (1 if command == "quote" else 0)     # at 0.999, 0.9995, 0.9999
