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
least total cost of risk (within ``max_premium`` if given); among options that cost the same,
no insurance, then the first in the grid's order (deductibles ascending, then limits
ascending).  A policy that pays nothing in the simulated years for no premium costs what no
insurance costs and is never recommended instead of it.  The recommendation is always on the
frontier.

The grid is the C++ core's (``include/cyberloss/retention.hpp``): every cell in one pass over
the events.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _core, _validate, stats
from .._extras import require
from .._lazy import pandas as pd
from .._table import FrameField, Row, Table
from ..config import documents
from ..report import language, money, plots
from ..report.html import Described
from . import pricing
from .terms import Applied, CoverageTerms, InsuredResult, _event_arrays

DEFAULT_DEDUCTIBLES = documents.DEFAULT_DEDUCTIBLES
DEFAULT_LIMITS = documents.DEFAULT_LIMITS


def amounts(values: Any, field: str) -> tuple[float, ...]:
    """The grid's ``deductibles`` or ``limits`` (``config.documents.DECISION``): finite amounts
    in JPY (numbers or texts such as "500万円"), sorted, without repeats."""
    return tuple(sorted(set(documents.DECISION.field(field).parse(values, field))))


@dataclasses.dataclass(frozen=True)
class RetentionDecision(Described):
    """The option grid, its efficient frontier and the recommended option (amounts in JPY)."""

    # Required fields (FrameField gives no default); mypy reads "= FrameField()" as one.
    grid: FrameField[pd.DataFrame] = FrameField()
    recommended: FrameField[pd.Series] = FrameField()     # the grid's row
    reason: str  # type: ignore[misc]
    tail_level: float  # type: ignore[misc]
    cost_of_capital: float  # type: ignore[misc]
    principle: str  # type: ignore[misc]
    reason_ja: str = ""   # the reason in Japanese (cyberloss quote --lang ja)

    def reason_in(self, lang: str | None = None) -> str:
        """The reason in ``lang`` ("ja" or "en"; default: the locale's)."""
        return self.reason_ja if language.resolve(lang) == "ja" and self.reason_ja else self.reason

    @property
    def frontier(self) -> pd.DataFrame:
        return self.grid[self.grid["efficient"]].sort_values("retained_tvar")

    def describe(self) -> pd.DataFrame:
        return self.grid

    def _html_title(self) -> str:
        return "Retention decision"

    def _html_note(self) -> str:
        return self.reason

    def _html_table(self):
        shown = self.grid.copy().astype(object)
        for c in ("deductible", "limit", "insured_el", "retained_el", "premium",
                  "tail_capital_cost", "total_cost", "retained_tvar"):
            shown[c] = [money.format_yen(v) if math.isfinite(v) else "none" for v in self.grid[c]]
        return shown

    def plot(self, fig=None, lang: str | None = None):
        """Total cost of risk over the grid (left) and the efficient frontier (right), in
        万円 / 億円; words in ``lang`` ("ja" or "en"; None: the locale's)."""
        require("matplotlib", "RetentionDecision.plot")
        t = language.plot_words(lang)
        with plots.style():
            fig = fig or plots.pyplot().figure(figsize=(11, 4.5))
            self._draw(fig, t)
            plots.finish(fig)
        return fig

    def _draw(self, fig, t) -> None:
        ax_grid, ax_front = fig.subplots(1, 2)
        options = self.grid[self.grid["insured"]]
        table = options.pivot(index="deductible", columns="limit", values="total_cost")
        image = ax_grid.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap="viridis_r")
        ax_grid.set_xticks(range(table.shape[1]), plots.tick_labels(table.columns), rotation=45)
        ax_grid.set_yticks(range(table.shape[0]), plots.tick_labels(table.index))
        ax_grid.set_xlabel(t("annual aggregate limit"))
        ax_grid.set_ylabel(t("deductible per occurrence"))
        ax_grid.set_title(t("total cost of risk"))
        bar = fig.colorbar(image, ax=ax_grid)
        bar.ax.set_ylabel(t("total cost of risk"))
        plots.yen_axis(bar.ax, "y")
        rec = self.recommended
        if rec["insured"]:
            ax_grid.plot(list(table.columns).index(rec["limit"]),
                         list(table.index).index(rec["deductible"]), "r*", markersize=14)

        def cost(rows):
            return rows["retained_el"] + rows["premium"]

        ax_front.scatter(self.grid["retained_tvar"], cost(self.grid), color="0.7", label=t("options"))
        front = self.frontier
        ax_front.plot(front["retained_tvar"], cost(front), "o-", color="C0", label=t("efficient frontier"))
        none = self.grid[~self.grid["insured"]].iloc[0]
        ax_front.plot(none["retained_tvar"], none["retained_el"], "ks", label=t("no insurance"))
        ax_front.plot(rec["retained_tvar"], cost(rec), "r*", markersize=14, label=t("recommended"))
        ax_front.set_xlabel(t("retained TVaR {level}", level=stats.level_label(self.tail_level)))
        ax_front.set_ylabel(t("expected cost: retained loss + premium"))
        plots.yen_axis(ax_front, "x")
        plots.yen_axis(ax_front, "y")
        ax_front.set_title(t("risk kept vs. expected cost"))
        ax_front.legend(fontsize=8)
        fig.tight_layout()


def choose_retention(events, n_years: int | None, base_terms: CoverageTerms,
                     deductibles: Sequence = DEFAULT_DEDUCTIBLES,
                     limits: Sequence = DEFAULT_LIMITS, *, principle: Any = "expected_value",
                     loads: pricing.Loads | None = None, cost_of_capital: float = 0.10,
                     tail_level: float = 0.99, max_premium: float | None = None
                     ) -> RetentionDecision:
    """Evaluate every deductible x limit on ``base_terms`` (its sections kept) and pick one.

    ``events``: the core's event table (an ``OrganisationSimulation`` or its ``table``), an
    ``InsuredResult`` (or ``terms.Applied``) of a policy with ``base_terms``' sections (its
    covered amounts reused), a DataFrame or a dict of arrays (see ``terms.apply``).  ``cost_of_capital`` is the
    organisation's annual cost of holding capital against its retained tail (an assumption:
    10% by default); ``principle`` and ``loads`` price the insured loss as the market would.
    """
    deductibles = amounts(deductibles, "deductibles")
    limits = amounts(limits, "limits")
    node = documents.DECISION
    tail_level = node.field("tail_level").parse(tail_level)
    cost_of_capital = node.field("cost_of_capital").parse(cost_of_capital)
    if max_premium is not None:
        max_premium = node.field("max_premium").parse(max_premium)
    principle = pricing.principle_from(principle)
    loads = pricing.loads_from(loads)
    if not isinstance(base_terms, CoverageTerms):
        raise ValueError(f"base_terms must be CoverageTerms, got {type(base_terms).__name__}")
    args = (list(deductibles), list(limits), principle.to_core(), loads.to_core(),
            cost_of_capital, tail_level, max_premium)
    table = getattr(events, "table", events)
    if isinstance(events, (InsuredResult, Applied)):
        # a policy already applied with these sections: its covered amounts are reused
        if events.terms.with_retention(0.0, math.inf) != base_terms.with_retention(0.0, math.inf):
            raise ValueError("events: an InsuredResult can stand for the events only when its "
                             "policy has base_terms' sections (deductible and aggregate limit "
                             "aside); pass the event table instead")
        if n_years is not None and n_years != events.n_years:
            raise ValueError(f"n_years={n_years} differs from the InsuredResult's "
                             f"{events.n_years} years")
        raw = _core.retention_grid(events.core, *args)
    elif isinstance(table, _core.EventTable):
        n = table.years if n_years is None else _validate.positive_int("n_years", n_years)
        raw = _core.retention_grid(base_terms.to_core(), table, n, *args)
    else:
        n = _validate.positive_int("n_years", n_years)
        year, downtime, parts = _event_arrays(events, n)
        raw = _core.retention_grid(base_terms.to_core(), year, downtime, parts, n, *args)
    grid = Table({k: raw[k] for k in ("insured", "deductible", "limit", "insured_el", "premium",
                                      "retained_el", "retained_tvar", "tail_capital_cost",
                                      "total_cost", "efficient", "recommended")})
    best = Row(grid, int(raw["recommended_index"]))
    return RetentionDecision(grid=grid, recommended=best,
                             reason=_reason(grid, best, tail_level, max_premium),
                             tail_level=tail_level, cost_of_capital=float(cost_of_capital),
                             principle=principle.label(),
                             reason_ja=_reason(grid, best, tail_level, max_premium, "ja"))


def _reason(grid: Table, best: Row, p: float, max_premium, lang: str = "en") -> str:
    """Why the recommended option, in English or Japanese (the same sentences)."""
    format_yen = money.format_yen
    w = language.words(lang)

    def deductible(row: Row, in_lang: str) -> str:   # "no deductible" / 「免責金額なし」 for 0
        return money.deductible_words(row["deductible"], in_lang)

    insured = np.asarray(grid.column("insured"), dtype=bool)
    total = np.asarray(grid.column("total_cost"), dtype=np.float64)
    # the options the premium cap leaves (the core's test: premium <= max_premium)
    allowed = insured if max_premium is None else \
        insured & (np.asarray(grid.column("premium"), dtype=np.float64) <= max_premium)
    none = Row(grid, int(np.flatnonzero(~insured)[0]))
    level = stats.level_label(p)
    parts = []

    def without_cap(runner: Row) -> str:
        """What the premium cap costs: the option it excluded that would cost least."""
        return w(f"Without the cap the least total cost would be {deductible(runner, 'en')}, "
                 f"limit {format_yen(runner['limit'])} at "
                 f"{format_yen(runner['total_cost'])} (premium {format_yen(runner['premium'])}).",
                 f"上限がなければ総コスト最小は{deductible(runner, 'ja')}、限度額"
                 f"{format_yen(runner['limit'])}で{format_yen(runner['total_cost'])}"
                 f"（保険料{format_yen(runner['premium'])}）です。")
    if best["insured"]:
        within = "" if max_premium is None else f" within the premium cap of {format_yen(max_premium)}"
        within_ja = "" if max_premium is None else f"保険料の上限{format_yen(max_premium)}の中で"
        retention = (f"A deductible of {format_yen(best['deductible'])} per occurrence with"
                     if best["deductible"] else "No deductible with")
        parts.append(w(
            f"{retention} an annual "
            f"aggregate limit of {format_yen(best['limit'])} gives the lowest total cost of risk"
            f"{within}, {format_yen(best['total_cost'])} a year: retained expected loss "
            f"{format_yen(best['retained_el'])} + premium {format_yen(best['premium'])} + cost of "
            f"capital on the retained tail {format_yen(best['tail_capital_cost'])}.",
            f"{'1事故あたりの' if best['deductible'] else ''}{deductible(best, 'ja')}、年間総支払限度額"
            f"{format_yen(best['limit'])}で、{within_ja}リスクの総コストが最小の年"
            f"{format_yen(best['total_cost'])}になります：自己負担の期待損失"
            f"{format_yen(best['retained_el'])} + 保険料{format_yen(best['premium'])} + "
            f"自己負担のテールにかかる資本コスト{format_yen(best['tail_capital_cost'])}。"))
        parts.append(w(
            f"Without insurance it would be {format_yen(none['total_cost'])} "
            f"(retained TVaR {level} {format_yen(none['retained_tvar'])}, with this policy "
            f"{format_yen(best['retained_tvar'])}).",
            f"保険がなければ{format_yen(none['total_cost'])}です（自己負担のTVaR {level}は"
            f"{format_yen(none['retained_tvar'])}、この保険では{format_yen(best['retained_tvar'])}）。"))
        others = np.flatnonzero(allowed & ~np.asarray(grid.column("recommended"), dtype=bool))
        same = np.isclose(total[others], best["total_cost"], rtol=1e-12, atol=0.0)
        if same.any():
            parts.append(w(f"{int(same.sum())} other option(s) cost exactly the same: their extra "
                           "cover is never used in the simulated years.",
                           f"他の{int(same.sum())}案も総コストがまったく同じです：その追加の補償は"
                           "シミュレーションしたどの年にも使われません。"))
        others = others[~same]
        if len(others):   # the first of the cheapest, as pandas' idxmin (NaN skipped)
            runner = Row(grid, int(others[np.nanargmin(total[others])]))
            parts.append(w(
                f"Next best: {deductible(runner, 'en')}, limit "
                f"{format_yen(runner['limit'])} at {format_yen(runner['total_cost'])}.",
                f"次点：{deductible(runner, 'ja')}、限度額"
                f"{format_yen(runner['limit'])}で{format_yen(runner['total_cost'])}。"))
        excluded = np.flatnonzero(insured & ~allowed)
        cheaper = excluded[total[excluded] < best["total_cost"]]
        if len(cheaper):   # the cap cost something: say what
            parts.append(without_cap(Row(grid, int(cheaper[np.nanargmin(total[cheaper])]))))
    else:
        keeping = w(f"{format_yen(none['total_cost'])} a year (expected loss "
                    f"{format_yen(none['retained_el'])} + cost of capital on the tail "
                    f"{format_yen(none['tail_capital_cost'])})",
                    f"年{format_yen(none['total_cost'])}（期待損失{format_yen(none['retained_el'])} + "
                    f"テールにかかる資本コスト{format_yen(none['tail_capital_cost'])}）")
        options = np.flatnonzero(insured)
        same = np.isclose(total[options], none["total_cost"], rtol=1e-12, atol=0.0)
        cheaper = options[~same & (total[options] < none["total_cost"])]
        if len(cheaper):   # only the premium cap kept the risk: say so, and what it cost
            parts.append(w(
                f"Every policy that would cost less than keeping the risk has a premium above "
                f"{format_yen(max_premium)}: keeping the risk is the choice within that cap, at "
                f"{keeping}.",
                f"リスクを保有するより安くなる保険はどれも保険料が{format_yen(max_premium)}を超えます："
                f"この上限の中ではリスクを保有するのが選択で、{keeping}です。"))
            parts.append(without_cap(Row(grid, int(cheaper[np.nanargmin(total[cheaper])]))))
        elif same.any():   # policies that never pay cost what keeping the risk costs
            parts.append(w(f"Keeping the risk costs least: {keeping}. {int(same.sum())} policy option(s) "
                           "cost exactly the same: their cover is never used in the simulated years; "
                           "every other policy on the grid costs more in premium than it saves in capital.",
                           f"リスクを保有するのが最も安く、{keeping}です。{int(same.sum())}案の保険は総コストが"
                           "まったく同じです：その補償はシミュレーションしたどの年にも使われません。"
                           "グリッド上の他の保険は、節約できる資本コストより保険料のほうが高くつきます。"))
        else:
            parts.append(w(f"Keeping the risk costs least: {keeping}; every policy on the grid costs "
                           "more in premium than it saves in capital.",
                           f"リスクを保有するのが最も安く、{keeping}です。グリッド上のどの保険も、"
                           "節約できる資本コストより保険料のほうが高くつきます。"))
    if max_premium is not None:
        parts.append(w(f"Options with premium above {format_yen(max_premium)} were excluded.",
                       f"保険料が{format_yen(max_premium)}を超える案は除外しました。"))
    return ("" if lang == "ja" else " ").join(parts)
