"""Reading and checking the claims and exposure files of ``cyberloss fit`` (CSV: UTF-8, or
CP932 as Japanese Excel saves it).

Columns are ``config.documents.CLAIMS_COLUMNS`` and ``EXPOSURE_COLUMNS`` (the English keys or
their Japanese labels as headers); attack types, industries and sizes may be written as keys
or as the calibration's Japanese labels, industries and sizes also in any spelling a portfolio
takes (``config.labels``: English in any case, full width, 卸売・小売業 for 卸売業，小売業);
amounts as numbers or "500万円" / "1.5億円", other numbers with thousands separators ("1,200")
as spreadsheets write them.  Every refusal is one line naming the file, the row (from 1, the
header and blank lines not counted) and the line it starts on (blank lines and line breaks in
quoted cells move it away from row + 1; a DataFrame's rows have no line), the claim id, the
column and the value: ``claims file c.csv, row 2 (line 6, claim_id 'A2'), column 'paid': ...``,
as the portfolio's do.

A claim is known on the ground-up scale: ``ground_up``, or ``paid + deductible``.  It is
*censored* (the loss is at least the amount shown) when the limit was reached
(``ground_up >= deductible + limit``, or ``paid >= limit``) or the claim is still open.
"""
from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import config
from ..calibration import Calibration
from ..config import documents
from ..config.labels import canonical

CLAIMS = documents.CLAIMS_COLUMNS
EXPOSURE = documents.EXPOSURE_COLUMNS


def csv_rows(text: str, what: str, table: config.Table) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV text as (line, {column key: cell}), the line each row starts on; the
    header must name known columns once each and every required column; every row must have
    the header's fields (blank lines are skipped)."""
    header, rows = config.csv_table(text, lambda number, line: f"{what}, {config.row_name(number, line)}", what)
    keys = config.column_keys(table, header, what)
    if not rows:
        raise ValueError(f"{what}: no rows after the header")
    return [(line, dict(zip(keys, (cell.strip() for cell in cells)))) for line, cells in rows]


def _requirement(exc: ValueError, column: str) -> str:
    """"must be ..." of a parser's "<column> must be ..., got <value>"."""
    return str(exc).rsplit(", got ", 1)[0].removeprefix(f"{column} ")


class _Row:
    """One row's cells, parsed by the schema's fields; errors name the row and column."""

    def __init__(self, what: str, number: int, line: int | None, cells: Mapping[str, Any],
                 table: config.Table, ident: str | None = None):
        self.where = f"{what}, {config.row_name(number, line, ident, cells.get(ident) if ident else None)}"
        self.cells, self.table = cells, table

    def fail(self, column: str, message: str) -> ValueError:
        return ValueError(f"{self.where}, column {column!r}: {message}, got {self.cells.get(column)!r}")

    def value(self, column: str) -> Any:
        field = self.table.field(column)
        raw = self.cells.get(column)
        if raw is None or (isinstance(raw, str) and raw == ""):
            if field.required:
                raise self.fail(column, "must not be empty")
            return field.default
        if field.kind in ("number", "amount") and isinstance(raw, str):
            # "1,200" and "500万円" as spreadsheets write them; "nan" and 1e400 come back as NaN,
            # refused below with the column's range ("inf" only where the column allows it)
            try:
                raw = config.parse_cell(raw, field.kind, column)
            except ValueError as exc:
                raise self.fail(column, _requirement(exc, column)) from None
        try:
            return field.parse(raw, column)
        except ValueError as exc:
            raise self.fail(column, _requirement(exc, column)) from None

    def label(self, column: str, labels: Mapping[str, str]) -> str:
        """A key of ``labels`` (key -> Japanese label): the key, its label or, for a column
        with a vocabulary (industry, size), any spelling a portfolio takes (English in any
        case, full width, 卸売・小売業 for 卸売業，小売業)."""
        raw = self.cells.get(column)
        if not raw:
            raise self.fail(column, "must not be empty")
        by_label = {v: k for k, v in labels.items()}
        if raw in labels:
            return raw
        if raw in by_label:
            return by_label[raw]
        field = self.table.field(column)
        key = canonical(field.vocabulary, raw) if field.vocabulary else None
        if key is not None and key in labels:
            return key
        raise self.fail(column, f"must be one of {', '.join(labels)} (or their Japanese labels)")


def _rows(source: str | Path | pd.DataFrame, what: str, table: config.Table,
          encoding: str) -> tuple[list[tuple[int | None, dict[str, str]]], str]:
    """The rows of a file or DataFrame as (line, cells) (line None for a DataFrame, whose rows
    are only numbered) and the name errors give the source; a file's ``encoding`` as for
    :func:`read_claims`."""
    if isinstance(source, pd.DataFrame):
        frame = source.astype(object).where(source.notna(), "")
        text = frame.to_csv(index=False)
        return [(None, cells) for _, cells in csv_rows(text, what, table)], what
    path = config.path_of(source, what)
    where = f"{what} {path}"
    text = config.read_text(path, what, config.encoding_name(encoding))
    return list(csv_rows(text, where, table)), where


def read_claims(source: str | Path | pd.DataFrame, calibration: Calibration,
                encoding: str = "auto") -> pd.DataFrame:
    """The claims as a checked table: ``claim_id``, ``date``, ``attack_type``, ``industry``,
    ``size``, ``loss`` (ground-up JPY: the loss, or the point a censored loss exceeds),
    ``deductible``, ``limit``, ``status``, ``censored``.  A file's ``encoding`` is detected
    ("auto": UTF-8 with or without BOM, else CP932 as Japanese Excel saves it) or named
    (``"cp932"``, ``"utf-8"``, ...), as a portfolio's."""
    rows, where = _rows(source, "claims file", CLAIMS, encoding)
    present = set(rows[0][1])
    if ("ground_up" in present) == ("paid" in present):
        raise ValueError(f"{where}: give exactly one of the columns ground_up and paid, got "
                         f"{'both' if 'ground_up' in present else 'neither'}")
    paid = "paid" in present
    d = calibration.data
    out: dict[str, list] = {k: [] for k in ("claim_id", "date", "attack_type", "industry", "size",
                                            "loss", "deductible", "limit", "status", "censored")}
    seen: dict[str, tuple[int, int | None]] = {}
    for n, (line, cells) in enumerate(rows, start=1):
        row = _Row(where, n, line, cells, CLAIMS, "claim_id")
        cid = row.value("claim_id")
        if cid in seen:
            raise row.fail("claim_id", f"duplicates {config.row_name(*seen[cid])}")
        seen[cid] = (n, line)
        try:
            date = datetime.date.fromisoformat(row.value("date"))
        except ValueError:
            raise row.fail("date", "must be a date YYYY-MM-DD") from None
        deductible, limit = row.value("deductible"), row.value("limit")
        status = row.value("status")
        if paid:
            amount = row.value("paid")
            if amount is None:
                raise row.fail("paid", "must not be empty")
            if amount > limit:
                raise row.fail("paid", f"must not exceed the limit {limit:g}")
            loss, censored = amount + deductible, amount >= limit
        else:
            amount = row.value("ground_up")
            if amount is None:
                raise row.fail("ground_up", "must not be empty")
            if amount <= deductible:
                raise row.fail("ground_up", f"must exceed the deductible {deductible:g} (a claim "
                               "is only seen above it)")
            loss, censored = min(amount, deductible + limit), amount >= deductible + limit
        out["claim_id"].append(cid)
        out["date"].append(date)
        out["attack_type"].append(row.label("attack_type", d.attack_labels))
        out["industry"].append(row.label("industry", d.industry_labels))
        out["size"].append(row.label("size", d.size_labels))
        out["loss"].append(float(loss))
        out["deductible"].append(float(deductible))
        out["limit"].append(float(limit))
        out["status"].append(status)
        out["censored"].append(bool(censored or status == "open"))
    frame = pd.DataFrame(out)
    frame["censored"] = frame["censored"].astype(bool)
    return frame


def read_exposure(source: str | Path | pd.DataFrame, calibration: Calibration,
                  encoding: str = "auto") -> pd.DataFrame:
    """The exposure as a checked table: ``industry``, ``size``, ``period``, ``policy_years``,
    ``revenue`` (NaN where not given); one row per (industry, size, period).  ``encoding`` as
    for :func:`read_claims`."""
    rows, where = _rows(source, "exposure file", EXPOSURE, encoding)
    d = calibration.data
    out: dict[str, list] = {k: [] for k in ("industry", "size", "period", "policy_years", "revenue")}
    seen: dict[tuple, tuple[int, int | None]] = {}
    for n, (line, cells) in enumerate(rows, start=1):
        row = _Row(where, n, line, cells, EXPOSURE)
        key = (row.label("industry", d.industry_labels), row.label("size", d.size_labels),
               row.value("period"))
        if key in seen:
            raise row.fail("period", f"repeats the cell {key[0]} x {key[1]} x {key[2]} of "
                           f"{config.row_name(*seen[key])}")
        seen[key] = (n, line)
        for k, v in zip(("industry", "size", "period"), key):
            out[k].append(v)
        out["policy_years"].append(float(row.value("policy_years")))
        revenue = row.value("revenue")
        out["revenue"].append(np.nan if revenue is None else float(revenue))
    return pd.DataFrame(out)
