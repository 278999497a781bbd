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

from .. import _validate, config
from ..calibration import Calibration
from ..config import documents
from ..config import types as config_types
from ..config.labels import canonical
from ..report import money

CLAIMS = documents.CLAIMS_COLUMNS
EXPOSURE = documents.EXPOSURE_COLUMNS


def csv_rows(text: str, what: str, table: config.Table) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV text as (line, {column key: cell}), the line each row starts on; the
    header must name known columns once each and every required column; every row must have
    the header's fields (blank lines are skipped)."""
    header, rows = config.csv_table(text, lambda number, line: config.row_place(what, number, line), what)
    keys = config.column_keys(table, header, what)
    if not rows:
        raise _validate.InputError(f"{what}: no rows after the header", _validate.Need("no_rows"),
                                   context=((what, _validate.in_japanese(what)),))
    return [(line, dict(zip(keys, (cell.strip() for cell in cells)))) for line, cells in rows]


#: What an empty cell of a required column must be, for the Japanese refusal.
_NOT_EMPTY = _validate.Need("relation", detail="空でない値")


class _Row:
    """One row's cells, parsed by the schema's fields; errors name the row and column."""

    def __init__(self, what: str, number: int, line: int | None, cells: Mapping[str, Any],
                 table: config.Table, ident: str | None = None):
        self.where = config.row_place(what, number, line, ident, cells.get(ident) if ident else None)
        self.cells, self.table = cells, table

    def fail(self, column: str, message: str, need: _validate.Need) -> ValueError:
        """The refusal of the cell: ``message`` what it must be, ``need`` the same as data."""
        return config.cell_error(self.where, column, message, self.cells.get(column), need,
                                 self.table.field(column).label_ja)

    def refused(self, column: str, exc: ValueError) -> ValueError:
        """The refusal of the cell by a parser's error "<column> must be ..., got <value>"."""
        message = str(exc).rsplit(", got ", 1)[0].removeprefix(f"{column} ")
        need = exc.need if isinstance(exc, _validate.InputError) else config_types.need_of(self.table.field(column))
        return self.fail(column, message, need)

    def value(self, column: str) -> Any:
        field = self.table.field(column)
        raw = self.cells.get(column)
        if raw is None or (isinstance(raw, str) and raw == ""):
            if field.required:
                raise self.fail(column, "must not be empty", _NOT_EMPTY)
            return field.default
        if field.kind in ("number", "amount") and isinstance(raw, str):
            # "1,200" and "500万円" as spreadsheets write them; "nan" and 1e400 come back as NaN,
            # refused below with the column's range ("inf" only where the column allows it)
            try:
                raw = config.parse_cell(raw, field.kind, column)
            except ValueError as exc:
                raise self.refused(column, exc) from None
        try:
            return field.parse(raw, column)
        except ValueError as exc:
            raise self.refused(column, exc) from None

    def label(self, column: str, labels: Mapping[str, str]) -> str:
        """A key of ``labels`` (key -> Japanese label): the key, its label or, for a column
        with a vocabulary (industry, size), any spelling a portfolio takes (English in any
        case, full width, 卸売・小売業 for 卸売業，小売業)."""
        raw = self.cells.get(column)
        if not raw:
            raise self.fail(column, "must not be empty", _NOT_EMPTY)
        by_label = {v: k for k, v in labels.items()}
        if raw in labels:
            return raw
        if raw in by_label:
            return by_label[raw]
        field = self.table.field(column)
        key = canonical(field.vocabulary, raw) if field.vocabulary else None
        if key is not None and key in labels:
            return key
        raise self.fail(column, f"must be one of {', '.join(labels)} (or their Japanese labels)",
                        _validate.Need("choice", choices=tuple(labels), choices_ja=tuple(labels.values())))


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
        both = "ground_up" in present
        raise _validate.InputError(
            f"{where}: give exactly one of the columns ground_up and paid, got {'both' if both else 'neither'}",
            _validate.Need("relation", detail=f"列 ground_up（{CLAIMS.field('ground_up').label_ja}）と paid"
                                              f"（{CLAIMS.field('paid').label_ja}）のどちらか一方だけ"),
            value_ja="両方の列" if both else "どちらの列もない", context=((where, _validate.in_japanese(where)),))
    paid = "paid" in present
    d = calibration.data
    out: dict[str, list] = {k: [] for k in ("claim_id", "date", "attack_type", "industry", "size",
                                            "loss", "deductible", "limit", "status", "censored")}
    seen: dict[str, tuple[int, int | None]] = {}
    for n, (line, cells) in enumerate(rows, start=1):
        row = _Row(where, n, line, cells, CLAIMS, "claim_id")
        cid = row.value("claim_id")
        if cid in seen:
            raise row.fail("claim_id", f"duplicates {config.row_name(*seen[cid])}",
                           _validate.Need("duplicate", detail=config.row_name_ja(*seen[cid])))
        seen[cid] = (n, line)
        try:
            date = datetime.date.fromisoformat(row.value("date"))
        except ValueError:
            raise row.fail("date", "must be a date YYYY-MM-DD",
                           _validate.Need("relation", detail="日付（YYYY-MM-DD）")) from None
        deductible, limit = row.value("deductible"), row.value("limit")
        status = row.value("status")
        if paid:
            amount = row.value("paid")
            if amount is None:
                raise row.fail("paid", "must not be empty", _NOT_EMPTY)
            if amount > limit:
                raise row.fail("paid", f"must not exceed the limit {limit:g}",
                               _validate.Need("relation", detail=f"支払限度額 {money.format_yen(limit)} 以下の金額"))
            loss, censored = amount + deductible, amount >= limit
        else:
            amount = row.value("ground_up")
            if amount is None:
                raise row.fail("ground_up", "must not be empty", _NOT_EMPTY)
            if amount <= deductible:
                raise row.fail("ground_up", f"must exceed the deductible {deductible:g} (a claim "
                               "is only seen above it)", _validate.Need(
                                   "relation", detail=f"免責金額 {money.format_yen(deductible)} を超える金額"
                                                      "（請求は免責金額を超える損害にだけある）"))
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
            cell = f"{key[0]} x {key[1]} x {key[2]}"
            raise row.fail("period", f"repeats the cell {cell} of {config.row_name(*seen[key])}",
                           _validate.Need("duplicate", detail=f"{config.row_name_ja(*seen[key])}の区分「{cell}」"))
        seen[key] = (n, line)
        for k, v in zip(("industry", "size", "period"), key):
            out[k].append(v)
        out["policy_years"].append(float(row.value("policy_years")))
        revenue = row.value("revenue")
        out["revenue"].append(np.nan if revenue is None else float(revenue))
    return pd.DataFrame(out)
