// The normal quantile, exp and log over arrays for one instruction-set path (see kernels.hpp).
// Each loop applies math.hpp's element functions, which the compiler vectorises for the
// path's target: the same IEEE operations per element everywhere, so the same bits.
#include "isa.hpp"
#include "math.hpp"
#if defined(CYBERLOSS_KERNEL_AVX2)
#include <immintrin.h>
#endif

namespace cyberloss::simd::CYBERLOSS_SIMD_NS {

namespace {

// The normal quantile of a chunk of m <= kChunk probabilities (buf, in cache) into out: the
// central formula for every element (vectorised), then the tails (about 15% of uniforms)
// gathered into a column, computed as a vector and scattered back.
constexpr std::size_t kChunk = 256;
// The central formula's block (math.hpp's exp_block says why blocks): 16 measured best on AVX2,
// 8 and 32 slower than the plain loop or barely faster.
constexpr std::size_t kCentralBlock = 16;

// out[i] = exp(arg(i)) for i < n, through exp_block; a block's arguments are taken before its
// results are stored, so arg may read out. A last partial block is padded with copies of its
// first argument.
template <class Arg>
void exp_blocks(std::size_t n, double* out, Arg arg) {
  alignas(64) double x[kExpBlock];
  std::size_t i = 0;
  for (; i + kExpBlock <= n; i += kExpBlock) {
    for (std::size_t j = 0; j < kExpBlock; ++j) x[j] = arg(i + j);
    exp_block<kExpBlock>(x, out + i);
  }
  if (i == n) return;
  for (std::size_t j = 0; j < kExpBlock; ++j) x[j] = arg(i + j < n ? i + j : i);
  exp_block<kExpBlock>(x, x);
  for (std::size_t j = 0; i + j < n; ++j) out[i + j] = x[j];
}

void quantile_chunk(const double* buf, std::size_t m, double* out) {
  alignas(64) double tail_p[kChunk], tail_z[kChunk];
  std::uint32_t tails[kChunk + 4];
  std::size_t c = 0;
  for (; c + kCentralBlock <= m; c += kCentralBlock)
    normal_central_block<kCentralBlock>(buf + c, out + c);
  for (; c < m; ++c) out[c] = normal_central(buf[c]);
  std::size_t nt = 0, i0 = 0;
#if defined(CYBERLOSS_KERNEL_AVX2)
  // For each 4-bit mask, the lanes of its set bits in order (left-packing).
  alignas(16) static constexpr std::uint32_t pack[16][4] = {
      {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {2, 0, 0, 0}, {0, 2, 0, 0},
      {1, 2, 0, 0}, {0, 1, 2, 0}, {3, 0, 0, 0}, {0, 3, 0, 0}, {1, 3, 0, 0}, {0, 1, 3, 0},
      {2, 3, 0, 0}, {0, 2, 3, 0}, {1, 2, 3, 0}, {0, 1, 2, 3}};
  const __m256d half = _mm256_set1_pd(0.5), bound = _mm256_set1_pd(0.425);
  const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFFLL));
  for (; i0 + 4 <= m; i0 += 4) {
    const __m256d q = _mm256_and_pd(_mm256_sub_pd(_mm256_loadu_pd(buf + i0), half), abs_mask);
    const int mask = _mm256_movemask_pd(_mm256_cmp_pd(q, bound, _CMP_GT_OQ));
    const __m128i lanes = _mm_load_si128(reinterpret_cast<const __m128i*>(pack[mask]));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(tails + nt),
                     _mm_add_epi32(lanes, _mm_set1_epi32(static_cast<int>(i0))));
    nt += static_cast<std::size_t>(popcount(static_cast<unsigned>(mask)));
  }
#endif
  for (std::size_t i = i0; i < m; ++i) {
    tails[nt] = static_cast<std::uint32_t>(i);
    nt += normal_in_tail(buf[i]);
  }
  for (std::size_t j = 0; j < nt; ++j) tail_p[j] = buf[tails[j]];
  for (std::size_t j = 0; j < nt; ++j) tail_z[j] = normal_tail(tail_p[j]);
  for (std::size_t j = 0; j < nt; ++j) out[tails[j]] = tail_z[j];
}

}  // namespace

void inverse_normal_cdf(const double* p, double* z, std::size_t n) {
  // The chunk copy lets p and z be the same array.
  alignas(64) double buf[kChunk];
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t m = n - start < kChunk ? n - start : kChunk;
    for (std::size_t i = 0; i < m; ++i) buf[i] = p[start + i];
    quantile_chunk(buf, m, z + start);
  }
}

void lognormal_quantile(const double* u, double mu, double sigma, double* out, std::size_t n) {
  // Chunk by chunk, so that the normal quantiles are still in L1 cache for exp.
  alignas(64) double buf[kChunk], z[kChunk];
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t m = n - start < kChunk ? n - start : kChunk;
    for (std::size_t i = 0; i < m; ++i) buf[i] = u[start + i];
    quantile_chunk(buf, m, z);
    exp_blocks(m, out + start, [&](std::size_t i) { return mu + sigma * z[i]; });
  }
}

void exp_affine(const double* z, double mu, double sigma, double* out, std::size_t n) {
  exp_blocks(n, out, [&](std::size_t i) { return mu + sigma * z[i]; });
}

void exp(const double* x, double* out, std::size_t n) {
  exp_blocks(n, out, [&](std::size_t i) { return x[i]; });
}

void log(const double* x, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = log_element(x[i]);
}

}  // namespace cyberloss::simd::CYBERLOSS_SIMD_NS
