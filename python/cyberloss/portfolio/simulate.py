"""Simulation of a portfolio in blocks of years, aggregated as it goes.

A block of years [y0, y1) is a pure function of (model, seed, y0, y1), computed in C++ in one
call (``_core.portfolio_block``): events, their ground-up losses, the policies' terms, the
reinsurance programme, per-year rows and per-policy sums.  A loss with a compiled counterpart
(``to_core``: :class:`SurveySeverity`, :class:`FixedLoss`) is computed there too; any other
loss function runs in Python on the block's events and its losses are passed down
(``_core.portfolio_block_from_losses``).  Blocks are merged in block order, so a run is
bit-identical whether its blocks run here or on Dask workers.  Year losses do not depend on
the block size; per-policy sums do in their last bits (floating-point addition order), so
the block size is part of a run's definition (default 4096 years).
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .. import _core, _validate
from ._model import PortfolioModel
from ._result import YLT_COLUMNS

DEFAULT_BLOCK_YEARS = 4096
MAX_TRACKED = 500


@dataclass
class BlockResult:
    """One block's year rows and per-policy sums (see :func:`run_block`)."""

    first_year: int
    columns: dict[str, np.ndarray]       # per year of the block
    theta: np.ndarray                    # (years, n_types)
    counts: np.ndarray                   # (years, n_types)
    policy_sum: np.ndarray               # per policy: sum over years of its annual insured loss
    policy_sumsq: np.ndarray             # ... of its square
    policy_events: np.ndarray            # ... number of incidents
    tracked_sum: np.ndarray              # (m,) annual losses of the tracked policies
    tracked_cross: np.ndarray            # (m, m) sum over years of products


def apply_terms(policy: np.ndarray, year_index: np.ndarray, ground_up: np.ndarray,
                deductible: np.ndarray, occurrence_limit: np.ndarray,
                aggregate_limit: np.ndarray, n_policies: int) -> np.ndarray:
    """Insured loss per incident: ``min((X - d)^+, L_occ)``, then the policy's annual
    aggregate limit consumed in event order (year, attack type, k)."""
    x = np.minimum(np.maximum(ground_up - deductible[policy], 0.0), occurrence_limit[policy])
    agg = aggregate_limit[policy]
    if not np.isfinite(agg).any() or x.size == 0:
        return x
    key = year_index.astype(np.int64) * n_policies + policy
    order = np.argsort(key, kind="stable")
    k_sorted = key[order]
    start = np.r_[True, k_sorted[1:] != k_sorted[:-1]]
    group = np.cumsum(start) - 1
    first = np.flatnonzero(start)
    rank = np.arange(k_sorted.size) - first[group]
    used = np.zeros(first.size)
    paid_sorted = np.empty(k_sorted.size)
    xs, caps = x[order], agg[order]
    for r in range(int(rank.max()) + 1):
        sel = np.flatnonzero(rank == r)
        g = group[sel]
        pay = np.minimum(xs[sel], np.maximum(caps[sel] - used[g], 0.0))
        paid_sorted[sel] = pay
        used[g] = used[g] + pay
    paid = np.empty_like(x)
    paid[order] = paid_sorted
    return paid


def run_block(model: PortfolioModel, seed: int, first_year: int, years: int,
              tracked: Sequence[int] = (), threads: int = 0) -> BlockResult:
    """Simulate years [first_year, first_year + years) of the model."""
    p = model.portfolio
    t = p.table
    freq = _core.PortfolioFrequency(model.rates().tolist(), model.variances())
    terms = [t[c].to_numpy(float) for c in ("deductible", "occurrence_limit", "aggregate_limit")]
    programme = model.reinsurance.to_core()
    tracked = [int(i) for i in tracked]
    if hasattr(model.loss, "to_core"):
        b = _core.portfolio_block(freq, model.loss.to_core(p), *terms, programme, seed, first_year,
                                  years, tracked, threads)
    else:
        ev = _core.portfolio_events(freq, seed, first_year, years, threads)
        events = {k: ev[k] for k in ("policy", "type", "year", "k", "u")}
        events["seed"] = seed
        ground_up = _checked_losses(model, events)
        b = _core.portfolio_block_from_losses(ev, first_year, ground_up, *terms, programme, tracked, threads)
    return BlockResult(first_year, {c: b[c] for c in YLT_COLUMNS}, b["theta"], b["counts"], b["policy_sum"],
                       b["policy_sumsq"], b["policy_events"], b["tracked_sum"], b["tracked_cross"])


def _checked_losses(model: PortfolioModel, events: dict) -> np.ndarray:
    """The model's Python loss function on the block's events, refused unless one finite
    amount >= 0 per event."""
    ground_up = np.asarray(model.loss(model.portfolio, events), dtype=np.float64)
    if ground_up.shape != events["u"].shape:
        raise ValueError(f"loss function returned shape {ground_up.shape}, expected {events['u'].shape}")
    bad = ~np.isfinite(ground_up) | (ground_up < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"loss function returned {ground_up[i]!r} for policy row {int(events['policy'][i]) + 1}, "
                         f"attack type {model.attack_types[int(events['type'][i])]!r}: losses must be finite and >= 0")
    return ground_up


def blocks(years: int, block_years: int) -> list[tuple[int, int]]:
    """(first_year, years) of each block, in order."""
    return [(y0, min(block_years, years - y0)) for y0 in range(0, years, block_years)]


def check_run(model, years, seed, block_years, track) -> tuple[int, int, int, list[int]]:
    if not isinstance(model, PortfolioModel):
        raise ValueError(f"model must be a PortfolioModel, got {type(model).__name__}")
    years = _validate.positive_int("years", years)
    seed = _validate.seed(seed)
    block_years = _validate.positive_int("block_years", block_years)
    ids = list(model.portfolio.table["policy_id"])
    tracked = []
    for pid in track or ():
        if str(pid) not in ids:
            raise ValueError(f"track: unknown policy_id {pid!r}")
        tracked.append(ids.index(str(pid)))
    if len(tracked) > MAX_TRACKED:
        raise ValueError(f"track: at most {MAX_TRACKED} policies, got {len(tracked)}")
    _validate.fits_in_memory(required_bytes(model, years, min(block_years, years), len(tracked)),
                             f"a portfolio run of {years:,} years (year-loss table, one block's "
                             "events, per-policy sums)", "use fewer years or smaller blocks")
    return years, seed, block_years, tracked


def required_bytes(model, years: int, block_years: int, tracked: int = 0) -> float:
    """Memory a run holds at its peak: the year-loss table (the merged blocks and their
    concatenation), one block's events with their working arrays at mean + 6 sd of the
    block's count, ignoring the shock's spread (``_core.portfolio_block_bytes_per_event`` each
    for a compiled loss, an upper bound: that block holds only the pieces in flight; about 200
    bytes for a Python loss function, whose events are NumPy arrays as well) and per-policy
    sums."""
    n_types = len(model.attack_types)
    ylt = 2.0 * years * (len(YLT_COLUMNS) + 2 * n_types + 1) * 8
    mean = model.expected_events() * block_years
    per_event = _core.portfolio_block_bytes_per_event if hasattr(model.loss, "to_core") else 200.0
    events = per_event * (mean + 6 * math.sqrt(mean))
    policies = 8.0 * 8 * len(model.portfolio) + block_years * tracked * 8 + tracked * tracked * 8
    return ylt + events + policies


def progress_printer(stream=sys.stderr) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        print(f"\rsimulated {done:,} / {total:,} years ({100 * done / total:.0f}%)",
              end="" if done < total else "\n", file=stream, flush=True)
    return report


def simulate_portfolio(model: PortfolioModel, years: int, seed: int,
                       block_years: int = DEFAULT_BLOCK_YEARS, track: Sequence[str] = (),
                       threads: int | None = None,
                       progress: bool | Callable[[int, int], None] = False):
    """Simulate ``years`` years of the portfolio model on this machine.

    The result depends only on (model, seed, years, block_years).  ``track`` names up to
    500 policies whose annual losses are correlated pairwise (``result.correlation()``).
    ``progress=True`` prints to stderr; a callable gets (years done, years).
    """
    from ._result import PortfolioResult

    years, seed, block_years, tracked = check_run(model, years, seed, block_years, track)
    if len(model.portfolio) == 0:
        return PortfolioResult.empty(model, years, seed, block_years)
    report = progress_printer() if progress is True else (progress or None)
    parts = []
    done = 0
    for y0, n in blocks(years, block_years):
        parts.append(run_block(model, seed, y0, n, tracked, _validate.threads(threads)))
        done += n
        if report:
            report(done, years)
    return PortfolioResult.merge(model, years, seed, block_years, tracked, parts)
