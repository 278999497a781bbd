#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "cyberloss/distributions.hpp"
#include "cyberloss/stats.hpp"

using namespace cyberloss;

TEST_CASE("VaR and TVaR conventions on a small sample", "[stats]") {
  const std::vector<double> x = {5, 1, 4, 2, 3, 10, 7, 6, 9, 8};  // 1..10
  CHECK(stats::var(x.data(), x.size(), 0.9) == 9.0);              // ceil(10 * 0.9) = 9th smallest
  CHECK(stats::var(x.data(), x.size(), 0.91) == 10.0);
  CHECK(stats::var(x.data(), x.size(), 0.05) == 1.0);
  CHECK(stats::tvar(x.data(), x.size(), 0.8) == Approx(8.0 + (1.0 + 2.0) / 2.0));  // mean of 9, 10
  CHECK(stats::tvar(x.data(), x.size(), 0.85) == Approx(9.0 + 1.0 / 1.5));
  const std::vector<double> ties = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
  CHECK(stats::var(ties.data(), 10, 0.5) == 0.0);
  CHECK(stats::tvar(ties.data(), 10, 0.5) == Approx(0.4));  // mean of the worst half
  CHECK(stats::mean(x.data(), x.size()) == 5.5);
  CHECK(stats::std_dev(x.data(), x.size()) == Approx(std::sqrt(110.0 / 12.0)));
}

TEST_CASE("VaR of a lognormal sample matches the exact quantile", "[stats][closed-form]") {
  const Lognormal ln(10.0, 1.2);
  const std::size_t n = 200000;
  const auto sample = [&] {
    std::vector<double> x(n);
    std::vector<std::uint64_t> years(n), draws(n, 0);
    for (std::size_t i = 0; i < n; ++i) years[i] = i;
    uniform_batch(77, stream_id(Purpose::user, 0), years.data(), draws.data(), n, x.data());
    ln.quantile_batch(x.data(), x.data(), n);
    return x;
  }();
  for (double p : {0.5, 0.9, 0.99, 0.995}) {
    const double q = ln.quantile(p);
    const double z = (std::log(q) - ln.mu()) / ln.sigma();
    const double density = std::exp(-0.5 * z * z) / (q * ln.sigma() * std::sqrt(2 * M_PI));
    const double se = std::sqrt(p * (1 - p) / n) / density;  // asymptotic SE of a sample quantile
    CHECK(std::fabs(stats::var(sample.data(), n, p) - q) <= 4.0 * se);
    CHECK(stats::var_se(sample.data(), n, p) == Approx(se).epsilon(0.25));
    CHECK(stats::tvar(sample.data(), n, p) >= stats::var(sample.data(), n, p));
  }
  // TVaR closed form for the lognormal: E[X | X > q] = E[X] Phi(sigma - z_p) / (1 - p)
  const double p = 0.99, zp = 2.3263478740408408;
  const double exact = ln.mean() * 0.5 * std::erfc(-(ln.sigma() - zp) / std::sqrt(2.0)) / (1 - p);
  CHECK(stats::tvar(sample.data(), n, p) == Approx(exact).epsilon(0.05));
}

TEST_CASE("statistics refuse empty samples, NaN and bad levels", "[stats][errors]") {
  const std::vector<double> x = {1.0, NAN, 2.0};
  CHECK_THROWS_WITH(stats::mean(x.data(), 3), Catch::Contains("index 1") && Catch::Contains("nan"));
  CHECK_THROWS_WITH(stats::mean(x.data(), 0), Catch::Contains("empty"));
  const std::vector<double> y = {1.0, 2.0};
  CHECK_THROWS_WITH(stats::var(y.data(), 2, 1.0), Catch::Contains("p must be in (0, 1), got 1"));
  CHECK_THROWS_WITH(stats::tvar(y.data(), 2, -0.1), Catch::Contains("-0.1"));
  CHECK_THROWS_WITH(stats::return_period_losses(y.data(), 2, {0.5}),
                    Catch::Contains("return period"));
}

TEST_CASE("pairwise_sum adds as NumPy does: sequential below 8, exact on integers", "[stats]") {
  const std::vector<double> a{1e16, 1.0, -1e16, 1.0};
  // sequential from 0: ((1e16 + 1) - 1e16) + 1 = 0 + 1 (1e16 + 1 rounds to 1e16)
  CHECK(stats::pairwise_sum(a.data(), a.size()) == 1.0);
  std::vector<double> ints(1000);
  for (std::size_t i = 0; i < ints.size(); ++i) ints[i] = static_cast<double>(i);
  CHECK(stats::pairwise_sum(ints.data(), ints.size()) == 999.0 * 1000.0 / 2.0);
  CHECK(stats::pairwise_sum(ints.data(), 0) == 0.0);
}

TEST_CASE("a sparse sample sorted from min_level gives the full sample's measures", "[stats]") {
  // 20,000 years, 3,000 with a loss (ties included); levels from 0.99 need the top ~1.7%.
  const std::uint64_t n = 20000;
  std::vector<double> values(3000);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = 1000.0 + static_cast<double>((i * 7919) % 1500) * 250.0;
  const auto full = stats::LossSample::sparse(n, values.data(), values.size());
  const auto part = stats::LossSample::sparse(n, values.data(), values.size(), 0.99);
  CHECK(part.lowest_rank() > n - values.size());
  CHECK(part.sorted_upper().size() < values.size() / 2);
  CHECK(part.mean() == full.mean());
  CHECK(part.std_dev() == full.std_dev());
  for (double p : {0.99, 0.995, 0.999}) {
    const auto a = full.tail(p), b = part.tail(p);
    CHECK(a.var == b.var);
    CHECK(a.var_se == b.var_se);
    CHECK(a.tvar == b.tvar);
    CHECK(a.tvar_se == b.tvar_se);
  }
  CHECK(part.exceedance_probability(-1.0) == 1.0);
  CHECK(part.exceedance_probability(part.var(0.995)) ==
        full.exceedance_probability(full.var(0.995)));
  // Ranks between the zero years and the kept part are not held.
  CHECK(part.order_statistic(0) == 0.0);
  CHECK_THROWS_AS(part.order_statistic(n - values.size()), std::out_of_range);
  CHECK_THROWS_AS(part.exceedance_probability(0.0), std::out_of_range);
  // Levels among the zero years keep every stored value.
  const auto low = stats::LossSample::sparse(n, values.data(), values.size(), 0.5);
  CHECK(low.sorted_upper() == full.sorted_upper());
  CHECK_THROWS_WITH(stats::LossSample::sparse(n, values.data(), values.size(), 1.5),
                    Catch::Contains("min_level must be in [0, 1], got 1.5"));
}

TEST_CASE("a ranking is the stable order, and a sample read off it has the selection's bits",
          "[stats]") {
  // Stored zeros (and, in the last case, a -0), ties, sizes on the comparison sort, the radix
  // sort and its parallel halves; levels among the implicit zeros, stored zeros and positives.
  for (std::size_t m : {std::size_t{700}, std::size_t{5000}, std::size_t{140000}})
    for (bool negative_zero : {false, true}) {
      std::vector<double> values(m);
      for (std::size_t i = 0; i < m; ++i) {
        const std::size_t r = (i * 7919) % 1009;
        values[i] = r < 250 ? 0.0 : 1000.0 + static_cast<double>(r % 601) * 250.0;
      }
      if (negative_zero) values[5] = -0.0;
      const auto ranked = stats::Ranking::sparse(values.data(), m);
      CHECK(ranked.has_negative_zero() == negative_zero);
      std::vector<std::size_t> expected(m);
      for (std::size_t i = 0; i < m; ++i) expected[i] = i;
      std::stable_sort(expected.begin(), expected.end(),
                       [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
      CHECK(std::vector<std::size_t>(ranked.positions().begin(), ranked.positions().end()) ==
            expected);
      for (std::uint64_t n : {std::uint64_t{m}, std::uint64_t{4 * m}, std::uint64_t{200 * m}})
        for (double min_level : {0.0, 0.3, 0.9, 0.99, 1.0}) {
          const auto a = stats::LossSample::sparse(n, values.data(), m, min_level);
          const auto b = stats::LossSample::sparse(n, ranked, min_level);
          REQUIRE(a.lowest_rank() == b.lowest_rank());
          REQUIRE(a.sorted_upper().size() == b.sorted_upper().size());
          for (std::size_t k = 0; k < a.sorted_upper().size(); ++k)
            CHECK(std::memcmp(&a.sorted_upper()[k], &b.sorted_upper()[k], sizeof(double)) == 0);
          CHECK(a.mean() == b.mean());
          CHECK(a.std_se() == b.std_se());
          if (min_level == 1.0) continue;
          for (double p : {0.5, 0.9, 0.995}) {
            if (p < min_level) continue;
            const auto ta = a.tail(p), tb = b.tail(p);
            CHECK(std::memcmp(&ta, &tb, sizeof ta) == 0);
          }
        }
    }
  const std::vector<double> bad{1.0, -2.0};
  CHECK_THROWS_WITH(stats::Ranking::sparse(bad.data(), bad.size()),
                    Catch::Contains("finite and >= 0, got -2 at index 1"));
}

TEST_CASE("min_level 1 keeps the moments alone, with the same bits", "[stats]") {
  const std::uint64_t n = 20000;
  std::vector<double> values(3000), dense(n, 0.0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = 1000.0 + static_cast<double>((i * 7919) % 1500) * 250.0;
    dense[i * 6] = values[i];
  }
  const auto sparse_full = stats::LossSample::sparse(n, values.data(), values.size());
  const auto sparse_none = stats::LossSample::sparse(n, values.data(), values.size(), 1.0);
  const auto dense_full = stats::LossSample::dense(dense.data(), n);
  const auto dense_none = stats::LossSample::dense(dense.data(), n, 1.0);
  for (const auto* pair : {&sparse_full, &dense_full}) {
    const auto& none = pair == &sparse_full ? sparse_none : dense_none;
    CHECK(none.sorted_upper().empty());
    CHECK(none.lowest_rank() == n);
    CHECK(none.mean() == pair->mean());
    CHECK(none.mean_se() == pair->mean_se());
    CHECK(none.std_dev() == pair->std_dev());
    CHECK(none.std_se() == pair->std_se());
    CHECK_THROWS_WITH(none.order_statistic(n - 1), Catch::Contains("min_level"));
  }
  CHECK(sparse_none.order_statistic(0) == 0.0);  // a zero year is known without a sort
}

TEST_CASE("mean_estimates give moments()' mean and SE bits, and name the first bad sample",
          "[stats]") {
  std::mt19937_64 gen(11);
  std::lognormal_distribution<double> heavy(12.0, 2.0);
  std::vector<std::vector<double>> samples;
  for (std::size_t n : {1, 2, 7, 8, 129, 1000, 70001}) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = (i % 4 == 0 ? -1.0 : 1.0) * heavy(gen);
    samples.push_back(std::move(x));
  }
  auto dense = [](const std::vector<double>& v) {
    return stats::Series{v.data(), nullptr, v.size()};
  };
  std::vector<stats::MeanInput> in;
  for (const auto& v : samples) in.push_back({v.size(), dense(v), {}});
  const auto e = stats::mean_estimates(in);
  REQUIRE(e.size() == samples.size());
  auto same = [](const stats::MeanEstimate& a, const std::vector<double>& x) {
    const auto m = stats::moments(x.data(), x.size(), x.size());
    const double se = m.mean_se();
    return std::memcmp(&a.mean, &m.mean, sizeof se) == 0 && std::memcmp(&a.se, &se, sizeof se) == 0;
  };
  for (std::size_t i = 0; i < samples.size(); ++i) CHECK(same(e[i], samples[i]));
  CHECK(stats::mean_estimates({}).empty());

  SECTION("stored samples and differences are formed as the dense arrays' difference") {
    const std::size_t n = 1000;
    const std::vector<double>& a = samples[5];
    std::vector<std::int64_t> at_b;
    std::vector<double> b_values, b(n, 0.0);
    for (std::size_t i = 0; i < n; i += 3) {
      at_b.push_back(static_cast<std::int64_t>(i));
      b_values.push_back(heavy(gen));
      b[i] = b_values.back();
    }
    const stats::Series b_stored{b_values.data(), at_b.data(), at_b.size()};
    std::vector<double> a_minus_b(n), zero_minus_b(n);
    for (std::size_t i = 0; i < n; ++i) {
      a_minus_b[i] = a[i] - b[i];
      zero_minus_b[i] = 0.0 - b[i];
    }
    const auto d = stats::mean_estimates({{n, dense(a), b_stored},
                                          {n, dense(a), dense(b)},
                                          {n, b_stored, {}},
                                          {n, b_stored, dense(a)},
                                          {n, b_stored, b_stored}});
    CHECK(same(d[0], a_minus_b));
    CHECK(same(d[1], a_minus_b));
    CHECK(same(d[2], b));
    std::vector<double> b_minus_a(n);
    for (std::size_t i = 0; i < n; ++i) b_minus_a[i] = b[i] - a[i];
    CHECK(same(d[3], b_minus_a));
    CHECK(d[4].mean == 0.0);
    CHECK(d[4].se == 0.0);
    std::vector<std::int64_t> outside = {3, 1000};
    const stats::Series bad{b_values.data(), outside.data(), 2};
    CHECK_THROWS_WITH(stats::mean_estimates({{n, dense(a), {}}, {n, bad, {}}}),
                      "x[1]: stored position 1000 lies outside [0, 1000)");
    CHECK_THROWS_WITH(stats::mean_estimates({{n + 1, dense(a), {}}}),
                      "x[0]: 1000 values for a sample of 1001");
  }

  SECTION("the lowest bad sample is named") {
    std::vector<double> bad = samples[3];
    bad[5] = std::nan("");
    in[4] = {bad.size(), dense(bad), {}};
    in[6] = {0, dense(bad), {}};
    CHECK_THROWS_WITH(stats::mean_estimates(in), "x[4] must be finite, got nan at index 5");
    in[4] = {samples[4].size(), dense(samples[4]), {}};
    CHECK_THROWS_WITH(stats::mean_estimates(in), "x[6] must not be empty");
  }
}

namespace {

// The summation orders the statistics promise, written out plainly: NumPy's pairwise sum
// (halves split at a multiple of 8, blocks of at most 128 in eight lanes), and the central sums
// (halves, blocks of at most 128 in eight lanes, leftovers into lanes 0, 1, ...).
double lanes_fold(const double* r) {
  return ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
}

double numpy_sum(const double* x, std::size_t n) {
  if (n < 8) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += x[i];
    return s;
  }
  if (n > 128) {
    const std::size_t h = n / 2 - n / 2 % 8;
    return numpy_sum(x, h) + numpy_sum(x + h, n - h);
  }
  double r[8];
  std::size_t i = 0;
  for (; i < 8; ++i) r[i] = x[i];
  for (; i + 8 <= n; i += 8)
    for (std::size_t l = 0; l < 8; ++l) r[l] += x[i + l];
  double s = lanes_fold(r);
  for (; i < n; ++i) s += x[i];
  return s;
}

void central_reference(const double* x, std::size_t n, double mean, double* out) {
  if (n > 128) {
    double a[3], b[3];
    central_reference(x, n / 2, mean, a);
    central_reference(x + n / 2, n - n / 2, mean, b);
    for (int k = 0; k < 3; ++k) out[k] = a[k] + b[k];
    return;
  }
  double r[3][8] = {};
  for (std::size_t i = 0; i < n; ++i) {
    const double e = x[i] - mean, e2 = e * e;
    r[0][i % 8] += e2;
    r[1][i % 8] += e2 * e;
    r[2][i % 8] += e2 * e2;
  }
  for (int k = 0; k < 3; ++k) out[k] = lanes_fold(r[k]);
}

bool same_double(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

// Tagged [simd]: ctest runs it once per SIMD path (CYBERLOSS_SIMD), so each path's kernels are
// held to the same bits.
TEST_CASE("sums, moments and order statistics keep their bits on this SIMD path", "[stats][simd]") {
  std::mt19937_64 gen(11);
  std::lognormal_distribution<double> heavy(11.0, 2.0);
  std::vector<double> x(200003);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = i % 3 == 0 ? 0.0 : heavy(gen);
  for (std::size_t n : {1, 7, 8, 9, 127, 128, 129, 137, 1000, 4097, 65543, 200003}) {
    INFO(n << " values");
    const double* p = x.data();
    CHECK(same_double(stats::pairwise_sum(p, n), numpy_sum(p, n)));
    const auto m = stats::moments(p, n, n + 5);
    double c[3];
    central_reference(p, n, m.mean, c);
    const double nd = static_cast<double>(n + 5), e = -m.mean, e2 = e * e;
    CHECK(same_double(m.sum, numpy_sum(p, n)));
    CHECK(same_double(m.mu3, (c[1] + 5.0 * (e2 * e)) / nd));
    CHECK(same_double(m.mu4, (c[2] + 5.0 * (e2 * e2)) / nd));
    CHECK(same_double(m.sd, std::sqrt((c[0] + 5.0 * e2) / (nd - 1.0))));
    // The order statistics from the filtered upper part equal those of a full sort.
    const auto s = stats::LossSample::dense(p, n, 0.9);
    std::vector<double> sorted(p, p + n);
    std::sort(sorted.begin(), sorted.end());
    for (double level : {0.9, 0.99, 0.999}) {
      const std::size_t k = stats::var_index(n, level);
      CHECK(same_double(s.var(level), sorted[k]));
    }
  }
}

TEST_CASE(
    "pairwise sums from their leaves: the bits of pairwise_sums_of, a changed term "
    "summed again in its leaf only",
    "[stats]") {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> draw(10.0, 2.0);
  auto bits = [](double x) {
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
  };
  for (std::size_t n : {0, 1, 7, 8, 127, 128, 129, 136, 1000, 12345, 100003}) {
    std::vector<double> x(n);
    for (double& v : x) v = draw(rng);
    auto terms = [&](std::size_t i) { return std::array<double, 2>{x[i], 0.3 * x[i]}; };
    const stats::PairwiseLeaves leaves(n);
    REQUIRE(leaves.size() >= (n + 127) / 128);
    std::vector<std::array<double, 2>> sums(leaves.size());
    for (std::size_t j = 0; j < leaves.size(); ++j) sums[j] = leaves.leaf_sum<2>(j, terms);
    auto require_same = [&] {
      const std::array<double, 2> whole = stats::pairwise_sums_of<2>(n, terms),
                                  combined = leaves.combine(sums.data());
      for (std::size_t k = 0; k < 2; ++k) REQUIRE(bits(combined[k]) == bits(whole[k]));
    };
    require_same();
    if (n == 0) continue;
    // Change a few terms (first, last, and one in the middle), sum their leaves again.
    for (std::size_t i : {std::size_t{0}, n / 2, n - 1}) {
      x[i] = draw(rng) * 1e3;
      const std::size_t j = leaves.leaf_of(i);
      REQUIRE(j < leaves.size());
      sums[j] = leaves.leaf_sum<2>(j, terms);
    }
    require_same();
  }
}

TEST_CASE("VaR's rank is ceil(n p): a level on a rank up to rounding, one just above it above",
          "[stats]") {
  // Levels meant to fall on a whole rank, which n p misses by a rounding error either way.
  CHECK(stats::var_index(100, 0.95) == 94);
  CHECK(stats::var_index(200000, 0.99) == 197999);
  CHECK(stats::var_index(2000000, 0.9995) == 1998999);
  CHECK(stats::var_index(2000000, 1.0 - 1.0 / 250.0) == 1991999);
  // Levels genuinely above a rank take the next one (a relative guard of 1e-9 took the rank
  // below for both).
  CHECK(stats::var_index(1000, 0.9990000001) == 999);
  CHECK(stats::var_index(200000, 0.5 + 4e-10) == 100000);
  CHECK(stats::var_index(200000, 0.5) == 99999);
}

TEST_CASE("moments beyond the largest double are infinite, never NaN", "[stats][errors]") {
  // Squares overflow (sd infinite) with and without implicit zeros; fourth powers overflow
  // while sd stays finite.
  const std::vector<double> huge{1e300, 2e300, 3e300};
  for (std::uint64_t n : {std::uint64_t{3}, std::uint64_t{10}}) {
    const stats::Moments m = stats::moments(huge.data(), huge.size(), n);
    CHECK(std::isfinite(m.mean));
    CHECK(std::isinf(m.sd));
    CHECK(std::isinf(m.sd_se()));
    CHECK(std::isinf(m.mean_se()));
  }
  std::vector<double> large(10);
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = 1e80 * static_cast<double>(i + 1);
  const stats::Moments m = stats::moments(large.data(), large.size(), 200);
  CHECK(std::isfinite(m.sd));
  CHECK(std::isinf(m.sd_se()));
}
