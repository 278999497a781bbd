"""The version from one place, `cyberloss --version`, the lean core and optional extras that name
themselves when missing: every API entry and CLI option that needs matplotlib, pyarrow or Dask,
run with that extra hidden (the installed wheel itself: tests/wheel, `make test-wheel`)."""
from __future__ import annotations

import ast
import contextlib
import importlib.abc
import importlib.metadata
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import tomllib

import cyberloss
from cyberloss import _core, _extras
from cyberloss.calibration import jnsa
from cyberloss.cli import main
from cyberloss.insurance import quote, terms
from cyberloss.portfolio import book, distributed
from cyberloss.portfolio import simulate as pf_simulate
from cyberloss.report import excel, plots
from cyberloss.report import html as report_html

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "python" / "cyberloss"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def test_version_comes_from_cmake_only():
    cmake = re.search(r"project\(cyberloss VERSION ([0-9.]+)", (REPO / "CMakeLists.txt").read_text())
    assert cyberloss.__version__ == _core.__version__ == cmake.group(1)
    assert importlib.metadata.version("cyberloss") == cmake.group(1)
    assert "version" not in PROJECT and PROJECT["dynamic"] == ["version"]


def test_version_option_names_version_and_simd_path(capsys):
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out == (f"cyberloss {cyberloss.__version__} (SIMD path: {_core.simd_path()}; "
                   f"this CPU can run: {', '.join(_core.simd_paths_available())})\n")


def test_core_dependencies_are_numpy_and_pandas_and_every_extra_is_known():
    names = [re.match(r"[A-Za-z0-9_.-]+", r).group(0) for r in PROJECT["dependencies"]]
    assert names == ["numpy", "pandas", "tomli"]
    assert "python_version < '3.11'" in PROJECT["dependencies"][2]
    extras = PROJECT["optional-dependencies"]
    features = [e for e in extras if e not in ("all", "test", "fuzz", "docs")]
    assert {"plot", "parquet", "dask", "excel", "web"} <= set(features)
    assert extras["all"] == [f"cyberloss[{','.join(features)}]"]
    assert set(_extras.EXTRA_OF.values()) == set(features)
    # distribution -> its top-level module where the names differ
    module_of = {"python-multipart": "multipart", "matplotlib-fontja": "matplotlib_fontja"}
    listed = {}
    for extra, requirements in extras.items():
        if extra in features:
            for r in requirements:
                if r.startswith("cyberloss["):     # an extra that includes another
                    continue
                name = re.match(r"[A-Za-z0-9_.-]+", r).group(0)
                listed[module_of.get(name, name)] = extra
    assert listed == {m: e for m, e in _extras.EXTRA_OF.items() if m != "distributed"}
    assert _extras.EXTRA_OF["distributed"] == "dask"     # dask[distributed]


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


def test_the_features_a_command_reaches_are_named_in_japanese(monkeypatch):
    """--lang ja prints MissingExtra.japanese(): the features a command reaches through the
    report layer are named in Japanese (they were "plotting", "Excel workbooks", ...)."""
    from cyberloss.report import excel, html, plots
    for module, call, named in (
            ("matplotlib", plots.pyplot, "図の描画には matplotlib"),
            ("openpyxl", lambda: excel.write("x.xlsx", "--xlsx", {}), "Excel ブックには openpyxl"),
            ("jinja2", lambda: html.render("t", []), "HTML レポートには jinja2")):
        monkeypatch.setitem(sys.modules, module, None)
        with pytest.raises(_extras.MissingExtra) as err:
            call()
        assert err.value.japanese().startswith(named + " が必要だが、インストールされていない: "), err.value.japanese()


def test_require_refuses_a_module_of_no_extra():
    with pytest.raises(ValueError, match="'scipy' is not a module of any cyberloss extra"):
        _extras.require("scipy", "statistics")


class Refuse(importlib.abc.MetaPathFinder):
    """Finds nothing for the given top-level packages: to Python they are not installed."""

    def __init__(self, tops: tuple[str, ...]):
        self.tops = tops

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.tops:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextlib.contextmanager
def hidden(*tops: str):
    """The packages ``tops`` unloaded and refused while the block runs, as if not installed."""
    unloaded = {m: sys.modules.pop(m) for m in list(sys.modules) if m.partition(".")[0] in tops}
    finder = Refuse(tops)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        sys.modules.update(unloaded)


def small_quote() -> quote.Quote:
    rng = np.random.default_rng(5)
    year = np.sort(rng.choice(2000, size=60))
    events = terms.event_table(year, investigation=rng.lognormal(15, 1, year.size))
    policy = terms.CoverageTerms(sections={"response": {"limit": "5000万円"}}, deductible="50万円")
    settings = quote.QuoteSettings.from_dict(
        {"years": 2000, "seed": 1, "decision": {"deductibles": [0, "100万円"], "limits": ["5000万円"]}})
    return quote.quote_events(events, 2000, policy, settings, name="hidden extras")


def entries(tmp: Path) -> list[tuple[str, str, str, Callable[[], object]]]:
    """(how the message starts: the entry's name, the module hidden, its extra, a call)."""
    res = cyberloss.simulate(cyberloss.Model([cyberloss.AttackType(
        "a", cyberloss.Poisson(0.5), cyberloss.Lognormal(15.0, 1.5))]), years=2000, seed=1)
    q = small_quote()
    survey = jnsa.simulate_survey(20, replications=2, seed=1)
    (tmp / "book.parquet").write_bytes(b"PAR1")
    model = pf_simulate.PortfolioModel(book.Portfolio.synthetic(3, seed=1))

    def local_client() -> None:
        with distributed.local_client(2):
            pass

    return [
        ("SimulationResult.plot", "matplotlib", "plot", res.plot),
        ("Quote.plot_ep", "matplotlib", "plot", q.plot_ep),
        ("Quote.to_html", "matplotlib", "plot", q.to_html),
        ("Quote.to_html", "jinja2", "report", q.to_html),
        ("HTML reports", "jinja2", "report", lambda: report_html.render("title", [])),
        ("Excel workbooks", "openpyxl", "excel", lambda: excel.write(tmp / "book.xlsx", "--xlsx", {})),
        ("RetentionDecision.plot", "matplotlib", "plot", q.decision.plot),
        ("SurveySimulation.plot", "matplotlib", "plot", survey.plot),
        ("plotting", "matplotlib", "plot", plots.pyplot),
        ("plotting", "matplotlib", "plot", plots.use_japanese_font),
        ("plotting", "matplotlib", "plot", lambda: plots.style().__enter__()),
        ("plotting", "matplotlib", "plot", plots.finish),
        ("plotting", "matplotlib", "plot", lambda: plots.yen_log_axis(None)),
        ("plotting", "matplotlib", "plot", lambda: plots.axes()),
        ("plotting", "matplotlib", "plot", lambda: plots.yen_axis(None)),
        ("plotting", "matplotlib", "plot", lambda: plots.ep_plot({"gross AEP": ([2, 5], [1e6, 2e6])})),
        (f"YLT file {tmp}/ylt.parquet", "pyarrow", "parquet", lambda: res.to_parquet(tmp / "ylt.parquet")),
        (f"YLT file {tmp}/ylt2.parquet", "pyarrow", "parquet", lambda: res.write(tmp / "ylt2.parquet")),
        (f"portfolio file {tmp}/book.parquet", "pyarrow", "parquet",
         lambda: book.Portfolio.read(tmp / "book.parquet")),
        ("simulate_portfolio on Dask", "dask", "dask",
         lambda: distributed.simulate_portfolio(model, 1000, 1, scheduler="tcp://127.0.0.1:1")),
        ("simulate_portfolio(local_cluster=...)", "cryptography", "dask",
         lambda: distributed.simulate_portfolio(model, 1000, 1, local_cluster=2)),
        ("local_client", "dask", "dask", local_client),
        ("local_client", "cryptography", "dask", local_client),
    ]


# Every public function or method of the package that calls _extras.require (the CLI's are
# walked by test_cli_without_an_extra_names_it_in_one_line_before_running).
WALKED = {"results.YearLossTable.plot", "results.YearLossTable.to_parquet",
          "insurance.quote.Quote.plot_ep", "insurance.quote.Quote.to_html",
          "insurance.decision.RetentionDecision.plot", "calibration.jnsa.SurveySimulation.plot",
          "report.plots.pyplot", "report.plots.use_japanese_font", "report.plots.yen_axis",
          "report.plots.style", "report.plots.finish", "report.plots.yen_log_axis",
          "portfolio.book.read_table", "portfolio.distributed.simulate_portfolio",
          "portfolio.distributed.local_client", "report.html.render", "report.excel.write"}


def test_every_api_entry_without_its_extra_names_it_in_one_line(tmp_path):
    for feature, module, extra, call in entries(tmp_path):
        with hidden(module), pytest.raises(_extras.MissingExtra) as err:
            call()
        message = str(err.value)
        assert message.startswith(feature) and "\n" not in message, (feature, message)
        assert message.endswith(f"pip install 'cyberloss[{extra}]'"), (feature, message)
    assert [p.name for p in tmp_path.rglob("*")] == ["book.parquet"], "no output may be left behind"


def functions(tree: ast.AST, prefix: str = ""):
    """(qualified name, node) of every function and method, nested classes included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
        elif isinstance(node, ast.ClassDef):
            yield from functions(node, f"{prefix}{node.name}.")


EXTRA_MODULES = set(_extras.EXTRA_OF)
EXTRA_METHODS = {"to_parquet", "read_parquet", "to_excel", "read_excel", "ExcelWriter"}


def test_what_needs_an_extra_asks_require_first_and_every_public_entry_is_walked():
    """A function that imports an extra's module, or calls pandas' Parquet/Excel I/O, calls
    ``require`` (so the user gets the one-line message, not pandas' or Python's); every public
    one outside the CLI is in WALKED."""
    unguarded, requiring = [], set()
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        for name, fn in functions(ast.parse(path.read_text(encoding="utf-8"))):
            calls = {n.func.id if isinstance(n.func, ast.Name) else n.func.attr
                     for n in ast.walk(fn) if isinstance(n, ast.Call)
                     and isinstance(n.func, (ast.Name, ast.Attribute))}
            imported = {(a.name if isinstance(n, ast.Import) else n.module or "").partition(".")[0]
                        for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))
                        for a in n.names}
            needs = (imported & EXTRA_MODULES) or (calls & EXTRA_METHODS)
            if needs and "require" not in calls:
                unguarded.append(f"{module}.{name} uses {sorted(needs)}")
            if "require" in calls and module != "_extras" and not module.startswith("cli"):
                if not any(part.startswith("_") for part in name.split(".")):
                    requiring.add(f"{module}.{name}")
    assert not unguarded, "\n".join(unguarded)
    assert requiring == WALKED


@pytest.mark.parametrize("blocked, argv, extra", [
    ("dask", ["portfolio", "examples/portfolio_small.csv", "--years", "1000",
              "--local-cluster", "2"], "dask"),
    ("cryptography", ["portfolio", "examples/portfolio_small.csv", "--years", "1000",
                      "--local-cluster", "2"], "dask"),
    ("dask", ["portfolio", "examples/portfolio_small.csv", "--years", "1000",
              "--dask", "tcp://127.0.0.1:1"], "dask"),
    ("pyarrow", ["portfolio", "examples/portfolio_small.csv", "--years", "1000",
                 "--out", "{tmp}/ylt.parquet"], "parquet"),
    ("pyarrow", ["portfolio", "{tmp}/book.parquet", "--years", "1000"], "parquet"),
    ("matplotlib", ["quote", "examples/sme_manufacturer.toml", "--plot", "{tmp}/ep.png"], "plot"),
    ("matplotlib", ["quote", "examples/sme_manufacturer.toml", "--html", "{tmp}/q.html"], "plot"),
    ("matplotlib", ["demo", "--out", "{tmp}/demo"], "plot"),
    ("jinja2", ["quote", "examples/sme_manufacturer.toml", "--html", "{tmp}/q.html"], "report"),
    ("jinja2", ["demo", "--out", "{tmp}/demo"], "report"),
])
def test_cli_without_an_extra_names_it_in_one_line_before_running(blocked, argv, extra, tmp_path,
                                                                  monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    (tmp_path / "book.parquet").write_bytes(b"PAR1")
    with hidden(blocked):
        assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cyberloss {argv[0]}: error: ") and err.count("\n") == 1, err
    assert err.rstrip().endswith(f"pip install 'cyberloss[{extra}]'"), err
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["book.parquet"], \
        "no output may be left behind"


# The call of each command that does the long work: it must not start before every output's
# extras are found installed.
LONG_RUNS = {"quote": "cyberloss.cli.quote.quote_profile", "demo": "cyberloss.cli.demo.quote_profile",
             "bcp": "cyberloss.organisation.bcp.run_plan", "sensitivity": "cyberloss.sensitivity.run",
             "fit": "cyberloss.experience.fit"}
FIT = ["fit", "{tmp}/claims.csv", "--exposure", "{tmp}/exposure.csv"]


@pytest.mark.parametrize("blocked, argv, extra", [
    ("matplotlib_fontja", ["quote", "examples/sme_manufacturer.toml", "--plot", "{tmp}/ep.png"], "plot"),
    ("matplotlib_fontja", ["quote", "examples/sme_manufacturer.toml", "--html", "{tmp}/q.html"], "plot"),
    ("matplotlib_fontja", ["demo", "--out", "{tmp}/demo"], "plot"),
    ("matplotlib", ["sensitivity", "examples/sme_manufacturer.toml", "--plot", "{tmp}/t.png"], "plot"),
    ("matplotlib_fontja", ["sensitivity", "examples/sme_manufacturer.toml", "--plot", "{tmp}/t.png"], "plot"),
    ("matplotlib", [*FIT, "--plot", "{tmp}/qq.png"], "plot"),
    ("matplotlib_fontja", [*FIT, "--plot", "{tmp}/qq.png"], "plot"),
    ("openpyxl", ["quote", "examples/sme_manufacturer.toml", "--xlsx", "{tmp}/q.xlsx"], "excel"),
    ("openpyxl", ["bcp", "examples/manufacturer.toml", "--xlsx", "{tmp}/b.xlsx"], "excel"),
])
def test_an_outputs_extras_are_checked_before_the_run(blocked, argv, extra, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(REPO)

    def ran(*args, **kwargs):
        raise AssertionError(f"{argv[0]} ran before checking its outputs' extras")
    monkeypatch.setattr(LONG_RUNS[argv[0]], ran)
    with hidden(blocked):
        assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cyberloss {argv[0]}: error: ") and err.count("\n") == 1, err
    assert f"needs {blocked}, which is not installed: pip install 'cyberloss[{extra}]'" in err, err


@pytest.mark.filterwarnings("ignore:Please use `import python_multipart`:PendingDeprecationWarning")
@pytest.mark.parametrize("blocked, extra", [("matplotlib", "plot"), ("matplotlib_fontja", "plot"),
                                            ("openpyxl", "excel")])
def test_serve_without_the_plot_extra_refuses_to_start(blocked, extra, monkeypatch, capsys):
    # else it starts and every run fails with "the run ended unexpectedly" (plots), or the
    # report's download answers "still being drawn" for ever (the workbook)
    uvicorn = pytest.importorskip("uvicorn")
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("the server started"))
    with hidden(blocked):
        assert main(["serve", "--port", "8765"]) == 2
    err = capsys.readouterr().err
    assert err == (f"cyberloss serve: error: cyberloss serve needs {blocked}, which is not installed: "
                   f"pip install 'cyberloss[{extra}]'\n")


CORE_ONLY = f"""
import importlib.abc, sys
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {sorted(EXTRA_MODULES)!r}:
            raise ModuleNotFoundError(name, name=name)
sys.meta_path.insert(0, Refuse())
import cyberloss as cl
from cyberloss.cli import main
r = cl.simulate(cl.Model([cl.AttackType("a", cl.Poisson(0.5), cl.Lognormal(15.0, 1.5))]), years=10_000, seed=2)
assert r.describe().shape[0] > 0 and r.mean().value > 0
assert main(["--version"]) == 0
assert main(["simulate", "examples/simulate_basic.toml", "--years", "2000", "--seed", "1", "--json"]) == 0
assert main(["portfolio", "examples/portfolio_small.csv", "--years", "1000", "--local-cluster", "2"]) == 2
print(sorted({{m.partition(".")[0] for m in sys.modules}} & set({sorted(EXTRA_MODULES)!r})))
"""


def test_the_core_runs_with_no_extra_installed():
    """A fresh interpreter to which no extra exists: import, simulate, --version and a JSON run
    work; a local cluster names the dask extra; no extra's module was loaded."""
    done = subprocess.run([sys.executable, "-c", CORE_ONLY], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-1] == "[]"
    assert done.stderr.count("\n") == 1 and "pip install 'cyberloss[dask]'" in done.stderr, done.stderr


def test_python_m_cyberloss_runs_the_command_line():
    out = subprocess.run([sys.executable, "-m", "cyberloss", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("cyberloss "), out
