"""Reinsurance of a portfolio: per-risk XL, per-event XL, quota share, aggregate stop loss.

The contracts inure to one another in a fixed order, each applied to what the previous ones
leave (all money JPY; "gross" = the insurer's insured losses after the policies' own terms):

1. ``PerRiskXL(retention, limit, reinstatements, premium)``: on each policy's loss from each
   incident, ``min((X - retention)^+, limit)``.
2. ``PerEventXL(...)``: on each *systemic event*, defined as all insured losses of one attack
   type in one simulated year across the portfolio (net of the per-risk XL).  The systemic
   shock of the model is yearly, so the year's aggregate of one attack type is the event an
   event clause would group (one VPN flaw, one Emotet wave); a portfolio with several types
   has up to n_types events a year, taken in the calibration's attack-type order.
3. ``QuotaShare(share)``: cedes ``share`` of the year's remaining loss.
4. ``StopLoss(retention, limit)``: on the year's remaining (annual) loss,
   ``min((S - retention)^+, limit)``.

Excess-of-loss layers have an annual capacity of ``limit * (1 + reinstatements)``
(``reinstatements=None``: unlimited); within a year, recoveries consume it in event order.
The reinstatement premium is paid pro rata to the amount reinstated (not to time):
``premium * reinstatement_rate * min(ceded, reinstatements * limit) / limit`` per year, where
``premium`` is the layer's up-front premium.  It is reported beside the YLT and is not part of
ceded or net loss, so ``ceded + net = gross`` for every year.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from . import _core, _input, _validate

_AMOUNT = {"lo": 0.0, "cap": _validate.MAX_AMOUNT}
_LIMIT = {"lo": 0.0, "lo_open": True, "allow_inf": True}
_RATE = {"lo": 0.0, "hi": 100.0}   # reinstatement premium rate: 1.0 = 100% (sanity bound 100x)
# per contract: the checks of its numeric fields (reinstatements: a whole number or None)
_RULES: dict[str, dict[str, dict]] = {
    "_XL": {"retention": _AMOUNT, "limit": _LIMIT, "premium": _AMOUNT, "reinstatement_rate": _RATE},
    "QuotaShare": {"share": {"lo": 0.0, "hi": 1.0}},
    "StopLoss": {"retention": _AMOUNT, "limit": _LIMIT},
}


def _check(obj, prefix: str) -> None:
    """Validate and normalise ``obj``'s numeric fields in place; errors say ``prefix + field``."""
    rules = _RULES["_XL" if isinstance(obj, _XL) else type(obj).__name__]
    for name, rule in rules.items():
        object.__setattr__(obj, name, _validate.number(prefix + name, getattr(obj, name), **rule))
    if isinstance(obj, _XL) and obj.reinstatements is not None:
        object.__setattr__(obj, "reinstatements", int(_validate.number(
            prefix + "reinstatements", obj.reinstatements, 0, _validate.MAX_REINSTATEMENTS,
            integer=True)))


@dataclass(frozen=True)
class _XL:
    retention: float
    limit: float
    reinstatements: int | None = None
    premium: float = 0.0
    reinstatement_rate: float = 1.0

    def __post_init__(self):
        _check(self, f"{type(self).__name__} ")

    @property
    def annual_capacity(self) -> float:
        return math.inf if self.reinstatements is None else self.limit * (1 + self.reinstatements)

    def _layer(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(np.maximum(x - self.retention, 0.0), self.limit)

    def _annual(self, by_event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Recoveries per (year, type) within the annual capacity, consumed in type order
        (``pay = min(x, max(capacity - used, 0))``, ``used += pay``: the arithmetic of the C++
        ``AnnualCapacity``), and the year's total = min(sum of layer losses, capacity)."""
        cap = self.annual_capacity
        used = np.zeros(by_event.shape[0])
        out = np.empty_like(by_event)
        for t in range(by_event.shape[1]):
            out[:, t] = np.minimum(by_event[:, t], np.maximum(cap - used, 0.0))
            used = used + out[:, t]
        total = np.minimum(by_event.sum(axis=1), cap)
        return out, total

    def reinstatement_premium(self, ceded_year: np.ndarray) -> np.ndarray:
        if self.premium == 0.0 or not math.isfinite(self.limit):
            return np.zeros_like(ceded_year)
        reinstatable = math.inf if self.reinstatements is None else self.reinstatements * self.limit
        return self.premium * self.reinstatement_rate * np.minimum(ceded_year, reinstatable) / self.limit


class PerRiskXL(_XL):
    """Per-risk excess of loss on each policy's loss per incident."""


class PerEventXL(_XL):
    """Per-event excess of loss on each systemic event (one attack type, one year, whole book)."""


@dataclass(frozen=True)
class QuotaShare:
    share: float

    def __post_init__(self):
        _check(self, "QuotaShare ")


@dataclass(frozen=True)
class StopLoss:
    retention: float
    limit: float = math.inf

    def __post_init__(self):
        _check(self, "StopLoss ")


_KINDS = {"per_risk": PerRiskXL, "per_event": PerEventXL, "quota_share": QuotaShare, "stop_loss": StopLoss}


@dataclass(frozen=True)
class Programme:
    """A reinsurance programme; every contract is optional (none: ceded = 0)."""

    per_risk: PerRiskXL | None = None
    per_event: PerEventXL | None = None
    quota_share: QuotaShare | None = None
    stop_loss: StopLoss | None = None

    def __post_init__(self):
        for name, cls in _KINDS.items():
            v = getattr(self, name)
            if v is not None and not isinstance(v, cls):
                raise ValueError(f"Programme {name} must be a {cls.__name__} or None, got {v!r}")

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> "Programme":
        """From a mapping like the TOML file: tables ``per_risk``, ``per_event`` (retention,
        limit, reinstatements, premium, reinstatement_rate), ``quota_share`` (share),
        ``stop_loss`` (retention, limit).  Unknown tables or keys are refused by name."""
        doc = _validate.table("reinsurance", doc)
        unknown = [k for k in doc if k not in _KINDS]
        if unknown:
            raise ValueError(f"reinsurance: unknown contract {unknown[0]!r}; known: {', '.join(_KINDS)}")
        kwargs = {}
        for name, spec in doc.items():
            where = f"reinsurance.{name}"
            spec = _validate.table(where, spec)
            kind = _KINDS[name]
            fields = [f.name for f in dataclasses.fields(kind)]
            for key in spec:
                if key not in fields:
                    raise ValueError(f"{where}: unknown field {key!r}; known: {', '.join(fields)}")
            required = [f.name for f in dataclasses.fields(kind)
                        if f.default is dataclasses.MISSING and f.name not in spec]
            if required:
                raise ValueError(f"{where}: field {required[0]!r} is required")
            contract = object.__new__(kind)
            for f in dataclasses.fields(kind):
                object.__setattr__(contract, f.name, spec.get(f.name, f.default))
            _check(contract, f"{where}.")
            kwargs[name] = contract
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, path: str | Path) -> "Programme":
        doc = _input.read_toml(path, "reinsurance file")
        if "reinsurance" in doc:
            others = [k for k in doc if k != "reinsurance"]
            if others:
                raise ValueError(f"reinsurance file {path}: unknown table {others[0]!r} beside "
                                 "[reinsurance]; put the contracts under [reinsurance]")
            doc = doc["reinsurance"]
        return cls.from_dict(doc)

    def to_dict(self) -> dict:
        return {k: asdict(v) for k in _KINDS if (v := getattr(self, k)) is not None}

    def to_core(self) -> "_core.ReinsuranceProgramme":
        """The compiled programme (same contracts, same conventions)."""
        def xl(c: _XL | None, name: str):
            if c is None:
                return None
            return _core.ExcessOfLoss(c.retention, c.limit, c.reinstatements, c.premium,
                                      c.reinstatement_rate, name)

        return _core.ReinsuranceProgramme(
            xl(self.per_risk, "PerRiskXL"), xl(self.per_event, "PerEventXL"),
            None if self.quota_share is None else _core.QuotaShare(self.quota_share.share),
            None if self.stop_loss is None else _core.stop_loss(self.stop_loss.retention, self.stop_loss.limit))

    def is_empty(self) -> bool:
        return all(getattr(self, k) is None for k in _KINDS)

    def apply(self, year_index: np.ndarray, type_index: np.ndarray, insured: np.ndarray,
              n_years: int, n_types: int) -> dict[str, np.ndarray]:
        """Year-loss table columns for one block of years.

        ``insured`` is each incident's loss to the portfolio (after the policies' terms),
        ``year_index`` its year within the block (0..n_years-1), ``type_index`` its attack type.
        """
        cell = year_index * n_types + type_index
        size = n_years * n_types
        gross_cells = np.bincount(cell, weights=insured, minlength=size).reshape(n_years, n_types)
        zeros = np.zeros(n_years)
        out = {"gross": gross_cells.sum(axis=1)}
        net_cells = gross_cells
        out["ceded_per_risk"] = zeros
        rip = np.zeros(n_years)
        if self.per_risk is not None:
            layered = np.bincount(cell, weights=self.per_risk._layer(insured),
                                  minlength=size).reshape(n_years, n_types)
            by_cell, total = self.per_risk._annual(layered)
            net_cells = gross_cells - by_cell
            out["ceded_per_risk"] = by_cell.sum(axis=1)
            rip = rip + self.per_risk.reinstatement_premium(out["ceded_per_risk"])
        remaining = net_cells.sum(axis=1)
        out["ceded_per_event"] = zeros
        if self.per_event is not None:
            _, total = self.per_event._annual(self.per_event._layer(net_cells))
            out["ceded_per_event"] = total
            remaining = remaining - total
            rip = rip + self.per_event.reinstatement_premium(total)
        out["ceded_quota_share"] = zeros
        if self.quota_share is not None:
            out["ceded_quota_share"] = self.quota_share.share * remaining
            remaining = remaining - out["ceded_quota_share"]
        out["ceded_stop_loss"] = zeros
        if self.stop_loss is not None:
            sl = self.stop_loss
            out["ceded_stop_loss"] = np.minimum(np.maximum(remaining - sl.retention, 0.0), sl.limit)
        out["ceded"] = (out["ceded_per_risk"] + out["ceded_per_event"] + out["ceded_quota_share"]
                        + out["ceded_stop_loss"])
        out["net"] = out["gross"] - out["ceded"]
        out["reinstatement_premium"] = rip
        return out
