#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "cyberloss/distributions.hpp"

using namespace cyberloss;

TEST_CASE("lognormal from mean and median reproduces both exactly", "[distributions]") {
  // JNSA 2025 ransomware, cumulative: mean 4,959 man-yen, median 3,260 man-yen.
  const auto ln = Lognormal::from_mean_median(49.59e6, 32.6e6);
  CHECK(ln.mean() == Approx(49.59e6).epsilon(1e-12));
  CHECK(ln.median() == Approx(32.6e6).epsilon(1e-12));
  CHECK(ln.quantile(0.5) == Approx(32.6e6).epsilon(1e-12));
  CHECK(ln.sigma() == Approx(std::sqrt(2.0 * std::log(4959.0 / 3260.0))).epsilon(1e-14));
  const double s2 = ln.sigma() * ln.sigma();
  CHECK(ln.variance() == Approx(std::expm1(s2) * std::exp(2 * ln.mu() + s2)).epsilon(1e-12));
}

TEST_CASE("lognormal quantile inverts the cdf", "[distributions]") {
  const Lognormal ln(17.0, 1.1);
  for (double p : {1e-12, 0.001, 0.1, 0.5, 0.9, 0.999, 1 - 1e-12})
    CHECK(ln.cdf(ln.quantile(p)) == Approx(p).epsilon(1e-9));
  // exact closed form: exp(mu + sigma z_p), z_0.99 = 2.3263478740408408
  CHECK(ln.quantile(0.99) == Approx(std::exp(17.0 + 1.1 * 2.3263478740408408)).epsilon(1e-14));
}

TEST_CASE("lognormal limited expected value: limits and a numerical integral", "[distributions]") {
  const Lognormal ln(16.0, 1.3);
  CHECK(ln.lev(0.0) == 0.0);
  CHECK(ln.lev(std::numeric_limits<double>::infinity()) == Approx(ln.mean()));
  // LEV(d) = integral_0^d S(x) dx, by Simpson's rule on a fine grid
  const double d = 2.0e7;
  const int n = 20000;
  const double h = d / n;
  double integral = 1.0 - ln.cdf(0.0) + 1.0 - ln.cdf(d);
  for (int i = 1; i < n; ++i) integral += (i % 2 ? 4.0 : 2.0) * (1.0 - ln.cdf(i * h));
  CHECK(ln.lev(d) == Approx(integral * h / 3.0).epsilon(1e-7));
}

TEST_CASE("lognormal partial moments: k 1 or 2, any x, in logs where a factor overflows",
          "[distributions]") {
  const Lognormal ln(15.0, 1.0);
  CHECK_THROWS_WITH(ln.partial_moment(3, 1e6), "k must be 1 or 2, got 3");
  CHECK_THROWS_WITH(ln.partial_moment(1, std::nan("")), "x must be a number, got nan");
  CHECK(ln.partial_moment(1, -1.0) == 0.0);
  CHECK(ln.partial_moment(2, std::numeric_limits<double>::infinity()) ==
        Approx(std::exp(30.0 + 2.0)).epsilon(1e-14));
  // sigma 19: E[X^2] = exp(752) overflows, Phi(z) at z = (0 - 15 - 722) / 19 underflows; the
  // product is exp(752 + ln Phi(-38.789...)), ln Phi(z) = -z^2/2 - ln(-z) - ln sqrt(2 pi) + ...
  const Lognormal wide(15.0, 19.0);
  const double z = (0.0 - 15.0 - 2.0 * 361.0) / 19.0;
  const double log_phi = -0.5 * z * z - std::log(-z) - 0.5 * std::log(2.0 * M_PI) +
                         std::log1p(-1.0 / (z * z) + 3.0 / std::pow(z, 4) - 15.0 / std::pow(z, 6));
  CHECK(wide.partial_moment(2, 1.0) == Approx(std::exp(752.0 + log_phi)).epsilon(1e-9));
  CHECK(wide.partial_moment(2, 1.0) <= wide.cdf(1.0));  // X^2 <= 1 below x = 1
}

TEST_CASE("a count's pmf and cdf at any real k", "[distributions]") {
  const Poisson p(2.0);
  CHECK(p.pmf_at(1.0) == p.pmf(1));
  CHECK(p.pmf_at(1.5) == 0.0);
  CHECK(p.pmf_at(-0.5) == 0.0);
  CHECK(p.pmf_at(std::numeric_limits<double>::infinity()) == 0.0);
  CHECK(p.cdf_at(1.5) == p.cdf(1));
  CHECK(p.cdf_at(-0.5) == 0.0);
  CHECK(p.cdf_at(1e30) == 1.0);
  CHECK_THROWS_WITH(p.pmf_at(std::nan("")), "k must be a number, got nan");
  const NegativeBinomial nb(2.0, 1.0);
  CHECK(nb.cdf_at(-0.9) == 0.0);
  CHECK(nb.cdf_at(3.99) == nb.cdf(3));
}

TEST_CASE("spliced lognormal-GPD: continuity, quantile inverse and moments", "[distributions]") {
  const Lognormal body = Lognormal::from_mean_median(60.19e6, 38.0e6);
  const double t = body.quantile(0.9);
  const SplicedLognormalGPD sp(body, t, 0.3);
  CHECK(sp.tail_probability() == Approx(0.1).epsilon(1e-12));
  CHECK(sp.cdf(t) == Approx(0.9).epsilon(1e-12));
  CHECK(sp.cdf(t * (1 + 1e-9)) == Approx(0.9).epsilon(1e-6));
  for (double p : {0.3, 0.89, 0.9, 0.95, 0.999, 1 - 1e-9}) {
    CHECK(sp.cdf(sp.quantile(p)) == Approx(p).epsilon(1e-9));
    if (p <= 0.9) CHECK(sp.quantile(p) == Approx(body.quantile(p)).epsilon(1e-12));
  }
  // Closed-form quantile of the tail: t + beta/xi ((tail/(1-p))^xi - 1).
  const double p = 0.995;
  CHECK(sp.quantile(p) ==
        Approx(t + sp.beta() / 0.3 * (std::pow(0.1 / (1 - p), 0.3) - 1.0)).epsilon(1e-10));
  // Mean and E[X^2] against integrals of the quantile function (midpoint rule in u with
  // a log-spaced grid near 1 for the tail).
  double m1 = 0, m2 = 0;
  const int n = 400000;
  for (int i = 0; i < n; ++i) {
    const double u = (i + 0.5) / n;
    const double x = sp.quantile(u);
    m1 += x / n;
    m2 += x * x / n;
  }
  CHECK(sp.mean() == Approx(m1).epsilon(2e-3));
  CHECK(sp.variance() + sp.mean() * sp.mean() == Approx(m2).epsilon(2e-2));
  CHECK(sp.lev(std::numeric_limits<double>::infinity()) == Approx(sp.mean()));
  CHECK(sp.lev(t) == Approx(body.lev(t)).epsilon(1e-12));
  CHECK_THROWS_AS(SplicedLognormalGPD(body, t, 1.2).mean(), std::domain_error);
}

TEST_CASE("batched severity quantiles equal scalar ones, in place too", "[distributions]") {
  // The engine converts its uniforms in place (quantile_batch(u, u, n)): every severity must
  // give the scalar quantile out of place and in place, across chunk edges, with uniforms in
  // the body and the tail and at the extremes the engine can draw (2^-54, 1 - 2^-53).
  const Lognormal body(15.0, 1.4);
  const std::vector<std::shared_ptr<const Severity>> severities = {
      std::make_shared<Lognormal>(body),
      std::make_shared<SplicedLognormalGPD>(body, body.quantile(0.95), 0.25),
      std::make_shared<SplicedLognormalGPD>(body, body.quantile(0.5), 0.4),
      std::make_shared<SplicedLognormalGPD>(body, body.quantile(0.99), 0.0, 1.0e6),
      std::make_shared<SplicedLognormalGPD>(Lognormal(15.0, 1.3), 2.0e7, 0.4),
      body.scaled(3.0),
  };
  std::vector<double> u = {0x1.0p-54, 0x1.fffffffffffffp-1, 0.5};
  for (int i = 1; i <= 997; ++i) u.push_back(i / 998.0);
  for (const auto& sev : severities) {
    INFO(sev->name());
    std::vector<double> out(u.size()), in_place = u;
    sev->quantile_batch(u.data(), out.data(), u.size());
    sev->quantile_batch(in_place.data(), in_place.data(), in_place.size());
    for (std::size_t i = 0; i < u.size(); ++i) {
      INFO("u = " << u[i]);
      REQUIRE(std::isfinite(out[i]));
      REQUIRE(out[i] == sev->quantile(u[i]));
      REQUIRE(in_place[i] == out[i]);
    }
  }
}

TEST_CASE("Poisson and negative binomial pmf, cdf and quantile", "[distributions]") {
  const Poisson p(2.0);
  CHECK(p.pmf(0) == Approx(std::exp(-2.0)));
  CHECK(p.pmf(3) == Approx(std::exp(-2.0) * 8.0 / 6.0));
  CHECK(p.cdf(1) == Approx(3.0 * std::exp(-2.0)));
  CHECK(p.quantile(0.5) == 2);
  // Inversion of the 64-bit frequency uniform agrees with the quantile function.
  for (double u : {1e-9, 0.1, 0.5, 0.9, 1 - 1e-12}) {
    const double scaled = std::ldexp(u, 32);
    const auto hi = static_cast<std::uint32_t>(scaled);
    const auto lo = static_cast<std::uint32_t>(std::ldexp(scaled - hi, 32));
    CHECK(p.table()->count(hi, lo) == p.quantile(u));
  }
  // Exactly at a threshold the low word decides: u = cdf(1) exactly gives 1, just above gives 2.
  // (The table's cdf(1), as its recurrence sums it: p_0 + p_0 * rate.)
  const double c1 = std::exp(-2.0) + std::exp(-2.0) * 2.0;
  const double s1 = std::ldexp(c1, 32);
  const auto h1 = static_cast<std::uint32_t>(s1);
  const double f1 = std::ldexp(s1 - h1, 32);
  CHECK(p.table()->count(h1, static_cast<std::uint32_t>(std::floor(f1)) - 1) == 1);
  CHECK(p.table()->count(h1, static_cast<std::uint32_t>(std::ceil(f1)) + 1) == 2);
  const NegativeBinomial nb(3.0, 2.0);
  CHECK(nb.variance() == Approx(3.0 + 9.0 / 2.0));
  double total = 0, mean = 0;
  for (std::uint64_t k = 0; k < 400; ++k) {
    total += nb.pmf(k);
    mean += static_cast<double>(k) * nb.pmf(k);
  }
  CHECK(total == Approx(1.0).epsilon(1e-12));
  CHECK(mean == Approx(3.0).epsilon(1e-10));
  REQUIRE(nb.table() != nullptr);
  for (double u : {0.05, 0.5, 0.97}) {
    const double scaled = std::ldexp(u, 32);
    const auto hi = static_cast<std::uint32_t>(scaled);
    CHECK(nb.table()->count(hi, 0x80000000u) == nb.quantile(u));
  }
}

TEST_CASE("Frequency::count is the engine's draw and is monotone in the rate", "[distributions]") {
  const Poisson lo(0.2), hi(0.4);
  for (std::uint64_t y = 0; y < 2000; ++y) {
    const auto a = lo.count(5, 77, y), b = hi.count(5, 77, y);
    REQUIRE(a <= b);
    REQUIRE(a == lo.table()->count(frequency_uniform(5, 77, y)));
  }
  std::vector<std::uint32_t> words(37);
  frequency_words(5, 77, 3, words.size(), words.data());
  for (std::size_t i = 0; i < words.size(); ++i)
    CHECK(words[i] == frequency_uniform(5, 77, 3 + i).hi);
}

TEST_CASE("negative binomial counts are inverse-CDF draws whatever m / (r + m)",
          "[distributions]") {
  // With m / (r + m) > 1/2 the table's cdf can stop a unit below 1 while its pmf sticks at the
  // smallest subnormal; the table then ended nowhere and counts came from a rejection sampler,
  // not from the frequency uniform (a larger mean could give fewer events in a year).
  for (const auto& [m, r] : std::vector<std::pair<double, double>>{
           {1.2, 1.0}, {3.0, 0.7}, {40.0, 30.0}, {0.45, 0.2}, {0.3, 0.2}, {0.5, 2.0}}) {
    const NegativeBinomial f(m, r), more(1.5 * m, r);
    REQUIRE(f.table() != nullptr);
    REQUIRE(more.table() != nullptr);
    for (std::uint64_t y = 0; y < 2000; ++y) {
      const FrequencyUniform fu = frequency_uniform(5, 77, y);
      const double u =
          (static_cast<double>(fu.hi) + (static_cast<double>(fu.low()) + 0.5) / 4294967296.0) /
          4294967296.0;
      const std::uint64_t k = f.count(5, 77, y);
      INFO("m " << m << ", r " << r << ", year " << y << ", u " << u);
      REQUIRE(f.cdf(k) >= u);
      if (k > 0) REQUIRE(f.cdf(k - 1) < u);
      REQUIRE(k <= more.count(5, 77, y));
    }
  }
}

TEST_CASE("distribution parameters are validated with name and value", "[distributions][errors]") {
  CHECK_THROWS_WITH(Poisson(-1.0), Catch::Contains("rate") && Catch::Contains("-1"));
  CHECK_THROWS_WITH(Poisson(NAN), Catch::Contains("rate") && Catch::Contains("nan"));
  CHECK_THROWS_WITH(Poisson(INFINITY), Catch::Contains("rate") && Catch::Contains("inf"));
  CHECK_THROWS_WITH(NegativeBinomial(1.0, -2.0), Catch::Contains("dispersion"));
  CHECK_THROWS_WITH(Lognormal(0.0, 0.0), Catch::Contains("sigma") && Catch::Contains("got 0"));
  CHECK_THROWS_WITH(Lognormal(NAN, 1.0), Catch::Contains("mu"));
  CHECK_THROWS_WITH(Lognormal::from_mean_median(10.0, 20.0),
                    Catch::Contains("mean must be greater than median") && Catch::Contains("20"));
  CHECK_THROWS_WITH(Lognormal::from_mean_median(-1.0, 1.0), Catch::Contains("mean"));
  CHECK_THROWS_WITH(Lognormal(0, 1).quantile(1.5), Catch::Contains("p must be in (0, 1)"));
  CHECK_THROWS_WITH(Lognormal(0, 1).lev(-3.0), Catch::Contains("limit"));
  CHECK_THROWS_WITH(SplicedLognormalGPD(Lognormal(0, 1), -1.0, 0.2), Catch::Contains("threshold"));
  CHECK_THROWS_WITH(SplicedLognormalGPD(Lognormal(0, 1), 1.0, -0.2), Catch::Contains("xi"));
}
