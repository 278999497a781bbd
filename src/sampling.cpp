#include "cyberloss/sampling.hpp"

#include <stdexcept>
#include <string>

#include "cyberloss/random.hpp"

namespace cyberloss {
namespace {

void require_count(std::size_t n) {
  if (n == 0) throw std::invalid_argument("n must be an integer >= 1, got 0");
}

// out[i] = draw(Stream(seed, stream, year = i)).
template <class T, class F>
std::vector<T> by_year(std::size_t n, std::uint32_t seed, std::uint32_t stream, F draw) {
  require_count(n);
  std::vector<T> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    Stream s(seed, stream, i);
    out[i] = static_cast<T>(draw(s));
  }
  return out;
}

}  // namespace

std::vector<double> sample_uniform(std::size_t n, std::uint32_t seed, std::uint32_t stream) {
  return by_year<double>(n, seed, stream, [](Stream& s) { return s.uniform(); });
}

std::vector<double> sample_normal(std::size_t n, std::uint32_t seed, std::uint32_t stream) {
  return by_year<double>(n, seed, stream, [](Stream& s) { return standard_normal(s); });
}

std::vector<double> sample_lognormal(double mu, double sigma, std::size_t n, std::uint32_t seed,
                                     std::uint32_t stream) {
  require_finite("mu", mu);
  require_positive("sigma", sigma);
  return by_year<double>(n, seed, stream, [=](Stream& s) { return lognormal(s, mu, sigma); });
}

std::vector<double> sample_gamma(double shape, double scale, std::size_t n, std::uint32_t seed,
                                 std::uint32_t stream) {
  check_gamma(shape, scale);
  return by_year<double>(n, seed, stream, [=](Stream& s) { return gamma(s, shape, scale); });
}

std::vector<std::int64_t> sample_poisson(double mean, std::size_t n, std::uint32_t seed,
                                         std::uint32_t stream) {
  check_poisson(mean);
  return by_year<std::int64_t>(n, seed, stream, [=](Stream& s) { return poisson(s, mean); });
}

std::vector<std::int64_t> sample_negative_binomial(double mean, double dispersion, std::size_t n,
                                                   std::uint32_t seed, std::uint32_t stream) {
  check_negative_binomial(mean, dispersion);
  return by_year<std::int64_t>(n, seed, stream,
                               [=](Stream& s) { return negative_binomial(s, mean, dispersion); });
}

std::vector<std::int64_t> sample(const Frequency& frequency, std::size_t n, std::uint32_t seed,
                                 std::uint32_t stream) {
  require_count(n);
  std::vector<std::int64_t> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<std::int64_t>(frequency.count(seed, stream, i));
  return out;
}

std::vector<double> sample(const Severity& severity, std::size_t n, std::uint32_t seed,
                           std::uint32_t stream) {
  require_count(n);
  std::vector<std::uint64_t> years(n), draws(n, 0);
  for (std::size_t i = 0; i < n; ++i) years[i] = i;
  std::vector<double> out(n);
  uniform_batch(seed, stream, years.data(), draws.data(), n, out.data());
  severity.quantile_batch(out.data(), out.data(), n);
  return out;
}

}  // namespace cyberloss
