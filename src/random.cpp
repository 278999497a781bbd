#include "cyberloss/random.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "cyberloss/distributions.hpp"
#include "cyberloss/vecmath.hpp"
#include "simd/kernels.hpp"

namespace cyberloss {
namespace {

// The largest double below 1. Above 1/2 the spacing of doubles is 2^-53, so adding 2^-54
// rounds, and the largest 53-bit word would round up to exactly 1.
constexpr double kBelowOne = 0x1.fffffffffffffp-1;

inline double to_unit(std::uint32_t lo, std::uint32_t hi) {
  const std::uint64_t bits = (std::uint64_t{hi} << 32 | lo) >> 11;
  return std::min(static_cast<double>(bits) * 0x1.0p-53 + 0x1.0p-54, kBelowOne);
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

void philox_batch(std::array<std::uint32_t, 2> key, const std::uint32_t* const counter[4],
                  std::size_t n, std::uint32_t* const out[4]) {
  simd::kernels().philox(key[0], key[1], counter, n, out);
}

void uniform_batch(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                   const std::uint64_t* draws, std::size_t n, double* out) {
  constexpr std::size_t B = 256;
  alignas(32) std::uint32_t c[4][B], r[4][B];
  std::uint32_t lo[B], hi[B];
  const std::uint32_t* const cin[4] = {c[0], c[1], c[2], c[3]};
  std::uint32_t* const rout[4] = {r[0], r[1], r[2], r[3]};
  const simd::Kernels& k = simd::kernels();
  for (std::size_t start = 0; start < n; start += B) {
    const std::size_t m = std::min(B, n - start);
    for (std::size_t i = 0; i < m; ++i) {
      const auto ctr = counter_for(years[start + i], draws[start + i] >> 1);
      for (int w = 0; w < 4; ++w) c[w][i] = ctr[static_cast<std::size_t>(w)];
    }
    k.philox(seed, stream, cin, m, rout);
    for (std::size_t i = 0; i < m; ++i) {
      const bool odd = draws[start + i] & 1;
      lo[i] = odd ? r[2][i] : r[0][i];
      hi[i] = odd ? r[3][i] : r[1][i];
    }
    k.unit_uniforms(lo, hi, m, out + start);
  }
}

double unit_uniform(std::uint32_t lo, std::uint32_t hi) { return to_unit(lo, hi); }

void unit_uniforms(const std::uint32_t* lo, const std::uint32_t* hi, std::size_t n, double* out) {
  simd::kernels().unit_uniforms(lo, hi, n, out);
}

void uniform_runs(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                  const std::uint32_t* counts, std::size_t n, double* out) {
  simd::kernels().uniform_runs(seed, stream, years, counts, n, out);
}

void uniform_range(std::uint32_t seed, std::uint32_t stream, std::uint64_t year,
                   std::uint64_t first, std::size_t n, double* out) {
  simd::kernels().uniform_range(seed, stream, year, first, n, out);
}

namespace {
constexpr std::uint32_t kFrequencyMark = 0x80000000u;
}  // namespace

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
  simd::kernels().frequency_words(seed, stream, y0, n, hi);
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
    return scale * g * vecmath::pow(s.uniform(), 1.0 / shape);
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
    if (vecmath::log(u) < 0.5 * x2 + d * (1.0 - v + vecmath::log(v))) return scale * d * v;
  }
}

std::uint64_t poisson(Stream& s, double mean) {
  check_poisson(mean);
  if (mean == 0.0) return 0;
  if (mean < 64.0) {
    // Inversion from one uniform: counts move monotonically with the mean under common
    // random numbers.
    const double u = s.uniform();
    double p = vecmath::exp(-mean);
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
  const double loglam = vecmath::log(mean);
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
    if (vecmath::log(v) + vecmath::log(invalpha) - vecmath::log(a / (us * us) + b) <=
        -mean + k * loglam - vecmath::lgamma(k + 1.0))
      return static_cast<std::uint64_t>(k);
  }
}

std::uint64_t negative_binomial(Stream& s, double mean, double dispersion) {
  check_negative_binomial(mean, dispersion);
  if (mean == 0.0) return 0;
  return poisson(s, gamma(s, dispersion, mean / dispersion));
}

}  // namespace cyberloss
