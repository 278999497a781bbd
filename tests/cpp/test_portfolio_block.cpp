#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "cyberloss/engine.hpp"
#include "cyberloss/portfolio.hpp"

using namespace cyberloss;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// Three attack types, six policies of different rates; policy 5 is never hit by type 2.
PortfolioFrequency book(double variance = 0.0) {
  return PortfolioFrequency({{0.2, 0.1, 0.3, 0.05, 0.4, 0.2},
                             {0.1, 0.1, 0.1, 0.1, 0.1, 0.1},
                             {0.05, 0.2, 0.1, 0.3, 0.1, 0.0}},
                            {variance, 0.0, variance / 2});
}

SurveyPortfolioLoss survey_loss(std::vector<double> factor = std::vector<double>(6, 1.0)) {
  return SurveyPortfolioLoss(
      {std::make_shared<Lognormal>(10.0, 1.2), std::make_shared<Lognormal>(9.0, 2.0),
       std::make_shared<Lognormal>(11.0, 0.8)},
      std::move(factor));
}

std::vector<PolicyTerms> terms_of(double d, double occ, double agg, std::size_t n = 6) {
  return policy_terms(std::vector<double>(n, d), std::vector<double>(n, occ),
                      std::vector<double>(n, agg));
}

ReinsuranceProgramme all_four() {
  return ReinsuranceProgramme(ExcessOfLoss(2e4, 8e4, 2u, 1e3), ExcessOfLoss(1e5, 3e5, 1u, 5e3),
                              QuotaShare(0.25), stop_loss_layer(4e5, 1e6));
}

void require_same(const PortfolioBlock& a, const PortfolioBlock& b) {
  REQUIRE(a.rows.size() == b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    REQUIRE(a.rows[i].gross == b.rows[i].gross);
    REQUIRE(a.rows[i].ceded == b.rows[i].ceded);
    REQUIRE(a.rows[i].net == b.rows[i].net);
    REQUIRE(a.rows[i].reinstatement_premium == b.rows[i].reinstatement_premium);
  }
  REQUIRE(a.ground_up == b.ground_up);
  REQUIRE(a.events == b.events);
  REQUIRE(a.theta == b.theta);
  REQUIRE(a.counts == b.counts);
  REQUIRE(a.policy_sum == b.policy_sum);
  REQUIRE(a.policy_sumsq == b.policy_sumsq);
  REQUIRE(a.policy_events == b.policy_events);
  REQUIRE(a.tracked_sum == b.tracked_sum);
  REQUIRE(a.tracked_cross == b.tracked_cross);
}

}  // namespace

TEST_CASE("the survey loss is the severity quantile of u times the policy's factor", "[block]") {
  const auto f = book();
  const std::vector<double> factor{1.0, 0.5, 2.0, 1.0, 3.0, 0.25};
  const auto loss = survey_loss(factor);
  const auto ev = portfolio_events(f, 3, 0, 3000);
  std::vector<double> out(ev.u.size());
  loss.losses(ev, 3, out.data());
  const std::vector<Lognormal> sev{Lognormal(10.0, 1.2), Lognormal(9.0, 2.0), Lognormal(11.0, 0.8)};
  REQUIRE(ev.u.size() > 1000);
  for (std::size_t e = 0; e < out.size(); ++e) {
    double q = 0.0;
    sev[static_cast<std::size_t>(ev.type[e])].quantile_batch(&ev.u[e], &q, 1);
    REQUIRE(out[e] == q * factor[static_cast<std::size_t>(ev.policy[e])]);
  }
  std::vector<double> fixed(ev.u.size());
  FixedPortfolioLoss(7.5).losses(ev, 3, fixed.data());
  for (double x : fixed) REQUIRE(x == 7.5);
}

TEST_CASE("a block does not depend on threads, and its years not on the split into blocks",
          "[block]") {
  const auto f = book(0.8);
  const auto loss = survey_loss();
  const auto terms = terms_of(1e4, 2e5, 3e5);
  const auto prog = all_four();
  const std::vector<std::uint32_t> tracked{4, 0, 2};
  const auto one = portfolio_block(f, loss, terms, prog, 9, 0, 3000, tracked, 1);
  const auto two = portfolio_block(f, loss, terms, prog, 9, 0, 3000, tracked, 2);
  require_same(one, two);
  const auto a = portfolio_block(f, loss, terms, prog, 9, 0, 1111, tracked, 2);
  const auto b = portfolio_block(f, loss, terms, prog, 9, 1111, 3000 - 1111, tracked, 2);
  for (std::size_t i = 0; i < 3000; ++i) {
    const auto& r = i < 1111 ? a.rows[i] : b.rows[i - 1111];
    REQUIRE(r.gross == one.rows[i].gross);
    REQUIRE(r.net == one.rows[i].net);
    REQUIRE(r.ceded_stop_loss == one.rows[i].ceded_stop_loss);
  }
  for (std::size_t p = 0; p < 6; ++p)
    REQUIRE(a.policy_events[p] + b.policy_events[p] == one.policy_events[p]);
}

TEST_CASE("the one-call block equals the block from precomputed ground-up losses", "[block]") {
  const auto f = book(0.5);
  const auto loss = survey_loss();
  const auto terms = terms_of(5e3, 1e5, 2e5);
  const auto prog = all_four();
  const auto whole = portfolio_block(f, loss, terms, prog, 4, 500, 2000, {1, 3});
  auto ev = portfolio_events(f, 4, 500, 2000);
  std::vector<double> ground_up(ev.u.size());
  loss.losses(ev, 4, ground_up.data());
  require_same(whole, portfolio_block(ev, ground_up, terms, prog, {1, 3}));
}

TEST_CASE("block sums equal a direct computation from the events", "[block]") {
  const auto f = book(1.0);
  const auto loss = survey_loss();
  // a tight aggregate limit so that it binds often
  const auto terms = terms_of(1e4, 1e5, 1.5e5);
  const std::vector<std::uint32_t> tracked{0, 3};
  const auto blk = portfolio_block(f, loss, terms, ReinsuranceProgramme(), 5, 0, 4000, tracked);
  const auto ev = portfolio_events(f, 5, 0, 4000);
  std::vector<double> x(ev.u.size());
  loss.losses(ev, 5, x.data());
  std::vector<double> gross(4000, 0.0);
  std::map<std::pair<std::int64_t, std::int32_t>, double> annual;  // (year, policy), years in order
  for (std::size_t e = 0; e < x.size(); ++e) {
    const std::size_t p = static_cast<std::size_t>(ev.policy[e]);
    const double occ = std::min(std::max(x[e] - 1e4, 0.0), 1e5);
    double& used = annual[{ev.year[e], ev.policy[e]}];
    const double pay = std::min(occ, std::max(1.5e5 - used, 0.0));
    used += pay;
    gross[static_cast<std::size_t>(ev.year[e])] += pay;
    (void)p;
  }
  double max_annual = 0.0;
  std::vector<double> s1(6, 0.0), s2(6, 0.0), tracked_sum(2, 0.0);
  for (const auto& [key, a] : annual) {
    const auto p = static_cast<std::size_t>(key.second);
    s1[p] += a;
    s2[p] += a * a;
    max_annual = std::max(max_annual, a);
    if (p == 0) tracked_sum[0] += a;
    if (p == 3) tracked_sum[1] += a;
  }
  REQUIRE(max_annual == 1.5e5);  // the limit binds and is never exceeded
  for (std::size_t i = 0; i < 4000; ++i) {
    REQUIRE(blk.rows[i].gross == Approx(gross[i]).epsilon(1e-12));
    REQUIRE(blk.rows[i].ceded == 0.0);
  }
  for (std::size_t p = 0; p < 6; ++p) {
    REQUIRE(blk.policy_sum[p] == s1[p]);
    REQUIRE(blk.policy_sumsq[p] == s2[p]);
  }
  REQUIRE(blk.tracked_sum == tracked_sum);
  REQUIRE(blk.tracked_cross[0] == s2[0]);
  REQUIRE(blk.tracked_cross[3] == s2[3]);
  REQUIRE(blk.tracked_cross[1] == blk.tracked_cross[2]);
}

TEST_CASE("a fixed loss under an aggregate limit gives min(N x, limit) a year", "[block]") {
  // One policy, loss 100 per incident, deductible 20, occurrence limit 50: 50 an incident;
  // aggregate limit 120: 50, 50, 20, 0, ...
  const PortfolioFrequency f({{2.0}, {1.5}}, {0.0, 0.0});
  const auto blk = portfolio_block(f, FixedPortfolioLoss(100.0), terms_of(20.0, 50.0, 120.0, 1),
                                   ReinsuranceProgramme(), 2, 0, 5000);
  double n_total = 0.0;
  for (std::size_t i = 0; i < 5000; ++i) {
    const double n = static_cast<double>(blk.events[i]);
    n_total += n;
    REQUIRE(blk.ground_up[i] == 100.0 * n);
    REQUIRE(blk.rows[i].gross == std::min(50.0 * n, 120.0));
  }
  REQUIRE(blk.policy_events[0] == static_cast<std::int64_t>(n_total));
  // Poisson(3.5) a year: mean within 4 standard errors
  REQUIRE(std::abs(n_total / 5000 - 3.5) < 4 * std::sqrt(3.5 / 5000));
}

TEST_CASE("the mean insured loss matches the lognormal limited expected values", "[block]") {
  // Without shock or aggregate limit: E[annual gross] = sum_a,p rate * (LEV(d + L) - LEV(d)).
  const auto f = book(0.0);
  const auto loss = survey_loss();
  const double d = 1e4, lim = 1e5;
  const auto blk =
      portfolio_block(f, loss, terms_of(d, lim, inf), ReinsuranceProgramme(), 8, 0, 60000);
  const std::vector<Lognormal> sev{Lognormal(10.0, 1.2), Lognormal(9.0, 2.0), Lognormal(11.0, 0.8)};
  double expected = 0.0;
  for (std::size_t a = 0; a < 3; ++a)
    expected += f.total_rate(a) * (sev[a].lev(d + lim) - sev[a].lev(d));
  double s = 0.0, s2 = 0.0;
  for (const auto& r : blk.rows) {
    s += r.gross;
    s2 += r.gross * r.gross;
  }
  const double n = 60000.0, mean = s / n;
  const double se = std::sqrt((s2 / n - mean * mean) / (n - 1));
  REQUIRE(std::abs(mean - expected) < 4 * se);
}

TEST_CASE("bad block inputs are refused by name", "[block]") {
  const auto f = book();
  const auto loss = survey_loss();
  const auto terms = terms_of(0.0, inf, inf);
  const ReinsuranceProgramme none;
  CHECK_THROWS_WITH(policy_terms({0.0, -1.0}, {1.0, 1.0}, {1.0, 1.0}),
                    Catch::Contains("policy row 2 deductible") && Catch::Contains("-1"));
  CHECK_THROWS_WITH(policy_terms({0.0}, {0.0}, {1.0}), Catch::Contains("occurrence_limit"));
  CHECK_THROWS_WITH(policy_terms({0.0}, {1.0}, {std::nan("")}), Catch::Contains("aggregate_limit"));
  CHECK_THROWS_AS(policy_terms({0.0}, {1.0, 2.0}, {1.0}), std::invalid_argument);
  CHECK_THROWS_WITH(portfolio_block(f, loss, terms_of(0.0, inf, inf, 5), none, 1, 0, 10),
                    Catch::Contains("one entry per policy"));
  CHECK_THROWS_AS(portfolio_block(f, loss, terms, none, 1, 0, 10, {6}), std::out_of_range);
  CHECK_THROWS_WITH(portfolio_block(f, loss, terms, none, 1, 0, 10, {1, 1}),
                    Catch::Contains("twice"));
  CHECK_THROWS_WITH(portfolio_block(f, loss, terms, none, 1, 0, 10, {}, -1),
                    Catch::Contains("threads"));
  CHECK_THROWS_AS(portfolio_block(f, loss, terms, none, 1, 0, std::uint64_t{1} << 50),
                  memory_error);
  CHECK_THROWS_WITH(SurveyPortfolioLoss({std::make_shared<Lognormal>(0.0, 1.0)}, {1.0, -2.0}),
                    Catch::Contains("policy row 2"));
  CHECK_THROWS_WITH(FixedPortfolioLoss(-1.0), Catch::Contains("amount"));

  auto ev = portfolio_events(f, 1, 0, 200);
  REQUIRE(ev.u.size() > 3);
  std::vector<double> x(ev.u.size(), 1.0);
  x[2] = std::nan("");
  CHECK_THROWS_WITH(portfolio_block(ev, x, terms, none),
                    Catch::Contains("year " + std::to_string(ev.year[2])) &&
                        Catch::Contains("k " + std::to_string(ev.k[2])) && Catch::Contains("nan"));
  x[2] = 1.0;
  CHECK_THROWS_WITH(portfolio_block(ev, std::vector<double>(3, 1.0), terms, none),
                    Catch::Contains("one loss per event"));
  auto swapped = ev;
  std::swap(swapped.year.front(), swapped.year.back());
  CHECK_THROWS_WITH(portfolio_block(swapped, x, terms, none), Catch::Contains("ordered"));
  auto stray = ev;
  stray.policy[1] = 6;
  CHECK_THROWS_AS(portfolio_block(stray, x, terms, none), std::out_of_range);
  auto short_counts = ev;
  short_counts.counts.pop_back();
  CHECK_THROWS_AS(portfolio_block(short_counts, x, terms, none), std::invalid_argument);
  std::vector<double> out(ev.u.size());
  CHECK_THROWS_AS(
      SurveyPortfolioLoss({std::make_shared<Lognormal>(0.0, 1.0)}, std::vector<double>(6, 1.0))
          .losses(ev, 1, out.data()),
      std::out_of_range);
}

TEST_CASE("a cancelled block stops with cancelled", "[block]") {
  const std::atomic<bool> cancel{true};
  CHECK_THROWS_AS(portfolio_block(book(), survey_loss(), terms_of(0.0, inf, inf),
                                  ReinsuranceProgramme(), 1, 0, 1000, {}, 0, 100'000'000, &cancel),
                  cancelled);
}
