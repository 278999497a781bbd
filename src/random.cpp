#include "cyberloss/random.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#if defined(__AVX2__)
#include <immintrin.h>
#endif
#include <stdexcept>
#include <string>
#include <type_traits>

#include "cyberloss/distributions.hpp"
#include "cyberloss/vecmath.hpp"
#include "left_pack.hpp"

namespace cyberloss {
namespace {

constexpr std::uint32_t kM0 = 0xD2511F53u;
constexpr std::uint32_t kM1 = 0xCD9E8D57u;
constexpr std::uint32_t kW0 = 0x9E3779B9u;
constexpr std::uint32_t kW1 = 0xBB67AE85u;

// The largest double below 1. Above 1/2 the spacing of doubles is 2^-53, so adding 2^-54
// rounds, and the largest 53-bit word would round up to exactly 1.
constexpr double kBelowOne = 0x1.fffffffffffffp-1;

inline double to_unit(std::uint32_t lo, std::uint32_t hi) {
  const std::uint64_t bits = (std::uint64_t{hi} << 32 | lo) >> 11;
  return std::min(static_cast<double>(bits) * 0x1.0p-53 + 0x1.0p-54, kBelowOne);
}

inline std::array<std::uint32_t, 4> counter_for(std::uint64_t year, std::uint64_t block) {
  return {static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
          static_cast<std::uint32_t>(year), static_cast<std::uint32_t>(year >> 32)};
}

}  // namespace

std::uint32_t stream_id(std::uint32_t purpose, std::uint32_t index) {
  if (purpose == 0 || purpose > 0xFFFFu)
    throw std::invalid_argument("purpose must be in [1, 65535], got " + std::to_string(purpose));
  if (index > 0xFFFFu)
    throw std::invalid_argument("stream index must be in [0, 65535], got " + std::to_string(index));
  return purpose << 16 | index;
}

std::uint32_t stream_id(Purpose purpose, std::uint32_t index) {
  return stream_id(static_cast<std::uint32_t>(purpose), index);
}

std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                           std::array<std::uint32_t, 2> key) {
  r123::Philox4x32_R<10> rng;
  r123::Philox4x32_R<10>::ctr_type c = {{counter[0], counter[1], counter[2], counter[3]}};
  r123::Philox4x32_R<10>::key_type k = {{key[0], key[1]}};
  const auto r = rng(c, k);
  return {r[0], r[1], r[2], r[3]};
}

double uniform_at(std::uint32_t seed, std::uint32_t stream, std::uint64_t year,
                  std::uint64_t draw) {
  const auto w = philox4x32_10(counter_for(year, draw >> 1), {seed, stream});
  const unsigned j = 2 * static_cast<unsigned>(draw & 1);
  return to_unit(w[j], w[j + 1]);
}

namespace {

#if defined(__AVX2__)
// 32x32->64 products of all eight lanes: returns (lo, hi) words in lane order.
inline void mulhilo8(__m256i x, __m256i m, __m256i& lo, __m256i& hi) {
  const __m256i even = _mm256_mul_epu32(x, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// The 20 round keys of one Philox key, broadcast once per batch.
struct RoundKeys8 {
  __m256i k[10][2];
  explicit RoundKeys8(std::array<std::uint32_t, 2> key) {
    std::uint32_t k0 = key[0], k1 = key[1];
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
#endif

void philox_scalar(std::array<std::uint32_t, 2> key, const std::uint32_t* const c[4],
                   std::size_t i, std::uint32_t* const out[4]) {
  const auto r = philox4x32_10({c[0][i], c[1][i], c[2][i], c[3][i]}, key);
  for (int w = 0; w < 4; ++w) out[w][i] = r[static_cast<std::size_t>(w)];
}

}  // namespace

void philox_batch(std::array<std::uint32_t, 2> key, const std::uint32_t* const counter[4],
                  std::size_t n, std::uint32_t* const out[4]) {
  std::size_t i = 0;
#if defined(__AVX2__)
  if (n >= 8) {
    const RoundKeys8 keys(key);
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
#endif
  for (; i < n; ++i) philox_scalar(key, counter, i, out);
}

namespace {
void to_unit_batch(const std::uint32_t* lo, const std::uint32_t* hi, std::size_t n, double* out);
}  // namespace

void uniform_batch(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                   const std::uint64_t* draws, std::size_t n, double* out) {
  constexpr std::size_t B = 256;
  alignas(32) std::uint32_t c[4][B], r[4][B], lo[B], hi[B];
  const std::uint32_t* const cin[4] = {c[0], c[1], c[2], c[3]};
  std::uint32_t* const rout[4] = {r[0], r[1], r[2], r[3]};
  for (std::size_t start = 0; start < n; start += B) {
    const std::size_t m = std::min(B, n - start);
    for (std::size_t i = 0; i < m; ++i) {
      const std::uint64_t block = draws[start + i] >> 1;
      const std::uint64_t year = years[start + i];
      c[0][i] = static_cast<std::uint32_t>(block);
      c[1][i] = static_cast<std::uint32_t>(block >> 32);
      c[2][i] = static_cast<std::uint32_t>(year);
      c[3][i] = static_cast<std::uint32_t>(year >> 32);
    }
    philox_batch({seed, stream}, cin, m, rout);
    for (std::size_t i = 0; i < m; ++i) {
      const bool odd = draws[start + i] & 1;
      lo[i] = odd ? r[2][i] : r[0][i];
      hi[i] = odd ? r[3][i] : r[1][i];
    }
    to_unit_batch(lo, hi, m, out + start);
  }
}

namespace {

// out[i] = to_unit(lo[i], hi[i]). The AVX2 path converts the 53-bit integer exactly (two
// 32-bit halves through the 2^52 exponent trick) and then applies the same two IEEE
// operations, so it gives the scalar bits.
void to_unit_batch(const std::uint32_t* lo, const std::uint32_t* hi, std::size_t n, double* out) {
  std::size_t i = 0;
#if defined(__AVX2__)
  const __m256i exp52 = _mm256_set1_epi64x(0x4330000000000000LL);
  const __m256i low32 = _mm256_set1_epi64x(0xFFFFFFFFLL);
  const __m256d two52 = _mm256_set1_pd(0x1.0p52), two32 = _mm256_set1_pd(0x1.0p32);
  const __m256d scale = _mm256_set1_pd(0x1.0p-53), half = _mm256_set1_pd(0x1.0p-54);
  const __m256d below_one = _mm256_set1_pd(kBelowOne);
  for (; i + 4 <= n; i += 4) {
    const __m256i l = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(lo + i)));
    const __m256i h = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(hi + i)));
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

constexpr std::uint32_t kFrequencyMark = 0x80000000u;

}  // namespace

double unit_uniform(std::uint32_t lo, std::uint32_t hi) { return to_unit(lo, hi); }

void unit_uniforms(const std::uint32_t* lo, const std::uint32_t* hi, std::size_t n, double* out) {
  to_unit_batch(lo, hi, n, out);
}

void uniform_runs(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                  const std::uint32_t* counts, std::size_t n, double* out) {
  constexpr std::size_t B = 256;  // Philox blocks per batch, a multiple of 8
  alignas(32) std::uint32_t c[4][B], r[4][B];
  std::uint32_t lo[2 * B + 1], hi[2 * B + 1];
  std::uint32_t take[B];
  const std::uint32_t* const cin[4] = {c[0], c[1], c[2], c[3]};
  std::uint32_t* const rout[4] = {r[0], r[1], r[2], r[3]};
  for (std::size_t b = 0; b < B; ++b) c[1][b] = 0;  // draw / 2 < 2^31
  std::size_t m = 0, pos = 0;
  auto flush = [&] {
    // Whole groups of eight: the padding lanes get counter 0, their output is unused.
    const std::size_t padded = (m + 7) / 8 * 8;
    for (std::size_t b = m; b < padded; ++b) c[0][b] = c[2][b] = c[3][b] = 0;
    philox_batch({seed, stream}, cin, padded, rout);
    std::size_t staged = 0, b = 0;
#if defined(__AVX2__)
    // Four blocks at a time: their eight (lo, hi) candidates, left-packed by take.
    const auto& pack = detail::left_pack_table();
    const __m256i parity = _mm256_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1);
    auto pairs = [](const std::uint32_t* even, const std::uint32_t* odd) {
      const __m128i e = _mm_loadu_si128(reinterpret_cast<const __m128i*>(even));
      const __m128i o = _mm_loadu_si128(reinterpret_cast<const __m128i*>(odd));
      return _mm256_set_m128i(_mm_unpackhi_epi32(e, o), _mm_unpacklo_epi32(e, o));
    };
    for (; b + 4 <= m; b += 4) {
      const __m256i t = pairs(take + b, take + b);  // take of each candidate's block
      const unsigned mask =
          static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(t, parity))));
      const __m256i perm = _mm256_cvtepu8_epi32(
          _mm_loadl_epi64(reinterpret_cast<const __m128i*>(pack[mask].data())));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(lo + staged),
                          _mm256_permutevar8x32_epi32(pairs(r[0] + b, r[2] + b), perm));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(hi + staged),
                          _mm256_permutevar8x32_epi32(pairs(r[1] + b, r[3] + b), perm));
      staged += static_cast<std::size_t>(__builtin_popcount(mask));
    }
#endif
    for (; b < m; ++b) {
      lo[staged] = r[0][b];
      hi[staged] = r[1][b];
      lo[staged + 1] = r[2][b];
      hi[staged + 1] = r[3][b];
      staged += take[b];
    }
    to_unit_batch(lo, hi, staged, out + pos);
    pos += staged;
    m = 0;
  };
  for (std::size_t h = 0; h < n; ++h) {
#if defined(__AVX2__)
    // Eight runs of at most two draws each (the usual case): one block each, set up at once.
    const __m256i two = _mm256_set1_epi32(2);
    while (h + 8 <= n) {
      const __m256i cnt = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(counts + h));
      if (_mm256_movemask_epi8(_mm256_cmpeq_epi32(_mm256_max_epu32(cnt, two), two)) != -1) break;
      if (m + 8 > B) flush();
      // The low and high words of eight 64-bit years.
      const __m256i split = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
      const __m256i a = _mm256_permutevar8x32_epi32(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(years + h)), split);
      const __m256i z = _mm256_permutevar8x32_epi32(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(years + h + 4)), split);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(c[0] + m), _mm256_setzero_si256());
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(c[2] + m), _mm256_permute2x128_si256(a, z, 0x20));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(c[3] + m), _mm256_permute2x128_si256(a, z, 0x31));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(take + m), cnt);  // 0, 1 or 2 draws
      m += 8;
      h += 8;
      if (m == B) flush();
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
  if (n && (first & 1)) out[done++] = uniform_at(seed, stream, year, first);
  constexpr std::size_t B = 256;  // Philox blocks per batch
  alignas(32) std::uint32_t c[4][B], r[4][B];
  std::uint32_t lo[2 * B], hi[2 * B];
  const std::uint32_t* const cin[4] = {c[0], c[1], c[2], c[3]};
  std::uint32_t* const rout[4] = {r[0], r[1], r[2], r[3]};
  while (done < n) {
    const std::uint64_t b0 = (first + done) >> 1;  // first + done is even here
    const std::size_t m = std::min(B, (n - done + 1) / 2);
    for (std::size_t j = 0; j < m; ++j) {
      const std::uint64_t block = b0 + j;
      c[0][j] = static_cast<std::uint32_t>(block);
      c[1][j] = static_cast<std::uint32_t>(block >> 32);
      c[2][j] = static_cast<std::uint32_t>(year);
      c[3][j] = static_cast<std::uint32_t>(year >> 32);
    }
    philox_batch({seed, stream}, cin, m, rout);
    for (std::size_t j = 0; j < m; ++j) {
      lo[2 * j] = r[0][j];
      hi[2 * j] = r[1][j];
      lo[2 * j + 1] = r[2][j];
      hi[2 * j + 1] = r[3][j];
    }
    const std::size_t take = std::min(2 * m, n - done);
    to_unit_batch(lo, hi, take, out + done);
    done += take;
  }
}

std::uint32_t FrequencyUniform::low() const {
  const std::uint64_t group = year >> 2;
  const auto w = philox4x32_10({1, kFrequencyMark, static_cast<std::uint32_t>(group),
                                static_cast<std::uint32_t>(group >> 32)},
                               {seed, stream});
  return w[year & 3];
}

FrequencyUniform frequency_uniform(std::uint32_t seed, std::uint32_t stream, std::uint64_t year) {
  const std::uint64_t group = year >> 2;
  const auto w = philox4x32_10({0, kFrequencyMark, static_cast<std::uint32_t>(group),
                                static_cast<std::uint32_t>(group >> 32)},
                               {seed, stream});
  return {w[year & 3], seed, stream, year};
}

void frequency_words(std::uint32_t seed, std::uint32_t stream, std::uint64_t y0, std::size_t n,
                     std::uint32_t* hi) {
  if (n == 0) return;
  const std::uint64_t y1 = y0 + n;
  // Groups of four years; a group cut by either end of [y0, y1) is done on its own.
  auto one_group = [&](std::uint64_t g) {
    const auto w = philox4x32_10(
        {0, kFrequencyMark, static_cast<std::uint32_t>(g), static_cast<std::uint32_t>(g >> 32)},
        {seed, stream});
    for (std::uint64_t j = 0; j < 4; ++j) {
      const std::uint64_t y = 4 * g + j;
      if (y >= y0 && y < y1) hi[y - y0] = w[j];
    }
  };
  std::uint64_t g = (y0 + 3) >> 2;           // first whole group
  const std::uint64_t g_end = y1 >> 2;       // whole groups end
  if (g > g_end) {                           // [y0, y1) inside one group
    one_group(y0 >> 2);
    return;
  }
  if (y0 & 3) one_group(y0 >> 2);
#if defined(__AVX2__)
  if (g + 8 <= g_end) {
    // Eight groups per Philox call, transposed in registers to 32 consecutive years.
    const RoundKeys8 keys({seed, stream});
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mark = _mm256_set1_epi32(static_cast<int>(kFrequencyMark));
    // Sixteen groups (two interleaved Philox calls) per step, then eight.
    auto step = [&](auto groups) {
      constexpr int G = decltype(groups)::value;
      __m256i x0[G], x1[G], x2[G], x3[G];
      for (int k = 0; k < G; ++k) {
        x0[k] = _mm256_setzero_si256();
        x1[k] = mark;
        x2[k] = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>((g + 8 * k) & 0xFFFFFFFFu)), lane);
        x3[k] = _mm256_set1_epi32(static_cast<int>(g >> 32));
      }
      philox8<G>(keys, x0, x1, x2, x3);
      for (int k = 0; k < G; ++k) {
        const __m256i t0 = _mm256_unpacklo_epi32(x0[k], x1[k]), t1 = _mm256_unpackhi_epi32(x0[k], x1[k]);
        const __m256i t2 = _mm256_unpacklo_epi32(x2[k], x3[k]), t3 = _mm256_unpackhi_epi32(x2[k], x3[k]);
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
#endif
  for (; g < g_end; ++g) one_group(g);
  if (y1 & 3) one_group(y1 >> 2);
}

Stream::Stream(std::uint32_t seed, std::uint32_t stream, std::uint64_t year,
               std::uint64_t first_draw)
    : key_{seed, stream}, year_(year), next_(first_draw) {}

double Stream::uniform() {
  const std::uint64_t block = next_ >> 1;
  if (block != block_) {
    words_ = philox4x32_10(counter_for(year_, block), key_);
    block_ = block;
  }
  const unsigned j = 2 * static_cast<unsigned>(next_ & 1);
  ++next_;
  return to_unit(words_[j], words_[j + 1]);
}

double standard_normal(Stream& s) { return vecmath::inverse_normal_cdf(s.uniform()); }

double lognormal(Stream& s, double mu, double sigma) {
  // Same exp path as the batched engine, so a draw has the same bits either way.
  const double z = standard_normal(s);
  double x;
  vecmath::exp_affine(&z, mu, sigma, &x, 1);
  return x;
}

void check_gamma(double shape, double scale) {
  require_positive("shape", shape);
  require_positive("scale", scale);
}

void check_poisson(double mean) { require_nonnegative("mean", mean); }

void check_negative_binomial(double mean, double dispersion) {
  require_nonnegative("mean", mean);
  require_positive("dispersion", dispersion);
}

double gamma(Stream& s, double shape, double scale) {
  check_gamma(shape, scale);
  if (shape < 1.0) {
    // Boost: G(a) = G(a + 1) * U^(1/a).
    const double g = gamma(s, shape + 1.0, 1.0);
    return scale * g * std::pow(s.uniform(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = standard_normal(s);
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = s.uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return scale * d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return scale * d * v;
  }
}

std::uint64_t poisson(Stream& s, double mean) {
  check_poisson(mean);
  if (mean == 0.0) return 0;
  if (mean < 64.0) {
    // Inversion from one uniform: counts move monotonically with the mean under common
    // random numbers.
    const double u = s.uniform();
    double p = std::exp(-mean);
    double cdf = p;
    std::uint64_t k = 0;
    while (u > cdf && p > 0.0) {
      ++k;
      p *= mean / static_cast<double>(k);
      cdf += p;
    }
    return k;
  }
  // PTRS, Hormann (1993), "The transformed rejection method for generating Poisson random
  // variables", Insurance: Mathematics and Economics 12, 39-45.
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = s.uniform() - 0.5;
    const double v = s.uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -mean + k * loglam - std::lgamma(k + 1.0))
      return static_cast<std::uint64_t>(k);
  }
}

std::uint64_t negative_binomial(Stream& s, double mean, double dispersion) {
  check_negative_binomial(mean, dispersion);
  if (mean == 0.0) return 0;
  return poisson(s, gamma(s, dispersion, mean / dispersion));
}

}  // namespace cyberloss
