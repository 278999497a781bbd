"""Fault tests for every kind of file the package writes.

* kill -9 while a file is being written leaves the old file or a complete new one at the
  destination, never a part (Parquet, CSV, PNG, HTML, JSON): the process is killed at
  several delays after its temporary file appears, i.e. inside the write;
* SIGTERM or SIGHUP at the same moments ends the command as Ctrl-C does: one line
  ``cyberloss <command>: terminated``, status 128 + the signal, and no temporary file left;
* a full disk (a 64 KiB tmpfs, so the write really fails with ENOSPC) and a read-only folder
  (a tmpfs mounted read-only: root ignores permission bits but not a read-only mount) give
  one line ``cyberloss <command>: error: ...`` naming the option and the path, exit status 2,
  and leave nothing behind (not even the folder ``demo --out`` made, nor a traceback after
  the line when an Excel workbook fails); ``/dev/full`` as a destination is refused before
  the run, and as standard output it gives one line naming standard output.
"""
from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).parent / "cyberloss")
BOOK = str(ROOT / "examples" / "portfolio_small.csv")
PROFILE = str(ROOT / "examples" / "sme_manufacturer.toml")
OLD = b"the previous contents of this file\n"
DELAYS = (0.0, 0.005)
RETRIES = 8


def _delays(tried: tuple, landed: list[int]):
    """(run number, delay) for each delay ``tried``, then for 0.0 again while no signal has landed
    inside the write (``landed[0]``), up to RETRIES more: a small file's write (the demo's JSON)
    can begin and end between two looks at the folder on a loaded machine."""
    yield from enumerate(tried)
    for extra in range(RETRIES):
        if landed[0]:
            return
        yield len(tried) + extra, 0.0


def _png_ok(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")


def _parquet_ok(path: Path) -> bool:
    return "gross" in pd.read_parquet(path).columns


def _csv_ok(path: Path) -> bool:
    frame = pd.read_csv(path)
    return "gross" in frame.columns and len(frame) == 100_000


def _json_ok(path: Path) -> bool:
    def refuse(name):
        raise ValueError(name)
    return "recommended" in json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


KINDS = {
    # kind: (command line writing into {folder}, file name, check of a complete new file)
    "parquet": (["portfolio", BOOK, "--years", "100000", "--out", "{folder}/ylt.parquet"], "ylt.parquet",
                _parquet_ok),
    "csv": (["portfolio", BOOK, "--years", "100000", "--out", "{folder}/ylt.csv"], "ylt.csv", _csv_ok),
    "png": (["quote", PROFILE, "--years", "1000", "--plot", "{folder}/ep.png"], "ep.png",
            lambda p: _png_ok(p.read_bytes())),
    "html": (["quote", PROFILE, "--years", "1000", "--html", "{folder}/report.html"], "report.html",
             lambda p: p.read_text(encoding="utf-8").rstrip().endswith("</html>")),
    "json": (["demo", "--years", "1000", "--out", "{folder}"], "quote.json", _json_ok),
}


def _kill_during_write(argv: list[str], folder: Path, name: str, delay: float) -> bool:
    """Start the command, wait for its temporary file, kill -9 ``delay`` s later.  Returns
    whether the kill came while the temporary file still existed (inside the write)."""
    proc = subprocess.Popen([EXE, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    inside = False
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if any(folder.glob(f".{name}.*.part")):
                if delay:
                    time.sleep(delay)
                inside = any(folder.glob(f".{name}.*.part"))
                break
            time.sleep(0.0002)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
    return inside


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kill_9_during_a_write_leaves_the_old_file_or_the_new_one(kind, tmp_path):
    argv, name, complete = KINDS[kind]
    landed = [0]
    for i, delay in _delays(DELAYS + (None,), landed):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        dest = folder / name
        if delay is not None:
            dest.write_bytes(OLD)
        landed[0] += _kill_during_write([a.replace("{folder}", str(folder)) for a in argv], folder, name,
                                        delay or 0.0)
        if dest.exists():
            data = dest.read_bytes()
            assert data == OLD or complete(dest), f"{kind}: {dest} is neither the old file nor a complete one"
        else:
            assert delay is None, f"{kind}: the old file {dest} was removed"
        # besides the outputs, at most a temporary file (hidden, ".part") is left behind
        assert all(p.name in (name, "ep_curve.png", "quote.html") or
                   (p.name.startswith(".") and p.name.endswith(".part")) for p in folder.iterdir())
    # the kills must land inside the write at least once, or the test proves nothing
    assert landed[0] >= 1, f"{kind}: no kill landed while the file was being written"


@pytest.mark.parametrize("kind, signum", [(kind, signal.SIGTERM) for kind in sorted(KINDS)] +
                         [("parquet", signal.SIGHUP)])
def test_sigterm_during_a_write_leaves_no_temporary_file(kind, signum, tmp_path):
    argv, name, complete = KINDS[kind]
    landed = [0]
    for i, delay in _delays(DELAYS, landed):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        dest = folder / name
        dest.write_bytes(OLD)
        proc = subprocess.Popen([EXE, *[a.replace("{folder}", str(folder)) for a in argv]],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(folder.glob(f".{name}.*.part")):
                if delay:
                    time.sleep(delay)
                landed[0] += any(folder.glob(f".{name}.*.part"))
                break
            time.sleep(0.0002)
        if proc.poll() is None:
            proc.send_signal(signum)
        _, err = proc.communicate(timeout=120)
        assert not list(folder.glob(".*.part")), f"{kind}: a temporary file was left behind"
        assert dest.read_bytes() == OLD or complete(dest)
        if proc.returncode == -signum:      # it came once the command had returned
            assert complete(dest)
        elif proc.returncode != 0:
            assert proc.returncode == 128 + signum, err
            assert err.strip().splitlines() == [f"cyberloss {argv[0]}: terminated"]
    assert landed[0] >= 1, f"{kind}: no signal landed while the file was being written"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("after", ["TypeError", "ValueError", "nothing"])
def test_a_termination_lost_inside_a_c_extension_still_terminates(after, signum, monkeypatch, capsys):
    # pybind11 takes an exception raised while it converts an argument (a signal handler's
    # Terminated, say) for a type mismatch: the command then sees a TypeError ("incompatible
    # function arguments", matplotlib's affine_transform under SIGTERM during a PNG write), or
    # another overload runs and it goes on
    import os

    from cyberloss.cli import jnsa as jnsa_command
    from cyberloss.cli import main

    def swallowed(args):
        try:
            os.kill(os.getpid(), signum)
            time.sleep(2)       # the handler runs here
        except KeyboardInterrupt:
            pass
        if after == "TypeError":
            raise TypeError("incompatible function arguments")
        if after == "ValueError":
            raise ValueError("bad value")
        return 0

    monkeypatch.setattr(jnsa_command, "run", swallowed)
    # main handles a signal only if it has its default handler
    default = signal.SIG_DFL if signum == signal.SIGTERM else signal.default_int_handler
    previous = signal.signal(signum, default)
    try:
        assert main(["jnsa"]) == 128 + signum
    finally:
        signal.signal(signum, previous)
    word = "terminated" if signum == signal.SIGTERM else "interrupted"
    assert capsys.readouterr().err.strip().splitlines() == [f"cyberloss jnsa: {word}"]
    assert main(["jnsa", "--help"]) == 0      # the next main starts afresh


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *argv], capture_output=True, text=True, timeout=300, **kwargs)


@contextlib.contextmanager
def _tmpfs(options: str):
    """A fresh tmpfs mounted with ``options`` (needs root and permission to mount)."""
    point = Path(tempfile.mkdtemp(prefix="cyberloss-tmpfs-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)
        point.rmdir()


def _one_line_error(done: subprocess.CompletedProcess, command: str, *names: str) -> str:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"cyberloss {command}: error: "), done.stderr
    for n in names:
        assert n in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("kind", ["parquet", "csv", "png", "html", "json"])
def test_a_full_disk_is_one_line_and_leaves_nothing(kind):
    argv, name, _ = KINDS[kind]
    with _tmpfs("size=64k") as disk:
        (disk / "filler").write_bytes(b"\0" * 40_000)
        if kind != "json":
            (disk / name).write_bytes(OLD)
        done = _run([a.replace("{folder}", str(disk)) for a in argv])
        line = _one_line_error(done, argv[0], str(disk), "No space left on device")
        assert "--out" in line or "--plot" in line or "--html" in line
        if kind != "json":
            assert (disk / name).read_bytes() == OLD
        assert not list(disk.glob(".*.part")), "a temporary file was left behind"


def test_a_full_disk_with_a_workbook_is_one_line():
    # openpyxl's zip file, left open by the failed write, printed "Exception ignored in
    # ZipFile.__del__ ... seek of closed file" with a traceback after the error line
    with _tmpfs("size=64k") as disk:
        (disk / "filler").write_bytes(b"\0" * 56_000)
        done = _run(["quote", PROFILE, "--years", "1000", "--xlsx", str(disk / "quote.xlsx")])
        _one_line_error(done, "quote", "--xlsx", str(disk), "No space left on device")
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]


def test_demo_on_a_full_disk_removes_the_folder_it_made():
    with _tmpfs("size=64k") as disk:
        (disk / "filler").write_bytes(b"\0" * 40_000)
        done = _run(["demo", "--years", "1000", "--out", str(disk / "new" / "demo")])
        _one_line_error(done, "demo", "--out", str(disk), "No space left on device")
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]


@pytest.mark.parametrize("kind", ["parquet", "png", "json"])
def test_a_read_only_folder_is_refused_before_the_run(kind):
    argv, name, _ = KINDS[kind]
    with _tmpfs("ro,size=64k") as folder:
        start = time.monotonic()
        done = _run([a.replace("{folder}", str(folder)) for a in argv])
        _one_line_error(done, argv[0], str(folder), "Read-only file system")
        assert time.monotonic() - start < 60


def test_dev_full_as_destination_and_as_standard_output(tmp_path):
    done = _run(["portfolio", BOOK, "--years", "10", "--out", "/dev/full"])
    _one_line_error(done, "portfolio", "--out", "/dev/full")
    link = tmp_path / "ylt.parquet"
    link.symlink_to("/dev/full")
    done = _run(["portfolio", BOOK, "--years", "10", "--out", str(link)])
    assert "not a regular file" in _one_line_error(done, "portfolio", "--out", str(link))
    assert link.is_symlink()
    with open("/dev/full", "w") as full:
        done = subprocess.run([EXE, "jnsa", "--json", "--replications", "20"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=300)
    _one_line_error(done, "jnsa", "standard output", "No space left on device")


def test_a_closed_pipe_ends_quietly():
    # the reader is gone before the first write: like `cyberloss jnsa | head` after head exits
    done = subprocess.run(f"'{EXE}' jnsa --replications 20 | true; echo ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=300)
    assert done.stderr == ""
    assert done.stdout.strip() == "141"


def test_a_signal_while_the_handlers_are_put_back_meets_the_callers_handler(monkeypatch):
    # A SIGTERM as the command ended once landed in _terminate half-way through the restoring
    # of the handlers: its Terminated escaped main with a traceback (status 1, not 143). Now
    # the signals wait, blocked, until every handler is back, and meet the caller's.
    import os

    from cyberloss import cli
    real = signal.signal
    sent = []

    def signal_then_interrupt(signum, handler):
        if handler is not cli._terminate and not sent:      # the first handler put back
            sent.append(signum)
            os.kill(os.getpid(), signal.SIGINT)
        return real(signum, handler)

    callers = [real(s, h) for s, h in ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGHUP, signal.SIG_DFL),
                                       (signal.SIGINT, signal.default_int_handler))]   # as a shell's Python has them
    try:
        monkeypatch.setattr(signal, "signal", signal_then_interrupt)
        with pytest.raises(KeyboardInterrupt) as caught:    # the caller's Ctrl-C handler
            cli.main(["jnsa", "--replications", "200", "--json"])
        monkeypatch.undo()
        assert type(caught.value) is KeyboardInterrupt and sent
        assert [signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)] == [
            signal.SIG_DFL, signal.SIG_DFL, signal.default_int_handler]
    finally:
        for s, h in zip((signal.SIGTERM, signal.SIGHUP, signal.SIGINT), callers):
            real(s, h)
