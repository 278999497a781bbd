#include "cyberloss/order.hpp"

#include <tbb/parallel_for.h>

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

// Below this size the comparison sorts win over the counting passes.
constexpr std::size_t kRadixMin = 1024;

// A key with the position it came from (positions fit 32 bits: check_size).
struct Keyed {
  std::uint64_t key;
  std::uint32_t position;
};

inline std::uint64_t key_of(std::uint64_t k) { return k; }
inline std::uint64_t key_of(const Keyed& k) { return k.key; }

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

// The sort: one stable pass by the top 12 bits of the key (the sign and the exponent: a bucket
// per binade), then each bucket, smaller and more likely to stay in cache, by the 52 bits below
// in five stable passes of 11 bits (those whose digit is the same for every key skipped), or
// by a comparison sort when small. Every pass is stable, so equal keys keep their order.
constexpr int kTopShift = 52;
constexpr std::size_t kTopBuckets = std::size_t{1} << (64 - kTopShift);
constexpr int kLowBits = 11;
constexpr std::size_t kLowBins = std::size_t{1} << kLowBits;
constexpr int kLowPasses = (kTopShift + kLowBits - 1) / kLowBits;
constexpr std::size_t kBucketRadixMin = 256;

inline std::size_t low_digit(std::uint64_t k, int pass) {
  return static_cast<std::size_t>((k >> (pass * kLowBits)) & (kLowBins - 1));
}

// Sorts a[0..n) by the low 52 bits of the keys (all of one top bucket), b as scratch; the
// result ends in a.
template <class T>
void sort_bucket(T* a, T* b, std::size_t n) {
  if (n < kBucketRadixMin) {
    std::stable_sort(a, a + n, [](const T& l, const T& r) { return key_of(l) < key_of(r); });
    return;
  }
  std::vector<std::array<std::uint32_t, kLowBins>> count(kLowPasses);
  for (auto& c : count) c.fill(0);
  for (std::size_t i = 0; i < n; ++i)
    for (int p = 0; p < kLowPasses; ++p)
      ++count[static_cast<std::size_t>(p)][low_digit(key_of(a[i]), p)];
  T* from = a;
  T* to = b;
  for (int p = 0; p < kLowPasses; ++p) {
    auto& c = count[static_cast<std::size_t>(p)];
    if (std::find(c.begin(), c.end(), static_cast<std::uint32_t>(n)) != c.end()) continue;
    std::uint32_t offset = 0;
    for (auto& bin : c) {
      const std::uint32_t here = bin;
      bin = offset;
      offset += here;
    }
    for (std::size_t i = 0; i < n; ++i) to[c[low_digit(key_of(from[i]), p)]++] = from[i];
    std::swap(from, to);
  }
  if (from != a) std::copy(from, from + n, a);
}

// Large inputs sort their buckets in parallel (each bucket on its own: the result does not
// depend on the split).
constexpr std::size_t kParallelMin = std::size_t{1} << 16;

template <class T>
void sorted(Buffer<T>& items) {
  const std::size_t n = items.size();
  std::vector<std::uint32_t> start(kTopBuckets + 1, 0);
  for (const T& t : items) ++start[(key_of(t) >> kTopShift) + 1];
  for (std::size_t b = 0; b < kTopBuckets; ++b) start[b + 1] += start[b];
  Buffer<T> other(n);  // every slot written below
  {
    std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
    for (const T& t : items) other[next[key_of(t) >> kTopShift]++] = t;
  }
  auto bucket = [&](std::size_t b) {
    sort_bucket(other.data() + start[b], items.data() + start[b], start[b + 1] - start[b]);
  };
  if (n < kParallelMin) {
    for (std::size_t b = 0; b < kTopBuckets; ++b) bucket(b);
  } else {
    std::vector<std::size_t> busy;
    for (std::size_t b = 0; b < kTopBuckets; ++b)
      if (start[b + 1] > start[b]) busy.push_back(b);
    tbb::parallel_for(std::size_t{0}, busy.size(), [&](std::size_t i) { bucket(busy[i]); });
  }
  items.swap(other);
}

void check_size(std::size_t n) {
  if (n > UINT32_MAX)
    throw std::invalid_argument(
        "order: samples of more than 2^32 - 1 values are not supported, got " + std::to_string(n));
}

}  // namespace

void sort_ascending(double* x, std::size_t n) {
  if (n < kRadixMin) {
    std::sort(x, x + n);
    return;
  }
  check_size(n);
  // The key is a bijection of the value (up to the sign of zero), so only keys move.
  Buffer<std::uint64_t> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = key(x[i]);
  sorted(keys);
  for (std::size_t i = 0; i < n; ++i) x[i] = value(keys[i]);
}

Buffer<std::size_t> stable_order(const double* x, std::size_t n) {
  Buffer<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (n < kRadixMin) {
    std::stable_sort(order.begin(), order.end(),
                     [x](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    return order;
  }
  check_size(n);
  Buffer<Keyed> items(n);
  for (std::size_t i = 0; i < n; ++i) items[i] = {key(x[i]), static_cast<std::uint32_t>(i)};
  sorted(items);
  for (std::size_t i = 0; i < n; ++i) order[i] = items[i].position;
  return order;
}

std::vector<double> upper_sorted(const double* x, std::size_t n, std::size_t k,
                                 std::size_t* ties_below) {
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
  if (ties_below) {
    // Values under rank k are at most rank k's; those not kept are under the threshold, below
    // it, so the ties are among the kept ones in front of it.
    *ties_below = 0;
    if (k < n)
      for (auto it = kept.begin(); it != first; ++it) *ties_below += *it >= *first;
  }
  sort_ascending(kept.data() + (k - below), n - k);
  return std::vector<double>(first, kept.end());
}

}  // namespace cyberloss::order
