#include "cyberloss/stats.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>

#include "cyberloss/distributions.hpp"
#include "cyberloss/order.hpp"
#include "simd/kernels.hpp"

namespace cyberloss::stats {

double pairwise_sum(const double* x, std::size_t n) {
  // NumPy's shape: halves (split at a multiple of 8) down to blocks of at most 128 summed with
  // eight interleaved accumulators; a fixed order, so the result is deterministic. Short sums
  // (a year's few attack types) stay here, long ones run in the CPU's widest kernel.
  if (n < 8) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += x[i];
    return s;
  }
  return simd::kernels().pairwise_sum(x, n);
}

std::size_t var_index(std::uint64_t n, double p) {
  // ceil(n p)-th order statistic, 1-based, clamped to [1, n]. n p is rounded twice (p's own
  // binary value, then the product: together a few units in the last place), so a level meant
  // to fall on a whole rank (0.99 of 200,000 years) may land that far above it; the guard is
  // four such units and no wider (a relative 1e-9 once moved levels that lie above a rank
  // genuinely, such as 0.999 + 1e-10 of 1,000 values, down to the rank below).
  const double np = static_cast<double>(n) * p;
  double r = std::ceil(np - 4.0 * std::numeric_limits<double>::epsilon() * std::max(1.0, np));
  r = std::min(std::max(r, 1.0), static_cast<double>(n));
  return static_cast<std::size_t>(r) - 1;
}

namespace {

std::vector<double> sorted_copy(const double* x, std::size_t n) {
  std::vector<double> s(x, x + n);
  order::sort_ascending(s.data(), n);
  return s;
}

double tvar_sorted(const std::vector<double>& s, double p, double v) {
  // sum over the tail of (x - v)^+, ascending sample
  const auto it = std::upper_bound(s.begin(), s.end(), v);
  double excess = 0.0;
  for (auto j = it; j != s.end(); ++j) excess += *j - v;
  return v + excess / (static_cast<double>(s.size()) * (1.0 - p));
}

}  // namespace

void check_sample(const char* what, const double* x, std::size_t n) {
  if (n == 0) throw std::invalid_argument(std::string(what) + " must not be empty");
  // A branch-free scan of each block (a non-finite value has all exponent bits set); the
  // offending index is looked up only on failure.
  constexpr std::uint64_t exponent = 0x7FF0000000000000ULL;
  constexpr std::size_t B = 4096;
  for (std::size_t start = 0; start < n; start += B) {
    const std::size_t m = std::min(B, n - start);
    std::uint64_t bad = 0;
    for (std::size_t i = 0; i < m; ++i) {
      std::uint64_t bits;
      std::memcpy(&bits, x + start + i, sizeof bits);
      bad |= static_cast<std::uint64_t>((bits & exponent) == exponent);
    }
    if (bad)
      for (std::size_t i = start; i < start + m; ++i)
        if (!std::isfinite(x[i]))
          throw std::invalid_argument(std::string(what) + " must be finite, got " +
                                      format_value(x[i]) + " at index " + std::to_string(i));
  }
}

namespace {

void check_sparse_values(const double* values, std::size_t m) {
  for (std::size_t i = 0; i < m; ++i)
    if (!(std::isfinite(values[i]) && values[i] >= 0.0))
      throw std::invalid_argument("sparse losses must be finite and >= 0, got " +
                                  format_value(values[i]) + " at index " + std::to_string(i));
}

}  // namespace

double mean(const double* x, std::size_t n) {
  check_sample("losses", x, n);
  return pairwise_sum(x, n) / static_cast<double>(n);
}

double std_dev(const double* x, std::size_t n) {
  const double m = mean(x, n);
  if (n < 2) return 0.0;
  std::vector<double> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = (x[i] - m) * (x[i] - m);
  return std::sqrt(pairwise_sum(d.data(), n) / static_cast<double>(n - 1));
}

double mean_se(const double* x, std::size_t n) {
  return std_dev(x, n) / std::sqrt(static_cast<double>(n));
}

double var(const double* x, std::size_t n, double p) {
  require_probability("p", p);
  check_sample("losses", x, n);
  std::vector<double> s(x, x + n);
  const std::size_t k = var_index(n, p);
  std::nth_element(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(k), s.end());
  return s[k];
}

double tvar(const double* x, std::size_t n, double p) {
  double v, t;
  var_tvar(x, n, {p}, &v, &t);
  return t;
}

void var_tvar(const double* x, std::size_t n, const std::vector<double>& ps, double* var_out,
              double* tvar_out) {
  for (double p : ps) require_probability("p", p);
  check_sample("losses", x, n);
  const auto s = sorted_copy(x, n);
  for (std::size_t j = 0; j < ps.size(); ++j) {
    const double v = s[var_index(n, ps[j])];
    if (var_out) var_out[j] = v;
    if (tvar_out) tvar_out[j] = tvar_sorted(s, ps[j], v);
  }
}

namespace {

// Widths (in binomial SDs of rank) the VaR SE tries: 1, then 2 and 3 where the sample is flat
// within one (stats.hpp, TailEstimate).
constexpr int kVarSeWidths = 3;

// Ranks of the VaR SE neighbours of level p, `width` binomial SDs either side (stats.py's
// clamps).
std::size_t neighbour_index(std::uint64_t n, double p, int side, int width) {
  const double nd = static_cast<double>(n);
  const double h = width * std::sqrt(p * (1.0 - p) / nd);
  return side < 0 ? var_index(n, std::max(p - h, 0.5 / nd))
                  : var_index(n, std::min(p + h, 1.0 - 0.5 / nd));
}

// The VaR SE of level p from the order statistics x(k) of a sample of n (TailEstimate).
template <class OrderStatistic>
double var_se_of(OrderStatistic x, std::uint64_t n, double p) {
  double se = 0.0;
  for (int w = 1; w <= kVarSeWidths && se == 0.0; ++w)
    se = (x(neighbour_index(n, p, +1, w)) - x(neighbour_index(n, p, -1, w))) / (2.0 * w);
  return se;
}

}  // namespace

double var_se(const double* x, std::size_t n, double p) {
  require_probability("p", p);
  check_sample("losses", x, n);
  const auto s = sorted_copy(x, n);
  return var_se_of([&](std::size_t k) { return s[k]; }, n, p);
}

std::vector<double> return_period_losses(const double* x, std::size_t n,
                                         const std::vector<double>& return_periods) {
  check_sample("losses", x, n);
  const auto s = sorted_copy(x, n);
  std::vector<double> out;
  out.reserve(return_periods.size());
  for (double T : return_periods) {
    if (!(T >= 1.0) || !std::isfinite(T))
      throw std::invalid_argument("return period must be finite and >= 1 year, got " +
                                  format_value(T));
    out.push_back(T == 1.0 ? s.front() : s[var_index(n, 1.0 - 1.0 / T)]);
  }
  return out;
}

namespace {

// moments(); without `higher`, mu3 and mu4 are left 0 (not computed).
Moments moments_of(const double* x, std::size_t m, std::uint64_t n, bool higher) {
  if (m > n) throw std::invalid_argument("moments: more values than the sample size");
  Moments out;
  out.n = n;
  const double nd = static_cast<double>(n);
  out.sum = pairwise_sum(x, m);
  out.mean = out.sum / nd;
  double c[3];
  simd::kernels().central_sums(x, m, out.mean, c, higher);
  // The implicit zeros each add (0 - mean)^k; with none, nothing is added (0 * e^k would be
  // NaN where e^k overflows, for amounts of about 1e77 and more: the moments are then +inf).
  const double z = static_cast<double>(n - m), e = -out.mean, e2 = e * e;
  auto zeros_add = [&](double power) { return z > 0.0 ? z * power : 0.0; };
  const double s2 = c[0] + zeros_add(e2);
  out.sd = n > 1 ? std::sqrt(s2 / (nd - 1.0)) : 0.0;
  if (higher) {
    out.mu3 = (c[1] + zeros_add(e2 * e)) / nd;
    out.mu4 = (c[2] + zeros_add(e2 * e2)) / nd;
  }
  return out;
}

}  // namespace

Moments moments(const double* x, std::size_t m, std::uint64_t n) {
  return moments_of(x, m, n, true);
}

namespace {

void check_dense(const Series& s, std::size_t n, const std::string& what) {
  if (s.m != n)
    throw std::invalid_argument(what + ": " + std::to_string(s.m) + " values for a sample of " +
                                std::to_string(n));
}

// Writes (or, with subtract, subtracts) a series into buf[0..n).
void put(const Series& s, std::size_t n, bool subtract, double* buf, const std::string& what) {
  if (s.index == nullptr) {
    check_dense(s, n, what);
    if (subtract)
      for (std::size_t i = 0; i < n; ++i) buf[i] = buf[i] - s.values[i];
    else
      std::copy(s.values, s.values + n, buf);
    return;
  }
  for (std::size_t j = 0; j < s.m; ++j) {
    const std::int64_t at = s.index[j];
    if (at < 0 || static_cast<std::uint64_t>(at) >= n)
      throw std::invalid_argument(what + ": stored position " + std::to_string(at) +
                                  " lies outside [0, " + std::to_string(n) + ")");
    const auto k = static_cast<std::size_t>(at);
    buf[k] = subtract ? buf[k] - s.values[j] : s.values[j];
  }
}

}  // namespace

std::vector<MeanEstimate> mean_estimates(const std::vector<MeanInput>& samples) {
  std::vector<MeanEstimate> out(samples.size());
  std::vector<std::exception_ptr> failed(samples.size());
  // A sample that is not one dense array is formed in its thread's buffer (reused: no fresh
  // pages per sample).
  tbb::enumerable_thread_specific<std::vector<double>> buffers;
  tbb::parallel_for(std::size_t{0}, samples.size(), [&](std::size_t i) {
    try {
      const MeanInput& s = samples[i];
      const std::string what = "x[" + std::to_string(i) + "]";
      if (s.n == 0) throw std::invalid_argument(what + " must not be empty");
      const double* x = s.x.values;
      if (s.x.index == nullptr && s.minus.values == nullptr) {
        check_dense(s.x, s.n, what);
      } else {
        std::vector<double>& buf = buffers.local();
        buf.assign(s.n, 0.0);
        put(s.x, s.n, false, buf.data(), what);
        if (s.minus.values != nullptr) put(s.minus, s.n, true, buf.data(), what);
        x = buf.data();
      }
      const Moments mo = moments_of(x, s.n, s.n, false);
      // A non-finite value makes the sum non-finite: only then is the sample scanned.
      if (!std::isfinite(mo.sum)) check_sample(what.c_str(), x, s.n);
      out[i] = {mo.mean, mo.mean_se()};
    } catch (...) {
      failed[i] = std::current_exception();
    }
  });
  for (const auto& e : failed)
    if (e) std::rethrow_exception(e);
  return out;
}

double Moments::mean_se() const { return sd / std::sqrt(static_cast<double>(n)); }

double Moments::sd_se() const {
  if (sd == 0.0) return 0.0;
  const double s4 = sd * sd * sd * sd;
  // Moments beyond the largest double (amounts of about 1e77 and more) give an infinite SE,
  // reported as not finite, rather than inf - inf.
  if (!std::isfinite(mu4) || !std::isfinite(s4)) return std::numeric_limits<double>::infinity();
  return std::sqrt(std::max(mu4 - s4, 0.0) / (4.0 * sd * sd * static_cast<double>(n)));
}

namespace {

// Lowest rank the levels from min_level up need, their SE neighbours included: every level
// p >= min_level has its lowest neighbour (kVarSeWidths binomial SDs) at or above
// min_level - kVarSeWidths * 0.5 / sqrt(n), since sqrt(p (1 - p) / n) <= 0.5 / sqrt(n).
std::uint64_t lowest_needed_rank(std::uint64_t n, double min_level) {
  if (!(min_level >= 0.0 && min_level <= 1.0))
    throw std::invalid_argument("min_level must be in [0, 1], got " + format_value(min_level));
  if (min_level == 1.0) return n;  // no order statistic: the moments alone
  const double nd = static_cast<double>(n);
  return min_level == 0.0
             ? 0
             : var_index(n, std::max(min_level - kVarSeWidths * 0.5 / std::sqrt(nd), 0.5 / nd));
}

}  // namespace

namespace {

void check_sparse_size(std::uint64_t n, std::size_t m) {
  if (n == 0) throw std::invalid_argument("a loss sample needs at least 1 year, got 0");
  if (m > n)
    throw std::invalid_argument("a sparse sample of " + std::to_string(n) + " years cannot store " +
                                std::to_string(m) + " values");
}

}  // namespace

Ranking Ranking::sparse(const double* values, std::size_t m) {
  check_sparse_values(values, m);
  Ranking r;
  r.values_ = values;
  // Branch-free: the zeros and positives of a sparse sample come in no predictable order.
  std::size_t zeros = 0;
  bool negative_zero = false;
  for (std::size_t i = 0; i < m; ++i) {
    const bool zero = values[i] == 0.0;
    zeros += zero;
    negative_zero |= zero & std::signbit(values[i]);
  }
  r.negative_zero_ = negative_zero;
  if (zeros == 0) {
    r.positions_ = order::stable_order(values, m);
    return r;
  }
  // The zeros' positions first (in order), then the positives' in ascending order of value.
  // Each step writes both destinations and advances one: one spare slot each.
  r.positions_.resize(m + 1);
  Buffer<std::size_t> at(m - zeros + 1);
  Buffer<double> positive(m - zeros + 1);
  std::size_t z = 0, p = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const bool zero = values[i] == 0.0;
    r.positions_[z] = i;
    at[p] = i;
    positive[p] = values[i];
    z += zero;
    p += !zero;
  }
  const Buffer<std::size_t> ranked = order::stable_order(positive.data(), p);
  for (std::size_t j = 0; j < p; ++j) r.positions_[zeros + j] = at[ranked[j]];
  r.positions_.resize(m);
  return r;
}

LossSample LossSample::sparse_moments(std::uint64_t n, const double* values, std::size_t m,
                                      double min_level) {
  check_sparse_size(n, m);
  LossSample s;
  s.n_ = n;
  s.zeros_ = n - m;
  s.k0_ = std::max(s.zeros_, lowest_needed_rank(n, min_level));
  s.sparse_ = true;
  s.moments_ = stats::moments(values, m, n);
  return s;
}

LossSample LossSample::sparse(std::uint64_t n, const double* values, std::size_t m,
                              double min_level) {
  check_sparse_values(values, m);
  LossSample s = sparse_moments(n, values, m, min_level);
  s.upper_ = order::upper_sorted(values, m, static_cast<std::size_t>(s.k0_ - s.zeros_));
  return s;
}

LossSample LossSample::sparse(std::uint64_t n, const Ranking& ranked, double min_level) {
  if (ranked.has_negative_zero()) return sparse(n, ranked.values(), ranked.size(), min_level);
  // The values were checked when ranked.
  const double* values = ranked.values();
  const std::size_t m = ranked.size();
  LossSample s = sparse_moments(n, values, m, min_level);
  const auto& at = ranked.positions();
  s.upper_.resize(static_cast<std::size_t>(n - s.k0_));
  for (std::size_t k = static_cast<std::size_t>(s.k0_ - s.zeros_), j = 0; k < m; ++k, ++j)
    s.upper_[j] = values[at[k]];
  return s;
}

LossSample LossSample::dense(const double* x, std::size_t n, double min_level) {
  if (n == 0) throw std::invalid_argument("losses must not be empty");
  LossSample s;
  s.n_ = n;
  s.k0_ = lowest_needed_rank(n, min_level);
  s.moments_ = stats::moments(x, n, n);
  // A non-finite value makes the sum non-finite: the check runs only then (to name it).
  // Finite values whose squares overflow leave the moments infinite (the caller reports
  // them as not finite); the order statistics are still exact.
  if (!std::isfinite(s.moments_.sum) || !std::isfinite(s.moments_.mu4))
    check_sample("losses", x, n);
  s.upper_ = order::upper_sorted(x, n, static_cast<std::size_t>(s.k0_));
  return s;
}

double LossSample::order_statistic(std::uint64_t k) const {
  if (k >= n_)
    throw std::out_of_range("order statistic " + std::to_string(k) + " of a sample of " +
                            std::to_string(n_));
  if (k >= k0_) return upper_[static_cast<std::size_t>(k - k0_)];
  if (k < zeros_) return 0.0;
  throw std::out_of_range("order statistic " + std::to_string(k) +
                          " lies below the part of the sample selected (from rank " +
                          std::to_string(k0_) + "); ask for a lower min_level");
}

double LossSample::var(double p) const {
  require_probability("p", p);
  return order_statistic(var_index(n_, p));
}

double LossSample::tvar(double p) const {
  require_probability("p", p);
  const double v = var(p);
  // (x - v)^+ over the values above v, ascending (as the full sort would sum them).
  const auto it = std::upper_bound(upper_.begin(), upper_.end(), v);
  double excess = 0.0;
  for (auto j = it; j != upper_.end(); ++j) excess += *j - v;
  return v + excess / (static_cast<double>(n_) * (1.0 - p));
}

TailEstimate LossSample::tail(double p) const {
  require_probability("p", p);
  TailEstimate t{};
  t.level = p;
  t.var = var(p);
  t.var_se = var_se_of([&](std::uint64_t k) { return order_statistic(k); }, n_, p);
  t.tvar = tvar(p);
  // sd of e = (x - v)^+ over all n values: only the values above v are positive.
  const auto it = std::upper_bound(upper_.begin(), upper_.end(), t.var);
  std::vector<double> e(it, upper_.end());
  for (double& x : e) x -= t.var;
  const double nd = static_cast<double>(n_);
  const double me = pairwise_sum(e.data(), e.size()) / nd;
  for (double& x : e) x = (x - me) * (x - me);
  const double ss =
      pairwise_sum(e.data(), e.size()) + static_cast<double>(n_ - e.size()) * (me * me);
  const double sd = n_ > 1 ? std::sqrt(ss / (nd - 1.0)) : 0.0;
  t.tvar_se = sd / ((1.0 - p) * std::sqrt(nd));
  return t;
}

std::vector<TailEstimate> LossSample::tail(const std::vector<double>& levels) const {
  std::vector<TailEstimate> out;
  out.reserve(levels.size());
  for (double p : levels) out.push_back(tail(p));
  return out;
}

double LossSample::return_period_loss(double T) const {
  if (!(T >= 1.0) || !std::isfinite(T))
    throw std::invalid_argument("return period must be finite and >= 1 year, got " +
                                format_value(T));
  return T == 1.0 ? order_statistic(0) : order_statistic(var_index(n_, 1.0 - 1.0 / T));
}

double LossSample::exceedance_probability(double x) const {
  if (!std::isfinite(x)) throw std::invalid_argument("x must be finite, got " + format_value(x));
  if (sparse_ && x < 0.0) return 1.0;  // every value >= 0
  if (k0_ > zeros_ && (upper_.empty() || x < upper_.front()))
    throw std::out_of_range("exceedance probability below the selected part of the sample");
  const auto above =
      static_cast<std::uint64_t>(upper_.end() - std::upper_bound(upper_.begin(), upper_.end(), x));
  return static_cast<double>(above) / static_cast<double>(n_);
}

double LossSample::exceedance_probability_se(double x) const {
  const double q = exceedance_probability(x);
  return std::sqrt(q * (1.0 - q) / static_cast<double>(n_));
}

VarTvar sparse_var_tvar(std::uint64_t n, const double* values, std::size_t m, double p) {
  require_probability("p", p);
  if (m > n)
    throw std::invalid_argument("a sparse sample of " + std::to_string(n) + " years cannot store " +
                                std::to_string(m) + " values");
  const std::uint64_t zeros = n - m;
  const std::size_t k = var_index(n, p);
  const double tail_years = static_cast<double>(n) * (1.0 - p);
  if (k < zeros) return {0.0, pairwise_sum(values, m) / tail_years};
  return sparse_var_tvar_of(n, m, values, m, p);
}

namespace {

// Rank of VaR_p among c candidates standing for m stored values of n (the m - c left out below
// them all).
std::size_t candidate_rank(std::uint64_t n, std::size_t m, std::size_t c, double p) {
  require_probability("p", p);
  const std::uint64_t zeros = n - m;
  const std::size_t k = var_index(n, p);
  if (k < zeros || c > m || k - zeros < m - c)
    throw std::invalid_argument("sparse VaR: the candidates do not hold VaR's rank");
  return (k - zeros) - (m - c);
}

// VaR_p = from_var[0] and the values above it ascending, as a full sort would sum them: equal
// tails give equal bits.
VarTvar var_tvar_from(const double* from_var, std::size_t count, std::uint64_t n, double p) {
  const double v = from_var[0];
  double excess = 0.0;
  for (std::size_t j = 1; j < count; ++j) excess += from_var[j] - v;
  return {v, v + excess / (static_cast<double>(n) * (1.0 - p))};
}

}  // namespace

VarTvar sparse_var_tvar_of(std::uint64_t n, std::size_t m, const double* candidates, std::size_t c,
                           double p) {
  const std::vector<double> s = order::upper_sorted(candidates, c, candidate_rank(n, m, c, p));
  return var_tvar_from(s.data(), s.size(), n, p);
}

VarTvar sparse_var_tvar_sorted(std::uint64_t n, std::size_t m, const double* sorted, std::size_t c,
                               double p) {
  const std::size_t r = candidate_rank(n, m, c, p);
  return var_tvar_from(sorted + r, c - r, n, p);
}

std::vector<EpPoint> ep_table(const LossSample& annual, const LossSample& occurrence_max,
                              const std::vector<double>& return_periods) {
  if (annual.size() != occurrence_max.size())
    throw std::invalid_argument(
        "annual and occurrence_max samples differ in size: " + std::to_string(annual.size()) +
        " and " + std::to_string(occurrence_max.size()));
  std::vector<EpPoint> out;
  for (double T : return_periods) {
    if (!(T > 1.0) || !std::isfinite(T))
      throw std::invalid_argument("return_periods must be finite and > 1 year, got " +
                                  format_value(T));
    if (T > static_cast<double>(annual.size()))
      throw std::invalid_argument("return_periods: " + format_value(T) +
                                  " years is longer than the " + std::to_string(annual.size()) +
                                  " simulated years; simulate more years");
    const TailEstimate a = annual.tail(1.0 - 1.0 / T), o = occurrence_max.tail(1.0 - 1.0 / T);
    out.push_back({T, annual.return_period_loss(T), a.var_se, occurrence_max.return_period_loss(T),
                   o.var_se});
  }
  return out;
}

}  // namespace cyberloss::stats
