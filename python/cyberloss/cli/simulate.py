"""``cyberloss simulate SPEC.toml --years N --seed S [--threads T] [--json]``.

JSON keys (stable): years, seed, mean, mean_se, std, var and tvar (objects keyed by level,
e.g. "0.99"), by_type (mean per attack type), annual_loss_sha256 (SHA-256 of the annual-loss
array's little-endian float64 bytes), warnings (list of strings: why the mean and its standard
error may be unreliable for this model and number of years, then one line per field that is
not finite, written as null). Each reliability warning is also printed once to stderr.
"""
from __future__ import annotations

import hashlib
import sys

import numpy as np

from .. import _json
from ..display import man_yen_table
from ..engine import simulate
from ..spec import load_model
from . import _args

LEVELS = (0.9, 0.95, 0.99, 0.995, 0.999)


def annual_loss_sha256(annual: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(annual, dtype="<f8").tobytes()).hexdigest()


def summary(result) -> dict:
    from .. import stats
    v, t = stats.var_tvar(result.annual_loss, LEVELS)
    return {
        "years": int(result.years),
        "seed": int(result.seed),
        "mean": result.mean(),
        "mean_se": result.mean_se(),
        "std": result.std(),
        "var": {f"{p:g}": float(x) for p, x in zip(LEVELS, v)},
        "tvar": {f"{p:g}": float(x) for p, x in zip(LEVELS, t)},
        # the core's pairwise sum: the same bits whatever NumPy sums a strided column with
        "by_type": {name: stats.mean(result.by_type[:, j]) for j, name in enumerate(result.type_names)},
        "annual_loss_sha256": annual_loss_sha256(result.annual_loss),
        "warnings": list(result.warnings),
    }


def print_table(result) -> None:
    shown = man_yen_table(result.describe(levels=(0.99, 0.995)), not_money=("p_loss", "mean_count"),
                          rename=False)
    shown["p_loss"] = shown["p_loss"].map(lambda x: f"{x:.3f}")
    shown["mean_count"] = shown["mean_count"].map(lambda x: f"{x:.3f}")
    print(f"{result.years:,} simulated years, seed {result.seed}; money in 万円 (10,000 JPY)")
    print(shown.to_string())


def run(args) -> int:
    model = load_model(args.spec)
    result = simulate(model, years=args.years, seed=args.seed, threads=args.threads)
    for warning in result.warnings:
        print(f"cyberloss simulate: warning: {warning}", file=sys.stderr)
    if args.json:
        print(_json.dumps(summary(result)))
    else:
        print_table(result)
    return 0


def register(sub) -> None:
    p = sub.add_parser("simulate", help="simulate the annual loss of a model given in TOML")
    p.add_argument("spec", help="TOML file with [[attack_type]] tables (see examples/simulate_basic.toml)")
    p.add_argument("--years", type=_args.COUNT, required=True, help="number of simulated years")
    p.add_argument("--seed", type=_args.SEED, required=True, help="random seed, 0 .. 2**32-1")
    p.add_argument("--threads", type=_args.THREADS, default=None, help="threads (default: all cores)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)
