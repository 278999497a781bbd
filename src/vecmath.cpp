#include "cyberloss/vecmath.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__AVX2__)
#include <immintrin.h>
#include <sleef.h>
#endif

namespace cyberloss::vecmath {
namespace {

// AS241 coefficients: Wichura (1988), "Algorithm AS 241: The percentage points of the normal
// distribution", Applied Statistics 37, 477-484.
constexpr double a[8] = {3.3871328727963666080e0,  1.3314166789178437745e+2,
                         1.9715909503065514427e+3, 1.3731693765509461125e+4,
                         4.5921953931549871457e+4, 6.7265770927008700853e+4,
                         3.3430575583588128105e+4, 2.5090809287301226727e+3};
constexpr double b[8] = {1.0,
                         4.2313330701600911252e+1,
                         6.8718700749205790830e+2,
                         5.3941960214247511077e+3,
                         2.1213794301586595867e+4,
                         3.9307895800092710610e+4,
                         2.8729085735721942674e+4,
                         5.2264952788528545610e+3};
constexpr double c[8] = {1.42343711074968357734e0,  4.63033784615654529590e0,
                         5.76949722146069140550e0,  3.64784832476320460504e0,
                         1.27045825245236838258e0,  2.41780725177450611770e-1,
                         2.27238449892691845833e-2, 7.74545014278341407640e-4};
constexpr double d[8] = {1.0,
                         2.05319162663775882187e0,
                         1.67638483018380384940e0,
                         6.89767334985100004550e-1,
                         1.48103976427480074590e-1,
                         1.51986665636164571966e-2,
                         5.47593808499534494600e-4,
                         1.05075007164441684324e-9};
constexpr double e[8] = {6.65790464350110377720e0,  5.46378491116411436990e0,
                         1.78482653991729133580e0,  2.96560571828504891230e-1,
                         2.65321895265761230930e-2, 1.24266094738807843860e-3,
                         2.71155556874348757815e-5, 2.01033439929228813265e-7};
constexpr double f[8] = {1.0,
                         5.99832206555887937690e-1,
                         1.36929880922735805310e-1,
                         1.48753612908506148525e-2,
                         7.86869131145613259100e-4,
                         1.84631831751005468180e-5,
                         1.42151175831644588870e-7,
                         2.04426310338993978564e-15};

inline double horner(const double* k, double r) {
  return ((((((k[7] * r + k[6]) * r + k[5]) * r + k[4]) * r + k[3]) * r + k[2]) * r + k[1]) * r +
         k[0];
}

inline double central(double q) {
  const double r = 0.180625 - q * q;
  return q * horner(a, r) / horner(b, r);
}

inline double tail(double p, double q) {
  const double one_minus_p = 1.0 - p;
  double r = std::sqrt(-std::log(q < 0.0 ? p : one_minus_p));
  double v;
  if (r <= 5.0) {
    r -= 1.6;
    v = horner(c, r) / horner(d, r);
  } else {
    r -= 5.0;
    v = horner(e, r) / horner(f, r);
  }
  return q < 0.0 ? -v : v;
}

}  // namespace

double inverse_normal_cdf(double p) {
  const double q = p - 0.5;
  return std::fabs(q) <= 0.425 ? central(q) : tail(p, q);
}

void inverse_normal_cdf(const double* p, double* z, std::size_t n) {
  // Per chunk: the branch-free central formula for every element (vectorised), then the tails
  // (about 15% of uniforms) one by one. IEEE +,*,/ give the same bits in vector and scalar
  // code. The chunk copy lets p and z be the same array.
  // The tails are gathered first (branch-free) so that the tail loop does not mispredict.
  constexpr std::size_t B = 256;
  double buf[B];
  std::uint32_t tails[B + 4];
#if defined(__AVX2__)
  // For each 4-bit mask, the lanes of its set bits in order (left-packing).
  alignas(16) static constexpr std::uint32_t pack[16][4] = {
      {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {2, 0, 0, 0}, {0, 2, 0, 0},
      {1, 2, 0, 0}, {0, 1, 2, 0}, {3, 0, 0, 0}, {0, 3, 0, 0}, {1, 3, 0, 0}, {0, 1, 3, 0},
      {2, 3, 0, 0}, {0, 2, 3, 0}, {1, 2, 3, 0}, {0, 1, 2, 3}};
  const __m256d half = _mm256_set1_pd(0.5), bound = _mm256_set1_pd(0.425);
  const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFFLL));
#endif
  for (std::size_t start = 0; start < n; start += B) {
    const std::size_t m = std::min(B, n - start);
    std::memcpy(buf, p + start, m * sizeof(double));
    double* out = z + start;
    for (std::size_t i = 0; i < m; ++i) out[i] = central(buf[i] - 0.5);
    std::size_t nt = 0, i0 = 0;
#if defined(__AVX2__)
    for (; i0 + 4 <= m; i0 += 4) {
      const __m256d q = _mm256_and_pd(_mm256_sub_pd(_mm256_loadu_pd(buf + i0), half), abs_mask);
      const int mask = _mm256_movemask_pd(_mm256_cmp_pd(q, bound, _CMP_GT_OQ));
      const __m128i lanes = _mm_load_si128(reinterpret_cast<const __m128i*>(pack[mask]));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(tails + nt),
                       _mm_add_epi32(lanes, _mm_set1_epi32(static_cast<int>(i0))));
      nt += static_cast<std::size_t>(__builtin_popcount(static_cast<unsigned>(mask)));
    }
#endif
    for (std::size_t i = i0; i < m; ++i) {
      tails[nt] = static_cast<std::uint32_t>(i);
      nt += std::fabs(buf[i] - 0.5) > 0.425;
    }
    std::size_t j = 0;
#if defined(__AVX2__)
    // Four tails at a time: glibc's log one by one (it fixes the bits), then the square root
    // and the rational function in vector form, with the same IEEE operations as tail().
    // A group with any r > 5 (probability below 1e-11 per tail) goes the scalar way.
    const __m256d five = _mm256_set1_pd(5.0), shift = _mm256_set1_pd(1.6);
    const __m256d sign = _mm256_set1_pd(-0.0);
    for (; j + 4 <= nt; j += 4) {
      alignas(32) double logs[4], q[4];
      for (std::size_t l = 0; l < 4; ++l) {
        const double pi = buf[tails[j + l]];
        q[l] = pi - 0.5;
        const double one_minus_p = 1.0 - pi;
        logs[l] = -std::log(q[l] < 0.0 ? pi : one_minus_p);
      }
      const __m256d r = _mm256_sqrt_pd(_mm256_load_pd(logs));
      if (_mm256_movemask_pd(_mm256_cmp_pd(r, five, _CMP_LE_OQ)) != 0xF) {
        for (std::size_t l = 0; l < 4; ++l) {
          const std::size_t i = tails[j + l];
          out[i] = tail(buf[i], q[l]);
        }
        continue;
      }
      const __m256d x = _mm256_sub_pd(r, shift);
      __m256d num = _mm256_set1_pd(c[7]), den = _mm256_set1_pd(d[7]);
      for (int k = 6; k >= 0; --k) {
        num = _mm256_add_pd(_mm256_mul_pd(num, x), _mm256_set1_pd(c[k]));
        den = _mm256_add_pd(_mm256_mul_pd(den, x), _mm256_set1_pd(d[k]));
      }
      const __m256d v = _mm256_div_pd(num, den);
      // Negate where q < 0: flip the sign bit of those lanes.
      const __m256d negative = _mm256_cmp_pd(_mm256_load_pd(q), _mm256_setzero_pd(), _CMP_LT_OQ);
      alignas(32) double result[4];
      _mm256_store_pd(result, _mm256_xor_pd(v, _mm256_and_pd(negative, sign)));
      for (std::size_t l = 0; l < 4; ++l) out[tails[j + l]] = result[l];
    }
#endif
    for (; j < nt; ++j) {
      const std::size_t i = tails[j];
      out[i] = tail(buf[i], buf[i] - 0.5);
    }
  }
}

void exp_affine(const double* z, double mu, double sigma, double* out, std::size_t n) {
#if defined(__AVX2__)
  // Every element goes through the same 4-lane SLEEF path (the last partial group is padded),
  // so an element's value never depends on where it sits in the batch.
  const __m256d vmu = _mm256_set1_pd(mu);
  const __m256d vsigma = _mm256_set1_pd(sigma);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d x = _mm256_add_pd(vmu, _mm256_mul_pd(vsigma, _mm256_loadu_pd(z + i)));
    _mm256_storeu_pd(out + i, Sleef_expd4_u10avx2(x));
  }
  if (i < n) {
    alignas(32) double buf[4] = {0.0, 0.0, 0.0, 0.0};
    std::memcpy(buf, z + i, (n - i) * sizeof(double));
    const __m256d x = _mm256_add_pd(vmu, _mm256_mul_pd(vsigma, _mm256_load_pd(buf)));
    _mm256_store_pd(buf, Sleef_expd4_u10avx2(x));
    std::memcpy(out + i, buf, (n - i) * sizeof(double));
  }
#else
  for (std::size_t i = 0; i < n; ++i) out[i] = std::exp(mu + sigma * z[i]);
#endif
}

void log1p(const double* x, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = std::log1p(x[i]);
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace cyberloss::vecmath
