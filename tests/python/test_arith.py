"""cyberloss._arith: the CPU-independent arithmetic the model's parameters are computed with.

The last test is the point of the module: a quote, a BCP table, the JNSA reproduction and a
portfolio give the same bits with NumPy's SIMD code, OpenBLAS's kernels, glibc's FMA variants
and the core's own SIMD paths all turned off (as on an old x86-64 CPU) as with them on.
"""
import ast
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cyberloss import _arith
from cyberloss.random import normal_quantile

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def test_elementary_functions_match_the_c_library_to_a_few_ulp():
    x = np.linspace(-30.0, 30.0, 2001)
    np.testing.assert_allclose(_arith.exp(x), np.exp(x), rtol=4e-16, atol=0)
    p = np.exp(x)
    np.testing.assert_allclose(_arith.log(p), np.log(p), rtol=4e-16, atol=1e-300)
    np.testing.assert_allclose(_arith.log1p(p - 0.999), np.log1p(p - 0.999), rtol=4e-16)
    np.testing.assert_allclose(_arith.expm1(x), np.expm1(x), rtol=4e-16)
    z = np.linspace(-6.0, 6.0, 1201)
    np.testing.assert_allclose(_arith.erf(z), [math.erf(v) for v in z], rtol=5e-16, atol=1e-300)
    np.testing.assert_allclose(_arith.erfc(z), [math.erfc(v) for v in z], rtol=1e-15)
    np.testing.assert_allclose(_arith.normal_cdf(z), [0.5 * math.erfc(-v / math.sqrt(2)) for v in z],
                               rtol=1e-15)
    g = np.linspace(0.01, 200.0, 1001)
    np.testing.assert_allclose(_arith.lgamma(g), [math.lgamma(v) for v in g], rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(_arith.power(g, 0.3), g ** 0.3, rtol=1e-15)
    np.testing.assert_allclose(normal_quantile(_arith.normal_cdf(z[200:-200])), z[200:-200],
                               rtol=1e-13, atol=1e-14)


def test_scalars_give_floats_and_arrays_arrays():
    assert type(_arith.exp(1.0)) is float and _arith.exp(0.0) == 1.0
    assert type(_arith.log(np.float64(2.0))) is float
    assert type(_arith.power(8, 1)) is float and _arith.power(8, 1) == 8.0
    out = _arith.exp([[0.0, 1.0]])
    assert isinstance(out, np.ndarray) and out.shape == (1, 2) and out.dtype == np.float64
    assert _arith.power(0.0, 2.0) == 0.0 and math.isnan(_arith.power(-1.0, 2.0))
    assert math.isnan(_arith.log(-1.0)) and _arith.log(0.0) == -math.inf


def test_sums_are_correctly_rounded_whatever_the_order():
    v = np.array([1e16, 1.0, -1e16, 1.0, 1e-3] * 7)
    assert _arith.fsum(v) == math.fsum(v.tolist()) == _arith.fsum(v[::-1])
    assert _arith.dot([1e16, 1.0, -1e16], [1.0, 1.0, 1.0]) == 1.0     # a left-to-right sum gives 0
    rng = np.random.default_rng(5)
    A, x, y = rng.normal(size=(40, 7)), rng.normal(size=7), rng.normal(size=40)
    np.testing.assert_allclose(_arith.matvec(A, x), A @ x, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(_arith.rmatvec(A, y), A.T @ y, rtol=1e-12, atol=1e-14)
    w = rng.uniform(0.1, 3.0, size=40)
    np.testing.assert_allclose(_arith.gram(A, w), A.T @ (w[:, None] * A), rtol=1e-12, atol=1e-13)


def test_cholesky_solve_and_inverse_agree_with_lapack():
    rng = np.random.default_rng(7)
    B = rng.normal(size=(60, 25))
    S = B.T @ B + 0.1 * np.eye(25)
    L = _arith.cholesky(S)
    assert np.all(np.triu(L, 1) == 0.0)
    np.testing.assert_allclose(L, np.linalg.cholesky(S), rtol=1e-10, atol=1e-12)
    b = rng.normal(size=25)
    np.testing.assert_allclose(S @ _arith.solve_spd(S, b), b, rtol=0, atol=1e-10)
    inv = _arith.inverse_spd(S)
    assert np.array_equal(inv, inv.T)
    np.testing.assert_allclose(inv, np.linalg.inv(S), rtol=1e-9, atol=1e-12)


def test_whole_powers_are_exact_and_arrays_broadcast():
    assert _arith.power(10.0, 2) == 100.0 and _arith.power(2.0, -3) == 0.125
    assert _arith.power(1.0, math.inf) == 1.0 and _arith.power(math.nan, 0.0) == 1.0
    np.testing.assert_array_equal(_arith.power([4.0, 9.0], [0.5, 2.0]), [2.0, 81.0])
    np.testing.assert_allclose(_arith.power(2.0, np.array([0.5, 10.0])), [math.sqrt(2.0), 1024.0], rtol=1e-15)


def test_shapes_that_do_not_fit_are_refused():
    with pytest.raises(ValueError, match=r"matvec: need a matrix and a vector of its columns' length, "
                                         r"got shapes \(2, 2\) and \(2, 2\)"):
        _arith.matvec(np.eye(2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="matvec"):
        _arith.matvec(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"rmatvec.*\(3, 2\) and \(2,\)"):
        _arith.rmatvec(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match="gram"):
        _arith.gram(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"cholesky: need a square matrix, got shape \(2, 3\)"):
        _arith.cholesky(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"solve_spd: need a vector of 2 values, got shape \(3,\)"):
        _arith.solve_spd(np.eye(2), np.ones(3))
    assert _arith.cholesky(np.zeros((0, 0))).shape == (0, 0)
    assert _arith.inverse_spd(np.zeros((0, 0))).shape == (0, 0)
    assert _arith.gram(np.zeros((0, 3)), np.zeros(0)).shape == (3, 3)


def test_cholesky_refuses_a_matrix_that_is_not_positive_definite():
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite.*pivot 1"):
        _arith.cholesky([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(np.linalg.LinAlgError, match="pivot 0 is nan"):
        _arith.solve_spd([[math.nan]], [1.0])


# glibc, NumPy, OpenBLAS and the core each pick code for the CPU at load time; these turn each
# choice to its oldest x86-64 variant, as a CPU without AVX or FMA would have them.
OLD_CPU = {
    "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F",
    "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
    "OPENBLAS_CORETYPE": "Prescott",
    "CYBERLOSS_SIMD": "baseline",
}


# Every parameter the calibration gives, as bytes: a last bit anywhere shows (the old NumPy
# fit's changed with NPY_DISABLE_CPU_FEATURES and with OPENBLAS_CORETYPE alone).
PARAMETERS = """
import hashlib, numpy as np, cyberloss.calibration as c
cal = c.load()
h = hashlib.sha256()
for a in (cal.beta, cal.frequency.glm.covariance, cal.frequency.expected(cal.beta)):
    h.update(np.ascontiguousarray(a, dtype=float).tobytes())
for basis in ("publicised", "all"):
    for period in ("cumulative", "recent"):
        h.update(cal.rates(basis, period).select_dtypes("number").to_numpy(float).tobytes())
for size in cal.sizes:
    for employees in (3.0, 40.0, 2500.0):
        t = cal.incident_parameters("manufacturing", size, employees)
        h.update(t.select_dtypes("number").to_numpy(float).tobytes())
print(h.hexdigest())
"""


def _outputs(env_extra: dict[str, str], tmp: Path) -> dict[str, bytes]:
    env = {**os.environ, **env_extra}
    commands = {
        "parameters": ["-c", PARAMETERS],
        "quote": ["-m", "cyberloss", "quote", str(EXAMPLES / "sme_manufacturer.toml"), "--years", "20000",
                  "--json"],
        "bcp": ["-m", "cyberloss", "bcp", str(EXAMPLES / "manufacturer.toml"), "--years", "5000", "--json"],
        "jnsa": ["-m", "cyberloss", "jnsa", "--json"],
        "portfolio": ["-m", "cyberloss", "portfolio", str(EXAMPLES / "portfolio_small.csv"), "--years", "2000",
                      "--loss", "organisation", "--json"],
    }
    out = {}
    for name, args in commands.items():
        done = subprocess.run([sys.executable, *args], env=env, cwd=tmp, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode()
        out[name] = done.stdout
    return out


def test_outputs_have_the_same_bits_on_an_old_cpu(tmp_path):
    here = _outputs({}, tmp_path)
    old = _outputs(OLD_CPU, tmp_path)
    assert here["parameters"] == old["parameters"], "the calibration's parameters differ on an old CPU"
    for name in here:
        if here[name] != old[name]:
            a, b = json.loads(here[name]), json.loads(old[name])
            diff = [k for k in a if a[k] != b.get(k)]
            pytest.fail(f"{name} --json differs on an old CPU in {diff}")
    assert json.loads(here["quote"])["annual_loss_sha256"]


# Where the model's parameters and simulated values are computed: none of these may reach
# the C library's, NumPy's or OpenBLAS's CPU-specific arithmetic.
PACKAGE = ROOT / "python" / "cyberloss"
MODEL_CODE = [*(p for d in ("calibration", "organisation", "portfolio", "insurance")
                for p in sorted((PACKAGE / d).rglob("*.py"))),
              *(PACKAGE / f for f in ("engine.py", "sensitivity.py", "distributions.py", "random.py",
                                      "stats.py", "results.py"))]
TRANSCENDENTAL = {"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "power", "float_power", "pow",
                  "erf", "erfc", "lgamma", "gamma", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arctan"}
LINEAR_ALGEBRA = {"dot", "matmul", "einsum", "solve", "inv", "cholesky", "lstsq", "tensordot", "inner"}


def cpu_dependent_calls(source: str, where: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        text = f"{where}:{getattr(node, 'lineno', 0)}"
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in ("np", "numpy", "math", "scipy", "special") and node.attr in TRANSCENDENTAL):
            found.append(f"{text} {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("math", "numpy", "scipy.special"):
            found += [f"{text} from {node.module} import {a.name}" for a in node.names
                      if a.name in TRANSCENDENTAL | LINEAR_ALGEBRA]
        elif isinstance(node, ast.Import):
            found += [f"{text} import {a.name} as {a.asname}" for a in node.names
                      if a.name in ("math", "numpy") and a.asname not in (None, "np")]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
              and node.value.attr == "linalg" and node.attr != "matrix_rank"):   # a rank only refuses
            found.append(f"{text} linalg.{node.attr}")
        elif (isinstance(node, ast.Attribute) and node.attr in LINEAR_ALGEBRA
              and not (isinstance(node.value, ast.Name) and node.value.id == "_arith")):
            found.append(f"{text} .{node.attr}")
        elif isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.MatMult):
            found.append(f"{text} @")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "pow":
            found.append(f"{text} pow()")
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)
              and not all(isinstance(v, ast.Constant) and type(v.value) is int for v in (node.left, node.right))):
            found.append(f"{text} ** (pow of a float: x * x or _arith.power)")
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Pow):
            found.append(f"{text} **=")
    return found


def test_the_model_code_check_sees_every_form():
    code = ("from math import exp\nimport numpy as numpy_\nx = np.linalg.eigh(a)\ny = pow(2.0, 0.5)\n"
            "z **= 2\nw = a @ b\nv = np.log(a)\nu = 2.0 ** 3\nr = np.linalg.matrix_rank(a)\nq = _arith.dot(a, b)\n"
            "s = 2 ** 20\n")
    found = cpu_dependent_calls(code, "sample")
    assert sorted(int(f.split(":")[1].split()[0]) for f in found) == [1, 2, 3, 4, 5, 6, 7, 8], found


def test_model_code_uses_no_cpu_dependent_arithmetic():
    assert len(MODEL_CODE) > 30
    found = [f for path in MODEL_CODE
             for f in cpu_dependent_calls(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))]
    assert not found, "use cyberloss._arith instead:\n" + "\n".join(found)


def test_the_core_calls_no_transcendental_function_of_the_c_library():
    call = re.compile(r"std::(exp|exp2|expm1|log|log2|log10|log1p|pow|erf|erfc|lgamma|tgamma|cbrt|sin|cos|tan"
                      r"|atan|sinh|cosh|tanh)\s*\(")
    sources = [*(ROOT / "src").rglob("*.cpp"), *(ROOT / "src").rglob("*.hpp"), *(ROOT / "include").rglob("*.hpp")]
    # special.cpp's long-double tails give closed forms (pmf, cdf), not simulated values
    found = [f"{p.relative_to(ROOT)}:{i}" for p in sources if p.name != "special.cpp"
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if call.search(line.split("//")[0])]
    assert len(sources) > 30 and not found, found
