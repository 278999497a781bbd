"""Portfolio runs split over a Dask cluster, bit-identical to the local run.

    >>> from cyberloss.portfolio import distributed
    >>> res = distributed.simulate_portfolio(model, years=100_000, seed=1, local_cluster=2)
    >>> res = distributed.simulate_portfolio(model, 100_000, 1, scheduler="tcp://host:8786")
    >>> res = distributed.simulate_portfolio(model, 100_000, 1, client=my_client)

The years are split into the same blocks as :func:`cyberloss.portfolio.simulate.simulate_portfolio`
(``block_years``, default 4096); each block is a pure function of (model, seed, block), runs
on a worker, and the blocks are merged in block order, whatever order they finish in.  So the
year-loss table and the per-policy sums are bit-identical to the local run with the same
seed and block size.  Nothing is started unless asked: give a ``client``, a ``scheduler``
address or ``local_cluster=N`` (a LocalCluster of N single-threaded worker processes, closed
at the end).  ``progress=True`` shows a bar of the years done as blocks complete; a callable gets
(years done, years).

Security.  A scheduler given by address is trusted completely: Dask sends pickled functions
and data, so whoever controls the scheduler (or can reach an unprotected one) can run code in
this process and on every worker.  Use only a scheduler you control, on a network you trust.
A local cluster listens on the loopback interface only, uses TLS with temporary credentials
created for the run (``Security.temporary()``: another user of the machine cannot connect or
submit work to it) and starts no dashboard unless ``dashboard=True`` (then on 127.0.0.1).
``local_cluster`` is capped by ``max_local_workers()``: each worker process needs memory and
open files, and more workers than cores add nothing.  A scheduler that cannot be reached
within ``CONNECT_TIMEOUT`` seconds is refused with a one-line error.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from typing import Callable, Sequence

from .. import _core, _validate
from .._extras import require
from ..report import progress as report_progress
from .result import PortfolioResult
from .simulate import DEFAULT_BLOCK_YEARS, PortfolioModel, blocks, check_run, drawn_theta, run_block

CONNECT_TIMEOUT = 10.0          # seconds to reach a scheduler given by address
WORKERS_PER_CORE = 4
WORKER_BYTES = 256 * 2**20      # memory one idle worker process holds (measured ~150 MiB), with margin
MAX_LOCAL_WORKERS = 256         # open files and processes: a hard cap whatever the machine


def max_local_workers() -> int:
    """The most worker processes a local cluster may start on this machine: at most
    ``WORKERS_PER_CORE`` per core, what the available memory holds at ``WORKER_BYTES`` each,
    and ``MAX_LOCAL_WORKERS``."""
    by_memory = int(_core.available_memory_bytes() // WORKER_BYTES)
    return max(1, min(MAX_LOCAL_WORKERS, WORKERS_PER_CORE * (os.cpu_count() or 1), by_memory))


def check_local_cluster(n, name: str = "local_cluster") -> int:
    n = _validate.positive_int(name, n)
    cap = max_local_workers()
    if n > cap:
        raise ValueError(f"{name} must be at most {cap} worker processes on this machine "
                         f"({os.cpu_count()} cores, {WORKERS_PER_CORE} per core, "
                         f"{_core.available_memory_bytes() / 2**30:.1f} GiB available at "
                         f"{WORKER_BYTES / 2**20:.0f} MiB each), got {n}")
    return n


def _connect(address: str):
    Client = require("dask.distributed", "a Dask scheduler").Client

    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"scheduler {address}: cannot connect within {CONNECT_TIMEOUT:g} s "
                         f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None
    except (ValueError, TypeError) as exc:
        raise ValueError(f"scheduler {address!r}: not a scheduler address such as "
                         f"'tcp://host:8786' ({' '.join(str(exc).split())[:200]})") from None
    except Exception as exc:    # whatever answers there is not a Dask scheduler
        raise ValueError(f"scheduler {address}: no Dask scheduler answers there "
                         f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None


@contextlib.contextmanager
def local_client(n: int, dashboard: bool = False):
    """A Client on a LocalCluster of ``n`` single-threaded worker processes on 127.0.0.1, TLS
    with temporary credentials, the dashboard on 127.0.0.1 only if asked; closed at exit.

    Dask's scheduler and workers always open a plain-HTTP server; by default it serves
    metrics, worker pages, logs and a proxy to every local user.  Without ``dashboard`` both
    serve no route at all."""
    distributed = require("dask.distributed", "local_client")
    require("cryptography", "local_client (TLS between the workers)")
    import dask
    from distributed.security import Security
    Client, LocalCluster = distributed.Client, distributed.LocalCluster

    n = check_local_cluster(n)
    quiet: dict[str, list] = {"distributed.worker.http.routes": []}
    if not dashboard:
        quiet["distributed.scheduler.http.routes"] = []
    with dask.config.set(quiet), \
            LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                         security=Security.temporary(),
                         dashboard_address="127.0.0.1:0" if dashboard else None) as cluster, \
            Client(cluster) as c:
        yield c


@contextlib.contextmanager
def _client(client, scheduler, local_cluster, dashboard: bool = False):
    given = sum(x is not None for x in (client, scheduler, local_cluster))
    if given != 1:
        raise ValueError("give exactly one of client, scheduler (an address) or local_cluster "
                         f"(number of worker processes); got {given}")
    Client = require("dask.distributed", "Dask").Client

    if client is not None:
        if not isinstance(client, Client):
            raise ValueError(f"client must be a dask.distributed.Client, got {type(client).__name__}")
        yield client
        return
    if scheduler is not None:
        if not isinstance(scheduler, str) or not scheduler.strip():
            raise ValueError(f"scheduler must be an address such as 'tcp://host:8786', got {scheduler!r}")
        with _connect(scheduler.strip()) as c:
            yield c
        return
    with local_client(local_cluster, dashboard) as c:
        yield c


def simulate_portfolio(model: PortfolioModel, years: int, seed: int, *, client=None,
                       scheduler: str | None = None, local_cluster: int | None = None,
                       block_years: int = DEFAULT_BLOCK_YEARS, track: Sequence[str] = (),
                       progress: bool | Callable[[int, int], None] = False,
                       dashboard: bool = False) -> PortfolioResult:
    """Run the portfolio model's years in blocks on Dask and merge them in block order."""
    dask_distributed = require("dask.distributed", "simulate_portfolio on Dask")
    if local_cluster is not None:
        require("cryptography", "simulate_portfolio(local_cluster=...) (TLS between the workers)")
    years, seed, block_years, tracked = check_run(model, years, seed, block_years, track)
    if local_cluster is not None:
        check_local_cluster(local_cluster)
    if len(model.portfolio) == 0:     # the systemic multipliers only, drawn here
        return PortfolioResult.empty(model, years, seed, block_years,
                                     drawn_theta(model, years, seed, block_years))

    with _client(client, scheduler, local_cluster, dashboard) as c, \
            report_progress.reporting(progress, "portfolio", total=years) as report:
        shared = c.scatter(model, broadcast=True)
        spans = blocks(years, block_years)
        run = uuid.uuid4().hex     # a task name only: results never depend on it
        futures = [c.submit(run_block, shared, seed, y0, n, tracked, 1,
                            key=f"cyberloss-portfolio-{run}-{y0}")
                   for y0, n in spans]
        size = {f.key: n for f, (_, n) in zip(futures, spans)}
        done = 0
        for f in dask_distributed.as_completed(futures):
            done += size[f.key]
            if report:
                report(done, years)
        parts = c.gather(futures)
    return PortfolioResult.merge(model, years, seed, block_years, tracked, parts)
