"""Experience fitting: an insurer's own claims blended with the JNSA 2025 calibration.

    >>> from cyberloss import experience
    >>> fit = experience.fit("claims.csv", "exposure.csv")     # the JNSA calibration as prior
    >>> fit.severity_table()        # truncated/censored MLE, SEs, naive fit, JNSA prior
    >>> fit.credibility_table()     # claims, prior expectation and credibility per group
    >>> fit.calibration.save("fitted.json")    # calibration.load("fitted.json") reads it back
    >>> fit.plot("ransomware")      # QQ and probability plots on the truncated/censored scale

Modules: ``severity`` (the lognormal MLE under left truncation and right censoring, the
product-limit estimator), ``claims`` (reading the claims and exposure files), ``fit`` (the
severity fits and the credibility update of the frequency), ``synthetic`` (a book drawn from
a known model).  The model is described in docs/MODEL_NOTES.md, "Experience fitting".
"""
from __future__ import annotations

from . import claims, fitting, severity, synthetic
from .claims import read_claims, read_exposure
from .fitting import ExperienceFit, fit

__all__ = ["ExperienceFit", "fit", "read_claims", "read_exposure", "claims", "fitting", "severity", "synthetic"]
