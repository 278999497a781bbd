"""Portfolio runs split over a Dask cluster, bit-identical to the local run.

    >>> from cyberloss import distributed
    >>> res = distributed.simulate_portfolio(model, years=100_000, seed=1, local_cluster=2)
    >>> res = distributed.simulate_portfolio(model, 100_000, 1, scheduler="tcp://host:8786")
    >>> res = distributed.simulate_portfolio(model, 100_000, 1, client=my_client)

The years are split into the same blocks as :func:`cyberloss.portfolio.simulate_portfolio`
(``block_years``, default 4096); each block is a pure function of (model, seed, block), runs
on a worker, and the blocks are merged in block order, whatever order they finish in.  So the
year-loss table and the per-policy sums are bit-identical to the local run with the same
seed and block size.  Nothing is started unless asked: give a ``client``, a ``scheduler``
address or ``local_cluster=N`` (a LocalCluster of N single-threaded worker processes, closed
at the end).  ``progress=True`` prints the years done as blocks complete; a callable gets
(years done, years).
"""
from __future__ import annotations

import contextlib
import uuid
from typing import Callable, Sequence

from . import _validate
from .portfolio._model import PortfolioModel
from .portfolio._result import PortfolioResult
from .portfolio._simulate import DEFAULT_BLOCK_YEARS, blocks, check_run, progress_printer, run_block


@contextlib.contextmanager
def _client(client, scheduler, local_cluster):
    given = sum(x is not None for x in (client, scheduler, local_cluster))
    if given != 1:
        raise ValueError("give exactly one of client, scheduler (an address) or local_cluster "
                         f"(number of worker processes); got {given}")
    from dask.distributed import Client, LocalCluster

    if client is not None:
        if not isinstance(client, Client):
            raise ValueError(f"client must be a dask.distributed.Client, got {type(client).__name__}")
        yield client
        return
    if scheduler is not None:
        if not isinstance(scheduler, str) or not scheduler:
            raise ValueError(f"scheduler must be an address such as 'tcp://host:8786', got {scheduler!r}")
        with Client(scheduler) as c:
            yield c
        return
    n = _validate.positive_int("local_cluster", local_cluster)
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def simulate_portfolio(model: PortfolioModel, years: int, seed: int, *, client=None,
                       scheduler: str | None = None, local_cluster: int | None = None,
                       block_years: int = DEFAULT_BLOCK_YEARS, track: Sequence[str] = (),
                       progress: bool | Callable[[int, int], None] = False) -> PortfolioResult:
    """Run the portfolio model's years in blocks on Dask and merge them in block order."""
    years, seed, block_years, tracked = check_run(model, years, seed, block_years, track)
    if len(model.portfolio) == 0:
        return PortfolioResult.empty(model, years, seed, block_years)
    report = progress_printer() if progress is True else (progress or None)
    from dask.distributed import as_completed

    with _client(client, scheduler, local_cluster) as c:
        shared = c.scatter(model, broadcast=True)
        spans = blocks(years, block_years)
        run = uuid.uuid4().hex     # a task name only: results never depend on it
        futures = [c.submit(run_block, shared, seed, y0, n, tracked, 1,
                            key=f"cyberloss-portfolio-{run}-{y0}")
                   for y0, n in spans]
        size = {f.key: n for f, (_, n) in zip(futures, spans)}
        done = 0
        for f in as_completed(futures):
            done += size[f.key]
            if report:
                report(done, years)
        parts = c.gather(futures)
    return PortfolioResult.merge(model, years, seed, block_years, tracked, parts)
