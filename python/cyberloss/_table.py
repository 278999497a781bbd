"""Tables held as plain data, made into pandas objects only when someone asks for one.

A quote's statistics, premiums and decision grid are numbers from the core; the CLI prints
and serialises them without pandas (whose import costs about as much as the quote itself).
:class:`Table` holds named columns (lists, tuples or 1-d NumPy arrays) and row labels, and
builds the DataFrame the public API returns (:meth:`Table.to_pandas`); :class:`Row` is one of
its rows (a Series when asked).  :class:`FrameField` is a field of a frozen dataclass given a
DataFrame, a Series, a Table or a Row: reading it gives the pandas object, built on first
access and kept (the dataclass is immutable), so a notebook sees what it always saw.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union

from ._lazy import pandas as pd

if TYPE_CHECKING:
    import numpy as np

T = TypeVar("T")
Column = Union[Sequence[Any], "np.ndarray"]


class Table:
    """Named columns of equal length and their row labels (``index``; None for 0, 1, ...,
    a RangeIndex in pandas) named ``index_name``."""

    __slots__ = ("_data", "index", "index_name")

    def __init__(self, data: Mapping[str, Column], index: Sequence | None = None,
                 index_name: str | None = None):
        self._data = dict(data)
        self.index = None if index is None else list(index)
        self.index_name = index_name

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]], index: Sequence | None = None,
                  index_name: str | None = None) -> "Table":
        """The table whose rows are ``rows`` (dicts with the same keys, in column order), as
        ``pd.DataFrame(rows)`` gives it."""
        return cls({k: [row[k] for row in rows] for k in (rows[0] if rows else ())}, index,
                   index_name)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "Table":
        """The columns and row labels of a DataFrame (a table given as one)."""
        return cls({c: frame[c].to_numpy() for c in frame.columns}, list(frame.index),
                   frame.index.name)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self._data)

    @property
    def labels(self) -> list:
        """The row labels (0, 1, ... without an index)."""
        return list(range(len(self))) if self.index is None else self.index

    def __len__(self) -> int:
        if self.index is not None:
            return len(self.index)
        return len(next(iter(self._data.values()))) if self._data else 0

    def column(self, name: str) -> Column:
        return self._data[name]

    def cell(self, label: Any, column: str) -> Any:
        """The value in the row labelled ``label`` (the first such row) and ``column``."""
        return self._data[column][self.labels.index(label)]

    def rows(self) -> list[tuple[Any, dict[str, Any]]]:
        """(label, {column: value}) of every row, in order."""
        return [(label, {c: v[i] for c, v in self._data.items()})
                for i, label in enumerate(self.labels)]

    def records(self) -> list[dict[str, Any]]:
        """One {column: value} per row (``DataFrame.to_dict(orient="records")``)."""
        return [row for _, row in self.rows()]

    def to_pandas(self) -> pd.DataFrame:
        index = None if self.index is None else pd.Index(self.index, name=self.index_name)
        return pd.DataFrame(self._data, index=index)


class Row:
    """Row ``position`` of a :class:`Table`, read by column name; as pandas, the DataFrame's row
    (``iloc[position]``, named by its label)."""

    __slots__ = ("table", "position")

    def __init__(self, table: Table, position: int):
        self.table = table
        self.position = int(position)

    def __getitem__(self, column: str) -> Any:
        return self.table.column(column)[self.position]

    def to_pandas(self) -> pd.Series:
        return self.table.to_pandas().iloc[self.position]


def table_of(value: Table | pd.DataFrame) -> Table:
    """A table given as a :class:`Table` or as a DataFrame, as a Table."""
    return value if isinstance(value, Table) else Table.from_frame(value)


def held(obj: Any, name: str) -> Any:
    """What the :class:`FrameField` ``name`` of ``obj`` holds, without building pandas: the
    Table or Row it was given, or the pandas object once built or if given one."""
    return vars(obj)[name]


def plain(obj: Any, name: str) -> Table:
    """The table the :class:`FrameField` ``name`` of ``obj`` holds, as a :class:`Table`."""
    return table_of(held(obj, name))


class FrameField(Generic[T]):
    """A required field of a frozen dataclass holding a DataFrame or Series (``T``), given as
    one or as a plain :class:`Table` or :class:`Row`, turned into pandas on first read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> T:
        if obj is None:     # the class's attribute: no default value for the dataclass
            raise AttributeError(self.name)
        value = vars(obj)[self.name]
        if isinstance(value, (Table, Row)):
            value = value.to_pandas()
            vars(obj)[self.name] = value
        return value

    def __set__(self, obj: Any, value: T | Table | Row) -> None:
        vars(obj)[self.name] = value
