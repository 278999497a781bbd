"""Money for Japanese readers: 万円 (1e4 JPY) and 億円 (1e8 JPY).  The package's one formatter.

``format_yen`` writes 億円 with two decimals from 1億円 up, whole 万円 from 100万円 up, and 万円
with one decimal below (so small premiums and standard errors keep a digit).  Amounts are JPY
floats everywhere else; only tables and plots shown to people use these strings.
"""
from __future__ import annotations

import math

from .._table import Table

MAN = 1e4
OKU = 1e8
UNITS = ("auto", "man", "oku")


def format_yen(amount: float, unit: str = "auto", *, sign: bool = False) -> str:
    """A JPY amount as 万円 or 億円: "1,234万円", "1.23億円", "56.8万円".

    ``unit``: "auto" (above), "man" (always whole 万円) or "oku" (always 億円, 2 decimals).
    ``sign``: prefix "+" or "-" ("0" for zero), for differences.  A non-finite amount is
    refused (ValueError); see :func:`format_limit` for limits that may be unlimited.
    """
    x = float(amount)
    if not math.isfinite(x):
        raise ValueError(f"amount must be finite, got {amount!r}")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
    if sign:
        if x == 0:
            return "0"
        return ("-" if x < 0 else "+") + format_yen(abs(x), unit)
    a = abs(x)
    # "auto" picks the unit by the amount as it will be shown, so that rounding never carries
    # into the next unit's range (99.96万円 is "100万円", not "100.0万円"; 9,999.6万円 is
    # "1.00億円", not "10,000万円").
    if unit == "oku" or (unit == "auto" and (a >= OKU or float(f"{a / MAN:.0f}") >= OKU / MAN)):
        return f"{x / OKU:,.2f}億円"
    if unit == "auto" and 0 < a < 100 * MAN and float(f"{a / MAN:.1f}") < 100:
        return f"{x / MAN:,.1f}万円"
    return f"{x / MAN:,.0f}万円"


def format_limit(amount: float) -> str:
    """``format_yen``, with an infinite limit written "unlimited"."""
    x = float(amount)
    return "unlimited" if x == math.inf else format_yen(x)


def yen_words(amount: float) -> str:
    """An amount in a sentence: :func:`format_yen` ("3,608万円"), "0円" for zero, and from
    1京円 (10^16, beyond any loss) in e-notation ("7.23e+86円") rather than in 90 digits (and
    "inf円", where :func:`format_yen` refuses, so that a message about such an amount is said)."""
    x = float(amount)
    if not math.isfinite(x) or abs(x) >= 1e16:
        return f"{x:.3g}円"
    return "0円" if x == 0 else format_yen(x)


def deductible_words(amount: float, lang: str = "en", sep: str = "") -> str:
    """A per-occurrence deductible in a sentence: "deductible 50万円" / 「免責金額{sep}50万円」,
    and "no deductible" / 「免責金額なし」 for none (written "0万円" it reads as an amount)."""
    if float(amount) == 0:
        return "免責金額なし" if lang == "ja" else "no deductible"
    return f"免責金額{sep}{format_yen(amount)}" if lang == "ja" else f"deductible {format_yen(amount)}"


def man_yen(amount: float) -> float:
    """JPY -> 万円 as a number (for tables and plot axes)."""
    return float(amount) / MAN


def man_yen_table(table, not_money=(), rename: bool = True):
    """A copy of a DataFrame with its money columns as whole 万円 strings ("1,234").

    Columns named in ``not_money`` (probabilities, counts) are left as they are; with ``rename``
    the money columns get a " (万円)" suffix.
    """
    shown = table.copy()
    money = [c for c in shown.columns if c not in not_money]
    for c in money:
        shown[c] = shown[c].map(lambda v: f"{man_yen(v):,.0f}")
    return shown.rename(columns={c: f"{c} (万円)" for c in money}) if rename else shown


def yen_table(table, not_money=()):
    """A copy of a DataFrame (or of a :class:`~cyberloss._table.Table`) with every money cell
    written by :func:`format_yen` (empty for missing values, "unlimited" for infinite ones)."""
    if isinstance(table, Table):
        return Table({c: table.column(c) if c in not_money else _yen_cells(table.column(c))
                      for c in table.columns}, table.index, table.index_name)
    shown = table.copy().astype(object)
    for c in shown.columns:
        if c in not_money:
            continue
        shown[c] = _yen_cells(table[c])
    return shown


def _yen_cells(values) -> list[str]:
    return [("" if v is None or (isinstance(v, float) and math.isnan(v)) else format_limit(v))
            for v in values]


def statistics_table(table, unit: str = "yen", probability_rows=("P(loss>0)",)):
    """A ``describe()`` table (rows: statistics; columns: views and their SEs) for people:
    money cells by :func:`format_yen` (``unit="yen"``) or as whole 万円 figures
    (``unit="man"``), probability rows as percentages."""
    money_rows = [r for r in table.index if r not in probability_rows]
    shown = (yen_table(table.loc[money_rows]) if unit == "yen"
             else man_yen_table(table.loc[money_rows], rename=False))
    out = shown.astype(object)
    for r in probability_rows:
        if r in table.index:
            out.loc[r] = [f"{v:.4%}" for v in table.loc[r]]
    return out.loc[list(table.index)]


def money_column(values, unlimited: str = "unlimited") -> tuple[str, list[str]]:
    """One unit for a whole column of amounts (tables people keep never mix 億円 and 万円 in a
    column): ("億円", cells with two decimals) when every non-zero amount reaches 1,000万円
    and the largest 1億円, so that no cell loses its digits; else ("万円", whole 万円, or one
    decimal when every amount is below 100万円).  Infinite amounts read ``unlimited``;
    missing ones are empty."""
    xs = [float(v) if v is not None else math.nan for v in values]
    finite = [abs(x) for x in xs if math.isfinite(x)]
    top = max(finite, default=0.0)
    if top >= OKU and min((x for x in finite if x > 0), default=0.0) >= 0.1 * OKU:
        unit, scale, digits = "億円", OKU, 2
    else:
        unit, scale, digits = "万円", MAN, (1 if top < 100 * MAN else 0)
    cells = [("" if math.isnan(x) else unlimited if math.isinf(x) else f"{x / scale:,.{digits}f}")
             for x in xs]
    return unit, cells
