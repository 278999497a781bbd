// Vectorised special functions over arrays. Each output element depends only on its input
// element (never on its position in the batch), so results are identical however a batch is
// split; the SIMD paths use SLEEF and IEEE operations without fused multiply-add contraction.
#pragma once

#include <cstddef>

namespace cyberloss::vecmath {

// Standard normal quantile, Wichura's AS241 (PPND16), relative error about 1e-16.
double inverse_normal_cdf(double p);
void inverse_normal_cdf(const double* p, double* z, std::size_t n);

// out[i] = exp(mu + sigma * z[i]), in place allowed.
void exp_affine(const double* z, double mu, double sigma, double* out, std::size_t n);

// out[i] = log1p(x[i]), in place allowed (glibc's log1p: the same bits on every path).
void log1p(const double* x, double* out, std::size_t n);

// Standard normal CDF.
double normal_cdf(double x);

}  // namespace cyberloss::vecmath
