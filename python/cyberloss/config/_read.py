"""Every input file the package reads goes through here: one-line errors naming the file.

``read_text`` refuses a missing path, a folder, an unreadable file and bytes that are not
UTF-8 (the byte and its position are named), or, for CSVs, not UTF-8 nor CP932 (the Shift-JIS
of Japanese Excel) unless another encoding is given; UTF-16 or UTF-32 text (Excel's "Unicode
text") is refused as such, naming the encoding that reads it; ``read_toml`` and ``read_json`` add the syntax
errors of the format, refuse nesting deeper than ``_json.MAX_DEPTH`` (which would otherwise
exhaust Python's recursion) and, for JSON, NaN, Infinity and duplicate keys.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

from .. import _json
from .._files import japanese_reason
from .._validate import InputError, MissingFile, Need, Place, in_japanese, place_ja

if sys.version_info >= (3, 11):
    import tomllib
else:   # the same parser, published as tomli before Python 3.11 took it in
    import tomli as tomllib


def _at(place: str) -> tuple[tuple[str, str], ...]:
    """The context of an error about the file ``place`` names ("profile x.toml")."""
    return ((place, place_ja(place)),)


def _unreadable(exc: OSError) -> Need:
    """Why a file cannot be read, the system's reason in Japanese where it has a wording."""
    return Need("unreadable", detail=japanese_reason(exc))


def path_of(path: str | os.PathLike, what: str) -> Path:
    """``path`` as a Path, after checking that it names a readable regular file."""
    if not isinstance(path, (str, os.PathLike)):
        raise InputError(f"{what} must be a file path, got {path!r}", Need("file_path"), what,
                         value_ja=repr(path))
    p = Path(path)
    if str(path) == "":
        raise InputError(f"{what}: the file name is empty", Need("empty_name"), context=_at(what))
    try:
        if p.is_dir():
            raise InputError(f"{what} {p}: is a folder, not a file", Need("folder"), context=_at(f"{what} {p}"))
        if not p.exists():
            raise MissingFile(f"{what} not found: {p}", f"{what} {p}")
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and str(exc).startswith(what):
            raise
        raise InputError(f"{what} {p}: {exc.strerror or exc}", _unreadable(exc), context=_at(f"{what} {p}")) from None
    return p


def read_bytes(path: str | os.PathLike, what: str) -> bytes:
    p = path_of(path, what)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise InputError(f"{what} {p}: cannot read it: {exc.strerror or exc}", _unreadable(exc),
                         context=_at(f"{what} {p}")) from None


#: What ``encoding="auto"`` tries, in order: UTF-8 (a byte-order mark dropped), then CP932, the
#: Shift-JIS of Japanese Windows and Excel ("CSV (コンマ区切り)").  Text in one is almost never
#: valid in the other, so the first that decodes the whole file is taken.
AUTO_ENCODINGS = ("utf-8-sig", "cp932")


def encoding_name(encoding: str) -> str:
    """``encoding`` checked: "auto" or a codec Python knows (utf-8, utf-8-sig, cp932, shift_jis,
    euc-jp ...)."""
    if encoding == "auto":
        return encoding
    try:
        return codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise InputError(f"encoding must be 'auto' or a text encoding such as utf-8 or cp932, got {encoding!r}",
                         Need("relation", detail="'auto'、または utf-8 や cp932 のような文字コード"), "encoding",
                         value_ja=repr(encoding)) from None


#: The byte-order marks of UTF-16 and UTF-32 (UTF-32's little-endian mark starts with UTF-16's,
#: so it comes first), with the encoding that reads a file starting with them.
_WIDE_MARKS = ((codecs.BOM_UTF32_LE, "UTF-32", "utf-32"), (codecs.BOM_UTF32_BE, "UTF-32", "utf-32"),
               (codecs.BOM_UTF16_LE, "UTF-16", "utf-16"), (codecs.BOM_UTF16_BE, "UTF-16", "utf-16"))


def _wide_unicode(data: bytes) -> tuple[str, str] | None:
    """Why ``data`` is (or looks like) UTF-16 or UTF-32 text, said for a refusal, and the
    encoding that reads it: a byte-order mark, or NUL bytes in every other byte of the start
    and only there (Latin letters and digits, as CSV headers are, saved as UTF-16 without a
    mark); else None."""
    for mark, name, codec in _WIDE_MARKS:
        if data.startswith(mark):
            return f"is {name} text (it starts with {name}'s byte-order mark)", codec
    head = data[:1024]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if len(head) >= 4 and min(even, odd) == 0 and max(even, odd) >= max(1, len(head) // 8):
        return ("looks like UTF-16 text (a NUL byte beside each of its Latin letters and digits)",
                "utf-16-le" if odd else "utf-16-be")
    return None


def decode(data: bytes, where: str, encoding: str | None = None) -> str:
    """Text from ``data``: UTF-8 (a leading byte-order mark is dropped) when ``encoding`` is
    None, the first of ``AUTO_ENCODINGS`` that decodes it for "auto", else the named encoding.
    NUL bytes are refused; a file in UTF-16 or UTF-32 (unless named) is refused as such,
    with the encoding to name (or, for a file that must be UTF-8, advice to save it so)."""
    names = ("utf-8-sig",) if encoding is None else (
        AUTO_ENCODINGS if encoding == "auto" else (encoding_name(encoding),))
    wide = None if names[0].startswith(("utf-16", "utf-32")) else _wide_unicode(data)
    if wide is not None:
        what, codec = wide
        advice = "save the file as UTF-8" if encoding is None else f"give its encoding (--encoding {codec})"
        advice_ja = "UTF-8 で保存する" if encoding is None else f"文字コードを指定する（--encoding {codec}）"
        raise InputError(f"{where}: {what}; {advice}",
                         Need("encoding", detail=f"{what.split(' ')[1 if what.startswith('is ') else 2]} のテキスト"
                                                 f"{'である' if what.startswith('is ') else 'らしい'}。{advice_ja}"),
                         context=_at(where))
    errors: list[UnicodeDecodeError] = []
    for name in names:
        try:
            text = data.decode(name)
            break
        except UnicodeDecodeError as exc:
            errors.append(exc)
    else:
        first = errors[0]
        codecs = ["UTF-8" if n == "utf-8-sig" else n.upper() for n in names]
        shown = " nor ".join(codecs)
        shown_ja = f"{codecs[0]} のテキストではない" if len(codecs) == 1 else \
            " ".join(f"{c} でも" for c in codecs) + "ない"     # UTF-8 でも CP932 でもない
        advice = "save the file as UTF-8" if encoding is None else "give its encoding (--encoding)"
        advice_ja = "UTF-8 で保存する" if encoding is None else "文字コードを指定する（--encoding）"
        raise InputError(f"{where}: not {shown} text (byte 0x{data[first.start]:02x} at position "
                         f"{first.start}); {advice}",
                         Need("encoding", detail=f"{shown_ja}（位置 "
                                                 f"{first.start} のバイト 0x{data[first.start]:02x}）。{advice_ja}"),
                         context=_at(where)) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise InputError(f"{where}: holds a NUL character at position {text.index(chr(0))}; "
                         "not a text file", Need("nul", count=text.index(chr(0))), context=_at(where))
    return text


def read_text(path: str | os.PathLike, what: str, encoding: str | None = None) -> str:
    """The text of ``path`` (``encoding`` as for :func:`decode`)."""
    p = path_of(path, what)
    return decode(read_bytes(p, what), f"{what} {p}", encoding)


def csv_records(text: str, what: str = "") -> list[tuple[int, list[str]]]:
    """The records of a CSV text as (line, cells): the line (from 1) on which the record
    starts, which differs from its position when a quoted cell holds a line break or blank
    lines come before it; trailing blank records dropped; the first must hold a header.
    Errors start with ``what: `` when ``what`` is given."""
    where = f"{what}: " if what else ""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, skipinitialspace=True)
    records, line = [], 1
    try:
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        detail = f"ファイルの {reader.line_num} 行目: {_csv_error_ja(str(exc))}"
        raise InputError(f"{where}not valid CSV ({exc})", Need("syntax", noun="CSV", detail=detail),
                         context=_at(what) if what else ()) from None
    while records and not any(cell.strip() for cell in records[-1][1]):
        records.pop()
    if not records or not any(cell.strip() for cell in records[0][1]):
        raise InputError(f"{where}no header line (the file is empty)", Need("no_header"),
                         context=_at(what) if what else ())
    return records


#: The csv module's errors (CPython's _csv.c) in Japanese; any other is shown as it is.
_CSV_ERRORS_JA = ((re.compile(r"'(.)' expected after '(.)'"),
                   "{1} の後には区切りの '{0}' が必要（引用符の中の {1} は 2 つ重ねる）"),
                  (re.compile(r"unexpected end of data"), "引用符が閉じられないままファイルが終わる"),
                  (re.compile(r"field larger than field limit \((\d+)\)"), "値が長すぎる（上限 {0} 文字）"))


def _csv_error_ja(message: str) -> str:
    for pattern, ja in _CSV_ERRORS_JA:
        found = pattern.fullmatch(message)
        if found:
            return ja.format(*found.groups())
    return message


def row_name(number: int, line: int | None = None, ident: str | None = None, value: Any = None) -> str:
    """"row 2 (line 6, claim_id 'A2')": a table's row (from 1, the header and blank lines not
    counted), the line it starts on in a CSV file (None for a DataFrame) and its id column's
    value (``ident`` None: none shown), as every CSV reader's refusals name a row."""
    notes = ([] if line is None else [f"line {line}"]) + ([] if ident is None else [f"{ident} {value!r}"])
    return f"row {number}" + (f" ({', '.join(notes)})" if notes else "")


def row_place(what: str, number: int, line: int | None = None, ident: str | None = None,
              value: Any = None) -> Place:
    """"claims file c.csv, row 2 (line 6, claim_id 'A2')": a row of the file (or table) ``what``
    names, as :func:`row_name` and :func:`row_name_ja` name it, in both languages."""
    return Place(f"{what}, {row_name(number, line, ident, value)}",
                 f"{in_japanese(what)}: {row_name_ja(number, line, ident, value)}")


def cell_error(where: str, column: str, message: str, value: Any, need: Need | None = None,
               label_ja: str = "") -> ValueError:
    """A CSV cell's refusal: ``where`` (a row: :func:`row_place`), the column, what the cell must
    be (``message``; ``need``: the same as data, for the Japanese; ``label_ja``: the column's
    label) and the value.  Without ``need``, a ValueError said in English only."""
    english = f"{where}, column {column!r}: {message}, got {value!r}"
    if need is None:
        return ValueError(english)
    return InputError(english, need, f"列 {column!r}", label_ja=label_ja, value_ja=repr(value),
                      context=((where, in_japanese(where)),))


def row_name_ja(number: int, line: int | None = None, ident: str | None = None, value: Any = None) -> str:
    """:func:`row_name` in Japanese: "2 件目（ファイルの 6 行目、claim_id 'A2'）" (the row among
    the records, then the line of the file)."""
    notes = ([] if line is None else [f"ファイルの {line} 行目"]) + ([] if ident is None else [f"{ident} {value!r}"])
    return f"{number} 件目" + (f"（{'、'.join(notes)}）" if notes else "")


#: The key of ``DataFrame.attrs`` under which a CSV reader keeps each row's line (a frame
#: built otherwise has none, and its errors name rows only), as :class:`CsvLines`.
CSV_LINES = "cyberloss.csv_lines"


class CsvLines(tuple):
    """Each row's line in its CSV file.  Immutable, so a deep copy is the same object: pandas
    deep-copies a frame's ``attrs`` in most of its operations, and a list of 200,000 lines cost
    seconds a book."""

    def __deepcopy__(self, memo) -> "CsvLines":
        return self


def csv_table(text: str, name_row: Callable[[int, int], str], what: str = ""
              ) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A CSV text's header (cells stripped) and its rows as (line, cells), the line as
    :func:`csv_records` gives it.  Blank lines are skipped; any other row must have the header's
    fields, else it is refused as ``<name_row(r, line)> has 2 fields, the header has 5: 'A2,x'``
    (r: the row from 1, the header and blank lines not counted)."""
    records = csv_records(text, what)
    header = [cell.strip() for cell in records[0][1]]
    rows: list[tuple[int, list[str]]] = []
    for line, cells in records[1:]:
        if len(cells) != len(header):
            if not any(cell.strip() for cell in cells):
                continue       # a blank line
            place = name_row(len(rows) + 1, line)
            raise InputError(f"{place} has {len(cells)} fields, the header "
                             f"has {len(header)}: {','.join(cells)[:120]!r}",
                             Need("fields", count=len(cells), key=str(len(header)),
                                  detail=repr(','.join(cells)[:120])), context=((place, in_japanese(place)),))
        rows.append((line, cells))
    return header, rows


def loads_toml(text: str, where: str) -> dict[str, Any]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        shown = _json.line(text, int(found.group(1))) if found else ""
        detail = f"{exc}{': ' + shown if shown else ''}"
        raise InputError(f"{where}: not valid TOML ({detail})", Need("syntax", noun="TOML", detail=detail),
                         context=_at(where)) from None
    except RecursionError:
        place = _json.deep_place(text)
        raise InputError(f"{where}: nested more than {_json.MAX_DEPTH} levels deep at {place}",
                         Need("too_deep", count=_json.MAX_DEPTH, detail=place), context=_at(where)) from None
    except ValueError as exc:   # e.g. an integer of more digits than Python converts
        raise InputError(f"{where}: not valid TOML ({exc})", Need("syntax", noun="TOML", detail=str(exc)),
                         context=_at(where)) from None
    with _said_in_japanese(where):
        return _json.check_depth(doc, where)


def read_toml(path: str | os.PathLike, what: str) -> dict[str, Any]:
    """The TOML document in ``path`` (``what`` names it in errors, e.g. "reinsurance file")."""
    p = path_of(path, what)
    return loads_toml(read_text(p, what), f"{what} {p}")


def read_json(path: str | os.PathLike, what: str) -> Any:
    p = path_of(path, what)
    with _said_in_japanese(f"{what} {p}"):
        return _json.loads(read_text(p, what), f"{what} {p}")


@contextlib.contextmanager
def _said_in_japanese(where: str):
    """A refusal of a JSON document (or of a TOML one's depth) as an InputError about ``where``."""
    try:
        yield
    except _json.Refusal as exc:
        raise InputError(str(exc), Need(exc.kind, **exc.parts), context=_at(where)) from None
