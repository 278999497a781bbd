import contextlib
import json
import os
import threading
import time

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

# Outputs follow the locale where no language is given (report.language): the suite expects
# English unless a test asks for Japanese (monkeypatch.setenv), so a developer's Japanese locale,
# or CI's, must not change what it checks; subprocesses and web workers inherit this.
for _name in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"

# CI runs the same Hypothesis examples every time (a landing run must not fail by chance);
# local runs explore new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@contextlib.contextmanager
def ticking():
    """A thread appending time.monotonic() to the yielded list every 10 ms while the block runs:
    it ticks during a compiled call only if that call releases the GIL."""
    ticks: list[float] = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    t = threading.Thread(target=tick)
    t.start()
    try:
        yield ticks
    finally:
        stop.set()
        t.join()


def pytest_sessionstart(session):
    session.config.started_at = time.time()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The malformed-input sweep's counts, merged from the shards this session ran (their
    files, written by the workers under pytest-xdist), to build/test-output/malformed-inputs.json
    once every shard has run."""
    if hasattr(config, "workerinput"):
        return
    import malformed

    shards = [p for p in sorted(malformed.SHARD_RECORDS.glob(f"*-of-{malformed.SHARDS}.json"))
              if p.stat().st_mtime >= config.started_at]
    if not shards:
        return
    counts = malformed.counts([r for p in shards for r in json.loads(p.read_text(encoding="utf-8"))])
    whole = len(shards) == malformed.SHARDS
    if whole:
        malformed.COUNTS.write_text(json.dumps(counts, indent=1, ensure_ascii=False), encoding="utf-8")
    terminalreporter.write_line(
        f"malformed-input sweep{'' if whole else f' ({len(shards)} of {malformed.SHARDS} shards)'}: "
        f"{counts['cases']} cases, {counts['totals']} in {counts['seconds']} s"
        + (" (by loader and mutation kind: build/test-output/malformed-inputs.json)" if whole else ""))
    for loader, results in sorted(counts["by_loader"].items()):
        terminalreporter.write_line(f"  {loader:28} {results}")
