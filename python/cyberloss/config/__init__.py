"""Every input of cyberloss: one schema language, one reader, the schema of each document.

* :mod:`cyberloss.config.schema`: fields (kind, unit, default and its source, bounds, English
  help, Japanese label), tables, lists, tagged tables; :func:`check` validates a document and
  names the dotted path and the value in every refusal; :func:`reference` lists the fields
  (the source of the documentation's field reference and of forms); :func:`column_names` gives
  the headers a CSV of a table's columns may use (the keys or their Japanese labels) and
  :func:`column_keys` reads a header with them.
* :mod:`cyberloss.config.documents`: PROFILE (organisation, terms, quote, simulation,
  variants, scenario, overrides), REINSURANCE, SPEC, PORTFOLIO_COLUMNS, CALIBRATION.
* :mod:`cyberloss.config.types`: the kinds, among them the one amount parser
  (:func:`parse_amount`: numbers, "500万円", "1.5億円", "１億", "800,000,000") and the reader
  of every other number given as text, full-width or with thousands separators
  (:func:`parse_number_text`: "１２０", "1,200"; :func:`parse_integer_text` for whole numbers,
  exactly; :func:`number_in_text` where the kind is known only from what a value replaces).
* :mod:`cyberloss.config.labels`: the spellings of industries and sizes (keys, Japanese labels,
  English in any case).
* files (``_read``): reading TOML, JSON and text (CSV encodings detected; CSV records with
  the line each starts on, a CSV's header and rows), one-line errors naming the file.

A lower utility layer: it imports no domain module; the model builds its objects from the
checked documents and fills the defaults that depend on data.
"""
from __future__ import annotations

import os
from typing import Any

from .. import _validate
from . import documents, schema
from ._read import (
    CSV_LINES,
    CsvLines,
    cell_error,
    csv_records,
    csv_table,
    decode,
    encoding_name,
    loads_toml,
    path_of,
    read_bytes,
    read_json,
    read_text,
    read_toml,
    row_name,
    row_name_ja,
    row_place,
)
from .schema import (
    Field,
    ListOf,
    Node,
    OneOf,
    Table,
    check,
    check_table,
    column_keys,
    column_names,
    reference,
    walk,
)
from .types import REQUIRED, number_in_text, parse_amount, parse_cell, parse_integer_text, parse_number_text


def load(path: str | os.PathLike, node: Node, what: str) -> dict[str, Any]:
    """The TOML document in ``path`` checked against ``node``; refusals read
    ``<what> <path>: <dotted path> must be ..., got ...``."""
    doc = read_toml(path, what)
    with _validate.located(f"{what} {path}"):
        return check(doc, node)


def label_ja(path: str) -> str:
    """The Japanese label of the value at the dotted ``path`` of a profile, reinsurance or
    simulate spec document, or of a portfolio column ("organisation.industry" is 業種); "" for none."""
    return schema.label_of(path, documents.PROFILE, documents.REINSURANCE, documents.SPEC,
                           documents.PORTFOLIO_COLUMNS)


__all__ = ["CSV_LINES", "CsvLines", "REQUIRED", "Field", "ListOf", "Node", "OneOf", "Table", "cell_error", "check",
           "check_table",
           "column_keys", "column_names", "csv_records", "csv_table", "decode", "documents", "encoding_name",
           "label_ja", "load", "loads_toml", "number_in_text", "parse_amount", "parse_cell", "parse_integer_text",
           "parse_number_text", "path_of", "read_bytes", "read_json", "read_text", "read_toml", "reference",
           "row_name", "row_name_ja", "row_place", "walk"]
