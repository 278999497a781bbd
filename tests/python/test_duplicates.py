"""Each concept exists once in the package (issue 11's list), checked by reading the source.

* the inverse normal (AS241) lives in the C++ core only;
* the annual aggregate limit lives in the core only (AnnualCapacity): no running sum, no
  cumulative sum, no capacity loop in the Python package;
* ``COMPONENTS``, ``DEFAULT_RETURN_PERIODS`` and ``annual_loss_sha256`` are defined once;
* ``var``, ``tvar``, ``ep_curve`` are defined on the year-loss table and in the statistics
  module only; ``_repr_html_`` once (``report.html.Described``); ``describe`` on the
  year-loss table and on the objects that describe their own contents (listed below);
* TOML is read in one place (``config``), money is formatted in one place
  (``report.money``), progress is printed in one place (``report.progress``).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "python" / "cyberloss"
SOURCES = {p.relative_to(PACKAGE).as_posix(): p.read_text(encoding="utf-8")
           for p in PACKAGE.rglob("*.py")}
TREES = {name: ast.parse(text) for name, text in SOURCES.items()}


def definitions(name: str) -> list[str]:
    """'module:Class.name' of every function or method called ``name``."""
    out = []
    for module, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
                        out.append(f"{module}:{node.name}.{name}")
        for item in tree.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
                out.append(f"{module}:{name}")
    return sorted(out)


def assignments(name: str) -> list[str]:
    """Module-level assignments of ``name``."""
    return sorted(f"{module}:{node.lineno}" for module, tree in TREES.items() for node in tree.body
                  if isinstance(node, (ast.Assign, ast.AnnAssign))
                  and any(isinstance(t, ast.Name) and t.id == name
                          for t in (node.targets if isinstance(node, ast.Assign) else [node.target])))


def grep(pattern: str) -> list[str]:
    rx = re.compile(pattern)
    return sorted(f"{module}:{i}" for module, text in SOURCES.items()
                  for i, line in enumerate(text.splitlines(), start=1) if rx.search(line))


def test_the_inverse_normal_is_the_cores():
    # AS241's first coefficient, its name and the polynomial evaluation of the old copy
    assert not grep(r"3\.38713287|PPND16|AS ?241.*def |def standard_normal_quantile")
    # and no other Phi^-1 (a bisection on erfc was one): every function named for it calls
    # the core's normal_quantile
    for module, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and re.search(r"probit|ppf|normal_quantile|inverse_normal",
                                                               node.name):
                called = {c.func.attr if isinstance(c.func, ast.Attribute) else getattr(c.func, "id", "")
                          for c in ast.walk(node) if isinstance(c, ast.Call)}
                assert "normal_quantile" in called, f"{module}:{node.name}"


def test_the_annual_aggregate_limit_is_the_cores():
    # (the synthetic book's np.cumsum of mixing weights picks an industry; validation's of a
    # probability mass function is its CDF: neither caps anything)
    allowed = ("np.cumsum([mix[k] for k in keys])", "below = np.cumsum(pmf)")
    for hit in grep(r"cumsum|capacity - used|aggregate_limit - "):
        module, line = hit.split(":")
        assert any(a in SOURCES[module].splitlines()[int(line) - 1] for a in allowed), hit
    assert not definitions("apply_terms") and not definitions("_annual")


@pytest.mark.parametrize("name, where", [
    ("COMPONENTS", ["organisation/components.py"]),
    ("DEFAULT_RETURN_PERIODS", ["stats.py"]),
])
def test_constants_are_defined_once(name, where):
    assert [a.split(":")[0] for a in assignments(name)] == where


def test_return_periods_are_the_statistics_modules():
    # a page or a report picks from stats.default_return_periods, not a list of its own
    lists = [f"{module}:{node.lineno}" for module, tree in TREES.items() for node in tree.body
             if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.endswith("RETURN_PERIODS")
                                                     for t in node.targets)]
    assert [m.split(":")[0] for m in lists] == ["stats.py"]


@pytest.mark.parametrize("name, where", [
    ("var", ["results.py:YearLossTable.var", "stats.py:Sample.var", "stats.py:var"]),
    ("tvar", ["results.py:YearLossTable.tvar", "stats.py:Sample.tvar", "stats.py:tvar"]),
    ("ep_curve", ["results.py:YearLossTable.ep_curve"]),
    ("_repr_html_", ["report/html.py:Described._repr_html_"]),
    ("annual_loss_sha256", ["results.py:annual_loss_sha256"]),
    ("format_yen", ["report/money.py:format_yen"]),
    ("read_toml", ["config/_read.py:read_toml"]),
    ("reporting", ["report/progress.py:reporting"]),
])
def test_functions_are_defined_once(name, where):
    assert definitions(name) == where


# Objects whose describe() shows their own contents (a profile's fields, a policy's sections,
# a calibration's rates, ...): every simulated result is a YearLossTable and uses its describe().
DESCRIBE = {
    "results.py:YearLossTable.describe",
    "calibration/model.py:Calibration.describe",
    "calibration/jnsa.py:SurveySimulation.describe",
    "calibration/jnsa.py:EconomySimulation.describe",
    "calibration/jnsa.py:Reproduction.describe",
    "calibration/uncertainty.py:UncertaintyResult.describe",
    "validation/__init__.py:ValidationReport.describe",
    "organisation/profile.py:OrganisationProfile.describe",
    "organisation/scenario.py:ScenarioResult.describe",
    "organisation/bcp.py:BcpComparison.describe",
    "insurance/terms.py:CoverageTerms.describe",
    "insurance/terms.py:LayerResult.describe",
    "insurance/pricing.py:Premium.describe",
    "insurance/decision.py:RetentionDecision.describe",
    "portfolio/book.py:Portfolio.describe",
    "portfolio/simulate.py:PortfolioModel.describe",
    "experience/fitting.py:ExperienceFit.describe",
    "sensitivity.py:SensitivityResult.describe",
}


def test_describe_is_the_year_loss_tables_or_a_contents_table():
    assert set(definitions("describe")) == DESCRIBE


def test_results_are_year_loss_tables():
    bases = {f"{module}:{node.name}": [ast.unparse(b) for b in node.bases]
             for module, tree in TREES.items() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    for result in ("engine.py:SimulationResult", "organisation/simulate.py:OrganisationSimulation",
                   "insurance/terms.py:InsuredResult", "portfolio/result.py:PortfolioResult"):
        assert bases[result] == ["results.YearLossTable"], result


def test_toml_money_and_progress_have_one_home():
    assert [m.split(":")[0] for m in grep(r"^\s*import tomllib|^\s*from tomllib")] == ["config/_read.py"]
    # whole-万円 and 億円 formats are written only by report.money
    formats = {m.split(":")[0] for m in grep(r"/ ?1e4:|/ ?1e8:|MAN\b.*:,\.|:,\.[0-9]f}(万|億)円")}
    assert formats == {"report/money.py"}
    assert [m.split(":")[0] for m in grep(r"^\s*from tqdm|^\s*import tqdm|require\(\"tqdm")] == ["report/progress.py"]


def test_no_module_binds_a_name_twice_at_top_level():
    """A second top-level ``NAME = ...`` (or def/class) silently replaces the first: two
    branches once each added ``MEASURES_JA`` to report/language.py with different words, and
    the text printed the other branch's.  Dict literals do not repeat a key either."""
    twice = []
    for module, tree in TREES.items():
        seen: dict[str, int] = {}
        for node in tree.body:
            targets = (node.targets if isinstance(node, ast.Assign) else
                       [node.target] if isinstance(node, ast.AnnAssign) else [])
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.append(node.name)
            for name in names:
                if name in seen and name != "__all__":
                    twice.append(f"{module}:{node.lineno} {name} (first at {seen[name]})")
                seen.setdefault(name, node.lineno)
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                twice += [f"{module}:{node.lineno} key {k!r}" for k in set(keys) if keys.count(k) > 1]
    assert twice == []
