#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "cyberloss/engine.hpp"
#include "engine_helpers.hpp"
#include "cyberloss/stats.hpp"

using namespace cyberloss;

namespace {

using cyberloss::testing::run;

double lognormal_moment(const Lognormal& ln, int k) {
  return std::exp(k * ln.mu() + 0.5 * k * k * ln.sigma() * ln.sigma());
}

Model poisson_lognormal_model() {
  return Model({
      AttackType("ransomware", std::make_shared<Poisson>(0.3), std::make_shared<Lognormal>(0.0, 0.8)),
      AttackType("web_leak", std::make_shared<Poisson>(2.0), std::make_shared<Lognormal>(1.0, 0.5)),
      AttackType("emotet", std::make_shared<Poisson>(0.05), std::make_shared<Lognormal>(-1.0, 1.0)),
  });
}

bool same_bits(const Buffer<double>& a, const Buffer<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("compound Poisson-lognormal annual mean and variance match lambda E[X], lambda E[X^2]",
          "[engine][closed-form]") {
  const Model model = poisson_lognormal_model();
  const std::uint64_t n = 400000;
  const auto r = run(model, n, 31337, 0, 0);
  double kappa2 = 0, kappa4 = 0, mean = 0;
  for (const auto& t : model.types()) {
    const auto& ln = dynamic_cast<const Lognormal&>(*t.severity);
    const double lambda = t.frequency->mean();
    mean += lambda * lognormal_moment(ln, 1);
    kappa2 += lambda * lognormal_moment(ln, 2);
    kappa4 += lambda * lognormal_moment(ln, 4);
  }
  CHECK(model.expected_annual_loss() == Approx(mean).epsilon(1e-12));
  CHECK(model.annual_loss_variance() == Approx(kappa2).epsilon(1e-12));
  const double sim_mean = stats::mean(r.annual.data(), n);
  const double sim_sd = stats::std_dev(r.annual.data(), n);
  CHECK(std::fabs(sim_mean - mean) <= 4.0 * std::sqrt(kappa2 / n));
  // SE of the sample variance: sqrt((mu4 - sigma^4) / n), mu4 = kappa4 + 3 kappa2^2.
  CHECK(std::fabs(sim_sd * sim_sd - kappa2) <= 4.0 * std::sqrt((kappa4 + 2 * kappa2 * kappa2) / n));
  // Per-type totals add up to the annual total and counts have the Poisson means.
  for (std::size_t t = 0; t < model.size(); ++t) {
    double c = 0;
    for (std::uint64_t i = 0; i < n; ++i) c += r.counts[i * model.size() + t];
    const double lambda = model.types()[t].frequency->mean();
    CHECK(std::fabs(c / n - lambda) <= 4.0 * std::sqrt(lambda / n));
  }
}

TEST_CASE("compound negative binomial mean and variance", "[engine][closed-form]") {
  const Lognormal ln(0.0, 0.6);
  const Model model({AttackType("nb", std::make_shared<NegativeBinomial>(1.5, 0.8),
                                std::make_shared<Lognormal>(ln))});
  const std::uint64_t n = 300000;
  const auto r = run(model, n, 5, 0, 0);
  const double ex = lognormal_moment(ln, 1), vx = lognormal_moment(ln, 2) - ex * ex;
  const double en = 1.5, vn = 1.5 + 1.5 * 1.5 / 0.8;
  const double mean = en * ex, var = en * vx + vn * ex * ex;
  CHECK(model.annual_loss_variance() == Approx(var).epsilon(1e-12));
  CHECK(std::fabs(stats::mean(r.annual.data(), n) - mean) <= 4.0 * std::sqrt(var / n));
  double c = 0, c2 = 0;
  for (auto k : r.counts) {
    c += k;
    c2 += double(k) * k;
  }
  const double cm = c / n, cv = c2 / n - cm * cm;
  CHECK(std::fabs(cm - en) <= 4.0 * std::sqrt(vn / n));
  // relative SE of a sample variance is about sqrt((kurtosis - 1)/n); NB kurtosis < 20 here
  CHECK(std::fabs(cv - vn) <= 4.0 * vn * std::sqrt(20.0 / n));
}

TEST_CASE("same seed gives bit-identical years for any threads and block size",
          "[engine][determinism]") {
  const Model model = poisson_lognormal_model();
  const std::uint64_t n = 50000;
  const auto ref = run(model, n, 99, 1, 8192);
  for (int threads : {1, 2, 8})
    for (std::uint64_t block : {1000ULL, 8192ULL, 333ULL}) {
      const auto r = run(model, n, 99, threads, block);
      CHECK(same_bits(r.annual, ref.annual));
      CHECK(same_bits(r.by_type, ref.by_type));
      CHECK(r.counts == ref.counts);
    }
  // Splitting the years into two runs reproduces the same arrays.
  const auto a = run(model, 20000, 99, 2, 777, 0);
  const auto b = run(model, n - 20000, 99, 2, 4096, 20000);
  Buffer<double> joined(a.annual);
  joined.insert(joined.end(), b.annual.begin(), b.annual.end());
  CHECK(same_bits(joined, ref.annual));
  // A different seed gives different years.
  CHECK_FALSE(same_bits(run(model, n, 100, 2, 8192).annual, ref.annual));
}

TEST_CASE("event table is ordered and adds up to the annual losses", "[engine]") {
  const Model model = poisson_lognormal_model();
  const auto r = run(model, 5000, 7, 2, 512, 100, true);
  REQUIRE(r.event_loss.size() == r.event_year.size());
  std::vector<double> sums(5000, 0.0);
  for (std::size_t e = 0; e < r.event_loss.size(); ++e) {
    if (e) {
      const bool ordered = r.event_year[e - 1] < r.event_year[e] ||
                           (r.event_year[e - 1] == r.event_year[e] &&
                            (r.event_type[e - 1] < r.event_type[e] ||
                             (r.event_type[e - 1] == r.event_type[e] && r.event_k[e - 1] + 1 == r.event_k[e])));
      REQUIRE(ordered);
    }
    const auto t = static_cast<std::uint32_t>(r.event_type[e]);
    const double u = uniform_at(7, stream_id(Purpose::severity, t),
                                static_cast<std::uint64_t>(r.event_year[e]),
                                static_cast<std::uint64_t>(r.event_k[e]));
    REQUIRE(r.event_loss[e] == model.types()[t].severity->quantile(u));
    sums[static_cast<std::size_t>(r.event_year[e] - 100)] += r.event_loss[e];
  }
  for (std::size_t i = 0; i < 5000; ++i) REQUIRE(sums[i] == Approx(r.annual[i]).epsilon(1e-12));
}

TEST_CASE("bad requests are refused before any work", "[engine][errors]") {
  const Model model = poisson_lognormal_model();
  CHECK_THROWS_WITH(run(model, 0, 1, 1, 0), Catch::Contains("years"));
  CHECK_THROWS_WITH(run(model, 10, 1, -2, 0), Catch::Contains("threads") && Catch::Contains("-2"));
  CHECK_THROWS_AS(run(model, 1ULL << 50, 1, 1, 0), memory_error);
  CHECK_THROWS_WITH(run(model, 1ULL << 50, 1, 1, 0), Catch::Contains("MiB"));
  CHECK_THROWS_WITH(Model({}), Catch::Contains("at least one"));
  CHECK_THROWS_WITH(Model({AttackType("a", std::make_shared<Poisson>(1.0), std::make_shared<Lognormal>(0, 1)),
                           AttackType("a", std::make_shared<Poisson>(1.0), std::make_shared<Lognormal>(0, 1))}),
                    Catch::Contains("unique"));
  CHECK_THROWS_WITH(AttackType("x", nullptr, std::make_shared<Lognormal>(0, 1)), Catch::Contains("frequency"));
}

TEST_CASE("a cancelled run throws instead of returning partial output", "[engine]") {
  const Model model = poisson_lognormal_model();
  std::atomic<bool> cancel{true};
  SimulationOptions o;
  o.years = 100000;
  o.cancel = &cancel;
  CHECK_THROWS_AS(simulate(model, o), cancelled);
}
