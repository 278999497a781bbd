#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "cyberloss/order.hpp"

using namespace cyberloss;

namespace {

// Losses as the statistics see them: many exact zeros and ties, values spread over decades,
// -0.0 among them; `negative` adds values below zero (dense samples of any sign).
std::vector<double> sample(std::size_t n, std::uint32_t seed, bool negative) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> ln(12.0, 2.5);
  std::uniform_int_distribution<int> kind(0, 9);
  std::vector<double> x(n);
  for (auto& v : x) {
    const int k = kind(rng);
    v = k == 0 ? 0.0 : k == 1 ? -0.0 : k == 2 ? 1e6 : ln(rng);
    if (negative && k >= 7) v = -v;
  }
  x[n / 2] = std::numeric_limits<double>::max();
  x[n / 3] = std::numeric_limits<double>::denorm_min();
  return x;
}

bool same_values(const std::vector<double>& a, const std::vector<double>& b) {
  // Equal as numbers (-0 == +0: the comparison sorts do not order them either).
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

TEST_CASE("sort_ascending gives std::sort's sequence: small, radix and parallel paths", "[order]") {
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{1024},
                        std::size_t{50000}, std::size_t{150001}})
    for (bool negative : {false, true}) {
      auto x = sample(n, static_cast<std::uint32_t>(n), negative), expected = x;
      std::sort(expected.begin(), expected.end());
      order::sort_ascending(x.data(), x.size());
      CHECK(same_values(x, expected));
    }
  std::vector<double> all_equal(5000, 3.25);
  order::sort_ascending(all_equal.data(), all_equal.size());
  CHECK(std::all_of(all_equal.begin(), all_equal.end(), [](double v) { return v == 3.25; }));
}

TEST_CASE("stable_order is std::stable_sort's permutation (ties by position)", "[order]") {
  for (std::size_t n : {std::size_t{5}, std::size_t{1023}, std::size_t{40000}, std::size_t{131073}})
    for (bool negative : {false, true}) {
      const auto x = sample(n, 7u + static_cast<std::uint32_t>(n), negative);
      std::vector<std::size_t> expected(n);
      std::iota(expected.begin(), expected.end(), std::size_t{0});
      std::stable_sort(expected.begin(), expected.end(),
                       [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
      const auto got = order::stable_order(x.data(), n);
      CHECK(std::vector<std::size_t>(got.begin(), got.end()) == expected);
    }
  // One binade (every key in one top bucket: all the low passes), with ties; and a handful of
  // values per binade (the buckets' comparison sorts).
  for (double spread : {1.0, 1e300}) {
    std::vector<double> x(100000);
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = spread == 1.0 ? 1.0 + static_cast<double>((i * 7919) % 65521) / 65536.0
                           : std::ldexp(1.0 + static_cast<double>(i % 3) / 4.0,
                                        static_cast<int>(i % 1900) - 950);
    std::vector<std::size_t> expected(x.size());
    std::iota(expected.begin(), expected.end(), std::size_t{0});
    std::stable_sort(expected.begin(), expected.end(),
                     [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    const auto got = order::stable_order(x.data(), x.size());
    CHECK(std::vector<std::size_t>(got.begin(), got.end()) == expected);
  }
}

TEST_CASE("upper_sorted gives the order statistics from rank k on, exactly", "[order]") {
  for (std::size_t n : {std::size_t{10}, std::size_t{3000}, std::size_t{100000}})
    for (bool negative : {false, true}) {
      const auto x = sample(n, 11u + static_cast<std::uint32_t>(n), negative);
      auto full = x;
      std::sort(full.begin(), full.end());
      for (std::size_t k : {std::size_t{0}, n / 10, n / 2, n - n / 100 - 1, n - 1, n}) {
        const auto upper = order::upper_sorted(x.data(), n, k);
        CHECK(same_values(
            upper, std::vector<double>(full.begin() + static_cast<std::ptrdiff_t>(k), full.end())));
      }
    }
  // Every value in one 16-bit key bucket: the candidates are the whole sample, still exact.
  std::vector<double> narrow(20000);
  for (std::size_t i = 0; i < narrow.size(); ++i)
    narrow[i] = 1.0 + static_cast<double>((i * 7919) % 20000) * 1e-12;
  auto full = narrow;
  std::sort(full.begin(), full.end());
  CHECK(same_values(order::upper_sorted(narrow.data(), narrow.size(), 19000),
                    std::vector<double>(full.begin() + 19000, full.end())));
  CHECK_THROWS_AS(order::upper_sorted(narrow.data(), narrow.size(), 20001), std::out_of_range);
}

TEST_CASE("upper_sorted counts rank k's ties below it", "[order]") {
  // 50 distinct values (and -0 beside +0), so most ranks have ties on both sides; small and
  // large samples (the comparison path and the filtered one).
  for (std::size_t n : {std::size_t{10}, std::size_t{3000}, std::size_t{100000}}) {
    std::mt19937_64 rng(n);
    std::uniform_int_distribution<int> value(0, 49);
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = value(rng) * 1000.0;
      if (x[i] == 0.0 && i % 2) x[i] = -0.0;
    }
    auto full = x;
    std::sort(full.begin(), full.end());
    for (std::size_t k : {std::size_t{0}, n / 10, n / 2, n - n / 100 - 1, n - 1, n}) {
      std::size_t ties = n + 1;
      const auto upper = order::upper_sorted(x.data(), n, k, &ties);
      std::size_t expected = 0;
      if (k < n)
        for (std::size_t r = 0; r < k; ++r) expected += full[r] == full[k];
      CHECK(ties == expected);
      CHECK(same_values(
          upper, std::vector<double>(full.begin() + static_cast<std::ptrdiff_t>(k), full.end())));
    }
  }
}
