"""Argument checks shared by the public API and the file readers: errors name the parameter
(a dotted path such as ``reinsurance.per_risk.limit`` where the value came from a file) and
the value.  Booleans are never numbers, a table or list where a number is expected is named
as such, and an integer too large for a float64 is refused rather than overflowing.
"""
from __future__ import annotations

import contextlib
import datetime
import math
import numbers
from collections.abc import Mapping

import numpy as np

from . import _core

SEED_MAX = 2**32 - 1
MAX_COUNT = 2**63 - 1   # years, block sizes, counts: they must fit the engine's 64-bit integers
# Sanity bounds on what describes one organisation or incident (not model assumptions): far
# above any real value, low enough that sums and squares of losses stay finite in float64.
MAX_AMOUNT = 1e18        # JPY (100京円; Japan's GDP is about 6e14 JPY)
MAX_RECORDS = 1e12       # records or people (over 100 times the world's population)
MAX_EMPLOYEES = 1e7      # the largest employers in the world have about 2-3 million
MAX_DAYS = 36_525.0      # 100 years of downtime
MAX_REINSTATEMENTS = 1e6  # reinstatements of an XL layer (omit them for unlimited)


def shown(value, limit: int = 60) -> str:
    """The value as a message shows it: booleans as in TOML/JSON, tables and lists named,
    long texts and huge integers shortened (one line)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return f"{str(bool(value)).lower()} (a boolean)"
    if isinstance(value, numbers.Integral) and abs(int(value)) >= 10**30:
        bits = int(value).bit_length()
        return f"an integer of {bits} bits ({'-' if value < 0 else ''}about 2**{bits - 1})"
    if isinstance(value, (datetime.date, datetime.time)):
        return f"a date/time {value.isoformat()}"
    text = repr(value)
    if len(text) > limit:
        text = text[:limit] + "..."
    if isinstance(value, dict):
        return f"a table {text}"
    if isinstance(value, (list, tuple)):
        return f"a list {text}"
    return " ".join(text.split())


def is_number(value) -> bool:
    """True for ints and floats (NumPy's too), False for booleans and everything else."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _requirement(integer: bool, lo, hi, lo_open: bool, hi_open: bool, allow_inf: bool, cap) -> str:
    kind = "a whole number" if integer else ("a number" if allow_inf else "a finite number")
    if lo is not None and hi is not None:
        bounds = f" in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
    elif lo is not None:
        bounds = f" {'>' if lo_open else '>='} {lo:g}"
    elif hi is not None:
        bounds = f" {'<' if hi_open else '<='} {hi:g}"
    else:
        bounds = ""
    return (kind + bounds + (f" and <= {cap:g}" if cap is not None else "")
            + (" (inf: unlimited)" if allow_inf else ""))


def number(name: str, value, lo: float | None = None, hi: float | None = None, *,
           lo_open: bool = False, hi_open: bool = False, allow_inf: bool = False,
           integer: bool = False, cap: float | None = None) -> float:
    """``value`` as a float after checking its type and range; ValueError naming ``name``.

    ``lo``/``hi`` bound it (``lo_open``/``hi_open``: strictly); ``cap`` is a sanity upper bound
    (``MAX_AMOUNT`` ...) for finite values; ``allow_inf`` admits +inf (an unlimited amount);
    ``integer`` requires a whole number (returned as int)."""
    need = _requirement(integer, lo, hi, lo_open, hi_open, allow_inf, cap)
    if not is_number(value):
        raise ValueError(f"{name} must be {need}, got {shown(value)}")
    try:
        x = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be {need}, got {shown(value)} (too large)") from None
    if math.isnan(x) or (math.isinf(x) and not (allow_inf and x > 0)) \
            or (lo is not None and (x < lo or (lo_open and x == lo))) \
            or (hi is not None and (x > hi or (hi_open and x == hi))) \
            or (cap is not None and math.isfinite(x) and x > cap) \
            or (integer and math.isfinite(x) and x != math.floor(x)):
        raise ValueError(f"{name} must be {need}, got {shown(value)}")
    if integer:
        if isinstance(value, numbers.Integral):
            return int(value)
        return int(x) if math.isfinite(x) else x
    return x


def text(name: str, value, choices=None) -> str:
    """A non-empty string (one of ``choices`` if given)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty text, got {shown(value)}")
    if choices is not None and value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {shown(value)}")
    return value


def flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be true or false, got {shown(value)}")
    return bool(value)


def table(name: str, value) -> dict:
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a table, got {shown(value)}")
    return dict(value)


def fits_in_memory(need: float, what: str, advice: str) -> None:
    """Refuse, before allocating, a request that would not fit in the available memory."""
    have = _core.available_memory_bytes()
    if need > have:
        gib = need / 2**30
        shown_need = f"{gib:,.1f}" if gib < 1e6 else f"{gib:.3g}"
        raise MemoryError(f"{what} needs about {shown_need} GiB at its peak, {have / 2**30:,.1f} GiB "
                          f"is available: {advice}")


MAX_THREADS = _core.MAX_THREADS    # the engine's cap (include/cyberloss/engine.hpp)
YEAR_END = _core.MAX_YEAR_END      # year indices lie in [0, 2**63) (docs/DESIGN.md)


def seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= int(value) <= SEED_MAX:
        raise ValueError(f"seed must be an integer in [0, {SEED_MAX}], got {shown(value)}")
    return int(value)


def positive_int(name: str, value, maximum: int = MAX_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) <= 0:
        raise ValueError(f"{name} must be an integer >= 1, got {shown(value)}")
    if int(value) > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {shown(value)}")
    return int(value)


def integer_in(name: str, value, low: int, high: int, high_text: str | None = None) -> int:
    """An integer (not a bool) in [low, high]; ``high_text`` shows the bound in the message."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= int(value) <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high_text or high}], got {shown(value)}")
    return int(value)


def threads(value) -> int:
    """None (all cores) or an integer in [1, MAX_THREADS]; None becomes 0 for the engine."""
    if value is None:
        return 0
    return integer_in("threads", value, 1, MAX_THREADS)


def year_range(years, first_year=0) -> tuple[int, int]:
    """(years, first_year) with years >= 1, first_year >= 0 and first_year + years <= 2**63."""
    n = integer_in("years", years, 1, YEAR_END, "2**63")
    first = integer_in("first_year", first_year, 0, YEAR_END - n,
                       f"2**63 - years = {YEAR_END - n}" if n > 1 else "2**63 - 1")
    return n, first


def probability(name: str, value) -> float:
    return number(name, value, 0.0, 1.0, lo_open=True, hi_open=True)


def finite(name: str, value) -> float:
    return number(name, value)


def sample(name: str, x) -> np.ndarray:
    a = np.ascontiguousarray(x, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty")
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be finite, got {float(a[i])} at index {i}")
    return a


@contextlib.contextmanager
def located(where: str, fields=()):
    """Give errors raised inside the block the dotted path of the table they come from.

    A message that starts with one of the table's ``fields`` ("rate must be ...") becomes
    ``"<where>.rate must be ..."``; any other gets ``"<where>: "`` in front.  Messages that
    already start with ``where`` are left alone, so nested tables compose."""
    try:
        yield
    except ValueError as exc:
        message = str(exc)
        if not where or message.startswith(where):
            raise
        head = message.split(" ", 1)[0].split(".", 1)[0].split("[", 1)[0].rstrip(":")
        joined = f"{where}.{message}" if head in fields else f"{where}: {message}"
        raise ValueError(joined) from None
