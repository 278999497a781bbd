"""Hypothesis properties of the terms and of the risk measures."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberloss import stats as measures
from cyberloss.insurance import terms
from cyberloss.insurance.terms import COMPONENTS, CoverageTerms

N_YEARS = 6
amount = st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1.0, max_value=1e9, allow_nan=False, allow_infinity=False)


@st.composite
def event_tables(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    year = sorted(draw(st.lists(st.integers(0, N_YEARS - 1), min_size=n, max_size=n)))
    columns = {c: draw(st.lists(amount, min_size=n, max_size=n)) for c in COMPONENTS}
    downtime = draw(st.lists(st.floats(0.0, 400.0), min_size=n, max_size=n))
    return terms.event_table(np.array(year, dtype=np.int64), downtime_days=np.array(downtime),
                             **{c: np.array(v) for c, v in columns.items()})


@st.composite
def policies(draw):
    sections = {}
    for name in terms.SECTIONS:
        if draw(st.booleans()):
            section = {"limit": draw(st.one_of(st.just(float("inf")), positive)),
                       "coinsurance": draw(st.floats(0.05, 1.0))}
            if name == "business_interruption":
                section["waiting_period_days"] = draw(st.floats(0.0, 30.0))
                section["indemnity_period_days"] = draw(st.floats(1.0, 400.0))
            if name == "response" and draw(st.booleans()):
                section["sublimits"] = {"condolence": draw(positive)}
            sections[name] = section
    return CoverageTerms(sections=sections, deductible=draw(amount),
                         aggregate_limit=draw(st.one_of(st.just(float("inf")), positive)),
                         cover_prevention=draw(st.booleans()))


def insured(policy, events):
    return np.asarray(terms.apply(policy, events, N_YEARS).annual("insured"))


def no_more_than(a, b):
    return np.all(a <= b * (1 + 1e-12) + 1e-6)


@settings(max_examples=200, deadline=None)
@given(events=event_tables(), policy=policies(), extra=positive)
def test_higher_deductible_never_raises_insured_loss(events, policy, extra):
    higher = policy.with_retention(policy.deductible + extra, policy.aggregate_limit)
    assert no_more_than(insured(higher, events), insured(policy, events))


@settings(max_examples=200, deadline=None)
@given(events=event_tables(), policy=policies(), factor=st.floats(0.01, 0.99))
def test_lower_limits_never_raise_insured_loss(events, policy, factor):
    base = insured(policy, events)
    agg = policy.aggregate_limit if np.isfinite(policy.aggregate_limit) else 1e9
    assert no_more_than(insured(policy.with_retention(policy.deductible, agg * factor), events), base)
    for name, section in policy.sections.items():
        limit = section.limit if np.isfinite(section.limit) else 1e9
        sections = dict(policy.sections)
        sections[name] = dict(section.to_dict(), limit=limit * factor)
        lower = CoverageTerms(sections=sections, deductible=policy.deductible,
                              aggregate_limit=policy.aggregate_limit,
                              cover_prevention=policy.cover_prevention)
        assert no_more_than(insured(lower, events), base)


@settings(max_examples=200, deadline=None)
@given(events=event_tables(), policy=policies())
def test_retained_plus_insured_is_gross_every_year(events, policy):
    res = terms.apply(policy, events, N_YEARS)
    gross = np.bincount(events["year"], minlength=N_YEARS,
                        weights=events[list(COMPONENTS)].sum(axis=1).to_numpy())
    np.testing.assert_allclose(res.annual("gross"), gross, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(res.annual("insured") + res.annual("retained"), gross,
                               rtol=1e-12, atol=1e-6)
    assert np.all(res.annual("insured") >= 0) and np.all(res.annual("retained") >= 0)
    assert np.all(res.annual("insured") <= policy.aggregate_limit * (1 + 1e-12))
    assert no_more_than(res.annual("insured"), gross)


losses = st.lists(st.floats(0.0, 1e10, allow_nan=False), min_size=2, max_size=200).map(np.array)
levels = st.floats(0.001, 0.999)


@settings(max_examples=300, deadline=None)
@given(x=losses, p=levels, q=levels)
def test_var_and_tvar_non_decreasing_in_p(x, p, q):
    lo, hi = min(p, q), max(p, q)
    assert measures.var(x, lo).value <= measures.var(x, hi).value
    assert measures.tvar(x, lo).value <= measures.tvar(x, hi).value * (1 + 1e-12) + 1e-6


@settings(max_examples=300, deadline=None)
@given(x=losses, p=levels)
def test_tvar_at_least_var(x, p):
    assert measures.tvar(x, p).value >= measures.var(x, p).value * (1 - 1e-12) - 1e-6
    assert measures.tvar(x, p).se >= 0 and measures.var(x, p).se >= 0
