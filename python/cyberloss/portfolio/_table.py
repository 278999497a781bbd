"""The policy table: one validated row per policy (organisation profile + policy terms).

Columns (money in JPY):

==================  ========  ==========================================================
column              required  meaning
==================  ========  ==========================================================
policy_id           yes       unique text id
industry            yes       a calibration industry key (``calibration.load().industries``)
size                yes       ``large``, ``sme`` or ``organisation``
revenue             no        annual revenue (売上高), > 0; used by revenue-scaled severities
deductible          no        per-occurrence deductible (免責金額), >= 0; default 0
occurrence_limit    no        per-occurrence limit (1事故支払限度額), > 0; default unlimited
aggregate_limit     no        annual aggregate limit (年間総支払限度額), > 0; default unlimited
frequency_factor    no        multiplier of the calibrated rates (controls), > 0; default 1
==================  ========  ==========================================================

Rows are numbered from 1 in the order given (in a CSV file, row r is line r + 1, after the
header).  Every error names the row, the policy id where known, the column and the value.
A CSV row must have exactly the header's fields: a missing or extra comma is refused, not
read with its columns shifted.  Booleans are not numbers, and "nan" is not a way to leave a
value out (leave the field empty).
"""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import _input, _validate
from .._extras import require

REQUIRED = ("policy_id", "industry", "size")
OPTIONAL_DEFAULTS: dict[str, float] = {
    "revenue": math.nan,
    "deductible": 0.0,
    "occurrence_limit": math.inf,
    "aggregate_limit": math.inf,
    "frequency_factor": 1.0,
}
COLUMNS = REQUIRED + tuple(OPTIONAL_DEFAULTS)

# (check, description) per numeric column; unlimited limits may be written "inf" or left empty.
_MAX = _validate.MAX_AMOUNT
_MAX_FACTOR = 1e6     # a sanity bound on the multiplier of the calibrated rates
_RULES = {
    "revenue": (lambda x: math.isnan(x) or (math.isfinite(x) and 0 < x <= _MAX),
                f"a finite number > 0 and <= {_MAX:g} (or empty)"),
    "deductible": (lambda x: math.isfinite(x) and 0 <= x <= _MAX, f"a finite number >= 0 and <= {_MAX:g}"),
    "occurrence_limit": (lambda x: x > 0 and not math.isnan(x), "a number > 0 ('inf' or empty: unlimited)"),
    "aggregate_limit": (lambda x: x > 0 and not math.isnan(x), "a number > 0 ('inf' or empty: unlimited)"),
    "frequency_factor": (lambda x: math.isfinite(x) and 0 < x <= _MAX_FACTOR,
                         f"a finite number > 0 and <= {_MAX_FACTOR:g}"),
}
_INF_TEXT = ("inf", "+inf", "infinity", "+infinity")


def _row_error(row: int, policy: Any, column: str, message: str, value: Any) -> ValueError:
    who = f" (policy_id {policy!r})" if policy is not None else ""
    return ValueError(f"portfolio row {row}{who}, column {column!r}: {message}, got {value!r}")


def _number(value: Any, column: str, row: int, policy: Any) -> float:
    if value is None or (isinstance(value, str) and value.strip() == "") or (
            isinstance(value, float) and math.isnan(value)):
        return OPTIONAL_DEFAULTS[column] if column != "revenue" else math.nan
    need = f"must be {_RULES[column][1]}"
    if isinstance(value, str):
        text = value.strip()
        try:
            x = float(text)
        except ValueError:
            raise _row_error(row, policy, column, need, value) from None
        # text must spell a number: "nan" is not "empty", and 1e400 is not "inf"
        if math.isnan(x) or (math.isinf(x) and text.lower() not in _INF_TEXT):
            raise _row_error(row, policy, column, need, value)
    elif _validate.is_number(value):
        try:
            x = float(value)
        except OverflowError:
            raise _row_error(row, policy, column, need, value) from None
    else:
        raise _row_error(row, policy, column, need, value)
    if not _RULES[column][0](x):
        raise _row_error(row, policy, column, f"must be {_RULES[column][1]}", value)
    return x


def validate_frame(frame: pd.DataFrame, industries: Mapping[str, str] | tuple[str, ...],
                   sizes: Mapping[str, str] | tuple[str, ...]) -> pd.DataFrame:
    """Check every row; return a clean frame with all columns in ``COLUMNS`` order."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"portfolio must be a pandas DataFrame, got {type(frame).__name__}")
    columns = [str(c).strip() for c in frame.columns]
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"portfolio has unknown column(s) {unknown}; known: {list(COLUMNS)}")
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise ValueError(f"portfolio has column(s) {twice} more than once")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ValueError(f"portfolio is missing column(s) {missing}; required: {list(REQUIRED)}, "
                         f"optional: {list(OPTIONAL_DEFAULTS)}")
    frame = frame.set_axis(columns, axis=1)
    industries, sizes = tuple(industries), tuple(sizes)
    out: dict[str, list] = {c: [] for c in COLUMNS}
    seen: dict[str, int] = {}
    records = frame.to_dict("records")
    for row, rec in enumerate(records, start=1):
        pid = rec["policy_id"]
        if isinstance(pid, (int, np.integer)) and not isinstance(pid, (bool, np.bool_)):
            pid = str(pid)
        if not isinstance(pid, str) or pid.strip() == "":
            raise _row_error(row, None, "policy_id", "must be a non-empty id", pid)
        pid = pid.strip()
        if pid in seen:
            raise _row_error(row, pid, "policy_id", f"duplicates row {seen[pid]}", pid)
        seen[pid] = row
        for column, allowed in (("industry", industries), ("size", sizes)):
            value = rec[column]
            text = value.strip() if isinstance(value, str) else value
            if text not in allowed:
                raise _row_error(row, pid, column, f"must be one of {', '.join(allowed)}", value)
            out[column].append(text)
        out["policy_id"].append(pid)
        for column in OPTIONAL_DEFAULTS:
            out[column].append(_number(rec.get(column), column, row, pid))
    clean = pd.DataFrame({c: pd.Series(out[c], dtype=object if c in REQUIRED else np.float64)
                          for c in COLUMNS})
    for c in REQUIRED:
        clean[c] = clean[c].astype(str)
    return clean


def read_csv_text(text: str) -> pd.DataFrame:
    """A CSV policy table as text columns; every row must have the header's fields."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True, skipinitialspace=True))
    except csv.Error as exc:
        raise ValueError(f"not valid CSV ({exc})") from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValueError("no header line (the file is empty)")
    header = [h.strip() for h in rows[0]]
    body = []
    for number, fields in enumerate(rows[1:], start=1):
        if len(fields) != len(header):
            if not any(f.strip() for f in fields):
                continue       # a blank line
            raise ValueError(f"portfolio row {number} (line {number + 1}) has {len(fields)} fields, "
                             f"the header has {len(header)}: {','.join(fields)[:120]!r}")
        body.append(fields)
    return pd.DataFrame(body, columns=header, dtype=object) if body else pd.DataFrame(columns=header)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file as text/number columns, without validating."""
    p = _input.path_of(path, "portfolio file")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        text = _input.read_text(p, "portfolio file")
        with _validate.located(f"portfolio file {p}"):
            return read_csv_text(text)
    if suffix in (".parquet", ".pq"):
        require("pyarrow", f"portfolio file {p}: reading Parquet")
        try:
            return pd.read_parquet(p)
        except (OSError, ValueError, TypeError, KeyError) as exc:   # pyarrow's errors for non-Parquet bytes
            raise ValueError(f"portfolio file {p}: not a readable Parquet table "
                             f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None
    raise ValueError(f"portfolio file {p}: must be .csv or .parquet, got extension {p.suffix or 'none'!r}")
