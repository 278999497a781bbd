#include "cyberloss/stats.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "cyberloss/distributions.hpp"

namespace cyberloss::stats {
namespace {

double pairwise_sum(const double* x, std::size_t n) {
  if (n <= 128) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += x[i];
    return s;
  }
  const std::size_t h = n / 2;
  return pairwise_sum(x, h) + pairwise_sum(x + h, n - h);
}

std::size_t var_index(std::size_t n, double p) {
  // ceil(n p)-th order statistic, 1-based, clamped to [1, n]; guard against n p landing a
  // rounding error above an integer.
  const double np = static_cast<double>(n) * p;
  double r = std::ceil(np - 1e-9 * std::max(1.0, np));
  r = std::min(std::max(r, 1.0), static_cast<double>(n));
  return static_cast<std::size_t>(r) - 1;
}

std::vector<double> sorted_copy(const double* x, std::size_t n) {
  std::vector<double> s(x, x + n);
  std::sort(s.begin(), s.end());
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
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i]))
      throw std::invalid_argument(std::string(what) + " must be finite, got " +
                                  format_value(x[i]) + " at index " + std::to_string(i));
}

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

double var_se(const double* x, std::size_t n, double p) {
  require_probability("p", p);
  check_sample("losses", x, n);
  const auto s = sorted_copy(x, n);
  const double h = std::sqrt(p * (1.0 - p) / static_cast<double>(n));
  const double lo = s[var_index(n, std::max(p - h, 0.5 / static_cast<double>(n)))];
  const double hi = s[var_index(n, std::min(p + h, 1.0 - 0.5 / static_cast<double>(n)))];
  return 0.5 * (hi - lo);
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

}  // namespace cyberloss::stats
