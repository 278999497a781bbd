"""The year-loss table: the one result type of cyberloss.

Every simulation result is a :class:`YearLossTable` (or holds them): an engine run
(``cyberloss.simulate``), an organisation's incidents (``simulate_organisation``), a policy's
insured view (``insurance.terms.apply``, quotes), each BCP variant, a portfolio run.  A table
covers ``n_years`` simulated years and holds per-year amounts in JPY:

* **views**, the columns a result is about: ``gross`` for an engine run or an organisation;
  ``gross`` / ``insured`` / ``retained`` for a policy; ``gross`` / ``ceded`` / ``net`` for a
  portfolio.  One of them is the default view of the statistics;
* **breakdown columns** splitting a view (per attack type, per component, per section as
  ``<view>_<section>``, per reinsurance contract);
* **extras**, per-year numbers that are not losses (counts, systemic multipliers, downtime
  days): exported with the table, never described as money;
* optionally each year's **largest single loss** per view, for the OEP.

Storage is *sparse* where most years have no incident (the years with one, ``loss_years``,
and their amounts; every other year is 0 in every column) and *dense* otherwise (one value per
year, e.g. the engine's arrays, held without copies).  Dense per-year arrays of a sparse table
are built only on request (:meth:`annual`, :meth:`to_frame`).

Statistics (:mod:`cyberloss.stats` conventions, computed in C++, each column sorted at most
once): :meth:`mean`, :meth:`std`, :meth:`var`, :meth:`tvar` give an ``Estimate`` (value and
standard error) for one level and a table for a sequence of levels; :meth:`describe` gives one
layout for every result:

    rows     mean, std, P(loss>0), VaR <p>, TVaR <p> for each level p (e.g. "VaR 99%")
    columns  <column>, <column>_se for each view (or each requested column)

:meth:`ep_curve` gives ``return_period``, ``exceedance_probability``, ``aep``, ``aep_se``,
``oep``, ``oep_se`` (the OEP columns where the table holds single losses: every view of every
result except an engine run without events and an engine run's ``layered`` view, and a
portfolio's ceded and net views, which its programme cedes by year and attack type).
:meth:`plot` draws the EP curves in 万円 / 億円; :meth:`to_csv` / :meth:`to_parquet` write the
table atomically.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from . import _files, stats
from ._extras import require
from ._lazy import pandas as pd
from ._table import Table
from .report import html as report_html
from .report import language, money, plots

DEFAULT_LEVELS = (0.99, 0.995)
STATISTIC_ROWS = ("mean", "std", "P(loss>0)")
# Return periods of the EP curves drawn by plot(): a geometric grid up to years / 10.
_PLOT_POINTS = 40


def annual_loss_sha256(x: np.ndarray) -> str:
    """SHA-256 of the array's little-endian float64 bytes: two runs compared exactly."""
    return hashlib.sha256(np.ascontiguousarray(x, dtype="<f8").data).hexdigest()


def sparse_annual_loss_sha256(n_years: int, years: np.ndarray, values: np.ndarray,
                              chunk: int = 1 << 16) -> str:
    """:func:`annual_loss_sha256` of the dense array that has ``values`` at ``years``
    (ascending) and 0 elsewhere, hashed a chunk of years at a time without building it."""
    years = np.asarray(years, dtype=np.int64)
    values = np.asarray(values, dtype="<f8")
    h = hashlib.sha256()
    buf = np.zeros(min(chunk, n_years), dtype="<f8")
    bounds = np.searchsorted(years, np.arange(0, n_years + chunk, chunk))
    for c, first in enumerate(range(0, n_years, chunk)):
        part = buf[:min(chunk, n_years - first)]
        part.fill(0.0)
        i, j = bounds[c], bounds[c + 1]
        part[years[i:j] - first] = values[i:j]
        h.update(part.data)
    return h.hexdigest()


def year_sums(year: np.ndarray, columns: Mapping[str, np.ndarray]
              ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per-year sums and maxima of event columns.

    ``year`` (non-decreasing, one entry per event) and ``columns`` (name -> per-event values)
    give ``(loss_years, sums, maxima)``: the distinct years, and per column the sum and the
    largest value of each such year."""
    year = np.asarray(year, dtype=np.int64)
    if year.size == 0:
        empty = np.zeros(0)
        return np.zeros(0, dtype=np.int64), {k: empty for k in columns}, {k: empty for k in columns}
    starts = np.flatnonzero(np.r_[True, year[1:] != year[:-1]])
    sums = {k: np.add.reduceat(np.asarray(v, dtype=np.float64), starts) for k, v in columns.items()}
    maxima = {k: np.maximum.reduceat(np.asarray(v, dtype=np.float64), starts)
              for k, v in columns.items()}
    return year[starts], sums, maxima


class LazyColumns(Mapping):
    """Loss columns of a year-loss table of which some (``later``, listed after the others)
    are computed when first read: ``load(name)`` returns that column and any others it
    computes in the same pass (e.g. a BCP variant's per-component sums, which its comparison
    table never reads, or a policy's sections of one view)."""

    def __init__(self, now: Mapping[str, np.ndarray], later: Sequence[str],
                 load: Callable[[str], Mapping[str, np.ndarray]]):
        self._now = dict(now)
        self._later = tuple(k for k in later if k not in self._now)
        self._load = load

    def loaded(self) -> dict[str, np.ndarray]:
        """The columns computed so far (nothing is computed)."""
        return self._now

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._now and name in self._later:
            columns = self._load(name)
            self._now.update({k: columns[k] for k in self._later
                              if k in columns and k not in self._now})
        return self._now[name]

    def __contains__(self, name: object) -> bool:
        return name in self._now or name in self._later

    def __iter__(self) -> Iterator[str]:
        yield from (k for k in self._now if k not in self._later)
        yield from self._later

    def __len__(self) -> int:
        return len(self._now) + sum(k not in self._now for k in self._later)


#: The views and sections by the Japanese words the outputs print for them (report.language).
_JAPANESE_COLUMNS = {ja: key for words in (language.VIEWS_JA, language.SECTIONS_JA) for key, ja in words.items()}


class YearLossTable(report_html.Described):
    """Simulated years of one result: views, breakdown columns, extras (module docstring).

    ``columns`` maps each loss column to its per-year amounts (JPY): ``n_years`` values when
    ``loss_years`` is None (dense), else one value per entry of ``loss_years`` (sparse:
    ascending distinct years in ``[0, n_years)``; every other year is 0).  ``views`` names the
    primary columns (``default_view`` is used when a method is not told which); ``occurrence``
    maps a view to each year's largest single loss (same storage); ``extras`` are per-year
    numbers that are not losses.  Year ``i`` of the table is simulated year
    ``first_year + i``.  ``warnings`` (plain sentences) say why its statistics may be
    unreliable (an engine run of a heavy-tailed model over too few years); they are shown with
    the table in a notebook and in the CLI's output.
    """

    def __init__(self, n_years: int, columns: Mapping[str, np.ndarray], *, views: Sequence[str],
                 loss_years: np.ndarray | None = None, default_view: str | None = None,
                 occurrence: Mapping[str, np.ndarray] | None = None,
                 extras: Mapping[str, np.ndarray] | None = None, first_year: int = 0,
                 seed: int | None = None, title: str = "year-loss table",
                 warnings: Sequence[str] = ()):
        self.n_years = int(n_years)
        self.warnings: list[str] = list(warnings)
        self.first_year = int(first_year)
        self.seed = seed
        self.title = title
        # LazyColumns are kept as they are: their later columns are computed on first read.
        self._columns: Mapping[str, np.ndarray] = (columns if isinstance(columns, LazyColumns)
                                                   else dict(columns))
        self._views = tuple(views)
        self._default = default_view if default_view is not None else self._views[0]
        self._loss_years = None if loss_years is None else np.asarray(loss_years, dtype=np.int64)
        self._occurrence = dict(occurrence or {})
        self._extras = dict(extras or {})
        self._samples: dict[tuple[str, bool], stats.Sample] = {}
        length = self.n_years if self._loss_years is None else self._loss_years.size
        ready = self._columns.loaded() if isinstance(self._columns, LazyColumns) else self._columns
        for name, values in {**ready, **self._occurrence, **self._extras}.items():
            if np.shape(values) != (length,):
                raise ValueError(f"year-loss table column {name!r} has shape {np.shape(values)}, "
                                 f"expected ({length},)")
        missing = [v for v in (*self._views, self._default) if v not in self._columns]
        if missing:
            raise ValueError(f"year-loss table: view {missing[0]!r} is not one of its columns")

    # ----- what the table holds --------------------------------------------------------------
    @property
    def years(self) -> int:
        """Number of simulated years (the same as ``n_years``)."""
        return self.n_years

    @property
    def views(self) -> tuple[str, ...]:
        """The loss views the table holds, e.g. ("gross", "insured", "retained")."""
        return self._views

    @property
    def default_view(self) -> str:
        """The view statistics use when none is named."""
        return self._default

    @property
    def columns(self) -> tuple[str, ...]:
        """Every loss column: the views, then the breakdown columns."""
        return self._views + tuple(c for c in self._columns if c not in self._views)

    @property
    def extras(self) -> tuple[str, ...]:
        """Further per-year columns besides the views (e.g. downtime days)."""
        return tuple(self._extras)

    @property
    def is_sparse(self) -> bool:
        """True when only the years with a loss are stored (the others are zero)."""
        return self._loss_years is not None

    @property
    def loss_years(self) -> np.ndarray:
        """Indices (0-based, within the table) of the years that hold an amount: the stored
        years of a sparse table, the years with a nonzero default view of a dense one."""
        if self._loss_years is not None:
            return self._loss_years
        return np.flatnonzero(self._columns[self._default] != 0)

    def _column(self, view: str | None) -> str:
        name = self._default if view is None else view
        if isinstance(name, str) and name not in self._columns:     # 保有 -> net, 費用損害 -> response
            name = _JAPANESE_COLUMNS.get(name.strip(), name)
        if name not in self._columns:
            raise ValueError(f"view must be one of {', '.join(self.columns)}, got {name!r}")
        return name

    def _dense(self, values: np.ndarray) -> np.ndarray:
        if self._loss_years is None:
            out = np.asarray(values).view()
        else:
            out = np.zeros(self.n_years, dtype=np.asarray(values).dtype)
            out[self._loss_years] = values
        out.flags.writeable = False
        return out

    def annual(self, view: str | None = None) -> np.ndarray:
        """The per-year amounts of a column (JPY), one per simulated year, read-only (a view of
        a dense table's array; built on request for a sparse one)."""
        return self._dense(self._columns[self._column(view)])

    def stored(self, view: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(years, amounts) of a column without building the dense array: a sparse table's
        years with a loss and their amounts, a dense table's years whose amount is not 0.
        Every other year is 0.  Read-only views where the table holds them."""
        values = np.asarray(self._columns[self._column(view)])
        if self._loss_years is not None:
            return self._loss_years, values
        years = np.flatnonzero(values)
        return years, values[years]

    def series(self, name: str | None = None) -> np.ndarray | stats.Stored:
        """A column (a view, by default the default view) or an extra as :func:`stats.means`
        takes it, without building the dense array of a sparse table: :class:`stats.Stored`
        (its years and their amounts), or a dense table's array."""
        values = self._extras[name] if name in self._extras else self._columns[self._column(name)]
        if self._loss_years is None:
            return np.asarray(values)
        return stats.Stored(self.n_years, self._loss_years, np.asarray(values))

    def extra(self, name: str) -> np.ndarray:
        """A per-year extra (counts, multipliers, days), one value per simulated year."""
        if name not in self._extras:
            raise ValueError(f"extra must be one of {', '.join(self._extras) or '(none)'}, got {name!r}")
        return self._dense(self._extras[name])

    def occurrence_max(self, view: str | None = None) -> np.ndarray:
        """Each year's largest single loss in ``view`` (0 in years without one)."""
        name = self._column(view)
        if name not in self._occurrence:
            why = ("its layers apply to the year's sum" if name == "layered" else
                   "an engine run keeps them for its gross view with events=True; a portfolio "
                   "for gross and ground_up")
            raise ValueError(f"this result holds no single losses for {name!r} ({why})")
        return self._dense(self._occurrence[name])

    def sample(self, view: str | None = None, occurrence: bool = False) -> stats.Sample:
        """The column as a :class:`cyberloss.stats.Sample` (cached: sorted at most once)."""
        name = self._column(view)
        key = (name, occurrence)
        if key not in self._samples:
            source = self._occurrence if occurrence else self._columns
            if occurrence and name not in source:
                self.occurrence_max(name)
            values = source[name]
            label = f"{name} occurrence maximum" if occurrence else name
            self._samples[key] = (stats.Sample.dense(values, label) if self._loss_years is None
                                  else stats.Sample.sparse(self.n_years, values, label))
        return self._samples[key]

    # ----- statistics ------------------------------------------------------------------------
    def mean(self, view: str | None = None) -> stats.Estimate:
        """Expected annual loss of ``view`` (JPY) with its standard error."""
        return self.sample(view).mean()

    def std(self, view: str | None = None) -> stats.Estimate:
        """Standard deviation of the annual loss (divisor n - 1) with its SE."""
        return self.sample(view).std()

    def var(self, p, view: str | None = None):
        """VaR_p of the annual loss: the lower empirical p-quantile (``stats``), with its SE.
        A sequence of levels gives a table (index ``level``; ``var``, ``var_se``)."""
        return self.sample(view).var(p)

    def tvar(self, p, view: str | None = None):
        """TVaR_p of the annual loss (Acerbi-Tasche expected shortfall, ``stats``), with its SE.
        A sequence of levels gives a table (index ``level``; ``tvar``, ``tvar_se``)."""
        return self.sample(view).tvar(p)

    def tail(self, levels, view: str | None = None) -> pd.DataFrame:
        """VaR and TVaR at each level with their SEs (index ``level``)."""
        return self.sample(view).tail(levels)

    def probability_of_loss(self, view: str | None = None, threshold: float = 0.0) -> stats.Estimate:
        """Share of years whose ``view`` exceeds ``threshold`` (JPY), with its binomial SE."""
        return self.sample(view).exceedance(threshold)

    def describe(self, levels: Sequence[float] = DEFAULT_LEVELS,
                 columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Mean, std, P(loss>0), VaR and TVaR at each level (rows) of each view, or of the
        given ``columns``, with standard errors (columns ``<c>`` and ``<c>_se``), JPY."""
        return self.describe_table(levels, columns).to_pandas()

    def describe_table(self, levels: Sequence[float] = DEFAULT_LEVELS,
                       columns: Sequence[str] | None = None) -> Table:
        """:meth:`describe` as a plain :class:`~cyberloss._table.Table` (no pandas)."""
        ps = stats.levels_of(levels)
        names = [self._column(c) for c in (columns if columns is not None else self._views)]
        index = list(STATISTIC_ROWS)
        for p in ps:
            index += [f"VaR {stats.level_label(p)}", f"TVaR {stats.level_label(p)}"]
        data: dict[str, list[float]] = {}
        for c in names:
            s = self.sample(c)
            tail = s.tail_table(ps)   # first: the one selection the moments then come from
            estimates = [s.mean(), s.std() if s.n > 1 else stats.Estimate(0.0, 0.0), s.exceedance(0.0)]
            for p in ps:
                estimates += [stats.Estimate(tail.cell(p, "var"), tail.cell(p, "var_se")),
                              stats.Estimate(tail.cell(p, "tvar"), tail.cell(p, "tvar_se"))]
            data[c] = [e.value for e in estimates]
            data[f"{c}_se"] = [e.se for e in estimates]
        return Table(data, index, "statistic")

    def ep_curve(self, return_periods: Sequence[float] | np.ndarray | None = None,
                 view: str | None = None) -> pd.DataFrame:
        """AEP and OEP of ``view`` at each return period (years) with SEs: columns
        ``return_period``, ``exceedance_probability`` (1/T), ``aep``, ``aep_se`` and, where the
        table holds single losses, ``oep``, ``oep_se``.  Default return periods:
        ``stats.default_return_periods(n_years)`` (at least 10 expected exceedances each)."""
        return self.ep_curve_table(return_periods, view).to_pandas()

    def ep_curve_table(self, return_periods: Sequence[float] | np.ndarray | None = None,
                       view: str | None = None) -> Table:
        """:meth:`ep_curve` as a plain :class:`~cyberloss._table.Table` (no pandas)."""
        name = self._column(view)
        occurrence = self.sample(name, occurrence=True) if name in self._occurrence else None
        return stats.ep_points(self.sample(name), occurrence, return_periods)

    def sha256(self, view: str | None = None) -> str:
        """SHA-256 of a column's per-year amounts (little-endian float64)."""
        name = self._column(view)
        if self._loss_years is None:
            return annual_loss_sha256(self._columns[name])
        return sparse_annual_loss_sha256(self.n_years, self._loss_years, self._columns[name])

    # ----- presentation ----------------------------------------------------------------------
    def plot(self, views: Sequence[str] | None = None, ax=None, title: str | None = None,
             lang: str | None = None):
        """EP curves (AEP solid, OEP dashed where held) of ``views`` (default: every view)
        against the return period on a log axis, in 万円 / 億円; words (the default title too) in
        ``lang`` ("ja" or "en"; None: the locale's).  Returns the axes."""
        require("matplotlib", f"{type(self).__name__}.plot")
        names = [self._column(v) for v in (views if views is not None else self._views)]
        top = self.n_years / stats.MIN_EXCEEDANCES
        if top <= 1.25:
            raise ValueError(f"{self.n_years} simulated years are too few for an EP plot")
        periods = np.geomspace(1.25, top, _PLOT_POINTS)
        curves = {}
        lang = language.resolve(lang)
        japanese = lang == "ja"
        for v in names:
            ep = self.ep_curve(periods, v)
            label = language.VIEWS_JA.get(v, v) if japanese else v
            curves[f"{label} AEP"] = (periods, ep["aep"].to_numpy())
            if "oep" in ep:
                curves[f"{label} OEP"] = (periods, ep["oep"].to_numpy())
        return plots.ep_plot(curves, title if title is not None else self._title_in(lang), ax, self.n_years, lang)

    def _title_in(self, lang: str) -> str:
        """:attr:`title` in ``lang``: a default title in Japanese (``language.TITLES_JA``), a
        title of the caller's own as given."""
        return language.TITLES_JA.get(self.title, self.title) if lang == "ja" else self.title

    def _html_title(self) -> str:
        return report_html.escape(self.title)

    def _html_note(self) -> str:
        seed = f", seed {self.seed}" if self.seed is not None else ""
        warned = "".join(f"<br><b>warning</b>: {report_html.escape(w)}" for w in self.warnings)
        return f"{self.n_years:,} simulated years{seed}; money in JPY (万円 / 億円){warned}"

    def _html_table(self):
        return money.statistics_table(self.describe())

    def __repr__(self) -> str:
        storage = f"sparse, {self.loss_years.size:,} years with a loss" if self.is_sparse else "dense"
        return (f"{type(self).__name__}(n_years={self.n_years}, views={list(self._views)}, "
                f"{storage}, mean {self._default}={float(self.mean()):.6g})")

    # ----- export ----------------------------------------------------------------------------
    def to_frame(self, dense: bool | None = None) -> pd.DataFrame:
        """The table as a DataFrame: ``year`` (``first_year`` + index), every loss column, the
        extras.  A sparse table gives only its years with an amount unless ``dense=True``
        (every other year is 0 in every column); a dense table gives every year."""
        full = self._loss_years is None or bool(dense)
        if full:
            data = {"year": np.arange(self.first_year, self.first_year + self.n_years, dtype=np.int64)}
            data.update({c: self.annual(c) for c in self.columns})
            data.update({e: self.extra(e) for e in self._extras})
        else:
            assert self._loss_years is not None
            data = {"year": self.first_year + self._loss_years}
            data.update({c: np.asarray(self._columns[c]) for c in self.columns})
            data.update({e: np.asarray(v) for e, v in self._extras.items()})
        return pd.DataFrame(data)

    def to_csv(self, path: str | os.PathLike, option: str = "YLT file",
               dense: bool | None = None) -> os.PathLike:
        """Write :meth:`to_frame` as CSV (UTF-8, full float64 precision), atomically."""
        text = self.to_frame(dense).to_csv(index=False, float_format="%.17g")
        return _files.write_text(path, option, text)

    def to_parquet(self, path: str | os.PathLike, option: str = "YLT file",
                   dense: bool | None = None) -> os.PathLike:
        """Write :meth:`to_frame` as Parquet (pyarrow), atomically."""
        require("pyarrow", f"{option} {os.fspath(path)}: Parquet", f"{option} {os.fspath(path)}（Parquet）")
        frame = self.to_frame(dense)
        return _files.write(path, option, lambda fh: frame.to_parquet(fh, index=False))

    def write(self, path: str | os.PathLike, option: str = "YLT file",
              dense: bool | None = None) -> os.PathLike:
        """:meth:`to_parquet` or :meth:`to_csv`, chosen by the extension (.parquet or .csv)."""
        fmt = _files.suffix(path, option, (".parquet", ".csv"))
        return (self.to_parquet if fmt == ".parquet" else self.to_csv)(path, option, dense)

