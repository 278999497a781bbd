"""A book of policies: the validated policy table with the calibrated rates of each policy.

Columns (``config.documents.PORTFOLIO_COLUMNS``; money in JPY):

==================  ========  ==========================================================
column              required  meaning
==================  ========  ==========================================================
policy_id           yes       unique id: text, or a whole number (1001 or 1001.0: '1001')
industry            yes       a calibration industry key (``calibration.load().industries``)
size                yes       ``large``, ``sme`` or ``organisation``
revenue             no        annual revenue (売上高), > 0; used by revenue-scaled severities
                              and the organisation loss model
deductible          no        per-occurrence deductible (免責金額), >= 0; default 0
occurrence_limit    no        per-occurrence limit (1事故支払限度額), > 0; default unlimited
aggregate_limit     no        annual aggregate limit (年間総支払限度額), > 0; default unlimited
frequency_factor    no        further multiplier of the policy's rates, > 0; default 1 (on
                              the publicised basis: the controls' frequency factors)
employees           no        headcount (all-incidents basis: rates and size scales;
                              organisation loss model; empty: the profile's default)
controls            no        controls in place, names separated by ";", e.g.
                              ``offline_backups;edr`` (all-incidents basis: their frequency
                              factors; organisation loss model: severity, downtime, effort)
==================  ========  ==========================================================

A header may be the column's key or its Japanese name (証券番号, 業種, 規模, 売上高, 免責金額,
1事故支払限度額, 年間総支払限度額, 頻度の倍率, 従業員数, 対策: ``config.column_names``, as
for the claims file), in any width: a header is read NFKC-normalised as cells are
(``１事故支払限度額``).  A column with neither a header nor a value, as Excel writes after the
last column (a header line ending ``,,``), is dropped; a column without a header over values
is refused, naming its position.  A control may be named by its key or a Japanese label (the schema's,
``EDR``, or the data's, ``EDR（エンドポイント検知・対応）``), in any width or case; numbers
may be written with thousands separators (``1,200``) as spreadsheets write them.

Rates follow calibration v2 (``cyberloss.organisation.incident``).  On the all-incidents
basis (default) each policy is an organisation of its industry, size, headcount and controls
with the six attack types of ``simulate_organisation`` (the five JNSA types, then ``minor``)
and the same expected rates (a portfolio run multiplies each year's rates by the systemic
shock's Theta, which ``simulate_organisation`` has not; with ``SystemicShock.off()`` the
counts agree in distribution too): the calibrated rate times the profile's frequency factor (headcount,
web exposure, controls), times ``frequency_factor``.  On the publicised basis the five JNSA
types keep the class rates of the JNSA fit times ``frequency_factor``, as before calibration
v2 (the portfolio's publicised basis is the JNSA reproduction's population).

Rows are numbered from 1 in the order given, the header and blank lines not counted (row r
is ``table.iloc[r - 1]``).  Every error names the row, for a CSV file also the line it starts
on (blank lines and line breaks in quoted cells move it away from r + 1), the policy id where
known, the column and the value: ``portfolio row 2 (line 6, policy_id 'A2'), column
'deductible': ...``.  A CSV row must have exactly the header's fields: a missing or extra
comma is refused, not read with its columns shifted.  Booleans are not numbers, and "nan" is
not a way to leave a value out (leave the field empty).  In a Parquet file a null cell is empty
and a NaN is refused as a CSV's "nan" is; in a pandas DataFrame NaN (and None, and ``pd.NA``)
is empty, since pandas writes missing values as NaN.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import _files, _validate, config
from .. import random as clrandom
from .._extras import require
from ..calibration import Calibration
from ..calibration import load as load_calibration
from ..config import documents, labels
from ..config import types as config_types
from ..distributions import Lognormal
from ..organisation import components as comp
from ..organisation.controls import Controls
from ..organisation.incident import TypeParameters, attack_type_names, base_rate
from ..organisation.profile import OrganisationProfile
from ..report import language
from ..report.html import Described

_SCHEMA = documents.PORTFOLIO_COLUMNS
REQUIRED = tuple(k for k in _SCHEMA.keys if _SCHEMA.field(k).required)
_FIELDS = [_SCHEMA.field(k) for k in _SCHEMA.keys]
OPTIONAL_DEFAULTS: dict[str, Any] = {f.key: (math.nan if f.default is None and f.kind != "text"
                                             else f.default)
                                     for f in _FIELDS if not f.required}
COLUMNS = REQUIRED + tuple(OPTIONAL_DEFAULTS)
_NUMERIC = tuple(c for c in OPTIONAL_DEFAULTS if c != "controls")
#: The key of ``DataFrame.attrs`` that marks a frame whose missing cells are None, so that a
#: NaN in it is a value (refused) rather than pandas' missing value (a Parquet file's nulls).
NAN_IS_A_VALUE = "cyberloss.nan_is_a_value"


def _row(row: int, line: int | None, policy: Any = None) -> _validate.Place:
    """"portfolio row 2 (line 6, policy_id 'A2')": the row, its line in a CSV file and its id."""
    ident = None if policy is None else "policy_id"
    return _validate.Place("portfolio " + config.row_name(row, line, ident, policy),
                           "ポートフォリオの " + config.row_name_ja(row, line, ident, policy))


def _row_error(where: str, column: str, message: str, value: Any,
               need: _validate.Need | None = None) -> ValueError:
    """A cell's refusal: ``where`` (a row, :func:`_row`), the column, what the cell must be
    (``message``; ``need``: the same as data, for the Japanese) and the value."""
    return config.cell_error(where, column, message, value, need, _SCHEMA.field(column).label_ja)


def _need_ja(field: config.Field) -> _validate.Need:
    """:func:`_need` as data."""
    return dataclasses.replace(config_types.need_of(field), empty_ok=field.default is None)


def _need(field: config.Field) -> str:
    bounds = config_types.describe_bounds(field)
    kind = "a whole number" if field.kind == "integer" else (
        "a number" if field.allow_inf else "a finite number")
    return f"must be {kind} {bounds}".rstrip() + (" (or empty)" if field.default is None else "")


@functools.cache
def _plain_bounds(column: str) -> tuple | None:
    """(lo, lo_open, hi, hi_open, cap, integer) of a numeric column whose plain numbers
    :func:`_plain_number` may read, None for a kind it leaves to the schema's parser."""
    f = _SCHEMA.field(column)
    if f.kind not in ("amount", "number", "integer"):
        return None
    return f.lo, f.lo_open, f.hi, f.hi_open, f.cap, f.kind == "integer"


def _plain_number(value: Any, column: str) -> float | None:
    """A cell that is a plain finite number, or a text ``float`` reads as one, within the
    column's bounds: the value :func:`_number` would give, without the schema's parser (30 µs a
    cell; a 200,000-policy book has over a million).  None for anything else (empty, "5000万円",
    "1,200", NaN, inf, out of range): :func:`_number` decides it, and words its refusal."""
    if isinstance(value, str):
        try:
            x = float(value)
        except ValueError:
            return None
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        x = float(value)
    else:
        return None
    bounds = _plain_bounds(column)
    if bounds is None or not math.isfinite(x):
        return None
    lo, lo_open, hi, hi_open, cap, integer = bounds
    return x if _validate.within_bounds(x, lo, hi, lo_open, hi_open, cap, integer) else None


def _number(value: Any, column: str, where: str, nan_is_empty: bool = True) -> float:
    """A numeric cell: empty for the default, text spelling a number (for amounts also
    "5000万円", "1億", "800,000,000", full-width digits), or a number.  A float NaN is empty
    where ``nan_is_empty`` (pandas' missing value), else refused (a Parquet file's NaN)."""
    plain = _plain_number(value, column)
    if plain is not None:
        return plain
    field = _SCHEMA.field(column)
    if value is None or (isinstance(value, str) and value.strip() == "") or (
            nan_is_empty and isinstance(value, float) and math.isnan(value)):
        return OPTIONAL_DEFAULTS[column]
    need, need_ja = _need(field), _need_ja(field)
    if isinstance(value, str):
        try:    # "5000万円", "１億", "800,000,000"; other numbers "1,200"
            x = config_types.parse_cell(value, field.kind, column, field.unit)
        except ValueError:
            raise _row_error(where, column, need + (" or an amount such as '5000万円'"
                                                    if field.kind == "amount" else ""),
                             value, dataclasses.replace(need_ja, detail="'5000万円' のような金額"
                                                        if field.kind == "amount" else "")) from None
        if math.isnan(x):     # "nan" is not "empty", and 1e400 is not "inf"
            raise _row_error(where, column, need, value, need_ja)
    elif _validate.is_number(value):
        try:
            x = float(value)
        except OverflowError:
            raise _row_error(where, column, need, value, need_ja) from None
    else:
        raise _row_error(where, column, need, value, need_ja)
    try:
        return float(field.parse(x, column))
    except ValueError:
        raise _row_error(where, column, need, value, need_ja) from None


@functools.cache
def _control_spellings() -> dict[str, str]:
    """Spelling (``labels.normal``) -> control: its key and its Japanese labels, the schema's
    (``documents.CONTROLS``, e.g. "EDR") and the data's (``data/components.json``, e.g.
    "EDR（エンドポイント検知・対応）")."""
    data = comp.load()
    return {labels.normal(name): c for c in Controls.names()
            for name in (c, documents.CONTROLS.field(c).label_ja, data.control(c).get("label_ja", ""))
            if name}


def _controls(value: Any, where: str) -> str:
    """The control keys of a cell, joined by ";" (names or labels separated by ";" or "；")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not isinstance(value, str):
        raise _row_error(where, "controls", "must be control names separated by ';'", value,
                         _validate.Need("controls", choices=tuple(Controls.names())))
    keys = []
    for name in (c.strip() for c in re.split("[;；]", value)):
        if name:
            key = _control_spellings().get(labels.normal(name))
            if key is None:
                raise _row_error(where, "controls", f"must name controls among "
                                 f"{', '.join(Controls.names())} or their Japanese labels "
                                 "(separated by ';')", value,
                                 _validate.Need("controls", choices=tuple(Controls.names())))
            keys.append(key)
    return ";".join(keys)


#: The floats below which every whole number is exact (2**53).
_EXACT_INTEGERS = float(1 << 53)


def _policy_id(value: Any, where: str) -> str:
    """A policy id: text (stripped), or a whole number as its digits, whether stored as an
    integer (1001) or as a float (1001.0, as pandas stores an integer column with a gap and
    spreadsheets store numbers) - both '1001'.  Empty (None, NaN, blank) is refused, as are a
    fraction (1001.5), a whole float beyond 2**53 (whose digits the float may already have
    lost), a boolean and anything else."""
    if _empty_cell(value):
        raise _row_error(where, "policy_id", "must be a non-empty id", value, _validate.Need("id"))
    if isinstance(value, str):
        return value.strip()
    why = ""
    if _validate.is_number(value):
        if isinstance(value, (int, np.integer)):
            return str(int(value))
        x = float(value)
        if x.is_integer():
            if abs(x) <= _EXACT_INTEGERS:
                return str(int(x))
            why = " (a float beyond 2**53 may have lost digits: store the ids as text)"
    raise _row_error(where, "policy_id", "must be an id written as text or as a whole number" + why,
                     value.item() if isinstance(value, np.generic) else value)


def _empty_cell(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, str) and value.strip() == "") or (
        isinstance(value, float) and math.isnan(value))


def _headers(frame: pd.DataFrame, lines: list | tuple | None) -> tuple[list[str], list[int]]:
    """The frame's headers, for ``config.column_keys`` to match (NFKC-normalised there, as
    cells are), and the positions of the columns kept.  A column without a header and without
    values (the trailing ``,,`` Excel writes after the last column) is dropped; one without a
    header over values is refused, naming its position and the first value."""
    headers, keep = [], []
    for i, c in enumerate(frame.columns):
        written = str(c).strip()
        header = unicodedata.normalize("NFKC", written).strip()
        if header == "":
            cells = frame.iloc[:, i].tolist()
            filled = next((r for r, v in enumerate(cells) if not _empty_cell(v)), None)
            if filled is not None:
                line = None if lines is None else int(lines[filled])
                first = _row(filled + 1, line)
                raise _validate.InputError(
                    f"portfolio column {i + 1} has no header but holds values (first in {first}: "
                    f"{cells[filled]!r}): name the column or delete it",
                    _validate.Need("headless", count=i + 1, detail=f"{first.ja}の {cells[filled]!r}"))
            continue
        headers.append(written)
        keep.append(i)
    return headers, keep


class _Row:
    """Row ``i`` of columns held as lists, read as a record: ``rec[column]``,
    ``rec.get(column)`` (None for a column the frame lacks)."""

    __slots__ = ("_cells", "_absent", "_i")

    def __init__(self, cells: dict[str, list], absent: list, i: int):
        self._cells, self._absent, self._i = cells, absent, i

    def __getitem__(self, column: str) -> Any:
        return self._cells[column][self._i]

    def get(self, column: str) -> Any:
        return self._cells.get(column, self._absent)[self._i]


def validate_frame(frame: pd.DataFrame, industries, sizes) -> pd.DataFrame:
    """Check every row; return a clean frame with all columns in ``COLUMNS`` order.  A frame
    read from a CSV file (:func:`read_csv_text`, which keeps each row's line in
    ``attrs[config.CSV_LINES]``) has its lines named in errors.  A NaN cell is empty (pandas'
    missing value) unless ``attrs[NAN_IS_A_VALUE]`` is set, as for a Parquet file's table
    (:func:`read_table`), whose empty cells are None: there a NaN is refused."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"portfolio must be a pandas DataFrame, got {type(frame).__name__}")
    nan_is_empty = not frame.attrs.get(NAN_IS_A_VALUE, False)
    lines = frame.attrs.get(config.CSV_LINES)
    lines = lines if isinstance(lines, (list, tuple)) and len(lines) == len(frame) else None
    headers, keep = _headers(frame, lines)
    columns = config.column_keys(_SCHEMA, headers, "portfolio")
    frame = (frame if len(keep) == frame.shape[1] else frame.iloc[:, keep]).set_axis(columns, axis=1)
    industries, sizes = tuple(industries), tuple(sizes)
    out: dict[str, list] = {c: [] for c in COLUMNS}
    seen: dict[str, int] = {}
    # Column by column into lists, then row by row (DataFrame.to_dict builds a dict a row). A
    # row's name is formed for an error only; a text cell's reading (industry, size, controls)
    # is kept by value, as books repeat them; plain numbers skip the schema's parser.
    cells = {c: [None if v is pd.NA else v.item() if isinstance(v, np.generic) else v   # as to_dict
                 for v in frame[c].tolist()] for c in frame.columns}
    absent = [None] * len(frame)
    read: dict[tuple[str, Any], str] = {}
    for row in range(1, len(frame) + 1):
        rec = _Row(cells, absent, row - 1)
        line = None if lines is None else int(lines[row - 1])
        value = rec["policy_id"]
        pid = value.strip() if type(value) is str and value.strip() else _policy_id(value, _row(row, line))
        if pid in seen:
            first = seen[pid]
            raise _row_error(_row(row, line, pid), "policy_id", f"duplicates row {first}" + (
                "" if lines is None else f" (line {lines[first - 1]})"), pid, _validate.Need(
                    "duplicate", detail=config.row_name_ja(first, None if lines is None else lines[first - 1])))
        seen[pid] = row
        for column, allowed in (("industry", industries), ("size", sizes)):
            value = rec[column]
            key = (column, value) if isinstance(value, str) else None
            text = read.get(key) if key is not None else None
            if text is None:
                try:    # the key, its Japanese label or English in any case
                    text = _SCHEMA.field(column).parse(value)
                except ValueError:
                    text = value
                if text not in allowed:
                    raise _row_error(_row(row, line, pid), column, f"must be one of {', '.join(allowed)}",
                                     value, _validate.Need("choice", choices=allowed, choices_ja=labels.japanese_names(
                                         "industries" if column == "industry" else "sizes", allowed)))
                if key is not None:
                    read[key] = text
            out[column].append(text)
        out["policy_id"].append(pid)
        for column in _NUMERIC:
            value = rec.get(column)
            empty = value is None or (type(value) is str and not value.strip())
            plain = OPTIONAL_DEFAULTS[column] if empty else _plain_number(value, column)
            out[column].append(plain if plain is not None else
                               _number(value, column, _row(row, line, pid), nan_is_empty))
        value = rec.get("controls")
        key = ("controls", value) if isinstance(value, str) else None
        controls = read.get(key) if key is not None else None
        if controls is None:
            controls = _controls(value, _row(row, line, pid))
            if key is not None:
                read[key] = controls
        out["controls"].append(controls)
    clean = pd.DataFrame({c: pd.Series(out[c], dtype=object if c in REQUIRED + ("controls",)
                                       else np.float64) for c in COLUMNS})
    for c in REQUIRED + ("controls",):
        clean[c] = clean[c].astype(str)
    return clean


def read_csv_text(text: str) -> pd.DataFrame:
    """A CSV policy table as text columns, the line each row starts on kept in
    ``attrs[config.CSV_LINES]`` (named in errors); blank lines are skipped, every other row must
    have the header's fields."""
    header, rows = config.csv_table(text, _row)
    frame = pd.DataFrame([cells for _, cells in rows] or None, columns=header, dtype=object)
    frame.attrs[config.CSV_LINES] = config.CsvLines(line for line, _ in rows)
    return frame


def read_table(path: str | Path, encoding: str = "auto") -> pd.DataFrame:
    """Read a CSV or Parquet file as text/number columns, without validating (a CSV's rows
    with their lines, as :func:`read_csv_text` gives them; a Parquet file's nulls as None and
    its NaNs as NaN, marked ``attrs[NAN_IS_A_VALUE]``).  A CSV's
    ``encoding`` is detected ("auto": UTF-8 with or without BOM, else CP932 as Japanese Excel
    saves it) or named (``"cp932"``, ``"utf-8"``, ...)."""
    p = config.path_of(path, "portfolio file")
    at = ((f"portfolio file {p}", _validate.place_ja(f"portfolio file {p}")),)     # the place its errors name
    suffix = p.suffix.lower()
    if suffix == ".csv":
        text = config.read_text(p, "portfolio file", config.encoding_name(encoding))
        with _validate.located(f"portfolio file {p}"):
            return read_csv_text(text)
    if suffix in (".parquet", ".pq"):
        # Not pandas' reader, which makes a null and a NaN both NaN (a NaN limit would be read
        # as an empty, unlimited one): object columns with nulls as None, NaNs kept, marked
        # NAN_IS_A_VALUE; the index pandas stores with a frame left out, as its reader does.
        require("pyarrow", f"portfolio file {p}: Parquet", f"{at[0][1]}（Parquet）")
        import pyarrow.parquet as pq  # an optional extra

        try:
            table = pq.read_table(p)
            stored_index = {c for c in (table.schema.pandas_metadata or {}).get("index_columns", [])
                            if isinstance(c, str)}
            keep = [i for i, name in enumerate(table.column_names) if name not in stored_index]
            frame = pd.DataFrame({i: pd.Series(table.column(i).to_pylist(), dtype=object) for i in keep},
                                 index=pd.RangeIndex(table.num_rows))
        except (OSError, ValueError, TypeError, KeyError) as exc:   # pyarrow's errors for non-Parquet bytes
            detail = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
            raise _validate.InputError(f"portfolio file {p}: not a readable Parquet table ({detail})",
                                       _validate.Need("syntax", noun="Parquet", detail=detail),
                                       context=at) from None
        frame.columns = [table.column_names[i] for i in keep]
        frame.attrs[NAN_IS_A_VALUE] = True
        return frame
    raise _validate.InputError(f"portfolio file {p}: must be .csv or .parquet, got extension {p.suffix or 'none'!r}",
                               _validate.Need("relation", detail="拡張子が .csv か .parquet のファイル"),
                               value_ja=f"拡張子 {p.suffix!r}" if p.suffix else "拡張子なし",
                               context=at)


class Portfolio(Described):
    """Policies with their organisation profile (industry, size, revenue, ...) and terms.

    Build with :meth:`read` (CSV/Parquet), :meth:`from_frame` or :meth:`synthetic`.  Rates are
    the calibration's expected events per organisation-year for each policy's industry and
    size (``basis`` and ``period`` as in ``Calibration.rate``) times ``frequency_factor``.
    Immutable; ``table`` is a copy.
    """

    def __init__(self, table: pd.DataFrame, calibration: Calibration | None = None,
                 basis: str = "all", period: str = "recent"):
        cal = calibration if calibration is not None else load_calibration()
        self._table = validate_frame(table, cal.industries, cal.sizes)
        self.calibration = cal
        self.attack_types: list[str] = attack_type_names(cal, basis)
        self.basis, self.period = basis, period
        self._profiles: list[OrganisationProfile] | None = None
        self._data = comp.load()   # parsed once: loading validates the whole file
        t = self._table
        employees = [None if math.isnan(e) else int(e) for e in t["employees"]]
        cells: dict[tuple, tuple[float, list[float]]] = {}
        bases: dict[tuple, tuple[OrganisationProfile, list[TypeParameters]]] = {}
        rows, heads = [], []
        for key in zip(t["industry"], t["size"], employees, t["controls"]):
            if key not in cells:
                cells[key] = self._cell(bases, *key)
            heads.append(cells[key][0])
            rows.append(cells[key][1])
        self._employees = np.array(heads, dtype=float)
        base = np.array(rows, dtype=float).reshape(len(t), len(self.attack_types)).T
        self._rates = base * t["frequency_factor"].to_numpy(dtype=float)
        self._rates.setflags(write=False)
        self._employees.setflags(write=False)

    def _cell(self, bases: dict, industry: str, size: str, employees: int | None,
              controls: str) -> tuple[float, list[float]]:
        """Headcount and rates per type of one (industry, size, employees, controls); the
        profile and its parameters before headcount are shared through ``bases``."""
        cal, data = self.calibration, self._data
        if (industry, size, controls) not in bases:
            profile = OrganisationProfile(industry, size, data=data, controls=_controls_of(controls))
            bases[industry, size, controls] = (profile, [TypeParameters.before_headcount(profile, a)
                                                         for a in self.attack_types] if self.basis == "all" else [])
        profile, params = bases[industry, size, controls]
        h = float(profile.employees if employees is None else employees)
        if self.basis != "all":
            return h, [cal.rate(a, industry, size, self.basis, self.period) for a in self.attack_types]
        return h, [base_rate(cal, a, industry, size, h, self.basis, self.period)
                   * p.at_headcount(data, size, h).frequency_factor for a, p in zip(self.attack_types, params)]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, calibration: Calibration | None = None, **kwargs) -> "Portfolio":
        """From a DataFrame with the columns of ``COLUMNS`` (validated as a file would be; a NaN,
        None or ``pd.NA`` cell is empty, as pandas writes missing values)."""
        return cls(frame, calibration, **kwargs)

    @classmethod
    def read(cls, path: str | Path, calibration: Calibration | None = None, encoding: str = "auto",
             **kwargs) -> "Portfolio":
        """Read a ``.csv`` or ``.parquet`` policy table (columns in ``COLUMNS``; amounts may be
        written "5000万円"; industries and sizes as keys, Japanese labels or English).  A CSV's
        ``encoding`` is detected (UTF-8, UTF-8 with BOM, CP932) unless named."""
        table = read_table(path, encoding)
        with _validate.located(f"portfolio file {path}"):
            return cls(table, calibration, **kwargs)

    @classmethod
    def synthetic(cls, n: int, seed: int, industry_mix: Mapping[str, float] | None = None,
                  size_mix: Mapping[str, float] | None = None,
                  calibration: Calibration | None = None, **kwargs) -> "Portfolio":
        """A synthetic book of ``n`` policies for examples and benchmarks.

        Industry and size are drawn from the mixes (weights, normalised; default equal weights
        over the calibration's industries, sizes 20% large / 70% SME / 10% organisation), the
        size among those the calibration has exposure for in the policy's industry: a size
        drawn where it has none (a manufacturing 団体等, a 公務 company;
        ``Calibration.unfitted_cell``) is drawn again, from the same uniform, among the
        industry's fitted sizes in proportion to the mix, so a size's share within an industry
        is its weight over the fitted sizes' total.  Only an industry none of whose sizes in the
        mix is fitted keeps its cells (:meth:`warnings` names them).

        Revenue is lognormal around a typical value per size (large 50 bn yen, SME 1 bn yen,
        organisation 3 bn yen; sigma 1), and the terms follow the size: deductible
        10 / 1 / 1 million yen, occurrence limit 1 bn / 100 m / 300 m yen, aggregate limit equal
        to the occurrence limit.  All of this is illustrative, not a market calibration.
        Policy i uses uniforms (seed, (PORTFOLIO, 0x300 + field), year=i).
        """
        n = _validate.positive_int("n", n) if n != 0 else 0
        cal = calibration if calibration is not None else load_calibration()
        industries = _mix("industry_mix", industry_mix or {i: 1.0 for i in cal.industries}, cal.industries)
        sizes = _mix("size_mix", size_mix or {"large": 0.2, "sme": 0.7, "organisation": 0.1}, cal.sizes)
        idx = np.arange(n, dtype=np.uint64)

        def u(field_no: int) -> np.ndarray:
            return np.atleast_1d(clrandom.uniform_at(
                seed, clrandom.stream_id(clrandom.Purpose.PORTFOLIO, 0x300 + field_no), idx, 0))

        ind = (np.array(list(industries), dtype=object)[_drawn(industries, u(0))] if n
               else np.array([], dtype=object))
        siz = _fitted_sizes(cal, ind, sizes, u(1)) if n else np.array([], dtype=object)
        typical = {"large": 5e10, "sme": 1e9, "organisation": 3e9}
        deductible = {"large": 1e7, "sme": 1e6, "organisation": 1e6}
        limit = {"large": 1e9, "sme": 1e8, "organisation": 3e8}
        spread = np.atleast_1d(Lognormal(0.0, 1.0).quantile(u(2))) if n else np.array([])
        revenue = np.array([typical[s] for s in siz], dtype=float) * spread
        frame = pd.DataFrame({
            "policy_id": [f"P{i + 1:06d}" for i in range(n)],
            "industry": ind, "size": siz, "revenue": np.round(revenue, -3),
            "deductible": [deductible[s] for s in siz],
            "occurrence_limit": [limit[s] for s in siz],
            "aggregate_limit": [limit[s] for s in siz],
            "frequency_factor": np.ones(n),
        })
        return cls(frame, cal, **kwargs)

    @property
    def table(self) -> pd.DataFrame:
        """A copy of the validated policy table (columns ``COLUMNS``, money in JPY)."""
        return self._table.copy()

    @property
    def rates(self) -> np.ndarray:
        """Expected events per year, shape (n_types, n_policies); read-only."""
        return self._rates

    @property
    def employees(self) -> np.ndarray:
        """Headcount per policy: the ``employees`` column, or the profile's default for the
        industry and size where it is empty; read-only."""
        return self._employees

    def profiles(self) -> list[OrganisationProfile]:
        """Each policy's organisation profile (industry, size, revenue, employees, controls;
        the profile's labelled defaults for the rest, revenue and employees too when empty)."""
        if self._profiles is None:
            data = self._data
            self._profiles = []
            for row in self._table.itertuples(index=False):
                given: dict[str, Any] = {   # None: the profile's default
                    "revenue": None if math.isnan(row.revenue) else float(row.revenue),
                    "employees": None if math.isnan(row.employees) else int(row.employees)}
                self._profiles.append(OrganisationProfile(row.industry, row.size, name=row.policy_id,
                                                          data=data, controls=_controls_of(row.controls),
                                                          **given))
        return list(self._profiles)

    def warnings(self, lang: str = "en") -> list[str]:
        """What the book's rates rest on that the survey cannot check: policies in (industry,
        size) cells the calibration has no exposure for (a manufacturing 団体等, a 公務 company;
        ``Calibration.unfitted_cell``), whose rates are the fitted model's extrapolation.  In
        English (as JSON lists them) or, ``lang="ja"``, in Japanese with the industries and
        sizes by their label_ja, as ``Calibration.warnings_in`` gives a simulation's."""
        english = self._warnings()
        return english if language.resolve(lang) == "en" else self.calibration.warnings_in(english, lang)

    def _warnings(self) -> list[str]:
        t = self._table
        rows_of: dict[tuple[str, str], list[int]] = {}
        for row, cell in enumerate(zip(t["industry"], t["size"]), start=1):
            rows_of.setdefault(cell, []).append(row)
        cells = {c: rows for c, rows in rows_of.items() if self.calibration.exposure(*c) == 0.0}
        if not cells:
            return []
        shown = "; ".join(f"{i} x {s}: {len(rows)} (rows {', '.join(map(str, rows[:5]))}"
                          f"{', ...' if len(rows) > 5 else ''})" for (i, s), rows in sorted(cells.items()))
        n = sum(len(rows) for rows in cells.values())
        return [language.UNFITTED_POLICIES.format(n=n, total=len(t), cells=shown)]

    def __len__(self) -> int:
        return len(self._table)

    def to_csv(self, path: str | Path, option: str = "portfolio file") -> Path:
        """Write the policy table to CSV (readable by :meth:`read`), atomically."""
        return _files.write_text(path, option, self._table.to_csv(index=False, float_format="%.17g"))

    def describe(self) -> pd.DataFrame:
        """Policies, revenue and expected events per year by industry and size."""
        t = self._table.assign(expected_events=self._rates.sum(axis=0))
        return (t.groupby(["industry", "size"])
                .agg(policies=("policy_id", "size"), revenue=("revenue", "sum"),
                     expected_events=("expected_events", "sum"))
                .reset_index())

    def _html_title(self) -> str:
        return "cyberloss portfolio"

    def _html_note(self) -> str:
        return f"{len(self):,} policies, rates on the {self.basis} basis, {self.period} period"

    def __repr__(self) -> str:
        return f"Portfolio({len(self)} policies, basis={self.basis!r}, period={self.period!r})"


def _controls_of(names: str) -> Controls:
    return Controls(**{c: True for c in names.split(";") if c})


def _drawn(mix: dict[str, float], u: np.ndarray) -> np.ndarray:
    """The index into ``mix``'s keys each uniform ``u`` picks (the inverse of the mix's cdf)."""
    keys = list(mix)
    cum = np.cumsum([mix[k] for k in keys])
    return np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), len(keys) - 1)


def _fitted_sizes(cal: Calibration, industries: np.ndarray, mix: dict[str, float],
                  u: np.ndarray) -> np.ndarray:
    """Each policy's size from ``mix`` by its uniform ``u``; one landing on a size ``cal`` has
    no exposure for in the policy's industry is moved, by where ``u`` fell within that size's
    interval, to the industry's fitted sizes in proportion to their weights (the same
    distribution as drawing from the fitted sizes alone)."""
    keys = list(mix)
    k = _drawn(mix, u)
    sizes = np.array(keys, dtype=object)[k]
    total = sum(mix.values())
    lower = np.array([sum(mix[keys[j]] for j in range(i)) for i in range(len(keys))]) / total
    width = np.array([mix[key] for key in keys]) / total
    for industry in np.unique(industries):
        fitted = {s: mix[s] for s in keys if cal.exposure(industry, s) > 0.0}
        if not fitted or len(fitted) == len(keys):
            continue
        moved = (industries == industry) & ~np.isin(sizes, list(fitted))
        if moved.any():
            km = k[moved]
            within = np.clip((u[moved] - lower[km]) / width[km], 0.0, np.nextafter(1.0, 0.0))
            sizes[moved] = np.array(list(fitted), dtype=object)[_drawn(fitted, within)]
    return sizes


def _mix(name: str, mix: Mapping[str, float], allowed) -> dict[str, float]:
    out = {}
    for k, w in mix.items():
        if k not in allowed:
            raise ValueError(f"{name}: unknown key {k!r}; known: {', '.join(allowed)}")
        x = float(w)
        if not (math.isfinite(x) and x >= 0):
            raise ValueError(f"{name}[{k!r}] must be finite and >= 0, got {w!r}")
        if x > 0:
            out[k] = x
    if not out:
        raise ValueError(f"{name} must give some key a weight > 0, got {dict(mix)!r}")
    return out
