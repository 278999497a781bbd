// Counter-based random streams (Philox4x32-10, Random123) and the samplers built on them.
//
// Every random number in cyberloss is a pure function of (seed, stream, year, draw):
//   key     = (seed, stream)                      two 32-bit words
//   counter = (draw >> 1 as two words, year as two words): four 32-bit words
//   draw d uses output words 2*(d&1) (low half) and 2*(d&1)+1 (high half) of that block
//   u = min(((hi << 32 | lo) >> 11) * 2^-53 + 2^-54, 1 - 2^-53)   strictly inside (0, 1)
// so any year can be regenerated alone: results do not depend on threads, blocks or chunking.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace cyberloss {

// What a stream is used for; stream = purpose << 16 | index (index: attack type, policy, ...).
enum class Purpose : std::uint32_t {
  frequency = 1,
  severity = 2,
  downtime = 3,
  effort = 4,
  components = 5,
  systemic = 6,
  parameters = 7,
  portfolio = 8,
  survey = 9,
  branch = 10,
  user = 32,
};

std::uint32_t stream_id(Purpose purpose, std::uint32_t index);
std::uint32_t stream_id(std::uint32_t purpose, std::uint32_t index);

// Raw Philox4x32-10 block (exposed for the known-answer tests).
std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                           std::array<std::uint32_t, 2> key);

// The uniform of one pair of output words, as above, and of n pairs (exposed for the tests of
// the extremes).
double unit_uniform(std::uint32_t lo, std::uint32_t hi);
void unit_uniforms(const std::uint32_t* lo, const std::uint32_t* hi, std::size_t n, double* out);

// The uniform at one coordinate.
double uniform_at(std::uint32_t seed, std::uint32_t stream, std::uint64_t year, std::uint64_t draw);

// Philox4x32-10 on n counters (structure of arrays) under one key; AVX2 when available, with
// results identical to philox4x32_10 (integer arithmetic is exact).
void philox_batch(std::array<std::uint32_t, 2> key, const std::uint32_t* const counter[4],
                  std::size_t n, std::uint32_t* const out[4]);

// Uniforms at n coordinates sharing (seed, stream); gives exactly the values of uniform_at.
void uniform_batch(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                   const std::uint64_t* draws, std::size_t n, double* out);

// Uniforms of draws 0 .. counts[h] - 1 of year years[h], for h = 0 .. n - 1, one run after
// another in out (sum of counts values): exactly the values of uniform_at, with one Philox
// block per two draws. This is how the engine draws the severities of a year's events.
void uniform_runs(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                  const std::uint32_t* counts, std::size_t n, double* out);

// Uniforms of draws first .. first + n - 1 of one year: exactly the values of uniform_at. The
// engine uses it for a year with more events than it converts at once.
void uniform_range(std::uint32_t seed, std::uint32_t stream, std::uint64_t year,
                   std::uint64_t first, std::size_t n, double* out);

// Frequency uniforms (used by inverse-CDF count draws). The uniform of (seed, stream, year) is
//   u = (H + (L + 1/2) / 2^32) / 2^32
// with H = word (year mod 4) of Philox(key (seed, stream), counter (0, 2^31, year / 4)) and
// L = the same word of counter (1, 2^31, year / 4): four consecutive years share one block,
// and L is generated only when H alone cannot decide the count. Counter word 1 = 2^31 keeps
// these blocks apart from ordinary draws.
struct FrequencyUniform {
  std::uint32_t hi;
  std::uint32_t seed, stream;
  std::uint64_t year;
  std::uint32_t low() const;  // L, computed on demand
};
FrequencyUniform frequency_uniform(std::uint32_t seed, std::uint32_t stream, std::uint64_t year);
// The high words H for years [y0, y0 + n).
void frequency_words(std::uint32_t seed, std::uint32_t stream, std::uint64_t y0, std::size_t n,
                     std::uint32_t* hi);

// Draws 0, 1, 2, ... of one (seed, stream, year), for samplers that need a variable number of
// uniforms (rejection methods). Cheap to construct; holds one Philox block.
class Stream {
 public:
  Stream(std::uint32_t seed, std::uint32_t stream, std::uint64_t year,
         std::uint64_t first_draw = 0);
  double uniform();
  std::uint64_t draws_used() const { return next_; }

 private:
  std::array<std::uint32_t, 2> key_;
  std::uint64_t year_;
  std::uint64_t next_;
  std::uint64_t block_ = ~std::uint64_t{0};
  std::array<std::uint32_t, 4> words_{};
};

// Samplers. Unless stated, each consumes a variable number of draws from the stream.
double standard_normal(Stream& s);                     // inverse CDF: one draw
double lognormal(Stream& s, double mu, double sigma);  // inverse CDF: one draw
double gamma(Stream& s, double shape, double scale);   // Marsaglia-Tsang (2000)
std::uint64_t poisson(Stream& s, double mean);         // inversion (mean < 64), PTRS otherwise
std::uint64_t negative_binomial(Stream& s, double mean,
                                double dispersion);  // gamma-Poisson mixture

// Parameter checks used by the samplers (std::invalid_argument naming the parameter).
void check_gamma(double shape, double scale);
void check_poisson(double mean);
void check_negative_binomial(double mean, double dispersion);

}  // namespace cyberloss
