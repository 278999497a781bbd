// Moment checks for the samplers, with tolerances of several standard errors computed here,
// and known answers at fixed seeds (pinned values: a change to any sampler shows up here).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <vector>

#include "cyberloss/random.hpp"
#include "cyberloss/vecmath.hpp"

using namespace cyberloss;

namespace {

struct Moments {
  double mean = 0, var = 0;
};

template <class F>
Moments sample_moments(std::size_t n, F draw) {
  double s = 0, s2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Stream st(2024, 99, i);
    const double x = draw(st);
    s += x;
    s2 += x * x;
  }
  const double m = s / static_cast<double>(n);
  return {m, (s2 - static_cast<double>(n) * m * m) / static_cast<double>(n - 1)};
}

// |sample mean - mu| <= 5 SE, SE = sqrt(var / n).
void check_mean(const Moments& m, double mu, double var, std::size_t n) {
  CHECK(std::fabs(m.mean - mu) <= 5.0 * std::sqrt(var / static_cast<double>(n)));
}

// |sample var - var| <= 5 SE, SE = sqrt((mu4 - var^2) / n).
void check_var(const Moments& m, double var, double mu4, std::size_t n) {
  CHECK(std::fabs(m.var - var) <= 5.0 * std::sqrt((mu4 - var * var) / static_cast<double>(n)));
}

}  // namespace

TEST_CASE("standard normal: inverse CDF known values and moments", "[samplers]") {
  CHECK(vecmath::inverse_normal_cdf(0.5) == 0.0);
  CHECK(vecmath::inverse_normal_cdf(0.975) == Approx(1.959963984540054).epsilon(1e-15));
  CHECK(vecmath::inverse_normal_cdf(0.01) == Approx(-2.3263478740408408).epsilon(1e-15));
  CHECK(vecmath::inverse_normal_cdf(1e-10) == Approx(-6.361340902404056).epsilon(1e-14));
  CHECK(vecmath::inverse_normal_cdf(1e-300) == Approx(-37.0471).epsilon(1e-5));
  const std::size_t n = 200000;
  const auto m = sample_moments(n, [](Stream& s) { return standard_normal(s); });
  check_mean(m, 0.0, 1.0, n);
  check_var(m, 1.0, 3.0, n);
}

TEST_CASE("batched inverse normal equals the scalar one element by element", "[samplers]") {
  std::vector<double> p, z(1001);
  for (int i = 1; i <= 1001; ++i) p.push_back(i / 1002.0);
  vecmath::inverse_normal_cdf(p.data(), z.data(), p.size());
  for (std::size_t i = 0; i < p.size(); ++i) REQUIRE(z[i] == vecmath::inverse_normal_cdf(p[i]));
}

TEST_CASE("gamma moments for shape below and above one", "[samplers]") {
  const std::size_t n = 200000;
  for (double k : {0.3, 1.0, 4.5}) {
    const double theta = 2.0;
    const auto m = sample_moments(n, [=](Stream& s) { return gamma(s, k, theta); });
    const double var = k * theta * theta;
    check_mean(m, k * theta, var, n);
    // fourth central moment of a gamma: 3 k (k + 2) theta^4
    check_var(m, var, 3.0 * k * (k + 2.0) * std::pow(theta, 4), n);
  }
}

TEST_CASE("Poisson moments for small and large means", "[samplers]") {
  const std::size_t n = 200000;
  for (double lambda : {0.05, 3.0, 63.9, 64.0, 500.0}) {
    const auto m = sample_moments(n, [=](Stream& s) { return double(poisson(s, lambda)); });
    check_mean(m, lambda, lambda, n);
    check_var(m, lambda, lambda + 3.0 * lambda * lambda, n);  // mu4 = lambda + 3 lambda^2
  }
}

TEST_CASE("negative binomial (gamma-Poisson) moments", "[samplers]") {
  const std::size_t n = 200000;
  const double mean = 2.5, k = 1.5;
  const auto m =
      sample_moments(n, [=](Stream& s) { return double(negative_binomial(s, mean, k)); });
  const double var = mean + mean * mean / k;
  check_mean(m, mean, var, n);
  // Sample-variance check with a bound on mu4 from the NB cumulants.
  const double p = k / (k + mean), q = 1 - p;
  const double kappa4 = k * q * (1 + 4 * q + q * q) / std::pow(p, 4);
  check_var(m, var, kappa4 + 3 * var * var, n);
}

// Values computed by this implementation when the samplers were written (hex floats are exact).
// The Philox vectors in test_random.cpp check the generator itself against Random123's
// published answers; these pin the mapping from Philox words to each sampler's output.
constexpr double KAT_U0 = 0x1.8b360dd183aafp-2;
constexpr double KAT_U1 = 0x1.1bf1b77e7ccd8p-1;
constexpr double KAT_U2 = 0x1.77321588b3b1p-1;
constexpr double KAT_NORMAL = -0x1.081a75f579776p+0;
constexpr double KAT_GAMMA = 0x1.6d83d4639bfbp+2;
constexpr std::uint64_t KAT_POISSON_SMALL = 6;
constexpr std::uint64_t KAT_POISSON_LARGE = 272;
constexpr std::uint64_t KAT_NEGBIN = 1;
constexpr double KAT_LOGNORMAL = 0x1.3d3597dc378fdp+24;

TEST_CASE("samplers reproduce pinned values at fixed seeds", "[samplers][kat]") {
  Stream a(12345, stream_id(Purpose::user, 0), 0);
  const double expected_u[3] = {KAT_U0, KAT_U1, KAT_U2};
  for (double e : expected_u) CHECK(a.uniform() == e);
  Stream b(12345, stream_id(Purpose::user, 1), 7);
  CHECK(standard_normal(b) == KAT_NORMAL);
  Stream c(12345, stream_id(Purpose::user, 2), 7);
  CHECK(gamma(c, 2.5, 3.0) == KAT_GAMMA);
  Stream d(12345, stream_id(Purpose::user, 3), 7);
  CHECK(poisson(d, 2.5) == KAT_POISSON_SMALL);
  Stream e(12345, stream_id(Purpose::user, 3), 8);
  CHECK(poisson(e, 250.0) == KAT_POISSON_LARGE);
  Stream f(12345, stream_id(Purpose::user, 4), 7);
  CHECK(negative_binomial(f, 4.0, 0.7) == KAT_NEGBIN);
  Stream g(12345, stream_id(Purpose::user, 5), 7);
  CHECK(lognormal(g, 17.0, 1.2) == KAT_LOGNORMAL);
}
