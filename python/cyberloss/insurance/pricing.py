"""Premium principles on simulated annual losses, with loads and a breakdown by section.

Every principle here is a weighted mean of the simulated annual losses ``x_1..x_n``,
``P(X) = sum_i w_i x_i``, with weights that depend on the total loss.  Applying the same
weights to a section's annual losses gives that section's share; the shares add up to the
total exactly (the Euler / co-measure allocation).  The computation is the C++ core's
(``include/cyberloss/pricing.hpp``), on the sparse annual losses of a year-loss table.

=======================  ===============================================  ======================
principle                formula                                          weights ``w_i``
=======================  ===============================================  ======================
expected value           ``(1 + theta) E[X]``                             ``(1 + theta) / n``
standard deviation       ``E[X] + k sd(X)`` (sd with ``n - 1``)           ``1/n + k (x_i - mean)
                                                                          / ((n - 1) sd)``
TVaR cost of capital     ``E[X] + r (TVaR_p(X) - E[X])``: the capital     ``(1 - r)/n + r t_i``,
                         is TVaR above the mean, charged at rate ``r``    ``t`` the TVaR weights
Wang transform           ``int_0^inf g(S(x)) dx``, ``g(u) =               ``g((n-i+1)/n) -
                         Phi(Phi^-1(u) + lambda)``                        g((n-i)/n)`` by rank
=======================  ===============================================  ======================

TVaR follows :mod:`cyberloss.stats` (``VaR_p`` is the ``m = ceil(n p)``-th order statistic;
``TVaR_p = VaR_p + E[(X - VaR_p)^+]/(1 - p)``), which as weights on the sorted losses is
``1/(n(1-p))`` above rank ``m`` and ``(m - n p)/(n(1-p))`` at rank ``m``.  Tied totals are
ranked in simulation order (stable sort).

The technical premium adds loads: ``(risk premium + fixed_expense) / (1 - expense_ratio -
profit_ratio)``.  Standard errors of premiums: exact for the expected-value principle, delta
method for the standard-deviation principle, the influence function for TVaR cost of capital,
and batch means over 20 contiguous blocks of years for Wang.  For heavy tails all of them
tend to understate the spread (the tail that drives it is rarely sampled).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Union

import numpy as np

from .. import _core, _validate, config, results, stats
from .._lazy import pandas as pd
from .._table import FrameField, Table
from ..config import documents
from ..report import language, money
from ..report.html import Described

MIN_YEARS = 100


def _parse(obj, table: config.Table) -> None:
    for f in dataclasses.fields(obj):
        object.__setattr__(obj, f.name, table.field(f.name).parse(getattr(obj, f.name)))


@dataclasses.dataclass(frozen=True)
class ExpectedValue:
    """``P = (1 + loading) E[X]``."""

    loading: float = 0.3
    name = "expected_value"

    def __post_init__(self) -> None:
        _parse(self, documents.PRINCIPLE.options[self.name])

    def label(self, lang: str = "en") -> str:
        return language.words(lang)(f"expected value (loading {self.loading:.0%})",
                                    f"{language.PRINCIPLES_JA[self.name]}（安全割増率 {self.loading:.0%}）")

    def to_core(self) -> _core.Principle:
        return _core.Principle.expected_value(self.loading)


@dataclasses.dataclass(frozen=True)
class StandardDeviation:
    """``P = E[X] + k sd(X)``, ``sd`` with divisor ``n - 1``."""

    k: float = 0.2
    name = "standard_deviation"

    def __post_init__(self) -> None:
        _parse(self, documents.PRINCIPLE.options[self.name])

    def label(self, lang: str = "en") -> str:
        return language.words(lang)(f"standard deviation (k = {self.k:g})",
                                    f"{language.PRINCIPLES_JA[self.name]}（k = {self.k:g}）")

    def to_core(self) -> _core.Principle:
        return _core.Principle.standard_deviation(self.k)


@dataclasses.dataclass(frozen=True)
class TVaRCostOfCapital:
    """``P = E[X] + rate (TVaR_level(X) - E[X])``: cost of capital on TVaR capital."""

    level: float = 0.99
    rate: float = 0.10
    name = "tvar_cost_of_capital"

    def __post_init__(self) -> None:
        _parse(self, documents.PRINCIPLE.options[self.name])

    def label(self, lang: str = "en") -> str:
        level, rate = stats.level_label(self.level), f"{self.rate:.0%}"
        return language.words(lang)(f"TVaR {level} cost of capital ({rate})",
                                    f"{language.PRINCIPLES_JA[self.name]}（TVaR {level}、資本コスト率 {rate}）")

    def to_core(self) -> _core.Principle:
        return _core.Principle.tvar_cost_of_capital(self.level, self.rate)


@dataclasses.dataclass(frozen=True)
class WangTransform:
    """``P = int g(S(x)) dx`` with ``g(u) = Phi(Phi^-1(u) + lam)`` (Wang 2000)."""

    lam: float = 0.25
    name = "wang"

    def __post_init__(self) -> None:
        _parse(self, documents.PRINCIPLE.options[self.name])

    def label(self, lang: str = "en") -> str:
        return language.words(lang)(f"Wang transform (lambda = {self.lam:g})",
                                    f"{language.PRINCIPLES_JA[self.name]}（λ = {self.lam:g}）")

    def to_core(self) -> _core.Principle:
        return _core.Principle.wang(self.lam)


Principle = Union[ExpectedValue, StandardDeviation, TVaRCostOfCapital, WangTransform]
PRINCIPLES = {cls.name: cls for cls in (ExpectedValue, StandardDeviation, TVaRCostOfCapital,
                                         WangTransform)}
DEFAULT_PRINCIPLES = (ExpectedValue(), StandardDeviation(), TVaRCostOfCapital(), WangTransform())


def loads_from(loads: Any) -> Loads:
    """``loads`` as given (a :class:`Loads`), or no loads for None; anything else refused by
    name."""
    if loads is None:
        return Loads()
    if not isinstance(loads, Loads):
        raise ValueError(f"loads must be pricing.Loads, got {type(loads).__name__}")
    return loads


def principle_from(spec: Any, where: str = "principle") -> Principle:
    """A principle from an instance, a name (default parameters) or a dict ``{"name": ...}``;
    errors name ``where`` (e.g. ``quote.principles[1].k``)."""
    if isinstance(spec, (ExpectedValue, StandardDeviation, TVaRCostOfCapital, WangTransform)):
        return spec
    if not isinstance(spec, (str, Mapping)):
        raise ValueError(f"{where} must be a name, a table or a principle object, got "
                         f"{_validate.shown(spec)}")
    params = config.check(spec, documents.PRINCIPLE, where)
    cls: Any = PRINCIPLES[params.pop("name")]
    with _validate.located(where, [f.name for f in dataclasses.fields(cls)]):
        return cls(**params)


@dataclasses.dataclass(frozen=True)
class Loads:
    """Expense and profit loads: ``(risk premium + fixed_expense) / (1 - expense_ratio - profit_ratio)``.

    Defaults are assumptions (typical Japanese non-life expense ratio ~30%, 5% profit),
    to be replaced by the insurer's own figures.
    """

    expense_ratio: float = 0.30
    profit_ratio: float = 0.05
    fixed_expense: float = 0.0

    def __post_init__(self) -> None:
        _parse(self, documents.LOADS)
        if self.expense_ratio + self.profit_ratio >= 1.0:
            total = self.expense_ratio + self.profit_ratio
            raise _validate.InputError(f"expense_ratio + profit_ratio must be < 1, got {total!r}",
                                       _validate.Need("relation", detail="合計が 1（100%）未満になる事業費率と利潤率"),
                                       "expense_ratio + profit_ratio", total)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "loads") -> "Loads":
        """From a table such as ``[quote.loads]``; unknown fields are refused by name."""
        given = config.check_table(data, documents.LOADS, where)
        with _validate.located(where, documents.LOADS.keys):
            return cls(**given)

    @classmethod
    def none(cls) -> "Loads":
        """No expense, profit or fixed loads: the technical premium is the risk premium."""
        return cls(0.0, 0.0, 0.0)

    def gross_up(self, risk_premium: float) -> float:
        """(risk premium + fixed expense) / (1 - expense ratio - profit ratio), JPY."""
        return (risk_premium + self.fixed_expense) / (1.0 - self.expense_ratio - self.profit_ratio)

    def to_core(self) -> _core.Loads:
        """The core's loads (the pricing runs there)."""
        return _core.Loads(self.expense_ratio, self.profit_ratio, self.fixed_expense)


@dataclasses.dataclass(frozen=True)
class Premium(Described):
    """A premium under one principle: expected loss, risk premium, technical premium (JPY)."""

    principle: str
    label: str
    expected_loss: stats.Estimate
    risk_premium: stats.Estimate
    technical_premium: stats.Estimate
    loads: Loads
    by_section: FrameField[pd.DataFrame] = FrameField()   # index "section"; the last row "total"

    def describe(self) -> pd.DataFrame:
        return self.by_section

    def _html_title(self) -> str:
        return self.label

    def _html_note(self) -> str:
        return (f"technical premium {money.format_yen(self.technical_premium.value)} (SE "
                f"{money.format_yen(self.technical_premium.se)}), expected loss "
                f"{money.format_yen(self.expected_loss.value)}")

    def _html_table(self):
        return money.yen_table(self.by_section)


def premium(res: results.YearLossTable, principle: Any = "expected_value",
            loads: Loads | None = None, view: str = "insured", by_section: bool = True) -> Premium:
    """Premium for a year-loss table (the ``insured`` view of an InsuredResult by default).

    ``by_section`` splits expected loss, risk premium and technical premium over the
    policy sections (columns ``<view>_<section>``) with the principle's weights (fixed expense
    pro rata to risk premium); ``by_section=False`` leaves only the total row.
    """
    return premiums(res, [principle_from(principle)], loads, view, [by_section])[0]


def premiums(res: results.YearLossTable, principles: Sequence[Any] = DEFAULT_PRINCIPLES,
             loads: Loads | None = None, view: str = "insured",
             by_section: bool | Sequence[bool] = False) -> list[Premium]:
    """:func:`premium` under each principle, the same numbers, from one pass of the shared
    work: the moments once and the losses ranked once for every principle that ranks them.
    ``by_section`` is one flag for all principles or one per principle."""
    specs = [principle_from(p) for p in principles]
    flags = ([bool(by_section)] * len(specs) if isinstance(by_section, (bool, np.bool_))
             else [bool(f) for f in by_section])
    if len(flags) != len(specs):
        raise ValueError(f"by_section has {len(flags)} flags for {len(specs)} principles")
    loads = loads_from(loads)
    if not isinstance(res, results.YearLossTable):
        raise ValueError(f"res must be a year-loss table (e.g. terms.apply's result), got "
                         f"{type(res).__name__}")
    if res.n_years < MIN_YEARS:
        raise ValueError(f"premium needs at least {MIN_YEARS} simulated years, got {res.n_years}")
    names = [c for c in res.columns if c.startswith(f"{view}_")] if any(flags) else []
    years, values = res.stored(view)
    sections: dict[str, Any] = {}
    for c in names:   # a sparse table's columns share its years; a dense one is read at them
        part = res.stored(c)[1] if res.is_sparse else res.annual(c)[years]
        sections[c[len(view) + 1:]] = np.ascontiguousarray(part)
    ranking = None
    if res.is_sparse and any(isinstance(p, WangTransform) for p in specs):
        # The view's ranking, kept with its sample: its VaR, TVaR and EP points reuse it.
        sample = res.sample(view)
        ranking, values = sample.ranking(), sample.values
    priced = _core.premiums([p.to_core() for p in specs], loads.to_core(), res.n_years, years,
                            values, [sections if f else {} for f in flags], ranking)
    return [_premium(spec, p, loads, [c[len(view) + 1:] for c in names] if f else [])
            for spec, p, f in zip(specs, priced, flags)]


def _premium(principle: Principle, p: dict, loads: Loads, sections: list[str]) -> Premium:
    rows = [p["by_section"][s] for s in sections]
    rows.append((p["expected_loss"], p["risk_premium"], p["technical_premium"]))
    table = Table({name: [row[i] for row in rows] for i, name in
                   enumerate(("expected_loss", "risk_premium", "technical_premium"))},
                  [*sections, "total"], "section")
    return Premium(principle=principle.name, label=principle.label(),
                   expected_loss=stats.Estimate(p["expected_loss"], p["expected_loss_se"]),
                   risk_premium=stats.Estimate(p["risk_premium"], p["risk_premium_se"]),
                   technical_premium=stats.Estimate(p["technical_premium"], p["technical_premium_se"]),
                   loads=loads, by_section=table)


def risk_premium(x, principle: Any) -> float:
    """The principle's premium (before loads) for annual losses ``x`` (an array of at least
    ``MIN_YEARS`` years, >= 0)."""
    a = np.ascontiguousarray(x, dtype=np.float64)
    if a.ndim != 1 or a.size < MIN_YEARS:
        raise ValueError(f"losses must be a 1-d array of at least {MIN_YEARS} years, got shape {a.shape}")
    years = np.flatnonzero(a)
    p = _core.premium(principle_from(principle).to_core(), Loads.none().to_core(), a.size, years,
                      a[years], {})
    return float(p["risk_premium"])


def quote_table(res: results.YearLossTable, principles: Sequence[Any] = DEFAULT_PRINCIPLES,
                loads: Loads | None = None, view: str = "insured") -> pd.DataFrame:
    """One row per principle: expected loss, risk and technical premium with SEs (JPY)."""
    return premium_table(premiums(res, principles, loads, view))


def premium_table(priced: Sequence[Premium]) -> pd.DataFrame:
    """:func:`quote_table` of premiums already computed (e.g. by :func:`premiums`)."""
    return premium_rows(priced).to_pandas()


def premium_rows(priced: Sequence[Premium]) -> Table:
    """:func:`premium_table` as a plain :class:`~cyberloss._table.Table` (no pandas)."""
    data: dict[str, list] = {"label": [p.label for p in priced]}
    for name in ("expected_loss", "risk_premium", "technical_premium"):
        data[name] = [getattr(p, name).value for p in priced]
        data[f"{name}_se"] = [getattr(p, name).se for p in priced]
    return Table(data, [p.principle for p in priced], "principle")
