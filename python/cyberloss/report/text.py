"""Text tables for terminals, aligned by display width.

A terminal draws East Asian wide and full-width characters (漢字, かな, 万円, ＡＢＣ) in two
columns; ``str.ljust`` and format widths count them as one, which shifts every column after
a Japanese cell.  :func:`width` counts columns as a terminal does (``unicodedata``'s East
Asian Width: W and F take two), :func:`pad` pads to a width, and :func:`table` lays out rows.
pandas tables go through :func:`frame`, which switches pandas' East Asian width option on; a
plain :class:`cyberloss._table.Table` of text cells gets the same characters without pandas.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence

from .._lazy import pandas as pd
from .._table import Table

WIDE = ("W", "F")


def width(text: str) -> int:
    """Terminal columns of ``text``: wide and full-width characters two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in WIDE else 1
               for ch in text)


def fit(text: str, columns: int) -> str:
    """``text`` in at most ``columns`` terminal columns: as it is when it fits, else cut and
    ended with "…" (one column), so that a cut name does not read as a whole one."""
    if width(text) <= columns:
        return text
    out, used = [], 0
    for ch in text:
        w = width(ch)
        if used + w > columns - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ("…" if columns > 0 else "")


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


def frame_table(df, headings: Mapping[str, str], left: Collection[str] = (),
                float_format: Callable[[float], str] = str) -> list[str]:
    """:func:`table` of a pandas DataFrame: the columns named by ``headings[column]`` (the
    column's own name where it has none), float cells written by ``float_format``, the
    ``left`` columns (labels) left-aligned and the others right-aligned."""
    columns = list(df.columns)
    cells = [[float_format(v) if isinstance(v, float) else str(v) for v in df[c].tolist()] for c in columns]
    return table([headings.get(c, str(c)) for c in columns], list(zip(*cells)),
                 "".join("<" if c in left else ">" for c in columns))


def frame(table, **kwargs) -> str:
    """``table.to_string(**kwargs)`` (a pandas DataFrame) with columns aligned by display width;
    a :class:`~cyberloss._table.Table` of text cells (no ``kwargs``) by :func:`layout`."""
    if isinstance(table, Table) and not kwargs:
        return layout(table)
    with pd.option_context("display.unicode.east_asian_width", True):
        return table.to_string(**kwargs)


def _pandas_width(text: str) -> int:
    # pandas' East Asian width: W and F two columns, everything else (combining marks too) one
    return sum(2 if unicodedata.east_asian_width(ch) in WIDE else 1 for ch in text)


def _escaped(text: str) -> str:
    return text.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")


def _trim_front(cells: list[str]) -> list[str]:
    cut = min(len(c) - len(c.lstrip()) for c in cells)
    return [c[cut:] for c in cells]


def _just(text: str, columns: int, align: str) -> str:
    columns += len(text) - _pandas_width(text)
    return text.ljust(columns) if align == "<" else text.rjust(columns)


def _fixed(cells: list[str], align: str, minimum: int = 0) -> tuple[list[str], int]:
    columns = max(minimum, *(_pandas_width(c) for c in cells))
    return [_just(c, columns, align) for c in cells], columns


def aligned(table: Table, above: Table) -> str:
    """:func:`layout` of ``table`` with each column at least as wide as ``above``'s cells in it
    (a table of text cells with the same columns and row labels), so that a block printed under
    ``above`` puts its cells under the cells of ``above``."""
    widths = {c: max(_pandas_width(_escaped(v)) for v in above.column(c)) for c in table.columns}
    return layout(Table({c: [_just(v, widths[c], ">") for v in table.column(c)] for c in table.columns},
                        table.index, table.index_name))


def layout(table: Table) -> str:
    """What pandas' ``to_string()`` gives, East Asian width on and default display options, for
    a DataFrame of text cells and text row labels (``table.to_pandas()``): the row labels
    left-aligned, the column names and cells right-aligned after one space, the index name on
    its own line.  tests/python/test_lazy_tables.py holds the two together."""
    labels = table.labels
    if not labels or not table.columns:
        raise ValueError("layout: the table has no rows or no columns")
    for name, cells in (("row labels", labels), *((c, table.column(c)) for c in table.columns)):
        bad = [c for c in cells if not isinstance(c, str)]
        if bad:
            raise ValueError(f"layout: {name!r} holds {bad[0]!r}; format it as text first")
    columns = [[" " + _escaped(c) for c in table.column(name)] for name in table.columns]
    named = table.index_name is not None
    index, _ = _fixed(([_escaped(str(table.index_name))] if named else [])
                      + _trim_front([" " + _escaped(label) for label in labels]), "<")
    strcols = [[""] + index]
    for header, cells in zip(_trim_front([" " + _escaped(str(c)) for c in table.columns]), columns):
        heading = [header] + ([""] if named else [])
        cells, columns_wide = _fixed(cells, ">", max(_pandas_width(h) for h in heading))
        strcols.append([_just(h, columns_wide, ">") for h in heading] + cells)
    # pandas' adjoin: each column but the last padded to its width + 1, the last by str.len
    last = max(len(c) for c in strcols[-1])
    widths = [max(_pandas_width(c) for c in col) + 1 for col in strcols[:-1]] + [last]
    return "\n".join("".join(_just(col[i], w, "<") for col, w in zip(strcols, widths))
                     for i in range(len(strcols[0])))
