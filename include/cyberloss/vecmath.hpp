// Special functions, element by element and over arrays. Each output element depends only on
// its input element (never on its position in a batch), and the batches run on the SIMD path
// chosen at run time (cyberloss/simd.hpp) with the same bits as the scalar functions on every
// path. Every function here is computed in the core from IEEE basic operations (no libm call, no
// fused multiply-add), so its bits do not depend on the CPU, the C library or the operating
// system: the core and the Python package (through cyberloss._arith) compute every model
// parameter and every sampled value with these, never with std::exp, math.exp or numpy.exp.
#pragma once

#include <cstddef>

namespace cyberloss::vecmath {

// Standard normal quantile, Wichura's AS241 (PPND16), relative error about 1e-16; the tails
// use log below.
double inverse_normal_cdf(double p);
void inverse_normal_cdf(const double* p, double* z, std::size_t n);

// e^x for every double: error below 0.64 ulp for normal results and 0.76 ulp for subnormal
// ones (tests/cpp/test_vecmath.cpp measures it against long double over the whole range;
// SLEEF's exp, used before, promised 1 ulp); inf above 709.78, 0 below -745.13, NaN propagated.
double exp(double x);
void exp(const double* x, double* out, std::size_t n);

// Natural logarithm for every double: fdlibm's method, error below 1 ulp (measured up to 0.85
// ulp by the same test; glibc's table-driven log reaches 0.52 ulp); log(0) = -inf,
// log(x < 0) = NaN, log(inf) = inf, subnormal arguments scaled exactly first.
double log(double x);
void log(const double* x, double* out, std::size_t n);

// out[i] = exp(mu + sigma * z[i]) (the product and the sum rounded as written), in place
// allowed.
void exp_affine(const double* z, double mu, double sigma, double* out, std::size_t n);

// The functions below are scalar ports of fdlibm (Sun Microsystems, 1993: "Permission to use,
// copy, modify, and distribute this software is freely granted, provided that this notice is
// preserved"; the method and coefficients as in FreeBSD's msun and Go's math package), with
// fdlibm's exp and log replaced by the ones above. The C library's versions are not used
// because their bits depend on the CPU: glibc picks an FMA variant of exp, log1p, expm1, erfc,
// pow and others at load time, which rounds differently from its SSE2 variant in about 1 call in
// 1,500 (measured on glibc 2.36 with GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-AVX2).

// log(1 + x): fdlibm's s_log1p, error below 1 ulp; -1 gives -inf, x < -1 NaN.
double log1p(double x);
// out[i] = log1p(x[i]), in place allowed.
void log1p(const double* x, double* out, std::size_t n);

// e^x - 1: fdlibm's s_expm1, error below 1 ulp; inf above 709.78, -1 below -38.8.
double expm1(double x);

// The error function and its complement: fdlibm's s_erf. erf below 1 ulp; erfc below 3 ulp
// (measured 2.5 near x = 0.82, fdlibm's own formula there, and 2.9 in the tail, where it
// multiplies two of the core's exps; glibc's erfc reaches 3.3 on [-1.25, 1.25]); erfc
// underflows to 0 at x >= 28.
double erf(double x);
double erfc(double x);

// log Gamma(x) for x > 0 (fdlibm's e_lgamma_r on the positive axis): below 3 ulp away from
// its zeros at 1 and 2 (the core's log's error times x - 1/2; fdlibm's with the C library's
// log: 2.3); +0 gives inf, x < 0 and NaN give NaN.
double lgamma(double x);

// x^y for x >= 0: a whole y with |y| <= 64 by squaring (exact where the power is: 10^2, 2^-3),
// any other as exp(y log x) (relative error about |y log x| * 2^-52); pow(x, 0) and pow(1, y)
// are 1 (NaN or not, as C's), pow(0, y) is 0 for y > 0 and inf for y < 0, x < 0 gives NaN.
double pow(double x, double y);

// Standard normal CDF, 0.5 erfc(-x / sqrt 2) (the rounding of x / sqrt 2 costs about x^2 / 2
// ulp in the tails, as with any erfc).
double normal_cdf(double x);

}  // namespace cyberloss::vecmath
