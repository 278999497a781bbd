#include "cyberloss/order.hpp"

#include <tbb/parallel_invoke.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>

#include "simd/kernels.hpp"

namespace cyberloss::order {
namespace {

// Below this size the comparison sorts win over six counting passes.
constexpr std::size_t kRadixMin = 1024;
constexpr int kDigitBits = 11;
constexpr std::size_t kBins = std::size_t{1} << kDigitBits;
constexpr int kPasses = (64 + kDigitBits - 1) / kDigitBits;

inline std::uint64_t key(double x) {
  const double canonical = x + 0.0;  // -0 -> +0
  std::uint64_t bits;
  std::memcpy(&bits, &canonical, sizeof bits);
  return (bits >> 63) ? ~bits : bits | (std::uint64_t{1} << 63);
}

inline double value(std::uint64_t k) {
  const std::uint64_t bits = (k >> 63) ? k & ~(std::uint64_t{1} << 63) : ~k;
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

inline std::size_t digit(std::uint64_t k, int pass) {
  return static_cast<std::size_t>((k >> (pass * kDigitBits)) & (kBins - 1));
}

// LSD radix sort of keys, with the positions carried along when given (null: keys only),
// stable. Passes whose digit is the same for every key are skipped.
void radix_sort(std::vector<std::uint64_t>& keys, std::vector<std::size_t>* positions) {
  const std::size_t n = keys.size();
  std::vector<std::array<std::uint32_t, kBins>> count(kPasses);
  for (auto& c : count) c.fill(0);
  for (std::uint64_t k : keys)
    for (int p = 0; p < kPasses; ++p) ++count[static_cast<std::size_t>(p)][digit(k, p)];
  std::vector<std::uint64_t> keys2(n);
  std::vector<std::size_t> positions2(positions ? n : 0);
  for (int p = 0; p < kPasses; ++p) {
    auto& c = count[static_cast<std::size_t>(p)];
    if (std::find(c.begin(), c.end(), static_cast<std::uint32_t>(n)) != c.end()) continue;
    std::uint32_t offset = 0;
    for (auto& b : c) {
      const std::uint32_t here = b;
      b = offset;
      offset += here;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t to = c[digit(keys[i], p)]++;
      keys2[to] = keys[i];
      if (positions) positions2[to] = (*positions)[i];
    }
    keys.swap(keys2);
    if (positions) positions->swap(positions2);
  }
}

void check_size(std::size_t n) {
  if (n > UINT32_MAX)
    throw std::invalid_argument(
        "order: samples of more than 2^32 - 1 values are not supported, got " + std::to_string(n));
}

// Large inputs: the two halves are sorted in parallel and merged, the first half's element
// first among equal keys, so the result is the same as one stable sort of the whole.
constexpr std::size_t kParallelMin = std::size_t{1} << 16;

void sorted(std::vector<std::uint64_t>& keys, std::vector<std::size_t>* positions) {
  const std::size_t n = keys.size();
  if (n < kParallelMin) {
    radix_sort(keys, positions);
    return;
  }
  const auto h = static_cast<std::ptrdiff_t>(n / 2);
  std::vector<std::uint64_t> ka(keys.begin(), keys.begin() + h), kb(keys.begin() + h, keys.end());
  std::vector<std::size_t> pa, pb;
  if (positions) {
    pa.assign(positions->begin(), positions->begin() + h);
    pb.assign(positions->begin() + h, positions->end());
  }
  tbb::parallel_invoke([&] { radix_sort(ka, positions ? &pa : nullptr); },
                       [&] { radix_sort(kb, positions ? &pb : nullptr); });
  std::size_t a = 0, b = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool take_a = b == kb.size() || (a < ka.size() && ka[a] <= kb[b]);
    const std::size_t j = take_a ? a++ : b++;
    keys[i] = take_a ? ka[j] : kb[j];
    if (positions) (*positions)[i] = take_a ? pa[j] : pb[j];
  }
}

}  // namespace

void sort_ascending(double* x, std::size_t n) {
  if (n < kRadixMin) {
    std::sort(x, x + n);
    return;
  }
  check_size(n);
  // The key is a bijection of the value (up to the sign of zero), so only keys move.
  std::vector<std::uint64_t> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = key(x[i]);
  sorted(keys, nullptr);
  for (std::size_t i = 0; i < n; ++i) x[i] = value(keys[i]);
}

std::vector<std::size_t> stable_order(const double* x, std::size_t n) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (n < kRadixMin) {
    std::stable_sort(order.begin(), order.end(),
                     [x](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    return order;
  }
  check_size(n);
  std::vector<std::uint64_t> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = key(x[i]);
  sorted(keys, &order);
  return order;
}

std::vector<double> upper_sorted(const double* x, std::size_t n, std::size_t k) {
  if (k > n)
    throw std::out_of_range("upper_sorted: rank " + std::to_string(k) + " of " + std::to_string(n) +
                            " values");
  std::vector<double> kept;
  std::size_t below = 0;
  bool filtered = false;
  if (n >= kRadixMin && k > 0) {
    // A threshold from a subsample, five binomial SDs below rank k's quantile, then one
    // branch-free pass keeps the values at or above it. Subsample positions follow a Weyl
    // sequence (golden-ratio steps) rather than a stride, which could alias with periodic data.
    const std::size_t n_sub = std::min<std::size_t>(n, 16384);
    std::vector<double> sub(n_sub);
    double position = 0.0;
    for (std::size_t j = 0; j < n_sub; ++j) {
      position += 0.6180339887498949;
      position -= std::floor(position);
      sub[j] = x[std::min(n - 1, static_cast<std::size_t>(position * static_cast<double>(n)))];
    }
    const double ns = static_cast<double>(n_sub);
    const double q = static_cast<double>(k) / static_cast<double>(n);
    const double j = std::floor(ns * q - 5.0 * std::sqrt(ns * q * (1.0 - q))) - 1.0;
    if (j >= 0.0) {
      const auto at = sub.begin() + static_cast<std::ptrdiff_t>(j);
      std::nth_element(sub.begin(), at, sub.end());
      const double threshold = *at;
      // Filtered into a block on the stack by the CPU's widest kernel; only the kept values
      // reach the heap.
      constexpr std::size_t B = 4096;
      double block[B];
      const auto keep = simd::kernels().keep_at_least;
      kept.reserve(n - k + (n - k) / 4 + 64);
      for (std::size_t start = 0; start < n; start += B) {
        const std::size_t c = keep(x + start, std::min(B, n - start), threshold, block);
        kept.insert(kept.end(), block, block + c);
      }
      below = n - kept.size();
      filtered = below <= k;  // else the threshold was above rank k: select over everything
    }
  }
  if (!filtered) {
    kept.assign(x, x + n);
    below = 0;
  }
  const auto first = kept.begin() + static_cast<std::ptrdiff_t>(k - below);
  std::nth_element(kept.begin(), first, kept.end());
  sort_ascending(kept.data() + (k - below), n - k);
  return std::vector<double>(first, kept.end());
}

}  // namespace cyberloss::order
