"""Argument checks shared by the public API and the file readers: errors name the parameter
(a dotted path such as ``reinsurance.per_risk.limit`` where the value came from a file) and
the value.  Booleans are never numbers, a table or list where a number is expected is named
as such, and an integer too large for a float64 is refused rather than overflowing.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

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


def _bound(x) -> str:
    """A bound as a Japanese message shows it: a text as given ("2**63"), an int in full, a
    whole float as :func:`whole_ja` writes it ("1,000万" where the English message's ``:g``
    says 1e+07), any other float as ``:g`` does."""
    if isinstance(x, str):
        return x
    if isinstance(x, numbers.Integral):
        return str(int(x))
    return whole_ja(x) if math.isfinite(x) and x == int(x) else f"{x:g}"


#: The units of large numbers a Japanese reader counts in: 万 (10^4), 億, 兆, 京 (10^16).
_UNITS_JA = ((1e16, "京"), (1e12, "兆"), (1e8, "億"), (1e4, "万"))


def whole_ja(x: float) -> str:
    """A whole number as Japanese text writes it: in the largest unit of 万, 億, 兆 and 京 it
    is a whole multiple of ("1,000万" for 1e7, "100京" for 1e18), else in full with separators
    ("12,345,678"); from 10^20 (10,000京) up as ``:g`` writes it."""
    if abs(x) >= 1e20:
        return f"{x:g}"
    for unit, name in _UNITS_JA:
        if abs(x) >= unit:
            return f"{x / unit:,.0f}{name}" if x % unit == 0 else f"{x:,.0f}"
    return f"{x:,.0f}"


def figure_ja(x: float, unit: str = "") -> str:
    """A figure read from a data file as a Japanese message shows it, followed by ``unit``: in
    full with separators and as many digits as it has ("1,000,000", "2,176.5"; the English
    ``:g`` writes 1e+06), so that an amount in 万円 reads "1,000,000万円" and a count
    "1,842"; from 10^15 up in e-notation."""
    return f"{x:,.15g}{unit}"


#: The nouns of what a value must be (``Need.kind``), in Japanese.
_NOUNS_JA = {
    "number": "数値", "finite": "有限の数値", "share": "割合", "whole": "整数", "integer": "整数",
    "amount": "金額（5000000、'500万円'、'1.5億円' など）", "finite_amount": "有限の金額",
    "amount_jpy": "円の金額（数値、または '500万円' のような文字列）",
    "number_text": "数値（1200 や '1,200' など）", "whole_text": "整数（1200 や '1,200' など）",
    "flag": "true か false", "text": "空でない文字列", "table": "表（テーブル）", "list": "リスト",
    "file_path": "ファイルのパス", "id": "空でない ID",
}
#: The nouns of the keys a table holds (``Table.noun``) and of the files read, in Japanese.
NOUNS_JA = {"field": "項目", "control": "対策", "contract": "契約", "table": "表", "column": "列",
            "section": "補償", "key": "キー"}
WHAT_JA = {"profile": "プロファイル", "terms file": "保険条件ファイル", "reinsurance file": "再保険ファイル",
           "spec file": "シミュレーション仕様ファイル", "scenario file": "シナリオファイル",
           "portfolio file": "ポートフォリオファイル",
           "components file": "構成要素ファイル", "overrides file": "上書きファイル",
           "calibration file": "キャリブレーションファイル", "external figures": "外部公表値ファイル",
           "portfolio": "ポートフォリオ", "claims file": "請求実績ファイル",
           "exposure file": "エクスポージャーファイル"}


def place_ja(where: str) -> str:
    """A place an error names in Japanese: "profile x.toml" is "プロファイル x.toml"; a dotted
    path or an unknown place as it is."""
    for what in sorted(WHAT_JA, key=len, reverse=True):
        if where == what or where.startswith(what + " "):
            return WHAT_JA[what] + where[len(what):]
    return where


@dataclasses.dataclass(frozen=True)
class Need:
    """What an input must be, or what is wrong with it, as data (rendered in Japanese by
    :meth:`sentence_ja`; the English message is the raiser's own, unchanged).

    ``kind`` is one of the keys of ``_NOUNS_JA`` (a value of that sort, within ``lo``/``hi``
    (``lo_open``/``hi_open``: strictly), ``cap``, ``allow_inf``), ``"choice"`` (one of
    ``choices``), ``"list_min"`` (a list of at least ``count`` items), or a fact:
    ``"unknown"`` (``key`` is not a ``noun`` of the table; ``choices``: the known ones,
    ``suggestion``: the one meant), ``"missing"`` (``key`` is required), ``"twice"``,
    ``"not_found"``, ``"folder"``, ``"unreadable"`` (``detail``: the system's reason),
    ``"empty_name"``, ``"syntax"`` (``detail``: the parser's words; ``noun``: the format),
    ``"too_deep"``, ``"encoding"``, ``"nul"``, ``"no_table"`` (``key``: the table a command
    needs), the facts of a CSV's structure (``"fields"``, ``"unknown_columns"``,
    ``"twice_columns"``, ``"missing_columns"``, ``"no_header"``, ``"no_rows"``, ``"headless"``), of
    a JSON document's (``"duplicate_key"``, ``"not_finite"``: ``key`` is ``detail``, NaN or Infinity);
    ``"relation"``: what a check between fields needs, as its raiser words it in
    Japanese (``detail``, a noun: "terms.deductible（免責金額、'2億円'）以上の金額")."""

    kind: str
    lo: Any = None
    hi: Any = None
    lo_open: bool = False
    hi_open: bool = False
    allow_inf: bool = False
    cap: Any = None
    choices: tuple[str, ...] = ()
    choices_ja: tuple[str, ...] = ()
    count: int = 0
    key: str = ""
    noun: str = ""
    detail: str = ""
    suggestion: str = ""
    empty_ok: bool = False

    def noun_ja(self) -> str:
        """What the value must be, in Japanese: "整数（1 以上 1e+07 以下）"."""
        if self.kind == "choice":
            if any(self.choices_ja):    # 「製造業」「卸売業，小売業」...: the names a Japanese user knows
                names = "".join(f"「{ja or key}」" for key, ja in zip(self.choices, self.choices_ja))
                return f"{names}のいずれか（{self.choices[0]} などのキーでも可）"
            return f"{', '.join(self.choices)} のいずれか"
        if self.kind == "relation":
            return self.detail
        if self.kind == "list_min":
            return f"{self.count} 個以上の値のリスト"
        if self.kind == "controls":
            return f"';' で区切った対策の名前（{', '.join(self.choices)} またはその日本語名）"
        conditions = []
        if self.lo is not None:
            conditions.append(f"{_bound(self.lo)} {'超' if self.lo_open else '以上'}")
        if self.hi is not None:
            conditions.append(f"{_bound(self.hi)} {'未満' if self.hi_open else '以下'}")
        if self.cap is not None:
            conditions.append(f"{_bound(self.cap)} 以下")
        bounds = " ".join(conditions) + ("、inf で無制限" if self.allow_inf else "")
        if self.empty_ok and not self.detail:   # 整数（1 以上 1e+07 以下、空欄も可）
            bounds += "、空欄も可"
        noun = _NOUNS_JA[self.kind] + (f"（{bounds.lstrip('、')}）" if bounds else "")
        if self.detail:         # another way to write it
            noun += f"、または {self.detail}" + ("（空欄も可）" if self.empty_ok else "")
        return noun

    def sentence_ja(self, subject: str) -> str:
        """The refusal in Japanese, about ``subject`` (a field's path and label; "" for none)."""
        fact = _FACTS_JA.get(self.kind)
        if fact is None:
            return _joined(subject, "には", self.noun_ja(), "を指定する") if subject else \
                _joined(self.noun_ja(), "を指定する")
        noun = NOUNS_JA.get(self.noun, self.noun)
        said = fact.format(key=self.key, noun=noun, detail=self.detail, count=self.count,
                           choices=", ".join(self.choices))
        if self.kind == "unknown" and self.suggestion:
            said += f"。{self.suggestion} のことか"
        return f"{subject}: {said}" if subject else said


_CLOSE = "（）「」『』、。："


def _joined(*pieces: str) -> str:
    """Pieces of a Japanese sentence, a space where ASCII meets Japanese (「edr には true か false
    を指定する」), none beside Japanese brackets and punctuation."""
    out = ""
    for piece in pieces:
        if out and piece and out[-1].isascii() != piece[0].isascii() \
                and out[-1] not in _CLOSE and piece[0] not in _CLOSE and not out[-1].isspace():
            out += " "
        out += piece
    return out


_FACTS_JA = {
    "unknown": "{noun} '{key}' はない（使える{noun}: {choices}）",
    "missing": "{noun} '{key}'{detail}を指定する（必須）",
    "missing_tag": "{noun} '{key}' を指定する（{choices} のいずれか）",
    "twice": "{noun} '{key}' が2回以上指定されている（{detail}）",
    "not_found": "ファイルが見つからない",
    "folder": "フォルダであり、ファイルではない",
    "unreadable": "ファイルを読めない（{detail}）",
    "empty_name": "ファイル名が空",
    "syntax": "{noun} として正しくない（{detail}）",
    "too_deep": "入れ子が {count} 段より深い（{detail}）",
    "encoding": "{detail}",
    "nul": "NUL 文字がある（位置 {count}）。テキストファイルではない",
    "no_table": "[{key}] の表がない（{detail}）",
    "duplicate": "{detail}と重複している",
    "fields": "値が {count} 個ある（見出しは {key} 個）: {detail}",
    "unknown_columns": "不明な列 {key}（使える列: {choices}、またはその日本語名）",
    "twice_columns": "同じ列が2回以上ある: {key}（見出し {detail}）",
    "missing_columns": "必須の列 {key} がない（必須: {choices}）",
    "no_header": "見出しの行がない（ファイルが空）",
    "no_rows": "見出しの後に行がない",
    "headless": "{count} 列目に見出しがないのに値がある（最初は {detail}）。列に名前を付けるか、削除する",
    "duplicate_key": "キー '{key}' が2回以上ある",
    "not_finite": "{key} が {detail} であり、有限の数値ではない",
}


def shown_ja(value, limit: int = 60) -> str:
    """The value as a Japanese message shows it (:func:`shown`, its words in Japanese)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return f"{str(bool(value)).lower()}（真偽値）"
    if isinstance(value, numbers.Integral) and abs(int(value)) >= 10**30:
        bits = int(value).bit_length()
        return f"{bits} ビットの整数（約 {'-' if value < 0 else ''}2**{bits - 1}）"
    if isinstance(value, (datetime.date, datetime.time)):
        return f"日付・時刻 {value.isoformat()}"
    english = shown(value, limit)
    if isinstance(value, dict):
        return "表 " + english[len("a table "):]
    if isinstance(value, (list, tuple)):
        return "リスト " + english[len("a list "):]
    return english


class Place(str):
    """A place an error names (a CSV row: "portfolio row 2 (line 6, policy_id 'A2')"), with its
    Japanese in ``ja``."""

    ja: str

    def __new__(cls, en: str, ja: str) -> Place:
        place = super().__new__(cls, en)
        place.ja = ja
        return place


def in_japanese(place: str) -> str:
    """A place's Japanese (:class:`Place`, or a file as :func:`place_ja` names it)."""
    return getattr(place, "ja", None) or place_ja(place)


#: The default of an error's ``value`` parameter: no value to show (None is a value, shown as None).
NO_VALUE: Any = object()


class InputError(ValueError):
    """A refusal of an input, carried in parts so that it can be said in Japanese.

    ``str(exc)`` is the English message exactly as the raiser words it; :meth:`japanese` says
    the same from the parts: ``where`` (the dotted path or name of the value, "" for none),
    ``label_ja`` (its field's Japanese label, when known), ``need`` (a :class:`Need`: what it
    must be, or what is wrong), ``value_ja`` (the value as shown, None for none) and
    ``context`` (the places around it, outermost first, as (English, Japanese) pairs: a file,
    a CSV row).  :func:`located` keeps the class and the parts when it prefixes a path.  Errors
    raised as plain ValueError (the model's own checks, the Python API's argument checks) have no
    Japanese; the command line shows them in English after its Japanese 「エラー:」."""

    def __init__(self, english: str, need: Need, where: str = "", value: Any = NO_VALUE, *,
                 label_ja: str = "", value_ja: str | None = None,
                 context: tuple[tuple[str, str], ...] = ()):
        super().__init__(english)
        self.need = need
        self.where = where
        self.label_ja = label_ja
        self.value_ja = value_ja if value is NO_VALUE else shown_ja(value)
        self.context = context

    def replaced(self, english: str | None = None, **parts) -> InputError:
        """A copy with another English message and other parts (``value=`` shows a value)."""
        copy = InputError(str(self) if english is None else english, self.need, self.where,
                          label_ja=self.label_ja, value_ja=self.value_ja, context=self.context)
        if "value" in parts:
            copy.value_ja = shown_ja(parts.pop("value"))
        for name, part in parts.items():
            setattr(copy, name, part)
        return copy

    def japanese(self, label_of: Callable[[str], str] | None = None) -> str:
        """The message in Japanese; ``label_of`` gives the Japanese label of a dotted path
        where the raiser gave none."""
        label = self.label_ja or (label_of(self.where) if label_of is not None and self.where else "")
        subject = self.where + (f"（{label}）" if label else "") if self.where else ""
        text = self.need.sentence_ja(subject)
        if self.value_ja is not None:
            text += f"（入力: {self.value_ja}）"
        return "".join(f"{ja}: " for _, ja in self.context) + text


class MissingFile(FileNotFoundError):
    """A file that does not exist (an OSError, as before), with its Japanese."""

    def __init__(self, english: str, place: str):
        super().__init__(english)
        self.place = place

    def japanese(self, label_of=None) -> str:
        return f"{place_ja(self.place)}: ファイルが見つからない"


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


def within_bounds(x: float, lo: float | None, hi: float | None, lo_open: bool, hi_open: bool,
                  cap: float | None, integer: bool) -> bool:
    """Whether a non-NaN ``x`` lies within :func:`number`'s bounds: ``lo``/``hi`` (strictly where
    ``lo_open``/``hi_open``), ``cap`` for a finite value, whole where ``integer`` (infinity
    passes the last two: :func:`number` decides whether it may be infinite)."""
    return not ((lo is not None and (x < lo or (lo_open and x == lo)))
                or (hi is not None and (x > hi or (hi_open and x == hi)))
                or (cap is not None and math.isfinite(x) and x > cap)
                or (integer and math.isfinite(x) and x != math.floor(x)))


def number(name: str, value, lo: float | None = None, hi: float | None = None, *,
           lo_open: bool = False, hi_open: bool = False, allow_inf: bool = False,
           integer: bool = False, cap: float | None = None) -> float:
    """``value`` as a float after checking its type and range; ValueError naming ``name``.

    ``lo``/``hi`` bound it (``lo_open``/``hi_open``: strictly); ``cap`` is a sanity upper bound
    (``MAX_AMOUNT`` ...) for finite values; ``allow_inf`` admits +inf (an unlimited amount);
    ``integer`` requires a whole number (returned as int)."""
    need = _requirement(integer, lo, hi, lo_open, hi_open, allow_inf, cap)
    parts = Need("whole" if integer else ("number" if allow_inf else "finite"), lo, hi, lo_open,
                 hi_open, allow_inf, cap)
    if not is_number(value):
        raise InputError(f"{name} must be {need}, got {shown(value)}", parts, name, value)
    try:
        x = float(value)
    except OverflowError:
        raise InputError(f"{name} must be {need}, got {shown(value)} (too large)", parts, name,
                         value_ja=f"{shown_ja(value)}（大きすぎる）") from None
    if math.isnan(x) or (math.isinf(x) and not (allow_inf and x > 0)) \
            or not within_bounds(x, lo, hi, lo_open, hi_open, cap, integer):
        raise InputError(f"{name} must be {need}, got {shown(value)}", parts, name, value)
    if integer:
        if isinstance(value, numbers.Integral):
            return int(value)
        return int(x) if math.isfinite(x) else x
    return x


def text(name: str, value, choices=None, choices_ja: tuple[str, ...] = ()) -> str:
    """A non-empty string (one of ``choices`` if given; ``choices_ja``: their Japanese names, for
    the Japanese refusal)."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{name} must be a non-empty text, got {shown(value)}", Need("text"), name, value)
    if choices is not None and value not in choices:
        raise InputError(f"{name} must be one of {', '.join(choices)}; got {shown(value)}",
                         Need("choice", choices=tuple(choices), choices_ja=tuple(choices_ja)), name, value)
    return value


def flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be true or false, got {shown(value)}", Need("flag"), name, value)
    return bool(value)


def table(name: str, value) -> dict:
    if not isinstance(value, Mapping):
        raise InputError(f"{name} must be a table, got {shown(value)}", Need("table"), name, value)
    return dict(value)


class InJapaneseToo(Exception):
    """An error worded whole in English (``str()``) and in Japanese (:meth:`japanese`, what the
    command line prints under ``--lang ja``), for errors that carry no field to build the
    sentence from as :class:`InputError` does; mixed in before the error's built-in class."""

    def __init__(self, english: str, japanese: str):
        super().__init__(english)
        self._japanese = japanese

    def japanese(self, label_of=None) -> str:
        return self._japanese


class OutOfMemory(InJapaneseToo, MemoryError):
    """A request refused before allocating, as too large for the available memory."""


def fits_in_memory(need: float, what: str, advice: str, what_ja: str, advice_ja: str) -> None:
    """Refuse, before allocating, a request that would not fit in the available memory:
    :class:`OutOfMemory` naming ``what`` is asked, the memory it needs and has, and ``advice``
    (``what_ja``, ``advice_ja``: the same in Japanese, "1,000 年の見積り", "年数を減らす")."""
    have = _core.available_memory_bytes()
    if need > have:
        gib = need / 2**30
        shown_need = f"{gib:,.1f}" if gib < 1e6 else f"{gib:.3g}"
        raise OutOfMemory(f"{what} needs about {shown_need} GiB at its peak, {have / 2**30:,.1f} GiB "
                          f"is available: {advice}",
                          f"{what_ja}にはピーク時に約 {shown_need} GiB のメモリが必要だが、使えるのは "
                          f"{have / 2**30:,.1f} GiB。{advice_ja}")


MAX_THREADS = _core.MAX_THREADS    # the engine's cap (include/cyberloss/engine.hpp)
YEAR_END = _core.MAX_YEAR_END      # year indices lie in [0, 2**63) (docs/DESIGN.md)


def seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= int(value) <= SEED_MAX:
        raise InputError(f"seed must be an integer in [0, {SEED_MAX}], got {shown(value)}",
                         Need("integer", 0, SEED_MAX), "seed", value)
    return int(value)


def positive_int(name: str, value, maximum: int = MAX_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) <= 0:
        raise InputError(f"{name} must be an integer >= 1, got {shown(value)}", Need("integer", 1), name, value)
    if int(value) > maximum:
        raise InputError(f"{name} must be at most {maximum}, got {shown(value)}",
                         Need("integer", hi=maximum), name, value)
    return int(value)


def integer_in(name: str, value, low: int, high: int, high_text: str | None = None) -> int:
    """An integer (not a bool) in [low, high]; ``high_text`` shows the bound in the message."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= int(value) <= high:
        raise InputError(f"{name} must be an integer in [{low}, {high_text or high}], got {shown(value)}",
                         Need("integer", low, high_text or high), name, value)
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
    already start with ``where`` are left alone, so nested tables compose.  An
    :class:`InputError` stays one, its path prefixed or ``where`` added to its context."""
    try:
        yield
    except ValueError as exc:
        message = str(exc)
        if not where or message.startswith(where):
            raise
        head = message.split(" ", 1)[0].split(".", 1)[0].split("[", 1)[0].rstrip(":")
        joined = f"{where}.{message}" if head in fields else f"{where}: {message}"
        if isinstance(exc, InputError):
            if head in fields and exc.where.split(".", 1)[0].split("[", 1)[0] == head:
                raise exc.replaced(joined, where=f"{where}.{exc.where}") from None
            raise exc.replaced(joined, context=((where, in_japanese(where)), *exc.context)) from None
        raise ValueError(joined) from None
