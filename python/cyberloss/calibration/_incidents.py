"""Calibration v2: what one incident of each attack type looks like, by branch and size.

On the all-incidents basis an incident of a JNSA attack type ``a`` at an organisation of size
class ``s`` with ``h`` employees is

* **major** with probability ``pi_{a,s} = max(p_a, 1 / RF_s)`` (``branch.<a>.major_probability``;
  ``RF_s`` the size's reporting factor): a business-stopping incident with the JNSA survey
  severity ``LN(mu0_{a,p} + e_L ln(h / h_ref), sigma0_{a,p})`` (``_size.normalise``: the
  publicised size mix keeps the survey mean and median) and the type's interview-based
  downtime, scaled by ``(h / h_ref) ** e_D``;
* **contained** otherwise: caught early, ``LN(ln m_c + e_L ln(h / h_ref), sigma_c)`` loss and
  ``LN(ln d_c + e_D ln(h / h_ref), s_c)`` downtime days (``contained.<a>.*``).

Only major incidents are publicised, each with probability ``1 / (RF_s pi_{a,s})``, so the
publicised rate is the all-incidents rate / ``RF_s`` and the publicised severity of each size
is the major one: the publicised basis is JNSA's fit, exactly as before.

The sixth attack type ``minor`` (malware without encryption, account takeover, defacement,
small leaks) is never publicised: rate ``r_m w_i (h / h_ref) ** e_m`` per year (``w_i`` the
industry weight of companies, 1 for organisations), loss ``LN(ln m_m + e_L ln(h / h_ref),
sigma_m)``, recovery days ``LN(ln d_m + e_D ln(h / h_ref), s_m)`` capped like every downtime.

``h_ref`` is the SME class's mean headcount (census: 33.1 million employees in 3.365 million
SMEs, 9.84 each).  Money is JPY (the data file holds man-yen).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import _arith
from . import _size
from ._data import MAN_YEN, CalibrationData

BRANCHES = ("major", "contained")
MINOR = "minor"


@dataclass(frozen=True)
class LognormalParameters:
    """``LN(mu, sigma)``: ``exp(mu)`` is the median."""

    mu: float
    sigma: float

    @property
    def median(self) -> float:
        return _arith.exp(self.mu)

    @property
    def mean(self) -> float:
        return _arith.exp(self.mu + 0.5 * self.sigma * self.sigma)

    def shifted(self, offset: float) -> "LognormalParameters":
        return LognormalParameters(self.mu + offset, self.sigma)


@dataclass(frozen=True)
class ContainedBranch:
    """The contained branch of a JNSA attack type at the reference headcount (JPY, days,
    person-months)."""

    attack_type: str
    severity: LognormalParameters
    downtime: LognormalParameters
    effort_mean: float


@dataclass(frozen=True)
class MinorIncidents:
    """The ``minor`` attack type at the reference headcount and industry weight 1."""

    rate: float
    frequency_elasticity: float
    severity: LognormalParameters
    downtime: LognormalParameters
    effort_mean: float
    effort_sigma: float
    share_affected: float


def size_scale(data: CalibrationData) -> _size.SizeScale:
    return _size.SizeScale(float(data.value("size.loss_elasticity")),
                           float(data.value("size.downtime_elasticity")),
                           data.class_employees["sme"], dict(data.class_employees))


def major_probability(data: CalibrationData, attack_type: str, size: str) -> float:
    """``max(p_a, 1 / RF_s)``: every publicised incident is major, so at least 1 / RF_s are."""
    p = float(data.value(f"branch.{attack_type}.major_probability"))
    return max(p, 1.0 / float(data.value(f"reporting_factor.{size}")))


def publication_probability(data: CalibrationData, attack_type: str, size: str) -> float:
    """P(publicised | major) = 1 / (RF_s P(major)), in (0, 1]."""
    rf = float(data.value(f"reporting_factor.{size}"))
    return min(1.0, 1.0 / (rf * major_probability(data, attack_type, size)))


def contained(data: CalibrationData, attack_type: str) -> ContainedBranch:
    v = data.value
    key = f"contained.{attack_type}"
    return ContainedBranch(
        attack_type,
        LognormalParameters(_arith.log(v(f"{key}.severity_median") * MAN_YEN), float(v(f"{key}.severity_sigma"))),
        LognormalParameters(_arith.log(v(f"{key}.downtime_median")), float(v(f"{key}.downtime_sigma"))),
        float(v(f"{key}.effort_mean")))


def minor(data: CalibrationData) -> MinorIncidents:
    v = data.value
    return MinorIncidents(
        float(v("minor.rate")), float(v("minor.frequency_elasticity")),
        LognormalParameters(_arith.log(v("minor.severity_median") * MAN_YEN), float(v("minor.severity_sigma"))),
        LognormalParameters(_arith.log(v("minor.downtime_median")), float(v("minor.downtime_sigma"))),
        float(v("minor.effort_mean")), float(v("minor.effort_sigma")), float(v("minor.share_affected")))


def minor_rate(data: CalibrationData, industry: str, size: str, employees: float) -> float:
    """Minor incidents per year of one organisation (before controls)."""
    m = minor(data)
    weight = 1.0 if size == "organisation" else float(data.value("industry_weight.company")[industry])
    return m.rate * weight * _arith.exp(size_scale(data).offset(employees, m.frequency_elasticity))
