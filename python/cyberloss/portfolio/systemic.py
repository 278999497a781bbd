"""Year-level systemic shocks and named scenarios.

Every policy's rate of attack type ``a`` in simulated year ``y`` is multiplied by one shared
``Theta_{a,y}`` ~ Gamma(shape 1/v_a, scale v_a): mean 1, variance ``v_a``.  ``v_a = 0`` switches
the shock off for that type (Theta = 1).

Default variances (assumption ``systemic.variance``, derived from published counts): JNSA
2025 gives each attack type's publicised count for the whole window (2017-01..2024-06, 7.5
years) and for the recent window (2022-07..2024-06, 2 years).  If yearly counts are
``N_y ~ Poisson(mu Theta_y)`` with independent years, a window of ``n`` years has
``Var(C) = n mu (1 + v mu)``, so Pearson's statistic of the two windows against the pooled rate
has expectation ``1 + v mu`` (one degree of freedom) and ``v = max(X^2 - 1, 0) / mu`` with
``mu`` = cumulative count / 7.5.  This gives (see :func:`derive_default_variances`):

* ransomware: 171 early vs 174 recent events (x2.8 the earlier rate: 31.1 a year over 5.5 years, 87 over 2) -> v ~ 2.1;
* Emotet: 365 early vs 10 recent (the 2019-2022 wave) -> v ~ 2.2;
* website leaks and other (published only together for the recent window: 338) -> v ~ 0.014
  for their pooled count.  Each of web_leak_card, web_leak_personal and other has a shock of its
  own (independent), so each takes v / sum_a s_a^2 ~ 0.037, s_a its share of the pooled count
  (297, 297 and 573 of 1,167): the pooled count's yearly variance is then
  mu + v mu^2, as derived (one shared v of 0.014 each gave only 37% of that excess).

Two windows cannot tell a trend from year-to-year volatility: treating the ransomware shift as
volatility is the cautious reading (a regime change of that size can happen again), and it is
labelled an assumption.  Override with ``SystemicShock(variances={...})`` or switch off with
``SystemicShock.off()``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from .. import _validate
from ..calibration import Calibration
from ..calibration import load as load_calibration

SOURCE = ("derived: JNSA2025-press attack-type counts, cumulative (7.5 y) vs recent (2 y) "
          "window; Pearson overdispersion v = (X^2 - 1) / mu")


def _two_window_variance(cumulative: float, recent: float, years: float, recent_years: float) -> dict:
    mu = cumulative / years
    early_years = years - recent_years
    observed = (cumulative - recent, recent)
    expected = (mu * early_years, mu * recent_years)
    x2 = sum((o - e) * (o - e) / e for o, e in zip(observed, expected))
    return {"mu_per_year": mu, "early": observed[0], "recent": recent,
            "expected_early": expected[0], "expected_recent": expected[1],
            "pearson_x2": x2, "variance": max(x2 - 1.0, 0.0) / mu}


def derive_default_variances(calibration: Calibration | None = None) -> pd.DataFrame:
    """The derivation of the default systemic variances, one row per calibration attack type.

    Uses only the calibration's published margins (``attack_type_margin`` and
    ``attack_type_recent_margin``); types whose recent count is not published separately
    (website leaks, other) are derived from their pooled recent count (total recent - the
    published recent types): the pooled count's variance ``v`` (``pooled_variance``) is
    reproduced by independent shocks of ``v / sum_a s_a^2`` each (``variance``), ``s_a``
    (``pooled_share``) the type's share of the pooled count (``Calibration.type_targets``).
    """
    cal = calibration if calibration is not None else load_calibration()
    d = cal.data
    years, recent_years = d.years["cumulative"], d.years["recent"]
    pooled_margins = [m for m in d.attack_type_margin if m not in d.attack_type_recent_margin]
    pooled = _two_window_variance(
        sum(d.attack_type_margin[m] for m in pooled_margins),
        d.total_recent - sum(d.attack_type_recent_margin.values()), years, recent_years)
    targets = cal.type_targets()
    pooled_types = [a for a in d.attack_types if d.attack_margin[a] in pooled_margins]
    pooled_total = math.fsum(targets[a] for a in pooled_types)
    shares = [targets[a] / pooled_total for a in pooled_types]
    concentration = math.fsum(s * s for s in shares)
    rows = []
    for a in d.attack_types:
        margin = d.attack_margin[a]
        if margin in d.attack_type_recent_margin:
            row = _two_window_variance(d.attack_type_margin[margin], d.attack_type_recent_margin[margin],
                                       years, recent_years)
            basis = f"{margin} count"
        else:
            # independent shocks whose sum over the pooled types has the pooled count's variance
            row = {**pooled, "pooled_share": targets[a] / pooled_total,
                   "pooled_variance": pooled["variance"], "variance": pooled["variance"] / concentration}
            basis = " + ".join(pooled_margins) + " counts pooled"
        rows.append({"attack_type": a, "basis": basis, **row, "quality": "assumption",
                     "source": SOURCE})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SystemicShock:
    """Variance of the year-level multiplier per attack type (0 = no shock for that type).

    ``SystemicShock.default()`` uses :func:`derive_default_variances`; ``off()`` sets every
    variance to 0; ``SystemicShock({"ransomware": 0.5})`` sets some types (the rest 0).
    """

    variances: Mapping[str, float] = field(default_factory=dict)
    quality: str = "user"

    def __post_init__(self):
        clean = {}
        for a, v in _validate.table("systemic variances (attack type -> variance)", self.variances).items():
            x = float(v)
            if not (math.isfinite(x) and x >= 0):
                raise ValueError(f"systemic variance for {a!r} must be finite and >= 0, got {v!r}")
            clean[str(a)] = x
        object.__setattr__(self, "variances", clean)

    @classmethod
    def default(cls, calibration: Calibration | None = None) -> "SystemicShock":
        table = derive_default_variances(calibration)
        return cls(dict(zip(table["attack_type"], table["variance"])), quality="assumption")

    @classmethod
    def off(cls) -> "SystemicShock":
        return cls({}, quality="off")

    def variance(self, attack_type: str) -> float:
        return self.variances.get(attack_type, 0.0)

    def vector(self, attack_types) -> list[float]:
        unknown = set(self.variances) - set(attack_types)
        if unknown:
            raise ValueError(f"systemic variance given for unknown attack type(s) {sorted(unknown)}; "
                             f"known: {list(attack_types)}")
        return [self.variance(a) for a in attack_types]


@dataclass(frozen=True)
class Scenario:
    """A named stress: the rates of some attack types multiplied for the simulated year.

    Every simulated year of a scenario run is a year in which the event happens (for example
    "VPN zero-day wave": ransomware x 3); compare with the baseline run with the same seed
    (common random numbers) to see what the event adds.
    """

    name: str
    rate_factors: Mapping[str, float]
    description: str = ""

    def __post_init__(self):
        _validate.text("scenario name", self.name)
        factors = _validate.table(f"scenario {self.name!r}: rate_factors (attack type -> factor)",
                                  self.rate_factors)
        for a, k in factors.items():
            if not (math.isfinite(float(k)) and float(k) >= 0):
                raise ValueError(f"scenario {self.name!r}: rate factor for {a!r} must be finite "
                                 f"and >= 0, got {k!r}")

    def factor(self, attack_type: str) -> float:
        return float(self.rate_factors.get(attack_type, 1.0))


SCENARIOS: dict[str, Scenario] = {
    "vpn_zero_day_wave": Scenario(
        "vpn_zero_day_wave", {"ransomware": 3.0},
        "A VPN appliance zero-day exploited at scale: ransomware rate x 3 for the year "
        "(assumption; the recent window's ransomware rate is x2.8 the earlier one)."),
    "emotet_wave": Scenario(
        "emotet_wave", {"emotet": 5.0},
        "An Emotet-style malspam wave: Emotet rate x 5 for the year (assumption; the "
        "2017-2022 Emotet rate was about 13x the 2022-2024 one)."),
    "card_skimming_campaign": Scenario(
        "card_skimming_campaign", {"web_leak_card": 2.0},
        "A campaign against a common EC platform: card-data website leaks x 2 (assumption)."),
}


def scenario(name: str) -> Scenario:
    if name not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}, got {name!r}")
    return SCENARIOS[name]
