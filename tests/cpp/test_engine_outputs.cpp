// The engine's output selection (outputs not asked for are not materialised, and the others
// keep their bits) and its occurrence and aggregate layers (layer.hpp), against closed forms and
// a direct computation on the same events.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "cyberloss/engine.hpp"
#include "engine_helpers.hpp"

using namespace cyberloss;
using cyberloss::testing::same_bits;

namespace {

Model three_types() {
  return Model({
      AttackType("ransomware", std::make_shared<Poisson>(0.3),
                 std::make_shared<Lognormal>(15.0, 1.2)),
      AttackType("web_leak", std::make_shared<Poisson>(2.0),
                 std::make_shared<Lognormal>(13.0, 0.9)),
      AttackType("emotet", std::make_shared<NegativeBinomial>(0.4, 0.5),
                 std::make_shared<SplicedLognormalGPD>(Lognormal(12.0, 1.0), 1.0e6, 0.2)),
  });
}

SimulationOptions options(std::uint64_t years, std::uint32_t seed, int threads,
                          std::uint64_t block) {
  SimulationOptions o;
  o.years = years;
  o.seed = seed;
  o.threads = threads;
  o.block_size = block;
  o.first_year = 17;
  return o;
}

// E[L(X)^2] for L(x) = min(max(x - a, 0), l) of a lognormal X, from its partial moments.
double layer_second_moment(const Lognormal& x, double a, double l) {
  const double b = a + l;
  const double m2 = x.partial_moment(2, b) - x.partial_moment(2, a);
  const double m1 = x.partial_moment(1, b) - x.partial_moment(1, a);
  const double p = x.cdf(b) - x.cdf(a);
  return m2 - 2.0 * a * m1 + a * a * p + l * l * (1.0 - x.cdf(b));
}

}  // namespace

TEST_CASE("outputs not asked for are not materialised; the rest keep their bits",
          "[engine][outputs]") {
  const Model model = three_types();
  SimulationOptions all = options(30011, 5, 2, 1000);
  all.keep_events = true;
  const SimulationResult full = simulate(model, all);
  for (int threads : {1, 2})
    for (std::uint64_t block : {333ULL, 8192ULL})
      for (int mask = 0; mask < 16; ++mask) {
        SimulationOptions o = options(30011, 5, threads, block);
        o.keep_by_type = mask & 1;
        o.keep_counts = mask & 2;
        o.keep_events = mask & 4;
        o.keep_annual = !(mask & 8);
        const SimulationResult r = simulate(model, o);
        INFO("threads " << threads << ", block " << block << ", outputs " << mask);
        CHECK(r.annual.empty() == !o.keep_annual);
        if (o.keep_annual) CHECK(same_bits(r.annual, full.annual));
        CHECK(r.layered_annual.empty());
        CHECK(r.by_type.empty() == !o.keep_by_type);
        CHECK(r.counts.empty() == !o.keep_counts);
        if (o.keep_by_type) CHECK(same_bits(r.by_type, full.by_type));
        if (o.keep_counts) CHECK(same_bits(r.counts, full.counts));
        CHECK(r.event_loss.empty() == !o.keep_events);
        if (o.keep_events) {
          CHECK(same_bits(r.event_year, full.event_year));
          CHECK(same_bits(r.event_type, full.event_type));
          CHECK(same_bits(r.event_k, full.event_k));
          CHECK(same_bits(r.event_loss, full.event_loss));
        }
      }
}

TEST_CASE("annual losses alone take 8 bytes per year", "[engine][outputs][memory]") {
  const Model model = three_types();
  SimulationOptions o = options(1000000, 1, 1, 0);
  const double full = simulation_bytes(model, o);
  o.keep_by_type = false;
  o.keep_counts = false;
  const double annual = simulation_bytes(model, o);
  CHECK(full - annual == Approx(1e6 * 3 * 12.0).epsilon(1e-12));
  o.occurrence_layer = Layer(1.0, 2.0);
  CHECK(simulation_bytes(model, o) - annual == Approx(1e6 * 8.0).epsilon(1e-12));
  o.occurrence_layer.reset();
  o.keep_annual = false;
  CHECK(annual - simulation_bytes(model, o) == Approx(1e6 * 8.0).epsilon(1e-12));
}

TEST_CASE("layers in the engine equal a direct computation on the same events",
          "[engine][layers]") {
  const Model model = three_types();
  const Layer occurrence(2.0e5, 3.0e6), aggregate(1.0e6, 4.0e6);
  SimulationOptions o = options(20000, 9, 2, 777);
  o.keep_events = true;
  o.occurrence_layer = occurrence;
  o.aggregate_layer = aggregate;
  const SimulationResult r = simulate(model, o);
  REQUIRE(r.layered_annual.size() == r.years);
  // Per year: the occurrence-layered losses summed per type in event order, the types in order,
  // then the aggregate layer; the engine's order, so the same bits.
  std::vector<double> by_type(model.size(), 0.0);
  std::size_t e = 0;
  for (std::uint64_t i = 0; i < r.years; ++i) {
    std::fill(by_type.begin(), by_type.end(), 0.0);
    for (;
         e < r.event_year.size() && static_cast<std::uint64_t>(r.event_year[e]) == r.first_year + i;
         ++e)
      by_type[static_cast<std::size_t>(r.event_type[e])] += occurrence(r.event_loss[e]);
    double year = 0.0;
    for (double x : by_type) year += x;
    REQUIRE(r.layered_annual[i] == aggregate(year));
  }
  // Layers leave the ground-up outputs alone.
  SimulationOptions plain = o;
  plain.occurrence_layer.reset();
  plain.aggregate_layer.reset();
  const SimulationResult g = simulate(model, plain);
  CHECK(same_bits(g.annual, r.annual));
  CHECK(same_bits(g.by_type, r.by_type));
  CHECK(same_bits(g.event_loss, r.event_loss));
  CHECK(g.layered_annual.empty());
  // Either layer alone: the other is the identity.
  SimulationOptions only_agg = plain;
  only_agg.aggregate_layer = aggregate;
  const SimulationResult a = simulate(model, only_agg);
  for (std::uint64_t i = 0; i < r.years; ++i)
    REQUIRE(a.layered_annual[i] == aggregate(g.annual[i]));
}

TEST_CASE("the occurrence-layered annual loss has the compound Poisson mean and variance",
          "[engine][layers][closed-form]") {
  // Poisson(3), lognormal with mean 84,541.68 and sd 177,728.3 (the layer benchmark's model),
  // occurrence layer 1,000,000 xs 10,000: E = lambda E[L(X)], Var = lambda E[L(X)^2].
  const double rate = 3.0, mean = 84541.68, sd = 177728.3;
  const double s2 = std::log(1.0 + (sd / mean) * (sd / mean));
  const Lognormal x(std::log(mean) - 0.5 * s2, std::sqrt(s2));
  const Model model(
      {AttackType("all", std::make_shared<Poisson>(rate), std::make_shared<Lognormal>(x))});
  const Layer occurrence(1.0e4, 1.0e6);
  SimulationOptions o = options(400000, 2026, 2, 0);
  o.keep_by_type = o.keep_counts = false;
  o.occurrence_layer = occurrence;
  const SimulationResult r = simulate(model, o);
  const double el = x.lev(occurrence.exhaustion_point()) - x.lev(occurrence.attachment);
  const double el2 = layer_second_moment(x, occurrence.attachment, occurrence.limit);
  const double n = static_cast<double>(r.years);
  double sum = 0.0, sum2 = 0.0;
  for (double v : r.layered_annual) {
    sum += v;
    sum2 += v * v;
  }
  const double m = sum / n, var = sum2 / n - m * m;
  const double se = std::sqrt(rate * el2 / n);
  INFO("mean " << m << " vs " << rate * el << " (se " << se << "), var " << var << " vs "
               << rate * el2);
  CHECK(std::fabs(m - rate * el) <= 4.0 * se);
  // The sample variance within 10% (its own SE here is under 2%).
  CHECK(var == Approx(rate * el2).epsilon(0.1));
  // The aggregate layer caps every year at its limit and is zero up to its attachment.
  o.aggregate_layer = Layer(5.0e4, 1.0e6);
  const SimulationResult ra = simulate(model, o);
  double capped = 0.0;
  for (std::size_t i = 0; i < ra.layered_annual.size(); ++i) {
    const double expected = std::min(std::max(r.layered_annual[i] - 5.0e4, 0.0), 1.0e6);
    REQUIRE(ra.layered_annual[i] == expected);
    capped += ra.layered_annual[i];
  }
  CHECK(capped < sum);
}
