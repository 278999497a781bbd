"""Text tables for terminals, aligned by display width.

A terminal draws East Asian wide and full-width characters (漢字, かな, 万円, ＡＢＣ) in two
columns; ``str.ljust`` and format widths count them as one, which shifts every column after
a Japanese cell.  :func:`width` counts columns as a terminal does (``unicodedata``'s East
Asian Width: W and F take two), :func:`pad` pads to a width, and :func:`table` lays out rows.
pandas tables go through :func:`frame`, which switches pandas' East Asian width option on.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import pandas as pd

WIDE = ("W", "F")


def width(text: str) -> int:
    """Terminal columns of ``text``: wide and full-width characters two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in WIDE else 1
               for ch in text)


def fit(text: str, columns: int) -> str:
    """``text`` cut to at most ``columns`` terminal columns."""
    out, used = [], 0
    for ch in text:
        w = width(ch)
        if used + w > columns:
            break
        out.append(ch)
        used += w
    return "".join(out)


def pad(text: str, columns: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (``align``: "<" left,
    ">" right); longer text is cut."""
    text = fit(text, columns)
    gap = " " * (columns - width(text))
    return text + gap if align == "<" else gap + text


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "",
          max_width: Sequence[int] | None = None) -> list[str]:
    """Lines of a table: a header, a rule and the rows, each column as wide as its widest cell
    (at most ``max_width[i]`` if given).  ``align`` has one "<" or ">" per column (default:
    the first left, the others right)."""
    n = len(header)
    align = align or "<" + ">" * (n - 1)
    widths = [max(width(str(r[i])) for r in (header, *rows)) for i in range(n)]
    if max_width is not None:
        widths = [min(w, m) for w, m in zip(widths, max_width)]

    def line(cells: Sequence[str]) -> str:
        return " ".join(pad(str(c), w, a) for c, w, a in zip(cells, widths, align)).rstrip()

    head = line(header)
    return [head, "-" * width(head), *(line(r) for r in rows)]


def frame(table, **kwargs) -> str:
    """``table.to_string(**kwargs)`` (a pandas DataFrame) with columns aligned by display width."""
    with pd.option_context("display.unicode.east_asian_width", True):
        return table.to_string(**kwargs)
