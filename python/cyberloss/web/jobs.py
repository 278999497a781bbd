"""Runs in the background: each in its own worker process, at most ``max_running`` at once
(the others wait in order of submission), with progress and cancellation.

A worker process per run keeps the server responsive (the simulation holds no lock the server
needs), keeps two browser tabs on different inputs apart (each is its own run; tabs on the same
inputs follow one run, which a cancel in either stops), and makes cancelling certain: the
process is ended and the operating system takes back all of its memory.
Workers come from a fork server that has imported the package once, so a run starts in
milliseconds without forking the threaded server itself.

A worker sends ("progress", share done, phase) as it runs, then ("result", data) or ("error",
one line) (``worker.main``).  The result is kept, and shown, as soon as it arrives: it holds the
figures in the language of the page that started the run; the worker then sends
("figures", {name: {lang: SVG}}) with those in the other languages and ("report", ...) with the
HTML report and workbook, which are added to the kept result.  The result is shared by the
pages in every language (a page whose figures are not drawn yet says so).  A worker that ends
without sending all of these (it crashed, was killed, or failed drawing them) leaves them lost:
the job says so (``Job.late``), and the pages and downloads say that they failed.
"""
from __future__ import annotations

import collections
import dataclasses
import logging
import multiprocessing
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any

from . import text, worker

log = logging.getLogger("cyberloss.web")

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)
#: What the worker sends after the result: still DRAWING while it runs, then DRAWN, or LOST when
#: it ended without sending all of it.
DRAWING, DRAWN, LOST = "drawing", "drawn", "lost"
#: How long a cancelled worker is given to end on SIGTERM before it is killed.
TERMINATE_GRACE = 1.0


class Busy(RuntimeError):
    """Too many runs are waiting: the submission is refused (the server says so, 503)."""


@dataclasses.dataclass
class Job:
    id: str
    kind: str
    document: Mapping[str, Any]
    key: str
    lang: str = text.LANGS[0]
    state: str = QUEUED
    progress: float = 0.0
    phase: str = ""
    result: dict[str, Any] | None = None
    error: str = ""
    submitted: float = dataclasses.field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    pid: int | None = None
    late: str = DRAWING
    process: Any = dataclasses.field(default=None, repr=False)

    def status(self) -> dict[str, Any]:
        """What the page polls (JSON)."""
        return {"id": self.id, "state": self.state, "progress": round(self.progress, 4),
                "phase": self.phase, "error": self.error}


class JobManager:
    """Submits, runs, reports and cancels runs; keeps the last ``keep`` finished ones and
    refuses a submission when ``max_queued`` are waiting."""

    def __init__(self, max_running: int = 2, keep: int = 32, max_queued: int = 16):
        if max_running < 1:
            raise ValueError(f"max_running must be an integer >= 1, got {max_running!r}")
        self.max_running = max_running
        self.keep = keep
        self.max_queued = max_queued
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._queue: collections.deque[Job] = collections.deque()
        self._running = 0
        self._results: collections.OrderedDict[str, Job] = collections.OrderedDict()
        self._context = multiprocessing.get_context("forkserver")
        # matplotlib.pyplot too: its import (about 0.5 s) was every run's. No font file is opened
        # before the fork (a file opened there would share its offset among concurrent workers).
        self._context.set_forkserver_preload(["cyberloss.web.worker", "matplotlib.pyplot"])

    def submit(self, kind: str, document: Mapping[str, Any], key: str, lang: str = text.LANGS[0]) -> Job:
        """Queue a run of ``worker.RUNS[kind]`` on a checked document for a page in ``lang`` (its
        figures are drawn first); ``key`` names its inputs (finished results are found again by
        it, whatever the language).  A run of the same inputs that is waiting or running is
        returned instead of a new one: a refresh or a second tab follows it."""
        if kind not in worker.RUNS:
            raise ValueError(f"kind must be one of {', '.join(worker.RUNS)}, got {kind!r}")
        if lang not in text.LANGS:
            raise ValueError(f"lang must be one of {', '.join(text.LANGS)}, got {lang!r}")
        job = Job(secrets.token_urlsafe(9), kind, document, key, lang)
        with self._lock:
            same = next((j for j in self._jobs.values() if j.key == key and j.state in (QUEUED, RUNNING)), None)
            if same is not None:
                return same
            if len(self._queue) >= self.max_queued:
                raise Busy(f"{len(self._queue)} runs are already waiting; try again when one has finished")
            self._jobs[job.id] = job
            self._queue.append(job)
            self._forget_old()
        self._pump()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def kept(self, key: str) -> Job | None:
        """The run on the inputs ``key`` whose result is kept, if one is (its worker may still
        draw what follows the result: read its ``late`` before its result)."""
        with self._lock:
            found = self._results.get(key)
            if found is not None:
                self._results.move_to_end(key)
            return found

    def cancel(self, job_id: str) -> Job | None:
        """Stop a run: a queued one never starts, a running one's process is ended."""
        job = self._jobs.get(job_id)
        if job is None:
            return None
        with self._lock:
            if job.state == QUEUED:
                self._queue.remove(job)
                self._finish(job, CANCELLED)
                return job
            if job.state != RUNNING:
                return job
            job.state = CANCELLED
            process = job.process
        if process is not None:
            process.terminate()
            process.join(TERMINATE_GRACE)
            if process.is_alive():
                process.kill()
                process.join()
        return job

    def wait(self, job_id: str, timeout: float) -> Job:
        """Block until the run has finished or ``timeout`` seconds have passed (tests)."""
        end = time.monotonic() + timeout
        job = self._jobs[job_id]
        while job.state not in FINISHED and time.monotonic() < end:
            time.sleep(0.02)
        return job

    def shutdown(self) -> None:
        for job in list(self._jobs.values()):
            if job.state in (QUEUED, RUNNING):
                self.cancel(job.id)

    def _pump(self) -> None:
        with self._lock:
            while self._running < self.max_running and self._queue:
                job = self._queue.popleft()
                job.state = RUNNING
                job.started = time.monotonic()
                self._running += 1
                threading.Thread(target=self._run, args=(job,), name=f"run-{job.id}", daemon=True).start()

    def _run(self, job: Job) -> None:
        receiver, sender = self._context.Pipe(duplex=False)
        try:
            process = self._context.Process(target=worker.main, args=(job.kind, job.document, sender, job.lang),
                                            name=f"cyberloss-run-{job.id}", daemon=True)
            with self._lock:
                cancelled = job.state == CANCELLED
                if not cancelled:
                    process.start()
                    job.process, job.pid = process, process.pid
            sender.close()
            if cancelled:
                return
            error: str | None = None
            result: dict[str, Any] | None = None
            while True:
                try:
                    message = receiver.recv()
                except (EOFError, OSError):
                    break
                if message[0] == "progress":
                    job.progress, job.phase = message[1], message[2]
                elif message[0] == "result":
                    result = message[1]
                    self._done(job, result)
                elif message[0] == "figures" and result is not None:
                    for name, drawn in message[1].items():      # a new dict: a page may be reading the old
                        result[name] = {**result[name], **drawn}
                elif message[0] == "report" and result is not None:
                    # the workbook first: a download waits for report_html, then reads both
                    result["report_xlsx"] = message[1]["xlsx"]
                    result["report_html"] = message[1]["html"]
                elif message[0] == "error":
                    error = message[1]
            process.join()
            with self._lock:
                if job.state == CANCELLED:
                    return
                if process.exitcode not in (0, None):
                    log.error("run %s (%s) ended with exit code %s", job.id, job.kind, process.exitcode)
                if result is None:
                    job.error = error or "the run ended unexpectedly (details in the server log)"
                    job.state = FAILED
                elif error is None and process.exitcode == 0:
                    job.late = DRAWN
                else:
                    log.error("run %s (%s) ended before drawing what follows its result (figures in the other "
                              "languages, report): %s", job.id, job.kind, error or f"exit code {process.exitcode}")
        except Exception:
            log.exception("run %s (%s) failed", job.id, job.kind)
            job.error = "the run failed (details in the server log)"
            job.state = FAILED
        finally:
            receiver.close()
            with self._lock:
                if job.late == DRAWING:     # the worker has ended: what it did not send will not come
                    job.late = LOST
                self._finish(job, job.state)
                self._running -= 1
            self._pump()

    def _done(self, job: Job, result: dict[str, Any]) -> None:
        """The result is in: the page can show it (the worker may still draw the figures in the
        other languages and the report, and holds its slot until it ends)."""
        with self._lock:
            if job.state == CANCELLED:
                return
            job.result = result
            job.progress = 1.0
            job.state = DONE
            self._results[job.key] = job
            while len(self._results) > self.keep:
                self._results.popitem(last=False)

    def _finish(self, job: Job, state: str) -> None:
        job.state = state
        job.process = None
        if job.finished is None:
            job.finished = time.monotonic()

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.state in FINISHED]
        for job in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[job.id]
