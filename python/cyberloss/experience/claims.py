"""Reading and checking the claims and exposure files of ``cyberloss fit`` (CSV, UTF-8).

Columns are ``config.documents.CLAIMS_COLUMNS`` and ``EXPOSURE_COLUMNS`` (the English keys or
their Japanese labels as headers); attack types, industries and sizes may be written as keys
or as the calibration's Japanese labels, amounts as numbers or "500万円" / "1.5億円".  Every
refusal is one line naming the file, the row and the column, and the value.

A claim is known on the ground-up scale: ``ground_up``, or ``paid + deductible``.  It is
*censored* (the loss is at least the amount shown) when the limit was reached
(``ground_up >= deductible + limit``, or ``paid >= limit``) or the claim is still open.
"""
from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import config
from ..calibration import Calibration
from ..config import documents

CLAIMS = documents.CLAIMS_COLUMNS
_INF_TEXT = ("inf", "+inf", "infinity", "+infinity")
EXPOSURE = documents.EXPOSURE_COLUMNS


def csv_rows(text: str, what: str, table: config.Table) -> list[dict[str, str]]:
    """The rows of a CSV text as {column key: cell}; the header must name known columns once
    each and every required column; every row must have the header's fields."""
    rows = config.csv_lines(text, what)
    names = config.column_names(table)
    header = []
    for cell in rows[0]:
        name = cell.strip()
        if name not in names:
            raise ValueError(f"{what}: unknown column {name!r}; known: {', '.join(table.keys)}")
        if names[name] in header:
            raise ValueError(f"{what}: column {names[name]!r} appears twice")
        header.append(names[name])
    missing = [f.key for f in table.fields if f.required and f.key not in header]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")
    out = []
    for number, fields in enumerate(rows[1:], start=1):
        if len(fields) != len(header):
            if not any(f.strip() for f in fields):
                continue
            raise ValueError(f"{what}, row {number} (line {number + 1}): has {len(fields)} fields, "
                             f"the header has {len(header)}")
        out.append(dict(zip(header, (f.strip() for f in fields))))
    if not out:
        raise ValueError(f"{what}: no rows after the header")
    return out


class _Row:
    """One row's cells, parsed by the schema's fields; errors name the row and column."""

    def __init__(self, what: str, number: int, cells: Mapping[str, Any], table: config.Table,
                 ident: str | None = None):
        self.where = f"{what}, row {number}" + (f" ({ident} {cells.get(ident)!r})" if ident else "")
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
            if field.allow_inf and raw.lower() in _INF_TEXT:
                raw = math.inf
            else:
                try:
                    raw = float(raw)
                except ValueError:
                    if field.kind == "number":
                        raise self.fail(column, "must be a number") from None
                else:        # text spelling a number: "nan" is not empty, 1e400 is not unlimited
                    if not math.isfinite(raw):
                        raise self.fail(column, "must be a finite number")
        try:
            return field.parse(raw, column)
        except ValueError as exc:
            message = str(exc).rsplit(", got ", 1)[0].removeprefix(f"{column} ")
            raise self.fail(column, message) from None

    def label(self, column: str, labels: Mapping[str, str]) -> str:
        """A key, or its Japanese label (``labels``: key -> label)."""
        raw = self.cells.get(column)
        if not raw:
            raise self.fail(column, "must not be empty")
        by_label = {v: k for k, v in labels.items()}
        if raw in labels:
            return raw
        if raw in by_label:
            return by_label[raw]
        raise self.fail(column, f"must be one of {', '.join(labels)} (or their Japanese labels)")


def _rows(source: str | Path | pd.DataFrame, what: str, table: config.Table) -> tuple[list[dict], str]:
    if isinstance(source, pd.DataFrame):
        frame = source.astype(object).where(source.notna(), "")
        text = frame.to_csv(index=False)
        return csv_rows(text, what, table), what
    path = config.path_of(source, what)
    where = f"{what} {path}"
    return csv_rows(config.read_text(path, what), where, table), where


def read_claims(source: str | Path | pd.DataFrame, calibration: Calibration) -> pd.DataFrame:
    """The claims as a checked table: ``claim_id``, ``date``, ``attack_type``, ``industry``,
    ``size``, ``loss`` (ground-up JPY: the loss, or the point a censored loss exceeds),
    ``deductible``, ``limit``, ``status``, ``censored``."""
    rows, where = _rows(source, "claims file", CLAIMS)
    present = set(rows[0])
    if ("ground_up" in present) == ("paid" in present):
        raise ValueError(f"{where}: give exactly one of the columns ground_up and paid, got "
                         f"{'both' if 'ground_up' in present else 'neither'}")
    paid = "paid" in present
    d = calibration.data
    out: dict[str, list] = {k: [] for k in ("claim_id", "date", "attack_type", "industry", "size",
                                            "loss", "deductible", "limit", "status", "censored")}
    seen: dict[str, int] = {}
    for n, cells in enumerate(rows, start=1):
        row = _Row(where, n, cells, CLAIMS, "claim_id")
        cid = row.value("claim_id")
        if cid in seen:
            raise row.fail("claim_id", f"duplicates row {seen[cid]}")
        seen[cid] = n
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


def read_exposure(source: str | Path | pd.DataFrame, calibration: Calibration) -> pd.DataFrame:
    """The exposure as a checked table: ``industry``, ``size``, ``period``, ``policy_years``,
    ``revenue`` (NaN where not given); one row per (industry, size, period)."""
    rows, where = _rows(source, "exposure file", EXPOSURE)
    d = calibration.data
    out: dict[str, list] = {k: [] for k in ("industry", "size", "period", "policy_years", "revenue")}
    seen: dict[tuple, int] = {}
    for n, cells in enumerate(rows, start=1):
        row = _Row(where, n, cells, EXPOSURE)
        key = (row.label("industry", d.industry_labels), row.label("size", d.size_labels),
               row.value("period"))
        if key in seen:
            raise row.fail("period", f"repeats the cell {key[0]} x {key[1]} x {key[2]} of row {seen[key]}")
        seen[key] = n
        for k, v in zip(("industry", "size", "period"), key):
            out[k].append(v)
        out["policy_years"].append(float(row.value("policy_years")))
        revenue = row.value("revenue")
        out["revenue"].append(np.nan if revenue is None else float(revenue))
    return pd.DataFrame(out)
