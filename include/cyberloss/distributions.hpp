// Frequency and severity distributions. Each validates its parameters at construction
// (std::invalid_argument naming the parameter and value) and offers its exact moments, CDF and
// quantile where closed forms exist. Severities are sampled by inverse CDF from one uniform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cyberloss/random.hpp"

namespace cyberloss {

// Inverse CDF of a count distribution, exact for the 64-bit frequency uniforms: count = the
// smallest k with u <= cdf(k). Comparisons use the high word first and ask for the low word
// only when it decides (probability about 2^-32 per threshold).
class CountTable {
 public:
  CountTable() = default;
  // cdf(0..K) with the recurrence p_k = p_{k-1} (a + b / k) and p_K = last_pmf, used to
  // continue beyond the table.
  CountTable(std::vector<double> cdf, double last_pmf, double a, double b);
  bool empty() const { return cdf_.empty(); }
  std::size_t size() const { return cdf_.size(); }
  std::uint64_t count(const FrequencyUniform& u) const;
  std::uint64_t count(std::uint32_t hi, std::uint32_t lo) const;
  // True when the high word alone says the count is 0 (the common case for small rates).
  bool surely_zero(std::uint32_t hi) const { return high_[0] > hi; }
  // Counts of years y0, y0 + 1, ... from their high words hi[0..n) (see frequency_words):
  // exactly count(FrequencyUniform{hi[i], seed, stream, y0 + i}), but branch-free and
  // vectorised for the common small counts.
  void count_batch(std::uint32_t seed, std::uint32_t stream, std::uint64_t y0,
                   const std::uint32_t* hi, std::size_t n, std::uint32_t* out) const;

 private:
  std::uint64_t beyond(std::uint32_t hi, std::uint32_t lo) const;
  std::vector<double> cdf_;
  // The first thresholds high_[j] < 2^32 (as signed words, x ^ 2^31), enough that a year
  // needs more of them with probability < 2^-12; empty when that would take more than 16.
  std::vector<std::int32_t> quick_;
  std::vector<std::uint64_t> high_;  // floor(cdf * 2^32)
  std::vector<double> frac_;         // cdf * 2^32 - high
  double last_pmf_ = 0.0, a_ = 0.0, b_ = 0.0;
};

class Frequency {
 public:
  virtual ~Frequency() = default;
  virtual std::string name() const = 0;
  virtual double mean() const = 0;
  virtual double variance() const = 0;
  virtual double pmf(std::uint64_t k) const = 0;
  // P(N <= k) in closed form (cyberloss/special.hpp): bounded time for any k.
  virtual double cdf(std::uint64_t k) const = 0;
  // P(N = x) and P(N <= x) at any real x: 0 off the whole numbers >= 0 (the cdf steps at
  // them, 1 at +inf); std::invalid_argument for NaN.
  double pmf_at(double x) const;
  double cdf_at(double x) const;
  // Smallest k with cdf(k) >= p, p in (0, 1): a bracket from the normal approximation, then
  // bisection on cdf, so about 2 log2(sd) + 10 evaluations. std::domain_error when the
  // quantile exceeds 2^63 - 1.
  std::uint64_t quantile(double p) const;
  // The annual count at (seed, stream, year): inverse CDF of the frequency uniform when the
  // distribution has an inversion table (mean < 64), otherwise the sampler `draw` on
  // Stream(seed, stream, year). The engine's batched path gives the same counts.
  std::uint64_t count(std::uint32_t seed, std::uint32_t stream, std::uint64_t year) const;
  const CountTable* table() const { return table_.empty() ? nullptr : &table_; }
  // Sampler for distributions without a table (rejection / mixture methods).
  virtual std::uint64_t draw(Stream& s) const = 0;
  // The same distribution with its mean multiplied by factor (controls, systemic shocks).
  virtual std::shared_ptr<const Frequency> scaled(double factor) const = 0;

 protected:
  CountTable table_;
};

class Poisson final : public Frequency {
 public:
  explicit Poisson(double rate);
  std::string name() const override { return "Poisson"; }
  double rate() const { return rate_; }
  double mean() const override { return rate_; }
  double variance() const override { return rate_; }
  double pmf(std::uint64_t k) const override;
  double cdf(std::uint64_t k) const override;  // Q(k + 1, rate)
  std::uint64_t draw(Stream& s) const override;
  std::shared_ptr<const Frequency> scaled(double factor) const override;

 private:
  double rate_;
};

// Negative binomial as a gamma-Poisson mixture: N | L ~ Poisson(L), L ~ Gamma(k, mean / k);
// variance = mean + mean^2 / k (k = dispersion; k -> infinity gives the Poisson).
class NegativeBinomial final : public Frequency {
 public:
  NegativeBinomial(double mean, double dispersion);
  std::string name() const override { return "NegativeBinomial"; }
  double dispersion() const { return dispersion_; }
  double mean() const override { return mean_; }
  double variance() const override { return mean_ + mean_ * mean_ / dispersion_; }
  double pmf(std::uint64_t k) const override;
  double cdf(std::uint64_t k) const override;  // I_p(dispersion, k + 1), p = r / (r + mean)
  std::uint64_t draw(Stream& s) const override;
  std::shared_ptr<const Frequency> scaled(double factor) const override;

 private:
  double mean_;
  double dispersion_;
};

class Severity {
 public:
  virtual ~Severity() = default;
  virtual std::string name() const = 0;
  virtual double mean() const = 0;      // throws std::domain_error when infinite
  virtual double variance() const = 0;  // throws std::domain_error when infinite
  // E[X^k] is finite exactly for k < moment_limit(): infinity for a lognormal, 1 / xi for a
  // GPD tail (so xi >= 1/2 makes the variance infinite, xi >= 1/4 the fourth moment).
  virtual double moment_limit() const = 0;
  // The loss exceeded with probability q in (0, 1]: quantile(1 - q), accurate for tiny q.
  virtual double upper_quantile(double q) const = 0;
  virtual double cdf(double x) const = 0;
  virtual double quantile(double p) const = 0;  // p in (0, 1)
  // Limited expected value E[min(X, x)], x >= 0.
  virtual double lev(double x) const = 0;
  // out[i] = quantile(u[i]); vectorised, element values independent of batch position.
  // In place is allowed and is how the engine calls it: out may equal u (but must not overlap
  // it otherwise), so an implementation must read u[i] before anything writes out[i].
  virtual void quantile_batch(const double* u, double* out, std::size_t n) const = 0;
  virtual std::shared_ptr<const Severity> scaled(double factor) const = 0;
};

class Lognormal final : public Severity {
 public:
  Lognormal(double mu, double sigma);
  // sigma = sqrt(2 ln(mean / median)), mu = ln(median); requires mean > median > 0.
  static Lognormal from_mean_median(double mean, double median);
  std::string name() const override { return "Lognormal"; }
  double mu() const { return mu_; }
  double sigma() const { return sigma_; }
  double median() const;
  double mean() const override;
  double variance() const override;
  double cdf(double x) const override;
  double quantile(double p) const override;
  double lev(double x) const override;
  // E[X^k ; X <= x] for k = 1, 2.
  double partial_moment(int k, double x) const;
  double moment_limit() const override;
  double upper_quantile(double q) const override;
  void quantile_batch(const double* u, double* out, std::size_t n) const override;
  std::shared_ptr<const Severity> scaled(double factor) const override;

 private:
  double mu_;
  double sigma_;
};

// Lognormal body below `threshold`, generalised Pareto tail above it:
//   F(x) = F_LN(x)                                   x <= t
//   F(x) = F_LN(t) + (1 - F_LN(t)) G_{xi,beta}(x - t)  x > t
// with G the GPD CDF 1 - (1 + xi y / beta)^(-1/xi). beta defaults to (1 - F_LN(t)) / f_LN(t),
// which makes the density continuous at t.
class SplicedLognormalGPD final : public Severity {
 public:
  SplicedLognormalGPD(Lognormal body, double threshold, double xi, double beta = 0.0);
  std::string name() const override { return "SplicedLognormalGPD"; }
  const Lognormal& body() const { return body_; }
  double threshold() const { return threshold_; }
  double xi() const { return xi_; }
  double beta() const { return beta_; }
  double tail_probability() const { return tail_prob_; }
  double mean() const override;
  double variance() const override;
  double cdf(double x) const override;
  double quantile(double p) const override;
  double lev(double x) const override;
  double moment_limit() const override;
  double upper_quantile(double q) const override;
  void quantile_batch(const double* u, double* out, std::size_t n) const override;
  std::shared_ptr<const Severity> scaled(double factor) const override;

 private:
  double gpd_quantile(double q) const;
  double gpd_lev(double y) const;  // E[min(Y, y)]
  Lognormal body_;
  double threshold_;
  double xi_;
  double beta_;
  double body_prob_;
  double tail_prob_;
};

// Shared validation helpers: throw std::invalid_argument("<name> must be ..., got <value>").
void require_finite(const char* name, double value);
void require_positive(const char* name, double value);
void require_nonnegative(const char* name, double value);
void require_probability(const char* name, double value);  // open interval (0, 1)
std::string format_value(double value);

}  // namespace cyberloss
