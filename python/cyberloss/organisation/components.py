"""The per-incident component data (``data/components.json``): what an incident of each attack
type is made of, and the factors of controls and profile defaults.

The JNSA survey amounts cover response costs and liability (費用損害, 賠償責任).  An incident's
survey-basis loss is split into named response-cost components, and two parts respondents did
not count are added: business interruption (利益損害, lost profit over the downtime) and
internal effort (内部工数).  This module reads and checks the numbers (every one with its
source and quality); the model that turns them into each simulated incident's components is
the C++ core's (``include/cyberloss/incident.hpp``), fed by :mod:`.incident`.
"""
from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from .. import _arith, _core, _json, config
from .. import _validate as check
from ..report import language

#: Every component of an incident, in the core's order (JPY columns of event tables).
COMPONENTS: tuple[str, ...] = tuple(_core.COMPONENTS)
#: The eight response components that split the survey-basis loss.
RESPONSE = COMPONENTS[:8]
#: The components the survey does not count: lost profit and internal effort.
ADDED = COMPONENTS[8:]
#: Sections a Japanese cyber policy usually insures; prevention and internal effort are not.
USUALLY_INSURED = RESPONSE[:-1] + ("lost_profit",)
#: The record-driven components (drawn from records exposed, when records held are known).
RECORD_DRIVEN = ("notification", "condolence", "liability")
UNIT_COSTS = {"notification": "notification_per_record", "condolence": "condolence_per_person",
              "liability": "card_compensation_per_card"}
DAYS_PER_YEAR = 365.0
FORMAT = "cyberloss-components/1"


# the parameters of each downtime law, in the order of the core's constructors
DOWNTIME_PARAMETERS = {"lognormal": ("median", "sigma"),
                       "card_suspension": ("long_probability", "long_start", "long_excess_mean",
                                           "short_median", "short_sigma")}


@dataclasses.dataclass(frozen=True)
class ComponentData:
    """The contents of ``components.json`` (after overrides), with typed accessors."""

    raw: Mapping[str, Any]

    @property
    def attack_types(self) -> tuple[str, ...]:
        return tuple(k for k in self.raw["shares"] if k not in ("about", "dispersion"))

    def mean_shares(self, attack_type: str) -> list[float]:
        values = self._section("shares", attack_type)["values"]
        shares = [float(values[c]) for c in RESPONSE]
        if any(s < 0 for s in shares) or not math.isclose(sum(shares), 1.0, abs_tol=1e-9):
            raise ValueError(
                f"shares.{attack_type} must be >= 0 and sum to 1, got sum {sum(shares):.6g}")
        return shares

    @property
    def dispersion(self) -> float:
        return _non_negative("shares.dispersion.value", self.raw["shares"]["dispersion"]["value"])

    def downtime(self, attack_type: str):
        """The type's downtime distribution (days, before controls): the core's
        ``DowntimeDistribution`` (a lognormal, or the card-suspension mixture)."""
        kind, values = self.downtime_parameters(attack_type)
        spec = self._section("downtime", attack_type)
        with check.located(f"downtime.{attack_type}", set(spec)):
            if kind == "lognormal":
                return _core.DowntimeDistribution.lognormal(values["median"], values["sigma"])
            return _core.DowntimeDistribution.card_suspension(**values)

    def downtime_parameters(self, attack_type: str) -> tuple[str, dict[str, float]]:
        """The kind of the type's downtime law and its parameters as the data file gives them
        (lognormal: median, sigma; card_suspension: long_probability, long_start,
        long_excess_mean, short_median, short_sigma); :meth:`downtime` checks them."""
        spec = self._section("downtime", attack_type)
        kind = spec["distribution"]
        if kind not in DOWNTIME_PARAMETERS:
            raise ValueError(f"downtime.{attack_type}.distribution unknown: {kind!r}")
        return kind, {k: spec[k] for k in DOWNTIME_PARAMETERS[kind]}

    def closure(self, attack_type: str) -> tuple[float, float] | None:
        """(closure days, share of sales lost after reopening) where the site reopens with cards
        suspended (card leaks); None where the whole downtime is a full stop (and for ``minor``,
        whose recovery time is the calibration's)."""
        if attack_type in self.attack_types and attack_type not in self.raw["downtime"]:
            return None
        spec = self._section("downtime", attack_type)
        if "closure_days" not in spec:
            return None
        where = f"downtime.{attack_type}"
        return (_non_negative(f"{where}.closure_days", spec["closure_days"]),
                check.number(f"{where}.card_sales_lost_share", spec["card_sales_lost_share"], 0.0, 1.0))

    def affects(self, attack_type: str) -> str:
        """Profile field giving the share of operations a type's downtime stops."""
        field = self._section("downtime", attack_type)["affects"]
        if field not in ("ec_share", "it_dependency"):
            raise ValueError(f"downtime.{attack_type}.affects must be 'ec_share' or 'it_dependency', got {field!r}")
        return field

    def web_exposure_factor(self, attack_type: str, ec_share: float, default_ec_share: float) -> float:
        """Rate multiplier for web leaks: max(ec_share, floor) / max(default ec_share, floor)."""
        spec = self.raw["web_exposure"]
        if attack_type not in spec["attack_types"]:
            return 1.0
        floor = check.number("web_exposure.floor", spec["floor"], 0.0, 1.0, lo_open=True)
        return max(ec_share, floor) / max(default_ec_share, floor)

    def size_exposure_factor(self, size: str, employees: float) -> float:
        """Rate multiplier (employees / class mean employees) ** elasticity (an assumption)."""
        spec = self.raw["size_exposure"]
        elasticity = check.number("size_exposure.elasticity", spec["elasticity"], 0.0, 1.0)
        mean = check.number(f"size_exposure.class_mean_employees.{size}",
                            spec["class_mean_employees"][size], 0.0, lo_open=True)
        return _arith.power(max(float(employees), 1.0) / mean, elasticity)

    @property
    def max_downtime_days(self) -> float:
        return check.number("downtime.max_days.value", self.raw["downtime"]["max_days"]["value"],
                            0.0, lo_open=True)

    def effort(self, attack_type: str) -> tuple[float, float]:
        """(mean person-months, log-scale sigma) of the type's internal effort (lognormal)."""
        spec = self._section("effort", attack_type)
        return (check.number(f"effort.{attack_type}.mean", spec["mean"], 0.0, lo_open=True),
                _non_negative(f"effort.{attack_type}.sigma", spec["sigma"]))

    def records(self, attack_type: str) -> Mapping[str, Any]:
        return self._section_in(self.raw["records"]["by_type"], "records.by_type", attack_type)

    def unit_cost(self, name: str) -> float:
        return float(self.raw["records"]["unit_costs"][name]["value"])

    @property
    def control_names(self) -> tuple[str, ...]:
        return tuple(k for k in self.raw["controls"] if k != "about")

    def control(self, name: str) -> Mapping[str, Any]:
        return self._section_in(self.raw["controls"], "controls", name)

    def label_ja(self, component: str) -> str:
        return self.raw["components"]["labels_ja"][component]

    def default(self, field: str, industry: str, size: str) -> tuple[Any, str]:
        """Default value of a profile field and its provenance label."""
        defaults = self.raw["profile_defaults"]
        for group, key in (("by_industry", industry), ("by_size", size)):
            if field in defaults[group]:
                spec = defaults[group][field]
                if key not in spec["values"]:
                    raise ValueError(f"no default {field} for {group[3:]} {key!r}")
                return spec["values"][key], f"default for {key} ({spec['quality']}, {spec['source']})"
        spec = defaults[field]
        return spec["value"], f"default ({spec['quality']}: {spec['reasoning']})"

    def ranges(self) -> dict[str, tuple[float, float, float, str]]:
        """Every labelled assumption with a plausible range (``ranges`` in the file): override
        path -> (value in use, low, high, reasoning)."""
        out = {}
        for path, spec in self.raw.get("ranges", {}).items():
            if path == "about":
                continue
            node: Any = self.raw
            for key in path.split("."):
                if not isinstance(node, Mapping) or key not in node:
                    raise ValueError(f"ranges.{path}: no value at {path!r}")
                node = node[key]
            value = check.number(f"ranges.{path} (the value in use)", node)
            low = check.number(f"ranges.{path}.low", spec.get("low"))
            high = check.number(f"ranges.{path}.high", spec.get("high"))
            if not low <= high:     # an override may leave the range: it is the user's value
                raise ValueError(f"ranges.{path}: low {low:g} must not exceed high {high:g}")
            reasoning = spec.get("reasoning")
            if not isinstance(reasoning, str) or not reasoning:
                raise ValueError(f"ranges.{path}.reasoning must be a non-empty text, got {check.shown(reasoning)}")
            out[path] = (value, low, high, reasoning)
        return out

    def provenance(self, section: str, key: str) -> str:
        spec = self._section(section, key)
        return f"{spec['quality']} ({spec['source']})"

    def provenance_ja(self, section: str, key: str) -> str:
        """:meth:`provenance` in Japanese: "公表値（JNSA2025）"."""
        spec = self._section(section, key)
        return f"{language.QUALITIES_JA.get(spec['quality'], spec['quality'])}（{spec['source']}）"

    def _section(self, section: str, key: str) -> Mapping[str, Any]:
        return self._section_in(self.raw[section], section, key)

    @staticmethod
    def _section_in(table: Mapping[str, Any], where: str, key: str) -> Mapping[str, Any]:
        if key not in table:
            raise ValueError(f"{where} has no entry {key!r}")
        return table[key]


def load(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None) -> ComponentData:
    """Load the component data; ``overrides`` maps dotted paths to new values, e.g.
    ``{"controls.restore_drills.downtime.ransomware": 0.3}``."""
    if path is None:
        text = resources.files("cyberloss.data").joinpath("components.json").read_text(encoding="utf-8")
        raw = _json.loads(text, "components.json")
    else:
        raw = config.read_json(path, "components file")
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        found = raw.get("format") if isinstance(raw, dict) else check.shown(raw)
        raise ValueError(f"components data format must be {FORMAT!r}, got {found!r}")
    if overrides:
        raw = copy.deepcopy(raw)
        for dotted, value in overrides.items():
            _set_path(raw, dotted, value)
    data = ComponentData(raw)
    _check(data)
    return data


def _check(data: ComponentData) -> None:
    """Check every value once, at load, so that a bad override fails with its path."""
    _ = data.dispersion, data.max_downtime_days      # the properties check as they read
    for size in data.raw["size_exposure"]["class_mean_employees"]:
        data.size_exposure_factor(size, 1.0)
    for t in data.raw["web_exposure"]["attack_types"]:
        data.web_exposure_factor(t, 0.5, 0.5)
    data.ranges()
    for t in data.attack_types:
        data.mean_shares(t)
        if t in data.raw["downtime"]:     # minor incidents: recovery and effort from the calibration
            data.downtime(t)
            data.closure(t)
            data.affects(t)
        if t in data.raw["effort"]:
            data.effort(t)
        rec = data.records(t)
        for key in ("exposure_probability", "exposed_share", "gift_probability"):
            check.number(f"records.by_type.{t}.{key}", rec[key], 0.0, 1.0)
        for c in rec["record_driven"]:
            if c not in RECORD_DRIVEN:
                raise ValueError(f"records.by_type.{t}.record_driven names {c!r}; "
                                 f"record-driven components are {', '.join(RECORD_DRIVEN)}")
    for name, spec in data.raw["records"]["unit_costs"].items():
        _non_negative(f"records.unit_costs.{name}.value", spec["value"])
    for control in data.control_names:
        spec = data.control(control)
        for kind in ("frequency", "downtime", "effort"):
            for key, value in spec.get(kind, {}).items():
                factor(value, f"controls.{control}.{kind}.{key}")
        for key, table in spec.get("severity", {}).items():
            for component, value in table.items():
                if component not in RESPONSE:
                    raise ValueError(f"controls.{control}.severity.{key} names unknown component {component!r}")
                factor(value, f"controls.{control}.severity.{key}.{component}")


def factor(value: Any, where: str) -> float:
    """A control's factor: a finite number > 0."""
    return check.number(where, value, 0.0, lo_open=True)


def _non_negative(where: str, value: Any) -> float:
    return check.number(where, value, 0.0)


#: The kinds of value an override replaces, in English and Japanese (bool before the numbers).
_KINDS = ((bool, "true or false", "true か false"), ((int, float), "a number", "数値"),
          (str, "a text", "文字列"), (list, "a list", "リスト"), (dict, "a table", "表（テーブル）"))


def _kind(value: Any, lang: str = "en") -> str:
    for types, english, japanese in _KINDS:
        if isinstance(value, types):
            return japanese if lang == "ja" else english
    return type(value).__name__


def _no_key(dotted: str, key: str, known) -> check.InputError:
    """An override path naming a key the data has not (``known``: those it has there)."""
    known = tuple(str(k) for k in known if k != "about")
    return check.InputError(f"override path {dotted!r}: no key {key!r}",
                            check.Need("unknown", key=key, noun="key", choices=known or ("なし",)), dotted)


def _set_path(raw: dict, dotted: str, value: Any) -> None:
    """Replace one value; the new value must be of the kind it replaces (a number for a
    number, a text for a text, ...), so every later read of the data sees the types it expects.
    A number may be given as a text of digits, as in the profile's other tables ("０.３", "1,200").
    A control's factor table may name a type or component it does not list yet
    (:func:`_addable_keys`)."""
    if not isinstance(dotted, str) or not dotted:
        raise check.InputError(f"override path must be a dotted text, got {check.shown(dotted)}",
                               check.Need("relation", detail="ドットで区切ったパスの文字列"
                                                             "（'controls.edr.frequency.ransomware' など）"),
                               value=dotted)
    keys = dotted.split(".")
    node = raw
    for i, key in enumerate(keys[:-1]):
        if not isinstance(node, dict) or key not in node:
            raise _no_key(dotted, key, node if isinstance(node, dict) else ())
        node = node[key]
        if not isinstance(node, dict):
            held = ".".join(keys[:i + 1])
            raise check.InputError(f"override path {dotted!r}: {held} holds {check.shown(node)}, "
                                   "not a table of fields",
                                   check.Need("relation", detail=f"{held} までの表のキーのパス（{held} は"
                                                                 f"{_kind(node, 'ja')}で、表ではない）"),
                                   dotted)
    last = keys[-1]
    if last not in node:
        addable = _addable_keys(raw, keys)
        if last not in addable:
            raise _no_key(dotted, last, addable or node)
    need = _kind(node[last]) if last in node else "a number"
    if need == "a number":
        if isinstance(value, str) and config.number_in_text(value) is not None:
            value = config.number_in_text(value)
        check.number(dotted, value)
    if _kind(value) != need:
        need_ja = _kind(node[last], "ja") if last in node else "数値"
        raise check.InputError(f"{dotted} must be {need} like the value it replaces, got {check.shown(value)}",
                               check.Need("relation", detail=f"置き換える値と同じ{need_ja}"), dotted, value)
    node[last] = value


def _addable_keys(raw: Mapping[str, Any], keys: list[str]) -> tuple[str, ...]:
    """The keys an override may add at ``keys``: a control's factor tables list only what they
    change, so its frequency, downtime and effort tables take any attack type (or "all"), and
    its severity tables (per type, or "all") any response component; elsewhere none."""
    if keys[0] != "controls" or len(keys) < 4:
        return ()
    if len(keys) == 4 and keys[2] in ("frequency", "downtime", "effort"):
        return ("all", *ComponentData(raw).attack_types)
    if len(keys) == 5 and keys[2] == "severity":
        return RESPONSE
    return ()
