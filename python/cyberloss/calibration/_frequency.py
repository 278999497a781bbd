"""Frequency: the JNSA publicised-incident counts as a Poisson log-linear model.

Cells are (attack type, industry, size, window) with window 0 = the earlier 5.5 years
(2017-01..2022-06) and 1 = the recent 2 years (2022-07..2024-06), so the cumulative 7.5-year
margins are sums over both windows and the recent-window margins over window 1 only.
Expected count of a cell = exposure(industry, size) x years(window) x rate, with

    log rate = b0 + b_type + b_group(industry) + b_size + b_recent
               + b_recent x type (ransomware, Emotet) + b_ransomware x manufacturing
               + b_web-leak x SME.

The nine industries JNSA does not name share one coefficient ("all other industries").  Their
companies' rates differ by fixed offsets ``ln w_i`` (``industry_weight.company``, relative
attack rates from Teikoku Databank: an assumption), so within the group the expected
publicised counts of companies are proportional to exposure x weight; organisations (団体等)
have no weight offset and a size coefficient of their own, and all their incidents fall in
this group, so the companies of the nine groups share the group's margin less the
organisations' 452.  The two kinds of website leak share the web-leak margin in the ratio
``web_leak_card_share``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _arith
from ._data import CalibrationData
from ._glm import PoissonMarginFit, fit_poisson_margins

WINDOWS = ("earlier", "recent")


@dataclass(frozen=True)
class Cells:
    """All (type, industry, size, window) cells as parallel integer index arrays."""

    type: np.ndarray
    industry: np.ndarray
    size: np.ndarray
    window: np.ndarray
    exposure: np.ndarray   # organisations in (industry, size)
    years: np.ndarray      # length of the window
    weight_offset: np.ndarray  # ln(industry weight) for companies of shared margin groups, else 0


@dataclass(frozen=True)
class FrequencyFit:
    """The fitted frequency model: coefficients, design and the cells it applies to."""

    data: CalibrationData
    cells: Cells
    X: np.ndarray
    glm: PoissonMarginFit
    multiplicity: float    # attack-type events per incident in the size / industry margins

    def log_rate(self, beta: np.ndarray | None = None) -> np.ndarray:
        """Log of the expected events per organisation-year of each cell."""
        b = self.glm.beta if beta is None else beta
        return _arith.matvec(self.X, b) + self.cells.weight_offset

    def expected(self, beta: np.ndarray | None = None) -> np.ndarray:
        """Expected publicised attack-type events per cell over its window."""
        return self.cells.exposure * self.cells.years * _arith.exp(self.log_rate(beta))

    def cell_index(self, a: int, i: int, s: int, w: int) -> int:
        d = self.data
        return ((a * len(d.industries) + i) * len(d.sizes) + s) * 2 + w


def exposure_matrix(data: CalibrationData) -> np.ndarray:
    """Organisations by (industry, size): size totals x industry shares (assumptions)."""
    company = data.value("industry_share.company")
    organisation = data.value("industry_share.organisation")
    E = np.zeros((len(data.industries), len(data.sizes)))
    for s_idx, s in enumerate(data.sizes):
        shares = organisation if s == "organisation" else company
        for i_idx, i in enumerate(data.industries):
            E[i_idx, s_idx] = data.exposure[s] * shares[i]
    return E


def type_targets(data: CalibrationData) -> tuple[dict[str, float], float, float]:
    """Attack-type event targets, the type scale and the incident multiplicity.

    ``type_events``: the 1,887 type counts are events; incidents carry 1887/1842 events.
    ``scale_to_total``: type counts are scaled to the 1,842 incidents; one event each.
    """
    type_sum = sum(data.attack_type_margin.values())
    if data.value("attack_type_reconciliation") == "type_events":
        scale, multiplicity = 1.0, type_sum / data.total_cumulative
    else:
        scale, multiplicity = data.total_cumulative / type_sum, 1.0
    card = data.value("web_leak_card_share")
    split = {"web_leak_card": card, "web_leak_personal": 1.0 - card}
    targets = {a: data.attack_type_margin[data.attack_margin[a]] * scale * split.get(a, 1.0)
               for a in data.attack_types}
    return targets, scale, multiplicity


def weight_offsets(data: CalibrationData) -> np.ndarray:
    """``ln w`` per (industry, size): the industry weight of companies in margin groups shared
    by several industries; 0 for organisations and for industries with a margin of their own
    (whose group coefficient would absorb it)."""
    weights = data.value("industry_weight.company")
    members: dict[str, int] = {}
    for g in data.industry_margin.values():
        members[g] = members.get(g, 0) + 1
    out = np.zeros((len(data.industries), len(data.sizes)))
    for i_idx, ind in enumerate(data.industries):
        if members[data.industry_margin[ind]] > 1:
            for s_idx, size in enumerate(data.sizes):
                if size != "organisation":
                    out[i_idx, s_idx] = _arith.log(weights[ind])
    return out


def fit(data: CalibrationData) -> FrequencyFit:
    nA, nI, nS = len(data.attack_types), len(data.industries), len(data.sizes)
    a, i, s, w = (x.ravel() for x in np.indices((nA, nI, nS, 2)))
    E = exposure_matrix(data)
    years_by_window = np.array([data.years["cumulative"] - data.years["recent"], data.years["recent"]])
    cells = Cells(a, i, s, w, E[i, s], years_by_window[w], weight_offsets(data)[i, s])

    margin_of_type = np.array([data.attack_margin[t] for t in data.attack_types])[a]
    groups = tuple(dict.fromkeys(data.industry_margin.values()))
    group_of_cell = np.array([data.industry_margin[k] for k in data.industries])[i]
    size_of_cell = np.array(data.sizes)[s]
    targets_by_type, scale, m = type_targets(data)

    columns: list[tuple[str, np.ndarray, float]] = [
        ("intercept", np.ones(a.size), sum(targets_by_type.values()))]
    for k, t in enumerate(data.attack_types[1:], start=1):
        columns.append((f"type:{t}", a == k, targets_by_type[t]))
    for g in groups[1:]:
        columns.append((f"industry:{g}", group_of_cell == g, data.industry_group_margin[g] * m))
    for k, sz in enumerate(data.sizes[1:], start=1):
        columns.append((f"size:{sz}", s == k, data.size_margin[sz] * m))
    columns.append(("window:recent", w == 1, data.total_recent))
    for g, count in data.attack_type_recent_margin.items():
        columns.append((f"recent:{g}", (w == 1) & (margin_of_type == g), count))
    for inter in data.interactions:
        where = group_of_cell if inter.dimension == "industry" else size_of_cell
        target = inter.value * data.attack_type_margin[inter.attack_margin] * scale
        columns.append((f"{inter.attack_margin}:{inter.category}",
                        (margin_of_type == inter.attack_margin) & (where == inter.category), target))

    names = tuple(c[0] for c in columns)
    X = np.column_stack([c[1].astype(float) for c in columns])
    targets = np.array([c[2] for c in columns])
    live = cells.exposure > 0
    offset = _arith.log(cells.exposure[live] * cells.years[live]) + cells.weight_offset[live]
    glm = fit_poisson_margins(X[live], targets, offset, names)
    return FrequencyFit(data, cells, X, glm, m)
