"""A Japanese cyber policy's terms, applied to a simulated event table.

Sections and the event-table components each one pays (see docs/MODEL_NOTES.md,
"Insurance terms and pricing"):

=========================  ========  ==========================================================
section                    policy    components of the event table
=========================  ========  ==========================================================
``response``               費用損害   investigation, recovery, legal, notification, callcenter,
                                     condolence; prevention (再発防止費用) only if
                                     ``cover_prevention``
``liability``              賠償責任   liability
``business_interruption``  利益損害   lost_profit, for the downtime days after the waiting
                                     period and within the indemnity period
(never insured)                      internal_effort; prevention unless covered
=========================  ========  ==========================================================

For each incident, in this order:

1. each component is capped by its per-occurrence sublimit, if any;
2. lost profit accrues evenly over the downtime: ``lost_profit / downtime_days`` per day,
   paid for ``max(0, min(downtime, indemnity period) - waiting period)`` days (the
   indemnity period runs from the start of the interruption; a zero-downtime incident has
   its lost profit paid only when there is no waiting period);
3. one per-occurrence deductible (免責金額) applies to the sum over covered sections and is
   shared among them in proportion to their covered loss;
4. coinsurance (縮小てん補割合) of each section multiplies what is left;
5. each section's limit caps its payment per occurrence;
6. the annual aggregate limit (総支払限度額) caps the sum over sections and incidents in a
   policy year; incidents are paid in the order they occur (year, attack type, k), and a
   partly paid incident is shared among its sections pro rata.

Retained = gross - insured, where gross is the sum of every component including
internal effort.  Amounts are JPY.  In a TOML or dict, amounts may be numbers (JPY) or
strings such as ``"500万円"``, ``"1.5億円"`` or ``"3,000,000円"``.
"""
from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import _input, _validate, measures
from .measures import Estimate

COMPONENTS = ("investigation", "recovery", "legal", "notification", "callcenter", "condolence",
              "liability", "prevention", "lost_profit", "internal_effort")
RESPONSE_COMPONENTS = ("investigation", "recovery", "legal", "notification", "callcenter",
                       "condolence")
SECTIONS = ("response", "liability", "business_interruption")
SECTION_LABELS = {"response": "費用損害 incident response",
                  "liability": "賠償責任 liability",
                  "business_interruption": "利益損害 business interruption",
                  "uninsured": "保険対象外 not insurable"}
VIEWS = ("gross", "insured", "retained")
# the other tables of a profile file, whose [terms] a terms file may be
_PROFILE_TABLES = ("organisation", "quote", "overrides", "simulation", "variants", "scenario")

_YEN_UNITS = {"円": 1.0, "万円": 1e4, "億円": 1e8}
_YEN_RE = re.compile(r"^\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(円|万円|億円)?\s*$")


def parse_yen(value: Any, field: str) -> float:
    """An amount in JPY from a number or a string like ``"500万円"`` (inf: unlimited; callers
    check the range)."""
    if isinstance(value, str):
        match = _YEN_RE.match(value)
        if not match:
            raise ValueError(f"{field} must be an amount such as 5000000, '500万円' or '1.5億円', "
                             f"got {_validate.shown(value)}")
        number = float(match.group(1).replace(",", "")) * _YEN_UNITS[match.group(2) or "円"]
        if not math.isfinite(number):
            raise ValueError(f"{field} must be a finite amount, got {_validate.shown(value)}")
        return number
    if not _validate.is_number(value):
        raise ValueError(f"{field} must be an amount in JPY (a number or a text such as "
                         f"'500万円'), got {_validate.shown(value)}")
    return _validate.number(field, value, allow_inf=True)


def format_amount(x: float) -> str:
    """``cyberloss.format_yen`` with one decimal of 万円 below 100万円 (small premiums)."""
    from . import format_yen

    x = float(x)
    if math.isfinite(x) and 0 < abs(x) < 1e6:
        return f"{x / 1e4:,.1f}万円"
    return format_yen(x)


def section_components(section: str, cover_prevention: bool) -> tuple[str, ...]:
    """Event-table components paid by ``section``."""
    if section == "response":
        return RESPONSE_COMPONENTS + (("prevention",) if cover_prevention else ())
    if section == "liability":
        return ("liability",)
    if section == "business_interruption":
        return ("lost_profit",)
    raise ValueError(f"section must be one of {', '.join(SECTIONS)}, got {section!r}")


def _positive(value: float, field: str, allow_inf: bool = True) -> float:
    return _validate.number(field, value, 0.0, lo_open=True, allow_inf=allow_inf)


def _non_negative(value: float, field: str) -> float:
    return _validate.number(field, value, 0.0)


def _check_keys(data: Mapping, allowed: tuple[str, ...], where: str) -> None:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where} must be a table of fields, got {_validate.shown(data)}")
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise ValueError(f"{where}: unknown field {unknown[0]!r}; known fields: {', '.join(allowed)}")


@dataclasses.dataclass(frozen=True)
class SectionTerms:
    """Terms of one policy section (amounts in JPY, per occurrence).

    ``limit``: the section's per-occurrence limit (支払限度額), > 0, ``inf`` for none.
    ``coinsurance``: share of the loss after deductible that the policy pays, in (0, 1].
    ``sublimits``: per-occurrence caps on single components, e.g. ``{"investigation": 5e6}``
    for forensics or ``{"condolence": 1e6}`` for condolence gifts (お見舞い金).
    ``waiting_period_days`` / ``indemnity_period_days``: business interruption only.
    ``covered``: False switches the section off (its losses are retained).
    """

    limit: float = math.inf
    coinsurance: float = 1.0
    sublimits: Mapping[str, float] = dataclasses.field(default_factory=dict)
    waiting_period_days: float = 0.0
    indemnity_period_days: float = math.inf
    covered: bool = True

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "limit", _positive(parse_yen(self.limit, "limit"), "limit"))
        set_(self, "coinsurance", _validate.number("coinsurance", self.coinsurance, 0.0, 1.0, lo_open=True))
        if not isinstance(self.sublimits, Mapping):
            raise ValueError(f"sublimits must be a table of component = amount, got "
                             f"{_validate.shown(self.sublimits)}")
        subs = {}
        for name, amount in self.sublimits.items():
            if name not in COMPONENTS:
                raise ValueError(f"sublimits: unknown component {name!r}; known: {', '.join(COMPONENTS)}")
            subs[name] = _positive(parse_yen(amount, f"sublimits.{name}"), f"sublimits.{name}")
        set_(self, "sublimits", MappingProxyType(subs))
        set_(self, "waiting_period_days",
             _non_negative(self.waiting_period_days, "waiting_period_days"))
        set_(self, "indemnity_period_days",
             _positive(self.indemnity_period_days, "indemnity_period_days"))
        _validate.flag("covered", self.covered)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "section terms") -> "SectionTerms":
        fields = tuple(f.name for f in dataclasses.fields(cls))
        _check_keys(data, fields, where)
        with _validate.located(where, fields):
            return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["sublimits"] = dict(self.sublimits)
        return out


@dataclasses.dataclass(frozen=True)
class CoverageTerms:
    """A cyber policy: covered sections, per-occurrence deductible, annual aggregate limit.

    Sections absent from ``sections`` (or with ``covered=False``) are not covered.
    ``deductible``: per occurrence, across sections, JPY >= 0.
    ``aggregate_limit``: annual aggregate over all sections, JPY > 0 (``inf`` for none).
    ``cover_prevention``: whether recurrence-prevention costs (再発防止費用) are paid under
    the response section (usually not; default False).
    """

    sections: Mapping[str, SectionTerms]
    deductible: float = 0.0
    aggregate_limit: float = math.inf
    cover_prevention: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.sections, Mapping):
            raise ValueError(f"sections must be a table of section name = terms, got "
                             f"{_validate.shown(self.sections)}")
        sections = {}
        for name, section in self.sections.items():
            if name not in SECTIONS:
                raise ValueError(f"sections: unknown section {name!r}; known: {', '.join(SECTIONS)}")
            if isinstance(section, Mapping):
                section = SectionTerms.from_dict(section, f"sections.{name}")
            if not isinstance(section, SectionTerms):
                raise ValueError(f"sections.{name} must be SectionTerms or a table, got "
                                 f"{_validate.shown(section)}")
            allowed = section_components(name, True)
            for component in section.sublimits:
                if component not in allowed:
                    raise ValueError(f"sections.{name}.sublimits: component {component!r} is not paid "
                                     f"by this section (it pays {', '.join(allowed)})")
            if name != "business_interruption" and (
                    section.waiting_period_days != 0 or math.isfinite(section.indemnity_period_days)):
                raise ValueError(f"sections.{name}: waiting_period_days and indemnity_period_days "
                                 "apply to business_interruption only")
            sections[name] = section
        object.__setattr__(self, "sections", MappingProxyType(sections))
        object.__setattr__(self, "deductible",
                           _non_negative(parse_yen(self.deductible, "deductible"), "deductible"))
        object.__setattr__(self, "aggregate_limit",
                           _positive(parse_yen(self.aggregate_limit, "aggregate_limit"), "aggregate_limit"))
        _validate.flag("cover_prevention", self.cover_prevention)

    @property
    def covered_sections(self) -> tuple[str, ...]:
        return tuple(s for s in SECTIONS if s in self.sections and self.sections[s].covered)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "terms") -> "CoverageTerms":
        """Terms from a dict such as the ``[terms]`` table of a profile TOML; errors name the
        field's dotted path under ``where`` (e.g. ``terms.sections.response.limit``)."""
        fields = ("sections", "deductible", "aggregate_limit", "cover_prevention")
        _check_keys(data, fields, where)
        if "sections" not in data:
            raise ValueError(f"{where}: field 'sections' is required (a table per covered section)")
        with _validate.located(where, fields):
            return cls(**data)

    @classmethod
    def from_toml(cls, path: str | Path) -> "CoverageTerms":
        """Terms from the ``[terms]`` table of a TOML file (or the whole file if it has none)."""
        data = _input.read_toml(path, "terms file")
        with _validate.located(f"terms file {path}"):
            if "terms" in data:
                others = [k for k in data if k != "terms" and k not in _PROFILE_TABLES]
                if others:
                    raise ValueError(f"unknown table {others[0]!r} beside [terms]")
                data = data["terms"]
            return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        return {"sections": {k: v.to_dict() for k, v in self.sections.items()},
                "deductible": self.deductible, "aggregate_limit": self.aggregate_limit,
                "cover_prevention": self.cover_prevention}

    def with_retention(self, deductible: float, aggregate_limit: float) -> "CoverageTerms":
        """The same policy with another deductible and annual aggregate limit."""
        return dataclasses.replace(self, deductible=deductible, aggregate_limit=aggregate_limit)

    def describe(self) -> pd.DataFrame:
        format_yen = format_amount
        rows = []
        for name in SECTIONS:
            sec = self.sections.get(name)
            covered = sec is not None and sec.covered
            rows.append({
                "section": SECTION_LABELS[name],
                "covered": covered,
                "limit": _fmt_limit(sec.limit, format_yen) if covered else "",
                "coinsurance": f"{sec.coinsurance:.0%}" if covered else "",
                "sublimits": ", ".join(f"{k} {format_yen(v)}" for k, v in sec.sublimits.items())
                if covered else "",
                "waiting / indemnity days": (f"{sec.waiting_period_days:g} / "
                                             f"{sec.indemnity_period_days:g}")
                if covered and name == "business_interruption" else "",
            })
        df = pd.DataFrame(rows).set_index("section")
        df.attrs["deductible"] = format_yen(self.deductible)
        df.attrs["aggregate_limit"] = _fmt_limit(self.aggregate_limit, format_yen)
        return df

    def _repr_html_(self) -> str:
        df = self.describe()
        return (f"<p>CoverageTerms: deductible {df.attrs['deductible']} per occurrence, annual "
                f"aggregate limit {df.attrs['aggregate_limit']}, prevention "
                f"{'covered' if self.cover_prevention else 'not covered'}</p>" + df.to_html())


def _fmt_limit(x: float, format_yen) -> str:
    return "unlimited" if math.isinf(x) else format_yen(x)


@dataclasses.dataclass(frozen=True)
class Layer:
    """An excess layer ``limit xs attachment`` on occurrence or annual loss (JPY)."""

    attachment: float
    limit: float
    basis: str = "occurrence"

    def __post_init__(self) -> None:
        object.__setattr__(self, "attachment", _non_negative(self.attachment, "attachment"))
        object.__setattr__(self, "limit", _positive(self.limit, "limit"))
        if self.basis not in ("occurrence", "annual"):
            raise ValueError(f"basis must be 'occurrence' or 'annual', got {self.basis!r}")

    @property
    def exhaustion_point(self) -> float:
        return self.attachment + self.limit

    def apply(self, loss) -> np.ndarray:
        """``min(max(loss - attachment, 0), limit)`` elementwise."""
        return np.minimum(np.maximum(np.asarray(loss, dtype=np.float64) - self.attachment, 0.0),
                          self.limit)


def event_table(year, downtime_days=None, **components) -> pd.DataFrame:
    """An event table with every component column, zeros for those not given.

    Handy to apply terms to the engine's events
    (``event_table(ev["year"], liability=ev["loss"])``) or to hand-made cases.
    """
    year = np.asarray(year, dtype=np.int64)
    unknown = [c for c in components if c not in COMPONENTS]
    if unknown:
        raise ValueError(f"unknown component {unknown[0]!r}; known: {', '.join(COMPONENTS)}")
    data = {"year": year,
            "downtime_days": np.zeros(year.size) if downtime_days is None
            else np.broadcast_to(np.asarray(downtime_days, dtype=np.float64), year.shape)}
    for c in COMPONENTS:
        value = components.get(c, 0.0)
        data[c] = np.broadcast_to(np.asarray(value, dtype=np.float64), year.shape).copy()
    return pd.DataFrame(data)


def _event_arrays(events, n_years: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    get = events.__getitem__
    columns = set(events.columns) if isinstance(events, pd.DataFrame) else set(events)
    missing = [c for c in ("year", "downtime_days") + COMPONENTS if c not in columns]
    if missing:
        raise ValueError(f"events: missing column(s) {', '.join(missing)} "
                         "(use terms.event_table to fill components with zeros)")
    year = np.asarray(get("year"))
    if year.size and not np.issubdtype(year.dtype, np.integer):
        raise ValueError(f"events.year must be integers, got dtype {year.dtype}")
    year = year.astype(np.int64)
    if year.size and (year.min() < 0 or year.max() >= n_years):
        bad = year[(year < 0) | (year >= n_years)][0]
        raise ValueError(f"events.year must be in [0, n_years={n_years}), got {bad}")
    values = {}
    for c in ("downtime_days",) + COMPONENTS:
        arr = np.asarray(get(c), dtype=np.float64)
        if arr.shape != year.shape:
            raise ValueError(f"events.{c} has {arr.size} rows, events.year has {year.size}")
        bad = ~(np.isfinite(arr) & (arr >= 0))
        if bad.any():
            raise ValueError(f"events.{c} must be finite and >= 0, got {arr[bad][0]!r}")
        values[c] = arr
    if year.size > 1 and np.any(np.diff(year) < 0):
        order = np.argsort(year, kind="stable")
        year = year[order]
        values = {c: v[order] for c, v in values.items()}
    return year, values.pop("downtime_days"), values


def _business_interruption(lost_profit, downtime, section: SectionTerms) -> np.ndarray:
    days = np.maximum(np.minimum(downtime, section.indemnity_period_days)
                      - section.waiting_period_days, 0.0)
    fraction = np.divide(days, downtime, out=np.zeros_like(downtime), where=downtime > 0)
    fraction = np.where(downtime > 0, fraction, 1.0 if section.waiting_period_days == 0 else 0.0)
    return lost_profit * fraction


def apply(terms: CoverageTerms, events, n_years: int) -> "InsuredResult":
    """Apply ``terms`` to an event table (see module docstring) over ``n_years`` simulated years.

    ``events`` is a DataFrame (or a dict of arrays) with columns ``year`` (0-based simulated
    year), ``downtime_days`` and every component in :data:`COMPONENTS`, one row per incident
    in occurrence order.
    """
    if not isinstance(terms, CoverageTerms):
        raise ValueError(f"terms must be CoverageTerms, got {type(terms).__name__}")
    if isinstance(n_years, bool) or not isinstance(n_years, (int, np.integer)) or n_years < 1:
        raise ValueError(f"n_years must be a positive integer, got {n_years!r}")
    n_years = int(n_years)
    year, downtime, comp = _event_arrays(events, n_years)
    n_events = year.size

    gross_by = {}
    for name in SECTIONS:
        gross_by[name] = sum((comp[c] for c in section_components(name, terms.cover_prevention)),
                             np.zeros(n_events))
    gross_by["uninsured"] = comp["internal_effort"] + (0.0 if terms.cover_prevention
                                                       else comp["prevention"])

    covered = terms.covered_sections
    ground_up = {}
    for name in covered:
        sec = terms.sections[name]
        capped = {c: np.minimum(comp[c], sec.sublimits.get(c, math.inf))
                  for c in section_components(name, terms.cover_prevention)}
        if name == "business_interruption":
            capped["lost_profit"] = _business_interruption(capped["lost_profit"], downtime, sec)
        ground_up[name] = sum(capped.values(), np.zeros(n_events))

    total = sum(ground_up.values(), np.zeros(n_events))
    after_deductible = np.maximum(total - terms.deductible, 0.0)
    share = np.divide(after_deductible, total, out=np.zeros(n_events), where=total > 0)
    paid = {name: np.minimum(ground_up[name] * share * terms.sections[name].coinsurance,
                             terms.sections[name].limit) for name in covered}
    per_event = sum(paid.values(), np.zeros(n_events))

    if math.isfinite(terms.aggregate_limit) and n_events:
        cumulative = pd.Series(per_event).groupby(year, sort=False).cumsum().to_numpy()
        limited = (np.minimum(cumulative, terms.aggregate_limit)
                   - np.minimum(cumulative - per_event, terms.aggregate_limit))
        limited = np.clip(limited, 0.0, per_event)
        ratio = np.divide(limited, per_event, out=np.zeros(n_events), where=per_event > 0)
        paid = {name: v * ratio for name, v in paid.items()}
        per_event = limited

    insured_by = {name: paid.get(name, np.zeros(n_events)) for name in SECTIONS}
    insured_by["uninsured"] = np.zeros(n_events)
    return InsuredResult(terms=terms, n_years=n_years, year=year,
                         gross_by=gross_by, insured_by=insured_by, insured=per_event)


class InsuredResult:
    """Gross, insured and retained losses of a policy over simulated years.

    Views: ``"gross"`` (every component), ``"insured"`` (paid by the policy), ``"retained"``
    (gross - insured).  Sections: ``response``, ``liability``, ``business_interruption`` and
    ``uninsured`` (internal effort, and prevention unless covered).  Every statistic is an
    :class:`~cyberloss.measures.Estimate` (value, standard error) over the simulated years.
    """

    def __init__(self, *, terms: CoverageTerms, n_years: int, year: np.ndarray,
                 gross_by: dict[str, np.ndarray], insured_by: dict[str, np.ndarray],
                 insured: np.ndarray) -> None:
        self.terms = terms
        self.n_years = n_years
        self.n_events = int(year.size)
        self._year = year
        gross = sum(gross_by.values(), np.zeros(year.size))
        # insured <= gross exactly, although the two sums round differently: so retained
        # losses, per incident and (summed in the same order) per year, are never below 0
        insured = np.minimum(insured, gross)
        self._event = {"gross": gross, "insured": insured, "retained": gross - insured}
        self._annual = {v: self._sum_by_year(x) for v, x in self._event.items()}
        self._annual["retained"] = self._annual["gross"] - self._annual["insured"]
        # per-incident section amounts; annual sums are formed when a section is asked for
        self._gross_by = gross_by
        self._insured_by = insured_by

    def _sum_by_year(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self._year, weights=x, minlength=self.n_years)

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(self._gross_by)

    def _section_annual(self, section: str, view: str) -> np.ndarray:
        if section not in self._gross_by:
            raise ValueError(f"section must be one of {', '.join(self._gross_by)}, got {section!r}")
        gross = self._sum_by_year(self._gross_by[section])
        if view == "gross":
            return gross
        insured = self._sum_by_year(self._insured_by[section])
        return insured if view == "insured" else gross - insured

    @staticmethod
    def _check_view(view: str) -> str:
        if view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
        return view

    def annual(self, view: str = "insured", section: str | None = None) -> np.ndarray:
        """Annual loss per simulated year (read-only view), optionally of one section."""
        self._check_view(view)
        out = self._annual[view] if section is None else self._section_annual(section, view)
        out = out.view()
        out.flags.writeable = False
        return out

    def occurrence(self, view: str = "insured") -> tuple[np.ndarray, np.ndarray]:
        """(year, loss) of every incident in occurrence order, for ``view``."""
        self._check_view(view)
        return self._year.copy(), self._event[view].copy()

    def occurrence_max(self, view: str = "insured") -> np.ndarray:
        """Largest single-incident loss in each year (0 without incidents), for OEP."""
        self._check_view(view)
        out = np.zeros(self.n_years)
        np.maximum.at(out, self._year, self._event[view])
        return out

    def year_loss_table(self, by_section: bool = False) -> pd.DataFrame:
        """Year loss table (JPY): gross, insured, retained, and per section if asked."""
        data = {v: self._annual[v] for v in VIEWS}
        if by_section:
            for name in self.sections:
                for v in VIEWS:
                    data[f"{v}_{name}"] = self._section_annual(name, v)
        df = pd.DataFrame(data)
        df.index.name = "year"
        return df

    def mean(self, view: str = "insured", section: str | None = None) -> Estimate:
        return measures.mean(self.annual(view, section))

    def std(self, view: str = "insured", section: str | None = None) -> Estimate:
        return measures.std(self.annual(view, section))

    def var(self, p: float, view: str = "insured") -> Estimate:
        return measures.var(self.annual(view), p)

    def tvar(self, p: float, view: str = "insured") -> Estimate:
        return measures.tvar(self.annual(view), p)

    def ep_curve(self, return_periods=None, view: str = "gross") -> pd.DataFrame:
        """AEP and OEP at the return periods (years), with SEs; see cyberloss.measures."""
        if return_periods is None:
            return_periods = measures.default_return_periods(self.n_years)
            if not return_periods:
                raise ValueError(f"n_years={self.n_years} is too few for an EP curve (need >= 20)")
        return measures.ep_table(self.annual(view), self.occurrence_max(view), return_periods)

    def layer_losses(self, layer: Layer, view: str = "gross") -> np.ndarray:
        """Annual loss to ``layer`` in each simulated year."""
        if not isinstance(layer, Layer):
            raise ValueError(f"layer must be a terms.Layer, got {type(layer).__name__}")
        self._check_view(view)
        if layer.basis == "annual":
            return layer.apply(self._annual[view])
        return self._sum_by_year(layer.apply(self._event[view]))

    def layer(self, layer: Layer, view: str = "gross") -> "LayerResult":
        """Expected loss of ``layer`` and its probabilities of attaching and of exhausting.

        Occurrence basis: attaches in a year when some incident exceeds the attachment,
        exhausts when some incident reaches attachment + limit.  Annual basis: the same on
        the annual loss.
        """
        losses = self.layer_losses(layer, view)
        driver = self.occurrence_max(view) if layer.basis == "occurrence" else self._annual[view]
        exhaust = (measures.Estimate(0.0, 0.0) if math.isinf(layer.limit)
                   else measures.probability(driver >= layer.exhaustion_point))
        return LayerResult(layer=layer, view=view, expected_loss=measures.mean(losses),
                           prob_attach=measures.probability(driver > layer.attachment),
                           prob_exhaust=exhaust)

    def ilf(self, limits, basic_limit: float, view: str = "gross",
            basis: str = "occurrence") -> pd.DataFrame:
        """Increased-limit factors ``E[min(X, L)] / E[min(X, basic)]`` with delta-method SEs."""
        basic = self.layer_losses(Layer(0.0, basic_limit, basis), view)
        mb = basic.mean()
        if mb <= 0:
            raise ValueError(f"basic_limit={basic_limit!r}: no {view} loss in the simulation, "
                             "increased-limit factors are undefined")
        n = basic.size
        rows = []
        for limit in np.atleast_1d(np.asarray(limits, dtype=np.float64)):
            y = self.layer_losses(Layer(0.0, float(limit), basis), view)
            r = y.mean() / mb
            # delta method on the ratio: Var(y - r basic) / (n E[basic]^2); pairwise sums, not
            # BLAS (np.cov), so the result does not depend on the number of threads
            resid = (y - y.mean()) - r * (basic - mb)
            var_r = float(np.sum(resid * resid)) / max(n - 1, 1) / (n * mb * mb)
            rows.append((float(limit), float(y.mean()), float(r), math.sqrt(max(var_r, 0.0))))
        return pd.DataFrame(rows, columns=["limit", "expected_loss", "ilf", "ilf_se"])

    def describe(self, levels=(0.99, 0.995)) -> pd.DataFrame:
        """Mean, std, VaR and TVaR of gross, insured and retained annual loss, with SEs (JPY)."""
        rows: dict[str, dict[str, float]] = {}

        def put(label: str, view: str, est: Estimate) -> None:
            rows.setdefault(label, {})[view] = est.value
            rows[label][f"{view}_se"] = est.se

        for view in VIEWS:
            x = self._annual[view]
            put("mean", view, measures.mean(x))
            put("std", view, measures.std(x))
            table = measures.tail(x, levels)
            for p, row in table.iterrows():
                put(f"VaR {measures.level_label(p)}", view, Estimate(row["var"], row["var_se"]))
                put(f"TVaR {measures.level_label(p)}", view, Estimate(row["tvar"], row["tvar_se"]))
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "statistic"
        return df

    def _repr_html_(self) -> str:
        df = self.describe().map(format_amount)
        return (f"<p>InsuredResult: {self.n_years:,} simulated years, {self.n_events:,} incidents"
                "</p>" + df.to_html())

    def __repr__(self) -> str:
        return f"InsuredResult(n_years={self.n_years}, n_events={self.n_events})"


@dataclasses.dataclass(frozen=True)
class LayerResult:
    layer: Layer
    view: str
    expected_loss: Estimate
    prob_attach: Estimate
    prob_exhaust: Estimate

    def describe(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"value": [self.expected_loss.value, self.prob_attach.value, self.prob_exhaust.value],
             "se": [self.expected_loss.se, self.prob_attach.se, self.prob_exhaust.se]},
            index=pd.Index(["expected_loss", "prob_attach", "prob_exhaust"], name="statistic"))
