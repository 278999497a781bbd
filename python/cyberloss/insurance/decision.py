"""The risk-transfer decision: which deductible and limit to buy.

For each option (deductible ``d`` per occurrence, annual aggregate limit ``L``) on the same
simulated years (common random numbers, so options are compared without extra noise):

    total cost of risk = E[retained] + premium + cost_of_capital * (TVaR_p(retained) - E[retained])

the retained expected loss, the premium the market would charge (a premium principle with
loads on the insured loss), and the cost of holding capital against the retained tail.
"No insurance" is always an option (its retained loss is the gross loss, premium 0); in the
grid it is the row with ``insured`` false, an infinite deductible and a zero limit.

An option is on the efficient frontier when no other option has both a lower-or-equal
expected cost (``E[retained] + premium``) and a lower-or-equal retained tail
(``TVaR_p(retained)``), one of them strictly.  The recommendation is the option with the
least total cost of risk (within ``max_premium`` if given); it is always on the frontier.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Sequence

import numpy as np
import pandas as pd

from . import _validate, measures, pricing, stats, terms as terms_mod

DEFAULT_DEDUCTIBLES = (0.0, 1e6, 3e6, 5e6, 1e7, 3e7)
DEFAULT_LIMITS = (3e7, 5e7, 1e8, 3e8, 5e8, 1e9)


def amount(value, field: str, positive: bool) -> float:
    """A finite amount in JPY (a number or a text such as "500万円"), > 0 or >= 0."""
    x = terms_mod.parse_yen(value, field)
    if (positive and not x > 0) or not x >= 0 or not math.isfinite(x):
        raise ValueError(f"{field} must be a finite amount {'> 0' if positive else '>= 0'}, "
                         f"got {_validate.shown(value)}")
    return x


def _amounts(values, field: str, positive: bool) -> tuple[float, ...]:
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{field} must be a list of amounts, got {_validate.shown(values)}")
    out = [amount(v, f"{field}[{i}]", positive) for i, v in enumerate(values)]
    if not out:
        raise ValueError(f"{field} must list at least one amount, got []")
    return tuple(sorted(set(out)))


@dataclasses.dataclass(frozen=True)
class RetentionDecision:
    """The option grid, its efficient frontier and the recommended option (amounts in JPY)."""

    grid: pd.DataFrame
    recommended: pd.Series
    reason: str
    tail_level: float
    cost_of_capital: float
    principle: str

    @property
    def frontier(self) -> pd.DataFrame:
        return self.grid[self.grid["efficient"]].sort_values("retained_tvar")

    def describe(self) -> pd.DataFrame:
        return self.grid

    def _repr_html_(self) -> str:
        format_yen = terms_mod.format_amount
        shown = self.grid.copy()
        for c in ("deductible", "limit", "retained_el", "premium", "tail_capital_cost",
                  "total_cost", "retained_tvar"):
            shown[c] = shown[c].map(lambda v: format_yen(v) if math.isfinite(v) else "none")
        return f"<p>{self.reason}</p>" + shown.to_html()

    def plot(self, fig=None):
        """Total cost of risk over the grid (left) and the efficient frontier (right)."""
        import matplotlib.pyplot as plt

        fig = fig or plt.figure(figsize=(11, 4.5))
        ax_grid, ax_front = fig.subplots(1, 2)
        options = self.grid[self.grid["insured"]]
        table = options.pivot(index="deductible", columns="limit", values="total_cost") / 1e4
        image = ax_grid.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap="viridis_r")
        ax_grid.set_xticks(range(table.shape[1]), [_short(v) for v in table.columns], rotation=45)
        ax_grid.set_yticks(range(table.shape[0]), [_short(v) for v in table.index])
        ax_grid.set_xlabel("annual aggregate limit (man-yen)")
        ax_grid.set_ylabel("deductible per occurrence (man-yen)")
        ax_grid.set_title("total cost of risk (man-yen)")
        fig.colorbar(image, ax=ax_grid)
        rec = self.recommended
        if rec["insured"]:
            ax_grid.plot(list(table.columns).index(rec["limit"]),
                         list(table.index).index(rec["deductible"]), "r*", markersize=14)

        cost = (self.grid["retained_el"] + self.grid["premium"]) / 1e4
        tail = self.grid["retained_tvar"] / 1e4
        ax_front.scatter(tail, cost, color="0.7", label="options")
        front = self.frontier
        ax_front.plot(front["retained_tvar"] / 1e4, (front["retained_el"] + front["premium"]) / 1e4,
                      "o-", color="C0", label="efficient frontier")
        none = self.grid[~self.grid["insured"]].iloc[0]
        ax_front.plot(none["retained_tvar"] / 1e4, (none["retained_el"]) / 1e4, "ks",
                      label="no insurance")
        ax_front.plot(rec["retained_tvar"] / 1e4, (rec["retained_el"] + rec["premium"]) / 1e4,
                      "r*", markersize=14, label="recommended")
        ax_front.set_xlabel(f"retained TVaR {measures.level_label(self.tail_level)} (man-yen)")
        ax_front.set_ylabel("expected cost: retained loss + premium (man-yen)")
        ax_front.set_title("risk kept vs. expected cost")
        ax_front.legend(fontsize=8)
        fig.tight_layout()
        return fig


def _short(v: float) -> str:
    # plot fonts may lack CJK glyphs (matplotlib warns), so ticks are in man-yen figures
    return f"{v / 1e4:,.0f}"


def choose_retention(events, n_years: int, base_terms: terms_mod.CoverageTerms,
                     deductibles: Sequence = DEFAULT_DEDUCTIBLES,
                     limits: Sequence = DEFAULT_LIMITS, *, principle="expected_value",
                     loads: pricing.Loads | None = None, cost_of_capital: float = 0.10,
                     tail_level: float = 0.99, max_premium: float | None = None
                     ) -> RetentionDecision:
    """Evaluate every deductible x limit on ``base_terms`` (its sections kept) and pick one.

    ``cost_of_capital`` is the organisation's annual cost of holding capital against its
    retained tail (an assumption: 10% by default); ``principle`` and ``loads`` price the
    insured loss as the market would.
    """
    deductibles = _amounts(deductibles, "deductibles", positive=False)
    limits = _amounts(limits, "limits", positive=True)
    tail_level = measures.check_level(tail_level, "tail_level")
    cost_of_capital = _validate.number("cost_of_capital", cost_of_capital, 0.0, 1.0, hi_open=True)
    if max_premium is not None:
        max_premium = amount(max_premium, "max_premium", positive=False)
    principle = pricing.principle_from(principle)
    loads = pricing.Loads() if loads is None else loads

    rows = []
    gross = None
    for d in deductibles:
        for limit in limits:
            res = terms_mod.apply(base_terms.with_retention(d, limit), events, n_years)
            if gross is None:
                gross = np.array(res.annual("gross"))
            prem = pricing.premium(res, principle, loads, by_section=False)
            rows.append(_row(True, d, limit, res.annual("retained"),
                             prem.technical_premium.value, prem.expected_loss.value,
                             cost_of_capital, tail_level))
    # no insurance: an infinite deductible, no limit
    rows.append(_row(False, math.inf, 0.0, gross, 0.0, 0.0, cost_of_capital, tail_level))
    grid = pd.DataFrame(rows)
    grid["efficient"] = _efficient(grid["retained_el"] + grid["premium"], grid["retained_tvar"])

    allowed = grid if max_premium is None else grid[grid["premium"] <= max_premium]
    best = allowed.loc[allowed["total_cost"].idxmin()]
    grid["recommended"] = grid.index == best.name
    return RetentionDecision(grid=grid, recommended=grid.loc[best.name],
                             reason=_reason(grid, best, tail_level, max_premium),
                             tail_level=tail_level, cost_of_capital=float(cost_of_capital),
                             principle=principle.label())


def _row(insured: bool, d: float, limit: float, retained: np.ndarray, premium: float,
         insured_el: float, coc: float, p: float) -> dict:
    el = float(np.mean(retained))
    tv = float(stats.tvar(retained, p))
    capital_cost = coc * max(tv - el, 0.0)
    return {"insured": insured, "deductible": d, "limit": limit, "insured_el": insured_el,
            "premium": premium, "retained_el": el, "retained_tvar": tv,
            "tail_capital_cost": capital_cost, "total_cost": el + premium + capital_cost}


def _efficient(cost: pd.Series, tail: pd.Series) -> np.ndarray:
    c, t = cost.to_numpy(), tail.to_numpy()
    dominated = np.zeros(c.size, dtype=bool)
    for i in range(c.size):
        better = (c <= c[i]) & (t <= t[i]) & ((c < c[i]) | (t < t[i]))
        dominated[i] = bool(better.any())
    return ~dominated


def _reason(grid: pd.DataFrame, best: pd.Series, p: float, max_premium) -> str:
    format_yen = terms_mod.format_amount
    none = grid[~grid["insured"]].iloc[0]
    parts = []
    if best["insured"]:
        parts.append(
            f"A deductible of {format_yen(best['deductible'])} per occurrence with an annual "
            f"aggregate limit of {format_yen(best['limit'])} gives the lowest total cost of risk, "
            f"{format_yen(best['total_cost'])} a year: retained expected loss "
            f"{format_yen(best['retained_el'])} + premium {format_yen(best['premium'])} + cost of "
            f"capital on the retained tail {format_yen(best['tail_capital_cost'])}.")
        parts.append(
            f"Without insurance it would be {format_yen(none['total_cost'])} "
            f"(retained TVaR {measures.level_label(p)} {format_yen(none['retained_tvar'])}, with this policy "
            f"{format_yen(best['retained_tvar'])}).")
        others = grid[grid["insured"] & ~grid["recommended"]]
        same = np.isclose(others["total_cost"], best["total_cost"], rtol=1e-12, atol=0.0)
        if same.any():
            parts.append(f"{int(same.sum())} other option(s) cost exactly the same: their extra "
                         "cover is never used in the simulated years.")
        others = others[~same]
        if len(others):
            runner = others.loc[others["total_cost"].idxmin()]
            parts.append(
                f"Next best: deductible {format_yen(runner['deductible'])}, limit "
                f"{format_yen(runner['limit'])} at {format_yen(runner['total_cost'])}.")
    else:
        parts.append(
            f"Keeping the risk costs least: {format_yen(none['total_cost'])} a year (expected loss "
            f"{format_yen(none['retained_el'])} + cost of capital on the tail "
            f"{format_yen(none['tail_capital_cost'])}); every policy on the grid costs more in "
            "premium than it saves in capital.")
    if max_premium is not None:
        parts.append(f"Options with premium above {format_yen(max_premium)} were excluded.")
    return " ".join(parts)
