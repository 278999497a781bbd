"""The portfolio block in NumPy (the implementation the compiled block replaced): the policies'
terms with the annual aggregate limit in event order, the reinsurance programme, per-year and
per-policy sums, and the Python losses (survey severity, the organisation model, covered
sections; on the all-incidents basis calibration v2's branches, size scales and ``minor``).
A test oracle (and the NumPy side of benchmarks/bench_portfolio_block.py), not shipped."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cyberloss import _arith, _core
from cyberloss import random as clrandom
from cyberloss.insurance.terms import event_table
from cyberloss.organisation import components as comp
from cyberloss.organisation.incident import TypeParameters
from cyberloss.portfolio import losses as pf_losses

from . import incident
from . import terms as ref_terms


def apply_terms(policy: np.ndarray, year_index: np.ndarray, ground_up: np.ndarray,
                deductible: np.ndarray, occurrence_limit: np.ndarray,
                aggregate_limit: np.ndarray, n_policies: int) -> np.ndarray:
    """Insured loss per incident: ``min((X - d)^+, L_occ)``, then the policy's annual
    aggregate limit consumed in event order (year, attack type, k)."""
    x = np.minimum(np.maximum(ground_up - deductible[policy], 0.0), occurrence_limit[policy])
    agg = aggregate_limit[policy]
    if not np.isfinite(agg).any() or x.size == 0:
        return x
    key = year_index.astype(np.int64) * n_policies + policy
    order = np.argsort(key, kind="stable")
    k_sorted = key[order]
    start = np.r_[True, k_sorted[1:] != k_sorted[:-1]]
    group = np.cumsum(start) - 1
    first = np.flatnonzero(start)
    rank = np.arange(k_sorted.size) - first[group]
    used = np.zeros(first.size)
    paid_sorted = np.empty(k_sorted.size)
    xs, caps = x[order], agg[order]
    for r in range(int(rank.max()) + 1):
        sel = np.flatnonzero(rank == r)
        g = group[sel]
        pay = np.minimum(xs[sel], np.maximum(caps[sel] - used[g], 0.0))
        paid_sorted[sel] = pay
        used[g] = used[g] + pay
    paid = np.empty_like(x)
    paid[order] = paid_sorted
    return paid


def _layer(xl, x: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(x - xl.retention, 0.0), xl.limit)


def _annual(xl, by_event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Recoveries per (year, type) within the annual capacity, consumed in type order
    (``pay = min(x, max(capacity - used, 0))``, ``used += pay``: the arithmetic of the C++
    ``AnnualCapacity``), and the year's total = min(sum of layer losses, capacity)."""
    cap = xl.annual_capacity
    used = np.zeros(by_event.shape[0])
    out = np.empty_like(by_event)
    for t in range(by_event.shape[1]):
        out[:, t] = np.minimum(by_event[:, t], np.maximum(cap - used, 0.0))
        used = used + out[:, t]
    total = np.minimum(by_event.sum(axis=1), cap)
    return out, total


def reinstatement_premium(xl, ceded_year: np.ndarray) -> np.ndarray:
    if xl.premium == 0.0 or not math.isfinite(xl.limit):
        return np.zeros_like(ceded_year)
    reinstatable = math.inf if xl.reinstatements is None else xl.reinstatements * xl.limit
    return xl.premium * xl.reinstatement_rate * np.minimum(ceded_year, reinstatable) / xl.limit


def programme_apply(programme, year_index: np.ndarray, type_index: np.ndarray, insured: np.ndarray,
                    n_years: int, n_types: int) -> dict[str, np.ndarray]:
    """Year-loss table columns for one block of years.

    ``insured`` is each incident's loss to the portfolio (after the policies' terms),
    ``year_index`` its year within the block (0..n_years-1), ``type_index`` its attack type.
    """
    cell = year_index * n_types + type_index
    size = n_years * n_types
    gross_cells = np.bincount(cell, weights=insured, minlength=size).reshape(n_years, n_types)
    zeros = np.zeros(n_years)
    out = {"gross": gross_cells.sum(axis=1)}
    net_cells = gross_cells
    out["ceded_per_risk"] = zeros
    rip = np.zeros(n_years)
    if programme.per_risk is not None:
        layered = np.bincount(cell, weights=_layer(programme.per_risk, insured),
                              minlength=size).reshape(n_years, n_types)
        by_cell, total = _annual(programme.per_risk, layered)
        net_cells = gross_cells - by_cell
        out["ceded_per_risk"] = by_cell.sum(axis=1)
        rip = rip + reinstatement_premium(programme.per_risk, out["ceded_per_risk"])
    remaining = net_cells.sum(axis=1)
    out["ceded_per_event"] = zeros
    if programme.per_event is not None:
        _, total = _annual(programme.per_event, _layer(programme.per_event, net_cells))
        out["ceded_per_event"] = total
        remaining = remaining - total
        rip = rip + reinstatement_premium(programme.per_event, total)
    out["ceded_quota_share"] = zeros
    if programme.quota_share is not None:
        out["ceded_quota_share"] = programme.quota_share.share * remaining
        remaining = remaining - out["ceded_quota_share"]
    out["ceded_stop_loss"] = zeros
    if programme.stop_loss is not None:
        sl = programme.stop_loss
        out["ceded_stop_loss"] = np.minimum(np.maximum(remaining - sl.retention, 0.0), sl.limit)
    out["ceded"] = (out["ceded_per_risk"] + out["ceded_per_event"] + out["ceded_quota_share"]
                    + out["ceded_stop_loss"])
    out["net"] = out["gross"] - out["ceded"]
    out["reinstatement_premium"] = rip
    return out


def _major_quantiles(loss: pf_losses.SurveySeverity, portfolio, events) -> np.ndarray:
    """Each event's survey-basis lognormal quantile of u (the major branch's, on the
    all-incidents basis), before the policy's exposure factor."""
    out = np.empty(events["u"].size)
    for t, dist in enumerate(loss.lognormals(portfolio.attack_types)):
        sel = events["type"] == t
        if sel.any():
            out[sel] = np.asarray(dist.quantile(events["u"][sel]), dtype=float)
    return out


def _branch_uniforms(events, t: int, sel: np.ndarray) -> np.ndarray:
    """BRANCH draws 2k, 2k + 1 of stream 0x200 + t for the events ``sel``: (n, 2)."""
    k = events["k"][sel].astype(np.int64)
    return np.asarray(clrandom.uniform_at(
        int(events["seed"]), clrandom.stream_id(clrandom.Purpose.BRANCH, 0x200 + t), events["year"][sel][:, None],
        k[:, None] * incident.BRANCH_DRAWS_PER_EVENT + np.arange(incident.BRANCH_DRAWS_PER_EVENT)[None, :]))


def loss_scale(loss: pf_losses.SurveySeverity, portfolio) -> np.ndarray:
    """Each policy's multiplier of the survey-basis loss: ``(revenue / reference revenue of its
    size) ** exposure_elasticity`` (1 at elasticity 0) and, on the all-incidents basis, the
    headcount's ``(h / h_ref) ** e_L``."""
    t = portfolio.table
    factor = np.ones(len(t))
    if loss.exposure_elasticity != 0.0:
        reference = t["size"].map(dict(loss.reference_revenue)).to_numpy(dtype=float)
        # the package's power (exp(e log x), the same bits on every CPU), not NumPy's pow
        factor = _arith.power(t["revenue"].to_numpy(dtype=float) / reference, loss.exposure_elasticity)
    if loss.basis == "all":
        e = portfolio.calibration.size_scale.loss_elasticity
        factor = factor * np.array([incident.headcount_factor(portfolio.calibration, h, e)
                                    for h in portfolio.employees])
    return factor


def survey_losses(loss: pf_losses.SurveySeverity, portfolio, events) -> np.ndarray:
    """SurveySeverity's loss of each event: the severity quantile of u or, on the all-incidents
    basis, for a contained event (BRANCH draw 2k >= the policy's P(major)) the contained
    lognormal at BRANCH draw 2k + 1; times the exposure factor."""
    out = _major_quantiles(loss, portfolio, events)
    sizes = portfolio.table["size"].to_numpy()
    for t, a in enumerate(portfolio.attack_types):
        sel = np.flatnonzero(events["type"] == t)
        if a not in loss.contained or sel.size == 0:
            continue
        u = _branch_uniforms(events, t, sel)
        p = np.array([loss.major_probability[a][s] for s in sizes])[events["policy"][sel]]
        median, sigma = loss.contained[a]
        out[sel] = np.where(u[:, 0] < p, out[sel], incident.LognormalDays(median, sigma).quantile(u[:, 1]))
    return out * loss_scale(loss, portfolio)[events["policy"]]


def organisation_components(loss: pf_losses.OrganisationLoss, portfolio, events) -> pd.DataFrame:
    """Every component (JPY), the downtime and whether the incident is major (False:
    contained) of each event, in event order: calibration v2's incident model of each policy's
    organisation on the all-incidents basis (branches, size scales, ``minor``), calibration
    v1's on the publicised basis."""
    seed = int(events["seed"])
    n = events["u"].size
    survey = _major_quantiles(loss.severity, portfolio, events)
    scale = loss_scale(loss.severity, portfolio)
    out = {c: np.zeros(n) for c in (*comp.COMPONENTS, "downtime_days")}
    major = np.ones(n, dtype=bool)
    profiles = loss.profiles(portfolio)
    data = comp.load()
    v2 = loss.severity.basis == "all"
    specs: dict[tuple, list[incident.TypeV2]] = {}
    params: dict[tuple, TypeParameters] = {}
    for t, name in enumerate(portfolio.attack_types):
        sel = np.flatnonzero(events["type"] == t)
        if sel.size == 0:
            continue
        each = []
        laws = None if v2 else incident.IncidentLaws.v1(data, name)
        for p, profile in enumerate(profiles):
            key = (profile.industry, profile.size, profile.employees)
            if v2 and key not in specs:
                specs[key] = incident.v2_types(portfolio.calibration, data, *key, "all", loss.severity.period)
            spec = specs[key][t] if v2 else None
            # v2's laws are the same for every organisation (its factors and scales are not)
            laws = spec.laws if spec else laws
            pkey = (profile.industry, profile.size, profile.employees, profile.controls, profile.ec_share,
                    profile.it_dependency, profile.personal_records, profile.card_records, name)
            if pkey not in params:
                params[pkey] = TypeParameters.for_profile(profile, name)
            each.append(incident.Factors.of(profile, params[pkey], spec, float(scale[p])))
        f = incident.Factors.gather(each, events["policy"][sel])
        u_down, u_eff, u_comp, u_branch = incident.event_uniforms(
            seed, 0x200 + t, events["year"][sel], events["k"][sel], bool(np.any(f.major_probability < 1.0)))
        parts = incident.price_events(data, laws, f, survey[sel], u_down, u_eff, u_comp, u_branch)
        for key, value in parts.items():
            out[key][sel] = value
        if u_branch is not None:
            major[sel] = u_branch[:, 0] < f.major_probability
    return pd.DataFrame({**out, "major": major})


def organisation_losses(loss: pf_losses.OrganisationLoss, portfolio, events) -> np.ndarray:
    return organisation_components(loss, portfolio, events)[list(loss.sections)].sum(axis=1).to_numpy()


def covered_losses(loss: pf_losses.CoveredLoss, portfolio, events) -> np.ndarray:
    """The components through the wording's sections, each event as its own policy year."""
    parts = organisation_components(loss.components_loss, portfolio, events)
    n = len(parts)
    if n == 0:
        return np.zeros(0)
    table = event_table(np.arange(n), downtime_days=parts["downtime_days"].to_numpy(),
                        **{c: parts[c].to_numpy() for c in comp.COMPONENTS})
    return ref_terms.apply(loss.terms, table, n).occurrence("insured")[1]


def losses(model, events) -> np.ndarray:
    """The model's loss of each event: a built-in loss in NumPy, or the model's own function."""
    loss, book = model.loss, model.portfolio
    if isinstance(loss, pf_losses.SurveySeverity):
        return survey_losses(loss, book, events)
    if isinstance(loss, pf_losses.FixedLoss):
        return np.full(events["u"].size, float(loss.amount))
    if isinstance(loss, pf_losses.OrganisationLoss):
        return organisation_losses(loss, book, events)
    if isinstance(loss, pf_losses.CoveredLoss):
        return covered_losses(loss, book, events)
    return np.asarray(loss(book, events), dtype=np.float64)


def numpy_block(model, seed: int, first_year: int, years: int, tracked=()):
    """(block dict with the keys of _core.portfolio_block, events, ground-up losses)."""
    p = model.portfolio
    n_pol, t = len(p), p.table
    ev = _core.portfolio_events(_core.PortfolioFrequency(model.rates().tolist(), model.variances()),
                                seed, first_year, years)
    events = {k: ev[k] for k in ("policy", "type", "year", "k", "u")}
    events["seed"] = seed
    ground_up = losses(model, events)
    yi = events["year"] - first_year
    insured = apply_terms(events["policy"], yi, ground_up, t["deductible"].to_numpy(float),
                          t["occurrence_limit"].to_numpy(float), t["aggregate_limit"].to_numpy(float), n_pol)
    out = programme_apply(model.reinsurance, yi, events["type"], insured, years, len(model.attack_types))
    out["ground_up"] = np.bincount(yi, weights=ground_up, minlength=years)
    out["events"] = ev["counts"].sum(axis=1)
    out["theta"], out["counts"] = ev["theta"], ev["counts"]
    key = yi.astype(np.int64) * n_pol + events["policy"]
    uniq, inverse = np.unique(key, return_inverse=True)
    annual = np.bincount(inverse, weights=insured, minlength=uniq.size)
    pol = (uniq % n_pol).astype(np.int64)
    out["policy_sum"] = np.bincount(pol, weights=annual, minlength=n_pol)
    out["policy_sumsq"] = np.bincount(pol, weights=annual * annual, minlength=n_pol)
    out["policy_events"] = np.bincount(events["policy"], minlength=n_pol).astype(np.int64)
    tracked = np.asarray(tracked, dtype=np.int64)
    matrix = np.zeros((years, tracked.size))
    slot = np.full(n_pol, -1, dtype=np.int64)
    slot[tracked] = np.arange(tracked.size)
    hit = slot[pol] >= 0
    matrix[uniq[hit] // n_pol, slot[pol][hit]] = annual[hit]
    out["tracked_sum"], out["tracked_cross"] = matrix.sum(axis=0), matrix.T @ matrix
    return out, ev, ground_up
