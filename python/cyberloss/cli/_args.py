"""Typed command-line values, read as a profile's are (``config``: full-width digits and
thousands separators, ``--years ２００，０００``): an invalid one is refused by argparse as
``cyberloss <command>: error: argument --years: must be an integer >= 1, got '0'``."""
from __future__ import annotations

import argparse
import math

from .. import _validate, config
from ._help import both

MAX_COUNT = _validate.MAX_COUNT


def integer(minimum: int | None = None, maximum: int | None = None):
    """An argparse type: a whole number in [minimum, maximum] (decimal digits, optional sign,
    :func:`config.parse_integer_text`)."""
    def parse(text: str) -> int:
        bounds = " and ".join(b for b in (f">= {minimum}" if minimum is not None else "",
                                          f"<= {maximum}" if maximum is not None else "") if b)
        need = f"must be an integer{' ' + bounds if bounds else ''}, got {text!r}"
        try:
            value = config.parse_integer_text(text, "")
        except ValueError:
            raise argparse.ArgumentTypeError(need) from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(need)
        return value
    parse.__name__ = "integer"
    return parse


def number(minimum: float | None = None, maximum: float | None = None, kind: str = "number"):
    """An argparse type: a finite decimal number in [minimum, maximum] (as a CSV cell of the
    field kind ``kind`` is read, :func:`config.parse_cell`: a share also as "30%")."""
    def parse(text: str) -> float:
        bounds = " and ".join(b for b in (f">= {minimum:g}" if minimum is not None else "",
                                          f"<= {maximum:g}" if maximum is not None else "") if b)
        percent = " (or a percentage such as 30%)" if kind in config.types.PERCENT_KINDS else ""
        need = f"must be a finite number{' ' + bounds if bounds else ''}{percent}, got {text!r}"
        try:
            value = config.parse_cell(text, kind, "")
        except ValueError:
            raise argparse.ArgumentTypeError(need) from None
        if not math.isfinite(value) or (minimum is not None and value < minimum) \
                or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(need)
        return value
    parse.__name__ = "number"
    return parse


def encoding_help(what: str, what_ja: str) -> str:
    """The help of --encoding, for the commands that read CSV files (``what``: "a CSV",
    ``what_ja`` the same in Japanese)."""
    return both(f"text encoding of {what}: auto (UTF-8, UTF-8 with BOM or CP932 from Japanese "
                "Excel, detected; the default), or a name such as cp932 or utf-8",
                f"{what_ja}の文字コード: auto（UTF-8、BOM 付き UTF-8、日本語版 Excel の CP932 を"
                "判別。既定）、または cp932、utf-8 などの名前")


COUNT = integer(1, MAX_COUNT)
SEED = integer(0, _validate.SEED_MAX)
THREADS = integer(1, _validate.MAX_THREADS)

# The metavars and help several commands share (the English metavars are argparse's own)
YEARS_WORD = both("YEARS", "年数")
SEED_WORD = both("SEED", "シード")
THREADS_WORD = both("THREADS", "スレッド数")
ENCODING_WORD = both("ENCODING", "文字コード")
PROFILE_WORD = both("profile", "プロファイル")
JSON_TABLE = both("print JSON instead of a table", "表ではなく JSON を出力")

