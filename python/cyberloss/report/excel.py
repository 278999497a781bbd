"""Excel workbooks (``--xlsx``): one sheet per table, amounts in JPY as numbers with a
thousands format, written atomically like every output (``_files.write``).  A value that is
not finite (an unlimited limit, the no-insurance option's deductible) is an empty cell, as JSON
writes it null, never the text "inf".

openpyxl is loaded when a workbook is written.
"""
from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path

from .. import _files
from .._extras import require
from .._lazy import pandas as pd
from . import text

FORMATS = (".xlsx",)
MAX_SHEET_NAME = 31   # Excel's limit


def write(path: str | os.PathLike, option: str, sheets: Mapping[str, pd.DataFrame]) -> Path:
    """Write ``sheets`` (name -> table; the index is written as the first column) to ``path``.
    The workbook is made in memory, then written: openpyxl's zip file, left open on a full
    disk, would print a traceback when collected, after the file it writes to is closed."""
    _files.suffix(path, option, FORMATS)
    require("openpyxl", "Excel workbooks", "Excel ブック")
    data = to_bytes(sheets)

    def writer(fh) -> None:
        fh.write(data)

    return _files.write(path, option, writer)


def to_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """The workbook of :func:`write` in memory (the web page's download)."""
    buffer = io.BytesIO()
    _workbook(buffer, sheets)
    return buffer.getvalue()


def _workbook(fh, sheets: Mapping[str, pd.DataFrame]) -> None:
    require("openpyxl", "Excel workbooks", "Excel ブック")
    with pd.ExcelWriter(fh, engine="openpyxl") as book:
        for name, table in sheets.items():
            table.to_excel(book, sheet_name=name[:MAX_SHEET_NAME], inf_rep="")
            sheet = book.sheets[name[:MAX_SHEET_NAME]]
            for column in sheet.iter_cols(min_row=2):
                for cell in column:
                    if isinstance(cell.value, float):
                        cell.number_format = "#,##0.00" if abs(cell.value) < 10 else "#,##0"
            for column in sheet.columns:
                # Excel counts a column in narrow characters: a Japanese one takes two
                width = max(text.width(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
