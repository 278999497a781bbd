"""Progress of long runs: a bar (``tqdm.auto``) on a terminal or in a notebook.

Every long call of the package takes ``progress``: ``True`` for a bar, ``False``/``None`` for
none, or a callable ``report(done, total)`` (the engine's C++ counters call it as blocks of
years finish).  A bar appears only once a run has lasted ``DELAY`` seconds (2 s; the
environment variable ``CYBERLOSS_PROGRESS_DELAY`` changes it), so quick runs print nothing.
Bars write to stderr and clear their line when they close, also on Ctrl-C, so what is
printed next starts on a fresh line.  The command line shows them when stderr is a terminal,
unless ``--quiet`` or ``--json`` is given (:func:`wanted`).
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from .._extras import MissingExtra, require

Progress = Callable[[int, int], None]
DELAY = 2.0


def delay() -> float:
    """Seconds before a bar appears (``CYBERLOSS_PROGRESS_DELAY``, default ``DELAY``)."""
    text = os.environ.get("CYBERLOSS_PROGRESS_DELAY", "")
    try:
        value = float(text) if text else DELAY
    except ValueError:
        return DELAY
    return value if value >= 0 else DELAY


def wanted(quiet: bool = False, json: bool = False, stream: TextIO | None = None) -> bool:
    """Whether the command line shows progress: not with ``--quiet`` or ``--json``, and only
    on a terminal (a log file or a pipe gets no bar)."""
    out = sys.stderr if stream is None else stream
    return not quiet and not json and bool(getattr(out, "isatty", lambda: False)())


def _width(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return 0


class _Percent:
    """The bar without tqdm (``pip install cyberloss`` without the ``report`` extra): one line,
    rewritten in place, once the run has lasted the delay; cleared when it closes."""

    def __init__(self, total: int, desc: str, what: str, stream: TextIO):
        self.total, self.desc, self.what, self.stream = total, desc, what, stream
        self.n, self._start, self._shown = 0, time.monotonic(), False

    def update(self, step: int) -> None:
        self.n += step
        if time.monotonic() - self._start >= delay():
            self.stream.write(f"\r{self.desc}: {100 * self.n // max(self.total, 1)}% of "
                              f"{self.total:,} {self.what}")
            self.stream.flush()
            self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


class Bar:
    """A progress bar fed with ``(done, total)`` by a C++ counter or a Python loop.

    ``what`` names the unit ("years", "grid cells"), ``desc`` the stage ("simulate").  The
    bar opens on the first report and closes when ``done == total`` or when the ``with``
    block ends (Ctrl-C included), leaving no half-drawn line."""

    def __init__(self, desc: str, what: str = "years", stream: TextIO | None = None):
        self.desc, self.what, self.stream = desc, what, stream
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            out = sys.stderr if self.stream is None else self.stream
            try:
                tqdm = require("tqdm.auto", "progress bars").tqdm
            except MissingExtra:      # a core-only install: a plain percentage instead
                self._bar = _Percent(total, self.desc, self.what, out)
                self.__call__(done, total)
                return
            sized = _width(out) > 0     # a terminal that reports no size (0 x 0) gets 80 x 24
            self._bar = tqdm(total=total, desc=self.desc, unit=self.what, unit_scale=total >= 10_000,
                             delay=delay(), leave=False, dynamic_ncols=sized,
                             ncols=None if sized else 80, nrows=None if sized else 24, file=out)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Bar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def reporting(progress: bool | Progress | None, desc: str, what: str = "years",
              total: int | None = None) -> Iterator[Progress | None]:
    """The callback for ``progress`` within a block: a :class:`Bar` for ``True`` (started at
    0 of ``total`` if given, closed when the block ends), the callable itself, or None."""
    if progress is True:
        with Bar(desc, what) as bar:
            if total:
                bar(0, total)
            yield bar
    else:
        yield progress or None


def part(report: Progress | None, index: int, parts: int) -> Progress | None:
    """The callback of run ``index`` of ``parts`` equal runs that share one bar: run i's
    ``(done, total)`` is reported as ``(i * total + done, parts * total)``."""
    if report is None:
        return None

    def shared(done: int, total: int) -> None:
        report(index * total + done, parts * total)
    return shared
