"""The JNSA 2025 calibration: frequency by attack type x industry x size, survey severities.

    >>> from cyberloss import calibration
    >>> cal = calibration.load()                                  # packaged data/jnsa2025.json
    >>> cal.rate("ransomware", "manufacturing", "sme", basis="all", period="recent")
    >>> model = cal.default_model("manufacturing", "sme")          # cyberloss.Model, 5 attack types
    >>> cal.assumptions()                                          # every assumption, with reasons

Modules: ``model`` (:class:`Calibration`, :func:`load`), ``uncertainty`` (parameter draws),
``jnsa`` (the JNSA 2025 tables rebuilt from the model).  The choices are documented in
docs/MODEL_NOTES.md, section "Calibration".
"""
from __future__ import annotations

from . import jnsa, uncertainty
from ._data import DEFAULT_PATH, MAN_YEN, PERIODS, Assumption, SeverityScope
from .model import BASES, Calibration, SeverityFit, from_dict, load

__all__ = ["load", "from_dict", "Calibration", "SeverityFit", "SeverityScope", "Assumption",
           "DEFAULT_PATH", "BASES", "PERIODS", "MAN_YEN", "jnsa", "uncertainty"]
