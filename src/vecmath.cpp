#include "cyberloss/vecmath.hpp"

#include <cmath>

#include "simd/kernels.hpp"
#include "simd/math.hpp"

namespace cyberloss::vecmath {

double inverse_normal_cdf(double p) { return simd::inverse_normal_element(p); }

void inverse_normal_cdf(const double* p, double* z, std::size_t n) {
  simd::kernels().inverse_normal_cdf(p, z, n);
}

double exp(double x) { return simd::exp_element(x); }

void exp(const double* x, double* out, std::size_t n) { simd::kernels().exp(x, out, n); }

double log(double x) { return simd::log_element(x); }

void log(const double* x, double* out, std::size_t n) { simd::kernels().log(x, out, n); }

void exp_affine(const double* z, double mu, double sigma, double* out, std::size_t n) {
  simd::kernels().exp_affine(z, mu, sigma, out, n);
}

void log1p(const double* x, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = std::log1p(x[i]);
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace cyberloss::vecmath
