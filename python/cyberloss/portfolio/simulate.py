"""What a portfolio run simulates (:class:`PortfolioModel`) and the run itself, in blocks.

A block of years [y0, y1) is a pure function of (model, seed, y0, y1), computed in C++ in one
call (``_core.portfolio_block``): events, their ground-up losses, the policies' terms, the
reinsurance programme, per-year rows and per-policy sums.  A built-in loss (``to_core``:
:class:`~.losses.SurveySeverity`, :class:`~.losses.FixedLoss`,
:class:`~.losses.OrganisationLoss`, :class:`~.losses.CoveredLoss`) is computed there too; any
other loss function runs in Python on the block's events and its losses are passed down
(``_core.portfolio_block_from_losses``).  Blocks are merged in block order, so a run is
bit-identical whether its blocks run here or on Dask workers.  Year losses do not depend on
the block size; per-policy sums do in their last bits (floating-point addition order), so
the block size is part of a run's definition (default 4096 years).
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _core, _validate
from ..report import progress as report_progress
from .book import Portfolio
from .losses import SurveySeverity
from .reinsurance import Programme
from .result import BLOCK_COLUMNS, PortfolioResult
from .systemic import Scenario, SystemicShock

DEFAULT_BLOCK_YEARS = 4096
MAX_TRACKED = 500
#: The fewest years a run takes: its summary's standard deviations need two.
MIN_YEARS = 2


@dataclasses.dataclass(frozen=True)
class PortfolioModel:
    """What a portfolio run simulates: policies, per-incident loss, systemic shock,
    reinsurance and an optional named scenario.

    ``loss`` defaults to the calibrated survey severity (unscaled), ``systemic`` to the
    derived default variances, ``reinsurance`` to none.  A loss is a built-in loss (computed
    by the core) or any callable ``loss(portfolio, events) -> losses`` (see ``losses``).
    """

    portfolio: Portfolio
    loss: Any = None
    # None: the defaults, filled at construction
    systemic: SystemicShock = None  # type: ignore[assignment]
    reinsurance: Programme = None  # type: ignore[assignment]
    scenario: Scenario | None = None
    _compiled: "CompiledModel | None" = dataclasses.field(default=None, init=False, repr=False,
                                                          compare=False)

    def __post_init__(self):
        if not isinstance(self.portfolio, Portfolio):
            raise ValueError(f"portfolio must be a cyberloss.portfolio.Portfolio, got {type(self.portfolio).__name__}")
        loss = self.loss if self.loss is not None else SurveySeverity.from_calibration(
            self.portfolio.calibration, period=self.portfolio.period, basis=self.portfolio.basis)
        if not (hasattr(loss, "to_core") or callable(loss)):
            raise ValueError(f"loss must be a built-in loss or a callable (portfolio, events) -> losses, got {loss!r}")
        systemic = self.systemic if self.systemic is not None else SystemicShock.default(self.portfolio.calibration)
        if not isinstance(systemic, SystemicShock):
            raise ValueError(f"systemic must be a SystemicShock, got {systemic!r}")
        systemic.vector(self.portfolio.attack_types)
        programme = self.reinsurance if self.reinsurance is not None else Programme()
        if not isinstance(programme, Programme):
            raise ValueError(f"reinsurance must be a cyberloss.portfolio.reinsurance.Programme, got {programme!r}")
        if self.scenario is not None and not isinstance(self.scenario, Scenario):
            raise ValueError(f"scenario must be a Scenario, got {self.scenario!r}")
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "systemic", systemic)
        object.__setattr__(self, "reinsurance", programme)

    def __getstate__(self) -> dict:
        # the compiled objects stay behind: a Dask worker builds its own once
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "_compiled"}

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_compiled", None)

    @property
    def attack_types(self) -> list[str]:
        """The calibration's attack types, in the order of every per-type array."""
        return self.portfolio.attack_types

    def rates(self) -> np.ndarray:
        """(n_types, n_policies) rates with the scenario's factors applied."""
        r = np.array(self.portfolio.rates, dtype=float)
        if self.scenario is not None:
            unknown = set(self.scenario.rate_factors) - set(self.attack_types)
            if unknown:
                raise ValueError(f"scenario {self.scenario.name!r} names unknown attack type(s) {sorted(unknown)}")
            r *= np.array([self.scenario.factor(a) for a in self.attack_types])[:, None]
        return r

    def variances(self) -> list[float]:
        """The systemic shock's variance for each attack type (0: no shock)."""
        return self.systemic.vector(self.attack_types)

    def expected_events(self) -> float:
        """Expected incidents per simulated year over the whole book."""
        return float(self.rates().sum())

    @property
    def compiled_loss(self) -> bool:
        """Whether the loss model runs in the C++ core (every built-in one does)."""
        return hasattr(self.loss, "to_core")

    def core(self) -> "CompiledModel":
        """The compiled frequency, loss (None for a Python loss function), policy terms and
        programme, built once per model (and per process)."""
        if self._compiled is not None:
            return self._compiled
        t = self.portfolio.table
        compiled = CompiledModel(
            _core.PortfolioFrequency(self.rates().tolist(), self.variances()),
            self.loss.to_core(self.portfolio) if self.compiled_loss else None,
            t["deductible"].to_numpy(float), t["occurrence_limit"].to_numpy(float),
            t["aggregate_limit"].to_numpy(float), self.reinsurance.to_core())
        object.__setattr__(self, "_compiled", compiled)
        return compiled

    def describe(self) -> pd.DataFrame:
        """Per attack type: expected events per year across the book and the shock variance."""
        r = self.rates()
        return pd.DataFrame({"attack_type": self.attack_types, "expected_events": r.sum(axis=1),
                             "systemic_variance": self.variances()})


@dataclasses.dataclass(frozen=True)
class CompiledModel:
    """A portfolio model as the core's block reads it."""

    frequency: _core.PortfolioFrequency
    loss: _core.PortfolioLoss | None
    deductible: np.ndarray
    occurrence_limit: np.ndarray
    aggregate_limit: np.ndarray
    programme: _core.ReinsuranceProgramme

    @property
    def terms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.deductible, self.occurrence_limit, self.aggregate_limit


@dataclasses.dataclass
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


def run_block(model: PortfolioModel, seed: int, first_year: int, years: int,
              tracked: Sequence[int] = (), threads: int = 0) -> BlockResult:
    """Simulate years [first_year, first_year + years) of the model."""
    c = model.core()
    rows = [int(i) for i in tracked]
    if c.loss is not None:
        b = _core.portfolio_block(c.frequency, c.loss, c.deductible, c.occurrence_limit,
                                  c.aggregate_limit, c.programme, seed, first_year, years, rows,
                                  threads)
    else:
        ev = _core.portfolio_events(c.frequency, seed, first_year, years, threads)
        events: dict[str, Any] = {k: ev[k] for k in ("policy", "type", "year", "k", "u")}
        events["seed"] = seed
        ground_up = _checked_losses(model, events)
        b = _core.portfolio_block_from_losses(ev, first_year, ground_up, c.deductible,
                                              c.occurrence_limit, c.aggregate_limit, c.programme,
                                              rows, threads)
    return BlockResult(first_year, {k: b[k] for k in BLOCK_COLUMNS}, b["theta"], b["counts"],
                       b["policy_sum"], b["policy_sumsq"], b["policy_events"], b["tracked_sum"],
                       b["tracked_cross"])


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


def check_run(model: PortfolioModel, years: int, seed: int, block_years: int,
              track: Sequence[str] | None) -> tuple[int, int, int, list[int]]:
    if not isinstance(model, PortfolioModel):
        raise ValueError(f"model must be a PortfolioModel, got {type(model).__name__}")
    years = _validate.integer_in("years", years, MIN_YEARS, _validate.MAX_COUNT, "2**63 - 1")
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
    advice, advice_ja = _memory_advice(model, years, len(tracked))
    _validate.fits_in_memory(required_bytes(model, years, min(block_years, years), len(tracked)),
                             f"a portfolio run of {years:,} years (year-loss table, one block's "
                             "events, per-policy sums)", advice,
                             f"{years:,} 年のポートフォリオの実行（年間損失表、1ブロック分の事象、契約ごとの合計）",
                             advice_ja)
    return years, seed, block_years, tracked


def _memory_advice(model: PortfolioModel, years: int, tracked: int) -> tuple[str, str]:
    """What makes a run that does not fit in memory fit, in English and in Japanese: fewer
    years or smaller blocks, fewer years alone when even one-year blocks would not fit, and a
    smaller book (or lower rates) when even the shortest run in one-year blocks would not: then
    a single year's events are too many."""
    have = _core.available_memory_bytes()
    if required_bytes(model, MIN_YEARS, 1, tracked) > have:
        return (f"even a single year is too large (about {model.expected_events():,.4g} events a year "
                "across the book): use fewer policies or lower frequency factors (a scenario's rate "
                "factors count too)",
                f"1年分でも大きすぎる（契約群全体で年に約 {model.expected_events():,.4g} 件の事象）。"
                "契約を減らすか、頻度の倍率を下げる（シナリオの頻度の倍率も含む）")
    if required_bytes(model, years, 1, tracked) > have:
        return ("use fewer years (the year-loss table alone is too large for smaller blocks to help)",
                "年数を減らす（年間損失表だけで大きすぎ、ブロックを小さくしても足りない）")
    return "use fewer years or smaller blocks", "年数を減らすか、ブロックを小さくする"


def required_bytes(model: PortfolioModel, years: int, block_years: int, tracked: int = 0) -> float:
    """Memory a run holds at its peak: the year-loss table (the merged blocks and their
    concatenation), one block's events with their working arrays at mean + 6 sd of the
    block's count, ignoring the shock's spread (``_core.portfolio_block_bytes_per_event`` each
    for a compiled loss, an upper bound: that block holds only the pieces in flight; about 200
    bytes for a Python loss function, whose events are NumPy arrays as well) and per-policy
    sums."""
    n_types = len(model.attack_types)
    ylt = 2.0 * years * (len(BLOCK_COLUMNS) + 2 * n_types + 1) * 8
    mean = model.expected_events() * block_years
    per_event = _core.portfolio_block_bytes_per_event if model.compiled_loss else 200.0
    events = per_event * (mean + 6 * math.sqrt(mean))
    policies = 8.0 * 8 * len(model.portfolio) + block_years * tracked * 8 + tracked * tracked * 8
    return ylt + events + policies


def drawn_theta(model: PortfolioModel, years: int, seed: int, block_years: int,
                threads: int = 0) -> np.ndarray:
    """The systemic multipliers Theta of years [0, years), shape (years, n_types), that a run
    of ``model`` draws: they depend on the seed, the type, the year and the type's variance
    only (1 where it is 0), not on the book, so a book without policies has them too (drawn
    here with no policy to count events for)."""
    frequency = _core.PortfolioFrequency([[] for _ in model.attack_types], model.variances())
    parts = [np.asarray(_core.portfolio_events(frequency, seed, y0, n, threads)["theta"])
             for y0, n in blocks(years, block_years)]
    return np.concatenate(parts).reshape(years, len(model.attack_types))


def simulate_portfolio(model: PortfolioModel, years: int, seed: int,
                       block_years: int = DEFAULT_BLOCK_YEARS, track: Sequence[str] = (),
                       threads: int | None = None,
                       progress: bool | Callable[[int, int], None] = False) -> PortfolioResult:
    """Simulate ``years`` years (at least ``MIN_YEARS``, 2) of the portfolio model on this machine.

    The result depends only on (model, seed, years, block_years).  ``track`` names up to
    500 policies whose annual losses are correlated pairwise (``result.correlation()``).
    ``progress=True`` shows a progress bar; a callable gets (years done, years).
    """
    years, seed, block_years, tracked = check_run(model, years, seed, block_years, track)
    if len(model.portfolio) == 0:
        return PortfolioResult.empty(model, years, seed, block_years,
                                     drawn_theta(model, years, seed, block_years, _validate.threads(threads)))
    parts = []
    done = 0
    with report_progress.reporting(progress, "portfolio", total=years) as report:
        for y0, n in blocks(years, block_years):
            parts.append(run_block(model, seed, y0, n, tracked, _validate.threads(threads)))
            done += n
            if report:
                report(done, years)
    return PortfolioResult.merge(model, years, seed, block_years, tracked, parts)
