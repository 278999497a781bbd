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
ceded or net loss.

Each year ``ceded = ceded_per_risk + ceded_per_event + ceded_quota_share + ceded_stop_loss``
(added in that order) and ``net = gross - ceded``: one floating-point subtraction, so this
identity holds exactly for the stored numbers.  ``ceded + net`` added again equals ``gross``
to rounding only: it can differ in the last bit (at most one unit in the last place of gross;
in about 1% of the years of ``examples/reinsurance.toml`` on a synthetic book).

The contracts are data here; their arithmetic is the C++ core's
(``include/cyberloss/reinsurance.hpp``, on the ``Layer`` / ``AnnualCapacity`` kernel of
``layer.hpp``), run inside the portfolio block.  Fields: ``config.documents.REINSURANCE``.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import _core, _validate, config
from ..config import documents

_KINDS_TABLE = {"_XL": "per_risk", "QuotaShare": "quota_share", "StopLoss": "stop_loss"}


def _check(obj: Any, prefix: str) -> None:
    """Validate and normalise ``obj``'s fields in place; errors say ``prefix + field``."""
    table = documents.REINSURANCE.node(_KINDS_TABLE["_XL" if isinstance(obj, _XL) else type(obj).__name__])
    assert isinstance(table, config.Table)
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is None and f.name == "reinstatements":
            continue
        object.__setattr__(obj, f.name, table.field(f.name).parse(value, prefix + f.name))


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


def _nulls_read(doc: Any) -> Any:
    """``doc`` with each contract's null (None) read as unlimited where the field can be: a
    limit (``allow_inf``) as inf, ``reinstatements`` (default None: unlimited) as left out.
    Strict JSON writes these unlimited values as null (``_json``), so ``to_dict()`` read back
    from JSON text needs this; any other null is left for the schema to refuse."""
    if not isinstance(doc, Mapping):
        return doc
    out = dict(doc)
    for name, spec in doc.items():
        if name not in _KINDS or not isinstance(spec, Mapping):
            continue
        table = documents.REINSURANCE.node(name)
        assert isinstance(table, config.Table)
        fields = {f.key: f for f in table.fields if isinstance(f, config.Field)}
        read = {}
        for key, value in spec.items():
            field = fields.get(key)
            if value is None and field is not None and field.allow_inf:
                read[key] = math.inf
            elif not (value is None and field is not None and field.default is None):
                read[key] = value
        out[name] = read
    return out


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
        ``stop_loss`` (retention, limit).  Unknown tables or keys are refused by name.  A null
        (None) limit is unlimited and null reinstatements are unlimited, as strict JSON writes
        them, so that :meth:`to_dict` read back from JSON (the ``reinsurance`` of ``cyberloss
        portfolio --json``) is the same programme; a null anywhere else is refused."""
        given = config.check_table(_nulls_read(doc), documents.REINSURANCE, "reinsurance")
        kwargs = {}
        for name, spec in given.items():
            kind = _KINDS[name]
            contract: Any = object.__new__(kind)
            for f in dataclasses.fields(kind):
                object.__setattr__(contract, f.name, spec.get(f.name, f.default))
            _check(contract, f"reinsurance.{name}.")
            kwargs[name] = contract
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, path: str | Path) -> "Programme":
        """Read a programme from TOML (tables ``[per_risk]``, ``[per_event]``, ``[quota_share]``,
        ``[stop_loss]``, optionally under ``[reinsurance]``)."""
        doc = config.read_toml(path, "reinsurance file")
        if "reinsurance" in doc:
            others = [k for k in doc if k != "reinsurance"]
            if others:
                raise ValueError(f"reinsurance file {path}: unknown table {others[0]!r} beside "
                                 "[reinsurance]; put the contracts under [reinsurance]")
            doc = doc["reinsurance"]
        with _validate.located(f"reinsurance file {path}"):
            return cls.from_dict(doc)

    def to_dict(self) -> dict:
        """The contracts given, as plain dicts by kind (amounts in JPY)."""
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
        """True when no contract is given (the net loss is the gross loss)."""
        return all(getattr(self, k) is None for k in _KINDS)
