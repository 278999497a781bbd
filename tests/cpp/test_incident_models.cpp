// IncidentModels (one attack type, a factor set per organisation) and IncidentUnits (one set of
// factor-free quantities, many factor sets) against IncidentModel, and the uniforms the
// portfolio's organisation loss draws with event_uniforms.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "cyberloss/incident.hpp"
#include "cyberloss/random.hpp"
#include "cyberloss/vecmath.hpp"

using namespace cyberloss;

namespace {

// A card leak with every feature the pricing has: record-driven notification, condolence and
// card compensation, a closure period, the card-suspension downtime and a contained branch.
IncidentType card_leak() {
  IncidentType t;
  t.name = "web_leak_card";
  t.mean_shares = {0.3, 0.25, 0.1, 0.05, 0.05, 0.05, 0.1, 0.1};
  t.dispersion = 0.7;
  t.exposure_probability = 0.6;
  t.exposed_share = 0.4;
  t.gift_probability = 0.5;
  t.record_driven[notification] = true;
  t.record_driven[condolence] = true;
  t.record_driven[liability] = true;
  t.notification_per_record = 110;
  t.condolence_per_person = 667;
  t.card_compensation_per_card = 2000;
  t.downtime = DowntimeDistribution::card_suspension(0.62, 180, 15, 21.42, 0.8);
  t.has_closure = true;
  t.closure_days = 20;
  t.card_sales_lost_share = 0.5;
  t.max_downtime_days = 365;
  t.effort_median = IncidentType::effort_median_from_mean(19.7, 1.0);
  t.effort_sigma = 1.0;
  ContainedBranch c;
  c.loss_median = 1e6;
  c.loss_sigma = 1.0;
  c.downtime = DowntimeDistribution::lognormal(1.0, 0.7);
  c.effort_median = IncidentType::effort_median_from_mean(2.0, 0.8);
  c.effort_sigma = 0.8;
  t.contained = c;
  return t;
}

// Organisations that differ in every factor: records known or not, branches or not, controls
// that remove the interruption, scales.
std::vector<IncidentFactors> organisations(std::size_t n) {
  std::vector<IncidentFactors> out(n);
  for (std::size_t p = 0; p < n; ++p) {
    IncidentFactors& f = out[p];
    const double x = static_cast<double>(p);
    for (std::size_t j = 0; j < n_response; ++j)
      f.severity_factor[j] = 0.5 + 0.1 * static_cast<double>((p + j) % 7);
    f.downtime_factor = p % 5 == 0 ? 0.0 : 0.6 + 0.1 * x;
    f.effort_factor = 0.8 + 0.05 * x;
    f.share_affected = 0.1 * static_cast<double>(p % 10);
    if (p % 3 != 0) f.records_held = 1000.0 * (1.0 + x);
    f.daily_gross_profit = 1e6 * (1.0 + x);
    f.labour_cost_month = 5e5 + 1e4 * x;
    f.severity_scale = 0.5 + 0.25 * x;
    f.downtime_scale = 0.9 + 0.05 * x;
    f.major_probability = p % 2 == 0 ? 1.0 : 0.3 + 0.05 * x;
  }
  return out;
}

struct Uniforms {
  std::vector<double> loss, down, effort, components, branch;
  explicit Uniforms(std::size_t n)
      : loss(n),
        down(n),
        effort(n),
        components(n * component_draws_per_event),
        branch(n * branch_draws_per_event) {
    for (std::size_t i = 0; i < n; ++i) {
      loss[i] = 1e7 * std::exp(2.0 * (uniform_at(5, 1, i, 0) - 0.5));
      down[i] = uniform_at(5, 2, i, 0);
      effort[i] = uniform_at(5, 3, i, 0);
      for (std::size_t j = 0; j < component_draws_per_event; ++j)
        components[i * component_draws_per_event + j] = uniform_at(5, 4, i, j);
      for (std::size_t j = 0; j < branch_draws_per_event; ++j)
        branch[i * branch_draws_per_event + j] = uniform_at(5, 6, i, j);
    }
  }
};

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("IncidentModels prices each event as that organisation's IncidentModel, bit for bit",
          "[incident]") {
  const std::vector<IncidentFactors> factors = organisations(12);
  const IncidentModels models(card_leak(), factors);
  REQUIRE(models.branches());
  // More events than one internal chunk, organisations interleaved.
  const std::size_t n = 1500;
  std::vector<std::uint32_t> which(n);
  for (std::size_t i = 0; i < n; ++i) which[i] = static_cast<std::uint32_t>((i * 7 + i / 5) % 12);
  const Uniforms u(n);
  IncidentBuffer batch(n);
  const IncidentColumns cols = batch.columns();
  models.from_uniforms(which.data(), u.loss.data(), u.down.data(), u.effort.data(),
                       u.components.data(), u.branch.data(), n, cols);

  std::size_t contained = 0, records = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const IncidentFactors& f = factors[which[i]];
    const IncidentModel one(card_leak(), f);
    IncidentBuffer alone(1);
    const IncidentColumns a = alone.columns();
    one.from_uniforms(&u.loss[i], &u.down[i], &u.effort[i],
                      &u.components[i * component_draws_per_event],
                      f.branches() ? &u.branch[i * branch_draws_per_event] : nullptr, 1, a);
    for (std::size_t c = 0; c < n_components; ++c) {
      INFO("event " << i << ", organisation " << which[i] << ", component " << c);
      REQUIRE(same_bits(cols.component[c][i], a.component[c][0]));
    }
    REQUIRE(same_bits(cols.downtime_days[i], a.downtime_days[0]));
    if (f.branches() && !(u.branch[i * branch_draws_per_event] < f.major_probability)) ++contained;
    if (f.records_held && u.components[i * component_draws_per_event + draw_records_exposed] <
                              card_leak().exposure_probability)
      ++records;
  }
  // The cases the comparison is for did occur.
  CHECK(contained > 100);
  CHECK(records > 100);
}

TEST_CASE("IncidentModels without branches needs no branch uniforms", "[incident]") {
  IncidentType t = card_leak();
  t.contained.reset();
  std::vector<IncidentFactors> factors = organisations(4);
  for (auto& f : factors) f.major_probability = 1.0;
  const IncidentModels models(t, factors);
  REQUIRE_FALSE(models.branches());
  const std::size_t n = 40;
  std::vector<std::uint32_t> which(n);
  for (std::size_t i = 0; i < n; ++i) which[i] = static_cast<std::uint32_t>(i % 4);
  const Uniforms u(n);
  IncidentBuffer batch(n);
  models.from_uniforms(which.data(), u.loss.data(), u.down.data(), u.effort.data(),
                       u.components.data(), nullptr, n, batch.columns());
  for (std::size_t p = 0; p < 4; ++p) {
    const IncidentModel one(t, factors[p]);
    for (std::size_t i = p; i < n; i += 4) {
      IncidentBuffer alone(1);
      one.from_uniforms(&u.loss[i], &u.down[i], &u.effort[i],
                        &u.components[i * component_draws_per_event], nullptr, 1, alone.columns());
      for (std::size_t c = 0; c <= n_components; ++c)
        REQUIRE(same_bits(batch.data[c * n + i], alone.data[c]));
    }
  }
}

TEST_CASE("IncidentModels refuses bad factors and organisations it does not hold, naming them",
          "[incident]") {
  std::vector<IncidentFactors> factors = organisations(3);
  factors[2].labour_cost_month = -1.0;
  CHECK_THROWS_WITH(IncidentModels(card_leak(), factors), Catch::Contains("labour_cost_month"));
  factors = organisations(3);
  factors[1].major_probability = 0.5;
  IncidentType plain = card_leak();
  plain.contained.reset();
  CHECK_THROWS_WITH(IncidentModels(plain, factors), Catch::Contains("needs a contained branch"));
  const IncidentModels models(card_leak(), organisations(3));
  const Uniforms u(1);
  IncidentBuffer out(1);
  const std::uint32_t bad = 3;
  CHECK_THROWS_AS(models.from_uniforms(&bad, u.loss.data(), u.down.data(), u.effort.data(),
                                       u.components.data(), u.branch.data(), 1, out.columns()),
                  std::out_of_range);
  const std::uint32_t ok = 1;
  CHECK_THROWS_WITH(models.from_uniforms(&ok, u.loss.data(), u.down.data(), u.effort.data(),
                                         u.components.data(), nullptr, 1, out.columns()),
                    Catch::Contains("u_branch"));
}

TEST_CASE("event_uniforms gives the draws of uniform_at, two per Philox block", "[random]") {
  const std::size_t n = 300;  // several batches of blocks
  std::vector<std::uint64_t> year(n), k(n);
  for (std::size_t i = 0; i < n; ++i) {
    year[i] = (std::uint64_t{1} << 33) + 3 * i;  // both words of the year used
    k[i] = (i * 13) % 17;
  }
  const std::uint32_t stream = stream_id(Purpose::components, 0x201);
  const std::uint64_t cases[][2] = {{2, 2}, {16, 16}, {16, component_draws_used}, {6, 4}};
  for (const auto& [per_event, used] : cases) {
    INFO("per_event " << per_event << ", used " << used);
    std::vector<double> out(n * per_event, -1.0);
    event_uniforms(9, stream, year.data(), k.data(), n, per_event, used, out.data());
    for (std::size_t i = 0; i < n; ++i)
      for (std::uint64_t j = 0; j < per_event; ++j)
        REQUIRE(out[i * per_event + j] ==
                (j < used ? uniform_at(9, stream, year[i], per_event * k[i] + j) : -1.0));
  }
  double one[4];
  CHECK_THROWS_WITH(event_uniforms(9, stream, year.data(), k.data(), 1, 3, 2, one),
                    Catch::Contains("per_event"));
  CHECK_THROWS_WITH(event_uniforms(9, stream, year.data(), k.data(), 1, 2, 4, one),
                    Catch::Contains("used"));
}

TEST_CASE("IncidentUnits: one set of units prices every variant as that variant alone, bit for bit",
          "[incident]") {
  // Branching card leaks (records, closure, card suspension) and a type without branches whose
  // lognormal downtime and mean shares include a zero.
  IncidentType plain = card_leak();
  plain.name = "ransomware";
  plain.contained.reset();
  plain.downtime = DowntimeDistribution::lognormal(44.5, 1.01);
  plain.has_closure = false;
  plain.mean_shares = {0.3, 0.25, 0.1, 0.05, 0.1, 0.0, 0.1, 0.1};
  for (const bool branching : {true, false}) {
    const IncidentType type = branching ? card_leak() : plain;
    std::vector<IncidentFactors> variants = organisations(8);
    if (!branching)
      for (auto& f : variants) f.major_probability = 1.0;
    double low = 1.0, high = 0.0;
    for (const auto& f : variants) {
      low = std::min(low, f.major_probability);
      high = std::max(high, f.major_probability);
    }
    const std::size_t n = 1300;  // more than one internal chunk
    const Uniforms u(n);
    IncidentUnits units(type, low, high);
    units.compute(u.down.data(), u.effort.data(), u.components.data(),
                  branching ? u.branch.data() : nullptr, n);
    REQUIRE(units.size() == n);
    // Rows written in reverse order: the rows argument places event i.
    std::vector<std::size_t> rows(n);
    for (std::size_t i = 0; i < n; ++i) rows[i] = n - 1 - i;
    for (std::size_t v = 0; v < variants.size(); ++v) {
      const IncidentModel model(type, variants[v]);
      IncidentBuffer shared(n), alone(n);
      units.price(model, u.loss.data(), shared.columns(), rows.data());
      model.from_uniforms(u.loss.data(), u.down.data(), u.effort.data(), u.components.data(),
                          variants[v].branches() ? u.branch.data() : nullptr, n, alone.columns());
      for (std::size_t c = 0; c <= n_components; ++c)
        for (std::size_t i = 0; i < n; ++i) {
          INFO("branching " << branching << ", variant " << v << ", column " << c << ", event "
                            << i);
          REQUIRE(same_bits(shared.data[c * n + rows[i]], alone.data[c * n + i]));
        }
    }
  }
}

TEST_CASE("IncidentUnits: the response components follow the shares' formula, zero shares too",
          "[incident]") {
  IncidentType t = card_leak();
  t.contained.reset();
  t.mean_shares = {0.35, 0.35, 0.03, 0.07, 0.02, 0.0, 0.03, 0.15};
  IncidentFactors f;
  for (std::size_t j = 0; j < n_response; ++j)
    f.severity_factor[j] = 0.6 + 0.1 * static_cast<double>(j);
  f.severity_scale = 1.5;
  const IncidentModel model(t, f);
  const std::size_t n = 700;
  const Uniforms u(n);
  IncidentUnits units(t);
  units.compute(u.down.data(), u.effort.data(), u.components.data(), nullptr, n);
  IncidentBuffer out(n);
  units.price(model, u.loss.data(), out.columns());
  const double d = t.dispersion;
  for (std::size_t i = 0; i < n; ++i) {
    // w_j = m_j exp(d z_j - d^2/2) for every j, each quantile computed alone.
    double w[n_response];
    for (std::size_t j = 0; j < n_response; ++j) {
      double z = u.components[i * component_draws_per_event + j];
      vecmath::inverse_normal_cdf(&z, &z, 1);
      vecmath::exp_affine(&z, -(0.5 * d * d), d, &z, 1);
      w[j] = t.mean_shares[j] * z;
    }
    const double total = ((w[0] + w[1]) + (w[2] + w[3])) + ((w[4] + w[5]) + (w[6] + w[7]));
    for (std::size_t j = 0; j < n_response; ++j) {
      INFO("event " << i << ", component " << j);
      REQUIRE(same_bits(out.data[j * n + i],
                        u.loss[i] * f.severity_scale * (w[j] / total) * f.severity_factor[j]));
    }
  }
}

TEST_CASE("IncidentUnits refuses models they were not computed for, naming the reason",
          "[incident]") {
  const Uniforms u(4);
  IncidentUnits units(card_leak(), 0.4, 0.6);
  CHECK_THROWS_WITH(units.compute(u.down.data(), u.effort.data(), u.components.data(), nullptr, 4),
                    Catch::Contains("u_branch"));
  units.compute(u.down.data(), u.effort.data(), u.components.data(), u.branch.data(), 4);
  IncidentBuffer out(4);
  IncidentFactors f = organisations(1)[0];
  f.major_probability = 0.7;
  CHECK_THROWS_WITH(units.price(IncidentModel(card_leak(), f), u.loss.data(), out.columns()),
                    Catch::Contains("outside the units' 0.4 .. 0.6"));
  IncidentType other = card_leak();
  other.dispersion = 0.3;
  f.major_probability = 0.5;
  CHECK_THROWS_WITH(units.price(IncidentModel(other, f), u.loss.data(), out.columns()),
                    Catch::Contains("another type"));
  CHECK_NOTHROW(units.price(IncidentModel(card_leak(), f), u.loss.data(), out.columns()));
  IncidentType plain = card_leak();
  plain.contained.reset();
  CHECK_THROWS_WITH(IncidentUnits(plain, 0.5, 1.0), Catch::Contains("needs a contained branch"));
  CHECK_THROWS_WITH(IncidentUnits(card_leak(), 0.6, 0.5), Catch::Contains("highest"));
  CHECK_THROWS_WITH(IncidentUnits(card_leak(), 0.0, 0.5), Catch::Contains("lowest"));
  std::vector<double> bad = u.down;
  bad[2] = 1.0;
  CHECK_THROWS_WITH(
      units.compute(bad.data(), u.effort.data(), u.components.data(), u.branch.data(), 4, 10),
      Catch::Contains("u_downtime must lie strictly inside (0, 1), got 1 at event 12"));
  // The first bad event is named, whatever the uniform that comes first in the arrays.
  std::vector<double> bad_components = u.components;
  bad_components[1 * component_draws_per_event + 5] = std::nan("");
  CHECK_THROWS_WITH(
      units.compute(bad.data(), u.effort.data(), bad_components.data(), u.branch.data(), 4, 10),
      Catch::Contains("u_components must lie strictly inside (0, 1), got nan at "
                      "event 11"));
}
