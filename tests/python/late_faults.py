"""A run's document that breaks, in the worker process that runs it, what the worker sends after
the result (its figures in the other languages, its report), for ``test_web.py``.

A worker comes from the fork server and takes its arguments by pickle, so patching this process
reaches no worker: the document itself carries the fault, and sets it up as the worker unpickles
it (the worker's ``sys.path`` is the test process's, so it finds this module).  The server keeps
the document as it was given, a dict with the same keys and values.
"""
from __future__ import annotations

import os
import signal
from collections.abc import Iterator, Mapping
from typing import Any

#: How the worker fails: killed as the out-of-memory killer would, a drawing library's error
#: (the worker ends with a traceback and exit code 1), and a ValueError (which the worker sends
#: as ("error", ...) and ends normally).
FAULTS = ("killed", "crash", "value_error")


class Breaking(dict):
    """``document`` that, unpickled in a worker, makes its run fail as ``fault`` says after
    the worker has sent ``sent`` of the messages that follow the result."""

    def __init__(self, document: Mapping[str, Any], fault: str, sent: int = 0):
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {', '.join(FAULTS)}, got {fault!r}")
        super().__init__(document)
        self.fault, self.sent = fault, sent

    def __reduce__(self):
        return _break, (dict(self), self.fault, self.sent)


def _break(document: dict[str, Any], fault: str, sent: int) -> dict[str, Any]:
    from cyberloss.web import worker

    def failing(run: worker.Run) -> worker.Run:
        def wrapped(doc, send, page_lang):
            result, later = run(doc, send, page_lang)
            return result, _fail(later, fault, sent)
        return wrapped
    worker.RUNS = {kind: failing(run) for kind, run in worker.RUNS.items()}
    return document


def _fail(later: Iterator[tuple], fault: str, sent: int) -> Iterator[tuple]:
    for _ in range(sent):
        yield next(later)
    if fault == "killed":
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == "value_error":
        raise ValueError("the figure could not be laid out")
    raise RuntimeError("the drawing library failed")
