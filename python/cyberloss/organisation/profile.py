"""An organisation as the model sees it: ``OrganisationProfile``.

Fields (``config.documents.ORGANISATION``): industry, size, revenue, gross margin, employees,
records held, EC share, labour cost, IT dependency and controls.  Fields left out take the
labelled defaults of ``data/components.json`` for the industry and size; ``sources`` says,
field by field, whether a value was given or defaulted (and from what).  A profile document
(TOML) holds an ``[organisation]`` table beside the tables other readers own (``[terms]``,
``[quote]``, ``[simulation]``, ``[[variants]]``, ``[scenario]``, ``[overrides]``).
"""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import _validate as check
from .. import config
from .._lazy import pandas as pd
from ..config import documents, labels
from ..report import language
from ..report.html import Described, escape
from . import components as comp
from .controls import Controls

SIZES = documents.SIZES
_PROFILE_FIELDS = ("revenue", "gross_margin", "employees", "personal_records", "card_records",
                   "ec_share", "labour_cost_month", "it_dependency")
PROFILE_KEYS = frozenset(documents.ORGANISATION.keys)
#: Tables of a profile document besides [organisation] (read by bcp, scenario, quote, ...).
OTHER_TABLES = tuple(k for k in documents.PROFILE.keys if k != "organisation")


def _label(key: str) -> str:
    f = documents.ORGANISATION.field(key)
    ja = f" ({f.label_ja})" if f.label_ja and key not in ("name", "it_dependency") else ""
    unit = ", JPY" if f.unit == "JPY" else ""
    return f"{f.label}{ja}{unit}"


_DEFAULT_FOR = re.compile(r"^default for (\S+) \((\w+), (.+)\)$")
_DEFAULT = re.compile(r"^default \((\w+): (.+)\)$")


@functools.cache
def _reasonings_ja() -> dict[str, str]:
    """The packaged defaults' reasonings, English -> Japanese (``reasoning_ja``)."""
    defaults = comp.load().raw["profile_defaults"]
    return {spec["reasoning"]: spec["reasoning_ja"] for spec in defaults.values()
            if isinstance(spec, Mapping) and "reasoning_ja" in spec}


def source_ja(source: str) -> str:
    """A profile field's source (``OrganisationProfile.sources``) in Japanese:
    "default for manufacturing (approximate, METI-EC2023)" -> "既定値（製造業、概数、METI-EC2023）";
    "given" -> "入力値".  A reasoning the packaged data does not translate stays English."""
    if source == "given":
        return "入力値"
    for pattern in (_DEFAULT_FOR, _DEFAULT):
        m = pattern.match(source)
        if m:
            *key, quality, why = m.groups()
            named = [labels.labels(v).get(key[0], "") for v in ("industries", "sizes")] if key else []
            name = next((n for n in named if n), key[0]) if key else ""
            return "、".join(["既定値（" + (name + "、" if key else "") + language.QUALITIES_JA.get(quality, quality),
                             _reasonings_ja().get(why, why)]) + "）"
    return source


@dataclasses.dataclass(frozen=True)
class OrganisationProfile(Described):
    """An organisation as the model sees it.  Validated at construction.

    Fields left as ``None`` take the defaults of ``data/components.json`` for the industry and
    size; ``sources`` says, field by field, whether a value was given or defaulted (and from
    what).  Records left out mean "unknown": record-driven costs then follow the survey shares.
    Amounts are JPY (numbers, or texts such as "30億円", "5000万", "１億円"); industry and size
    take their keys, Japanese labels (製造業, 中小企業) or English in any case (Manufacturing, SME).
    """

    industry: str
    size: str
    # None: the default of the industry and size, filled at construction
    revenue: float = None  # type: ignore[assignment]
    gross_margin: float = None  # type: ignore[assignment]
    employees: int = None  # type: ignore[assignment]
    personal_records: int | None = None
    card_records: int | None = None
    ec_share: float = None  # type: ignore[assignment]
    labour_cost_month: float = None  # type: ignore[assignment]
    it_dependency: float = None  # type: ignore[assignment]
    controls: Controls = dataclasses.field(default_factory=Controls)
    name: str = "organisation"
    sources: Mapping[str, str] = dataclasses.field(default_factory=dict, init=False, compare=False,
                                                   repr=False)
    data: comp.ComponentData = dataclasses.field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        data = self.data if self.data is not None else comp.load()
        object.__setattr__(self, "data", data)
        industries = tuple(data.raw["profile_defaults"]["by_industry"]["gross_margin"]["values"])
        for key in ("industry", "size"):    # Japanese labels and English names become keys
            object.__setattr__(self, key, documents.ORGANISATION.field(key).parse(getattr(self, key)))
        check.text("industry", self.industry, industries, labels.japanese_names("industries", industries))
        documents.ORGANISATION.field("name").parse(self.name)
        if isinstance(self.controls, Mapping):
            object.__setattr__(self, "controls", Controls.from_mapping(self.controls))
        elif not isinstance(self.controls, Controls):
            raise ValueError(f"controls must be a Controls or a mapping, got {self.controls!r}")
        for control in self.controls.names():
            data.control(control)
        sources = {"industry": "given", "size": "given", "name": "given", "controls": "given"}
        for name in _PROFILE_FIELDS:
            value = getattr(self, name)
            if value is None:
                value, label = self._default(data, name)
            else:
                label = "given"
            if value is not None:
                value = documents.ORGANISATION.field(name).parse(value)
            object.__setattr__(self, name, value)
            sources[name] = label
        if not self.controls.enabled() and self.controls.downtime_scale == 1.0:
            sources["controls"] = self._default(data, "controls")[1]
        object.__setattr__(self, "sources", dict(sources))

    def _default(self, data: comp.ComponentData, name: str) -> tuple[Any, str]:
        if name in ("personal_records", "card_records"):
            return data.default("records", self.industry, self.size)
        return data.default(name, self.industry, self.size)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], data: comp.ComponentData | None = None,
                     where: str = "organisation") -> "OrganisationProfile":
        """Build from a plain mapping (e.g. a TOML table); unknown keys are refused and errors
        name the field's dotted path under ``where`` (``organisation.revenue``)."""
        given = config.check_table(mapping, documents.ORGANISATION, where)
        with check.located(where, PROFILE_KEYS):
            if "controls" in given:
                given["controls"] = Controls(**given["controls"])
            return cls(**given, data=data)  # type: ignore[arg-type]

    @classmethod
    def from_toml(cls, path: str | Path, data: comp.ComponentData | None = None) -> "OrganisationProfile":
        """Read a profile from TOML: the ``[organisation]`` table if present, else the top level
        (the other tables of a profile are left to their readers)."""
        doc = read_profile(path)
        with check.located(f"profile {path}"):
            return cls.from_document(doc, data)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any], data: comp.ComponentData | None = None) -> "OrganisationProfile":
        """The profile of a parsed profile document (see :meth:`from_toml`)."""
        if "organisation" in doc:
            table = doc["organisation"]
        else:
            table = {k: v for k, v in doc.items() if k not in OTHER_TABLES}
        return cls.from_mapping(table, data=data if data is not None else data_from_document(doc))

    def given(self) -> dict[str, Any]:
        """The fields the user gave (defaults left out), as keyword arguments."""
        out = {k: getattr(self, k) for k in ("industry", "size", "name", *_PROFILE_FIELDS)
               if self.sources.get(k, "given") == "given"}
        out["controls"] = self.controls
        return out

    def replace(self, **changes: Any) -> "OrganisationProfile":
        """A variant with some fields changed; defaulted fields are re-derived (e.g. on a
        change of industry)."""
        unknown = [k for k in changes if k not in PROFILE_KEYS]
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(PROFILE_KEYS))})")
        kwargs = {**self.given(), **changes}
        if isinstance(kwargs.get("controls"), Mapping):
            kwargs["controls"] = self.controls.with_(**kwargs["controls"])
        return OrganisationProfile(**kwargs, data=self.data)

    def with_controls(self, **changes: Any) -> "OrganisationProfile":
        """A variant with controls switched, e.g. ``profile.with_controls(restore_drills=True)``."""
        return OrganisationProfile(**{**self.given(), "controls": self.controls.with_(**changes)}, data=self.data)

    @property
    def daily_gross_profit(self) -> float:
        """Revenue x gross margin / 365 (calendar days, as Japanese BI cover counts them)."""
        return self.revenue * self.gross_margin / comp.DAYS_PER_YEAR

    def records_held(self, kind: str) -> float | None:
        """Records held of ``kind`` ("personal" or "card"), None when unknown."""
        value = {"personal": self.personal_records, "card": self.card_records}[kind]
        return None if value is None else float(value)

    def fields(self) -> dict[str, Any]:
        """Every field's value (controls as the list of those enabled), for reports and JSON."""
        out = {k: getattr(self, k) for k in ("name", "industry", "size", *_PROFILE_FIELDS)}
        out["controls"] = list(self.controls.enabled())
        return out

    def describe(self) -> pd.DataFrame:
        """One row per field: its label, value and where the value comes from."""
        rows = []
        for key in ("name", "industry", "size", *_PROFILE_FIELDS, "controls"):
            value = getattr(self, key)
            if key == "controls":
                value = ", ".join(self.controls.enabled()) or "none"
                if self.controls.downtime_scale != 1.0:
                    value += f"; downtime x {self.controls.downtime_scale:g}"
                label = "controls (対策)"
            else:
                label = _label(key)
            if value is None:
                value = "unknown"
            rows.append({"field": label, "value": value, "source": self.sources[key]})
        return pd.DataFrame(rows).set_index("field")

    def _html_title(self) -> str:
        return f"OrganisationProfile {escape(self.name)}"


def read_profile(path: str | Path) -> dict[str, Any]:
    """A profile document: TOML whose tables are those of ``config.documents.PROFILE`` when it
    has an ``[organisation]`` table (one file may serve quote, bcp and scenario)."""
    doc = config.read_toml(path, "profile")
    with check.located(f"profile {path}"):
        check_tables(doc)
    return doc


def check_tables(doc: Mapping[str, Any]) -> None:
    """A profile document with an ``[organisation]`` table holds only the tables of the
    profile format; others are typos."""
    if "organisation" not in doc:
        return
    unknown = [k for k in doc if k not in documents.PROFILE.keys]
    if unknown:
        tables = ", ".join(f"[{t}]" for t in ("organisation", *OTHER_TABLES))
        raise check.InputError(f"unknown table {unknown[0]!r} (a profile takes [organisation], "
                               f"{', '.join(f'[{t}]' for t in OTHER_TABLES)})",
                               check.Need("unknown", key=str(unknown[0]), noun="table", choices=(tables,)))


def data_from_document(doc: Mapping[str, Any]) -> comp.ComponentData:
    """Component data with the document's ``[overrides]`` applied (nested tables or quoted
    dotted keys, e.g. ``"controls.restore_drills.downtime.ransomware" = 0.3``)."""
    overrides = doc.get("overrides")
    if overrides is None:
        return comp.load()
    check.table("overrides", overrides)
    with check.located("overrides"):
        return comp.load(overrides=dict(_flatten(overrides)))


def _flatten(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.extend(_flatten(value, path + "."))
        else:
            out.append((path, value))
    return out
