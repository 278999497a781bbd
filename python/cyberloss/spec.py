"""Model specifications in TOML (for the command line and for users' files).

    [[attack_type]]
    name = "ransomware"
    frequency = { distribution = "poisson", rate = 0.05 }
    severity = { distribution = "lognormal", mean = 49_590_000, median = 32_600_000 }

Frequencies: ``poisson`` (rate) or ``negative_binomial`` (mean, dispersion). Severities:
``lognormal`` (mu and sigma, or mean and median, JPY) or ``spliced_lognormal_gpd`` (a lognormal
body given as above plus threshold, xi and optional beta). Errors name the offending key.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from . import _input, _validate
from .distributions import Lognormal, NegativeBinomial, Poisson, SplicedLognormalGPD
from .engine import AttackType, Model

MAX_ANNUAL_COUNT = 2**31 - 1


def _take(table: dict, key: str, where: str) -> Any:
    if key not in table:
        raise ValueError(f"{where}: missing key '{key}'")
    return table[key]


def _number(table: dict, key: str, where: str) -> float:
    return _validate.number(f"{where}.{key}", _take(table, key, where))


def _check_keys(table: Any, allowed: set[str], where: str) -> None:
    _validate.table(where, table)
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; expected {sorted(allowed)}")


def _located(where: str, table: dict, build):
    """Run build(); errors from the distributions' own checks ("rate must be ...") get the
    spec location ("attack_type[0].frequency.rate must be ...")."""
    with _validate.located(where, set(table)):
        return build()


def _kind(table: Any, where: str) -> str:
    _validate.table(where, table)
    kind = _take(table, "distribution", where)
    if not isinstance(kind, str):
        raise ValueError(f"{where}.distribution must be a name, got {_validate.shown(kind)}")
    return kind


def frequency_from_dict(table: dict, where: str = "frequency"):
    kind = _kind(table, where)
    if kind == "poisson":
        _check_keys(table, {"distribution", "rate"}, where)
        return _bounded_count(where, table, _located(
            where, table, lambda: Poisson(_number(table, "rate", where))))
    if kind == "negative_binomial":
        _check_keys(table, {"distribution", "mean", "dispersion"}, where)
        return _bounded_count(where, table, _located(
            where, table, lambda: NegativeBinomial(_number(table, "mean", where),
                                                   _number(table, "dispersion", where))))
    raise ValueError(f"{where}.distribution: unknown frequency {kind!r}; "
                     "expected 'poisson' or 'negative_binomial'")


def _lognormal(table: dict, where: str) -> Lognormal:
    if "mu" in table or "sigma" in table:
        return Lognormal(_number(table, "mu", where), _number(table, "sigma", where))
    return Lognormal.from_mean_median(_number(table, "mean", where), _number(table, "median", where))


def severity_from_dict(table: dict, where: str = "severity"):
    kind = _kind(table, where)
    body_keys = {"distribution", "mu", "sigma", "mean", "median"}
    if kind == "lognormal":
        _check_keys(table, body_keys, where)
        return _finite_mean(where, table, _located(where, table, lambda: _lognormal(table, where)))
    if kind == "spliced_lognormal_gpd":
        _check_keys(table, body_keys | {"threshold", "xi", "beta"}, where)
        return _finite_mean(where, table, _located(where, table, lambda: SplicedLognormalGPD(
            _lognormal(table, where), _number(table, "threshold", where),
            _number(table, "xi", where), _number(table, "beta", where) if "beta" in table else 0.0)))
    raise ValueError(f"{where}.distribution: unknown severity {kind!r}; "
                     "expected 'lognormal' or 'spliced_lognormal_gpd'")


def _finite_mean(where: str, table: dict, severity):
    """A severity whose mean overflows a float64 would make every statistic infinite."""
    try:
        severity.mean()
    except ValueError as exc:
        given = ", ".join(f"{k}={v!r}" for k, v in table.items() if k != "distribution")
        raise ValueError(f"{where}: {exc}; got {given}") from None
    return severity


def _bounded_count(where: str, table: dict, frequency):
    """Annual counts are 32-bit in the engine: refuse a frequency that could exceed them."""
    mean, sd = frequency.mean(), frequency.variance() ** 0.5
    if mean + 10.0 * sd >= MAX_ANNUAL_COUNT:
        given = ", ".join(f"{k}={v!r}" for k, v in table.items() if k != "distribution")
        raise ValueError(f"{where}: the mean annual count must stay well below {MAX_ANNUAL_COUNT:,} "
                         f"(counts are 32-bit), got {given}")
    return frequency


def model_from_dict(spec: dict) -> Model:
    _check_keys(spec, {"attack_type"}, "spec")
    types = spec.get("attack_type")
    if not isinstance(types, list) or not types:
        raise ValueError("spec: needs at least one [[attack_type]] table, got "
                         f"{'none' if types is None else _validate.shown(types)}")
    built = []
    names: set[str] = set()
    for i, t in enumerate(types):
        where = f"attack_type[{i}]"
        _check_keys(t, {"name", "frequency", "severity"}, where)
        name = _validate.text(f"{where}.name", _take(t, "name", where))
        if name in names:
            raise ValueError(f"{where}.name: {name!r} is used by an earlier attack type")
        names.add(name)
        built.append(AttackType(name,
                                frequency_from_dict(_take(t, "frequency", where), f"{where}.frequency"),
                                severity_from_dict(_take(t, "severity", where), f"{where}.severity")))
    return Model(built)


def load_model(path: str | Path) -> Model:
    doc = _input.read_toml(path, "spec file")
    with _validate.located(f"spec file {path}"):
        return model_from_dict(doc)
