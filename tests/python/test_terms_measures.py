"""Standard errors of the risk measures against their sampling spread (exponential losses)."""
import math

import numpy as np
import pytest

from cyberloss import stats as measures


@pytest.fixture(scope="module")
def replications():
    rng = np.random.default_rng(5)
    return rng.exponential(1.0, size=(300, 4000))


@pytest.mark.parametrize("name,p,exact", [
    ("var", 0.99, math.log(100.0)),
    ("tvar", 0.99, math.log(100.0) + 1.0),
    ("var", 0.9, math.log(10.0)),
    ("tvar", 0.9, math.log(10.0) + 1.0),
])
def test_var_tvar_standard_errors_match_replication_spread(replications, name, p, exact):
    fn = getattr(measures, name)
    est = [fn(row, p) for row in replications]
    values = np.array([e.value for e in est])
    mean_se = np.mean([e.se for e in est])
    spread = values.std(ddof=1)
    # SE of a standard deviation from 300 replications is ~4%; allow 25% for the estimators
    assert mean_se == pytest.approx(spread, rel=0.25)
    assert abs(values.mean() - exact) < 4 * spread / math.sqrt(len(values)) + 0.02 * exact


def test_mean_and_std_standard_errors(replications):
    means = [measures.mean(r) for r in replications]
    stds = [measures.std(r) for r in replications]
    assert np.mean([m.se for m in means]) == pytest.approx(np.std([m.value for m in means]), rel=0.2)
    assert np.mean([s.se for s in stds]) == pytest.approx(np.std([s.value for s in stds]), rel=0.25)


def test_levels_and_return_periods_are_validated():
    x = np.arange(100.0)
    with pytest.raises(ValueError, match="p must be a finite number in"):
        measures.var(x, 1.0)
    with pytest.raises(ValueError, match="return_periods"):
        measures.ep_table(x, x, [0.5])
    with pytest.raises(ValueError, match="finite"):
        measures.mean(np.array([1.0, np.nan]))
