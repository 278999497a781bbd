#include "cyberloss/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "cyberloss/special.hpp"
#include "cyberloss/vecmath.hpp"
#include "simd/kernels.hpp"

namespace cyberloss {

std::string format_value(double value) {
  std::ostringstream os;
  os.precision(12);
  os << value;
  return os.str();
}

void require_finite(const char* name, double value) {
  if (!std::isfinite(value))
    throw std::invalid_argument(std::string(name) + " must be finite, got " + format_value(value));
}

void require_positive(const char* name, double value) {
  if (!std::isfinite(value) || !(value > 0.0))
    throw std::invalid_argument(std::string(name) + " must be finite and > 0, got " +
                                format_value(value));
}

void require_nonnegative(const char* name, double value) {
  if (!std::isfinite(value) || !(value >= 0.0))
    throw std::invalid_argument(std::string(name) + " must be finite and >= 0, got " +
                                format_value(value));
}

void require_probability(const char* name, double value) {
  if (!(value > 0.0 && value < 1.0))
    throw std::invalid_argument(std::string(name) + " must be in (0, 1), got " +
                                format_value(value));
}

CountTable::CountTable(std::vector<double> cdf, double last_pmf, double a, double b)
    : cdf_(std::move(cdf)), last_pmf_(last_pmf), a_(a), b_(b) {
  for (double c : cdf_) {
    const double scaled = std::ldexp(c, 32);
    const double high = std::floor(scaled);
    high_.push_back(static_cast<std::uint64_t>(high));
    frac_.push_back(scaled - high);
  }
  constexpr std::size_t kMaxQuick = 16;
  std::size_t m = 0;
  while (m < cdf_.size() && 1.0 - cdf_[m] >= 0x1.0p-12) ++m;
  m = std::min(m + 1, cdf_.size());  // thresholds 0..m-1 settle all but 2^-12 of the years
  if (m <= kMaxQuick) {
    for (std::size_t j = 0; j < m; ++j) {
      // A threshold of 2^32 (cdf rounded to 1) is above every high word: 0xFFFFFFFF compares
      // equal to H = 0xFFFFFFFF only, which sends that year to the exact path.
      const std::uint64_t h = std::min<std::uint64_t>(high_[j], 0xFFFFFFFFu);
      quick_.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(h) ^ 0x80000000u));
    }
  }
}

void CountTable::count_batch(std::uint32_t seed, std::uint32_t stream, std::uint64_t y0,
                             const std::uint32_t* hi, std::size_t n, std::uint32_t* out) const {
  // With thresholds t_0 <= t_1 <= ... (high words of the cdf), a year whose high word H
  // equals none of t_0..t_{m-1} has count #{j < m : t_j < H} if that is < m; otherwise (a tie,
  // or a count of m or more) the exact scalar path decides.
  auto exact = [&](std::size_t l) {
    out[l] = static_cast<std::uint32_t>(count(FrequencyUniform{hi[l], seed, stream, y0 + l}));
  };
  if (quick_.empty()) {
    for (std::size_t i = 0; i < n; ++i) {
      if (surely_zero(hi[i]))
        out[i] = 0;
      else
        exact(i);
    }
    return;
  }
  constexpr std::size_t kStep = 1024;
  std::uint32_t undecided[kStep];
  const simd::Kernels& k = simd::kernels();
  for (std::size_t start = 0; start < n; start += kStep) {
    const std::size_t len = std::min(kStep, n - start);
    const std::size_t m =
        k.quick_counts(quick_.data(), quick_.size(), hi + start, len, out + start, undecided);
    for (std::size_t j = 0; j < m; ++j) exact(start + undecided[j]);
  }
}

std::uint64_t CountTable::count(std::uint32_t hi, std::uint32_t lo) const {
  // cdf_k < u  <=>  high_k < H, or high_k == H and frac_k < (L + 1/2) / 2^32
  const double low = (static_cast<double>(lo) + 0.5) * 0x1.0p-32;
  std::size_t k = 0;
  const std::size_t n = cdf_.size();
  while (k < n && (high_[k] < hi || (high_[k] == hi && frac_[k] < low))) ++k;
  return k < n ? k : beyond(hi, lo);
}

std::uint64_t CountTable::count(const FrequencyUniform& u) const {
  // The first threshold decides most draws from the high word alone.
  if (high_[0] > u.hi) return 0;
  std::size_t k = 0;
  const std::size_t n = cdf_.size();
  while (k < n && high_[k] < u.hi) ++k;
  if (k < n && high_[k] > u.hi) return k;
  return count(u.hi, u.low());
}

std::uint64_t CountTable::beyond(std::uint32_t hi, std::uint32_t lo) const {
  // u lies above the last tabulated cdf (within about 1e-16 of 1): continue the pmf recursion
  // in long double with the table's recurrence data (last pmf, then ratio a + b / k).
  const long double u =
      (static_cast<long double>(hi) + (static_cast<long double>(lo) + 0.5L) / 4294967296.0L) /
      4294967296.0L;
  long double p = last_pmf_, total = cdf_.back();
  std::uint64_t k = cdf_.size() - 1;
  while (u > total && p > 0.0L) {
    ++k;
    p *= a_ + b_ / static_cast<long double>(k);
    total += p;
  }
  return k;
}

std::uint64_t Frequency::quantile(double p) const {
  require_probability("p", p);
  constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
  auto reaches = [&](std::uint64_t k) { return cdf(k) >= p; };
  auto doubled = [](std::uint64_t step) { return step > kMax / 2 ? kMax : 2 * step; };
  const double sd = std::sqrt(variance());
  const double guess = mean() + vecmath::inverse_normal_cdf(p) * sd;
  const std::uint64_t start = !(guess > 0.0)      ? 0
                              : guess >= 0x1.0p63 ? kMax
                                                  : static_cast<std::uint64_t>(guess);
  std::uint64_t step = !(sd >= 1.0)     ? 1
                       : sd >= 0x1.0p62 ? kMax / 2
                                        : static_cast<std::uint64_t>(sd);
  // Invariant once bracketed: cdf(lo) < p <= cdf(hi).
  std::uint64_t lo = 0, hi = 0;
  if (reaches(start)) {
    for (hi = start;; hi = lo, step = doubled(step)) {
      if (hi == 0) return 0;
      lo = hi > step ? hi - step : 0;
      if (!reaches(lo)) break;
    }
  } else {
    for (lo = start;; lo = hi, step = doubled(step)) {
      if (lo == kMax)
        throw std::domain_error(name() + " with mean " + format_value(mean()) +
                                ": the quantile at p = " + format_value(p) + " exceeds 2^63 - 1");
      hi = kMax - lo > step ? lo + step : kMax;
      if (reaches(hi)) break;
    }
  }
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    (reaches(mid) ? hi : lo) = mid;
  }
  return hi;
}

std::uint64_t Frequency::count(std::uint32_t seed, std::uint32_t stream, std::uint64_t year) const {
  if (!table_.empty()) return table_.count(frequency_uniform(seed, stream, year));
  Stream s(seed, stream, year);
  return draw(s);
}

namespace {

// M_PI's value; M_PI itself is POSIX, not standard C++ (MSVC hides it).
constexpr double kPi = 3.141592653589793238462643383279502884;

// cdf(0..K) by the recursion p_{k} = p_{k-1} (a + b / k), stopped when 1 - cdf < 1e-17 or the
// pmf underflows, or else where the cdf stopped rising; empty when more than max_size terms
// would be needed.
CountTable build_table(double p0, double a, double b, std::size_t max_size) {
  std::vector<double> cdf;
  double p = p0, total = p0;
  cdf.push_back(total);
  for (std::uint64_t k = 1; 1.0 - total > 1e-17 && p > 0.0; ++k) {
    if (cdf.size() >= max_size) {
      // Neither end came: the cdf can stop a unit below 1 (1 - 2^-52) while the pmf sticks at
      // the smallest subnormal (a ratio a + b / k above 1/2 rounds it back to itself), as for a
      // negative binomial with m / (r + m) > 1/2. Where the cdf stopped rising, the table ends
      // and beyond() continues the recurrence in long double, so that these counts still come
      // from the frequency uniform by inversion. A cdf still rising is a table too long to keep.
      std::size_t end = cdf.size() - 1;
      while (end > 0 && cdf[end - 1] == cdf.back()) --end;
      if (end + 1 == cdf.size()) return CountTable();
      cdf.resize(end + 1);
      p = p0;
      for (std::uint64_t j = 1; j <= end; ++j) p *= a + b / static_cast<double>(j);
      break;
    }
    p *= a + b / static_cast<double>(k);
    total += p;
    cdf.push_back(total);
  }
  return CountTable(std::move(cdf), p, a, b);
}

}  // namespace

Poisson::Poisson(double rate) : rate_(rate) {
  require_nonnegative("rate", rate);
  if (rate_ < 64.0) table_ = build_table(vecmath::exp(-rate_), 0.0, rate_, 1 << 16);
}

namespace {
// The largest whole double below 2^64 (a count as uint64_t); larger x are beyond any count.
constexpr double kMaxCount = 18446744073709549568.0;

double count_argument(double x) {
  if (std::isnan(x)) throw std::invalid_argument("k must be a number, got nan");
  return x;
}
}  // namespace

double Frequency::pmf_at(double x) const {
  count_argument(x);
  if (x < 0.0 || x > kMaxCount || x != std::floor(x)) return 0.0;
  return pmf(static_cast<std::uint64_t>(x));
}

double Frequency::cdf_at(double x) const {
  count_argument(x);
  if (x < 0.0) return 0.0;
  if (x > kMaxCount) return 1.0;
  return cdf(static_cast<std::uint64_t>(std::floor(x)));
}

double Poisson::pmf(std::uint64_t k) const { return special::poisson_pmf(k, rate_); }

double Poisson::cdf(std::uint64_t k) const { return special::poisson_tails(k, rate_).lower; }

std::uint64_t Poisson::draw(Stream& s) const { return poisson(s, rate_); }

std::shared_ptr<const Frequency> Poisson::scaled(double factor) const {
  require_nonnegative("factor", factor);
  return std::make_shared<Poisson>(rate_ * factor);
}

NegativeBinomial::NegativeBinomial(double mean, double dispersion)
    : mean_(mean), dispersion_(dispersion) {
  require_nonnegative("mean", mean);
  require_positive("dispersion", dispersion);
  if (mean_ < 64.0) {
    // p_k = p_{k-1} (k - 1 + r) / k * q  =  p_{k-1} (q + (r - 1) q / k),  q = m / (r + m)
    const double r = dispersion_, q = mean_ / (r + mean_);
    table_ =
        build_table(vecmath::exp(r * vecmath::log(r / (r + mean_))), q, (r - 1.0) * q, 1 << 16);
  }
}

double NegativeBinomial::pmf(std::uint64_t k) const {
  return special::negative_binomial_pmf(k, mean_, dispersion_);
}

double NegativeBinomial::cdf(std::uint64_t k) const {
  return special::negative_binomial_tails(k, mean_, dispersion_).lower;
}

std::uint64_t NegativeBinomial::draw(Stream& s) const {
  return negative_binomial(s, mean_, dispersion_);
}

std::shared_ptr<const Frequency> NegativeBinomial::scaled(double factor) const {
  require_nonnegative("factor", factor);
  return std::make_shared<NegativeBinomial>(mean_ * factor, dispersion_);
}

Lognormal::Lognormal(double mu, double sigma) : mu_(mu), sigma_(sigma) {
  require_finite("mu", mu);
  require_positive("sigma", sigma);
}

Lognormal Lognormal::from_mean_median(double mean, double median) {
  require_positive("mean", mean);
  require_positive("median", median);
  if (!(mean > median))
    throw std::invalid_argument("mean must be greater than median for a lognormal, got mean=" +
                                format_value(mean) + " median=" + format_value(median));
  return Lognormal(vecmath::log(median), std::sqrt(2.0 * vecmath::log(mean / median)));
}

double Lognormal::median() const { return vecmath::exp(mu_); }

double Lognormal::mean() const {
  const double m = vecmath::exp(mu_ + 0.5 * sigma_ * sigma_);
  if (!std::isfinite(m)) throw std::domain_error("lognormal mean overflows double precision");
  return m;
}

double Lognormal::variance() const {
  const double s2 = sigma_ * sigma_;
  const double v = vecmath::expm1(s2) * vecmath::exp(2.0 * mu_ + s2);
  if (!std::isfinite(v)) throw std::domain_error("lognormal variance overflows double precision");
  return v;
}

double Lognormal::cdf(double x) const {
  if (std::isnan(x)) throw std::invalid_argument("x must not be NaN");
  if (x <= 0.0) return 0.0;
  return vecmath::normal_cdf((vecmath::log(x) - mu_) / sigma_);
}

double Lognormal::quantile(double p) const {
  require_probability("p", p);
  double x;
  quantile_batch(&p, &x, 1);
  return x;
}

double Lognormal::partial_moment(int k, double x) const {
  if (k != 1 && k != 2) throw std::invalid_argument("k must be 1 or 2, got " + std::to_string(k));
  if (std::isnan(x)) throw std::invalid_argument("x must be a number, got nan");
  if (x <= 0.0) return 0.0;
  const double kk = k, s2 = sigma_ * sigma_;
  const double log_scale = kk * mu_ + 0.5 * kk * kk * s2;  // ln E[X^k]
  if (std::isinf(x)) return vecmath::exp(log_scale);
  const double z = (vecmath::log(x) - mu_ - kk * s2) / sigma_;
  const double phi = vecmath::normal_cdf(z);
  if (phi > 0.0 && std::isfinite(vecmath::exp(log_scale))) return vecmath::exp(log_scale) * phi;
  // E[X^k] overflows or Phi(z) underflows: in logs, ln Phi(z) from its asymptotic series below
  // z = -37 (relative error of the series' four terms about 105 / z^8, under 1e-10 there)
  const double log_phi = phi > 0.0 ? vecmath::log(phi)
                                   : -0.5 * z * z - vecmath::log(-z) - 0.918938533204672742 +
                                         vecmath::log1p(-1.0 / (z * z) + 3.0 / (z * z * z * z) -
                                                        15.0 / (z * z * z * z * z * z));
  return vecmath::exp(log_scale + log_phi);
}

double Lognormal::lev(double x) const {
  if (std::isnan(x) || x < 0.0)
    throw std::invalid_argument("limit must be >= 0, got " + format_value(x));
  if (std::isinf(x)) return mean();
  return partial_moment(1, x) + x * (1.0 - cdf(x));
}

double Lognormal::moment_limit() const { return std::numeric_limits<double>::infinity(); }

double Lognormal::upper_quantile(double q) const {
  if (!(q > 0.0 && q <= 1.0))
    throw std::invalid_argument("q must be in (0, 1], got " + format_value(q));
  return q == 1.0 ? 0.0 : vecmath::exp(mu_ - sigma_ * vecmath::inverse_normal_cdf(q));
}

void Lognormal::quantile_batch(const double* u, double* out, std::size_t n) const {
  // exp(mu + sigma * inverse_normal_cdf(u)), fused (the same bits as the two calls).
  simd::kernels().lognormal_quantile(u, mu_, sigma_, out, n);
}

std::shared_ptr<const Severity> Lognormal::scaled(double factor) const {
  require_positive("factor", factor);
  return std::make_shared<Lognormal>(mu_ + vecmath::log(factor), sigma_);
}

SplicedLognormalGPD::SplicedLognormalGPD(Lognormal body, double threshold, double xi, double beta)
    : body_(body), threshold_(threshold), xi_(xi), beta_(beta) {
  require_positive("threshold", threshold);
  require_nonnegative("xi", xi);
  body_prob_ = body_.cdf(threshold);
  tail_prob_ = 1.0 - body_prob_;
  if (!(tail_prob_ > 0.0))
    throw std::invalid_argument("threshold is beyond the lognormal body's range, got " +
                                format_value(threshold));
  if (beta == 0.0) {
    const double z = (vecmath::log(threshold) - body_.mu()) / body_.sigma();
    const double density =
        vecmath::exp(-0.5 * z * z) / (threshold * body_.sigma() * std::sqrt(2.0 * kPi));
    beta_ = tail_prob_ / density;
  }
  require_positive("beta", beta_);
}

double SplicedLognormalGPD::gpd_quantile(double one_minus_q) const {
  if (xi_ == 0.0) return -beta_ * vecmath::log(one_minus_q);
  return beta_ / xi_ * vecmath::expm1(-xi_ * vecmath::log(one_minus_q));
}

double SplicedLognormalGPD::gpd_lev(double y) const {
  if (xi_ == 0.0) return -beta_ * vecmath::expm1(-y / beta_);
  if (xi_ == 1.0) return beta_ * vecmath::log1p(y / beta_);
  return beta_ / (1.0 - xi_) * -vecmath::expm1((1.0 - 1.0 / xi_) * vecmath::log1p(xi_ * y / beta_));
}

double SplicedLognormalGPD::mean() const {
  if (xi_ >= 1.0)
    throw std::domain_error("mean is infinite for a GPD tail with xi >= 1, got xi=" +
                            format_value(xi_));
  return body_.partial_moment(1, threshold_) + tail_prob_ * (threshold_ + beta_ / (1.0 - xi_));
}

double SplicedLognormalGPD::variance() const {
  if (xi_ >= 0.5)
    throw std::domain_error("variance is infinite for a GPD tail with xi >= 0.5, got xi=" +
                            format_value(xi_));
  const double ey = beta_ / (1.0 - xi_);
  const double ey2 = 2.0 * beta_ * beta_ / ((1.0 - xi_) * (1.0 - 2.0 * xi_));
  const double t = threshold_;
  const double second = body_.partial_moment(2, t) + tail_prob_ * (t * t + 2.0 * t * ey + ey2);
  const double m = mean();
  return second - m * m;
}

double SplicedLognormalGPD::cdf(double x) const {
  if (std::isnan(x)) throw std::invalid_argument("x must not be NaN");
  if (x <= threshold_) return body_.cdf(x);
  const double y = x - threshold_;
  const double survival =
      xi_ == 0.0 ? vecmath::exp(-y / beta_) : vecmath::exp(-vecmath::log1p(xi_ * y / beta_) / xi_);
  return body_prob_ + tail_prob_ * (1.0 - survival);
}

double SplicedLognormalGPD::quantile(double p) const {
  require_probability("p", p);
  double x;
  quantile_batch(&p, &x, 1);
  return x;
}

double SplicedLognormalGPD::lev(double x) const {
  if (std::isnan(x) || x < 0.0)
    throw std::invalid_argument("limit must be >= 0, got " + format_value(x));
  if (std::isinf(x)) return mean();
  if (x <= threshold_) return body_.partial_moment(1, x) + x * (1.0 - body_.cdf(x));
  return body_.partial_moment(1, threshold_) + tail_prob_ * (threshold_ + gpd_lev(x - threshold_));
}

double SplicedLognormalGPD::moment_limit() const {
  return xi_ == 0.0 ? std::numeric_limits<double>::infinity() : 1.0 / xi_;
}

double SplicedLognormalGPD::upper_quantile(double q) const {
  if (!(q > 0.0 && q <= 1.0))
    throw std::invalid_argument("q must be in (0, 1], got " + format_value(q));
  if (q < tail_prob_) return threshold_ + gpd_quantile(q / tail_prob_);
  return body_.upper_quantile(q);
}

void SplicedLognormalGPD::quantile_batch(const double* u, double* out, std::size_t n) const {
  // The body's quantiles overwrite out, which may be u: each chunk's uniforms are copied first
  // so that the tail test and the GPD quantile still read them.
  constexpr std::size_t B = 256;
  double buf[B];
  for (std::size_t start = 0; start < n; start += B) {
    const std::size_t m = std::min(B, n - start);
    std::memcpy(buf, u + start, m * sizeof(double));
    body_.quantile_batch(buf, out + start, m);
    for (std::size_t i = 0; i < m; ++i)
      if (buf[i] > body_prob_)
        out[start + i] = threshold_ + gpd_quantile((1.0 - buf[i]) / tail_prob_);
  }
}

std::shared_ptr<const Severity> SplicedLognormalGPD::scaled(double factor) const {
  require_positive("factor", factor);
  const Lognormal body(body_.mu() + vecmath::log(factor), body_.sigma());
  return std::make_shared<SplicedLognormalGPD>(body, threshold_ * factor, xi_, beta_ * factor);
}

}  // namespace cyberloss
