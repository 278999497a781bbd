"""The version from one place, `cyberloss --version`, and optional extras that name themselves
when missing (the installed wheel itself: tests/wheel, `make test-wheel`)."""
from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

import pytest
import tomllib

import cyberloss
from cyberloss import _core, _extras
from cyberloss.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_version_comes_from_cmake_only():
    cmake = re.search(r"project\(cyberloss VERSION ([0-9.]+)", (REPO / "CMakeLists.txt").read_text())
    assert cyberloss.__version__ == _core.__version__ == cmake.group(1)
    assert importlib.metadata.version("cyberloss") == cmake.group(1)
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]


def test_version_option_names_version_and_simd_path(capsys, monkeypatch):
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out == (f"cyberloss {cyberloss.__version__} (SIMD path: {_core.simd_path()}; "
                   f"this CPU can run: {', '.join(_core.simd_paths_available())})\n")


def test_core_dependencies_are_numpy_and_pandas_and_every_extra_is_known():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = [re.match(r"[A-Za-z0-9_.-]+", r).group(0) for r in project["dependencies"]]
    assert names == ["numpy", "pandas", "tomli"]
    assert "python_version < '3.11'" in project["dependencies"][2]
    extras = project["optional-dependencies"]
    assert extras["all"] == ["cyberloss[plot,parquet,dask,excel,web]"]
    assert set(_extras.EXTRA_OF.values()) == {"plot", "parquet", "dask", "excel", "web"}


def test_require_names_the_extra_of_a_missing_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)     # as if not installed
    with pytest.raises(_extras.MissingExtra) as err:
        _extras.require("pyarrow", "Parquet files")
    assert str(err.value) == ("Parquet files needs pyarrow, which is not installed: "
                              "pip install 'cyberloss[parquet]'")
    assert isinstance(err.value, ImportError) and err.value.extra == "parquet"
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(_extras.MissingExtra, match=r"cyberloss\[dask\]"):
        _extras.require("dask.distributed", "a Dask cluster")


def test_require_refuses_a_module_of_no_extra():
    with pytest.raises(ValueError, match="'scipy' is not a module of any cyberloss extra"):
        _extras.require("scipy", "statistics")


@pytest.mark.parametrize("blocked, argv, extra", [
    ("dask.distributed", ["portfolio", "examples/portfolio_small.csv", "--years", "1000",
                          "--local-cluster", "2"], "dask"),
    ("cryptography", ["portfolio", "examples/portfolio_small.csv", "--years", "1000",
                      "--local-cluster", "2"], "dask"),
    ("dask.distributed", ["portfolio", "examples/portfolio_small.csv", "--years", "1000",
                          "--dask", "tcp://127.0.0.1:1"], "dask"),
    ("pyarrow", ["portfolio", "examples/portfolio_small.csv", "--years", "1000",
                 "--out", "{tmp}/ylt.parquet"], "parquet"),
    ("matplotlib", ["quote", "examples/sme_manufacturer.toml", "--plot", "{tmp}/ep.png"], "plot"),
    ("matplotlib", ["quote", "examples/sme_manufacturer.toml", "--html", "{tmp}/q.html"], "plot"),
    ("matplotlib", ["demo", "--out", "{tmp}/demo"], "plot"),
])
def test_cli_without_an_extra_names_it_in_one_line_before_running(blocked, argv, extra, tmp_path,
                                                                  monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    monkeypatch.setitem(sys.modules, blocked, None)
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cyberloss {argv[0]}: error: ") and err.count("\n") == 1, err
    assert err.rstrip().endswith(f"pip install 'cyberloss[{extra}]'"), err
    assert not [p for p in tmp_path.rglob("*") if p.is_file()], "no output may be left behind"
