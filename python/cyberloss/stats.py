"""The statistics of cyberloss: risk measures of simulated losses with their standard errors.

Every statistic of every result (engine, organisation, quote, BCP, portfolio) comes from here,
computed by the C++ core (``include/cyberloss/stats.hpp``) on a :class:`Sample`, which holds
the values once and sorts (or partially selects) them once for all the measures asked of it.
A sample is *dense* (all n values) or *sparse* (n years of which only the listed values are
stored, every other year being 0: most simulated years of one organisation have no incident).

Conventions (empirical distribution F_n of the n simulated values):

* ``mean``: (1/n) sum x_i; SE ``s / sqrt(n)``;
* ``std``: sample standard deviation ``s`` (divisor n - 1); SE by the delta method,
  ``sqrt((m4 - s^4) / (4 s^2 n))`` with m4 the fourth central moment;
* ``var(p)`` = inf{x : F_n(x) >= p}, the ``ceil(n p)``-th smallest value (lower quantile); SE
  half the distance between VaR at ``p - h`` and ``p + h``, ``h = sqrt(p (1 - p) / n)`` (one
  binomial standard deviation of F_n); where the sample is flat there (an atom: a limit, the
  zero years), the distance at ``2h``, then ``3h``, over 4 and 6, since an atom whose edge lies
  within 3 SDs moves VaR from run to run; 0 only where it is flat across ``3h``;
* ``tvar(p)`` = VaR_p + sum((x - VaR_p)^+) / (n (1 - p)) (Acerbi-Tasche expected shortfall:
  exact under ties, never below VaR_p); SE ``sd((X - VaR_p)^+) / ((1 - p) sqrt(n))``, the
  asymptotic SD of the Rockafellar-Uryasev form ``min_c c + E[(X - c)^+] / (1 - p)``;
* a probability q (e.g. P(loss > 0)): SE ``sqrt(q (1 - q) / n)``;
* a return period of T years is the loss exceeded with annual probability 1/T: VaR at
  ``1 - 1/T`` of the annual loss (AEP) or of each year's largest single loss (OEP).

Standard errors assume independent simulated years.  For heavy tails they understate the
spread (the tail that drives it is rarely sampled).
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from . import _core, _validate
from ._lazy import pandas as pd
from ._table import Table

#: Return periods (years) shown by default: those with at least ``MIN_EXCEEDANCES`` simulated
#: exceedances, i.e. ``T <= years / MIN_EXCEEDANCES`` (see :func:`default_return_periods`).
DEFAULT_RETURN_PERIODS = (2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000,
                          20_000, 50_000, 100_000)
MIN_EXCEEDANCES = 10
#: How many of a run's largest years :func:`largest_years_share` weighs, and the share of the
#: variance they may make before the quote says its standard errors rest on them (a rule of
#: thumb: the example quote's gross and retained views, whose SEs of the mean and TVaR
#: understate the spread over seeds by 1.2-2x at 25,000-400,000 years, have 36-83%; its insured
#: view, capped by the limit and honest, 0.6-13% from 100,000 years).
LARGEST_YEARS = 10
HEAVY_SHARE = 0.25
# Below this level a dense sample sorts everything; above, it selects the part it needs.
_MOMENTS_LEVEL = 0.999


class Estimate(float):
    """A Monte Carlo estimate: a float (the value, in the statistic's unit) with its standard
    error ``se``.  Arithmetic gives plain floats; ``value, se = estimate`` unpacks both."""

    __slots__ = ("se",)
    se: float

    def __new__(cls, value: float, se: float) -> "Estimate":
        obj = super().__new__(cls, value)
        obj.se = float(se)
        return obj

    @property
    def value(self) -> float:
        """The estimate as a plain float (its standard error is ``se``)."""
        return float(self)

    def __iter__(self):
        return iter((float(self), self.se))

    def __reduce__(self):
        return (Estimate, (float(self), self.se))

    def __repr__(self) -> str:
        return f"Estimate(value={float(self):.6g}, se={self.se:.3g})"


def check_level(p, name: str = "p") -> float:
    """A probability level strictly inside (0, 1)."""
    return _validate.number(name, p, 0.0, 1.0, lo_open=True, hi_open=True)


def level_label(p: float) -> str:
    """``0.99`` -> ``"99%"``, ``0.9995`` -> ``"99.95%"``."""
    return f"{100.0 * float(p):.10g}%"


def level_key(p: float) -> str:
    """A level as a JSON key, as precise as :func:`level_label`: ``0.99`` -> ``"0.99"``,
    ``0.9999991`` -> ``"0.9999991"`` (6 significant digits made it "0.999999")."""
    return f"{float(p):.10g}"


def levels_of(levels, name: str = "levels") -> list[float]:
    """A non-empty list of levels in (0, 1) from a number or a sequence."""
    values = np.atleast_1d(np.asarray(levels, dtype=object)).tolist()
    if not values:
        raise ValueError(f"{name} must list at least one level in (0, 1), got []")
    return [check_level(p, f"{name}[{i}]" if len(values) > 1 else "p") for i, p in enumerate(values)]


class Sample:
    """A loss sample held for statistics: values validated once, sorted (or selected) once.

    Build with :meth:`dense` (every value; any finite sign) or :meth:`sparse` (``n`` values of
    which only ``values`` (finite, >= 0) are stored and the other ``n - len(values)`` are 0).
    Either kind selects only the upper part its levels need (a threshold from a subsample, one
    pass, a selection, then a radix sort of that part: the core's ``order.hpp``); asking for a
    lower level later re-selects once.  A sparse sample asked for levels among its zero years
    sorts every stored value.
    """

    def __init__(self, n: int, values: np.ndarray, sparse: bool, name: str = "losses"):
        self.n = int(n)
        self.name = name
        self._values = values
        self._sparse = sparse
        self._held: _core.stats.LossSample | None = None
        self._held_level = 1.0
        self._ranking: _core.stats.Ranking | None = None

    @classmethod
    def dense(cls, x, name: str = "losses") -> "Sample":
        a = np.ascontiguousarray(x, dtype=np.float64)
        if a.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {a.shape}")
        if a.size == 0:
            raise ValueError(f"{name} must not be empty")
        return cls(a.size, a, sparse=False, name=name)

    @classmethod
    def sparse(cls, n: int, values, name: str = "losses") -> "Sample":
        a = np.ascontiguousarray(values, dtype=np.float64)
        if a.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {a.shape}")
        return cls(_validate.positive_int("n", n), a, sparse=True, name=name)

    @property
    def is_sparse(self) -> bool:
        return self._sparse

    def dense_values(self) -> np.ndarray:
        """All n values (zeros filled in for a sparse sample: built on request)."""
        if not self._sparse:
            return self._values
        raise ValueError("a sparse sample does not know where its values fall; use the "
                         "year-loss table's annual() for the dense array")

    @property
    def values(self) -> np.ndarray:
        """The values held: every value of a dense sample, the stored ones of a sparse one."""
        return self._values

    def ranking(self) -> _core.stats.Ranking:
        """The stored values of a sparse sample ranked once (ascending, ties by position),
        cached: the premium principles (``insurance.pricing.premiums``) and every VaR, TVaR
        and EP point of the sample then read their order statistics off it."""
        if not self._sparse:
            raise ValueError("only a sparse sample is ranked; a dense one selects its upper part")
        if self._ranking is None:
            with self._named():
                self._ranking = _core.stats.Ranking.sparse(self._values)
            self._held = None   # the order statistics are read off the ranking from now on
            self._held_level = 1.0
        return self._ranking

    def core(self, level: float = _MOMENTS_LEVEL):
        """The C++ LossSample holding the order statistics needed for levels >= ``level``
        (``level`` 1: none, the moments alone)."""
        if self._held is None or level < self._held_level:
            floor = 0.0 if level <= 0.5 else 1.0 if level >= 1.0 else min(level, _MOMENTS_LEVEL)
            with self._named():
                if self._ranking is not None:
                    self._held = _core.stats.LossSample.sparse_ranked(self.n, self._ranking, floor)
                elif self._sparse:
                    self._held = _core.stats.LossSample.sparse(self.n, self._values, floor)
                else:
                    self._held = _core.stats.LossSample.dense(self._values, floor)
                self._held_level = floor
        assert self._held is not None
        return self._held

    @contextlib.contextmanager
    def _named(self):
        """Core errors prefixed with the sample's name (unless they start with it)."""
        try:
            yield
        except ValueError as exc:
            message = str(exc)
            raise ValueError(message if message.startswith(self.name)
                             else f"{self.name}: {message}") from None

    def mean(self) -> Estimate:
        if self._held is None and not self._sparse:   # the mean alone: no higher moments
            return means([self._values], names=[self.name])[0]
        s = self.core(1.0)   # the moments: no selection unless one is held already
        return Estimate(s.mean(), s.mean_se() if self.n > 1 else 0.0)

    def std(self) -> Estimate:
        if self.n < 2:
            raise ValueError(f"std needs at least 2 values, got {self.n}")
        s = self.core(1.0)
        return Estimate(s.std(), s.std_se())

    def largest_years_share(self, k: int = LARGEST_YEARS) -> float:
        """The share of the variance that the ``k`` largest years make
        (:func:`largest_years_share`), from the core's moments and its held order statistics
        (no pass over the values when the sample is ranked, as a quote's are)."""
        if self.n < 2:
            return 0.0
        s = self.core(1.0)
        mean, sd = s.mean(), s.std()
        total = sd * sd * (self.n - 1)
        if not self._sparse:     # any sign: the smallest values may deviate the most
            return _share_of_largest(np.abs(self._values - mean), 0, mean, total, k)
        # Values >= 0: a year below the mean deviates by at most the mean, as a zero year does.
        # With k zero years and k positive ones, the k largest deviations are among the k
        # largest values (held sorted) and the zero years; otherwise every stored value is read.
        positive = int(np.count_nonzero(self._values))
        zeros = self.n - positive
        if zeros < k or positive < k:
            return _share_of_largest(np.abs(self._values - mean), self.n - self._values.size, mean, total, k)
        s = self.core(max(0.0, 1.0 - (k + 1) / self.n))
        largest = np.array([s.order_statistic(self.n - 1 - i) for i in range(k)])
        return _share_of_largest(np.abs(largest - mean), zeros, mean, total, k)

    def tail(self, levels) -> pd.DataFrame:
        """VaR and TVaR at each level with their SEs: index ``level``, columns ``var``,
        ``var_se``, ``tvar``, ``tvar_se``."""
        return self.tail_table(levels).to_pandas()

    def tail_table(self, levels) -> Table:
        """:meth:`tail` as a plain :class:`~cyberloss._table.Table` (no pandas)."""
        ps = levels_of(levels)
        t = self.core(min(ps)).tail(ps)
        return Table({k: np.asarray(t[k]) for k in ("var", "var_se", "tvar", "tvar_se")}, ps, "level")

    def var(self, p):
        """VaR (module docstring) as an :class:`Estimate`; a table for a sequence of levels."""
        return self._measure("var", p)

    def tvar(self, p):
        """TVaR (module docstring) as an :class:`Estimate`; a table for a sequence of levels."""
        return self._measure("tvar", p)

    def _measure(self, which: str, p):
        if np.ndim(p) == 0:   # one level: no table (pandas costs more than the measure)
            level = check_level(p)
            t = self.core(level).tail([level])
            return Estimate(float(t[which][0]), float(t[f"{which}_se"][0]))
        return self.tail(p)[[which, f"{which}_se"]]

    def exceedance(self, threshold: float = 0.0) -> Estimate:
        """P(X > threshold) with its binomial SE."""
        x = _validate.finite("threshold", threshold)
        s = self.core()
        try:
            q = s.exceedance_probability(x)[0]
        except IndexError:      # below the selected part of a dense sample: count them all
            q = float(np.count_nonzero(self._values > x)) / self.n
        return Estimate(q, math.sqrt(q * (1.0 - q) / self.n))

    def return_period_loss(self, return_period: float) -> Estimate:
        """The loss at a return period of T years (VaR at 1 - 1/T) with its SE."""
        t = _validate.number("return_period", return_period, 1.0, lo_open=True)
        return self.var(1.0 - 1.0 / t)


def sample(x, name: str = "losses") -> Sample:
    """``x`` as a :class:`Sample` (a Sample is returned as it is, an array becomes dense)."""
    return x if isinstance(x, Sample) else Sample.dense(x, name)


def mean(x) -> Estimate:
    """Mean with its SE (module docstring); ``x`` an array of losses or a :class:`Sample`."""
    return sample(x).mean()


@dataclasses.dataclass(frozen=True)
class Stored:
    """``n`` values of which those at positions ``index`` are ``values`` and the rest 0: a
    sparse year-loss column (the years with a loss and their amounts) without its zeros."""
    n: int
    index: np.ndarray
    values: np.ndarray


def means(xs: Sequence, minus: Sequence | None = None,
          names: Sequence[str] | None = None) -> list[Estimate]:
    """The mean with its SE of each sample in ``xs`` (an array or :class:`Stored`), or of
    ``xs[i] - minus[i]`` element by element where ``minus[i]`` is not None: the same bits as
    :func:`mean` of each dense array (or of the two arrays' difference), computed in parallel
    by the core, which forms each sample in a reused buffer.  Many means at once (a BCP
    comparison's table).  An error names the sample by ``names[i]`` (default ``losses[i]``)."""
    k = len(xs)
    subtract = [None] * k if minus is None else list(minus)
    labels = [f"losses[{i}]" for i in range(k)] if names is None else list(names)
    for what, given in (("minus", subtract), ("names", labels)):
        if len(given) != k:
            raise ValueError(f"{what} has {len(given)} entries for {k} samples")
    n: list[int] = []
    x: list[np.ndarray] = []
    x_index: list[np.ndarray | None] = []
    m: list[np.ndarray | None] = []
    m_index: list[np.ndarray | None] = []
    for a, b, label in zip(xs, subtract, labels):
        values, index, size = _series(a, label)
        n.append(size)
        x.append(values)
        x_index.append(index)
        if b is None:
            m.append(None)
            m_index.append(None)
            continue
        values, index, other = _series(b, label)
        if other != size:
            raise ValueError(f"{label}: {other} values to subtract from a sample of {size}")
        m.append(values)
        m_index.append(index)
    try:
        mean, se = _core.stats.mean_estimates(n, x, x_index, m, m_index)
    except ValueError as exc:   # "x[i] ..." from the core: name the sample as the caller does
        message = str(exc)
        if not message.startswith("x["):
            raise
        end = message.index("]")
        raise ValueError(labels[int(message[2:end])] + message[end + 1:]) from None
    return [Estimate(float(v), float(e)) for v, e in zip(mean, se)]


def _series(a, label: str) -> tuple[np.ndarray, np.ndarray | None, int]:
    if isinstance(a, Stored):
        values = np.ascontiguousarray(a.values, dtype=np.float64)
        index = np.ascontiguousarray(a.index, dtype=np.int64)
        if values.ndim != 1 or index.shape != values.shape:
            raise ValueError(f"{label}: {index.shape} positions for stored values of shape "
                             f"{values.shape}")
        return values, index, _validate.positive_int("n", a.n)
    values = np.ascontiguousarray(a, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"{label} must be one-dimensional, got shape {values.shape}")
    return values, None, values.size


def std(x) -> Estimate:
    """Standard deviation (divisor n - 1) with its delta-method SE."""
    return sample(x).std()


def var(x, p):
    """VaR_p, the lower empirical p-quantile, with its SE; a table for a sequence of levels."""
    return sample(x).var(p)


def tvar(x, p):
    """TVaR_p (Acerbi-Tasche expected shortfall) with its SE; a table for a sequence of levels."""
    return sample(x).tvar(p)


def tail(x, levels) -> pd.DataFrame:
    """VaR and TVaR at several levels with their SEs, from one sort (see :meth:`Sample.tail`)."""
    return sample(x).tail(levels)


def probability(flags) -> Estimate:
    """Share of true values in ``flags`` (booleans, or the numbers 0 and 1) with its binomial
    SE.  Anything else (NaN, 0.5, a text, None) is refused, naming its index."""
    f = np.asarray(flags)
    if f.dtype != np.bool_:
        if f.dtype.kind not in "iuf":    # each value as given: [True, "x"] is not ["True", "x"]
            f = np.asarray(flags, dtype=object)
        values = f.ravel()
        if values.dtype.kind in "iuf":
            good = (values == 0) | (values == 1)
        else:
            good = np.array([isinstance(v, (bool, np.bool_)) or (_validate.is_number(v) and v in (0, 1))
                             for v in values.tolist()], dtype=bool)
        if not good.all():
            i = int(np.flatnonzero(~good)[0])
            raise ValueError(f"flags must be true/false or 0/1, got {_validate.shown(values[i])} "
                             f"at index {i}")
        f = values.astype(bool)
    if f.size == 0:
        raise ValueError("flags must not be empty")
    q = float(np.count_nonzero(f)) / f.size
    return Estimate(q, math.sqrt(q * (1.0 - q) / f.size))


def check_return_periods(return_periods, n_years: int) -> list[float]:
    """Return periods as floats: finite, > 1 year and at most ``n_years``."""
    periods = np.atleast_1d(np.asarray(return_periods, dtype=object)).tolist()
    if not periods:
        raise ValueError(f"return_periods must be a non-empty list, got {return_periods!r}")
    out = []
    for t in periods:
        x = _validate.number("return_periods", t, 1.0, lo_open=True)
        if x > n_years:
            raise ValueError(f"return_periods: {x:g} years is longer than the {n_years} simulated "
                             "years; simulate more years")
        out.append(x)
    return out


def default_return_periods(n_years: int) -> list[float]:
    """``DEFAULT_RETURN_PERIODS`` with at least ``MIN_EXCEEDANCES`` expected exceedances in
    ``n_years`` simulated years (T <= n_years / 10)."""
    return [float(t) for t in DEFAULT_RETURN_PERIODS if t * MIN_EXCEEDANCES <= n_years]


def within_reach(p: float, n: int) -> bool:
    """Whether ``n`` simulated years reach level ``p`` for the standard errors of VaR_p and
    TVaR_p: at least ``MIN_EXCEEDANCES`` years expected beyond it, ``n (1 - p) >= 10`` (the rule
    of :func:`default_return_periods`, a return period T being the level ``1 - 1/T``; the slack
    is for p's binary rounding).  Below that the SEs the core gives rest on a handful of years,
    or on none once VaR_p is the largest value (TVaR_p's SE is then 0), and say nothing of the
    precision."""
    return int(n) * (1.0 - check_level(p)) >= MIN_EXCEEDANCES * (1.0 - 1e-9)



def largest_years_share(values, n_years: int, k: int = LARGEST_YEARS) -> float:
    """The share of a loss sample's variance that its ``k`` largest years make:
    ``sum of the k largest (x - mean)^2 / sum of all (x - mean)^2`` over ``n_years`` years of
    which ``values`` are the nonzero ones (every other year 0), in [0, 1]; 0 when every year
    has the same loss (:meth:`Sample.largest_years_share` for a held sample, by selection).
    A large share says the sample's moments, and the standard errors of its mean, standard
    deviation and TVaR, rest on those few years: for a heavy tail the next run's largest years
    are as likely to be far larger, and the stated SEs understate the spread of those figures
    over seeds in a typical run."""
    x = np.asarray(values, dtype=np.float64)
    n = int(n_years)
    if n < 1 or x.ndim != 1 or x.size > n:
        raise ValueError(f"values must be at most n_years={n_years} nonzero amounts, got shape {x.shape}")
    mean = math.fsum(x) / n
    d = x - mean
    zeros = n - x.size
    return _share_of_largest(np.abs(d), zeros, mean, math.fsum(d * d) + zeros * mean * mean, k)


def rests_on_largest_years(share: float) -> bool:
    """Whether a sample whose ``LARGEST_YEARS`` largest years make ``share`` of its variance
    (:func:`largest_years_share`) has standard errors of its mean, standard deviation and TVaR
    (and of figures made of them) that rest on those years: ``share >= HEAVY_SHARE``."""
    return share >= HEAVY_SHARE


def largest_years_note(n: int, shares: Sequence[float], standard_errors: str, lang: str = "en") -> str:
    """What a result says when its runs' largest years make ``shares`` of their variance
    (:func:`rests_on_largest_years`), ``standard_errors`` naming the SEs that rest on them
    ("the standard errors of the expected loss, standard deviation and TVaR"; in Japanese
    "期待損失・標準偏差・TVaR の標準誤差"), in English or Japanese (``lang`` "ja"), the text's
    note and the JSON's warning alike."""
    parts = [f"{s:.0%}" for s in shares]
    k = LARGEST_YEARS
    if lang == "ja":
        return (f"{int(n):,} 年のうち最大の {k} 年が分散の {'・'.join(parts)} を占める。{standard_errors}はその"
                "数年に依存し、通常の実行ではシードを変えたときのばらつきを過小に示す")
    joined = " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]
    return (f"the {k} largest of the {int(n):,} years make {joined} of the variance; {standard_errors} "
            "rest on those years and in a typical run understate the spread over seeds")


def _share_of_largest(deviations: np.ndarray, zeros: int, mean: float, total: float, k: int) -> float:
    """The k largest squared deviations' share of ``total``: among ``deviations`` (|x - mean| of
    the stored years, at least the k largest of them) and ``zeros`` years at 0 (each mean^2)."""
    if not total > 0.0:
        return 0.0
    if deviations.size > k:
        deviations = np.partition(deviations, deviations.size - k)[-k:]
    candidates = np.concatenate([deviations * deviations, np.full(min(k, zeros), mean * mean)])
    return min(math.fsum(np.sort(candidates)[-k:]) / total, 1.0)


def within_reach_se(se: float, p: float, n: int) -> float | None:
    """A VaR_p or TVaR_p standard error as a JSON output gives it: ``se``, or None where ``n``
    simulated years do not reach level ``p`` (:func:`within_reach`; the text's "—"), named by
    :func:`beyond_reach_notes` in the document's warnings."""
    return float(se) if within_reach(p, n) else None


def beyond_reach(n: int, levels: int = 1, lang: str = "en") -> str:
    """Why a VaR or TVaR has no standard error at a level beyond the reach of ``n`` simulated
    years (:func:`within_reach`), as the text's footnote and the JSON's warning both say it;
    in Japanese with ``lang="ja"``."""
    if lang == "ja":
        return (f"水準を超える年の期待数が {MIN_EXCEEDANCES} 年未満（シミュレーション {int(n):,} 年）で、"
                "標準誤差を示せない")
    return (f"fewer than {MIN_EXCEEDANCES} of the {int(n):,} simulated years are expected beyond "
            f"{'the level' if levels == 1 else 'each level'}, too few for a standard error")


def beyond_reach_notes(levels, n: int, of: str = "") -> list[str]:
    """The warning (none or one) of a JSON output whose ``var_se`` and ``tvar_se`` are null at
    the levels ``n`` simulated years do not reach; ``of`` names where they are (e.g. " of gross,
    ceded, net")."""
    beyond = [level_key(p) for p in levels if not within_reach(p, n)]
    if not beyond:
        return []
    return [f"var_se and tvar_se{of} at {', '.join(beyond)}: {beyond_reach(n, len(beyond))}; written as null"]


def ep_table(annual, occurrence_max=None, return_periods: Sequence[float] | np.ndarray | None = None
             ) -> pd.DataFrame:
    """Exceedance-probability table: columns ``return_period``, ``exceedance_probability``,
    ``aep``, ``aep_se`` and, when ``occurrence_max`` (each year's largest single loss) is
    given, ``oep``, ``oep_se``.  Default return periods: :func:`default_return_periods`."""
    return ep_points(annual, occurrence_max, return_periods).to_pandas()


def ep_points(annual, occurrence_max=None, return_periods: Sequence[float] | np.ndarray | None = None
              ) -> Table:
    """:func:`ep_table` as a plain :class:`~cyberloss._table.Table` (no pandas)."""
    a = sample(annual, "annual")
    if return_periods is None:
        periods = default_return_periods(a.n)
        if not periods:
            raise ValueError(f"{a.n} simulated years are too few for an EP curve (need >= "
                             f"{DEFAULT_RETURN_PERIODS[0] * MIN_EXCEEDANCES})")
    else:
        periods = check_return_periods(return_periods, a.n)
    level = 1.0 - 1.0 / min(periods)
    points = {"return_period": periods, "exceedance_probability": [1.0 / p for p in periods]}
    if occurrence_max is None:
        t = a.core(level).tail([1.0 - 1.0 / p for p in periods])
        return Table({**points, "aep": np.asarray(t["var"]), "aep_se": np.asarray(t["var_se"])})
    o = sample(occurrence_max, "occurrence_max")
    table = _core.stats.ep_table(a.core(level), o.core(level), periods)
    return Table({**points, **{k: np.asarray(table[k]) for k in ("aep", "aep_se", "oep", "oep_se")}})
