"""cyberloss serve: the inputs read from the schema and checked as the CLI checks them, the
TOML download, background runs (queue, cancel), the request limits, and the pages in Debian's
headless Chromium (acceptance of issue 15), offline, against `cyberloss serve` on a free port.

Screenshots go to build/test-output/web/."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")

from cyberloss import config  # noqa: E402
from cyberloss.web import forms, jobs, toml  # noqa: E402

pytestmark = pytest.mark.web
ROOT = Path(__file__).resolve().parents[2]
SMALL = {"organisation": {"industry": "manufacturing", "size": "sme"},
         "terms": {"sections": {"response": {}}}, "quote": {"years": 20_000, "seed": 7}}


def given(**texts: str) -> dict[str, str]:
    return {**forms.INITIAL, "organisation.industry": "製造業", "organisation.size": "中小企業", **texts}


def test_every_organisation_field_of_the_schema_is_an_input():
    paths = {p for p, _ in config.walk(config.documents.ORGANISATION)}
    assert paths <= set(forms.BY_PATH)


@pytest.mark.parametrize("texts, field, words", [
    ({"organisation.revenue": "-5"}, "organisation.revenue", "organisation.revenue must be a finite number > 0"),
    ({"organisation.industry": "製造"}, "organisation.industry", "organisation.industry must be one of manufacturing"),
    ({"terms.deductible": "100万円", "terms.aggregate_limit": "50万円"}, "terms.aggregate_limit",
     "terms.aggregate_limit must not be below terms.deductible"),
    ({"quote.years": "1000000000000"}, "quote.years", "simulate fewer years"),
    ({"quote.years": "1e12"}, "quote.years", "quote.years must be an integer >= 1000"),
    ({"quote.decision.principle.name": "wang", "quote.decision.principle.lam": "-1"},
     "quote.decision.principle.lam", "lam must be"),
])
def test_bad_inputs_are_refused_next_to_their_field_with_the_cli_words(texts, field, words, tmp_path, capsys):
    inputs = forms.read(given(**texts))
    assert list(inputs.errors) == [field]
    assert words in inputs.errors[field]
    if field != "quote.years":
        # the same document in a file: cyberloss quote refuses it with the same words
        from cyberloss.cli import main
        path = tmp_path / "p.toml"
        path.write_text(toml.dumps(inputs.document), encoding="utf-8")
        assert main(["quote", str(path)]) == 2
        assert inputs.errors[field] in capsys.readouterr().err


def test_japanese_labels_and_amounts_read_as_the_profile_holds_them():
    inputs = forms.read(given(**{"organisation.revenue": "30億円", "organisation.employees": "120",
                                 "quote.decision.limits": "3000万円, 1億円、5億円"}))
    assert inputs.ok, inputs.errors
    org = inputs.document["organisation"]
    assert (org["industry"], org["size"], org["revenue"], org["employees"]) == ("manufacturing", "sme", "30億円", 120)
    assert inputs.document["quote"]["decision"]["limits"] == ["3000万円", "1億円", "5億円"]


def test_the_toml_download_reads_back_as_the_same_document():
    inputs = forms.read(given(**{"organisation.name": 'A "quoted" 名前', "terms.aggregate_limit": "inf",
                                 "quote.levels": "0.99, 0.999", "organisation.controls.edr": "true",
                                 "terms.sections.business_interruption.waiting_period_days": "0.5"}))
    assert inputs.ok, inputs.errors
    assert config.loads_toml(toml.dumps(inputs.document, "header"), "download") == inputs.document


def test_three_runs_with_a_limit_of_two_all_complete_the_third_after_one_of_the_first():
    manager = jobs.JobManager(max_running=2)
    try:
        submitted = [manager.submit("quote", SMALL, f"k{i}") for i in range(3)]
        assert [j.state for j in submitted] == ["running", "running", "queued"]
        done = [manager.wait(j.id, 120) for j in submitted]
        assert [j.state for j in done] == ["done"] * 3, [j.error for j in done]
        first, second, third = done
        assert third.started >= min(first.finished, second.finished)
        assert len({j.result["quote"]["annual_loss_sha256"] for j in done}) == 1
    finally:
        manager.shutdown()


def test_a_cancelled_run_stops_within_two_seconds_and_its_memory_is_freed():
    manager = jobs.JobManager(max_running=1)
    try:
        big = {**SMALL, "quote": {"years": 40_000_000, "seed": 7}}
        job = manager.submit("quote", big, "big")
        waiting = manager.submit("quote", SMALL, "small")
        end = time.monotonic() + 60
        while job.progress == 0 and time.monotonic() < end:
            time.sleep(0.02)
        assert job.state == "running" and job.pid is not None
        rss = int(Path(f"/proc/{job.pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        start = time.monotonic()
        manager.cancel(job.id)
        stopped = time.monotonic() - start
        assert stopped < 2.0 and job.state == "cancelled"
        assert not Path(f"/proc/{job.pid}").exists(), "the cancelled worker still holds its memory"
        assert rss > 50 * 2**20          # it held the simulation's memory while it ran
        assert manager.wait(waiting.id, 120).state == "done"   # the queue moves on
    finally:
        manager.shutdown()


