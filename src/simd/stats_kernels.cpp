// The statistics' passes over whole samples for one instruction-set path (see kernels.hpp): the
// pairwise sum, the central sums of the moments, a retention option's three sums over a leaf
// and the threshold filter of the order statistics. Each sums in one fixed order, lane by lane,
// with the same IEEE operations on every path (vector lanes are the eight interleaved accumulators
// of the scalar loops), so the bits do not depend on the path.
#include "isa.hpp"
#if defined(CYBERLOSS_KERNEL_AVX2)
#include <immintrin.h>
#endif

namespace cyberloss::simd::CYBERLOSS_SIMD_NS {
namespace {

// Blocks of at most this many values are summed with eight interleaved accumulators; longer
// runs are split in halves (NumPy's pairwise summation).
constexpr std::size_t kLeaf = 128;

inline double fold(const double* r) {
  return ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
}

// A block of 8 <= n <= kLeaf values: lane l sums x[l], x[l + 8], ..., the leftover values
// follow the fold one by one.
double leaf_sum(const double* x, std::size_t n) {
  alignas(32) double r[8];
  std::size_t i = 8;
#if defined(CYBERLOSS_KERNEL_AVX2)
  __m256d a = _mm256_loadu_pd(x), b = _mm256_loadu_pd(x + 4);
  for (; i + 8 <= n; i += 8) {
    a = _mm256_add_pd(a, _mm256_loadu_pd(x + i));
    b = _mm256_add_pd(b, _mm256_loadu_pd(x + i + 4));
  }
  _mm256_store_pd(r, a);
  _mm256_store_pd(r + 4, b);
#else
  for (std::size_t l = 0; l < 8; ++l) r[l] = x[l];
  for (; i + 8 <= n; i += 8)
    for (std::size_t l = 0; l < 8; ++l) r[l] += x[i + l];
#endif
  double s = fold(r);
  for (; i < n; ++i) s += x[i];
  return s;
}

struct Sums {
  double s2, s3, s4;
};

// A block of n <= kLeaf values: lane l accumulates (x - mean)^k of x[l], x[l + 8], ..., and
// the leftover values go to lanes 0, 1, ... before the fold. Without Higher only k = 2 (the
// others are left 0): the same operations for s2, so the same bits.
template <bool Higher>
Sums leaf_central(const double* x, std::size_t n, double mean) {
  alignas(32) double r2[8] = {}, r3[8] = {}, r4[8] = {};
  std::size_t i = 0;
#if defined(CYBERLOSS_KERNEL_AVX2)
  const __m256d m = _mm256_set1_pd(mean);
  __m256d a2 = _mm256_setzero_pd(), b2 = a2, a3 = a2, b3 = a2, a4 = a2, b4 = a2;
  for (; i + 8 <= n; i += 8) {
    const __m256d ea = _mm256_sub_pd(_mm256_loadu_pd(x + i), m);
    const __m256d eb = _mm256_sub_pd(_mm256_loadu_pd(x + i + 4), m);
    const __m256d ea2 = _mm256_mul_pd(ea, ea), eb2 = _mm256_mul_pd(eb, eb);
    a2 = _mm256_add_pd(a2, ea2);
    b2 = _mm256_add_pd(b2, eb2);
    if constexpr (Higher) {
      a3 = _mm256_add_pd(a3, _mm256_mul_pd(ea2, ea));
      b3 = _mm256_add_pd(b3, _mm256_mul_pd(eb2, eb));
      a4 = _mm256_add_pd(a4, _mm256_mul_pd(ea2, ea2));
      b4 = _mm256_add_pd(b4, _mm256_mul_pd(eb2, eb2));
    }
  }
  _mm256_store_pd(r2, a2);
  _mm256_store_pd(r2 + 4, b2);
  _mm256_store_pd(r3, a3);
  _mm256_store_pd(r3 + 4, b3);
  _mm256_store_pd(r4, a4);
  _mm256_store_pd(r4 + 4, b4);
#else
  for (; i + 8 <= n; i += 8)
    for (std::size_t l = 0; l < 8; ++l) {
      const double e = x[i + l] - mean, e2 = e * e;
      r2[l] += e2;
      if constexpr (Higher) {
        r3[l] += e2 * e;
        r4[l] += e2 * e2;
      }
    }
#endif
  for (std::size_t l = 0; i < n; ++i, ++l) {
    const double e = x[i] - mean, e2 = e * e;
    r2[l] += e2;
    if constexpr (Higher) {
      r3[l] += e2 * e;
      r4[l] += e2 * e2;
    }
  }
  if constexpr (Higher) return {fold(r2), fold(r3), fold(r4)};
  return {fold(r2), 0.0, 0.0};
}

template <bool Higher>
Sums central(const double* x, std::size_t n, double mean) {
  if (n <= kLeaf) return leaf_central<Higher>(x, n, mean);
  const std::size_t h = n / 2;
  const Sums a = central<Higher>(x, h, mean), b = central<Higher>(x + h, n - h, mean);
  return {a.s2 + b.s2, a.s3 + b.s3, a.s4 + b.s4};
}

#if defined(CYBERLOSS_KERNEL_AVX2)
// For each 4-bit lane mask, the 32-bit element indices that move its set double lanes to the
// front, in order (left-packing of four doubles with one permutation).
struct PackDoubles {
  alignas(32) std::int32_t idx[16][8];
  constexpr PackDoubles() : idx{} {
    for (unsigned mask = 0; mask < 16; ++mask)
      for (unsigned lane = 0, j = 0; lane < 4; ++lane)
        if (mask >> lane & 1) {
          idx[mask][2 * j] = static_cast<std::int32_t>(2 * lane);
          idx[mask][2 * j + 1] = static_cast<std::int32_t>(2 * lane + 1);
          ++j;
        }
  }
};
constexpr PackDoubles kPackDoubles{};

inline std::size_t pack4(__m256d v, unsigned mask, double* out) {
  const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kPackDoubles.idx[mask]));
  _mm256_storeu_pd(out, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(v), perm)));
  return popcount(mask);
}
#endif

}  // namespace

double pairwise_sum(const double* x, std::size_t n) {
  if (n < 8) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += x[i];
    return s;
  }
  if (n <= kLeaf) return leaf_sum(x, n);
  std::size_t h = n / 2;
  h -= h % 8;
  return pairwise_sum(x, h) + pairwise_sum(x + h, n - h);
}

void central_sums(const double* x, std::size_t n, double mean, double* out, bool higher) {
  if (!higher) {
    out[0] = central<false>(x, n, mean).s2;
    return;
  }
  const Sums s = central<true>(x, n, mean);
  out[0] = s.s2;
  out[1] = s.s3;
  out[2] = s.s4;
}

void retention_sums(const double* gross, const double* insured, double weight, std::size_t n,
                    double* out) {
  double s[3] = {0.0, 0.0, 0.0};
  std::size_t i = 0;
  if (n >= 8) {
    // Lane l takes the terms of years l, l + 8, ... (the first eight as they are), then the
    // fold; the leftover years follow one by one, as pairwise_sums_of's leaves.
    alignas(64) double r[3][8];
#if defined(CYBERLOSS_KERNEL_AVX512)
    const __m512d w = _mm512_set1_pd(weight);
    __m512d x = _mm512_loadu_pd(insured);
    __m512d a = _mm512_sub_pd(_mm512_loadu_pd(gross), x), b = x, c = _mm512_mul_pd(w, x);
    for (i = 8; i + 8 <= n; i += 8) {
      x = _mm512_loadu_pd(insured + i);
      a = _mm512_add_pd(a, _mm512_sub_pd(_mm512_loadu_pd(gross + i), x));
      b = _mm512_add_pd(b, x);
      c = _mm512_add_pd(c, _mm512_mul_pd(w, x));
    }
    _mm512_store_pd(r[0], a);
    _mm512_store_pd(r[1], b);
    _mm512_store_pd(r[2], c);
#else
    for (std::size_t l = 0; l < 8; ++l) {
      r[0][l] = gross[l] - insured[l];
      r[1][l] = insured[l];
      r[2][l] = weight * insured[l];
    }
    for (i = 8; i + 8 <= n; i += 8)
      for (std::size_t l = 0; l < 8; ++l) {
        const double x = insured[i + l];
        r[0][l] += gross[i + l] - x;
        r[1][l] += x;
        r[2][l] += weight * x;
      }
#endif
    for (std::size_t k = 0; k < 3; ++k) s[k] = fold(r[k]);
  }
  for (; i < n; ++i) {
    s[0] += gross[i] - insured[i];
    s[1] += insured[i];
    s[2] += weight * insured[i];
  }
  for (std::size_t k = 0; k < 3; ++k) out[k] = s[k];
}

std::size_t keep_at_least(const double* x, std::size_t n, double threshold, double* out) {
  std::size_t c = 0, i = 0;
#if defined(CYBERLOSS_KERNEL_AVX2)
  // Few values pass in the usual use (the upper tail): eight are tested at once and packed only
  // when one passes. Every store lies within out[0, i + 8), since c <= i.
  const __m256d t = _mm256_set1_pd(threshold);
  for (; i + 8 <= n; i += 8) {
    const __m256d a = _mm256_loadu_pd(x + i), b = _mm256_loadu_pd(x + i + 4);
    const auto ma = static_cast<unsigned>(_mm256_movemask_pd(_mm256_cmp_pd(a, t, _CMP_NLT_UQ)));
    const auto mb = static_cast<unsigned>(_mm256_movemask_pd(_mm256_cmp_pd(b, t, _CMP_NLT_UQ)));
    if ((ma | mb) == 0) continue;
    c += pack4(a, ma, out + c);
    c += pack4(b, mb, out + c);
  }
#endif
  // Branch-free: every value is written, the cursor advances only for kept ones.
  for (; i < n; ++i) {
    out[c] = x[i];
    c += static_cast<std::size_t>(!(x[i] < threshold));
  }
  return c;
}

}  // namespace cyberloss::simd::CYBERLOSS_SIMD_NS
