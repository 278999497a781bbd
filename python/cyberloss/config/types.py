"""The kinds of field an input may hold, and how each is read.

One parser per kind, so every loader reads an amount, a share or a seed the same way and
refuses it with the same words.  Amounts (JPY) are numbers or texts such as ``"500万円"``,
``"1.5億円"`` or ``"3,000,000円"`` (:func:`parse_amount`, the package's one amount parser);
this is where Japanese input forms (full-width digits, 万 / 億 without 円) belong.
"""
from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

from .. import _validate

KINDS = ("number", "amount", "share", "probability", "integer", "count", "seed", "bool",
         "choice", "text", "list", "any")


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a field that must be given.
REQUIRED: Any = _Required()

_YEN_UNITS = {"円": 1.0, "万円": 1e4, "億円": 1e8}
_YEN_RE = re.compile(r"^\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(円|万円|億円)?\s*$")


def parse_amount(value: Any, where: str) -> float:
    """An amount in JPY from a number or a text like ``"500万円"`` (inf: unlimited; the caller
    checks the range)."""
    if isinstance(value, str):
        match = _YEN_RE.match(value)
        if not match:
            raise ValueError(f"{where} must be an amount such as 5000000, '500万円' or '1.5億円', "
                             f"got {_validate.shown(value)}")
        number = float(match.group(1).replace(",", "")) * _YEN_UNITS[match.group(2) or "円"]
        if not math.isfinite(number):
            raise ValueError(f"{where} must be a finite amount, got {_validate.shown(value)}")
        return number
    if not _validate.is_number(value):
        raise ValueError(f"{where} must be an amount in JPY (a number or a text such as "
                         f"'500万円'), got {_validate.shown(value)}")
    return _validate.number(where, value, allow_inf=True)


def _bounds(field) -> dict[str, Any]:
    return {"lo": field.lo, "hi": field.hi, "lo_open": field.lo_open, "hi_open": field.hi_open,
            "allow_inf": field.allow_inf, "cap": field.cap}


def parse(field, value: Any, where: str) -> Any:
    """``value`` read as ``field.kind`` within the field's bounds; ValueError naming ``where``."""
    kind = field.kind
    if kind == "any":
        return value
    if kind == "number":
        return _validate.number(where, value, **_bounds(field))
    if kind == "share":
        bounds = _bounds(field)
        bounds["lo"] = 0.0 if field.lo is None else field.lo
        bounds["hi"] = 1.0 if field.hi is None else field.hi
        return _validate.number(where, value, **bounds)
    if kind == "probability":
        return _validate.number(where, value, 0.0, 1.0, lo_open=True, hi_open=True)
    if kind == "amount":
        if not isinstance(value, str):
            if not _validate.is_number(value):
                parse_amount(value, where)     # refused with the amount's wording
            return _validate.number(where, value, **_bounds(field))
        x = parse_amount(value, where)
        try:
            return _validate.number(where, x, **_bounds(field))
        except ValueError as exc:
            raise ValueError(f"{str(exc).rsplit(', got ', 1)[0]}, got "
                             f"{_validate.shown(value)}") from None
    if kind == "integer":
        return _validate.number(where, value, **_bounds(field), integer=True)
    if kind == "count":
        lo = 1 if field.lo is None else int(field.lo)
        hi = _validate.MAX_COUNT if field.hi is None else int(field.hi)
        if not _is_integer(value) or not lo <= value <= hi:
            bound = f"an integer >= {lo}" + (f" and <= {hi}" if field.hi is not None else "")
            raise ValueError(f"{where} must be {bound}, got {_validate.shown(value)}")
        return int(value)
    if kind == "seed":
        if not _is_integer(value) or not 0 <= value <= _validate.SEED_MAX:
            raise ValueError(f"{where} must be an integer in [0, {_validate.SEED_MAX}], "
                             f"got {_validate.shown(value)}")
        return int(value)
    if kind == "bool":
        return _validate.flag(where, value)
    if kind == "choice":
        return _validate.text(where, value, field.choices or None)
    if kind == "text":
        return _validate.text(where, value)
    if kind == "list":
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            raise ValueError(f"{where} must be a list, got {_validate.shown(value)}")
        items = list(value)
        if len(items) < field.min_items:
            raise ValueError(f"{where} must list at least {field.min_items} value(s), got "
                             f"{_validate.shown(items)}")
        return [parse(field.item, v, f"{where}[{i}]") for i, v in enumerate(items)]
    raise ValueError(f"{where}: unknown field kind {kind!r}")


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def describe_bounds(field) -> str:
    """The field's range as the reference shows it, e.g. "> 0 (inf: unlimited)"."""
    kind = field.kind
    if kind == "share":
        lo = 0.0 if field.lo is None else field.lo
        hi = 1.0 if field.hi is None else field.hi
        return f"{'(' if field.lo_open else '['}{lo:g}, {hi:g}{')' if field.hi_open else ']'}"
    if kind == "probability":
        return "(0, 1)"
    if kind == "seed":
        return f"[0, {_validate.SEED_MAX}]"
    if kind == "count":
        return f">= {1 if field.lo is None else int(field.lo)}"
    if kind in ("number", "amount", "integer"):
        parts = []
        if field.lo is not None:
            parts.append(f"{'>' if field.lo_open else '>='} {field.lo:g}")
        if field.hi is not None:
            parts.append(f"{'<' if field.hi_open else '<='} {field.hi:g}")
        if field.cap is not None:
            parts.append(f"<= {field.cap:g}")
        text = " and ".join(parts)
        return text + (" (inf: unlimited)" if field.allow_inf else "")
    if kind == "list" and field.item is not None:
        return describe_bounds(field.item)
    return ""


def show_default(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isinf(value):
        return "unlimited"
    if isinstance(value, (list, tuple)):
        return ", ".join(show_default(v) for v in value)
    return str(value)
