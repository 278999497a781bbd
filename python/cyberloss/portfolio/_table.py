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
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

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
_RULES = {
    "revenue": (lambda x: math.isnan(x) or (math.isfinite(x) and x > 0), "a finite number > 0 (or empty)"),
    "deductible": (lambda x: math.isfinite(x) and x >= 0, "a finite number >= 0"),
    "occurrence_limit": (lambda x: x > 0 and not math.isnan(x), "a number > 0 ('inf' or empty: unlimited)"),
    "aggregate_limit": (lambda x: x > 0 and not math.isnan(x), "a number > 0 ('inf' or empty: unlimited)"),
    "frequency_factor": (lambda x: math.isfinite(x) and x > 0, "a finite number > 0"),
}


def _row_error(row: int, policy: Any, column: str, message: str, value: Any) -> ValueError:
    who = f" (policy_id {policy!r})" if policy is not None else ""
    return ValueError(f"portfolio row {row}{who}, column {column!r}: {message}, got {value!r}")


def _number(value: Any, column: str, row: int, policy: Any) -> float:
    if value is None or (isinstance(value, str) and value.strip() == "") or (
            isinstance(value, float) and math.isnan(value)):
        return OPTIONAL_DEFAULTS[column] if column != "revenue" else math.nan
    if isinstance(value, bool):
        raise _row_error(row, policy, column, f"must be {_RULES[column][1]}", value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise _row_error(row, policy, column, f"must be {_RULES[column][1]}", value) from None
    if not _RULES[column][0](x):
        raise _row_error(row, policy, column, f"must be {_RULES[column][1]}", value)
    return x


def validate_frame(frame: pd.DataFrame, industries: Mapping[str, str] | tuple[str, ...],
                   sizes: Mapping[str, str] | tuple[str, ...]) -> pd.DataFrame:
    """Check every row; return a clean frame with all columns in ``COLUMNS`` order."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"portfolio must be a pandas DataFrame, got {type(frame).__name__}")
    columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ValueError(f"portfolio is missing column(s) {missing}; required: {list(REQUIRED)}, "
                         f"optional: {list(OPTIONAL_DEFAULTS)}")
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"portfolio has unknown column(s) {unknown}; known: {list(COLUMNS)}")
    frame = frame.set_axis(columns, axis=1)
    industries, sizes = tuple(industries), tuple(sizes)
    out: dict[str, list] = {c: [] for c in COLUMNS}
    seen: dict[str, int] = {}
    records = frame.to_dict("records")
    for row, rec in enumerate(records, start=1):
        pid = rec["policy_id"]
        if pid is None or (isinstance(pid, float) and math.isnan(pid)) or str(pid).strip() == "":
            raise _row_error(row, None, "policy_id", "must be a non-empty id", pid)
        pid = str(pid).strip()
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


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file as text/number columns, without validating."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"portfolio file not found: {p}")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(p, dtype=str, keep_default_na=False, skipinitialspace=True)
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(p)
    raise ValueError(f"portfolio file must be .csv or .parquet, got {p.name!r}")
