"""Every benchmark in benchmarks/ still runs: each script on a tiny run (seconds, not its
measurement), so that a change of the API a benchmark reads fails here rather than when the
next acceptance measurement is taken (bench_portfolio.py once read a `describe()` layout that
had changed, and stopped after its run with KeyError: 'gross')."""
from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"

RUNS = {
    "bench_big_run.py": ["--years", "200000", "--repeats", "1"],
    "bench_engine.py": ["--years", "200000", "--repeats", "1"],
    "bench_frequency.py": [],
    "bench_import.py": ["--repeats", "1"],
    "bench_layers.py": ["--years", "200000", "--repeats", "1"],
    "bench_portfolio.py": ["--policies", "200", "--years", "2000"],
    "bench_portfolio_block.py": ["--policies", "200", "--years", "2000", "--repeats", "1"],
    "bench_portfolio_block.py organisation": ["--policies", "200", "--years", "2000", "--repeats", "1",
                                             "--loss", "organisation"],
    "bench_quote.py": ["--repeats", "1", "--no-cli"],
    "bench_stats.py": ["--years", "200000", "--repeats", "1"],
}


def test_every_python_benchmark_has_a_tiny_run():
    scripts = {p.name for p in BENCHMARKS.glob("*.py")}
    assert scripts == {name.split()[0] for name in RUNS}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_benchmark_runs(name):
    script = BENCHMARKS / name.split()[0]
    done = subprocess.run([sys.executable, str(script), *RUNS[name]], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip()
