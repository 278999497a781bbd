"""The JNSA 2025 calibration: frequency by attack type x industry x size, survey severities.

    >>> from cyberloss import calibration
    >>> cal = calibration.load()                                  # packaged data/jnsa2025.json
    >>> cal.rate("ransomware", "manufacturing", "sme", basis="all", period="recent")
    >>> model = cal.default_model("manufacturing", "sme")          # cyberloss.Model, 5 attack types
    >>> cal.assumptions()                                          # every assumption, with reasons
    >>> calibration.load("fitted.json")          # a calibration fitted by `cyberloss fit`

Modules: ``model`` (:class:`Calibration`, :func:`load`), ``uncertainty`` (parameter draws),
``jnsa`` (the JNSA 2025 tables rebuilt from the model).  The choices are documented in
docs/MODEL_NOTES.md, sections "Calibration" and "Calibration v2".

Calibration v2 (``_incidents``): on the all-incidents basis each incident is *major* (JNSA's
severity) or *contained*; losses and downtimes scale with the organisation's headcount,
normalised so that JNSA's publicised size mix keeps the survey mean and median; and a sixth
attack type, ``minor``, carries the small incidents that never reach the press::

    >>> cal.major_probability("ransomware", "sme")
    >>> cal.major_severity("ransomware", "sme", employees=50)      # cyberloss.Lognormal, JPY
    >>> cal.incident_parameters("manufacturing", "sme", employees=50)   # everything per type
"""
from __future__ import annotations

from . import fitted, jnsa, uncertainty
from ._data import DEFAULT_PATH, MAN_YEN, PERIODS, Assumption, SeverityScope
from ._incidents import BRANCHES, MINOR, ContainedBranch, LognormalParameters, MinorIncidents
from ._size import SizeScale
from .fitted import FittedCalibration, load
from .model import ALL_PERIODS, BASES, Calibration, SeverityFit, from_dict

__all__ = ["load", "from_dict", "Calibration", "FittedCalibration", "SeverityFit", "SeverityScope", "Assumption",
           "ContainedBranch", "LognormalParameters", "MinorIncidents",
           "DEFAULT_PATH", "BASES", "PERIODS", "ALL_PERIODS", "BRANCHES", "MINOR", "SizeScale", "MAN_YEN",
           "fitted", "jnsa", "uncertainty"]
