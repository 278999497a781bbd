"""The engine's output selection, its layers, and its SIMD paths (bit-identical, forced with
CYBERLOSS_SIMD in a subprocess)."""
import json
import math
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

import cyberloss as cl
from cyberloss import _core
from cyberloss.insurance.terms import Layer


def three_types():
    return cl.Model([
        cl.AttackType("ransomware", cl.Poisson(0.3), cl.Lognormal.from_mean_median(49.59e6, 32.6e6)),
        cl.AttackType("web_leak", cl.Poisson(2.0), cl.Lognormal(13.0, 0.9)),
        cl.AttackType("emotet", cl.NegativeBinomial(0.4, 0.5),
                      cl.SplicedLognormalGPD(cl.Lognormal(12.0, 1.0), 1.0e6, 0.2)),
    ])


def test_outputs_not_asked_for_are_absent_and_the_rest_keep_their_bits():
    m = three_types()
    full = cl.simulate(m, years=20_011, seed=3, events=True, block_size=777)
    assert full.outputs == ("annual", "by_type", "counts", "events")
    for outputs in ("annual", ("by_type",), ("counts", "annual"), ("events",), ["by_type", "counts"]):
        r = cl.simulate(m, years=20_011, seed=3, outputs=outputs, threads=1)
        assert r.annual_loss.tobytes() == full.annual_loss.tobytes()
        kept = set(r.outputs)
        assert "annual" in kept
        for name in ("by_type", "counts"):
            if name in kept:
                assert getattr(r, name).tobytes() == getattr(full, name).tobytes()
            else:
                with pytest.raises(ValueError, match=f"{name} was not kept"):
                    getattr(r, name)
        if "events" in kept:
            for k, v in r.events.items():
                assert v.tobytes() == full.events[k].tobytes()
    annual_only = cl.simulate(m, years=1000, seed=3, outputs="annual")
    assert annual_only.outputs == ("annual",)
    # a year-loss table of the annual loss alone: no type columns, no counts
    assert annual_only.columns == ("gross",) and annual_only.extras == ()
    assert list(annual_only.describe().columns) == ["gross", "gross_se"]
    # the default keeps today's behaviour
    assert cl.simulate(m, years=10, seed=3).outputs == ("annual", "by_type", "counts")


def test_annual_only_needs_8_bytes_per_year():
    m = three_types()
    full = _core.simulation_bytes(m, 10**6, threads=1)
    annual = _core.simulation_bytes(m, 10**6, threads=1, keep_by_type=False, keep_counts=False)
    assert full - annual == pytest.approx(10**6 * 3 * 12)
    layered = _core.simulation_bytes(m, 10**6, threads=1, keep_by_type=False, keep_counts=False,
                                     layered=True)
    assert layered - annual == pytest.approx(8e6)


@pytest.mark.parametrize("kwargs, message", [
    ({"outputs": "by-type"}, "outputs must name some of annual, by_type, counts, events, got 'by-type'"),
    ({"outputs": ("annual", 3)}, "outputs must name some of .*, got 3"),
    ({"occurrence_layer": (1.0, 2.0)}, "occurrence_layer must be a layer with attachment and limit"),
    ({"occurrence_layer": Layer(1.0, 2.0, "annual")}, "occurrence_layer must be a layer on occurrence losses"),
    ({"aggregate_layer": Layer(1.0, 2.0)}, "aggregate_layer must be a layer on annual losses"),
    ({"aggregate_layer": SimpleNamespace(attachment=-1.0, limit=2.0)},
     "aggregate_layer: layer attachment must be finite and >= 0, got -1"),
])
def test_bad_outputs_and_layers_are_refused_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cl.simulate(three_types(), years=10, seed=1, **kwargs)


def test_layers_equal_a_numpy_computation_on_the_same_events():
    m = three_types()
    occ, agg = Layer(2e5, 3e6), Layer(1e6, 4e6, "annual")
    r = cl.simulate(m, years=30_000, seed=12, events=True, occurrence_layer=occ,
                    aggregate_layer=agg, first_year=5)
    ev = r.events
    per_year = np.bincount(ev["year"] - 5, weights=occ.apply(ev["loss"]), minlength=r.years)
    expected = agg.apply(per_year)
    np.testing.assert_allclose(r.layered_annual_loss, expected, rtol=1e-12, atol=0)
    assert (r.layered_annual_loss <= 4e6).all()
    # the ground-up outputs do not move
    plain = cl.simulate(m, years=30_000, seed=12, first_year=5)
    assert plain.annual_loss.tobytes() == r.annual_loss.tobytes()
    with pytest.raises(ValueError, match="no layer was given"):
        _ = plain.layered_annual_loss
    assert r.views == ("gross", "layered")
    assert list(r.describe().columns) == ["gross", "gross_se", "layered", "layered_se"]


def test_occurrence_layered_mean_is_the_compound_poisson_expectation():
    # Poisson(3) and the benchmark's lognormal (mean 84,541.68, sd 177,728.3); occurrence layer
    # 1,000,000 xs 10,000: E = lambda (LEV(1,010,000) - LEV(10,000)); its SE from
    # Var = lambda E[L(X)^2], bounded here by lambda (limit E[L(X)]).
    mean, sd, rate = 84_541.68, 177_728.3, 3.0
    s2 = math.log(1 + (sd / mean) ** 2)
    sev = cl.Lognormal(math.log(mean) - s2 / 2, math.sqrt(s2))
    m = cl.Model([cl.AttackType("all", cl.Poisson(rate), sev)])
    n = 200_000
    r = cl.simulate(m, years=n, seed=2026, outputs="annual", occurrence_layer=Layer(1e4, 1e6))
    el = sev.lev(1.01e6) - sev.lev(1e4)
    var_bound = rate * 1e6 * el
    se = math.sqrt(var_bound / n)
    assert abs(r.layered_annual_loss.mean() - rate * el) <= 4 * se
    # ... and the sample's own SE is no larger than the bound
    assert r.layered_annual_loss.std() / math.sqrt(n) <= se


_PATH_SCRIPT = r"""
import hashlib, json, sys
import numpy as np
import cyberloss as cl
from cyberloss.insurance.terms import Layer
m = cl.Model([
    cl.AttackType("a", cl.Poisson(0.3), cl.Lognormal(15.0, 1.2)),
    cl.AttackType("b", cl.Poisson(2.0), cl.Lognormal(13.0, 0.9)),
    cl.AttackType("c", cl.NegativeBinomial(0.4, 0.5), cl.Lognormal(12.0, 1.7)),
    cl.AttackType("d", cl.Poisson(0.05), cl.Lognormal(17.0, 2.0)),
])
h = hashlib.sha256()
for threads, block in ((1, 8192), (2, 333)):
    r = cl.simulate(m, years=50_001, seed=7, threads=threads, block_size=block, events=True,
                    occurrence_layer=Layer(1e5, 1e7), aggregate_layer=Layer(1e6, 5e7, "annual"))
    digest = hashlib.sha256()
    for a in (r.annual_loss, r.by_type, r.counts, r.layered_annual_loss, *r.events.values()):
        digest.update(np.ascontiguousarray(a).tobytes())
    h.update(digest.digest())
    if threads == 1:
        first = digest.hexdigest()
    elif digest.hexdigest() != first:
        sys.exit("threads or block size changed the bits")
u = cl.random.uniform_at(7, 3, np.arange(10_000), 0)
h.update(cl.Lognormal(14.0, 1.4).quantile(u).tobytes())
print(json.dumps({"path": cl._core.simd_path(), "sha256": first, "all": h.hexdigest()}))
"""


def _run_path(path):
    env = dict(os.environ, CYBERLOSS_SIMD=path)
    return subprocess.run([sys.executable, "-c", _PATH_SCRIPT], env=env, capture_output=True,
                          text=True, timeout=300)


def test_every_simd_path_gives_the_same_bits():
    available = _core.simd_paths_available()
    runs = {}
    for path in _core.simd_paths_compiled():
        if path not in available:
            continue
        out = _run_path(path)
        assert out.returncode == 0, out.stderr
        runs[path] = json.loads(out.stdout)
        assert runs[path]["path"] == path
    assert "baseline" in runs
    assert len({r["all"] for r in runs.values()}) == 1, runs
    missing = [p for p in _core.simd_paths_compiled() if p not in available]
    if missing:
        pytest.skip(f"compared {', '.join(runs)}; this CPU lacks {', '.join(missing)}")


def test_a_forced_path_the_cpu_lacks_or_an_unknown_one_is_refused_clearly():
    for path in ["sse9"] + [p for p in _core.simd_paths_compiled()
                            if p not in _core.simd_paths_available()]:
        out = _run_path(path)
        assert out.returncode != 0
        assert "CYBERLOSS_SIMD" in out.stderr and path in out.stderr
        assert out.stderr.strip().splitlines()[-1].startswith("ValueError: CYBERLOSS_SIMD")


def test_simd_path_reports_the_widest_path_by_default():
    if os.environ.get("CYBERLOSS_SIMD"):
        pytest.skip("CYBERLOSS_SIMD is set for this run")
    assert _core.simd_path() == _core.simd_paths_available()[-1]
    assert _core.simd_paths_available()[0] == "baseline"


def test_the_layered_view_has_no_oep_and_says_why():
    # an aggregate layer applies to the year's sum: no single losses, even with events kept
    model = cl.Model([cl.AttackType("r", cl.Poisson(0.2), cl.Lognormal.from_mean_median(4.959e7, 3.26e7))])
    r = cl.simulate(model, 2000, 1, threads=1, events=True, occurrence_layer=Layer(1e7, 5e7),
                    aggregate_layer=Layer(2e7, 1e8, basis="annual"))
    assert "oep" in r.ep_curve([2, 10]) and "oep" not in r.ep_curve([2, 10], view="layered")
    with pytest.raises(ValueError, match="'layered' \\(its layers apply to the year's sum\\)"):
        r.occurrence_max("layered")
