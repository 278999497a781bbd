"""Money display for Japanese readers: 万円 (1e4 JPY) and 億円 (1e8 JPY)."""
from __future__ import annotations

import math

MAN = 1e4
OKU = 1e8


def format_yen(amount: float, unit: str = "auto") -> str:
    """Format a JPY amount as 万円 or 億円 ("auto": 億円 from 1 億 upwards)."""
    x = float(amount)
    if not math.isfinite(x):
        raise ValueError(f"amount must be finite, got {amount!r}")
    if unit not in ("auto", "man", "oku"):
        raise ValueError(f"unit must be 'auto', 'man' or 'oku', got {unit!r}")
    if unit == "oku" or (unit == "auto" and abs(x) >= OKU):
        return f"{x / OKU:,.2f}億円"
    return f"{x / MAN:,.0f}万円"


def man_yen(amount: float) -> float:
    """JPY -> 万円 as a number (for tables)."""
    return float(amount) / MAN


def man_yen_table(table, not_money=(), rename: bool = True):
    """A copy of a statistics DataFrame with money columns as 万円 strings.

    Columns named in ``not_money`` (probabilities, counts) are left as they are; with ``rename``
    the money columns get a " (万円)" suffix.
    """
    shown = table.copy()
    money = [c for c in shown.columns if c not in not_money]
    for c in money:
        shown[c] = shown[c].map(lambda v: f"{man_yen(v):,.0f}")
    return shown.rename(columns={c: f"{c} (万円)" for c in money}) if rename else shown
