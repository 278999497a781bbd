"""Simulation of a portfolio in blocks of years, aggregated as it goes.

A block of years [y0, y1) is a pure function of (model, seed, y0, y1): its events come from
the C++ generator (cyberloss._core.portfolio_events), their ground-up losses from the
model's loss function, the policies' terms and the reinsurance programme are applied, and
only per-year rows and per-policy sums are kept.  Blocks are merged in block order, so a run
is bit-identical whether its blocks run here or on Dask workers.  Year losses do not depend
on the block size; per-policy sums do in their last bits (floating-point addition order), so
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
    n_pol, types = len(p), model.attack_types
    freq = _core.PortfolioFrequency(model.rates().tolist(), model.variances())
    ev = _core.portfolio_events(freq, seed, first_year, years, threads)
    events = {k: ev[k] for k in ("policy", "type", "year", "k", "u")}
    events["seed"] = seed
    ground_up = np.asarray(model.loss(p, events), dtype=np.float64)
    if ground_up.shape != events["u"].shape:
        raise ValueError(f"loss function returned shape {ground_up.shape}, expected {events['u'].shape}")
    bad = ~np.isfinite(ground_up) | (ground_up < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"loss function returned {ground_up[i]!r} for policy row {int(events['policy'][i]) + 1}, "
                         f"attack type {types[int(events['type'][i])]!r}: losses must be finite and >= 0")
    t = p.table
    yi = events["year"] - first_year
    insured = apply_terms(events["policy"], yi, ground_up, t["deductible"].to_numpy(float),
                          t["occurrence_limit"].to_numpy(float), t["aggregate_limit"].to_numpy(float), n_pol)
    columns = model.reinsurance.apply(yi, events["type"], insured, years, len(types))
    columns["ground_up"] = np.bincount(yi, weights=ground_up, minlength=years)
    columns["events"] = ev["counts"].sum(axis=1)

    key = yi.astype(np.int64) * n_pol + events["policy"]
    uniq, inverse = np.unique(key, return_inverse=True)
    annual = np.bincount(inverse, weights=insured, minlength=uniq.size)
    pol = (uniq % n_pol).astype(np.int64)
    policy_sum = np.bincount(pol, weights=annual, minlength=n_pol)
    policy_sumsq = np.bincount(pol, weights=annual * annual, minlength=n_pol)
    policy_events = np.bincount(events["policy"], minlength=n_pol).astype(np.int64)

    tracked = np.asarray(tracked, dtype=np.int64)
    m = tracked.size
    matrix = np.zeros((years, m))
    if m:
        slot = np.full(n_pol, -1, dtype=np.int64)
        slot[tracked] = np.arange(m)
        s = slot[pol]
        hit = s >= 0
        matrix[(uniq[hit] // n_pol), s[hit]] = annual[hit]
    return BlockResult(first_year, columns, ev["theta"], ev["counts"], policy_sum, policy_sumsq,
                       policy_events, matrix.sum(axis=0), matrix.T @ matrix)


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
    concatenation), one block's events with their working arrays (about 200 bytes each at
    mean + 6 sd of the block's count, ignoring the shock's spread) and per-policy sums."""
    n_types = len(model.attack_types)
    ylt = 2.0 * years * (len(YLT_COLUMNS) + 2 * n_types + 1) * 8
    mean = model.expected_events() * block_years
    events = 200.0 * (mean + 6 * math.sqrt(mean))
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
