#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "cyberloss/portfolio.hpp"
#include "cyberloss/random.hpp"

using namespace cyberloss;

namespace {

PortfolioFrequency three_policies(double variance) {
  // type 0: policies with rates 0.1, 0 (never hit), 0.3; type 1: 0.02 each.
  return PortfolioFrequency({{0.1, 0.0, 0.3}, {0.02, 0.02, 0.02}}, {variance, 0.0});
}

}  // namespace

TEST_CASE("portfolio events do not depend on how the years are split or on threads") {
  const auto f = three_policies(0.5);
  const auto whole = portfolio_events(f, 7, 0, 3000, 1);
  const auto a = portfolio_events(f, 7, 0, 1234, 2);
  const auto b = portfolio_events(f, 7, 1234, 3000 - 1234, 2);
  REQUIRE(whole.u.size() == a.u.size() + b.u.size());
  for (std::size_t e = 0; e < a.u.size(); ++e) {
    REQUIRE(whole.u[e] == a.u[e]);
    REQUIRE(whole.policy[e] == a.policy[e]);
  }
  for (std::size_t e = 0; e < b.u.size(); ++e) {
    REQUIRE(whole.u[a.u.size() + e] == b.u[e]);
    REQUIRE(whole.year[a.u.size() + e] == b.year[e]);
  }
}

TEST_CASE("event coordinates follow the documented streams") {
  const auto f = three_policies(0.0);
  const auto ev = portfolio_events(f, 11, 0, 200);
  REQUIRE(!ev.u.empty());
  for (std::size_t e = 0; e < ev.u.size(); ++e) {
    const auto y = static_cast<std::uint64_t>(ev.year[e]);
    const auto t = static_cast<std::uint32_t>(ev.type[e]);
    const auto k = static_cast<std::uint64_t>(ev.k[e]);
    REQUIRE(ev.u[e] ==
            uniform_at(11, stream_id(Purpose::portfolio, portfolio_severity_offset + t), y, k));
    const double ua =
        uniform_at(11, stream_id(Purpose::portfolio, portfolio_allocation_offset + t), y, k);
    REQUIRE(ev.policy[e] == static_cast<std::int32_t>(f.policy_of(t, ua)));
  }
  for (double th : ev.theta) REQUIRE(th == 1.0);
}

TEST_CASE("allocation follows the rates and never picks a zero-rate policy") {
  const auto f = three_policies(0.0);
  REQUIRE(f.policy_of(0, 1e-9) == 0);
  REQUIRE(f.policy_of(0, 0.2499) == 0);
  REQUIRE(f.policy_of(0, 0.2501) == 2);
  REQUIRE(f.policy_of(0, 1.0 - 1e-16) == 2);
  const auto ev = portfolio_events(f, 3, 0, 100000);
  std::vector<double> hits(3, 0.0);
  for (std::size_t e = 0; e < ev.u.size(); ++e) {
    if (ev.type[e] == 0) hits[static_cast<std::size_t>(ev.policy[e])] += 1.0;
  }
  REQUIRE(hits[1] == 0.0);
  // Poisson counts: mean 0.1 * 1e5 = 1e4 with sd 100 (4 sd tolerance).
  REQUIRE(std::abs(hits[0] - 1e4) < 400.0);
  REQUIRE(std::abs(hits[2] - 3e4) < 4.0 * std::sqrt(3e4));
}

TEST_CASE("systemic multiplier has mean 1 and the requested variance") {
  const double v = 0.8;
  const auto f = three_policies(v);
  const std::uint64_t n = 200000;
  double s = 0.0, s2 = 0.0;
  for (std::uint64_t y = 0; y < n; ++y) {
    const double th = f.theta(5, 0, y);
    s += th;
    s2 += th * th;
  }
  const double mean = s / static_cast<double>(n);
  const double var = s2 / static_cast<double>(n) - mean * mean;
  // Gamma(1/v, v): sd of the mean sqrt(v / n); variance of theta^2 from the gamma moments.
  REQUIRE(std::abs(mean - 1.0) < 4.0 * std::sqrt(v / static_cast<double>(n)));
  const double k = 1.0 / v;
  const double m4 = v * v * v * v * k * (k + 1) * (k + 2) * (k + 3);
  const double m2 = v * v * k * (k + 1);
  REQUIRE(std::abs(var - v) < 4.0 * std::sqrt((m4 - m2 * m2) / static_cast<double>(n)));
}

TEST_CASE("bad portfolio frequencies are refused by name") {
  REQUIRE_THROWS_AS(PortfolioFrequency({{0.1, -1.0}}, {0.0}), std::invalid_argument);
  REQUIRE_THROWS_AS(PortfolioFrequency({{0.1}}, {-0.5}), std::invalid_argument);
  REQUIRE_THROWS_AS(PortfolioFrequency({{0.1}, {0.1, 0.2}}, {0.0, 0.0}), std::invalid_argument);
  REQUIRE_THROWS_AS(PortfolioFrequency({{0.1}}, {0.0, 0.0}), std::invalid_argument);
}

TEST_CASE("the guided policy search gives the answer of a search of the whole table") {
  // Uneven rates with runs of zeros, so buckets hold from none to many policies: a few (counted
  // without a branch each) and more than eight (searched).
  std::vector<double> rates(5000);
  std::uint64_t state = 12345;
  for (std::size_t p = 0; p < rates.size(); ++p) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double v = static_cast<double>(state >> 11) / 9007199254740992.0;
    rates[p] = (p % 97 < 10) ? 0.0 : (v < 0.01 ? 50.0 * v : v * v * 1e-3);
  }
  rates.back() = 0.0;
  const PortfolioFrequency f({rates}, {0.0});
  std::vector<double> cum(rates.size());
  double running = 0.0;
  std::uint32_t last = 0;
  for (std::size_t p = 0; p < rates.size(); ++p) {
    running += rates[p];
    cum[p] = running;
    if (rates[p] > 0.0) last = static_cast<std::uint32_t>(p);
  }
  auto whole = [&](double u) {
    const auto p = static_cast<std::uint32_t>(
        std::upper_bound(cum.begin(), cum.end(), u * running) - cum.begin());
    return std::min(p, last);
  };
  const double step = running / static_cast<double>(rates.size());
  for (std::size_t j = 0; j <= rates.size(); ++j) {
    // at, just below and just above every bucket bound, and at every cumulative rate
    const double b = static_cast<double>(j) * step / running;
    for (double u : {b, std::nextafter(b, 0.0), std::nextafter(b, 1.0)}) {
      if (u > 0.0 && u < 1.0) REQUIRE(f.policy_of(0, u) == whole(u));
    }
  }
  for (double c : cum) {
    const double u = c / running;
    for (double v : {u, std::nextafter(u, 0.0), std::nextafter(u, 1.0)}) {
      if (v > 0.0 && v < 1.0) REQUIRE(f.policy_of(0, v) == whole(v));
    }
  }
  for (std::uint64_t i = 0; i < 200000; ++i) {
    const double u = uniform_at(1, 2, i, 0);
    REQUIRE(f.policy_of(0, u) == whole(u));
  }
}
