"""The malformed-input sweep: at least 2,000 seeded hostile inputs across every loader.

Each case (see ``malformed.py``) runs in-process through ``cyberloss.cli.main`` or the Python
API.  Every outcome must be a one-line refusal that names the corrupted field (or option, or
file) and its value, or a valid result whose JSON parses strictly -- never a traceback, a
crash, a Python warning, a non-finite number in the output or a run over 60 s.  The sweep runs
as ``malformed.SHARDS`` tests (every SHARDS-th case each), so that pytest's workers share it; each shard
writes its outcomes to ``build/test-output/malformed-inputs/``, and at the end of the test
session (conftest.py) the counts by loader x mutation kind x outcome go to
``build/test-output/malformed-inputs.json`` and are printed.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

import malformed
from malformed import SHARD_RECORDS, SHARDS


@pytest.fixture(scope="module")
def cases() -> list[malformed.Case]:
    return malformed.generate()


def test_the_sweep_has_2000_cases_across_every_loader(cases):
    assert len(cases) >= 2000
    assert {c.loader.split("-")[0] for c in cases} >= {
        "simulate", "quote", "bcp", "scenario", "reinsurance", "terms", "calibration", "jnsa",
        "portfolio", "flags", "input", "output", "api"}


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_malformed_input_is_refused_by_name_or_runs(cases, shard):
    outcomes = []
    for case in cases[shard::SHARDS]:
        with tempfile.TemporaryDirectory(prefix="cyberloss-sweep-") as folder:
            outcomes.append(malformed.judge(case, Path(folder)))
    records = [malformed.record(o) for o in outcomes]
    SHARD_RECORDS.mkdir(parents=True, exist_ok=True)
    (SHARD_RECORDS / f"{shard}-of-{SHARDS}.json").write_text(json.dumps(records), encoding="utf-8")
    totals = malformed.counts(records)["totals"]
    failures = [f"{o.result}: {o.case.label}: {o.detail[:300]}" for o in outcomes
                if o.result in malformed.FAILURES]
    # every shard (every SHARDS-th case of every loader) holds its share of refusals and runs
    assert totals.get("refused", 0) > 1000 / SHARDS and totals.get("valid", 0) > 100 / SHARDS
    assert not failures, f"{len(failures)} of {len(outcomes)} cases failed:\n" + "\n".join(failures[:40])
