"""Per-incident loss components: split of the survey loss, downtime, internal effort.

The JNSA survey amounts cover response costs and liability (費用損害, 賠償責任).  This module
splits each event's survey-basis loss into named response-cost components and adds the two
parts respondents did not count: business interruption (利益損害, lost profit over the
downtime) and internal effort (内部工数).  Everything here is pure NumPy on arrays of
uniforms, so the same code serves the Monte Carlo (uniforms from the package's counter-based
streams) and checks against closed forms.  The numbers live in ``data/components.json``.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from . import _input, _json, _validate as check

RESPONSE = (
    "investigation", "recovery", "legal", "notification",
    "callcenter", "condolence", "liability", "prevention",
)
ADDED = ("lost_profit", "internal_effort")
COMPONENTS = RESPONSE + ADDED
#: Sections a Japanese cyber policy usually insures; prevention and internal effort are not.
USUALLY_INSURED = RESPONSE[:-1] + ("lost_profit",)

#: Position of the extra uniforms inside an event's block of 16 COMPONENTS draws.
DRAW_RECORDS_EXPOSED = len(RESPONSE)
DRAW_GIFTS_PAID = len(RESPONSE) + 1
DRAWS_PER_EVENT = 16

DAYS_PER_YEAR = 365.0


def standard_normal_quantile(u: np.ndarray | float) -> np.ndarray:
    """Inverse of the standard normal CDF, vectorised (Wichura 1988, AS 241 PPND16).

    Relative accuracy about 1e-16 over (0, 1); ``u`` must lie strictly inside (0, 1).
    """
    u = np.asarray(u, dtype=np.float64)
    if np.any(~((u > 0.0) & (u < 1.0))):
        raise ValueError("u must lie strictly inside (0, 1)")
    q = u - 0.5
    out = np.empty_like(u)
    central = np.abs(q) <= 0.425
    r = 0.180625 - q[central] ** 2
    out[central] = q[central] * _poly(r, _A) / _poly(r, _B)
    tail = ~central
    r = np.where(q[tail] < 0.0, u[tail], 1.0 - u[tail])
    r = np.sqrt(-np.log(r))
    near = r <= 5.0
    val = np.where(
        near,
        _poly(r - 1.6, _C) / _poly(r - 1.6, _D),
        _poly(r - 5.0, _E) / _poly(r - 5.0, _F),
    )
    out[tail] = np.where(q[tail] < 0.0, -val, val)
    return out


def _poly(x: np.ndarray, coeffs: tuple[float, ...]) -> np.ndarray:
    acc = np.zeros_like(x)
    for c in reversed(coeffs):
        acc = acc * x + c
    return acc


_A = (3.387132872796366608, 133.14166789178437745, 1971.5909503065514427,
      13731.693765509461125, 45921.953931549871457, 67265.770927008700853,
      33430.575583588128105, 2509.0809287301226727)
_B = (1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
      21213.794301586595867, 39307.89580009271061, 28729.085735721942674,
      5226.495278852545925)
_C = (1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055,
      3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177,
      0.0227238449892691845833, 7.7454501427834140764e-4)
_D = (1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
      0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4,
      1.05075007164441684324e-9)
_E = (6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358,
      0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386,
      2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F = (1.0, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
      7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7,
      2.04426310338993978564e-15)


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


@dataclass(frozen=True)
class LognormalDays:
    """Lognormal duration (days or person-months) given its median and log-scale sigma."""

    median: float
    sigma: float

    def __post_init__(self) -> None:
        _require_positive("median", self.median)
        _require_positive("sigma", self.sigma, allow_zero=True)

    @classmethod
    def from_mean(cls, mean: float, sigma: float) -> "LognormalDays":
        _require_positive("mean", mean)
        return cls(mean * math.exp(-0.5 * sigma * sigma), sigma)

    def quantile(self, u: np.ndarray | float) -> np.ndarray:
        return self.median * np.exp(self.sigma * standard_normal_quantile(u))

    def mean(self) -> float:
        return self.median * math.exp(0.5 * self.sigma ** 2)

    def sf(self, x: float) -> float:
        """P(X >= x)."""
        return 1.0 - _normal_cdf(math.log(x / self.median) / self.sigma) if x > 0 else 1.0


@dataclass(frozen=True)
class CardSuspension:
    """Days card payment stays suspended after a card leak (JNSA: mean 131.8, >60% >= 6 months).

    A mixture drawn by inverse CDF from one uniform: below ``1 - long_probability`` a lognormal
    truncated below ``long_start`` (short suspensions); above it ``long_start`` plus an
    exponential excess.  The quantile is monotone in ``u``, so common random numbers hold.
    """

    long_probability: float
    long_start: float
    long_excess_mean: float
    short_median: float
    short_sigma: float

    def __post_init__(self) -> None:
        if not 0.0 < self.long_probability < 1.0:
            raise ValueError(f"long_probability must lie in (0, 1), got {self.long_probability!r}")
        for name in ("long_start", "long_excess_mean", "short_median", "short_sigma"):
            _require_positive(name, getattr(self, name))

    def _short_mass(self) -> float:
        return _normal_cdf(math.log(self.long_start / self.short_median) / self.short_sigma)

    def quantile(self, u: np.ndarray | float) -> np.ndarray:
        u = np.asarray(u, dtype=np.float64)
        p_short = 1.0 - self.long_probability
        short_u = np.clip(u / p_short, 1e-300, 1.0 - 1e-16) * self._short_mass()
        short = self.short_median * np.exp(self.short_sigma * standard_normal_quantile(short_u))
        long_u = np.clip((u - p_short) / self.long_probability, 0.0, 1.0 - 1e-16)
        long = self.long_start - self.long_excess_mean * np.log1p(-long_u)
        return np.where(u < p_short, np.minimum(short, self.long_start), long)

    def mean(self) -> float:
        s = self.short_sigma
        mu = math.log(self.short_median)
        short_mean = (math.exp(mu + 0.5 * s * s)
                      * _normal_cdf((math.log(self.long_start) - mu - s * s) / s)
                      / self._short_mass())
        return ((1.0 - self.long_probability) * short_mean
                + self.long_probability * (self.long_start + self.long_excess_mean))

    def sf(self, x: float) -> float:
        """P(X >= x)."""
        if x <= self.long_start:
            short_below = _normal_cdf(math.log(x / self.short_median) / self.short_sigma) if x > 0 else 0.0
            return 1.0 - (1.0 - self.long_probability) * short_below / self._short_mass()
        return self.long_probability * math.exp(-(x - self.long_start) / self.long_excess_mean)


@dataclass(frozen=True)
class ComponentData:
    """The contents of ``components.json`` (after overrides), with typed accessors."""

    raw: Mapping[str, Any]

    def mean_shares(self, attack_type: str) -> np.ndarray:
        values = self._section("shares", attack_type)["values"]
        shares = np.array([float(values[c]) for c in RESPONSE])
        if np.any(shares < 0) or not math.isclose(shares.sum(), 1.0, abs_tol=1e-9):
            raise ValueError(
                f"shares.{attack_type} must be >= 0 and sum to 1, got sum {shares.sum():.6g}")
        return shares

    @property
    def dispersion(self) -> float:
        value = float(self.raw["shares"]["dispersion"]["value"])
        _require_positive("shares.dispersion.value", value, allow_zero=True)
        return value

    def downtime(self, attack_type: str) -> LognormalDays | CardSuspension:
        spec = self._section("downtime", attack_type)
        if spec["distribution"] == "lognormal":
            return LognormalDays(float(spec["median"]), float(spec["sigma"]))
        if spec["distribution"] == "card_suspension":
            return CardSuspension(*(float(spec[k]) for k in (
                "long_probability", "long_start", "long_excess_mean", "short_median", "short_sigma")))
        raise ValueError(f"downtime.{attack_type}.distribution unknown: {spec['distribution']!r}")

    def closure(self, attack_type: str) -> tuple[float, float] | None:
        """(closure days, share of sales lost after reopening) where the site reopens with cards
        suspended (card leaks); None where the whole downtime is a full stop."""
        spec = self._section("downtime", attack_type)
        if "closure_days" not in spec:
            return None
        lost = float(spec["card_sales_lost_share"])
        if not 0.0 <= lost <= 1.0:
            raise ValueError(f"downtime.{attack_type}.card_sales_lost_share must lie in [0, 1], got {lost!r}")
        return float(spec["closure_days"]), lost

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
        floor = float(spec["floor"])
        if not 0.0 < floor <= 1.0:
            raise ValueError(f"web_exposure.floor must lie in (0, 1], got {floor!r}")
        return max(ec_share, floor) / max(default_ec_share, floor)

    def size_exposure_factor(self, size: str, employees: float) -> float:
        """Rate multiplier (employees / class mean employees) ** elasticity (an assumption)."""
        spec = self.raw["size_exposure"]
        elasticity = float(spec["elasticity"])
        if not math.isfinite(elasticity) or not 0.0 <= elasticity <= 1.0:
            raise ValueError(f"size_exposure.elasticity must lie in [0, 1], got {elasticity!r}")
        mean = float(spec["class_mean_employees"][size])
        if not math.isfinite(mean) or mean <= 0:
            raise ValueError(f"size_exposure.class_mean_employees.{size} must be > 0, got {mean!r}")
        return (max(float(employees), 1.0) / mean) ** elasticity

    @property
    def max_downtime_days(self) -> float:
        return float(self.raw["downtime"]["max_days"]["value"])

    def effort(self, attack_type: str) -> LognormalDays:
        spec = self._section("effort", attack_type)
        return LognormalDays.from_mean(float(spec["mean"]), float(spec["sigma"]))

    def records(self, attack_type: str) -> Mapping[str, Any]:
        return self._section_in(self.raw["records"]["by_type"], "records.by_type", attack_type)

    def unit_cost(self, name: str) -> float:
        return float(self.raw["records"]["unit_costs"][name]["value"])

    @property
    def control_names(self) -> tuple[str, ...]:
        return tuple(k for k in self.raw["controls"] if k != "about")

    def control(self, name: str) -> Mapping[str, Any]:
        return self._section_in(self.raw["controls"], "controls", name)

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

    def provenance(self, section: str, key: str) -> str:
        spec = self._section(section, key)
        return f"{spec['quality']} ({spec['source']})"

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
        raw = _input.read_json(path, "components file")
    if not isinstance(raw, dict) or raw.get("format") != "cyberloss-components/1":
        raise ValueError(f"components data format must be 'cyberloss-components/1', got {raw.get('format') if isinstance(raw, dict) else check.shown(raw)!r}")
    if overrides:
        raw = copy.deepcopy(raw)
        for dotted, value in overrides.items():
            _set_path(raw, dotted, value)
    data = ComponentData(raw)
    _validate(data)
    return data


def _validate(data: ComponentData) -> None:
    """Check every value once, at load, so that a bad override fails with its path."""
    types = [k for k in data.raw["shares"] if k not in ("about", "dispersion")]
    _require_positive("shares.dispersion.value", data.dispersion, allow_zero=True)
    for t in types:
        data.mean_shares(t)
        if t in data.raw["downtime"]:     # minor incidents: recovery and effort from the calibration
            data.downtime(t)
            data.closure(t)
            data.affects(t)
        if t in data.raw["effort"]:
            data.effort(t)
        rec = data.records(t)
        for key in ("exposure_probability", "exposed_share", "gift_probability"):
            value = rec[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ValueError(f"records.by_type.{t}.{key} must lie in [0, 1], got {value!r}")
        for c in rec["record_driven"]:
            if c not in ("notification", "condolence", "liability"):
                raise ValueError(f"records.by_type.{t}.record_driven names {c!r}; "
                                 "record-driven components are notification, condolence, liability")
    for name, spec in data.raw["records"]["unit_costs"].items():
        _require_positive(f"records.unit_costs.{name}.value", spec["value"], allow_zero=True)
    _require_positive("downtime.max_days.value", data.max_downtime_days)
    for control in data.control_names:
        spec = data.control(control)
        for kind in ("frequency", "downtime", "effort"):
            for key, value in spec.get(kind, {}).items():
                _require_factor(value, f"controls.{control}.{kind}.{key}")
        for key, table in spec.get("severity", {}).items():
            for component, value in table.items():
                if component not in RESPONSE:
                    raise ValueError(f"controls.{control}.severity.{key} names unknown component {component!r}")
                _require_factor(value, f"controls.{control}.severity.{key}.{component}")


def _require_factor(value: Any, where: str) -> None:
    check.number(where, value, 0.0, lo_open=True)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _set_path(raw: dict, dotted: str, value: Any) -> None:
    """Replace one value; the new value must be of the kind it replaces (a number for a
    number, a text for a text, ...), so every later read of the data sees the types it expects."""
    if not isinstance(dotted, str) or not dotted:
        raise ValueError(f"override path must be a dotted text, got {check.shown(dotted)}")
    keys = dotted.split(".")
    node = raw
    for i, key in enumerate(keys[:-1]):
        if not isinstance(node, dict) or key not in node:
            raise ValueError(f"override path {dotted!r}: no key {key!r}")
        node = node[key]
        if not isinstance(node, dict):
            raise ValueError(f"override path {dotted!r}: {'.'.join(keys[:i + 1])} holds "
                             f"{check.shown(node)}, not a table of fields")
    last = keys[-1]
    if last not in node and not _is_factor_table(keys):
        raise ValueError(f"override path {dotted!r}: no key {last!r}")
    need = _kind(node[last]) if last in node else "a number"
    if need == "a number":
        check.number(dotted, value)
    if _kind(value) != need:
        raise ValueError(f"{dotted} must be {need} like the value it replaces, got {check.shown(value)}")
    node[last] = value


def _is_factor_table(keys: list[str]) -> bool:
    # Control factor tables list only the types they change; adding a type is allowed.
    return len(keys) >= 3 and keys[0] == "controls" and keys[2] in ("frequency", "downtime", "severity", "effort")


def draw_shares(mean_shares: np.ndarray, dispersion: float, u: np.ndarray) -> np.ndarray:
    """Per-event response-cost shares drawn around ``mean_shares``.

    ``mean_shares`` (n, 8) or (8,), ``u`` (n, 8) uniforms.  Lognormal weights with unit mean,
    normalised to sum to one per event.
    """
    z = standard_normal_quantile(u)
    w = np.asarray(mean_shares) * np.exp(dispersion * z - 0.5 * dispersion * dispersion)
    return w / w.sum(axis=-1, keepdims=True)


def business_interruption_days(downtime_days: np.ndarray, closure: tuple[float, float] | None) -> np.ndarray:
    """Full-stop-equivalent days: all of the downtime, or for a card leak the closure days plus
    the lost share of sales over the rest of the suspension."""
    days = np.asarray(downtime_days, dtype=np.float64)
    if closure is None:
        return days
    closure_days, lost_share = closure
    closed = np.minimum(days, closure_days)
    return closed + lost_share * (days - closed)


def _require_positive(name: str, value: float, allow_zero: bool = False) -> None:
    check.number(name, value, 0.0, lo_open=not allow_zero)
