"""Arithmetic whose bits do not depend on the CPU: every model parameter is computed with it.

A simulation is bit-identical on every x86-64 CPU only if its parameters are. NumPy picks
AVX-512, AVX2 or SSE code for ``exp`` and ``log`` when it loads, OpenBLAS picks a kernel for
every matrix product and solve, and glibc picks an FMA variant of ``math.exp``, ``math.erfc``
and ``x ** y``: each rounds differently, so parameters computed with them differ in their last
bits from one CPU to another (glibc's variants in about 1 call in 1,500; NumPy's SIMD exp in
most elements), and so would every year simulated with them. Here instead:

* ``exp``, ``log``, ``log1p``, ``expm1``, ``erf``, ``erfc``, ``lgamma``, ``normal_cdf`` and
  ``power`` are the core's (``cyberloss/vecmath.hpp``: IEEE basic operations only), on a float
  (giving a float) or an array (giving an array); the normal quantile is
  :func:`cyberloss.random.normal_quantile`, also the core's;
* 1-D sums are correctly rounded (:func:`math.fsum`), matrix products added in a fixed order,
  never by BLAS;
* small symmetric positive definite systems are solved by Cholesky in plain floats.

NumPy's elementwise ``+ - * /`` and ``sqrt`` round exactly as IEEE 754 says on every CPU and
are used freely around these. ``tests/python/test_arith.py`` runs a quote, a BCP table, the
JNSA reproduction and a portfolio with NumPy's, OpenBLAS's and glibc's CPU-specific code turned
off and checks every output bit.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import numpy as np

from ._core import vecmath as _vm

__all__ = ["exp", "log", "log1p", "expm1", "erf", "erfc", "lgamma", "normal_cdf", "power", "fsum", "dot",
           "matvec", "rmatvec", "gram", "cholesky", "solve_spd", "inverse_spd"]


def _elementwise(f: Callable[[Any], Any], x: Any) -> Any:
    if np.ndim(x) == 0:
        return float(f(float(x)))
    return np.asarray(f(np.asarray(x, dtype=float)), dtype=float)


def exp(x: Any) -> Any:
    """e^x (error below 0.64 ulp)."""
    return _elementwise(_vm.exp, x)


def log(x: Any) -> Any:
    """Natural logarithm (below 1 ulp); log(0) = -inf, negative arguments give NaN."""
    return _elementwise(_vm.log, x)


def log1p(x: Any) -> Any:
    """log(1 + x) (below 1 ulp)."""
    return _elementwise(_vm.log1p, x)


def expm1(x: Any) -> Any:
    """e^x - 1 (below 1 ulp)."""
    return _elementwise(_vm.expm1, x)


def erf(x: Any) -> Any:
    """The error function (below 1 ulp)."""
    return _elementwise(_vm.erf, x)


def erfc(x: Any) -> Any:
    """The complementary error function (below 1 ulp; 0 from x = 28)."""
    return _elementwise(_vm.erfc, x)


def lgamma(x: Any) -> Any:
    """log Gamma(x) for x > 0."""
    return _elementwise(_vm.lgamma, x)


def normal_cdf(x: Any) -> Any:
    """Standard normal CDF, ``erfc(-x / sqrt 2) / 2``."""
    return _elementwise(_vm.normal_cdf, x)


def power(x: Any, y: Any) -> Any:
    """``x ** y`` for x >= 0: a whole ``y`` up to 64 by squaring (exact where the power is),
    else ``exp(y log x)`` (relative error about ``|y log x|`` 2^-52); arrays broadcast."""
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        return float(_vm.pow(float(x), float(y)))
    return np.asarray(_vm.pow(np.asarray(x, dtype=float), np.asarray(y, dtype=float)), dtype=float)


def fsum(values: Iterable[float] | np.ndarray) -> float:
    """The correctly rounded sum: the same bits whatever the order or the CPU."""
    if isinstance(values, np.ndarray):
        return math.fsum(values.ravel().tolist())
    return math.fsum(values)


def dot(a: Any, b: Any) -> float:
    """``a @ b`` for vectors, each product rounded, their sum correctly rounded."""
    return fsum(np.asarray(a, dtype=float) * np.asarray(b, dtype=float))


def _sum_rows(P: np.ndarray) -> np.ndarray:
    """``P.sum(axis=0)`` in an order fixed by the shape: NumPy adds along the slow axis of a
    C-contiguous array one row at a time, elementwise ("the improved precision is only used when
    the summation is along the fast axis", numpy.sum's notes; a single column is summed
    pairwise, also in a fixed order), so each entry's sum is the same whatever SIMD code adds
    the rows (tests/python/test_arith.py checks the bits)."""
    P = np.ascontiguousarray(P)
    return np.add.reduce(P, axis=0) if P.shape[0] else np.zeros(P.shape[1:])


def _matrix_and_vector(A: Any, v: Any, axis: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``A`` as a float matrix and ``v`` as a float vector as long as ``A``'s ``axis``."""
    A, v = np.asarray(A, dtype=float), np.asarray(v, dtype=float)
    if A.ndim != 2 or v.ndim != 1 or A.shape[axis] != v.size:
        raise ValueError(f"{what}: need a matrix and a vector of {'its rows' if axis == 0 else 'its columns'}' "
                         f"length, got shapes {A.shape} and {v.shape}")
    return A, v


def matvec(A: Any, x: Any) -> np.ndarray:
    """``A @ x`` for a matrix ``A``: each row's products added in column order."""
    A, x = _matrix_and_vector(A, x, 1, "matvec")
    return _sum_rows((A * x).T)


def rmatvec(A: Any, y: Any) -> np.ndarray:
    """``A.T @ y`` for a matrix ``A``: each column's products added in row order."""
    A, y = _matrix_and_vector(A, y, 0, "rmatvec")
    return _sum_rows(A * y[:, None])


def gram(A: Any, w: Any) -> np.ndarray:
    """``A.T @ diag(w) @ A``: the rows' outer products added in row order."""
    A, w = _matrix_and_vector(A, w, 0, "gram")
    WA = A * w[:, None]
    return _sum_rows(A[:, :, None] * WA[:, None, :])


def cholesky(S: Any) -> np.ndarray:
    """Lower-triangular ``L`` with ``L @ L.T = S`` for a symmetric positive definite ``S``.

    Raises ``numpy.linalg.LinAlgError`` when ``S`` is not positive definite, as NumPy's does.
    """
    S = np.asarray(S, dtype=float)
    if S.ndim != 2 or S.shape[0] != S.shape[1]:
        raise ValueError(f"cholesky: need a square matrix, got shape {S.shape}")
    rows = S.tolist()
    k = len(rows)
    L = [[0.0] * k for _ in range(k)]
    for i in range(k):
        Li = L[i]
        for j in range(i + 1):
            Lj = L[j]
            s = math.fsum([rows[i][j], *(-Li[m] * Lj[m] for m in range(j))])
            if i == j:
                if not s > 0.0:
                    raise np.linalg.LinAlgError(
                        f"matrix is not positive definite (pivot {i} is {s:g})")
                Li[i] = math.sqrt(s)
            else:
                Li[j] = s / Lj[j]
    return np.array(L, dtype=float).reshape(k, k)


def _solve_lower(L: list[list[float]], b: list[float]) -> list[float]:
    y: list[float] = []
    for i, row in enumerate(L):
        y.append(math.fsum([b[i], *(-row[m] * y[m] for m in range(i))]) / row[i])
    return y


def _solve_upper_transposed(L: list[list[float]], y: list[float]) -> list[float]:
    k = len(L)
    x = [0.0] * k
    for i in range(k - 1, -1, -1):
        x[i] = math.fsum([y[i], *(-L[m][i] * x[m] for m in range(i + 1, k))]) / L[i][i]
    return x


def solve_spd(S: Any, b: Any) -> np.ndarray:
    """``x`` with ``S @ x = b`` for a symmetric positive definite ``S`` (Cholesky)."""
    L = cholesky(S).tolist()
    b = np.asarray(b, dtype=float)
    if b.shape != (len(L),):
        raise ValueError(f"solve_spd: need a vector of {len(L)} values, got shape {b.shape}")
    return np.array(_solve_upper_transposed(L, _solve_lower(L, b.tolist())), dtype=float)


def inverse_spd(S: Any) -> np.ndarray:
    """``S^-1`` for a symmetric positive definite ``S``, exactly symmetric."""
    L = cholesky(S).tolist()
    k = len(L)
    columns = []
    for j in range(k):
        unit = [0.0] * k
        unit[j] = 1.0
        columns.append(_solve_upper_transposed(L, _solve_lower(L, unit)))
    inv = np.array(columns, dtype=float).reshape(k, k).T
    upper = np.triu_indices(k, 1)
    inv[upper[1], upper[0]] = inv[upper]     # the upper triangle's values, mirrored
    return inv
