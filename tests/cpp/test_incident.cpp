#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include "cyberloss/distributions.hpp"
#include "cyberloss/engine.hpp"
#include "cyberloss/incident.hpp"
#include "cyberloss/organisation.hpp"
#include "cyberloss/random.hpp"
#include "cyberloss/stats.hpp"
#include "cyberloss/vecmath.hpp"

using namespace cyberloss;

namespace {

// Ransomware-like constants (components.json) with round numbers.
IncidentType ransomware(bool card = false) {
  IncidentType t;
  t.name = card ? "web_leak_card" : "ransomware";
  t.mean_shares = {0.3, 0.25, 0.1, 0.05, 0.05, 0.05, 0.1, 0.1};
  t.dispersion = 0.5;
  t.exposure_probability = 0.3;
  t.exposed_share = 1.0;
  t.gift_probability = 0.3;
  t.record_driven[notification] = true;
  t.record_driven[condolence] = true;
  t.notification_per_record = 110;
  t.condolence_per_person = 667;
  t.card_compensation_per_card = 2000;
  t.downtime = card ? DowntimeDistribution::card_suspension(0.62, 180, 15, 21.42, 0.8)
                    : DowntimeDistribution::lognormal(44.5, 1.01);
  t.has_closure = card;
  t.closure_days = 20;
  t.card_sales_lost_share = 0.5;
  t.max_downtime_days = 365;
  t.effort_median = IncidentType::effort_median_from_mean(19.7, 1.0);
  t.effort_sigma = 1.0;
  return t;
}

ContainedBranch contained_ransomware() {
  ContainedBranch c;
  c.loss_median = 1e6;
  c.loss_sigma = 1.0;
  c.downtime = DowntimeDistribution::lognormal(1.0, 0.7);
  c.effort_median = IncidentType::effort_median_from_mean(2.0, 0.8);
  c.effort_sigma = 0.8;
  return c;
}

IncidentType branched(bool card = false) {
  IncidentType t = ransomware(card);
  t.contained = contained_ransomware();
  return t;
}

IncidentFactors org_factors() {
  IncidentFactors f;
  f.share_affected = 0.6;
  f.daily_gross_profit = 3e9 * 0.2 / 365.0;
  f.labour_cost_month = 6e5;
  return f;
}

std::vector<double> uniforms(std::size_t n, std::uint32_t stream) {
  std::vector<double> u(n);
  for (std::size_t i = 0; i < n; ++i) u[i] = uniform_at(11, stream, i, 0);
  return u;
}

double mean_of(const std::vector<double>& x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

double se_of(const std::vector<double>& x) {
  const double m = mean_of(x);
  double s = 0.0;
  for (double v : x) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(x.size() - 1) / static_cast<double>(x.size()));
}

// Ransomware and card leaks with survey-basis losses: the engine part of the table tests.
Model ransomware_and_card_leaks() {
  std::vector<AttackType> types;
  types.emplace_back("ransomware", std::make_shared<Poisson>(0.3),
                     std::make_shared<Lognormal>(Lognormal::from_mean_median(4e7, 1e7)));
  types.emplace_back("web_leak_card", std::make_shared<Poisson>(0.2),
                     std::make_shared<Lognormal>(Lognormal::from_mean_median(3e7, 8e6)));
  return Model(types);
}

// Every column of two event tables equal, bit for bit.
void require_same_rows(const EventTable& got, const EventTable& want) {
  REQUIRE(got.year == want.year);
  REQUIRE(got.k == want.k);
  REQUIRE(got.type == want.type);
  REQUIRE(got.survey_loss == want.survey_loss);
  REQUIRE(got.components == want.components);
  REQUIRE(got.downtime_days == want.downtime_days);
  REQUIRE(got.gross == want.gross);
}

struct Priced {
  IncidentBuffer buffer;
  IncidentColumns cols;
  explicit Priced(std::size_t n) : buffer(n), cols(buffer.columns()) {}
  std::vector<double> column(std::size_t c) const {
    return {buffer.data.begin() + static_cast<std::ptrdiff_t>(c * buffer.n),
            buffer.data.begin() + static_cast<std::ptrdiff_t>((c + 1) * buffer.n)};
  }
};

}  // namespace

TEST_CASE("without controls or records the response components add up to the survey loss",
          "[incident]") {
  const IncidentModel model(ransomware(), org_factors());
  const std::size_t n = 5000;
  std::vector<std::int64_t> year(n);
  std::vector<std::int32_t> k(n, 0);
  std::iota(year.begin(), year.end(), 0);
  std::vector<double> loss(n);
  for (std::size_t i = 0; i < n; ++i) loss[i] = 1e5 * (1.0 + static_cast<double>(i));
  Priced out(n);
  model.batch(7, 0, year.data(), k.data(), loss.data(), n, out.cols);
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (std::size_t c = 0; c < n_response; ++c) sum += out.cols.component[c][i];
    REQUIRE(std::fabs(sum - loss[i]) <= 1e-12 * loss[i]);
  }
}

TEST_CASE("mean shares: the share weights have unit mean, so E[component] = m_j E[L]",
          "[incident]") {
  // With a constant survey loss the component mean is L E[m_j W_j / sum W], close to m_j L for
  // a moderate dispersion; the exact unit-mean property is checked on the weights themselves.
  const double d = 0.5;
  const std::size_t n = 200000;
  auto u = uniforms(n, 3);
  std::vector<double> w(n);
  vecmath::inverse_normal_cdf(u.data(), w.data(), n);
  vecmath::exp_affine(w.data(), -(0.5 * d * d), d, w.data(), n);
  CHECK(std::fabs(mean_of(w) - 1.0) < 4.0 * se_of(w));
}

TEST_CASE("lognormal downtime: simulated mean equals median exp(sigma^2 / 2)", "[incident]") {
  const auto dist = DowntimeDistribution::lognormal(44.5, 1.01);
  const std::size_t n = 400000;
  auto u = uniforms(n, 4);
  std::vector<double> x(n);
  dist.quantile(u.data(), x.data(), n);
  CHECK(dist.mean() == Approx(44.5 * std::exp(0.5 * 1.01 * 1.01)).epsilon(1e-14));
  CHECK(std::fabs(mean_of(x) - dist.mean()) < 4.0 * se_of(x));
  CHECK(dist.quantile(0.5) == Approx(44.5).epsilon(1e-14));
}

TEST_CASE("card suspension: mean 131.8 days and P(>= 180 days) = 0.62 (JNSA 2025)", "[incident]") {
  const auto dist = DowntimeDistribution::card_suspension(0.62, 180, 15, 21.42, 0.8);
  CHECK(dist.mean() == Approx(131.8).margin(0.05));
  CHECK(dist.sf(180.0) == Approx(0.62).epsilon(1e-12));
  const std::size_t n = 400000;
  auto u = uniforms(n, 5);
  std::vector<double> x(n);
  dist.quantile(u.data(), x.data(), n);
  CHECK(std::fabs(mean_of(x) - dist.mean()) < 4.0 * se_of(x));
  std::vector<double> long_flags(n);
  for (std::size_t i = 0; i < n; ++i) long_flags[i] = x[i] >= 180.0 ? 1.0 : 0.0;
  CHECK(std::fabs(mean_of(long_flags) - 0.62) < 4.0 * std::sqrt(0.62 * 0.38 / double(n)));
  for (std::size_t i = 1; i < 1000; ++i)
    REQUIRE(dist.quantile(double(i) / 1000.0) >= dist.quantile(double(i - 1) / 1000.0 + 1e-9));
}

TEST_CASE("records: notification and condolence follow records exposed x unit cost", "[incident]") {
  IncidentFactors f = org_factors();
  f.records_held = 20000.0;
  const IncidentModel model(ransomware(), f);
  const std::size_t n = 100000;
  std::vector<std::int64_t> year(n);
  std::vector<std::int32_t> k(n, 1);
  std::iota(year.begin(), year.end(), 0);
  std::vector<double> loss(n, 1e7);
  Priced out(n);
  model.batch(9, 0, year.data(), k.data(), loss.data(), n, out.cols);
  const auto notif = out.column(notification), cond = out.column(condolence);
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE((notif[i] == 0.0 || notif[i] == 20000.0 * 110));
    REQUIRE((cond[i] == 0.0 || cond[i] == 20000.0 * 667));
    REQUIRE((cond[i] == 0.0 || notif[i] > 0.0));
  }
  CHECK(std::fabs(mean_of(notif) - 0.3 * 20000 * 110) < 4.0 * se_of(notif));
  CHECK(std::fabs(mean_of(cond) - 0.09 * 20000 * 667) < 4.0 * se_of(cond));
}

TEST_CASE("lost profit and internal effort: closed-form means", "[incident]") {
  const IncidentFactors f = org_factors();
  const IncidentModel model(ransomware(), f);
  const std::size_t n = 300000;
  std::vector<std::int64_t> year(n);
  std::vector<std::int32_t> k(n, 0);
  std::iota(year.begin(), year.end(), 0);
  std::vector<double> loss(n, 1e6);
  Priced out(n);
  model.batch(13, 2, year.data(), k.data(), loss.data(), n, out.cols);
  const auto effort = out.column(internal_effort);
  CHECK(std::fabs(mean_of(effort) - 19.7 * f.labour_cost_month) < 4.0 * se_of(effort));
  // Downtime capped at 365 days: E[min(D, 365)] of the lognormal, from its partial moment.
  const Lognormal d(std::log(44.5), 1.01);
  const double capped = d.lev(365.0);
  const auto lost = out.column(lost_profit);
  CHECK(std::fabs(mean_of(lost) - f.daily_gross_profit * f.share_affected * capped) <
        4.0 * se_of(lost));
  const auto days = out.column(n_components);
  for (double x : days) REQUIRE(x <= 365.0);
}

TEST_CASE("business interruption days of a card leak: closure then the lost share", "[incident]") {
  const IncidentModel model(ransomware(true), org_factors());
  CHECK(model.business_interruption_days(10.0) == 10.0);
  CHECK(model.business_interruption_days(20.0) == 20.0);
  CHECK(model.business_interruption_days(120.0) == 20.0 + 0.5 * 100.0);
  const IncidentModel full(ransomware(false), org_factors());
  CHECK(full.business_interruption_days(120.0) == 120.0);
}

TEST_CASE("incident model refuses bad values, naming them", "[incident]") {
  IncidentType t = ransomware();
  t.mean_shares[0] = 0.5;
  CHECK_THROWS_WITH(IncidentModel(t, org_factors()), Catch::Contains("shares.ransomware"));
  t = ransomware();
  t.record_driven[legal] = true;
  CHECK_THROWS_WITH(IncidentModel(t, org_factors()), Catch::Contains("record_driven names legal"));
  IncidentFactors f = org_factors();
  f.share_affected = std::nan("");
  CHECK_THROWS_WITH(IncidentModel(ransomware(), f), Catch::Contains("share_affected"));
  f = org_factors();
  f.records_held = -1.0;
  CHECK_THROWS_WITH(IncidentModel(ransomware(), f), Catch::Contains("records_held"));
  f = org_factors();
  f.severity_factor[3] = 0.0;
  CHECK_THROWS_WITH(IncidentModel(ransomware(), f),
                    Catch::Contains("severity factor of notification"));
  CHECK_THROWS_WITH(DowntimeDistribution::lognormal(-1.0, 1.0), Catch::Contains("downtime median"));
  CHECK_THROWS_WITH(component_from_name("forensics"), Catch::Contains("forensics"));
  const IncidentModel model(ransomware(), org_factors());
  const std::int64_t year = 0;
  const std::int32_t k = 0;
  const double bad = -5.0;
  Priced out(1);
  CHECK_THROWS_WITH(model.batch(1, 0, &year, &k, &bad, 1, out.cols),
                    Catch::Contains("survey-basis loss"));
}

TEST_CASE(
    "branches: P(major) = pi, major events priced as without branches, contained ones "
    "from their own laws",
    "[incident][branch]") {
  IncidentFactors f = org_factors();
  f.records_held = 20000.0;
  f.severity_scale = 2.0;
  f.downtime_scale = 1.5;
  IncidentFactors fb = f;
  fb.major_probability = 0.4;
  const IncidentModel plain(branched(), f), model(branched(), fb);
  const std::size_t n = 200000;
  std::vector<std::int64_t> year(n);
  std::vector<std::int32_t> k(n, 3);
  std::iota(year.begin(), year.end(), 0);
  std::vector<double> loss(n, 5e7);
  Priced a(n), b(n);
  plain.batch(17, 0, year.data(), k.data(), loss.data(), n, a.cols);
  model.batch(17, 0, year.data(), k.data(), loss.data(), n, b.cols);
  std::vector<std::uint64_t> y(year.begin(), year.end()), kk(n, 3);
  std::vector<double> ub(n * branch_draws_per_event);
  branch_uniforms(17, stream_id(Purpose::branch, 0), y.data(), kk.data(), n, ub.data());
  std::vector<double> is_major(n), contained_loss, contained_days, contained_effort;
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE(ub[2 * i] == uniform_at(17, stream_id(Purpose::branch, 0), y[i], 6));
    is_major[i] = ub[2 * i] < 0.4 ? 1.0 : 0.0;
    double response = 0.0;
    for (std::size_t c = 0; c < n_response; ++c) response += b.cols.component[c][i];
    if (is_major[i] == 1.0) {
      for (std::size_t c = 0; c < n_components; ++c)
        REQUIRE(b.cols.component[c][i] == a.cols.component[c][i]);
      REQUIRE(b.cols.downtime_days[i] == a.cols.downtime_days[i]);
    } else {
      // no records-driven amounts: the contained loss is split by the shares
      const double expected =
          2.0 * 1e6 * std::exp(1.0 * vecmath::inverse_normal_cdf(ub[2 * i + 1]));
      REQUIRE(response == Approx(expected).epsilon(1e-12));
      contained_loss.push_back(response);
      contained_days.push_back(b.cols.downtime_days[i]);
      contained_effort.push_back(b.cols.component[internal_effort][i]);
    }
  }
  CHECK(std::fabs(mean_of(is_major) - 0.4) < 4.0 * std::sqrt(0.24 / double(n)));
  CHECK(std::fabs(mean_of(contained_loss) - 2e6 * std::exp(0.5)) < 4.0 * se_of(contained_loss));
  CHECK(std::fabs(mean_of(contained_days) - 1.5 * std::exp(0.5 * 0.49)) <
        4.0 * se_of(contained_days));
  CHECK(std::fabs(mean_of(contained_effort) - 2.0 * f.labour_cost_month) <
        4.0 * se_of(contained_effort));
  // pi = 1 draws no branch: identical to a type without a contained branch
  const IncidentModel no_branch(ransomware(), f);
  Priced c(n);
  no_branch.batch(17, 0, year.data(), k.data(), loss.data(), n, c.cols);
  REQUIRE(c.buffer.data == a.buffer.data);
}

TEST_CASE("branches refuse a bad major probability or a missing contained branch",
          "[incident][branch]") {
  IncidentFactors f = org_factors();
  for (double p : {0.0, -0.1, 1.5, std::nan("")}) {
    f.major_probability = p;
    CHECK_THROWS_WITH(IncidentModel(branched(), f), Catch::Contains("major_probability"));
  }
  f.major_probability = 0.5;
  CHECK_THROWS_WITH(IncidentModel(ransomware(), f), Catch::Contains("needs a contained branch"));
  IncidentType t = branched();
  t.contained->loss_median = 0.0;
  CHECK_THROWS_WITH(IncidentModel(t, f), Catch::Contains("contained.ransomware.severity_median"));
  const IncidentModel model(branched(), f);
  const double loss = 1e6, u = 0.5;
  const double uc[component_draws_per_event] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
                                                0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
  Priced out(1);
  CHECK_THROWS_WITH(model.from_uniforms(&loss, &u, &u, uc, nullptr, 1, out.cols),
                    Catch::Contains("u_branch"));
  const double bad[2] = {0.2, 1.0};
  CHECK_THROWS_WITH(model.from_uniforms(&loss, &u, &u, uc, bad, 1, out.cols),
                    Catch::Contains("u_branch must lie strictly inside"));
}

TEST_CASE("the event table is bit-identical for any thread count and block size",
          "[incident][determinism]") {
  const Model model = ransomware_and_card_leaks();
  IncidentFactors f = org_factors();
  f.records_held = 5000.0;
  IncidentFactors fb = f;
  fb.major_probability = 0.5;  // one type with branches
  const std::vector<IncidentModel> incidents = {IncidentModel(branched(false), fb),
                                                IncidentModel(ransomware(true), f)};
  auto run = [&](int threads, std::uint64_t block) {
    SimulationOptions o;
    o.years = 50000;
    o.seed = 21;
    o.threads = threads;
    o.block_size = block;
    return simulate_organisation(model, incidents, o);
  };
  const EventTable ref = run(1, 8192);
  REQUIRE(ref.size() > 20000);
  for (auto [threads, block] : {std::pair{2, 1000}, std::pair{8, 64}, std::pair{2, 50000}}) {
    const EventTable got = run(threads, static_cast<std::uint64_t>(block));
    require_same_rows(got, ref);
  }
  // A split of the years into two runs gives the same rows.
  SimulationOptions second;
  second.years = 20000;
  second.first_year = 30000;
  second.seed = 21;
  const EventTable tail = simulate_organisation(model, incidents, second);
  const std::size_t offset = static_cast<std::size_t>(
      std::lower_bound(ref.year.begin(), ref.year.end(), 30000) - ref.year.begin());
  REQUIRE(tail.size() == ref.size() - offset);
  for (std::size_t c = 0; c < n_components; ++c)
    for (std::size_t i = 0; i < tail.size(); ++i)
      REQUIRE(tail.component(c)[i] == ref.component(c)[offset + i]);
}

TEST_CASE("reprice_events: an engine run priced with other incident models", "[incident]") {
  std::vector<AttackType> types;
  types.emplace_back("ransomware", std::make_shared<Poisson>(0.4),
                     std::make_shared<Lognormal>(Lognormal::from_mean_median(4e7, 1e7)));
  const Model model(types);
  IncidentFactors f = org_factors(), g = org_factors();
  g.downtime_factor = 0.5;
  g.severity_factor[recovery] = 0.7;
  SimulationOptions o;
  o.years = 20000;
  o.seed = 3;
  const EventTable a = simulate_organisation(model, {IncidentModel(ransomware(), f)}, o);
  const EventTable b = simulate_organisation(model, {IncidentModel(ransomware(), g)}, o);
  const EventTable c = reprice_events(a, {IncidentModel(ransomware(), g)}, 2);
  require_same_rows(c, b);
  REQUIRE(c.components != a.components);
  CHECK_THROWS_WITH(reprice_events(a, {IncidentModel(ransomware(true), g)}),
                    Catch::Contains("is 'ransomware'"));
  // The pricing's gross column (year_totals' gross): each event's components added in column
  // order, bit for bit.
  REQUIRE(c.gross.size() == c.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    double sum = c.component(0)[i];
    for (std::size_t k = 1; k < n_components; ++k) sum = sum + c.component(k)[i];
    REQUIRE(c.gross[i] == sum);
  }
  EventTable bare = c;
  bare.gross.clear();
  CHECK_THROWS_WITH(year_totals(bare),
                    Catch::Contains("different lengths") && Catch::Contains("gross"));
}

TEST_CASE("simulate_organisation refuses incident models that do not match the types",
          "[incident]") {
  std::vector<AttackType> types;
  types.emplace_back("ransomware", std::make_shared<Poisson>(0.3),
                     std::make_shared<Lognormal>(16.0, 1.0));
  const Model model(types);
  SimulationOptions o;
  o.years = 10;
  CHECK_THROWS_WITH(simulate_organisation(model, {}, o), Catch::Contains("0 given for 1"));
  CHECK_THROWS_WITH(
      simulate_organisation(model, {IncidentModel(ransomware(true), org_factors())}, o),
      Catch::Contains("is 'ransomware'"));
}

TEST_CASE("batch prices events from the uniforms at (seed, stream, year, draw)", "[incident]") {
  // 1100 events: three chunks of the batch, with branches, records and a card-suspension law;
  // then a type whose records are never exposed (draw skips its records draws).
  IncidentFactors f = org_factors();
  f.records_held = 5000.0;
  f.major_probability = 0.5;
  IncidentType no_records = branched(true);
  no_records.exposure_probability = 0.0;
  no_records.gift_probability = 0.0;
  const IncidentModel model =
      GENERATE_COPY(IncidentModel(branched(true), f), IncidentModel(no_records, f));
  const std::size_t n = 1100;
  const std::uint32_t seed = 23, index = 4;
  std::vector<std::int64_t> year(n);
  std::vector<std::int32_t> k(n);
  std::vector<double> loss(n), u_down(n), u_eff(n), u_comp(n * component_draws_per_event),
      u_branch(n * branch_draws_per_event);
  for (std::size_t i = 0; i < n; ++i) {
    year[i] = static_cast<std::int64_t>(i / 3 + (i % 7) * 100000);
    k[i] = static_cast<std::int32_t>(i % 3 + (i % 11 == 0 ? 4000 : 0));
    loss[i] = 1e6 * static_cast<double>(1 + i % 13);
    const auto y = static_cast<std::uint64_t>(year[i]), d = static_cast<std::uint64_t>(k[i]);
    u_down[i] = uniform_at(seed, stream_id(Purpose::downtime, index), y, d);
    u_eff[i] = uniform_at(seed, stream_id(Purpose::effort, index), y, d);
    for (std::uint64_t j = 0; j < component_draws_per_event; ++j)
      u_comp[i * component_draws_per_event + j] = uniform_at(
          seed, stream_id(Purpose::components, index), y, d * component_draws_per_event + j);
    for (std::uint64_t j = 0; j < branch_draws_per_event; ++j)
      u_branch[i * branch_draws_per_event + j] =
          uniform_at(seed, stream_id(Purpose::branch, index), y, d * branch_draws_per_event + j);
  }
  Priced batched(n), expected(n);
  model.batch(seed, index, year.data(), k.data(), loss.data(), n, batched.cols);
  model.from_uniforms(loss.data(), u_down.data(), u_eff.data(), u_comp.data(), u_branch.data(), n,
                      expected.cols);
  REQUIRE(batched.buffer.data == expected.buffer.data);
}

TEST_CASE("year_totals: per-year sums and maxima in one pass, the same for any thread count",
          "[incident][totals]") {
  // 100,000 rows over about 40,000 years, several parts of whole years.
  EventTable t;
  t.first_year = 1000;
  std::int64_t y = 1000;
  for (std::size_t i = 0; i < 100000; ++i) {
    y += (i * 7919) % 5 < 2 ? 0 : 1 + static_cast<std::int64_t>(i % 3);
    t.year.push_back(y);
    t.type.push_back(0);
    t.k.push_back(0);
    t.survey_loss.push_back(0.0);
  }
  const std::size_t n = t.size();
  t.components.resize(n * n_components);
  t.downtime_days.resize(n);
  for (std::size_t i = 0; i < n * n_components; ++i)
    t.components[i] = std::ldexp(1.0 + static_cast<double>((i * 2654435761u) % 1000), -3) *
                      (i % 11 == 0 ? 1e9 : 1.0);
  for (std::size_t i = 0; i < n; ++i) t.downtime_days[i] = static_cast<double>(i % 17);
  t.gross.resize(n);  // as the pricing writes it: the components added in column order
  for (std::size_t i = 0; i < n; ++i) {
    double g = t.component(0)[i];
    for (std::size_t c = 1; c < n_components; ++c) g = g + t.component(c)[i];
    t.gross[i] = g;
  }
  const YearTotals a = year_totals(t, 1), b = year_totals(t, 2);
  REQUIRE(a.years == b.years);
  REQUIRE(a.sums == b.sums);
  REQUIRE(a.gross_max == b.gross_max);
  // Against the definition, year by year.
  std::size_t row = 0;
  for (std::size_t j = 0; j < a.size(); ++j) {
    const std::size_t start = row;
    while (row < n && t.year[row] == a.years[j] + 1000) ++row;
    REQUIRE(row > start);
    std::vector<double> gross(row - start);
    for (std::size_t i = start; i < row; ++i) {
      double g = t.component(0)[i];
      for (std::size_t c = 1; c < n_components; ++c) g = g + t.component(c)[i];
      gross[i - start] = g;
    }
    auto first_plus_rest = [&](const double* x) {
      return row - start == 1 ? x[0] : x[0] + stats::pairwise_sum(x + 1, row - start - 1);
    };
    for (std::size_t c = 0; c < n_components; ++c)
      REQUIRE(a.sum(c)[j] == first_plus_rest(t.component(c) + start));
    REQUIRE(a.sum(YearTotals::gross)[j] == first_plus_rest(gross.data()));
    REQUIRE(a.sum(YearTotals::downtime_days)[j] == first_plus_rest(t.downtime_days.data() + start));
    REQUIRE(a.gross_max[j] == *std::max_element(gross.begin(), gross.end()));
  }
  REQUIRE(row == n);
  // Without the components: the same years, gross and downtime sums and maxima, bit for bit.
  for (int threads : {1, 2}) {
    const YearTotals g = year_totals(t, threads, false);
    REQUIRE(g.rows() == 2);
    REQUIRE(g.sums.size() == 2 * g.size());
    REQUIRE(g.years == a.years);
    REQUIRE(g.gross_max == a.gross_max);
    for (std::size_t c : {YearTotals::gross, YearTotals::downtime_days})
      REQUIRE(std::equal(g.sum(c), g.sum(c) + g.size(), a.sum(c)));
    CHECK_THROWS_WITH(g.sum(3),
                      Catch::Contains("without the components") && Catch::Contains("component 3"));
  }
  // A year's sum is its first value plus the pairwise sum of the rest, as np.add.reduceat adds
  // them: 1 + (h + h) = 1 + 2h, where left to right 1 + h + h rounds to 1 (h half an ulp of 1).
  EventTable three;
  const double h = std::ldexp(1.0, -53);
  three.year.assign(3, 0);
  three.type.assign(3, 0);
  three.k.assign(3, 0);
  three.survey_loss.assign(3, 0.0);
  three.downtime_days = {1.0, h, h};
  three.components.assign(3 * n_components, 0.0);
  three.components[0] = 1.0;
  three.components[1] = three.components[2] = h;
  three.gross = {1.0, h, h};
  const YearTotals one = year_totals(three);
  REQUIRE(one.size() == 1);
  CHECK(one.sum(0)[0] == 1.0 + 2.0 * h);
  CHECK(one.sum(YearTotals::gross)[0] == 1.0 + 2.0 * h);
  CHECK(one.sum(YearTotals::downtime_days)[0] == 1.0 + 2.0 * h);
  CHECK(one.gross_max[0] == 1.0);
  t.year[500] = t.year[499] - 1;
  CHECK_THROWS_WITH(year_totals(t),
                    Catch::Contains("ordered by year") && Catch::Contains("row 500"));
}

TEST_CASE("simulate_variants: one engine run priced for each variant as simulate_organisation",
          "[incident][determinism]") {
  const Model model = ransomware_and_card_leaks();
  // Variants that change factors, the major probability, records and (the last) the type
  // itself, so that the ransomware units are shared by some variants and not by others.
  std::vector<std::vector<IncidentModel>> variants;
  for (int v = 0; v < 5; ++v) {
    IncidentFactors f = org_factors();
    f.major_probability = v == 1 ? 0.3 : 0.5;
    f.downtime_factor = v == 2 ? 0.5 : 1.0;
    f.severity_factor[recovery] = v == 3 ? 0.7 : 1.0;
    if (v != 3) f.records_held = 5000.0 + 1000.0 * v;
    IncidentType ransom = branched(false);
    if (v == 4) ransom.dispersion = 0.8;
    variants.push_back({IncidentModel(ransom, f), IncidentModel(branched(true), f)});
  }
  SimulationOptions o;
  o.years = 30000;
  o.seed = 8;
  o.threads = 2;
  o.block_size = 4096;
  const std::vector<EventTable> shared = simulate_variants(model, variants, o);
  REQUIRE(shared.size() == variants.size());
  REQUIRE(shared[0].size() > 10000);
  for (std::size_t v = 0; v < variants.size(); ++v) {
    INFO("variant " << v);
    const EventTable alone = simulate_organisation(model, variants[v], o);
    require_same_rows(shared[v], alone);
    if (v > 0) REQUIRE(shared[v].components != shared[0].components);
  }
  CHECK_THROWS_WITH(simulate_variants(model, {}, o), Catch::Contains("no variants"));
  CHECK_THROWS_WITH(simulate_variants(model, {variants[0], {variants[0][0]}}, o),
                    Catch::Contains("1 given for 2"));
}

TEST_CASE("price_variants: engine runs of other rates and severities share each event's units",
          "[incident][determinism]") {
  const Model a = ransomware_and_card_leaks();
  // Higher ransomware and lower card-leak rates, another ransomware severity: the runs share
  // some events (year, type, k), with other survey-basis losses, and each has events of its own.
  std::vector<AttackType> types;
  types.emplace_back("ransomware", std::make_shared<Poisson>(0.5),
                     std::make_shared<Lognormal>(Lognormal::from_mean_median(6e7, 2e7)));
  types.emplace_back("web_leak_card", std::make_shared<Poisson>(0.1),
                     std::make_shared<Lognormal>(Lognormal::from_mean_median(3e7, 8e6)));
  const Model b(types);
  std::vector<std::vector<IncidentModel>> variants;
  for (int v = 0; v < 4; ++v) {
    IncidentFactors f = org_factors();
    f.major_probability = v == 2 ? 0.3 : 0.6;
    f.records_held = 4000.0 * (v + 1);
    f.downtime_factor = 1.0 - 0.2 * v;
    IncidentType ransom = branched(false);
    if (v == 3) ransom.dispersion = 0.8;
    variants.push_back({IncidentModel(ransom, f), IncidentModel(branched(true), f)});
  }
  const std::vector<std::size_t> run_of = {0, 1, 0, 1};
  const std::vector<const Model*> models = {&a, &b};
  SimulationOptions o;
  o.years = 30000;
  o.seed = 13;
  o.threads = 2;
  const EventTable run_a = engine_events(a, o), run_b = engine_events(b, o);
  REQUIRE(run_a.components.empty());
  const std::vector<EventTable> priced = price_variants({&run_a, &run_b}, run_of, variants, 2);
  REQUIRE(priced.size() == variants.size());
  for (std::size_t v = 0; v < variants.size(); ++v) {
    INFO("variant " << v);
    const EventTable alone = simulate_organisation(*models[run_of[v]], variants[v], o);
    REQUIRE(priced[v].size() > 5000);
    require_same_rows(priced[v], alone);
  }
  CHECK_THROWS_WITH(price_variants({&run_a}, {1}, {variants[0]}), Catch::Contains("of 1"));
  CHECK_THROWS_WITH(price_variants({}, {}, {}), Catch::Contains("no event tables"));
  SimulationOptions shorter = o;
  shorter.years = 100;
  const EventTable few = engine_events(a, shorter);
  CHECK_THROWS_WITH(price_variants({&run_a, &few}, {0, 1}, {variants[0], variants[1]}),
                    Catch::Contains("event table 1"));
}
