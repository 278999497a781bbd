"""Progress of long runs on a terminal: "simulated 12,000 / 100,000 years (12%)"."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

Progress = Callable[[int, int], None]


def printer(stream: TextIO | None = None, what: str = "years") -> Progress:
    """A callback ``report(done, total)`` that rewrites one line on ``stream`` (stderr by
    default) and ends it when ``done == total``."""
    def report(done: int, total: int) -> None:
        out = sys.stderr if stream is None else stream
        print(f"\rsimulated {done:,} / {total:,} {what} ({100 * done / total:.0f}%)",
              end="" if done < total else "\n", file=out, flush=True)
    return report


def callback(progress: bool | Progress | None) -> Progress | None:
    """``progress=True`` -> a stderr printer; a callable is used as it is; False/None -> None."""
    if progress is True:
        return printer()
    return progress or None
