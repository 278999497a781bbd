// Special functions, element by element and over arrays. Each output element depends only on
// its input element (never on its position in a batch), and the batches run on the SIMD path
// chosen at run time (cyberloss/simd.hpp) with the same bits as the scalar functions on every
// path: exp, log and the normal quantile are computed in the core from IEEE basic operations
// (no libm call, no fused multiply-add), so their bits do not depend on the CPU, the C library
// or the operating system.
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

// out[i] = log1p(x[i]), in place allowed (the C library's log1p: the same bits on every SIMD
// path of one machine, not necessarily across operating systems).
void log1p(const double* x, double* out, std::size_t n);

// Standard normal CDF.
double normal_cdf(double x);

}  // namespace cyberloss::vecmath
