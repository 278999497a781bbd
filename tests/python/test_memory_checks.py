"""Memory pre-checks of bcp, quote, jnsa, simulate and sensitivity: refused before allocating,
and estimates that hold.

The estimates (``organisation.BCP_BYTES_PER_*``, ``QUOTE_BYTES_PER_*``,
``jnsa.SURVEY_BYTES_PER_ANSWER``) come from measured peak resident sizes; here a moderate run
of each is measured again (maximum resident size of a subprocess, less that of a tiny run) and
must not exceed the estimate, nor be less than a third of it (an estimate that refuses runs
which would fit is a defect too).
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import cyberloss as cl
from cyberloss import calibration, sensitivity
from cyberloss import organisation as org
from cyberloss.calibration import jnsa
from cyberloss.cli import main
from cyberloss.cli import simulate as cli_simulate
from cyberloss.engine import load_model
from cyberloss.organisation import bcp

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).parent / "cyberloss")

# about 150 incidents a year: the event tables dominate the memory
BUSY = """
[organisation]
industry = "manufacturing"
size = "large"
revenue = 15_000_000_000
employees = 2_000_000

[overrides]
"size_exposure.elasticity" = 1.0

[[variants]]
name = "drills"
controls = { restore_drills = true }

[terms]
deductible = "10万円"
aggregate_limit = "1億円"
[terms.sections.response]
limit = "1億円"
[terms.sections.business_interruption]
limit = "5000万円"

[quote]
years = 1000
seed = 3
"""


# Linux carries a process's peak resident size across exec, so a child forked from this (large)
# test process would report at least our size: a small Python process starts the command and
# reports the command's own peak.
_LAUNCH = """
import os, subprocess, sys
with open(os.devnull, "wb") as sink:
    proc = subprocess.Popen(sys.argv[1:], stdout=sink, stderr=sink)
    _, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024)
"""


def _max_resident(argv: list[str]) -> int:
    done = subprocess.run([sys.executable, "-c", _LAUNCH, EXE, *argv], capture_output=True, text=True,
                          check=True, timeout=600)
    status, peak = (int(x) for x in done.stdout.split())
    assert status == 0, argv
    return peak


@pytest.fixture(scope="module")
def busy(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("busy") / "busy.toml"
    path.write_text(BUSY, encoding="utf-8")
    return path


@pytest.mark.parametrize("argv, names", [
    (["jnsa", "--replications", str(10**12)], "1,000,000,000,000 simulated surveys"),
    (["bcp", str(ROOT / "examples" / "manufacturer.toml"), "--years", str(10**11)], "100,000,000,000 years"),
    (["quote", str(ROOT / "examples" / "sme_manufacturer.toml"), "--years", str(10**12)],
     "1,000,000,000,000 years"),
    (["simulate", str(ROOT / "examples" / "simulate_basic.toml"), "--years", str(10**9), "--seed", "1"],
     "1,000,000,000 years"),
    (["sensitivity", str(ROOT / "examples" / "sme_manufacturer.toml"), "--years", str(10**11),
      "--only", "components:controls.edr"], "100,000,000,000 years"),
])
def test_requests_too_large_are_refused_before_allocating(capsys, argv, names):
    start = time.monotonic()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and names in err and "GiB" in err and "available" in err
    assert time.monotonic() - start < 30


def _measured(argv_small: list[str], argv: list[str]) -> int:
    return _max_resident(argv) - _max_resident(argv_small)


def test_bcp_estimate_covers_the_measured_peak(busy):
    years = 3000
    plan = bcp.BcpPlan.from_toml(busy)
    cal = calibration.load()
    estimate = org.bcp_bytes([org.expected_events(v.profile, years, calibration=cal) for v in plan.variants],
                             years)
    used = _measured(["bcp", str(busy), "--years", "2", "--json"], ["bcp", str(busy), "--years", str(years), "--json"])
    assert used <= estimate <= 3 * used, (used, estimate)


def test_quote_estimate_covers_the_measured_peak(busy):
    years = 4000
    profile = org.OrganisationProfile.from_toml(busy)
    events = org.expected_events(profile, years)
    estimate = events * org.QUOTE_BYTES_PER_EVENT + years * org.QUOTE_BYTES_PER_YEAR
    used = _measured(["quote", str(busy), "--years", "1000", "--json"],
                     ["quote", str(busy), "--years", str(years), "--json"])
    assert used <= estimate <= 3 * used, (used, estimate)


def test_jnsa_estimate_covers_the_measured_peak():
    replications = 300_000
    answers = max(f.answers for f in calibration.load().data.survey.values())
    estimate = jnsa.SURVEY_BYTES_PER_ANSWER * replications * answers
    used = _measured(["jnsa", "--replications", "2", "--json"],
                     ["jnsa", "--replications", str(replications), "--json"])
    assert used <= estimate <= 3 * used, (used, estimate)


def test_simulate_estimate_covers_the_measured_peak():
    # the run's outputs and the statistics' copies of each type's column
    spec, years = str(ROOT / "examples" / "simulate_basic.toml"), 3_000_000
    estimate = cli_simulate.required_bytes(load_model(spec), years, None)
    used = _measured(["simulate", spec, "--years", "1000", "--seed", "1", "--json"],
                     ["simulate", spec, "--years", str(years), "--seed", "1", "--json"])
    assert used <= estimate <= 3 * used, (used, estimate)


@pytest.mark.parametrize("measure", ["var_0.99", "premium"])
def test_sensitivity_estimate_covers_the_measured_peak(busy, measure):
    years = 20_000
    events = org.expected_events(org.OrganisationProfile.from_toml(busy), years)
    estimate = sensitivity.required_bytes(measure, events, years)
    argv = ["sensitivity", str(busy), "--measure", measure, "--only", "components:controls.edr", "--json"]
    used = _measured([*argv, "--years", "2000"], [*argv, "--years", str(years)])
    assert used <= estimate <= 3 * used, (used, estimate)


@pytest.mark.parametrize("draw", [
    lambda cl: cl.random.uniform(10**12, 1),
    lambda cl: cl.random.poisson(2.0, 10**12, 1),
    lambda cl: cl.Lognormal(10.0, 1.0).sample(10**12, 1),
    lambda cl: cl.Poisson(1.0).sample(n=10**13, seed=1),
])
def test_a_sample_larger_than_memory_is_refused_naming_n(draw):
    # the core raised std::bad_alloc or "cannot create std::vector larger than max_size()";
    # the bindings' reader of n checks it against the available memory, for every sampler
    import cyberloss as cl
    with pytest.raises(MemoryError, match=r"a sample of n = 10{12,13} values needs about .* GiB at its peak"):
        draw(cl)
    assert len(cl.Lognormal(10.0, 1.0).sample(n=3, seed=1, stream=2)) == 3


def test_the_cores_memory_refusals_read_in_japanese():
    """The core refuses a run larger than 80% of the available memory (the command line's own
    check, in Japanese, lets through up to all of it) and an allocation may fail: under --lang ja
    those read in Japanese too (language.MEMORY_ERRORS_JA), not in the core's English."""
    from cyberloss.cli import _describe
    from cyberloss.report import language
    said = []
    quiet = cl.Model([cl.AttackType("a", cl.Poisson(1.0), cl.Lognormal(10, 1))])
    busy = cl.Model([cl.AttackType("busy", cl.Poisson(2e5), cl.Lognormal(10, 1))])
    for model, kw in ((quiet, {"years": 10**15}), (busy, {"years": 4096 * 8, "events": True})):
        with pytest.raises(MemoryError) as refused:
            cl.simulate(model, seed=1, **kw)
        assert "  " not in str(refused.value)          # "years  needs" once, "what" left empty
        said.append(_describe(refused.value, "ja"))
        assert _describe(refused.value, "en") == str(refused.value)
    assert said[0].startswith("1,000,000,000,000,000 年のシミュレーションには約 ")
    assert said[1].startswith("イベントを含む 32,768 年のシミュレーションには約 ")
    for text in said:
        assert text.endswith(" MiB。1 回の実行の年数を減らす") and "のメモリが必要だが、使えるのは" in text
    assert _describe(MemoryError("std::bad_alloc"), "ja") == "メモリを確保できない（std::bad_alloc）。年数・契約数を減らす"
    assert _describe(MemoryError(), "ja") == "メモリが不足している。年数・契約数を減らす"
    assert _describe(MemoryError("a sample too large"), "ja") == "a sample too large"   # not listed: as it is
    assert language.memory_words("a sample too large") is None
    assert language.memory_words("portfolio block of 100 years holds 5000000000 events, more than the limit of "
                                 "4294967295 (171661 MiB): use smaller blocks") == (
        "ポートフォリオの 100 年のブロックのイベントは 5,000,000,000 件で、上限 4,294,967,295 件（171,661 MiB）を超える。"
        "ブロックを小さくする")
