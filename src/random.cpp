#include "cyberloss/random.hpp"

#include <Random123/philox.h>

#include <cmath>
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

void uniform_batch(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                   const std::uint64_t* draws, std::size_t n, double* out) {
  // Structure-of-arrays Philox: the ten rounds run across 64 counters at once, which the
  // compiler turns into SIMD 32x32->64 multiplies.
  constexpr std::size_t B = 64;
  alignas(64) std::uint32_t x0[B], x1[B], x2[B], x3[B];
  for (std::size_t start = 0; start < n; start += B) {
    const std::size_t m = std::min(B, n - start);
    for (std::size_t i = 0; i < B; ++i) {
      const std::uint64_t block = i < m ? draws[start + i] >> 1 : 0;
      const std::uint64_t year = i < m ? years[start + i] : 0;
      x0[i] = static_cast<std::uint32_t>(block);
      x1[i] = static_cast<std::uint32_t>(block >> 32);
      x2[i] = static_cast<std::uint32_t>(year);
      x3[i] = static_cast<std::uint32_t>(year >> 32);
    }
    std::uint32_t k0 = seed, k1 = stream;
    for (int round = 0; round < 10; ++round) {
      for (std::size_t i = 0; i < B; ++i) {
        const std::uint64_t p0 = std::uint64_t{kM0} * x0[i];
        const std::uint64_t p1 = std::uint64_t{kM1} * x2[i];
        const std::uint32_t y0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1[i] ^ k0;
        const std::uint32_t y2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3[i] ^ k1;
        x1[i] = static_cast<std::uint32_t>(p1);
        x3[i] = static_cast<std::uint32_t>(p0);
        x0[i] = y0;
        x2[i] = y2;
      }
      k0 += kW0;
      k1 += kW1;
    }
    for (std::size_t i = 0; i < m; ++i) {
      const bool odd = draws[start + i] & 1;
      out[start + i] = odd ? to_unit(x2[i], x3[i]) : to_unit(x0[i], x1[i]);
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
