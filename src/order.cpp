#include "cyberloss/order.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>

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

inline std::size_t digit(std::uint64_t k, int pass) {
  return static_cast<std::size_t>((k >> (pass * kDigitBits)) & (kBins - 1));
}

// LSD radix sort of keys (and a payload carried with them), stable. Passes whose digit is the
// same for every key are skipped. On return the sorted data is in keys/payload.
template <class Payload>
void radix_sort(std::vector<std::uint64_t>& keys, std::vector<Payload>& payload) {
  const std::size_t n = keys.size();
  std::vector<std::array<std::uint32_t, kBins>> count(kPasses);
  for (auto& c : count) c.fill(0);
  for (std::uint64_t k : keys)
    for (int p = 0; p < kPasses; ++p) ++count[static_cast<std::size_t>(p)][digit(k, p)];
  std::vector<std::uint64_t> keys2(n);
  std::vector<Payload> payload2(n);
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
      payload2[to] = payload[i];
    }
    keys.swap(keys2);
    payload.swap(payload2);
  }
}

void check_size(std::size_t n) {
  if (n > UINT32_MAX)
    throw std::invalid_argument("order: samples of more than 2^32 - 1 values are not supported, got " +
                                std::to_string(n));
}

}  // namespace

void sort_ascending(double* x, std::size_t n) {
  if (n < kRadixMin) {
    std::sort(x, x + n);
    return;
  }
  check_size(n);
  std::vector<std::uint64_t> keys(n);
  std::vector<double> values(x, x + n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = key(x[i]);
  radix_sort(keys, values);
  std::copy(values.begin(), values.end(), x);
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
  radix_sort(keys, order);
  return order;
}

std::vector<double> upper_sorted(const double* x, std::size_t n, std::size_t k) {
  if (k > n)
    throw std::out_of_range("upper_sorted: rank " + std::to_string(k) + " of " +
                            std::to_string(n) + " values");
  std::vector<double> kept;
  std::size_t below = 0;
  if (n < kRadixMin) {
    kept.assign(x, x + n);
  } else {
    // Candidates: every value whose top 16 key bits are at or above those of rank k.
    constexpr std::size_t kTop = std::size_t{1} << 16;
    std::vector<std::uint32_t> count(kTop, 0);
    for (std::size_t i = 0; i < n; ++i) ++count[key(x[i]) >> 48];
    std::size_t bucket = 0;
    while (below + count[bucket] <= k) below += count[bucket++];
    kept.reserve(n - below);
    for (std::size_t i = 0; i < n; ++i)
      if ((key(x[i]) >> 48) >= bucket) kept.push_back(x[i]);
  }
  const auto first = kept.begin() + static_cast<std::ptrdiff_t>(k - below);
  std::nth_element(kept.begin(), first, kept.end());
  sort_ascending(kept.data() + (k - below), n - k);
  return std::vector<double>(first, kept.end());
}

}  // namespace cyberloss::order
