"""Premium principles on simulated annual losses, with loads and a breakdown by section.

Every principle here is a weighted mean of the simulated annual losses ``x_1..x_n``,
``P(X) = sum_i w_i x_i``, with weights that depend on the total loss.  Applying the same
weights to a section's annual losses gives that section's share; the shares add up to the
total exactly (the Euler / co-measure allocation).

=======================  ===============================================  ======================
principle                formula                                          weights ``w_i``
=======================  ===============================================  ======================
expected value           ``(1 + theta) E[X]``                             ``(1 + theta) / n``
standard deviation       ``E[X] + k sd(X)`` (sd with ``n - 1``)           ``1/n + k (x_i - mean)
                                                                          / ((n - 1) sd)``
TVaR cost of capital     ``E[X] + r (TVaR_p(X) - E[X])``: the capital     ``(1 - r)/n + r t_i``,
                         is TVaR above the mean, charged at rate ``r``    ``t`` the TVaR weights
Wang transform           ``int_0^inf g(S(x)) dx``, ``g(u) =               ``g((n-i+1)/n) -
                         Phi(Phi^-1(u) + lambda)``                        g((n-i)/n)`` by rank
=======================  ===============================================  ======================

TVaR follows :mod:`cyberloss.stats` (``VaR_p`` is the ``m = ceil(n p)``-th order statistic;
``TVaR_p = VaR_p + E[(X - VaR_p)^+]/(1 - p)``), which as weights on the sorted losses is
``1/(n(1-p))`` above rank ``m`` and ``(m - n p)/(n(1-p))`` at rank ``m``.  Tied totals are
ranked in simulation order (stable sort).

The technical premium adds loads: ``(risk premium + fixed_expense) / (1 - expense_ratio -
profit_ratio)``.  Standard errors of premiums: exact for the expected-value principle, delta
method for the standard-deviation principle, the influence function for TVaR cost of capital,
and batch means over 20 contiguous blocks of years for Wang.  For heavy tails all of them
tend to understate the spread (the tail that drives it is rarely sampled).
"""
from __future__ import annotations

import dataclasses
import functools
import math
from statistics import NormalDist
from typing import Union

import numpy as np
import pandas as pd

from . import _validate, measures
from .measures import Estimate

_BATCHES = 20
_MIN_YEARS = 100


def _wsum(w: np.ndarray, x: np.ndarray) -> float:
    """sum(w * x) by NumPy's pairwise summation: unlike a BLAS dot product, its result does
    not depend on the number of BLAS threads."""
    return float(np.sum(w * x))


def _loss_array(x) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"losses must be a 1-d array of at least 2 years, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("losses must be finite")
    return x


@dataclasses.dataclass(frozen=True)
class ExpectedValue:
    """``P = (1 + loading) E[X]``."""

    loading: float = 0.3

    def __post_init__(self) -> None:
        object.__setattr__(self, "loading", _validate.number("loading", self.loading, 0.0))

    name = "expected_value"

    def label(self) -> str:
        return f"expected value (loading {self.loading:.0%})"

    def weights(self, x: np.ndarray) -> np.ndarray:
        return np.full(x.size, (1.0 + self.loading) / x.size)

    def standard_error(self, x: np.ndarray) -> float:
        return (1.0 + self.loading) * float(np.std(x, ddof=1)) / math.sqrt(x.size)


@dataclasses.dataclass(frozen=True)
class StandardDeviation:
    """``P = E[X] + k sd(X)``, ``sd`` with divisor ``n - 1``."""

    k: float = 0.2

    def __post_init__(self) -> None:
        object.__setattr__(self, "k", _validate.number("k", self.k, 0.0))

    name = "standard_deviation"

    def label(self) -> str:
        return f"standard deviation (k = {self.k:g})"

    def weights(self, x: np.ndarray) -> np.ndarray:
        n = x.size
        sd = float(np.std(x, ddof=1))
        w = np.full(n, 1.0 / n)
        if sd > 0:
            w += self.k * (x - x.mean()) / ((n - 1) * sd)
        return w

    def standard_error(self, x: np.ndarray) -> float:
        """Delta method: Var(m + k s) = (s^2 + k mu3 / s + k^2 (mu4 - s^4) / (4 s^2)) / n."""
        s = float(np.std(x, ddof=1))
        if s == 0.0:
            return 0.0
        c = x - x.mean()
        mu3, mu4 = float(np.mean(c**3)), float(np.mean(c**4))
        var = s * s + self.k * mu3 / s + self.k**2 * (mu4 - s**4) / (4.0 * s * s)
        return math.sqrt(max(var, 0.0) / x.size)


@dataclasses.dataclass(frozen=True)
class TVaRCostOfCapital:
    """``P = E[X] + rate (TVaR_level(X) - E[X])``: cost of capital on TVaR capital."""

    level: float = 0.99
    rate: float = 0.10

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", measures.check_level(self.level, "level"))
        object.__setattr__(self, "rate", _validate.number("rate", self.rate, 0.0, 1.0, hi_open=True))

    name = "tvar_cost_of_capital"

    def label(self) -> str:
        return f"TVaR {measures.level_label(self.level)} cost of capital ({self.rate:.0%})"

    def weights(self, x: np.ndarray) -> np.ndarray:
        return (1.0 - self.rate) / x.size + self.rate * tvar_weights(x, self.level)

    def standard_error(self, x: np.ndarray) -> float:
        """Influence function ``(1 - r)(x - mean) + r (VaR + (x - VaR)^+ / (1 - p) - TVaR)``."""
        row = measures.tail(x, [self.level]).iloc[0]
        influence = ((1.0 - self.rate) * (x - x.mean())
                     + self.rate * np.maximum(x - row["var"], 0.0) / (1.0 - self.level))
        return float(np.std(influence, ddof=1)) / math.sqrt(x.size)


@dataclasses.dataclass(frozen=True)
class WangTransform:
    """``P = int g(S(x)) dx`` with ``g(u) = Phi(Phi^-1(u) + lam)`` (Wang 2000)."""

    lam: float = 0.25

    def __post_init__(self) -> None:
        object.__setattr__(self, "lam", _validate.number("lam", self.lam, 0.0))

    name = "wang"

    def label(self) -> str:
        return f"Wang transform (lambda = {self.lam:g})"

    def standard_error(self, x: np.ndarray) -> float:
        """Batch means over 20 contiguous blocks of years (no simple closed form)."""
        return _batch_se(x, self)

    def weights(self, x: np.ndarray) -> np.ndarray:
        order = np.argsort(x, kind="stable")
        # Years without loss add nothing whatever their weight, so when losses are >= 0 the
        # distortion is evaluated only above them (most simulated years of one organisation
        # are loss-free) and the zeros share the remaining mass equally.
        zeros = int(np.count_nonzero(x == 0.0)) if x.size and x[order[0]] >= 0.0 else 0
        w = np.empty(x.size)
        w[order] = _wang_rank_weights(x.size, zeros, float(self.lam))
        return w


Principle = Union[ExpectedValue, StandardDeviation, TVaRCostOfCapital, WangTransform]
PRINCIPLES = {cls.name: cls for cls in (ExpectedValue, StandardDeviation, TVaRCostOfCapital,
                                         WangTransform)}


def principle_from(spec, where: str = "principle") -> Principle:
    """A principle from an instance, a name (default parameters) or a dict ``{"name": ...}``;
    errors name ``where`` (e.g. ``quote.principles[1].k``)."""
    if isinstance(spec, tuple(PRINCIPLES.values())):
        return spec
    if isinstance(spec, str):
        if spec not in PRINCIPLES:
            raise ValueError(f"{where} must be one of {', '.join(PRINCIPLES)}, got {spec!r}")
        return PRINCIPLES[spec]()
    if isinstance(spec, dict):
        params = dict(spec)
        if "name" not in params:
            raise ValueError(f"{where}: field 'name' is required (one of {', '.join(PRINCIPLES)}), "
                             f"got {_validate.shown(spec)}")
        name = params.pop("name")
        if not isinstance(name, str) or name not in PRINCIPLES:
            raise ValueError(f"{where}.name must be one of {', '.join(PRINCIPLES)}, "
                             f"got {_validate.shown(name)}")
        cls = PRINCIPLES[name]
        fields = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in params if k not in fields]
        if unknown:
            raise ValueError(f"{where}: unknown parameter {unknown[0]!r} of principle {name}; "
                             f"known: {', '.join(fields)}")
        with _validate.located(where, fields):
            return cls(**params)
    raise ValueError(f"{where} must be a name, a table or a principle object, got {_validate.shown(spec)}")


@functools.lru_cache(maxsize=32)
def _wang_rank_weights(n: int, zeros: int, lam: float) -> np.ndarray:
    """Wang weights by rank (ascending); the lowest ``zeros`` ranks share their mass equally."""
    nd = NormalDist()

    def g(u: float) -> float:
        if u <= 0.0:
            return 0.0
        if u >= 1.0:
            return 1.0
        return nd.cdf(nd.inv_cdf(u) + lam)

    # g(S) just after rank i, for i = zeros .. n
    survival = np.array([g((n - i) / n) for i in range(zeros, n + 1)])
    weights = np.empty(n)
    weights[zeros:] = survival[:-1] - survival[1:]
    if zeros:
        weights[:zeros] = (1.0 - survival[0]) / zeros
    weights.flags.writeable = False
    return weights


def tvar_weights(x: np.ndarray, level: float) -> np.ndarray:
    """Weights ``t`` with ``sum(t * x) == stats.tvar(x, level)`` (ties ranked stably)."""
    n = x.size
    m = max(math.ceil(n * level), 1)
    order = np.argsort(x, kind="stable")
    t = np.zeros(n)
    t[order[m:]] = 1.0 / (n * (1.0 - level))
    t[order[m - 1]] = (m - n * level) / (n * (1.0 - level))
    return t


@dataclasses.dataclass(frozen=True)
class Loads:
    """Expense and profit loads: ``(risk premium + fixed_expense) / (1 - expense_ratio - profit_ratio)``.

    Defaults are assumptions (typical Japanese non-life expense ratio ~30%, 5% profit),
    to be replaced by the insurer's own figures.
    """

    expense_ratio: float = 0.30
    profit_ratio: float = 0.05
    fixed_expense: float = 0.0

    def __post_init__(self) -> None:
        for name in ("expense_ratio", "profit_ratio"):
            object.__setattr__(self, name, _validate.number(name, getattr(self, name), 0.0, 1.0,
                                                            hi_open=True))
        if self.expense_ratio + self.profit_ratio >= 1.0:
            raise ValueError(f"expense_ratio + profit_ratio must be < 1, got "
                             f"{self.expense_ratio + self.profit_ratio!r}")
        object.__setattr__(self, "fixed_expense", _validate.number("fixed_expense", self.fixed_expense, 0.0))

    @classmethod
    def from_dict(cls, data, where: str = "loads") -> "Loads":
        """From a table such as ``[quote.loads]``; unknown fields are refused by name."""
        data = _validate.table(where, data)
        fields = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in data if k not in fields]
        if unknown:
            raise ValueError(f"{where}: unknown field {unknown[0]!r}; known: {', '.join(fields)}")
        with _validate.located(where, fields):
            return cls(**data)

    @classmethod
    def none(cls) -> "Loads":
        return cls(0.0, 0.0, 0.0)

    def gross_up(self, risk_premium: float) -> float:
        return (risk_premium + self.fixed_expense) / (1.0 - self.expense_ratio - self.profit_ratio)


def risk_premium(x, principle) -> float:
    """The principle's premium (before loads) for annual losses ``x``."""
    x = _loss_array(x)
    return float(_wsum(principle_from(principle).weights(x), x))


def _batch_se(x: np.ndarray, principle: Principle) -> float:
    blocks = np.array_split(x, _BATCHES)
    values = np.array([_wsum(principle.weights(b), b) for b in blocks])
    return float(np.std(values, ddof=1) / math.sqrt(_BATCHES))


@dataclasses.dataclass(frozen=True)
class Premium:
    """A premium under one principle: expected loss, risk premium, technical premium (JPY)."""

    principle: str
    label: str
    expected_loss: Estimate
    risk_premium: Estimate
    technical_premium: Estimate
    loads: Loads
    by_section: pd.DataFrame

    def describe(self) -> pd.DataFrame:
        return self.by_section

    def _repr_html_(self) -> str:
        from .terms import format_amount as format_yen

        return (f"<p>{self.label}: technical premium {format_yen(self.technical_premium.value)} "
                f"(SE {format_yen(self.technical_premium.se)}), expected loss "
                f"{format_yen(self.expected_loss.value)}</p>" + self.by_section.map(format_yen).to_html())


def premium(res, principle="expected_value", loads: Loads | None = None,
            view: str = "insured", by_section: bool = True) -> Premium:
    """Premium for an :class:`~cyberloss.terms.InsuredResult` (insured view by default).

    ``by_section`` splits expected loss, risk premium and technical premium over the
    policy sections with the principle's weights (fixed expense pro rata to risk premium);
    ``by_section=False`` leaves only the total row.
    """
    principle = principle_from(principle)
    loads = Loads() if loads is None else loads
    if not isinstance(loads, Loads):
        raise ValueError(f"loads must be pricing.Loads, got {type(loads).__name__}")
    x = _loss_array(res.annual(view))
    if x.size < _MIN_YEARS:
        raise ValueError(f"premium needs at least {_MIN_YEARS} simulated years, got {x.size}")
    w = principle.weights(x)
    total = float(_wsum(w, x))
    factor = 1.0 / (1.0 - loads.expense_ratio - loads.profit_ratio)
    rows = []
    from .terms import SECTIONS

    for section in (SECTIONS + ("uninsured",)) if by_section else ():
        xs = res.annual(view, section)
        rp = float(_wsum(w, xs))
        fixed = loads.fixed_expense * (rp / total if total > 0 else 1.0 / (len(SECTIONS) + 1))
        rows.append((section, float(xs.mean()), rp, (rp + fixed) * factor))
    by_section = pd.DataFrame(rows, columns=["section", "expected_loss", "risk_premium",
                                             "technical_premium"]).set_index("section")
    se = principle.standard_error(x)
    expected = measures.mean(x)
    by_section.loc["total"] = (expected.value, total, loads.gross_up(total))
    return Premium(principle=principle.name, label=principle.label(),
                   expected_loss=expected,
                   risk_premium=Estimate(total, se),
                   technical_premium=Estimate(loads.gross_up(total), se * factor),
                   loads=loads, by_section=by_section)


DEFAULT_PRINCIPLES = (ExpectedValue(), StandardDeviation(), TVaRCostOfCapital(), WangTransform())


def quote_table(res, principles=DEFAULT_PRINCIPLES, loads: Loads | None = None,
                view: str = "insured") -> pd.DataFrame:
    """One row per principle: expected loss, risk and technical premium with SEs (JPY)."""
    rows = []
    for spec in principles:
        p = premium(res, spec, loads, view)
        rows.append({"principle": p.principle, "label": p.label,
                     "expected_loss": p.expected_loss.value, "expected_loss_se": p.expected_loss.se,
                     "risk_premium": p.risk_premium.value, "risk_premium_se": p.risk_premium.se,
                     "technical_premium": p.technical_premium.value,
                     "technical_premium_se": p.technical_premium.se})
    return pd.DataFrame(rows).set_index("principle")


def choose_retention(*args, **kwargs):
    """See :func:`cyberloss.decision.choose_retention` (imported lazily: decision uses pricing)."""
    from .decision import choose_retention as _choose

    return _choose(*args, **kwargs)


__all__ = ["ExpectedValue", "StandardDeviation", "TVaRCostOfCapital", "WangTransform", "Loads",
           "Premium", "premium", "quote_table", "risk_premium", "principle_from", "tvar_weights",
           "choose_retention", "DEFAULT_PRINCIPLES"]
