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

import tomllib
from pathlib import Path
from typing import Any

from .distributions import Lognormal, NegativeBinomial, Poisson, SplicedLognormalGPD
from .engine import AttackType, Model


def _take(table: dict, key: str, where: str) -> Any:
    if key not in table:
        raise ValueError(f"{where}: missing key '{key}'")
    return table[key]


def _number(table: dict, key: str, where: str) -> float:
    value = _take(table, key, where)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}.{key}: must be a number, got {value!r}")
    return float(value)


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; expected {sorted(allowed)}")


def _located(where: str, build):
    """Run build(); prefix errors from the distributions' own checks with the spec location."""
    try:
        return build()
    except ValueError as exc:
        if str(exc).startswith(where):
            raise
        raise ValueError(f"{where}: {exc}") from None


def frequency_from_dict(table: dict, where: str = "frequency"):
    kind = _take(table, "distribution", where)
    if kind == "poisson":
        _check_keys(table, {"distribution", "rate"}, where)
        return _located(where, lambda: Poisson(_number(table, "rate", where)))
    if kind == "negative_binomial":
        _check_keys(table, {"distribution", "mean", "dispersion"}, where)
        return _located(where, lambda: NegativeBinomial(_number(table, "mean", where),
                                                        _number(table, "dispersion", where)))
    raise ValueError(f"{where}.distribution: unknown frequency {kind!r}; "
                     "expected 'poisson' or 'negative_binomial'")


def _lognormal(table: dict, where: str) -> Lognormal:
    if "mu" in table or "sigma" in table:
        return Lognormal(_number(table, "mu", where), _number(table, "sigma", where))
    return Lognormal.from_mean_median(_number(table, "mean", where), _number(table, "median", where))


def severity_from_dict(table: dict, where: str = "severity"):
    kind = _take(table, "distribution", where)
    body_keys = {"distribution", "mu", "sigma", "mean", "median"}
    if kind == "lognormal":
        _check_keys(table, body_keys, where)
        return _located(where, lambda: _lognormal(table, where))
    if kind == "spliced_lognormal_gpd":
        _check_keys(table, body_keys | {"threshold", "xi", "beta"}, where)
        return _located(where, lambda: SplicedLognormalGPD(
            _lognormal(table, where), _number(table, "threshold", where),
            _number(table, "xi", where), float(table.get("beta", 0.0))))
    raise ValueError(f"{where}.distribution: unknown severity {kind!r}; "
                     "expected 'lognormal' or 'spliced_lognormal_gpd'")


def model_from_dict(spec: dict) -> Model:
    types = spec.get("attack_type")
    if not isinstance(types, list) or not types:
        raise ValueError("spec: needs at least one [[attack_type]] table")
    built = []
    for i, t in enumerate(types):
        where = f"attack_type[{i}]"
        _check_keys(t, {"name", "frequency", "severity"}, where)
        name = _take(t, "name", where)
        built.append(AttackType(str(name),
                                frequency_from_dict(_take(t, "frequency", where), f"{where}.frequency"),
                                severity_from_dict(_take(t, "severity", where), f"{where}.severity")))
    return Model(built)


def load_model(path: str | Path) -> Model:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"spec file not found: {p}")
    try:
        spec = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{p}: not valid TOML: {exc}") from None
    return model_from_dict(spec)
