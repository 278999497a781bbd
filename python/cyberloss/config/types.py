"""The kinds of field an input may hold, and how each is read.

One parser per kind, so every loader reads an amount, a share or a seed the same way and
refuses it with the same words.  Amounts (JPY) are numbers or texts such as ``"500万円"``,
``"1.5億円"``, ``"１億円"``, ``"5000万"``, ``"5千万円"``, ``"5000千円"``, ``"1兆円"`` or
``"3,000,000"`` (:func:`parse_amount`, the package's one amount parser); every other number
or count (a TOML value, a CSV cell, a form field, a command-line option) may be a text in
full-width digits or with thousands separators as spreadsheets and forms write them
(``"１２０"``, ``"1,200"``, :func:`parse_number_text`, on the same digit grammar), and a whole
number or one in people, records or days also as Japanese write counts, with 千, 万, 億 and 兆
and the unit's counter word (``"2万件"``, ``"120人"``, ``"3日"``, ``"20万"``; days also in
hours, ``"12時間"`` is 0.5: :func:`count_in_text`), and a share or a probability also as a
percentage (``"80%"``, ``"８０％"``: :func:`percent_in_text`), refused otherwise with the
field's own words;
a true or false may be written はい or いいえ; industries and sizes accept their Japanese
labels and English in any case (:func:`parse_choice`, :mod:`.labels`).
"""
from __future__ import annotations

import decimal
import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from .. import _validate
from . import labels

KINDS = ("number", "rate", "amount", "share", "probability", "integer", "count", "seed", "bool",
         "choice", "text", "list", "any")
#: The kinds that hold a number (a text spelling one is read: :func:`parse`).
NUMERIC_KINDS = ("number", "rate", "amount", "share", "probability", "integer", "count", "seed")
#: The kinds that may be written as a percentage ("80%": :func:`percent_in_text`): a share, a
#: probability, and a rate (a number read as a ratio, not bounded by 1: a loading of "30%", a
#: reinstatement premium of "150%").
PERCENT_KINDS = ("rate", "share", "probability")
#: The other way a Japanese refusal says such a number may be written (:func:`percent_in_text`).
PERCENT_JA = "'80%' のような百分率"


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a field that must be given.
REQUIRED: Any = _Required()

_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
#: The units of a Japanese numeral, largest first; within each group 千 multiplies its number.
_UNITS = (("cho", "兆", 10**12), ("oku", "億", 10**8), ("man", "万", 10**4), ("one", "", 1))


def _group(name: str, unit: str) -> str:
    """One group of a numeral: a number of 千, then a number, then the group's unit; the
    named group ``name`` matches the whole of it (a unit with no number is refused)."""
    return (rf"(?P<{name}>(?:(?P<{name}_sen>{_NUMBER})\s*千\s*)?(?:(?P<{name}_n>{_NUMBER})\s*)?"
            rf"{unit})?\s*")


# "1兆2千億5000万", "5千万", "5000千": the groups in order, each at most once
_NUMERAL = "".join(_group(name, unit) for name, unit, _ in _UNITS)
# NFKC first: full-width digits, commas and the yen sign become ASCII ("１億円" -> "1億円").
_YEN_RE = re.compile(rf"^¥?\s*{_NUMERAL}円?$")
_UNLIMITED = ("inf", "infinity", "unlimited", "無制限")
#: The counter words (助数詞) a number in each unit may carry: "2万件", "120人", "3日", "12時間".
COUNTERS = {"people": ("人", "名"), "records": ("件",), "days": ("日間", "日", "時間")}
#: The counter words that count a part of the unit, and how many make one: 24 hours a day.
_PARTS = {"時間": 24}
_COUNT_RE = re.compile(rf"^{_NUMERAL}(?P<word>[^0-9\s]*)$")
_PLAIN_RE = re.compile(rf"^[+-]?{_NUMBER}$")
#: A yes or no in the words of the form and of the fields' Japanese help (「いいえ」で外す).
_YES_NO = {"はい": True, "いいえ": False}


def _numeral_value(match: re.Match) -> decimal.Decimal | None:
    """The number a match of ``_NUMERAL`` spells, in decimal; None when it spells none or
    gives a unit without its number ("万", "万5000")."""
    total, spelt = decimal.Decimal(0), False
    for name, unit, scale in _UNITS:
        sen, number = match.group(f"{name}_sen"), match.group(f"{name}_n")
        if sen is None and number is None:
            if unit and match.group(name) is not None:
                return None
            continue
        spelt = True
        group = sum((decimal.Decimal(n.replace(",", "")) * k for n, k in ((sen, 1000), (number, 1)) if n),
                    decimal.Decimal(0))
        total += group * scale
    return total if spelt else None


def is_unlimited(text: str) -> bool:
    """Whether a text spells an unlimited amount (``"inf"``, ``"unlimited"``, ``"無制限"``, any
    width or case)."""
    return unicodedata.normalize("NFKC", text).strip().casefold() in _UNLIMITED


def parse_amount(value: Any, where: str) -> float:
    """An amount in JPY from a number or a text.

    Texts are NFKC-normalised, then read as an optional ``¥``, a number of 兆 (1e12), of 億
    (1e8), of 万 (1e4) and of yen, in that order and each at most once, with or without ``円``,
    thousands separators allowed; within each group a number of 千 may come first and multiplies
    its number (``"5千万"`` is 5000万, ``"5000千円"`` the accounting unit's 5,000,000 yen):
    ``"30億円"``, ``"１億円"``, ``"5000万"``, ``"1億5000万円"``, ``"1億5千万円"``, ``"1兆円"``,
    ``"800,000,000"``, ``"¥3,000,000"``; ``"inf"`` / ``"無制限"`` is unlimited.  A leading minus
    sign makes it negative (``"-5万円"``), so that the caller's range check names what is wrong,
    as for the number -50000."""
    if isinstance(value, str):
        if is_unlimited(value):
            return math.inf
        text = unicodedata.normalize("NFKC", value).strip()
        sign = -1 if text[:1] in ("-", "\N{MINUS SIGN}") else 1
        if sign < 0:
            text = text[1:].lstrip()
        match = _YEN_RE.match(text)
        spelt = _numeral_value(match) if match else None
        if spelt is None:
            raise _validate.InputError(f"{where} must be an amount such as 5000000, '500万円' or '1.5億円', "
                                       f"got {_validate.shown(value)}", _validate.Need("amount"), where, value)
        # in decimal, then rounded once: "2.3億円" is 230,000,000 yen, not 2.3 * 1e8
        number = sign * float(spelt)
        if not math.isfinite(number):
            raise _validate.InputError(f"{where} must be a finite amount, got {_validate.shown(value)}",
                                       _validate.Need("finite_amount"), where, value)
        return number
    if not _validate.is_number(value):
        raise _validate.InputError(f"{where} must be an amount in JPY (a number or a text such as "
                                   f"'500万円'), got {_validate.shown(value)}",
                                   _validate.Need("amount_jpy"), where, value)
    return _validate.number(where, value, allow_inf=True)


def parse_number_text(text: str, where: str) -> float:
    """A number written as text with or without thousands separators, as spreadsheets write
    them: ``"1,200"``, ``"１，２００"`` (NFKC first), ``"-3.5"``.  The caller checks the range."""
    return float(_number_text(text, where))


def parse_integer_text(text: str, where: str) -> int:
    """A whole number written as text, read exactly (a count of years may pass 2**53):
    ``"200000"``, ``"２００，０００"``, ``"+5"``; a text with a decimal point is refused as
    :func:`parse_number_text` refuses one that spells no number.  The caller checks the range."""
    number = _number_text(text, where)
    if "." in str(number):
        raise _validate.InputError(f"{where} must be a whole number such as 1200 or '1,200', got "
                                   f"{_validate.shown(text)}", _validate.Need("whole_text"), where, text)
    return int(number)


def _number_text(text: str, where: str) -> decimal.Decimal:
    normal = unicodedata.normalize("NFKC", text).strip()
    if not _PLAIN_RE.match(normal):
        raise _validate.InputError(f"{where} must be a number such as 1200 or '1,200', got "
                                   f"{_validate.shown(text)}", _validate.Need("number_text"), where, text)
    return decimal.Decimal(normal.replace(",", ""))


def number_in_text(text: str) -> int | float | None:
    """The number a text spells as :func:`parse_number_text` reads it (``"１２０"``, ``"1,200"``,
    ``"０.３"``): an int for digits without a point, else a float; None for a text that spells
    none.  For values whose kind is known only from what they replace (overrides)."""
    try:
        number = _number_text(text, "")
    except ValueError:
        return None
    return float(number) if "." in str(number) else int(number)


def percent_in_text(text: str) -> float | None:
    """The ratio a percentage spells, for shares, probabilities and rates: ``"80%"``, ``"８０％"``,
    ``"12.5 %"`` (NFKC first, the number as :func:`parse_number_text` reads it) divided by 100
    in decimal (``"80%"`` is 0.8 exactly as ``0.8`` is); None for a text without ``%`` or
    spelling no number.  A number without ``%`` is what it says (80 is refused as a share)."""
    normal = unicodedata.normalize("NFKC", text).strip()
    if not normal.endswith("%"):
        return None
    try:
        number = _number_text(normal[:-1], "")
    except ValueError:
        return None
    return float(number / 100)


def count_in_text(text: str, counters: tuple[str, ...] = ()) -> int | float | None:
    """The number a text spells as Japanese write counts: NFKC-normalised, a number of 兆, 億
    and 万 and of ones as :func:`parse_amount` reads them (千 within each), thousands separators
    allowed, then one of ``counters`` or nothing (``"2万件"``, ``"1億2000万"``, ``"1.5万"``,
    ``"5千件"``, ``"120人"`` with ``counters=("人",)``; hours of a day, ``"12時間"``, are
    0.5 with ``counters=COUNTERS["days"]``); a leading minus sign makes it negative,
    for the caller's range check to name.  An int when whole (a count), else a float; None for
    a text that spells none or carries another word."""
    normal = unicodedata.normalize("NFKC", text).strip()
    sign = -1 if normal[:1] in ("-", "\N{MINUS SIGN}") else 1
    match = _COUNT_RE.match(normal[1:].lstrip() if sign < 0 else normal)
    spelt = _numeral_value(match) if match else None
    word = match.group("word") if match else ""
    if spelt is None or (word and word not in counters):
        return None
    number = sign * spelt / _PARTS.get(word, 1)
    return int(number) if number == number.to_integral_value() else float(number)


def _counted(field) -> bool:
    """Whether the field's numbers may be written as Japanese counts (:func:`count_in_text`)."""
    return field.kind in ("integer", "count") or field.unit in COUNTERS


def _text_as_number(field, value: Any) -> Any:
    """A text given for a number, as a form, a spreadsheet or a quoted TOML value gives it
    (``"１２０"``, ``"1,200"``, ``"0.3"``; ``"無制限"`` where the field allows unlimited; ``"80%"``
    for a share or a probability, :func:`percent_in_text`; ``"2万件"`` for a count,
    :func:`count_in_text`): the number it spells (:func:`number_in_text`); any other
    value unchanged, for the kind's own check to accept or refuse."""
    if not isinstance(value, str):
        return value
    if field.allow_inf and is_unlimited(value):
        return math.inf
    number = number_in_text(value)
    if number is None and field.kind in PERCENT_KINDS:
        number = percent_in_text(value)
    if number is None and _counted(field):
        number = count_in_text(value, COUNTERS.get(field.unit, ()))
    return value if number is None else number


#: The texts that spell an infinity as float() reads it (a CSV cell "inf" for unlimited).
INF_TEXT = ("inf", "+inf", "infinity", "+infinity")


def parse_cell(text: str, kind: str, where: str, unit: str = "") -> float:
    """A spreadsheet cell's text as a number, as every CSV reader takes it: what ``float``
    reads, else for ``kind == "amount"`` an amount (:func:`parse_amount`: "5000万円",
    "無制限") and for other numbers thousands separators (:func:`parse_number_text`: "1,200"),
    for a share or a probability also a percentage (:func:`percent_in_text`: "80%"), for a
    count or a number in ``unit`` people, records or days also as Japanese write counts
    (:func:`count_in_text`: "120人", "2万件").
    A text spelling NaN, or an infinity it does not spell out ("1e400"), is returned as NaN for
    the column's own check to refuse with its range ("nan" is not a way to leave a cell empty).
    ValueError naming ``where`` when the text spells no number."""
    text = text.strip()
    try:
        x = float(text)
    except ValueError:
        if kind == "amount":
            return parse_amount(text, where)
        if kind in PERCENT_KINDS:
            share = percent_in_text(text)
            if share is not None:
                return share
        if kind in ("integer", "count") or unit in COUNTERS:
            counted = count_in_text(text, COUNTERS.get(unit, ()))
            if counted is not None:
                return float(counted)
        return parse_number_text(text, where)
    return math.nan if math.isinf(x) and text.lower() not in INF_TEXT else x


def parse_choice(field, value: Any, where: str) -> str:
    """A choice: with a ``vocabulary`` the key named by any spelling :mod:`.labels` accepts
    (Japanese label, English in any case); otherwise one of ``choices``, or of their Japanese
    names ``choices_ja`` as :func:`labels.choice` reads them.  A text naming
    no key is returned stripped, for the model to refuse against its data."""
    text = _validate.text(where, value)
    if field.vocabulary:
        key = labels.canonical(field.vocabulary, text)
        text = key if key is not None else text.strip()
    elif field.choices_ja:
        text = labels.choice(field.choices, field.choices_ja, text) or text
    names_ja = () if not field.choices or text in field.choices else (   # for a refusal only
        field.choices_ja or (labels.japanese_names(field.vocabulary, field.choices) if field.vocabulary else ()))
    return _validate.text(where, text, field.choices or None, names_ja)


def _bounds(field) -> dict[str, Any]:
    return {"lo": field.lo, "hi": field.hi, "lo_open": field.lo_open, "hi_open": field.hi_open,
            "allow_inf": field.allow_inf, "cap": field.cap}


def parse(field, value: Any, where: str) -> Any:
    """``value`` read as ``field.kind`` within the field's bounds; ValueError naming ``where``
    (an :class:`_validate.InputError` with the field's Japanese label).
    Numbers of every kind may be texts (:func:`_text_as_number`); a refusal shows the text."""
    kind = field.kind
    if kind == "any":
        return value
    try:
        if kind in NUMERIC_KINDS and kind != "amount" and isinstance(value, str):
            try:
                return _parse(field, _text_as_number(field, value), where)
            except _validate.InputError as exc:
                raise exc.replaced(f"{str(exc).rsplit(', got ', 1)[0]}, got {_validate.shown(value)}",
                                   value=value) from None
            except ValueError as exc:
                raise ValueError(f"{str(exc).rsplit(', got ', 1)[0]}, got "
                                 f"{_validate.shown(value)}") from None
        return _parse(field, value, where)
    except _validate.InputError as exc:
        parts: dict[str, Any] = {}
        if field.label_ja and not exc.label_ja:
            parts["label_ja"] = field.label_ja
        if kind in PERCENT_KINDS and exc.need.kind in ("finite", "number"):     # "80%" is accepted too
            parts["need"] = need_of(field)
        if not parts:
            raise
        raise exc.replaced(**parts) from None


def _parse(field, value: Any, where: str) -> Any:
    kind = field.kind
    if kind in ("number", "rate"):
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
        except _validate.InputError as exc:
            raise exc.replaced(f"{str(exc).rsplit(', got ', 1)[0]}, got {_validate.shown(value)}",
                               value=value) from None
    if kind == "integer":
        return _validate.number(where, value, **_bounds(field), integer=True)
    if kind == "count":
        lo = 1 if field.lo is None else int(field.lo)
        hi = _validate.MAX_COUNT if field.hi is None else int(field.hi)
        if not _is_integer(value) or not lo <= value <= hi:
            bound = f"an integer >= {lo}" + (f" and <= {hi}" if field.hi is not None else "")
            raise _validate.InputError(f"{where} must be {bound}, got {_validate.shown(value)}",
                                       _validate.Need("integer", lo, hi if field.hi is not None else None),
                                       where, value)
        return int(value)
    if kind == "seed":
        if not _is_integer(value) or not 0 <= value <= _validate.SEED_MAX:
            raise _validate.InputError(f"{where} must be an integer in [0, {_validate.SEED_MAX}], "
                                       f"got {_validate.shown(value)}",
                                       _validate.Need("integer", 0, _validate.SEED_MAX), where, value)
        return int(value)
    if kind == "bool":
        if isinstance(value, str):
            value = _YES_NO.get(unicodedata.normalize("NFKC", value).strip(), value)
        return _validate.flag(where, value)
    if kind == "choice":
        return parse_choice(field, value, where)
    if kind == "text":
        return _validate.text(where, value)
    if kind == "list":
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            raise _validate.InputError(f"{where} must be a list, got {_validate.shown(value)}",
                                       _validate.Need("list"), where, value)
        items = list(value)
        if len(items) < field.min_items:
            raise _validate.InputError(f"{where} must list at least {field.min_items} value(s), got "
                                       f"{_validate.shown(items)}",
                                       _validate.Need("list_min", count=field.min_items), where, items)
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
    if kind in ("number", "rate", "amount", "integer"):
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


def need_of(field) -> _validate.Need:
    """What a number of the field must be, as data (:func:`describe_bounds`' bounds, for a
    refusal said in Japanese): the kind (a share, a whole number, a number that may be
    unlimited, a finite number), its bounds, and for the kinds that take one a percentage as
    the other way to write it (``PERCENT_JA``)."""
    kind = field.kind
    if kind == "share":
        return _validate.Need("share", 0.0 if field.lo is None else field.lo, 1.0 if field.hi is None else field.hi,
                              field.lo_open, field.hi_open, detail=PERCENT_JA)
    if kind == "probability":
        return _validate.Need("share", 0, 1, True, True, detail=PERCENT_JA)
    if kind == "seed":
        return _validate.Need("integer", 0, _validate.SEED_MAX)
    if kind == "count":
        return _validate.Need("integer", 1 if field.lo is None else int(field.lo))
    return _validate.Need("whole" if kind == "integer" else ("number" if field.allow_inf else "finite"),
                          field.lo, field.hi, field.lo_open, field.hi_open, field.allow_inf, field.cap,
                          detail=PERCENT_JA if kind in PERCENT_KINDS else "")


def show_default(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isinf(value):
        return "unlimited"
    if isinstance(value, (list, tuple)):
        return ", ".join(show_default(v) for v in value)
    return str(value)
