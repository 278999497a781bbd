"""A Japanese cyber policy's terms, applied to a simulated event table by the C++ core.

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
   policy year; incidents are paid in the event table's order, and a partly paid incident is
   shared among its sections pro rata.  The simulation's own table is in (year, attack type,
   k) order; a DataFrame or a dict is paid year by year and, within a year, in its row order
   (columns such as ``attack_type`` or ``k`` are not read).  The year's total does not depend
   on the order; which incident and which section is paid does.

Retained = gross - insured, where gross is the sum of every component including internal
effort.  Amounts are JPY; in a TOML or dict they may be numbers or texts such as
``"500万円"``, ``"1.5億円"`` or ``"3,000,000円"``.  The computation is the core's
(``include/cyberloss/terms.hpp``): :func:`apply` passes the terms down once.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from .. import _core, _validate, config, results, stats
from .._lazy import pandas as pd
from ..config import documents
from ..organisation.components import COMPONENTS
from ..report import money
from ..report.html import Described

RESPONSE_COMPONENTS = COMPONENTS[:6]
SECTIONS: tuple[str, ...] = tuple(_core.SECTIONS[:3])
ALL_SECTIONS: tuple[str, ...] = tuple(_core.SECTIONS)
SECTION_LABELS = {"response": "費用損害 incident response",
                  "liability": "賠償責任 liability",
                  "business_interruption": "利益損害 business interruption",
                  "uninsured": "保険対象外 not insurable"}
VIEWS = ("gross", "insured", "retained")


def section_components(section: str, cover_prevention: bool) -> tuple[str, ...]:
    """Event-table components paid by ``section``."""
    if section == "response":
        return RESPONSE_COMPONENTS + (("prevention",) if cover_prevention else ())
    if section == "liability":
        return ("liability",)
    if section == "business_interruption":
        return ("lost_profit",)
    raise ValueError(f"section must be one of {', '.join(SECTIONS)}, got {section!r}")


def _parse(table: config.Table, obj, prefix: str = "") -> None:
    """Check and convert every field of a frozen dataclass by its schema node."""
    for f in dataclasses.fields(obj):
        node = table.node(f.name)
        if isinstance(node, config.Field):
            object.__setattr__(obj, f.name, node.parse(getattr(obj, f.name), prefix + f.name))


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
        _parse(documents.SECTION, self)
        subs = config.check(self.sublimits, documents.SECTION.node("sublimits"), "sublimits")
        object.__setattr__(self, "sublimits", MappingProxyType(subs))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "section terms") -> "SectionTerms":
        """From a table such as ``[terms.sections.response]``; errors name the field under ``where``."""
        given = config.check_table(data, documents.SECTION, where)
        with _validate.located(where, documents.SECTION.keys):
            return cls(**given)

    def to_dict(self) -> dict[str, Any]:
        """The terms as plain dicts (amounts in JPY, inf for unlimited), as ``from_dict`` reads them."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["sublimits"] = dict(self.sublimits)
        return out

    def to_core(self) -> _core.SectionTerms:
        """The core's section terms (the computation runs there)."""
        return _core.SectionTerms(covered=self.covered, limit=self.limit,
                                  coinsurance=self.coinsurance, sublimits=dict(self.sublimits),
                                  waiting_period_days=self.waiting_period_days,
                                  indemnity_period_days=self.indemnity_period_days)


@dataclasses.dataclass(frozen=True)
class CoverageTerms(Described):
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
        _parse(documents.TERMS, self)
        sections = {}
        for name, section in self.sections.items():
            name = documents.SECTIONS.key_of(name)      # 費用損害 -> response
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
            if "prevention" in section.sublimits and not self.cover_prevention:
                raise ValueError(f"sections.{name}.sublimits.prevention: recurrence prevention is not "
                                 "covered (cover_prevention = false), so its sublimit would be ignored")
            if name != "business_interruption" and (
                    section.waiting_period_days != 0 or math.isfinite(section.indemnity_period_days)):
                raise ValueError(f"sections.{name}: waiting_period_days and indemnity_period_days "
                                 "apply to business_interruption only")
            sections[name] = section
        object.__setattr__(self, "sections", MappingProxyType(sections))

    @property
    def covered_sections(self) -> tuple[str, ...]:
        """The sections the policy pays, in the core's order."""
        return tuple(s for s in SECTIONS if s in self.sections and self.sections[s].covered)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "terms") -> "CoverageTerms":
        """Terms from a dict such as the ``[terms]`` table of a profile TOML; errors name the
        field's dotted path under ``where`` (e.g. ``terms.sections.response.limit``)."""
        given = config.check_table(data, documents.TERMS, where)
        deductible, limit = given.get("deductible", 0.0), given.get("aggregate_limit", math.inf)
        if limit < deductible:
            # an annual cap below the per-occurrence retention is almost always a unit slip
            raise _validate.InputError(
                f"{where}.aggregate_limit must not be below {where}.deductible "
                f"({_validate.shown(data['deductible'])}), got {_validate.shown(data['aggregate_limit'])}",
                _validate.Need("relation", detail=f"{where}.deductible（免責金額、"
                                                   f"{_validate.shown_ja(data['deductible'])}）以上の金額"),
                f"{where}.aggregate_limit", data["aggregate_limit"], label_ja="年間総支払限度額")
        with _validate.located(where, documents.TERMS.keys):
            return cls(**given)

    @classmethod
    def from_toml(cls, path: str | Path) -> "CoverageTerms":
        """Terms from the ``[terms]`` table of a TOML file (or the whole file if it has none)."""
        data = config.read_toml(path, "terms file")
        with _validate.located(f"terms file {path}"):
            if "terms" in data:
                others = [k for k in data if k not in documents.PROFILE.keys]
                if others:
                    raise ValueError(f"unknown table {others[0]!r} beside [terms]")
                data = data["terms"]
            return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The terms as plain dicts (amounts in JPY, inf for unlimited), as ``from_dict`` reads them."""
        return {"sections": {k: v.to_dict() for k, v in self.sections.items()},
                "deductible": self.deductible, "aggregate_limit": self.aggregate_limit,
                "cover_prevention": self.cover_prevention}

    def to_core(self) -> _core.CoverageTerms:
        """The core's terms (the same rules; the computation runs there)."""
        return _core.CoverageTerms({k: v.to_core() for k, v in self.sections.items()},
                                   self.deductible, self.aggregate_limit, self.cover_prevention)

    def with_retention(self, deductible: float, aggregate_limit: float) -> "CoverageTerms":
        """The same policy with another deductible and annual aggregate limit."""
        return dataclasses.replace(self, deductible=deductible, aggregate_limit=aggregate_limit)

    def describe(self) -> pd.DataFrame:
        """One row per section: covered, limit, coinsurance, sublimits, BI periods (万円 / 億円);
        ``attrs`` holds the deductible and the aggregate limit."""
        rows = []
        for name in SECTIONS:
            sec = self.sections.get(name, SectionTerms(covered=False))
            covered = sec.covered
            rows.append({
                "section": SECTION_LABELS[name],
                "covered": covered,
                "limit": money.format_limit(sec.limit) if covered else "",
                "coinsurance": f"{sec.coinsurance:.0%}" if covered else "",
                "sublimits": ", ".join(f"{k} {money.format_limit(v)}" for k, v in sec.sublimits.items())
                if covered else "",
                "waiting / indemnity days": (f"{sec.waiting_period_days:g} / "
                                             f"{sec.indemnity_period_days:g}")
                if covered and name == "business_interruption" else "",
            })
        df = pd.DataFrame(rows).set_index("section")
        df.attrs["deductible"] = money.format_yen(self.deductible)
        df.attrs["aggregate_limit"] = money.format_limit(self.aggregate_limit)
        return df

    def _html_title(self) -> str:
        return "CoverageTerms"

    def _html_note(self) -> str:
        per_occurrence = " per occurrence" if self.deductible else ""
        return (f"{money.deductible_words(self.deductible)}{per_occurrence}, annual aggregate "
                f"limit {money.format_limit(self.aggregate_limit)}, prevention "
                f"{'covered' if self.cover_prevention else 'not covered'}")


@dataclasses.dataclass(frozen=True)
class Layer:
    """An excess layer ``limit xs attachment`` on occurrence or annual loss (JPY)."""

    attachment: float
    limit: float
    basis: str = "occurrence"

    def __post_init__(self) -> None:
        object.__setattr__(self, "attachment", _validate.number("attachment", self.attachment, 0.0))
        object.__setattr__(self, "limit", _validate.number("limit", self.limit, 0.0, lo_open=True,
                                                           allow_inf=True))
        if self.basis not in ("occurrence", "annual"):
            raise ValueError(f"basis must be 'occurrence' or 'annual', got {self.basis!r}")

    @property
    def exhaustion_point(self) -> float:
        return self.attachment + self.limit

    def apply(self, loss) -> np.ndarray:
        """``min(max(loss - attachment, 0), limit)`` elementwise (the core's layer kernel)."""
        return np.asarray(_core.Layer(self.attachment, self.limit)(np.asarray(loss, dtype=np.float64)))


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


def _event_arrays(events, n_years: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, downtime_days, components (10, n)) of an event table, checked, in year order."""
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
    values = np.empty((len(COMPONENTS) + 1, year.size))
    for i, c in enumerate(("downtime_days",) + COMPONENTS):
        try:
            arr = np.asarray(get(c), dtype=np.float64)
        except (TypeError, ValueError):     # a text cell: name the column and the first such value
            cells = np.asarray(get(c), dtype=object).ravel().tolist()
            bad_cell = next((v for v in cells if not _validate.is_number(v)), cells[0] if cells else None)
            raise ValueError(f"events.{c} must be numbers, got {_validate.shown(bad_cell)}") from None
        if arr.shape != year.shape:
            raise ValueError(f"events.{c} has {arr.size} rows, events.year has {year.size}")
        bad = ~(np.isfinite(arr) & (arr >= 0))
        if bad.any():
            raise ValueError(f"events.{c} must be finite and >= 0, got {arr[bad][0]!r}")
        values[i] = arr
    if year.size > 1 and np.any(np.diff(year) < 0):
        order = np.argsort(year, kind="stable")
        year, values = year[order], values[:, order]
    return year, np.ascontiguousarray(values[0]), np.ascontiguousarray(values[1:])


def apply(terms: CoverageTerms, events, n_years: int | None = None) -> "InsuredResult":
    """Apply ``terms`` to an event table (module docstring) over ``n_years`` simulated years.

    ``events`` is the core's event table (``OrganisationSimulation.table``, or the simulation
    itself), a DataFrame or a dict of arrays with columns ``year`` (0-based simulated year),
    ``downtime_days`` and every component in ``COMPONENTS``, one row per incident.
    ``n_years`` defaults to the simulation's years for the core's table, and must be given with
    a DataFrame or a dict (the table does not say how many years had no incident).
    The annual aggregate limit is used up in the table's order: (year, attack type, k) for the
    core's table; for a DataFrame or a dict, year by year (rows are sorted stably by ``year``)
    and within a year in row order, any ``attack_type`` or ``k`` column ignored, so sort the
    rows first to pay them in another order (by date, say).
    """
    return applied(terms, events, n_years).result()


@dataclasses.dataclass(frozen=True)
class Applied:
    """A policy applied by the core, before its year-loss table is built: what the retention
    grid reads (``decision.choose_retention`` takes it as it takes an InsuredResult), so that
    a quote starts the grid while the table's columns are made."""

    terms: CoverageTerms
    core: Any
    first_year: int = 0   # subtracted from the core's event years (an event table's first year)

    @property
    def n_years(self) -> int:
        return int(self.core.n_years)

    def result(self) -> "InsuredResult":
        """The year-loss table of the applied policy."""
        return InsuredResult(self.terms, self.core, self.first_year)


def applied(terms: CoverageTerms, events, n_years: int | None = None) -> Applied:
    """:func:`apply` up to the core's result (the same checks and the same amounts)."""
    if not isinstance(terms, CoverageTerms):
        raise ValueError(f"terms must be CoverageTerms, got {type(terms).__name__}")
    table = getattr(events, "table", events)
    # The result keeps the core's own columns, not the events': a quote does not hold on to
    # its simulation (its event table and components) once the terms are applied.
    if isinstance(table, _core.EventTable):
        n = table.years if n_years is None else _validate.positive_int("n_years", n_years)
        return Applied(terms, _core.apply_terms(terms.to_core(), table, n), int(table.first_year))
    if n_years is None:
        raise ValueError("n_years is required with an event table given as a DataFrame or a dict: "
                         "the number of simulated years, those without an incident included")
    n = _validate.positive_int("n_years", n_years)
    year, downtime, parts = _event_arrays(events, n)
    return Applied(terms, _core.apply_terms(terms.to_core(), year, downtime, parts, n))


class InsuredResult(results.YearLossTable):
    """Gross, insured and retained losses of a policy over simulated years: a sparse year-loss
    table with views ``gross`` (every component), ``insured`` (paid by the policy) and
    ``retained`` (gross - insured), default ``insured``; breakdown columns
    ``<view>_<section>`` for the sections ``response``, ``liability``,
    ``business_interruption`` and ``uninsured`` (internal effort, and prevention unless
    covered); each year's largest single loss per view (OEP).  Statistics are
    :class:`~cyberloss.stats.Estimate` (value, standard error) over the simulated years.
    """

    def __init__(self, terms: CoverageTerms, core, first_year: int = 0):
        self.terms = terms
        self.core = core
        self.n_events = int(core.n_events)
        self._first_year = int(first_year)
        # A view's section columns are summed when one of them is first read (a quote reads
        # the insured view's, for the premium by section).
        columns = results.LazyColumns(
            {v: np.asarray(core.annual_sparse(v)) for v in VIEWS},
            [f"{v}_{s}" for v in VIEWS for s in ALL_SECTIONS],
            lambda name: core.annual_sparse_by_section(name.split("_", 1)[0]))
        super().__init__(core.n_years, columns, views=VIEWS, default_view="insured",
                         loss_years=np.asarray(core.years),
                         occurrence={v: np.asarray(core.occurrence_max_sparse(v)) for v in VIEWS},
                         title="InsuredResult")

    @property
    def sections(self) -> tuple[str, ...]:
        return ALL_SECTIONS

    def occurrence(self, view: str = "insured") -> tuple[np.ndarray, np.ndarray]:
        """(year, loss) of every incident in occurrence order, for ``view``."""
        name = self._column(view)
        if name not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
        year = self.core.event_years()
        if self._first_year:
            year -= self._first_year
        return year, np.array(self.core.event(name))

    def layer_losses(self, layer: Layer, view: str = "gross") -> np.ndarray:
        """Annual loss to ``layer`` in each simulated year."""
        if not isinstance(layer, Layer):
            raise ValueError(f"layer must be a terms.Layer, got {type(layer).__name__}")
        if layer.basis == "annual":
            return layer.apply(self.annual(view))
        year, loss = self.occurrence(view)
        return np.bincount(year, weights=layer.apply(loss), minlength=self.n_years)

    def layer(self, layer: Layer, view: str = "gross") -> "LayerResult":
        """Expected loss of ``layer`` and its probabilities of attaching and of exhausting.

        Occurrence basis: attaches in a year when some incident exceeds the attachment,
        exhausts when some incident reaches attachment + limit.  Annual basis: the same on
        the annual loss.
        """
        losses = self.layer_losses(layer, view)
        driver = self.occurrence_max(view) if layer.basis == "occurrence" else self.annual(view)
        exhaust = (stats.Estimate(0.0, 0.0) if math.isinf(layer.limit)
                   else stats.probability(driver >= layer.exhaustion_point))
        return LayerResult(layer=layer, view=view, expected_loss=stats.mean(losses),
                           prob_attach=stats.probability(driver > layer.attachment),
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

    def _html_note(self) -> str:
        return f"{self.n_years:,} simulated years, {self.n_events:,} incidents; money in JPY"


@dataclasses.dataclass(frozen=True)
class LayerResult(Described):
    """Expected loss of a layer and its probabilities of attaching and exhausting."""

    layer: Layer
    view: str
    expected_loss: stats.Estimate
    prob_attach: stats.Estimate
    prob_exhaust: stats.Estimate

    def describe(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"value": [self.expected_loss.value, self.prob_attach.value, self.prob_exhaust.value],
             "se": [self.expected_loss.se, self.prob_attach.se, self.prob_exhaust.se]},
            index=pd.Index(["expected_loss", "prob_attach", "prob_exhaust"], name="statistic"))
