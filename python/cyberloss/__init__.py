"""cyberloss: Monte Carlo cyber-incident loss distributions for Japanese organisations.

Frequency and severity by attack type, calibrated to JNSA's 2025 victim-organisation survey;
a parallel C++ engine with counter-based random streams (results depend only on the seed and
the model). See README.md and docs/ for the model and its assumptions.
"""
from __future__ import annotations

try:
    from . import _core
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "cyberloss's compiled core (cyberloss._core) is not built. From the repository root run "
        "`make build` (or `pip install .`), which installs the Debian libraries and compiles it."
    ) from exc

from . import random, stats
from .display import format_yen
from .distributions import (
    Frequency,
    Lognormal,
    NegativeBinomial,
    Poisson,
    Severity,
    SplicedLognormalGPD,
)
from .engine import AttackType, Model, SimulationResult, simulate

__version__: str = _core.__version__

__all__ = [
    "AttackType",
    "Frequency",
    "Lognormal",
    "Model",
    "NegativeBinomial",
    "Poisson",
    "Severity",
    "SimulationResult",
    "SplicedLognormalGPD",
    "format_yen",
    "random",
    "simulate",
    "stats",
]
