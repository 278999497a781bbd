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
