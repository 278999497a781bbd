#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "cyberloss/organisation_loss.hpp"
#include "cyberloss/random.hpp"
#include "cyberloss/vecmath.hpp"

using namespace cyberloss;

namespace {

IncidentType plain_type(const char* name) {
  IncidentType t;
  t.name = name;
  t.mean_shares = {0.3, 0.2, 0.1, 0.1, 0.1, 0.05, 0.1, 0.05};
  t.dispersion = 0.5;
  t.downtime = DowntimeDistribution::lognormal(10.0, 1.0);
  t.effort_median = 5.0;
  t.effort_sigma = 1.0;
  return t;
}

PortfolioEvents block(std::size_t n, std::int32_t policies) {
  PortfolioEvents ev;
  for (std::size_t i = 0; i < n; ++i) {
    ev.year.push_back(static_cast<std::int64_t>(i / 3));
    ev.type.push_back(static_cast<std::int32_t>(i % 2));
    ev.k.push_back(static_cast<std::int32_t>(i % 3));
    ev.policy.push_back(static_cast<std::int32_t>((i * 7) % static_cast<std::size_t>(policies)));
    ev.u.push_back((static_cast<double>(i) + 0.5) / static_cast<double>(n));
  }
  return ev;
}

}  // namespace

TEST_CASE("organisation portfolio loss: the survey-basis sections add up to the severity",
          "[portfolio_loss]") {
  // Without controls or records, the eight response components sum to the survey-basis loss,
  // which is the severity quantile of u times the policy's severity scale.
  const std::vector<IncidentType> types = {plain_type("a"), plain_type("b")};
  const auto sev = std::make_shared<Lognormal>(14.0, 1.2);
  std::vector<std::vector<IncidentFactors>> factors(2, std::vector<IncidentFactors>(4));
  for (std::size_t p = 0; p < 4; ++p) factors[1][p].severity_scale = 1.0 + double(p);
  const std::vector<Component> response = {investigation, recovery,   legal,     notification,
                                           callcenter,    condolence, liability, prevention};
  const OrganisationPortfolioLoss loss(types, {sev, sev}, factors, response);
  const PortfolioEvents ev = block(300, 4);
  std::vector<double> out(ev.u.size());
  loss.losses(ev, 3, out.data());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double scale = ev.type[i] == 1 ? 1.0 + double(ev.policy[i]) : 1.0;
    REQUIRE(out[i] == Approx(sev->quantile(ev.u[i]) * scale).epsilon(1e-12));
  }
}

TEST_CASE("organisation portfolio loss: each event priced as alone, however many of its type",
          "[portfolio_loss]") {
  // 7,000 events of two types (several pricing batches each), policies with their own controls
  // and records: every component and the downtime of every event, bit for bit, as its
  // organisation's IncidentModel prices it alone from the same streams.
  std::vector<IncidentType> types = {plain_type("a"), plain_type("b")};
  types[1].exposure_probability = 0.4;
  types[1].exposed_share = 0.5;
  types[1].record_driven[notification] = true;
  types[1].notification_per_record = 100.0;
  const auto sev = std::make_shared<Lognormal>(14.0, 1.2);
  const std::int32_t policies = 5;
  std::vector<std::vector<IncidentFactors>> factors(2, std::vector<IncidentFactors>(policies));
  for (std::size_t t = 0; t < 2; ++t)
    for (std::size_t p = 0; p < std::size_t(policies); ++p) {
      IncidentFactors& f = factors[t][p];
      f.severity_factor[legal] = 0.5 + 0.1 * double(p);
      f.downtime_factor = 0.8 + 0.05 * double(p + t);
      f.share_affected = 0.2 * double(p) / 4.0;
      f.daily_gross_profit = 1e5 * double(p + 1);
      f.labour_cost_month = 6e5;
      if (p % 2) f.records_held = 1000.0 * double(p);
    }
  const std::vector<Component> sections = {investigation, liability};
  const OrganisationPortfolioLoss loss(types, {sev, sev}, factors, sections);
  const PortfolioEvents ev = block(7000, policies);
  const std::size_t n = ev.u.size();
  IncidentBuffer all(n);
  loss.components(ev, 11, all.columns());
  IncidentBuffer one(1);
  for (std::size_t i = 0; i < n; ++i) {
    const auto t = static_cast<std::size_t>(ev.type[i]);
    const IncidentModel alone(types[t], factors[t][static_cast<std::size_t>(ev.policy[i])]);
    const double survey = sev->quantile(ev.u[i]);
    alone.batch(11, portfolio_severity_offset + static_cast<std::uint32_t>(t), &ev.year[i],
                &ev.k[i], &survey, 1, one.columns());
    for (std::size_t c = 0; c <= n_components; ++c) {
      INFO("event " << i << ", column " << c);
      REQUIRE(std::memcmp(&all.data[c * n + i], &one.data[c], sizeof(double)) == 0);
    }
  }
}

TEST_CASE("covered portfolio loss pays at most the covered ground-up loss", "[portfolio_loss]") {
  const std::vector<IncidentType> types = {plain_type("a"), plain_type("b")};
  const auto sev = std::make_shared<Lognormal>(14.0, 1.2);
  const std::vector<std::vector<IncidentFactors>> factors(2, std::vector<IncidentFactors>(3));
  const auto components = std::make_shared<OrganisationPortfolioLoss>(
      types, std::vector<std::shared_ptr<const Severity>>{sev, sev}, factors,
      std::vector<Component>{investigation, liability});
  std::array<SectionTerms, n_covered_sections> s;
  s[0].covered = true;
  s[0].limit = 1e6;
  s[1].covered = true;
  s[1].coinsurance = 0.5;
  const CoveredPortfolioLoss covered(components, CoverageTerms(s));
  const PortfolioEvents ev = block(200, 3);
  std::vector<double> paid(ev.u.size()), ground(ev.u.size());
  covered.losses(ev, 5, paid.data());
  for (std::size_t i = 0; i < paid.size(); ++i) {
    REQUIRE(paid[i] >= 0.0);
    REQUIRE(paid[i] <= sev->quantile(ev.u[i]) * (1.0 + 1e-12));
  }
  CHECK_THROWS_WITH(CoveredPortfolioLoss(components, CoverageTerms(s, 1.0)),
                    Catch::Contains("deductible must be 0"));
}

TEST_CASE("portfolio losses refuse inconsistent inputs, naming them", "[portfolio_loss]") {
  const std::vector<IncidentType> types = {plain_type("a"), plain_type("b")};
  const auto sev = std::make_shared<Lognormal>(14.0, 1.2);
  std::vector<std::vector<IncidentFactors>> factors(2, std::vector<IncidentFactors>(3));
  factors[1].pop_back();
  CHECK_THROWS_WITH(OrganisationPortfolioLoss(types, {sev, sev}, factors, {liability}),
                    Catch::Contains("type b has 2 policies"));
  factors[1].emplace_back();
  CHECK_THROWS_WITH(OrganisationPortfolioLoss(types, {sev, sev}, factors, {}),
                    Catch::Contains("sections"));
  CHECK_THROWS_WITH(OrganisationPortfolioLoss(types, {sev, sev}, factors, {liability, liability}),
                    Catch::Contains("twice"));
  const OrganisationPortfolioLoss loss(types, {sev, sev}, factors, {liability});
  PortfolioEvents ev = block(10, 5);  // policies 0..4 but the book has 3
  std::vector<double> out(ev.u.size());
  CHECK_THROWS_AS(loss.losses(ev, 1, out.data()), std::out_of_range);
}

TEST_CASE(
    "survey loss with a branch: major events keep the severity, contained ones their own "
    "lognormal, P(major) per policy",
    "[portfolio_loss][branch]") {
  const auto major0 = std::make_shared<Lognormal>(14.0, 1.2);
  const auto major1 = std::make_shared<Lognormal>(15.0, 1.5);
  SurveyBranch branch;
  branch.loss_median = 2e5;
  branch.loss_sigma = 0.9;
  branch.major_probability = {1.0, 0.3, 0.7, 1.0};
  const std::vector<double> factor = {1.0, 2.0, 0.5, 3.0};
  // The branch on type 1 only.
  const SurveyPortfolioLoss loss({major0, major1}, factor, {std::nullopt, branch});
  const std::size_t n = 40000;
  PortfolioEvents ev = block(n, 4);
  for (std::size_t i = 0; i < n; ++i) ev.policy[i] = static_cast<std::int32_t>((i / 2) % 4);
  std::vector<double> out(n);
  const std::uint32_t seed = 8;
  loss.losses(ev, seed, out.data());
  const std::uint32_t stream = stream_id(Purpose::branch, portfolio_severity_offset + 1);
  std::vector<double> contained_share(4, 0.0), events(4, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto p = static_cast<std::size_t>(ev.policy[i]);
    const auto year = static_cast<std::uint64_t>(ev.year[i]);
    const auto k = static_cast<std::uint64_t>(ev.k[i]);
    INFO("event " << i << ", type " << ev.type[i] << ", policy " << p);
    if (ev.type[i] == 0) {
      REQUIRE(out[i] == Approx(major0->quantile(ev.u[i]) * factor[p]).epsilon(1e-12));
      continue;
    }
    const bool major = uniform_at(seed, stream, year, 2 * k) < branch.major_probability[p];
    events[p] += 1.0;
    if (major) {
      REQUIRE(out[i] == Approx(major1->quantile(ev.u[i]) * factor[p]).epsilon(1e-12));
    } else {
      contained_share[p] += 1.0;
      const double z = vecmath::inverse_normal_cdf(uniform_at(seed, stream, year, 2 * k + 1));
      REQUIRE(
          out[i] ==
          Approx(branch.loss_median * std::exp(branch.loss_sigma * z) * factor[p]).epsilon(1e-12));
    }
  }
  for (std::size_t p = 0; p < 4; ++p) {
    const double q = 1.0 - branch.major_probability[p];
    const double share = contained_share[p] / events[p];
    CHECK(std::fabs(share - q) <= 4.0 * std::sqrt(std::max(q * (1.0 - q), 1e-300) / events[p]));
  }
}

TEST_CASE("survey loss refuses a bad branch, naming the field", "[portfolio_loss][branch]") {
  const auto sev = std::make_shared<Lognormal>(14.0, 1.2);
  const std::vector<std::shared_ptr<const Severity>> by_type = {sev, sev};
  const std::vector<double> factor = {1.0, 1.0};
  SurveyBranch ok;
  ok.loss_median = 1e5;
  ok.loss_sigma = 1.0;
  ok.major_probability = {0.5, 1.0};
  CHECK_THROWS_WITH(SurveyPortfolioLoss(by_type, factor, {ok}),
                    Catch::Contains("1 entries for 2 attack types"));
  SurveyBranch b = ok;
  b.loss_median = 0.0;
  CHECK_THROWS_WITH(SurveyPortfolioLoss(by_type, factor, {std::nullopt, b}),
                    Catch::Contains("branches[1].loss_median"));
  b = ok;
  b.loss_sigma = std::nan("");
  CHECK_THROWS_WITH(SurveyPortfolioLoss(by_type, factor, {b, std::nullopt}),
                    Catch::Contains("branches[0].loss_sigma"));
  b = ok;
  b.major_probability = {0.5};
  CHECK_THROWS_WITH(SurveyPortfolioLoss(by_type, factor, {b, std::nullopt}),
                    Catch::Contains("major_probability has 1 policies, 2 expected"));
  for (double p : {0.0, 1.5, std::nan("")}) {
    b = ok;
    b.major_probability[1] = p;
    CHECK_THROWS_WITH(SurveyPortfolioLoss(by_type, factor, {b, std::nullopt}),
                      Catch::Contains("major_probability of policy row 2"));
  }
}
