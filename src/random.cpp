#include "cyberloss/random.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#if defined(__AVX2__)
#include <immintrin.h>
#endif
#include <stdexcept>
#include <string>

#include "cyberloss/distributions.hpp"
#include "cyberloss/vecmath.hpp"

namespace cyberloss {
namespace {

constexpr std::uint32_t kM0 = 0xD2511F53u;
constexpr std::uint32_t kM1 = 0xCD9E8D57u;
constexpr std::uint32_t kW0 = 0x9E3779B9u;
constexpr std::uint32_t kW1 = 0xBB67AE85u;

inline double to_unit(std::uint32_t lo, std::uint32_t hi) {
  const std::uint64_t bits = (std::uint64_t{hi} << 32 | lo) >> 11;
  return static_cast<double>(bits) * 0x1.0p-53 + 0x1.0p-54;
}

inline std::array<std::uint32_t, 4> counter_for(std::uint64_t year, std::uint64_t block) {
  return {static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
          static_cast<std::uint32_t>(year), static_cast<std::uint32_t>(year >> 32)};
}

}  // namespace

std::uint32_t stream_id(std::uint32_t purpose, std::uint32_t index) {
  if (purpose == 0 || purpose > 0xFFFFu)
    throw std::invalid_argument("purpose must be in [1, 65535], got " + std::to_string(purpose));
  if (index > 0xFFFFu)
    throw std::invalid_argument("stream index must be in [0, 65535], got " + std::to_string(index));
  return purpose << 16 | index;
}

std::uint32_t stream_id(Purpose purpose, std::uint32_t index) {
  return stream_id(static_cast<std::uint32_t>(purpose), index);
}

std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                           std::array<std::uint32_t, 2> key) {
  r123::Philox4x32_R<10> rng;
  r123::Philox4x32_R<10>::ctr_type c = {{counter[0], counter[1], counter[2], counter[3]}};
  r123::Philox4x32_R<10>::key_type k = {{key[0], key[1]}};
  const auto r = rng(c, k);
  return {r[0], r[1], r[2], r[3]};
}

double uniform_at(std::uint32_t seed, std::uint32_t stream, std::uint64_t year,
                  std::uint64_t draw) {
  const auto w = philox4x32_10(counter_for(year, draw >> 1), {seed, stream});
  const unsigned j = 2 * static_cast<unsigned>(draw & 1);
  return to_unit(w[j], w[j + 1]);
}

namespace {

#if defined(__AVX2__)
// 32x32->64 products of all eight lanes: returns (lo, hi) words in lane order.
inline void mulhilo8(__m256i x, __m256i m, __m256i& lo, __m256i& hi) {
  const __m256i even = _mm256_mul_epu32(x, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}
#endif

void philox_scalar(std::array<std::uint32_t, 2> key, const std::uint32_t* const c[4],
                   std::size_t i, std::uint32_t* const out[4]) {
  const auto r = philox4x32_10({c[0][i], c[1][i], c[2][i], c[3][i]}, key);
  for (int w = 0; w < 4; ++w) out[w][i] = r[static_cast<std::size_t>(w)];
}

}  // namespace

void philox_batch(std::array<std::uint32_t, 2> key, const std::uint32_t* const counter[4],
                  std::size_t n, std::uint32_t* const out[4]) {
  std::size_t i = 0;
#if defined(__AVX2__)
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kM0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(kM1));
  for (; i + 8 <= n; i += 8) {
    auto load = [&](int w) {
      return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(counter[w] + i));
    };
    __m256i x0 = load(0), x1 = load(1), x2 = load(2), x3 = load(3);
    std::uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; ++round) {
      __m256i lo0, hi0, lo1, hi1;
      mulhilo8(x0, m0, lo0, hi0);
      mulhilo8(x2, m1, lo1, hi1);
      const __m256i vk0 = _mm256_set1_epi32(static_cast<int>(k0));
      const __m256i vk1 = _mm256_set1_epi32(static_cast<int>(k1));
      x0 = _mm256_xor_si256(_mm256_xor_si256(hi1, x1), vk0);
      x1 = lo1;
      x2 = _mm256_xor_si256(_mm256_xor_si256(hi0, x3), vk1);
      x3 = lo0;
      k0 += kW0;
      k1 += kW1;
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[0] + i), x0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[1] + i), x1);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[2] + i), x2);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[3] + i), x3);
  }
#endif
  for (; i < n; ++i) philox_scalar(key, counter, i, out);
}

void uniform_batch(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                   const std::uint64_t* draws, std::size_t n, double* out) {
  constexpr std::size_t B = 256;
  alignas(32) std::uint32_t c[4][B], r[4][B];
  const std::uint32_t* const cin[4] = {c[0], c[1], c[2], c[3]};
  std::uint32_t* const rout[4] = {r[0], r[1], r[2], r[3]};
  for (std::size_t start = 0; start < n; start += B) {
    const std::size_t m = std::min(B, n - start);
    for (std::size_t i = 0; i < m; ++i) {
      const std::uint64_t block = draws[start + i] >> 1;
      const std::uint64_t year = years[start + i];
      c[0][i] = static_cast<std::uint32_t>(block);
      c[1][i] = static_cast<std::uint32_t>(block >> 32);
      c[2][i] = static_cast<std::uint32_t>(year);
      c[3][i] = static_cast<std::uint32_t>(year >> 32);
    }
    philox_batch({seed, stream}, cin, m, rout);
    for (std::size_t i = 0; i < m; ++i) {
      const bool odd = draws[start + i] & 1;
      out[start + i] = odd ? to_unit(r[2][i], r[3][i]) : to_unit(r[0][i], r[1][i]);
    }
  }
}

namespace {
constexpr std::uint32_t kFrequencyMark = 0x80000000u;
}

std::uint32_t FrequencyUniform::low() const {
  const std::uint64_t group = year >> 2;
  const auto w = philox4x32_10({1, kFrequencyMark, static_cast<std::uint32_t>(group),
                                static_cast<std::uint32_t>(group >> 32)},
                               {seed, stream});
  return w[year & 3];
}

FrequencyUniform frequency_uniform(std::uint32_t seed, std::uint32_t stream, std::uint64_t year) {
  const std::uint64_t group = year >> 2;
  const auto w = philox4x32_10({0, kFrequencyMark, static_cast<std::uint32_t>(group),
                                static_cast<std::uint32_t>(group >> 32)},
                               {seed, stream});
  return {w[year & 3], seed, stream, year};
}

void frequency_words(std::uint32_t seed, std::uint32_t stream, std::uint64_t y0, std::size_t n,
                     std::uint32_t* hi) {
  if (n == 0) return;
  const std::uint64_t g0 = y0 >> 2, g1 = (y0 + n - 1) >> 2;
  constexpr std::size_t B = 256;
  alignas(32) std::uint32_t c[4][B], r[4][B];
  const std::uint32_t* const cin[4] = {c[0], c[1], c[2], c[3]};
  std::uint32_t* const rout[4] = {r[0], r[1], r[2], r[3]};
  for (std::uint64_t gs = g0; gs <= g1; gs += B) {
    const std::size_t m = static_cast<std::size_t>(std::min<std::uint64_t>(B, g1 - gs + 1));
    for (std::size_t i = 0; i < m; ++i) {
      const std::uint64_t g = gs + i;
      c[0][i] = 0;
      c[1][i] = kFrequencyMark;
      c[2][i] = static_cast<std::uint32_t>(g);
      c[3][i] = static_cast<std::uint32_t>(g >> 32);
    }
    philox_batch({seed, stream}, cin, m, rout);
    for (std::size_t i = 0; i < m; ++i) {
      const std::uint64_t first = (gs + i) << 2;
      if (first >= y0 && first + 4 <= y0 + n) {
        std::uint32_t* dst = hi + (first - y0);
        dst[0] = r[0][i];
        dst[1] = r[1][i];
        dst[2] = r[2][i];
        dst[3] = r[3][i];
      } else {
        for (std::uint64_t w = 0; w < 4; ++w) {
          const std::uint64_t y = first + w;
          if (y >= y0 && y < y0 + n) hi[y - y0] = r[w][i];
        }
      }
    }
  }
}

Stream::Stream(std::uint32_t seed, std::uint32_t stream, std::uint64_t year,
               std::uint64_t first_draw)
    : key_{seed, stream}, year_(year), next_(first_draw) {}

double Stream::uniform() {
  const std::uint64_t block = next_ >> 1;
  if (block != block_) {
    words_ = philox4x32_10(counter_for(year_, block), key_);
    block_ = block;
  }
  const unsigned j = 2 * static_cast<unsigned>(next_ & 1);
  ++next_;
  return to_unit(words_[j], words_[j + 1]);
}

double standard_normal(Stream& s) { return vecmath::inverse_normal_cdf(s.uniform()); }

double lognormal(Stream& s, double mu, double sigma) {
  // Same exp path as the batched engine, so a draw has the same bits either way.
  const double z = standard_normal(s);
  double x;
  vecmath::exp_affine(&z, mu, sigma, &x, 1);
  return x;
}

void check_gamma(double shape, double scale) {
  require_positive("shape", shape);
  require_positive("scale", scale);
}

void check_poisson(double mean) { require_nonnegative("mean", mean); }

void check_negative_binomial(double mean, double dispersion) {
  require_nonnegative("mean", mean);
  require_positive("dispersion", dispersion);
}

double gamma(Stream& s, double shape, double scale) {
  check_gamma(shape, scale);
  if (shape < 1.0) {
    // Boost: G(a) = G(a + 1) * U^(1/a).
    const double g = gamma(s, shape + 1.0, 1.0);
    return scale * g * std::pow(s.uniform(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = standard_normal(s);
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = s.uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return scale * d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return scale * d * v;
  }
}

std::uint64_t poisson(Stream& s, double mean) {
  check_poisson(mean);
  if (mean == 0.0) return 0;
  if (mean < 64.0) {
    // Inversion from one uniform: counts move monotonically with the mean under common
    // random numbers.
    const double u = s.uniform();
    double p = std::exp(-mean);
    double cdf = p;
    std::uint64_t k = 0;
    while (u > cdf && p > 0.0) {
      ++k;
      p *= mean / static_cast<double>(k);
      cdf += p;
    }
    return k;
  }
  // PTRS, Hormann (1993), "The transformed rejection method for generating Poisson random
  // variables", Insurance: Mathematics and Economics 12, 39-45.
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = s.uniform() - 0.5;
    const double v = s.uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -mean + k * loglam - std::lgamma(k + 1.0))
      return static_cast<std::uint64_t>(k);
  }
}

std::uint64_t negative_binomial(Stream& s, double mean, double dispersion) {
  check_negative_binomial(mean, dispersion);
  if (mean == 0.0) return 0;
  return poisson(s, gamma(s, dispersion, mean / dispersion));
}

}  // namespace cyberloss
