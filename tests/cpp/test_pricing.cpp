#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

#include "cyberloss/pricing.hpp"
#include "cyberloss/stats.hpp"
#include "cyberloss/vecmath.hpp"

using namespace cyberloss;

namespace {

// Positions of x in ascending order of value, ties by position (std::stable_sort).
std::vector<std::size_t> stable_sorted(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  return order;
}

// The TVaR principle's weights by their definition: every year ranked (zeros first, then the
// stored values ascending, ties by year), weight (1 - r)/n + r t(rank).
std::vector<double> tvar_weights_by_sort(double level, double rate, std::uint64_t n,
                                         const std::vector<double>& x) {
  const double nd = static_cast<double>(n);
  const auto m_rank = std::max<std::uint64_t>(static_cast<std::uint64_t>(std::ceil(nd * level)), 1);
  const std::vector<std::size_t> order = stable_sorted(x);
  std::size_t zeros_stored = 0;
  while (zeros_stored < x.size() && x[order[zeros_stored]] == 0.0) ++zeros_stored;
  const std::uint64_t zeros = n - x.size() + zeros_stored;
  std::vector<double> w(x.size(), (1.0 - rate) / nd);
  for (std::size_t k = zeros_stored; k < x.size(); ++k) {
    const std::uint64_t rank = zeros + (k - zeros_stored) + 1;
    double t = 0.0;
    if (rank > m_rank)
      t = 1.0 / (nd * (1.0 - level));
    else if (rank == m_rank)
      t = (static_cast<double>(m_rank) - nd * level) / (nd * (1.0 - level));
    w[order[k]] += rate * t;
  }
  return w;
}

}  // namespace

TEST_CASE("TVaR principle weights equal the ranked definition, ties and zeros included",
          "[pricing]") {
  // Stored years with zeros, ties at and around the VaR rank, and a level whose VaR falls
  // among the implicit zero years.
  std::vector<double> x;
  for (int i = 0; i < 300; ++i) x.push_back(static_cast<double>((i * 37) % 23));  // 0..22, ties
  std::vector<std::int64_t> years(x.size());
  std::iota(years.begin(), years.end(), std::int64_t{0});
  for (std::uint64_t n : {std::uint64_t{300}, std::uint64_t{310}, std::uint64_t{5000}})
    for (double level : {0.5, 0.9, 0.95, 0.99, 0.999})
      for (double rate : {0.0, 0.1, 0.6}) {
        const SparseYears s{n, years.data(), x.data(), x.size()};
        const auto w = principle_weights(Principle::tvar_cost_of_capital(level, rate), s);
        CHECK(w == tvar_weights_by_sort(level, rate, n, x));
      }
}

TEST_CASE(
    "sums in one pass equal separate pairwise sums; the expected value weight gives "
    "premium_point's bits",
    "[pricing]") {
  for (std::size_t m : {0u, 1u, 7u, 8u, 9u, 127u, 128u, 129u, 1000u, 4099u, 100003u}) {
    std::vector<double> x(m), y(m);
    for (std::size_t i = 0; i < m; ++i) {
      x[i] = std::exp(std::sin(double(i) * 0.37) * 9.0);  // amounts over eight decades
      y[i] = 1e6 / (1.0 + double(i % 97));
    }
    const auto sums = stats::pairwise_sums_of<3>(m, [&](std::size_t i) {
      return std::array<double, 3>{x[i], y[i] - x[i], 0.1 * x[i]};
    });
    CHECK(sums[0] == stats::pairwise_sum(x.data(), m));
    CHECK(sums[1] == stats::pairwise_sum_of(m, [&](std::size_t i) { return y[i] - x[i]; }));
    CHECK(sums[2] == stats::pairwise_sum_of(m, [&](std::size_t i) { return 0.1 * x[i]; }));
    if (m == 0) continue;
    const std::uint64_t n = 3 * m + 200;
    std::vector<std::int64_t> years(m);
    for (std::size_t i = 0; i < m; ++i) years[i] = static_cast<std::int64_t>(3 * i + 1);
    const Principle ev = Principle::expected_value(0.3);
    const Loads loads(0.2, 0.05, 1000.0);
    const double weight = expected_value_weight(ev, n);
    const PremiumPoint p = premium_point(ev, loads, SparseYears{n, years.data(), x.data(), m});
    CHECK(p.expected_loss == stats::pairwise_sum(x.data(), m) / static_cast<double>(n));
    CHECK(p.technical_premium ==
          loads.gross_up(stats::pairwise_sum_of(m, [&](std::size_t i) { return weight * x[i]; })));
  }
  CHECK_THROWS_WITH(expected_value_weight(Principle::expected_value(0.3), 99),
                    Catch::Contains("at least 100 simulated years, got 99"));
  CHECK_THROWS_WITH(expected_value_weight(Principle::wang(0.25), 1000), Catch::Contains("wang"));
}

namespace {

// The Wang principle's weights by their definition, the years ranked by std::stable_sort (zeros
// first, then the stored values ascending, ties by year) and g(u) = Phi(Phi^-1(u) + lambda)
// evaluated as the core evaluates it (the quantiles in one batch, then erf).
std::vector<double> wang_weights_by_sort(double lambda, std::uint64_t n,
                                         const std::vector<double>& x) {
  const std::vector<std::size_t> order = stable_sorted(x);
  std::size_t zeros_stored = 0;
  while (zeros_stored < x.size() && x[order[zeros_stored]] == 0.0) ++zeros_stored;
  const std::uint64_t zeros = n - x.size() + zeros_stored;
  const std::size_t positives = x.size() - zeros_stored;
  const double nd = static_cast<double>(n);
  std::vector<double> u(positives + 1), g(positives + 1);
  for (std::size_t j = 0; j <= positives; ++j) u[j] = static_cast<double>(n - zeros - j) / nd;
  for (std::size_t j = 0; j <= positives; ++j) g[j] = u[j] > 0.0 && u[j] < 1.0 ? u[j] : 0.5;
  vecmath::inverse_normal_cdf(g.data(), g.data(), g.size());
  for (std::size_t j = 0; j <= positives; ++j)
    g[j] = u[j] <= 0.0   ? 0.0
           : u[j] >= 1.0 ? 1.0
                         : 0.5 * (1.0 + vecmath::erf((g[j] + lambda) / std::sqrt(2.0)));
  std::vector<double> w(x.size(), 0.0);
  for (std::size_t k = zeros_stored; k < x.size(); ++k)
    w[order[k]] = g[k - zeros_stored] - g[k - zeros_stored + 1];
  for (std::size_t k = 0; k < zeros_stored; ++k)
    w[order[k]] = (1.0 - g[0]) / static_cast<double>(zeros);
  return w;
}

// Stored annual losses with zeros (and a -0), ties at every size, amounts over six decades.
std::vector<double> losses_with_ties(std::size_t m) {
  std::vector<double> x(m);
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t r = (i * 7919) % 1009;
    x[i] = r < 300 ? 0.0 : r < 400 ? 5e6 : std::exp(9.0 + 6.0 * double(r % 389) / 389.0);
  }
  if (m > 3) x[3] = -0.0;
  return x;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("Wang weights equal the ranked definition, zeros and ties included", "[pricing]") {
  for (std::size_t m : {std::size_t{300}, std::size_t{5000}, std::size_t{150000}}) {
    const std::vector<double> x = losses_with_ties(m);
    std::vector<std::int64_t> years(m);
    for (std::size_t i = 0; i < m; ++i) years[i] = static_cast<std::int64_t>(2 * i + 1);
    const std::uint64_t n = 2 * m + 50;
    const SparseYears s{n, years.data(), x.data(), m};
    CHECK(principle_weights(Principle::wang(0.3), s) == wang_weights_by_sort(0.3, n, x));
  }
}

TEST_CASE("premiums under several principles share one ranking and give premium()'s bits",
          "[pricing]") {
  const Loads loads(0.25, 0.05, 1e5);
  for (std::size_t m : {std::size_t{300}, std::size_t{5000}, std::size_t{150000}}) {
    const std::vector<double> x = losses_with_ties(m);
    std::vector<double> part(m);
    for (std::size_t i = 0; i < m; ++i) part[i] = 0.25 * x[i];
    std::vector<std::int64_t> years(m);
    for (std::size_t i = 0; i < m; ++i) years[i] = static_cast<std::int64_t>(3 * i);
    // VaR among the implicit zeros (n large), among the stored zeros and among the positives.
    for (std::uint64_t n : {std::uint64_t{3 * m}, std::uint64_t{400 * m}}) {
      const SparseYears s{n, years.data(), x.data(), m};
      for (double level : {0.5, 0.8, 0.99, 0.999}) {
        // TVaR ranked (beside Wang) or by selection (alone): the same bits.
        const std::vector<Principle> ps{Principle::expected_value(0.3),
                                        Principle::tvar_cost_of_capital(level, 0.1),
                                        Principle::wang(0.25), Principle::standard_deviation(0.2)};
        const std::vector<std::vector<const double*>> sections{
            {part.data()}, {}, {part.data(), x.data()}, {}};
        const stats::Ranking ranked = stats::Ranking::sparse(x.data(), m);
        const std::vector<Premium> all =
            premiums(ps, loads, s, sections, level < 0.9 ? &ranked : nullptr);
        REQUIRE(all.size() == ps.size());
        for (std::size_t i = 0; i < ps.size(); ++i) {
          const Premium one = premium(ps[i], loads, s, sections[i]);
          CHECK(same_bits(all[i].expected_loss, one.expected_loss));
          CHECK(same_bits(all[i].expected_loss_se, one.expected_loss_se));
          CHECK(same_bits(all[i].risk_premium, one.risk_premium));
          CHECK(same_bits(all[i].risk_premium_se, one.risk_premium_se));
          CHECK(same_bits(all[i].technical_premium, one.technical_premium));
          REQUIRE(all[i].by_section.size() == sections[i].size());
          for (std::size_t k = 0; k < sections[i].size(); ++k)
            CHECK(same_bits(all[i].by_section[k].technical_premium,
                            one.by_section[k].technical_premium));
        }
        CHECK(all[1].risk_premium ==
              stats::pairwise_sum_of(
                  m, [&, w = principle_weights(ps[1], s)](std::size_t i) { return w[i] * x[i]; }));
      }
    }
  }
  const std::vector<double> x(200, 1.0);
  std::vector<std::int64_t> years(200);
  std::iota(years.begin(), years.end(), std::int64_t{0});
  const SparseYears s{200, years.data(), x.data(), 200};
  CHECK_THROWS_WITH(premiums({Principle::wang()}, loads, s, {{}, {}}),
                    Catch::Contains("2 lists of sections for 1 principles"));
  CHECK(premiums({}, loads, s).empty());
  const std::vector<double> other(200, 2.0);
  const auto ranked_other = stats::Ranking::sparse(other.data(), other.size());
  CHECK_THROWS_WITH(premiums({Principle::wang()}, loads, s, {}, &ranked_other),
                    Catch::Contains("the ranking given is of other values"));
  const auto ranked = stats::Ranking::sparse(x.data(), x.size());
  CHECK(premiums({Principle::wang()}, loads, s, {}, &ranked)[0].risk_premium ==
        premium(Principle::wang(), loads, s).risk_premium);
}

TEST_CASE("the Wang SE's blocks, priced from shared tables, each give their own premium's bits",
          "[pricing]") {
  // Blocks of one size (n % 20 == 0) and of two (n % 20 != 0), with zeros and ties.
  for (std::uint64_t n : {std::uint64_t{40000}, std::uint64_t{40013}}) {
    std::vector<double> x;
    std::vector<std::int64_t> years;
    for (std::uint64_t y = 0; y < n; y += 3) {
      years.push_back(static_cast<std::int64_t>(y));
      const std::uint64_t r = (y * 7919) % 1009;
      x.push_back(r < 200 ? 0.0 : std::exp(8.0 + 7.0 * double(r % 331) / 331.0));
    }
    const SparseYears s{n, years.data(), x.data(), x.size()};
    // np.array_split's blocks: the first n % 20 hold one year more.
    std::vector<double> block_premium;
    std::uint64_t begin = 0;
    std::size_t i = 0;
    for (std::uint64_t b = 0; b < 20; ++b) {
      const std::uint64_t size = n / 20 + (b < n % 20 ? 1 : 0);
      std::vector<std::int64_t> block_years;
      std::vector<double> block_x;
      for (; i < x.size() && static_cast<std::uint64_t>(years[i]) < begin + size; ++i) {
        block_years.push_back(years[i] - static_cast<std::int64_t>(begin));
        block_x.push_back(x[i]);
      }
      block_premium.push_back(
          risk_premium(Principle::wang(0.3),
                       SparseYears{size, block_years.data(), block_x.data(), block_x.size()}));
      begin += size;
    }
    const double mean = stats::pairwise_sum(block_premium.data(), 20) / 20.0;
    double ss = 0.0;
    for (double v : block_premium) ss += (v - mean) * (v - mean);
    const double se = std::sqrt(ss / 19.0) / std::sqrt(20.0);
    CHECK(same_bits(risk_premium_se(Principle::wang(0.3), s), se));
  }
}
