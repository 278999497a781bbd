"""The malformed-input sweep: at least 2,000 seeded hostile inputs across every loader.

Each case (see ``malformed.py``) runs in-process through ``cyberloss.cli.main`` or the Python
API.  Every outcome must be a one-line refusal that names the corrupted field (or option, or
file) and its value, or a valid result whose JSON parses strictly -- never a traceback, a
crash, a Python warning, a non-finite number in the output or a run over 60 s.  The counts
by loader x mutation kind x outcome go to ``build/test-output/malformed-inputs.json`` and
are printed at the end of the test session.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import malformed

OUTPUT = malformed.ROOT / "build" / "test-output" / "malformed-inputs.json"


def test_every_malformed_input_is_refused_by_name_or_runs(request):
    outcomes = []
    for case in malformed.generate():
        with tempfile.TemporaryDirectory(prefix="cyberloss-sweep-") as folder:
            outcomes.append(malformed.judge(case, Path(folder)))
    counts = malformed.counts(outcomes)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(counts, indent=1, ensure_ascii=False), encoding="utf-8")
    request.config.malformed_counts = counts
    failures = [f"{o.result}: {o.case.label}: {o.detail[:300]}" for o in outcomes
                if o.result in malformed.FAILURES]
    assert len(outcomes) >= 2000
    assert {o.case.loader.split("-")[0] for o in outcomes} >= {
        "simulate", "quote", "bcp", "scenario", "reinsurance", "terms", "calibration", "jnsa",
        "portfolio", "flags", "input", "output", "api"}
    assert counts["totals"].get("refused", 0) > 1000 and counts["totals"].get("valid", 0) > 100
    assert not failures, f"{len(failures)} of {len(outcomes)} cases failed:\n" + "\n".join(failures[:40])
