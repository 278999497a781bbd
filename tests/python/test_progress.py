"""Progress: a bar on a terminal (checked through a pseudo-terminal), none with --quiet or
--json or when stderr is not a terminal (issue 13, acceptance 4)."""
from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from cyberloss.report import progress

ROOT = Path(__file__).resolve().parents[2]
PROFILE = str(ROOT / "examples" / "sme_manufacturer.toml")
CYBERLOSS = Path(sys.executable).parent / "cyberloss"
# a short run (the example's 2,000,000 years take 10-20 s); no delay so that it shows a bar
QUICK = ["--years", "20000"]


def _on_terminal(args: list[str], timeout: float = 300.0) -> tuple[int, str]:
    """Run the command with stdout and stderr on a pseudo-terminal; its exit status and all it
    wrote there."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))   # 100 x 30
    env = {**os.environ, "CYBERLOSS_PROGRESS_DELAY": "0", "TERM": "xterm"}
    proc = subprocess.Popen([str(CYBERLOSS), *args], stdin=subprocess.DEVNULL,
                            stdout=follower, stderr=follower, env=env, cwd=ROOT)
    os.close(follower)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:          # the follower closed: the process has ended
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(leader)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def runs():
    return {name: _on_terminal(["quote", PROFILE, *QUICK, *extra])
            for name, extra in (("terminal", []), ("quiet", ["--quiet"]), ("json", ["--json"]))}


def test_quote_shows_progress_on_a_terminal(runs):
    status, out = runs["terminal"]
    assert status == 0, out
    assert "simulate:" in out and "years" in out and "%|" in out, out[:2000]
    assert "\r" in out                       # the bar redraws one line
    assert "cyberloss quote:" in out         # then the quote itself


@pytest.mark.parametrize("name", ["quiet", "json"])
def test_no_progress_with_quiet_or_json(runs, name):
    status, out = runs[name]
    assert status == 0, out
    assert "simulate:" not in out and "%|" not in out and "\r\x1b" not in out
    assert out.replace("\r\n", "\n").count("\r") == 0


def test_no_progress_when_stderr_is_not_a_terminal():
    done = subprocess.run([str(CYBERLOSS), "quote", PROFILE, *QUICK],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "CYBERLOSS_PROGRESS_DELAY": "0"})
    assert done.returncode == 0 and done.stderr == ""


def test_a_bar_reports_and_closes_its_line(monkeypatch):
    monkeypatch.setenv("CYBERLOSS_PROGRESS_DELAY", "0")
    out = io.StringIO()
    with progress.Bar("simulate", stream=out) as bar:
        for done in (10, 50, 100):
            bar(done, 100)
    text = out.getvalue()
    assert "simulate" in text and "years" in text and text.endswith("\r")   # line cleared


def test_parts_share_one_bar():
    seen = []
    for i in range(3):
        step = progress.part(lambda d, n: seen.append((d, n)), i, 3)
        step(5, 10)
        step(10, 10)
    assert seen == [(5, 30), (10, 30), (15, 30), (20, 30), (25, 30), (30, 30)]
    assert progress.part(None, 0, 3) is None


@pytest.mark.parametrize("quiet, json, tty, shown", [
    (False, False, True, True), (True, False, True, False), (False, True, True, False), (False, False, False, False)])
def test_wanted(quiet, json, tty, shown):
    class Stream(io.StringIO):
        def isatty(self):
            return tty
    assert progress.wanted(quiet, json, Stream()) is shown
