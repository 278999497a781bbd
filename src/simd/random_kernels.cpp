// Philox4x32-10 batches, 53-bit uniforms, frequency words and count thresholds for one
// instruction-set path (see kernels.hpp and isa.hpp). AVX2 and AVX-512 builds take the AVX2
// intrinsics below (the AVX-512 build with EVEX encodings, ternary logic and 32 registers);
// the baseline build takes a four-lane SSE2 Philox and plain loops that the compiler vectorises
// with SSE2 (other processors: scalar). Integer arithmetic is exact and the uniform conversion
// uses the same IEEE operations on every path, so all paths give Random123's scalar bits.
#include <cstring>
#include <type_traits>

#include "isa.hpp"
#include "left_pack.hpp"
#if defined(CYBERLOSS_KERNEL_SSE2)
#include <immintrin.h>
#endif

namespace cyberloss::simd::CYBERLOSS_SIMD_NS {
namespace {

constexpr std::uint32_t kM0 = 0xD2511F53u;
constexpr std::uint32_t kM1 = 0xCD9E8D57u;
constexpr std::uint32_t kW0 = 0x9E3779B9u;
constexpr std::uint32_t kW1 = 0xBB67AE85u;
// Counter word 1 of the frequency blocks (random.hpp).
constexpr std::uint32_t kFrequencyMark = 0x80000000u;
// The largest double below 1 (see random.cpp).
constexpr double kBelowOne = 0x1.fffffffffffffp-1;

inline std::size_t smaller(std::size_t a, std::size_t b) { return b < a ? b : a; }

// One Philox4x32-10 block in place: x = counter in, output words out.
inline void philox_one(std::uint32_t k0, std::uint32_t k1, std::uint32_t x[4]) {
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = std::uint64_t{x[0]} * kM0;
    const std::uint64_t p1 = std::uint64_t{x[2]} * kM1;
    const std::uint32_t y0 = static_cast<std::uint32_t>(p1 >> 32) ^ x[1] ^ k0;
    const std::uint32_t y2 = static_cast<std::uint32_t>(p0 >> 32) ^ x[3] ^ k1;
    x[1] = static_cast<std::uint32_t>(p1);
    x[3] = static_cast<std::uint32_t>(p0);
    x[0] = y0;
    x[2] = y2;
    k0 += kW0;
    k1 += kW1;
  }
}

// The uniform of one word pair, with the operations of the vector paths: the 53-bit integer is
// converted exactly through two 32-bit halves (the 2^52 exponent trick), then scaled.
inline double to_unit(std::uint32_t lo, std::uint32_t hi) {
  const std::uint64_t bits = (std::uint64_t{hi} << 32 | lo) >> 11;
  double top, bottom;
  const std::uint64_t t = (bits >> 32) | 0x4330000000000000ULL;
  const std::uint64_t b = (bits & 0xFFFFFFFFULL) | 0x4330000000000000ULL;
  std::memcpy(&top, &t, sizeof top);
  std::memcpy(&bottom, &b, sizeof bottom);
  const double value = (top - 0x1.0p52) * 0x1.0p32 + (bottom - 0x1.0p52);  // exact
  const double u = value * 0x1.0p-53 + 0x1.0p-54;
  return kBelowOne < u ? kBelowOne : u;
}

#if defined(CYBERLOSS_KERNEL_AVX2)
// 32x32->64 products of all eight lanes: returns (lo, hi) words in lane order.
inline void mulhilo8(__m256i x, __m256i m, __m256i& lo, __m256i& hi) {
  const __m256i even = _mm256_mul_epu32(x, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
#if defined(CYBERLOSS_KERNEL_AVX512)
  // Each word moved to its lane by a merge-masked in-lane shuffle: one instruction for each
  // of lo and hi instead of a shift and a blend.
  lo = _mm256_mask_shuffle_epi32(even, 0xAA, odd, static_cast<_MM_PERM_ENUM>(0xA0));
  hi = _mm256_mask_shuffle_epi32(odd, 0x55, even, static_cast<_MM_PERM_ENUM>(0xF5));
#else
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
#endif
}

// The 20 round keys of one Philox key, broadcast once per batch.
struct RoundKeys8 {
  __m256i k[10][2];
  RoundKeys8(std::uint32_t k0, std::uint32_t k1) {
    for (int round = 0; round < 10; ++round) {
      k[round][0] = _mm256_set1_epi32(static_cast<int>(k0));
      k[round][1] = _mm256_set1_epi32(static_cast<int>(k1));
      k0 += kW0;
      k1 += kW1;
    }
  }
};

// Philox4x32-10 on G groups of eight counters in place (x0..x3: counter words -> output
// words). One round is a chain of about eight dependent instructions; interleaving independent
// groups lets the core overlap their chains instead of waiting on each multiply.
template <int G>
inline void philox8(const RoundKeys8& keys, __m256i* x0, __m256i* x1, __m256i* x2, __m256i* x3) {
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kM0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(kM1));
  for (int round = 0; round < 10; ++round) {
    for (int g = 0; g < G; ++g) {
      __m256i lo0, hi0, lo1, hi1;
      mulhilo8(x0[g], m0, lo0, hi0);
      mulhilo8(x2[g], m1, lo1, hi1);
      x0[g] = _mm256_xor_si256(_mm256_xor_si256(hi1, x1[g]), keys.k[round][0]);
      x1[g] = lo1;
      x2[g] = _mm256_xor_si256(_mm256_xor_si256(hi0, x3[g]), keys.k[round][1]);
      x3[g] = lo0;
    }
  }
}
#elif defined(CYBERLOSS_KERNEL_SSE2)
// The same for four lanes with SSE2 (every x86-64 CPU): even and odd lanes' products merged
// with masks, as SSE2 has no blend.
inline void mulhilo4(__m128i x, __m128i m, __m128i& lo, __m128i& hi) {
  const __m128i low = _mm_set1_epi64x(0xFFFFFFFFLL);
  const __m128i even = _mm_mul_epu32(x, m);
  const __m128i odd = _mm_mul_epu32(_mm_srli_epi64(x, 32), m);
  lo = _mm_or_si128(_mm_and_si128(even, low), _mm_slli_epi64(odd, 32));
  hi = _mm_or_si128(_mm_srli_epi64(even, 32), _mm_andnot_si128(low, odd));
}

template <int G>
inline void philox4(std::uint32_t k0, std::uint32_t k1, __m128i* x0, __m128i* x1, __m128i* x2,
                    __m128i* x3) {
  const __m128i m0 = _mm_set1_epi32(static_cast<int>(kM0));
  const __m128i m1 = _mm_set1_epi32(static_cast<int>(kM1));
  for (int round = 0; round < 10; ++round) {
    const __m128i key0 = _mm_set1_epi32(static_cast<int>(k0));
    const __m128i key1 = _mm_set1_epi32(static_cast<int>(k1));
    for (int g = 0; g < G; ++g) {
      __m128i lo0, hi0, lo1, hi1;
      mulhilo4(x0[g], m0, lo0, hi0);
      mulhilo4(x2[g], m1, lo1, hi1);
      x0[g] = _mm_xor_si128(_mm_xor_si128(hi1, x1[g]), key0);
      x1[g] = lo1;
      x2[g] = _mm_xor_si128(_mm_xor_si128(hi0, x3[g]), key1);
      x3[g] = lo0;
    }
    k0 += kW0;
    k1 += kW1;
  }
}
#endif

}  // namespace

void philox(std::uint32_t k0, std::uint32_t k1, const std::uint32_t* const counter[4],
            std::size_t n, std::uint32_t* const out[4]) {
  std::size_t i = 0;
#if defined(CYBERLOSS_KERNEL_AVX2)
  if (n >= 8) {
    const RoundKeys8 keys(k0, k1);
    auto load = [&](int w, std::size_t at) {
      return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(counter[w] + at));
    };
    auto store = [&](int w, std::size_t at, __m256i v) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[w] + at), v);
    };
    for (; i + 16 <= n; i += 16) {
      __m256i x0[2] = {load(0, i), load(0, i + 8)}, x1[2] = {load(1, i), load(1, i + 8)};
      __m256i x2[2] = {load(2, i), load(2, i + 8)}, x3[2] = {load(3, i), load(3, i + 8)};
      philox8<2>(keys, x0, x1, x2, x3);
      for (int g = 0; g < 2; ++g) {
        store(0, i + 8 * g, x0[g]);
        store(1, i + 8 * g, x1[g]);
        store(2, i + 8 * g, x2[g]);
        store(3, i + 8 * g, x3[g]);
      }
    }
    for (; i + 8 <= n; i += 8) {
      __m256i x0 = load(0, i), x1 = load(1, i), x2 = load(2, i), x3 = load(3, i);
      philox8<1>(keys, &x0, &x1, &x2, &x3);
      store(0, i, x0);
      store(1, i, x1);
      store(2, i, x2);
      store(3, i, x3);
    }
  }
#elif defined(CYBERLOSS_KERNEL_SSE2)
  if (n >= 4) {
    auto load = [&](int w, std::size_t at) {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(counter[w] + at));
    };
    auto store = [&](int w, std::size_t at, __m128i v) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out[w] + at), v);
    };
    for (; i + 8 <= n; i += 8) {
      __m128i x0[2] = {load(0, i), load(0, i + 4)}, x1[2] = {load(1, i), load(1, i + 4)};
      __m128i x2[2] = {load(2, i), load(2, i + 4)}, x3[2] = {load(3, i), load(3, i + 4)};
      philox4<2>(k0, k1, x0, x1, x2, x3);
      for (int g = 0; g < 2; ++g) {
        store(0, i + 4 * g, x0[g]);
        store(1, i + 4 * g, x1[g]);
        store(2, i + 4 * g, x2[g]);
        store(3, i + 4 * g, x3[g]);
      }
    }
    for (; i + 4 <= n; i += 4) {
      __m128i x0 = load(0, i), x1 = load(1, i), x2 = load(2, i), x3 = load(3, i);
      philox4<1>(k0, k1, &x0, &x1, &x2, &x3);
      store(0, i, x0);
      store(1, i, x1);
      store(2, i, x2);
      store(3, i, x3);
    }
  }
#endif
  for (; i < n; ++i) {
    std::uint32_t x[4] = {counter[0][i], counter[1][i], counter[2][i], counter[3][i]};
    philox_one(k0, k1, x);
    for (int w = 0; w < 4; ++w) out[w][i] = x[w];
  }
}

void unit_uniforms(const std::uint32_t* lo, const std::uint32_t* hi, std::size_t n, double* out) {
  std::size_t i = 0;
#if defined(CYBERLOSS_KERNEL_AVX2)
  const __m256i exp52 = _mm256_set1_epi64x(0x4330000000000000LL);
  const __m256i low32 = _mm256_set1_epi64x(0xFFFFFFFFLL);
  const __m256d two52 = _mm256_set1_pd(0x1.0p52), two32 = _mm256_set1_pd(0x1.0p32);
  const __m256d scale = _mm256_set1_pd(0x1.0p-53), half = _mm256_set1_pd(0x1.0p-54);
  const __m256d below_one = _mm256_set1_pd(kBelowOne);
  for (; i + 4 <= n; i += 4) {
    const __m256i l =
        _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(lo + i)));
    const __m256i h =
        _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(hi + i)));
    const __m256i bits = _mm256_or_si256(_mm256_slli_epi64(h, 21), _mm256_srli_epi64(l, 11));
    const __m256d top = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(bits, 32), exp52)), two52);
    const __m256d bottom = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(bits, low32), exp52)), two52);
    const __m256d value = _mm256_add_pd(_mm256_mul_pd(top, two32), bottom);  // exact
    _mm256_storeu_pd(out + i,
                     _mm256_min_pd(_mm256_add_pd(_mm256_mul_pd(value, scale), half), below_one));
  }
#endif
  for (; i < n; ++i) out[i] = to_unit(lo[i], hi[i]);
}

void uniform_runs(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                  const std::uint32_t* counts, std::size_t n, double* out) {
  constexpr std::size_t B = 256;  // Philox blocks per batch, a multiple of 8
  alignas(32) std::uint32_t c[4][B], r[4][B];
  std::uint32_t lo[2 * B + 8], hi[2 * B + 8];
  std::uint32_t take[B];
  const std::uint32_t* const cin[4] = {c[0], c[1], c[2], c[3]};
  std::uint32_t* const rout[4] = {r[0], r[1], r[2], r[3]};
  for (std::size_t b = 0; b < B; ++b) c[1][b] = 0;  // draw / 2 < 2^31
  std::size_t m = 0, pos = 0;
  auto flush = [&] {
    // Whole groups of eight: the padding lanes get counter 0, their output is unused.
    const std::size_t padded = (m + 7) / 8 * 8;
    for (std::size_t b = m; b < padded; ++b) c[0][b] = c[2][b] = c[3][b] = 0;
    philox(seed, stream, cin, padded, rout);
    std::size_t staged = 0, b = 0;
#if defined(CYBERLOSS_KERNEL_AVX512)
    // Eight blocks at a time: their sixteen (lo, hi) candidates interleaved in block order and
    // compressed in registers by take.
    const __m512i words = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i twice = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    const __m512i parity16 = _mm512_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1);
    auto pairs16 = [&](const std::uint32_t* even, const std::uint32_t* odd) {
      return _mm512_permutex2var_epi32(
          _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(even))), words,
          _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(odd))));
    };
    for (; b + 8 <= m; b += 8) {
      const __m512i t = _mm512_permutexvar_epi32(
          twice,
          _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(take + b))));
      const __mmask16 keep = _mm512_cmpgt_epi32_mask(t, parity16);
      _mm512_storeu_si512(lo + staged,
                          _mm512_maskz_compress_epi32(keep, pairs16(r[0] + b, r[2] + b)));
      _mm512_storeu_si512(hi + staged,
                          _mm512_maskz_compress_epi32(keep, pairs16(r[1] + b, r[3] + b)));
      staged += popcount(keep);
    }
#endif
#if defined(CYBERLOSS_KERNEL_AVX2)
    // Four blocks at a time: their eight (lo, hi) candidates, left-packed by take.
    const __m256i parity = _mm256_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1);
    auto pairs = [](const std::uint32_t* even, const std::uint32_t* odd) {
      const __m128i e = _mm_loadu_si128(reinterpret_cast<const __m128i*>(even));
      const __m128i o = _mm_loadu_si128(reinterpret_cast<const __m128i*>(odd));
      return _mm256_set_m128i(_mm_unpackhi_epi32(e, o), _mm_unpacklo_epi32(e, o));
    };
    for (; b + 4 <= m; b += 4) {
      const __m256i t = pairs(take + b, take + b);  // take of each candidate's block
      const unsigned mask = static_cast<unsigned>(
          _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(t, parity))));
      const __m256i perm = _mm256_cvtepu8_epi32(
          _mm_loadl_epi64(reinterpret_cast<const __m128i*>(kLeftPack.lanes[mask])));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(lo + staged),
                          _mm256_permutevar8x32_epi32(pairs(r[0] + b, r[2] + b), perm));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(hi + staged),
                          _mm256_permutevar8x32_epi32(pairs(r[1] + b, r[3] + b), perm));
      staged += static_cast<std::size_t>(popcount(mask));
    }
#endif
    for (; b < m; ++b) {
      lo[staged] = r[0][b];
      hi[staged] = r[1][b];
      lo[staged + 1] = r[2][b];
      hi[staged + 1] = r[3][b];
      staged += take[b];
    }
    unit_uniforms(lo, hi, staged, out + pos);
    pos += staged;
    m = 0;
  };
  for (std::size_t h = 0; h < n; ++h) {
#if defined(CYBERLOSS_KERNEL_AVX2)
    // Runs of at most two draws each (the usual case) take one block each, set up eight at a
    // time: all eight lanes are written, and those up to the first longer run are kept. That
    // run (and any run left over at the end) goes the scalar way below.
    const __m256i two = _mm256_set1_epi32(2);
    while (h + 8 <= n) {
      const __m256i cnt = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(counts + h));
      const unsigned longer = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(
                                  _mm256_cmpeq_epi32(_mm256_max_epu32(cnt, two), two)))) ^
                              0xFFu;
      const std::size_t keep = longer ? lowest_bit(longer) : 8;
      if (keep == 0) break;
      if (m + 8 > B) flush();
      // The low and high words of eight 64-bit years.
      const __m256i split = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
      const __m256i a = _mm256_permutevar8x32_epi32(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(years + h)), split);
      const __m256i z = _mm256_permutevar8x32_epi32(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(years + h + 4)), split);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(c[0] + m), _mm256_setzero_si256());
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(c[2] + m),
                          _mm256_permute2x128_si256(a, z, 0x20));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(c[3] + m),
                          _mm256_permute2x128_si256(a, z, 0x31));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(take + m), cnt);  // 0, 1 or 2 draws
      m += keep;
      h += keep;
      if (m == B) flush();
      if (keep < 8) break;
    }
    if (h >= n) break;
#endif
    const std::uint64_t year = years[h];
    const std::uint32_t count = counts[h];
    if (count <= 2) {  // the usual case: one block
      if (count == 0) continue;
      c[0][m] = 0;
      c[2][m] = static_cast<std::uint32_t>(year);
      c[3][m] = static_cast<std::uint32_t>(year >> 32);
      take[m] = count;
      if (++m == B) flush();
      continue;
    }
    for (std::uint32_t j = 0; 2 * static_cast<std::uint64_t>(j) < count; ++j) {
      c[0][m] = j;
      c[2][m] = static_cast<std::uint32_t>(year);
      c[3][m] = static_cast<std::uint32_t>(year >> 32);
      take[m] = count - 2 * j >= 2 ? 2 : 1;
      if (++m == B) flush();
    }
  }
  if (m) flush();
}

void uniform_range(std::uint32_t seed, std::uint32_t stream, std::uint64_t year,
                   std::uint64_t first, std::size_t n, double* out) {
  std::size_t done = 0;
  if (n && (first & 1)) {
    const std::uint64_t block = first >> 1;
    std::uint32_t x[4] = {static_cast<std::uint32_t>(block),
                          static_cast<std::uint32_t>(block >> 32), static_cast<std::uint32_t>(year),
                          static_cast<std::uint32_t>(year >> 32)};
    philox_one(seed, stream, x);
    out[done++] = to_unit(x[2], x[3]);
  }
  constexpr std::size_t B = 256;  // Philox blocks per batch
  alignas(32) std::uint32_t c[4][B], r[4][B];
  std::uint32_t lo[2 * B], hi[2 * B];
  const std::uint32_t* const cin[4] = {c[0], c[1], c[2], c[3]};
  std::uint32_t* const rout[4] = {r[0], r[1], r[2], r[3]};
  while (done < n) {
    const std::uint64_t b0 = (first + done) >> 1;  // first + done is even here
    const std::size_t m = smaller(B, (n - done + 1) / 2);
    for (std::size_t j = 0; j < m; ++j) {
      const std::uint64_t block = b0 + j;
      c[0][j] = static_cast<std::uint32_t>(block);
      c[1][j] = static_cast<std::uint32_t>(block >> 32);
      c[2][j] = static_cast<std::uint32_t>(year);
      c[3][j] = static_cast<std::uint32_t>(year >> 32);
    }
    philox(seed, stream, cin, m, rout);
    for (std::size_t j = 0; j < m; ++j) {
      lo[2 * j] = r[0][j];
      hi[2 * j] = r[1][j];
      lo[2 * j + 1] = r[2][j];
      hi[2 * j + 1] = r[3][j];
    }
    const std::size_t take = smaller(2 * m, n - done);
    unit_uniforms(lo, hi, take, out + done);
    done += take;
  }
}

void frequency_words(std::uint32_t seed, std::uint32_t stream, std::uint64_t y0, std::size_t n,
                     std::uint32_t* hi) {
  if (n == 0) return;
  const std::uint64_t y1 = y0 + n;
  // Groups of four years; a group cut by either end of [y0, y1) is done on its own.
  auto one_group = [&](std::uint64_t g) {
    std::uint32_t w[4] = {0, kFrequencyMark, static_cast<std::uint32_t>(g),
                          static_cast<std::uint32_t>(g >> 32)};
    philox_one(seed, stream, w);
    for (std::uint64_t j = 0; j < 4; ++j) {
      const std::uint64_t y = 4 * g + j;
      if (y >= y0 && y < y1) hi[y - y0] = w[j];
    }
  };
  std::uint64_t g = (y0 + 3) >> 2;      // first whole group
  const std::uint64_t g_end = y1 >> 2;  // whole groups end
  if (g > g_end) {                      // [y0, y1) inside one group
    one_group(y0 >> 2);
    return;
  }
  if (y0 & 3) one_group(y0 >> 2);
#if defined(CYBERLOSS_KERNEL_AVX2)
  if (g + 8 <= g_end) {
    // Eight groups per Philox call, transposed in registers to 32 consecutive years.
    const RoundKeys8 keys(seed, stream);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mark = _mm256_set1_epi32(static_cast<int>(kFrequencyMark));
    // Sixteen groups (two interleaved Philox calls) per step, then eight.
    auto step = [&](auto groups) {
      constexpr int G = decltype(groups)::value;
      __m256i x0[G], x1[G], x2[G], x3[G];
      for (int k = 0; k < G; ++k) {
        x0[k] = _mm256_setzero_si256();
        x1[k] = mark;
        x2[k] =
            _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>((g + 8 * k) & 0xFFFFFFFFu)), lane);
        x3[k] = _mm256_set1_epi32(static_cast<int>(g >> 32));
      }
      philox8<G>(keys, x0, x1, x2, x3);
      for (int k = 0; k < G; ++k) {
        const __m256i t0 = _mm256_unpacklo_epi32(x0[k], x1[k]),
                      t1 = _mm256_unpackhi_epi32(x0[k], x1[k]);
        const __m256i t2 = _mm256_unpacklo_epi32(x2[k], x3[k]),
                      t3 = _mm256_unpackhi_epi32(x2[k], x3[k]);
        const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
        const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
        auto* dst = reinterpret_cast<__m256i*>(hi + (4 * (g + 8 * k) - y0));
        _mm256_storeu_si256(dst + 0, _mm256_permute2x128_si256(u0, u1, 0x20));
        _mm256_storeu_si256(dst + 1, _mm256_permute2x128_si256(u2, u3, 0x20));
        _mm256_storeu_si256(dst + 2, _mm256_permute2x128_si256(u0, u1, 0x31));
        _mm256_storeu_si256(dst + 3, _mm256_permute2x128_si256(u2, u3, 0x31));
      }
      g += 8 * G;
    };
    // Lanes must not straddle a carry of the counter's low word.
    while (g + 16 <= g_end && (g & 0xFFFFFFFFu) <= 0xFFFFFFF0u)
      step(std::integral_constant<int, 2>{});
    while (g + 8 <= g_end && (g & 0xFFFFFFFFu) <= 0xFFFFFFF8u)
      step(std::integral_constant<int, 1>{});
  }
#else
  // Up to 64 groups per batch: counters in columns, one vectorised Philox pass, then each
  // block's four words to its four years.
  constexpr std::size_t B = 64;
  std::uint32_t c[4][B], r[4][B];
  const std::uint32_t* const cin[4] = {c[0], c[1], c[2], c[3]};
  std::uint32_t* const rout[4] = {r[0], r[1], r[2], r[3]};
  while (g < g_end) {
    const std::size_t m = smaller(B, static_cast<std::size_t>(g_end - g));
    for (std::size_t j = 0; j < m; ++j) {
      c[0][j] = 0;
      c[1][j] = kFrequencyMark;
      c[2][j] = static_cast<std::uint32_t>(g + j);
      c[3][j] = static_cast<std::uint32_t>((g + j) >> 32);
    }
    philox(seed, stream, cin, m, rout);
    std::uint32_t* dst = hi + (4 * g - y0);
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t w = 0; w < 4; ++w) dst[4 * j + w] = r[w][j];
    g += m;
  }
#endif
  for (; g < g_end; ++g) one_group(g);
  if (y1 & 3) one_group(y1 >> 2);
}

namespace {

#if defined(CYBERLOSS_KERNEL_AVX2)
// quick_counts for M <= 8 thresholds (held in registers). With the count k of thresholds below
// H, a tie can only be with threshold k (the first one >= H).
template <std::size_t M>
std::size_t count8(const std::int32_t* quick, const std::uint32_t* hi, std::size_t n,
                   std::uint32_t* out, std::uint32_t* exact, std::size_t& n_exact) {
  alignas(32) std::int32_t padded[8];
  for (std::size_t j = 0; j < 8; ++j) padded[j] = j < M ? quick[j] : quick[M - 1];
  const __m256i all = _mm256_load_si256(reinterpret_cast<const __m256i*>(padded));
  __m256i t[M];
  for (std::size_t j = 0; j < M; ++j) t[j] = _mm256_set1_epi32(quick[j]);
  const __m256i sign = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  const __m256i vm = _mm256_set1_epi32(static_cast<int>(M));
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i h =
        _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(hi + i)), sign);
    __m256i k = _mm256_setzero_si256();
    for (std::size_t j = 0; j < M; ++j) k = _mm256_sub_epi32(k, _mm256_cmpgt_epi32(h, t[j]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), k);
    const __m256i tie = _mm256_cmpeq_epi32(h, _mm256_permutevar8x32_epi32(all, k));
    const __m256i bad = _mm256_or_si256(tie, _mm256_cmpeq_epi32(k, vm));
    for (unsigned mask = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(bad))); mask;
         mask &= mask - 1)
      exact[n_exact++] = static_cast<std::uint32_t>(i + static_cast<std::size_t>(lowest_bit(mask)));
  }
  return i;
}
#endif

}  // namespace

std::size_t quick_counts(const std::int32_t* quick, std::size_t m, const std::uint32_t* hi,
                         std::size_t n, std::uint32_t* out, std::uint32_t* exact) {
  std::size_t i = 0, n_exact = 0;
#if defined(CYBERLOSS_KERNEL_AVX2)
  switch (m) {
    case 1:
      i = count8<1>(quick, hi, n, out, exact, n_exact);
      break;
    case 2:
      i = count8<2>(quick, hi, n, out, exact, n_exact);
      break;
    case 3:
      i = count8<3>(quick, hi, n, out, exact, n_exact);
      break;
    case 4:
      i = count8<4>(quick, hi, n, out, exact, n_exact);
      break;
    case 5:
      i = count8<5>(quick, hi, n, out, exact, n_exact);
      break;
    case 6:
      i = count8<6>(quick, hi, n, out, exact, n_exact);
      break;
    case 7:
      i = count8<7>(quick, hi, n, out, exact, n_exact);
      break;
    case 8:
      i = count8<8>(quick, hi, n, out, exact, n_exact);
      break;
    default: {
      const __m256i sign = _mm256_set1_epi32(static_cast<int>(0x80000000u));
      const __m256i vm = _mm256_set1_epi32(static_cast<int>(m));
      for (; i + 8 <= n; i += 8) {
        const __m256i h =
            _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(hi + i)), sign);
        __m256i k = _mm256_setzero_si256(), tie = _mm256_setzero_si256();
        for (std::size_t j = 0; j < m; ++j) {
          const __m256i t = _mm256_set1_epi32(quick[j]);
          k = _mm256_sub_epi32(k, _mm256_cmpgt_epi32(h, t));
          tie = _mm256_or_si256(tie, _mm256_cmpeq_epi32(h, t));
        }
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), k);
        const __m256i bad = _mm256_or_si256(tie, _mm256_cmpeq_epi32(k, vm));
        for (unsigned mask = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(bad)));
             mask; mask &= mask - 1)
          exact[n_exact++] =
              static_cast<std::uint32_t>(i + static_cast<std::size_t>(lowest_bit(mask)));
      }
    }
  }
#else
  // Plain lanes (vectorised by the compiler, one threshold at a time over a chunk of words):
  // the count of thresholds below each word and whether one equals it, then the undecided
  // positions in order.
  constexpr std::size_t B = 256;
  std::int32_t h[B];
  std::uint32_t tie[B];
  for (; i < n; i += B) {
    const std::size_t len = smaller(B, n - i);
    std::uint32_t* k = out + i;
    for (std::size_t l = 0; l < len; ++l) {
      h[l] = static_cast<std::int32_t>(hi[i + l] ^ 0x80000000u);
      k[l] = 0;
      tie[l] = 0;
    }
    for (std::size_t j = 0; j < m; ++j) {
      const std::int32_t q = quick[j];
      for (std::size_t l = 0; l < len; ++l) {
        k[l] += h[l] > q;
        tie[l] |= h[l] == q;
      }
    }
    for (std::size_t l = 0; l < len; ++l) {
      exact[n_exact] = static_cast<std::uint32_t>(i + l);
      n_exact += tie[l] | (k[l] == m);
    }
  }
#endif
  for (; i < n; ++i) {
    const std::int32_t h = static_cast<std::int32_t>(hi[i] ^ 0x80000000u);
    std::uint32_t k = 0;
    bool tie = false;
    for (std::size_t j = 0; j < m; ++j) {
      k += h > quick[j];
      tie |= h == quick[j];
    }
    out[i] = k;
    exact[n_exact] = static_cast<std::uint32_t>(i);
    n_exact += tie || k == m;
  }
  return n_exact;
}

}  // namespace cyberloss::simd::CYBERLOSS_SIMD_NS
