"""The external figures (``data/external.json``): read once, validated, errors naming the key."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .. import _validate, config

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "external.json"
QUALITIES = ("published", "secondary", "derived", "approximate")
ROLES = ("calibration target", "check", "input", "not compared")
_FIELDS = {"value", "low", "high", "unit", "statistic", "population", "source", "quality", "role",
           "note", "reason"}


@dataclass(frozen=True)
class Figure:
    """One external figure: what it measures, over which population, from where."""

    key: str
    value: float | dict[str, float]
    unit: str
    statistic: str
    population: str
    source: str
    quality: str
    role: str
    note: str = ""
    reason: str = ""
    low: float | None = None
    high: float | None = None

    @property
    def number(self) -> float:
        """The value of a one-number figure (a table of values is refused by name)."""
        if isinstance(self.value, dict):
            raise ValueError(f"external figure {self.key} is a table of values, not one number")
        return self.value

    @property
    def half_band(self) -> float:
        """Half the width of the figure's stated range (0 without one): "more than half" is a band."""
        return 0.0 if self.low is None or self.high is None else 0.5 * (self.high - self.low)


def _fail(origin: str, message: str) -> ValueError:
    return ValueError(f"external figures {origin}: {message}")


def _number(origin: str, value: Any, where: str) -> float:
    try:
        return _validate.number(f"'{where}'", value, cap=1e15)
    except ValueError as exc:
        raise _fail(origin, str(exc)) from None


def _text(origin: str, node: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = node.get(key, "")
    if (required and key not in node) or not isinstance(value, str) or (required and not value):
        raise _fail(origin, f"'{where}.{key}' must be a non-empty text, got {_validate.shown(value)}")
    return value


def parse(raw: Any, origin: str = "<dict>") -> dict[str, Figure]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("figures"), Mapping):
        raise _fail(origin, "must be an object with a 'figures' table")
    sources = raw.get("sources", {})
    if not isinstance(sources, Mapping):
        raise _fail(origin, "'sources' must be an object")
    out = {}
    for key, node in raw["figures"].items():
        where = f"figures.{key}"
        if not isinstance(node, Mapping):
            raise _fail(origin, f"'{where}' must be an object, got {_validate.shown(node)}")
        unknown = set(node) - _FIELDS
        if unknown:
            raise _fail(origin, f"unknown field '{where}.{sorted(unknown)[0]}' (known: {', '.join(sorted(_FIELDS))})")
        if "value" not in node:
            raise _fail(origin, f"missing key '{where}.value'")
        value = node["value"]
        if isinstance(value, Mapping):
            value = {k: _number(origin, v, f"{where}.value.{k}") for k, v in value.items()}
        else:
            value = _number(origin, value, f"{where}.value")
        quality, role = node.get("quality"), node.get("role")
        if quality not in QUALITIES:
            raise _fail(origin, f"'{where}.quality' must be one of {', '.join(QUALITIES)}, got {quality!r}")
        if role not in ROLES:
            raise _fail(origin, f"'{where}.role' must be one of {', '.join(ROLES)}, got {role!r}")
        source = _text(origin, node, "source", where)
        for part in (s.strip() for s in source.split(",")):
            if part not in sources:
                raise _fail(origin, f"'{where}.source' names unknown source {part!r} (known: {', '.join(sources)})")
        low = _number(origin, node["low"], f"{where}.low") if "low" in node else None
        high = _number(origin, node["high"], f"{where}.high") if "high" in node else None
        if (low is None) != (high is None) or (low is not None and not low <= value <= high):
            raise _fail(origin, f"'{where}.low' and '.high' must both be given and bracket the value")
        out[key] = Figure(key, value, _text(origin, node, "unit", where), _text(origin, node, "statistic", where),
                          _text(origin, node, "population", where), source, quality, role,
                          _text(origin, node, "note", where, required=role == "input"),
                          _text(origin, node, "reason", where, required=role == "not compared"),
                          low, high)
    return out


def load(path: str | Path | None = None) -> dict[str, Figure]:
    file = DEFAULT_PATH if path is None else config.path_of(path, "external figures")
    return parse(config.read_json(file, "external figures"), str(file))
