#include <tbb/task_arena.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <vector>

#include "cyberloss/distributions.hpp"
#include "cyberloss/pricing.hpp"
#include "cyberloss/random.hpp"
#include "cyberloss/retention.hpp"
#include "cyberloss/stats.hpp"
#include "cyberloss/terms.hpp"

using namespace cyberloss;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// An event table held in vectors: lognormal liability losses, several events per year.
struct Events {
  std::vector<std::int64_t> year;
  std::vector<double> downtime;
  std::vector<std::vector<double>> comp = std::vector<std::vector<double>>(n_components);
  EventColumns columns() const {
    EventColumns e;
    e.n = year.size();
    e.year = year.data();
    e.downtime_days = downtime.data();
    for (std::size_t c = 0; c < n_components; ++c) e.component[c] = comp[c].data();
    return e;
  }
};

Events lognormal_events(std::size_t n_years, const Lognormal& sev, std::uint32_t seed) {
  Events ev;
  std::vector<double> u(1);
  for (std::uint64_t y = 0; y < n_years; ++y) {
    const int count = static_cast<int>(uniform_at(seed, 1, y, 0) * 4.0);  // 0..3 events
    for (int k = 0; k < count; ++k) {
      ev.year.push_back(static_cast<std::int64_t>(y));
      ev.downtime.push_back(uniform_at(seed, 2, y, static_cast<std::uint64_t>(k)) * 30.0);
      const double x = sev.quantile(uniform_at(seed, 3, y, static_cast<std::uint64_t>(k)));
      for (std::size_t c = 0; c < n_components; ++c)
        ev.comp[c].push_back(c == liability ? x : 0.1 * x * double(c + 1) / 10.0);
    }
  }
  return ev;
}

CoverageTerms all_sections(double deductible, double aggregate, double limit = inf) {
  std::array<SectionTerms, n_covered_sections> s;
  for (auto& t : s) {
    t.covered = true;
    t.limit = limit;
  }
  return CoverageTerms(s, deductible, aggregate);
}

CoverageTerms liability_only(double deductible, double limit) {
  std::array<SectionTerms, n_covered_sections> s;
  s[1].covered = true;
  s[1].limit = limit;
  return CoverageTerms(s, deductible);
}

}  // namespace

TEST_CASE("a per-occurrence layer's expected loss equals Lognormal::lev(d + L) - lev(d)",
          "[terms]") {
  const Lognormal sev(std::log(2e6), 1.5);
  const Events ev = lognormal_events(200000, sev, 3);
  const double d = 1e6, L = 5e6;
  const InsuredResult r(liability_only(d, L), ev.columns(), 200000);
  const auto& paid = r.event(View::insured);
  const double mean = std::accumulate(paid.begin(), paid.end(), 0.0) / double(paid.size());
  double ss = 0.0;
  for (double x : paid) ss += (x - mean) * (x - mean);
  const double se = std::sqrt(ss / double(paid.size() - 1) / double(paid.size()));
  CHECK(std::fabs(mean - (sev.lev(d + L) - sev.lev(d))) < 4.0 * se);
}

TEST_CASE("insured <= gross, retained >= 0, and the aggregate limit is never exceeded", "[terms]") {
  const Events ev = lognormal_events(20000, Lognormal(std::log(5e6), 1.2), 5);
  for (double agg : {1e6, 1e7, inf}) {
    const InsuredResult r(all_sections(2e5, agg, 8e6), ev.columns(), 20000);
    for (std::size_t i = 0; i < r.n_events(); ++i) {
      REQUIRE(r.event(View::insured)[i] <= r.event(View::gross)[i]);
      REQUIRE(r.event(View::retained)[i] >= 0.0);
    }
    // The year's payments, summed in event order, reach the limit up to rounding (an ulp).
    for (double x : r.annual(View::insured)) REQUIRE(x <= agg * (1.0 + 1e-15));
    for (double x : r.annual(View::retained)) REQUIRE(x >= 0.0);
  }
}

TEST_CASE("a higher deductible never raises, a higher limit never lowers the insured loss",
          "[terms]") {
  const Events ev = lognormal_events(5000, Lognormal(std::log(3e6), 1.4), 7);
  const std::vector<double> deductibles = {0, 1e5, 5e5, 1e6, 3e6, 1e7};
  const std::vector<double> limits = {1e6, 5e6, 2e7, 1e8, inf};
  for (double agg : {5e6, inf}) {
    std::vector<Buffer<double>> annual;
    for (double d : deductibles)
      for (double l : limits) {
        const InsuredResult r(all_sections(d, agg, l), ev.columns(), 5000);
        annual.push_back(r.annual(View::insured));
      }
    for (std::size_t a = 0; a < deductibles.size(); ++a)
      for (std::size_t b = 0; b < limits.size(); ++b)
        for (std::size_t y = 0; y < annual[0].size(); ++y) {
          const double x = annual[a * limits.size() + b][y];
          if (a + 1 < deductibles.size())
            REQUIRE(annual[(a + 1) * limits.size() + b][y] <= x + 1e-9 * x);
          if (b + 1 < limits.size()) REQUIRE(annual[a * limits.size() + b + 1][y] >= x - 1e-9 * x);
        }
  }
}

TEST_CASE("sublimits and BI periods: worked example", "[terms]") {
  Events ev;
  ev.year = {0, 0, 1};
  ev.downtime = {10.0, 0.0, 100.0};
  for (auto& c : ev.comp) c = {0.0, 0.0, 0.0};
  ev.comp[investigation] = {8e6, 1e6, 0.0};
  ev.comp[lost_profit] = {1e6, 5e5, 1e7};
  ev.comp[internal_effort] = {3e5, 0.0, 0.0};
  std::array<SectionTerms, n_covered_sections> s;
  s[0].covered = true;
  s[0].sublimits[investigation] = 5e6;
  s[2].covered = true;
  s[2].waiting_period_days = 2.0;
  s[2].indemnity_period_days = 60.0;
  s[2].coinsurance = 0.5;
  const InsuredResult r(CoverageTerms(s, 1e6, 4e6), ev.columns(), 2);
  // event 0: response 5e6 (sublimit), BI 1e6 * 8/10 = 8e5; total 5.8e6, after deductible
  // 4.8e6 shared: response 5e6 * 48/58, BI 8e5 * 48/58 * 0.5; aggregate 4e6 caps the year.
  const auto& by = r.insured_events().by_section;
  const double share = 4.8e6 / 5.8e6;
  const double paid0 = 5e6 * share + 8e5 * share * 0.5;
  CHECK(r.event(View::insured)[0] == Approx(std::min(paid0, 4e6)).epsilon(1e-14));
  CHECK(by[0][0] / by[2][0] == Approx((5e6 * share) / (8e5 * share * 0.5)).epsilon(1e-12));
  // event 1: zero downtime with a waiting period: no BI paid; response 1e6 - 1e6 = 0.
  CHECK(r.event(View::insured)[1] == 0.0);
  // event 2: BI 1e7 * (60 - 2) / 100, less the deductible, half of it.
  CHECK(r.event(View::insured)[2] == Approx((1e7 * 0.58 - 1e6) * 0.5).epsilon(1e-14));
  CHECK(r.section_losses().gross[3][0] == 3e5);
}

TEST_CASE("terms refuse bad values, naming them", "[terms]") {
  std::array<SectionTerms, n_covered_sections> s;
  s[0].covered = true;
  s[0].coinsurance = 0.0;
  CHECK_THROWS_WITH(CoverageTerms(s), Catch::Contains("sections.response.coinsurance"));
  s[0].coinsurance = 1.0;
  s[0].sublimits[lost_profit] = 1e6;
  CHECK_THROWS_WITH(CoverageTerms(s), Catch::Contains("lost_profit is not paid"));
  s[0].sublimits[lost_profit] = inf;
  s[1].waiting_period_days = 1.0;
  CHECK_THROWS_WITH(CoverageTerms(s), Catch::Contains("business_interruption only"));
  s[1].waiting_period_days = 0.0;
  CHECK_THROWS_WITH(CoverageTerms(s, std::nan("")), Catch::Contains("deductible"));
  CHECK_THROWS_WITH(CoverageTerms(s, 0.0, 0.0), Catch::Contains("aggregate_limit"));
  Events ev;
  ev.year = {1, 0};
  ev.downtime = {0, 0};
  for (auto& c : ev.comp) c = {1.0, 1.0};
  CHECK_THROWS_WITH(InsuredResult(CoverageTerms(s), ev.columns(), 2),
                    Catch::Contains("occurrence order"));
}

TEST_CASE("VaR and TVaR with ties and implicit zeros equal the dense computation", "[stats]") {
  for (std::size_t n : {1u, 7u, 100u, 1000u}) {
    for (std::size_t m : {std::size_t{0}, std::size_t{1}, n / 3, n}) {
      std::vector<double> dense(n, 0.0), stored;
      for (std::size_t i = 0; i < m; ++i) {
        const double v = std::floor(uniform_at(1, 9, n, i) * 4.0) + 1.0;  // ties among 1..4
        dense[i * (n / std::max<std::size_t>(m, 1)) % n] = v;
      }
      for (double v : dense)
        if (v != 0.0) stored.push_back(v);
      const auto sparse = stats::LossSample::sparse(n, stored.data(), stored.size());
      const auto full = stats::LossSample::dense(dense.data(), n);
      for (double p : {0.01, 0.3, 0.5, 0.9, 0.95, 0.99, 0.999}) {
        REQUIRE(sparse.var(p) == stats::var(dense.data(), n, p));
        REQUIRE(full.var(p) == stats::var(dense.data(), n, p));
        REQUIRE(sparse.tvar(p) == Approx(stats::tvar(dense.data(), n, p)).epsilon(1e-14));
        REQUIRE(full.tvar(p) == stats::tvar(dense.data(), n, p));
        REQUIRE(sparse.tail(p).var_se == full.tail(p).var_se);
        REQUIRE(sparse.tail(p).tvar_se ==
                Approx(full.tail(p).tvar_se).epsilon(1e-12).margin(1e-15));
      }
      REQUIRE(sparse.mean() == Approx(full.mean()).epsilon(1e-14));
      REQUIRE(sparse.std_dev() == Approx(full.std_dev()).epsilon(1e-12).margin(1e-15));
    }
  }
}

TEST_CASE("a dense sample sorts only what its levels need", "[stats]") {
  std::vector<double> x(100000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = uniform_at(2, 1, i, 0);
  const auto s = stats::LossSample::dense(x.data(), x.size(), 0.99);
  CHECK(s.sorted_upper().size() < 2000);
  CHECK(s.var(0.995) == stats::var(x.data(), x.size(), 0.995));
  CHECK(s.tvar(0.99) == stats::tvar(x.data(), x.size(), 0.99));
  CHECK(s.tail(0.99).var_se == Approx(stats::var_se(x.data(), x.size(), 0.99)).epsilon(1e-15));
  CHECK_THROWS_AS(s.var(0.5), std::out_of_range);
}

TEST_CASE("premium principles: closed forms on a small sample", "[pricing]") {
  // 200 years: 195 zeros and 5 losses, two of them tied.
  std::vector<std::int64_t> years = {3, 50, 51, 120, 199};
  std::vector<double> values = {10.0, 40.0, 40.0, 5.0, 100.0};
  const SparseYears x{200, years.data(), values.data(), values.size()};
  const double mean = 195.0 / 200.0;
  const Loads none(0.0, 0.0, 0.0);
  CHECK(premium(Principle::expected_value(0.3), none, x).risk_premium ==
        Approx(1.3 * mean).epsilon(1e-15));
  // TVaR 99%: n p = 198, the top two years (100 and one 40) at weight 1/2 each.
  const double tvar = 0.5 * (100.0 + 40.0);
  const auto tv = stats::LossSample::sparse(200, values.data(), values.size()).tvar(0.99);
  CHECK(tv == Approx(tvar).epsilon(1e-14));
  CHECK(premium(Principle::tvar_cost_of_capital(0.99, 0.1), none, x).risk_premium ==
        Approx(mean + 0.1 * (tvar - mean)).epsilon(1e-14));
  // Wang with lambda = 0 is the mean.
  CHECK(premium(Principle::wang(0.0), none, x).risk_premium == Approx(mean).epsilon(1e-14));
  CHECK(premium(Principle::wang(0.25), none, x).risk_premium > mean);
  // Loads gross up.
  const Loads loads(0.3, 0.05, 100.0);
  const auto p = premium(Principle::expected_value(0.0), loads, x);
  CHECK(p.technical_premium == Approx((mean + 100.0) / 0.65).epsilon(1e-14));
  // The section split adds up to the total for every principle.
  std::vector<double> a = {4.0, 40.0, 10.0, 5.0, 60.0}, b(5);
  for (std::size_t i = 0; i < 5; ++i) b[i] = values[i] - a[i];
  for (const auto& pr : {Principle::expected_value(), Principle::standard_deviation(),
                         Principle::tvar_cost_of_capital(), Principle::wang()}) {
    const auto q = premium(pr, loads, x, {a.data(), b.data()});
    CHECK(q.by_section[0].risk_premium + q.by_section[1].risk_premium ==
          Approx(q.risk_premium).epsilon(1e-13));
    CHECK(q.by_section[0].technical_premium + q.by_section[1].technical_premium ==
          Approx(q.technical_premium).epsilon(1e-13));
  }
  CHECK_THROWS_WITH(
      premium(Principle::expected_value(), none, SparseYears{50, nullptr, nullptr, 0}),
      Catch::Contains("at least 100"));
}

TEST_CASE("the retention grid: every cell as apply_terms gives it, no insurance last",
          "[retention]") {
  const Events ev = lognormal_events(20000, Lognormal(std::log(2e6), 1.5), 11);
  const CoverageTerms base = all_sections(1e5, 5e7, 3e7);
  const std::vector<double> deductibles = {1e6, 0.0, 1e5}, limits = {1e7, 5e7};
  const Loads loads;
  const Principle principle = Principle::expected_value(0.3);
  const RetentionGrid g =
      retention_grid(base, ev.columns(), 20000, deductibles, limits, principle, loads, 0.1, 0.99);
  REQUIRE(g.cells.size() == 7);
  CHECK(g.cells[0].deductible == 0.0);
  CHECK(g.cells[1].limit == 5e7);
  CHECK_FALSE(g.cells.back().insured);
  std::size_t c = 0;
  for (double d : {0.0, 1e5, 1e6})
    for (double l : limits) {
      const InsuredResult r(base.with_retention(d, l), ev.columns(), 20000);
      const auto& ins = r.annual(View::insured);
      const auto prem =
          premium(principle, loads, SparseYears{20000, r.years().data(), ins.data(), ins.size()});
      CHECK(g.cells[c].premium == Approx(prem.technical_premium).epsilon(1e-15));
      CHECK(g.cells[c].retained_el == Approx(r.sample(View::retained).mean()).epsilon(1e-15));
      CHECK(g.cells[c].retained_tvar == Approx(r.sample(View::retained).tvar(0.99)).epsilon(1e-13));
      ++c;
    }
  CHECK(g.cells[g.recommended].efficient);
  for (const auto& cell : g.cells) CHECK(cell.total_cost >= g.cells[g.recommended].total_cost);
  const RetentionGrid capped = retention_grid(base, ev.columns(), 20000, deductibles, limits,
                                              principle, loads, 0.1, 0.99, 0.0);
  CHECK_FALSE(capped.cells[capped.recommended].insured);
}

TEST_CASE("the retention grid under rank-weighted principles, over several groups of years",
          "[retention]") {
  // ~12,600 years with incidents: four groups of the grid's first pass, limits that bind in
  // some years of each; the premiums weigh the insured years by rank, so every year's insured
  // amount must be the option's.
  const Events ev = lognormal_events(20000, Lognormal(std::log(2e6), 1.5), 23);
  const CoverageTerms base = all_sections(1e5, 5e7, 3e7);
  const std::vector<double> deductibles = {0.0, 3e5, 1e6}, limits = {5e6, 2e7, 1e9};
  const Loads loads(0.25, 0.05, 0.0);
  for (const Principle& principle : {Principle::wang(0.25), Principle::tvar_cost_of_capital(),
                                     Principle::standard_deviation()}) {
    const RetentionGrid g =
        retention_grid(base, ev.columns(), 20000, deductibles, limits, principle, loads, 0.1, 0.99);
    std::size_t c = 0;
    for (double d : deductibles)
      for (double l : limits) {
        const InsuredResult r(base.with_retention(d, l), ev.columns(), 20000);
        const auto& ins = r.annual(View::insured);
        const auto prem =
            premium(principle, loads, SparseYears{20000, r.years().data(), ins.data(), ins.size()});
        CHECK(g.cells[c].premium == prem.technical_premium);
        CHECK(g.cells[c].insured_el == prem.expected_loss);
        CHECK(g.cells[c].retained_el == Approx(r.sample(View::retained).mean()).epsilon(1e-15));
        CHECK(g.cells[c].retained_tvar ==
              Approx(r.sample(View::retained).tvar(0.99)).epsilon(1e-13));
        ++c;
      }
  }
}

TEST_CASE("the retention grid with tied retained losses at its VaR floor", "[retention]") {
  // Amounts on a coarse grid, so that many years share the retained loss at each deductible's
  // VaR (the tail candidates' floor) and limits bind in some of them.
  Events ev = lognormal_events(20000, Lognormal(std::log(2e6), 1.2), 17);
  for (auto& column : ev.comp)
    for (double& x : column) x = std::round(x / 5e5) * 5e5;
  const CoverageTerms base = all_sections(0.0, inf);
  const std::vector<double> deductibles = {0.0, 5e5, 1e6}, limits = {1e6, 2e6, 4e6, 1e8};
  const Loads loads;
  const Principle principle = Principle::expected_value(0.3);
  for (double level : {0.9, 0.99, 0.999}) {
    const RetentionGrid g = retention_grid(base, ev.columns(), 20000, deductibles, limits,
                                           principle, loads, 0.1, level);
    std::size_t c = 0;
    for (double d : deductibles)
      for (double l : limits) {
        INFO("level " << level << ", deductible " << d << ", limit " << l);
        const InsuredResult r(base.with_retention(d, l), ev.columns(), 20000);
        CHECK(g.cells[c].retained_el == Approx(r.sample(View::retained).mean()).epsilon(1e-15));
        CHECK(g.cells[c].retained_tvar ==
              Approx(r.sample(View::retained).tvar(level)).epsilon(1e-13));
        ++c;
      }
  }
}

TEST_CASE("applying terms gives the same bits on one thread and on several", "[terms]") {
  // 120,000 years of 0-3 events: several tasks of the per-event and per-year passes, with
  // years that straddle the tasks' first guesses at their bounds.
  const Events ev = lognormal_events(120000, Lognormal(std::log(3e6), 1.4), 11);
  for (double agg : {4e6, inf}) {
    const CoverageTerms terms = all_sections(2e5, agg, 5e6);
    auto run = [&](int threads) {
      tbb::task_arena arena(threads);
      return arena.execute(
          [&] { return std::make_unique<InsuredResult>(terms, ev.columns(), 120000); });
    };
    const auto one = run(1), two = run(2);
    for (View v : {View::gross, View::insured, View::retained}) {
      REQUIRE(one->event(v) == two->event(v));
      REQUIRE(one->annual(v) == two->annual(v));
      REQUIRE(one->occurrence_max(v) == two->occurrence_max(v));
    }
    for (View v : {View::gross, View::insured, View::retained}) {
      const auto a = one->annual_by_section(v), b = two->annual_by_section(v);
      const auto& start = one->year_start();
      for (std::size_t s = 0; s < n_sections; ++s) {
        REQUIRE(a[s] == b[s]);
        // Each year's events in order from 0: gross, insured (0 for the uninsured section).
        for (std::size_t y = 0; y + 1 < start.size(); ++y) {
          double gross = 0.0, insured = 0.0;
          for (std::size_t i = start[y]; i < start[y + 1]; ++i) {
            gross += one->section_losses().gross[s][i];
            if (s < n_covered_sections) insured += one->insured_events().by_section[s][i];
          }
          const double expected = v == View::gross     ? gross
                                  : v == View::insured ? insured
                                                       : gross - insured;
          REQUIRE(a[s][y] == expected);
        }
      }
    }
    for (std::size_t s = 0; s < n_covered_sections; ++s)
      REQUIRE(one->insured_events().by_section[s] == two->insured_events().by_section[s]);
  }
}

TEST_CASE("an event at or under the deductible is paid +0.0, as the full payment gives it",
          "[terms][retention]") {
  Events ev = lognormal_events(2000, Lognormal(std::log(2e5), 1.5), 5);
  ev.comp[liability][0] = -0.0;  // a stored -0 must not leave a -0 payment
  const CoverageTerms terms = all_sections(0.0, inf, 3e6);
  const SectionLosses losses = section_losses(terms, ev.columns());
  const OccurrencePayment any(terms, 0.0);
  std::vector<double> deductibles = {0.0, 1e5, 1e6, 1e8};
  for (std::size_t i : {0, 7, 99}) deductibles.push_back(any.covered_total(losses, i));
  auto bits = [](double x) {
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
  };
  const std::size_t n = losses.n;
  std::vector<double> total(n), paid(n);
  std::size_t unpaid = 0;
  for (double d : deductibles) {
    const OccurrencePayment pay(terms, d);
    pay.covered_totals(losses, 0, n, total.data());
    pay.pay_range(losses, total.data(), 0, n, paid.data());  // no branch on the deductible
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE(bits(paid[i]) == bits(pay(losses, i)));
      if (total[i] <= d) {
        REQUIRE(bits(paid[i]) == bits(0.0));
        ++unpaid;
      }
    }
  }
  CHECK(unpaid > n);  // events at or under a deductible, at exactly d included
}

namespace {

// The per-event rules of section_losses and insure, written out event by event (the order
// terms.hpp gives): the oracle for the column-by-column passes.
SectionLosses section_losses_by_event(const CoverageTerms& terms, const EventColumns& ev) {
  SectionLosses out;
  out.n = ev.n;
  for (auto& g : out.gross) g.resize(ev.n);
  for (auto& g : out.covered) g.resize(ev.n);
  out.gross_total.resize(ev.n);
  const SectionTerms& bi = terms.section(2);
  for (std::size_t i = 0; i < ev.n; ++i) {
    std::array<double, n_sections> gross{};
    std::array<double, n_covered_sections> paid{};
    for (std::size_t c = 0; c < n_components; ++c) {
      std::size_t s = 0;
      while (!terms.pays(s, c)) ++s;
      const double amount = ev.component[c][i];
      gross[s] += amount;
      if (s == n_covered_sections || !terms.section(s).covered) continue;
      double x = Layer(0.0, terms.section(s).sublimits[c])(amount);
      if (c == lost_profit) {
        const double d = ev.downtime_days[i];
        const double days =
            std::max(std::min(d, bi.indemnity_period_days) - bi.waiting_period_days, 0.0);
        x *= d > 0.0 ? days / d : (bi.waiting_period_days == 0.0 ? 1.0 : 0.0);
      }
      paid[s] += x;
    }
    double total = 0.0;
    for (std::size_t s = 0; s < n_sections; ++s) {
      out.gross[s][i] = gross[s];
      total += gross[s];
    }
    out.gross_total[i] = total;
    for (std::size_t s = 0; s < n_covered_sections; ++s) out.covered[s][i] = paid[s];
  }
  return out;
}

std::uint64_t bits_of(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

template <class A, class B>
void require_same_bits(const A& a, const B& b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) REQUIRE(bits_of(a[i]) == bits_of(b[i]));
}

}  // namespace

TEST_CASE(
    "sections, payments and the aggregate limit, column by column: the bits of the "
    "event-by-event rules",
    "[terms]") {
  // ~30,000 events: several tasks and cache chunks; -0 amounts, events without downtime,
  // sublimits, BI periods, coinsurance, section limits, a deductible and a binding aggregate.
  Events ev = lognormal_events(20000, Lognormal(std::log(3e5), 1.6), 11);
  for (std::size_t i = 0; i < ev.year.size(); i += 7) ev.comp[i % n_components][i] = -0.0;
  for (std::size_t i = 0; i < ev.year.size(); i += 5) ev.downtime[i] = 0.0;
  std::array<SectionTerms, n_covered_sections> s;
  for (auto& t : s) t.covered = true;
  s[0].sublimits[investigation] = 2e4;
  s[0].coinsurance = 0.8;
  s[1].limit = 2e6;
  s[2].waiting_period_days = 0.5;
  s[2].indemnity_period_days = 12.0;
  for (bool bi_waits : {true, false}) {
    auto t = s;
    if (!bi_waits) t[2].waiting_period_days = 0.0;
    for (double aggregate : {inf, 1.5e6}) {
      const CoverageTerms terms(t, 5e4, aggregate);
      const SectionLosses losses = section_losses(terms, ev.columns());
      const SectionLosses expected = section_losses_by_event(terms, ev.columns());
      const std::size_t n = losses.n;
      require_same_bits(losses.gross_total, expected.gross_total, n);
      for (std::size_t k = 0; k < n_sections; ++k)
        require_same_bits(losses.gross[k], expected.gross[k], n);
      for (std::size_t k = 0; k < n_covered_sections; ++k)
        require_same_bits(losses.covered[k], expected.covered[k], n);

      const OccurrencePayment pay(terms, terms.deductible());
      std::vector<double> total(n), paid(n);
      std::array<std::vector<double>, n_covered_sections> part_columns;
      std::array<double*, n_covered_sections> parts;
      for (std::size_t k = 0; k < n_covered_sections; ++k) {
        part_columns[k].resize(n);
        parts[k] = part_columns[k].data();
      }
      pay.covered_totals(losses, 0, n, total.data());
      pay.pay_range(losses, total.data(), 0, n, paid.data(), &parts);
      const InsuredEvents insured = insure(terms, losses, ev.year.data());
      AnnualCapacity capacity(aggregate);
      std::size_t binding = 0;
      for (std::size_t i = 0; i < n; ++i) {
        std::array<double, n_covered_sections> by_section{};
        const double one = pay(losses, i, by_section.data());
        REQUIRE(bits_of(total[i]) == bits_of(pay.covered_total(losses, i)));
        REQUIRE(bits_of(paid[i]) == bits_of(one));
        for (std::size_t k = 0; k < n_covered_sections; ++k)
          REQUIRE(bits_of(parts[k][i]) == bits_of(by_section[k]));
        // insure: the aggregate limit in event order, the parts scaled where it binds
        if (i == 0 || ev.year[i] != ev.year[i - 1]) capacity.new_year();
        const double limited = capacity.take(one);
        const double ratio = one > 0.0 ? limited / one : 0.0;
        binding += limited < one;
        for (std::size_t k = 0; k < n_covered_sections; ++k)
          REQUIRE(bits_of(insured.by_section[k][i]) ==
                  bits_of(std::isinf(aggregate) ? by_section[k] : by_section[k] * ratio));
        REQUIRE(bits_of(insured.total[i]) ==
                bits_of(std::min(std::isinf(aggregate) ? one : limited, losses.gross_total[i])));
      }
      CHECK((binding > 0) == std::isfinite(aggregate));  // the aggregate limit was exercised
      // Without an aggregate limit the years are not read (a portfolio's covered loss passes
      // none); with one they are required.
      if (std::isinf(aggregate)) {
        const InsuredEvents alone = insure(terms, losses, nullptr);
        require_same_bits(alone.total, insured.total, n);
        for (std::size_t k = 0; k < n_covered_sections; ++k)
          require_same_bits(alone.by_section[k], insured.by_section[k], n);
      } else {
        REQUIRE_THROWS_WITH(insure(terms, losses, nullptr), Catch::Contains("each event's year"));
      }
    }
  }
}

TEST_CASE("an amount out of range is named after the column-by-column pass", "[terms]") {
  Events ev = lognormal_events(5000, Lognormal(std::log(3e5), 1.6), 3);
  const CoverageTerms terms = all_sections(0.0, inf);
  const std::size_t n = ev.year.size();
  ev.comp[legal][n - 2] = -1.0;  // the later row of the earlier column is named first
  ev.comp[recovery][n - 1] = std::numeric_limits<double>::quiet_NaN();
  REQUIRE_THROWS_WITH(section_losses(terms, ev.columns()),
                      Catch::Contains("events.recovery must be finite and >= 0, got nan at row " +
                                      std::to_string(n - 1)));
  ev.comp[recovery][n - 1] = 1.0;
  ev.downtime[3] = inf;
  REQUIRE_THROWS_WITH(section_losses(terms, ev.columns()),
                      Catch::Contains("events.legal must be finite and >= 0, got -1 at row " +
                                      std::to_string(n - 2)));
  ev.comp[legal][n - 2] = 1.0;
  REQUIRE_THROWS_WITH(section_losses(terms, ev.columns()),
                      Catch::Contains("events.downtime_days must be finite and >= 0, got inf"));
}
