// The engine's per-pass kernels for one instruction-set path (see kernels.hpp): left-packing
// the years with events, a layer on each loss, and writing the output rows once, with
// streaming (non-temporal) stores. Sums are formed in the same order on every path.
#include <cstring>
#include <type_traits>

#include "isa.hpp"
#include "left_pack.hpp"
#include "math.hpp"
#if defined(CYBERLOSS_KERNEL_SSE2)
#include <immintrin.h>
#endif

namespace cyberloss::simd::CYBERLOSS_SIMD_NS {
namespace {

inline bool misaligned(const void* p, std::uintptr_t a) {
  return reinterpret_cast<std::uintptr_t>(p) % a != 0;
}

// Copies bytes from src (in cache) to dst (the result) with non-temporal stores where dst is
// aligned: the result is written once and not read back soon, so the stores bypass the cache
// instead of first reading every destination line (which halves the memory traffic of a large
// run). Ends with a store fence so the data is visible to the thread that joins.
void stream_copy(void* dst, const void* src, std::size_t bytes) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
#if defined(CYBERLOSS_KERNEL_AVX2)
  constexpr std::size_t kLine = 32;
#elif defined(CYBERLOSS_KERNEL_SSE2)
  constexpr std::size_t kLine = 16;
#else
  constexpr std::size_t kLine = 1;
#endif
  std::size_t head = (kLine - reinterpret_cast<std::uintptr_t>(d) % kLine) % kLine;
  if (head > bytes) head = bytes;
  std::memcpy(d, s, head);
  std::size_t i = head;
#if defined(CYBERLOSS_KERNEL_AVX2)
  for (; i + 32 <= bytes; i += 32)
    _mm256_stream_si256(reinterpret_cast<__m256i*>(d + i),
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i)));
#elif defined(CYBERLOSS_KERNEL_SSE2)
  for (; i + 16 <= bytes; i += 16)
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + i),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)));
#endif
  std::memcpy(d + i, s + i, bytes - i);
#if defined(CYBERLOSS_KERNEL_SSE2)
  _mm_sfence();
#endif
}

// out[i] = ((0 + v_0) + v_1) + ... in type order, v_t = col[t * L + i] where the count is
// nonzero and 0 elsewhere (columns hold stale values where the count is 0).
void year_totals(const double* col, const std::uint32_t* cnt, std::size_t T, std::size_t L,
                 std::size_t n, double* out) {
  for (std::size_t i = 0; i < n; ++i) out[i] = 0.0;
  for (std::size_t t = 0; t < T; ++t) {
    const double* c = col + t * L;
    const std::uint32_t* k = cnt + t * L;
    for (std::size_t i = 0; i < n; ++i) out[i] += k[i] ? c[i] : 0.0;
  }
}

// Rows (n, T) of by_type and/or counts from the columns, T fixed at compile time for the usual
// small models so that the inner loop disappears.
template <class Count>
void rows_any(Count T, const double* sums, const std::uint32_t* cnt, std::size_t L, std::size_t n,
              double* by_type, std::int32_t* counts) {
  if (by_type)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < T; ++t)
        by_type[i * T + t] = cnt[t * L + i] ? sums[t * L + i] : 0.0;
  if (counts)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < T; ++t)
        counts[i * T + t] = static_cast<std::int32_t>(cnt[t * L + i]);
}

template <std::size_t T>
void rows_fixed(const double* sums, const std::uint32_t* cnt, std::size_t L, std::size_t n,
                double* by_type, std::int32_t* counts) {
  rows_any(std::integral_constant<std::size_t, T>{}, sums, cnt, L, n, by_type, counts);
}

void rows(std::size_t T, const double* sums, const std::uint32_t* cnt, std::size_t L, std::size_t n,
          double* by_type, std::int32_t* counts) {
  switch (T) {
    case 1:
      return rows_fixed<1>(sums, cnt, L, n, by_type, counts);
    case 2:
      return rows_fixed<2>(sums, cnt, L, n, by_type, counts);
    case 3:
      return rows_fixed<3>(sums, cnt, L, n, by_type, counts);
    case 4:
      return rows_fixed<4>(sums, cnt, L, n, by_type, counts);
    case 5:
      return rows_fixed<5>(sums, cnt, L, n, by_type, counts);
    case 6:
      return rows_fixed<6>(sums, cnt, L, n, by_type, counts);
    case 7:
      return rows_fixed<7>(sums, cnt, L, n, by_type, counts);
    case 8:
      return rows_fixed<8>(sums, cnt, L, n, by_type, counts);
    default:
      return rows_any(T, sums, cnt, L, n, by_type, counts);
  }
}

#if defined(CYBERLOSS_KERNEL_AVX2)
// All three outputs of T = 4 types with 4x4 register transposes, four years per step, stored
// straight to the result with streaming stores: the same IEEE additions in the same order as
// year_totals. Returns false (and writes nothing) when the destinations are not aligned for it.
bool rows4(const RowPass& p) {
  const double* sums = p.sums;
  const std::uint32_t* cnt = p.counts;
  const std::size_t L = p.L, n = p.n;
  double* annual = p.annual;
  double* by_type = p.by_type;
  std::int32_t* counts = p.counts_out;
  if (misaligned(by_type, 32) || misaligned(counts, 16) || misaligned(annual, 8)) return false;
  // Rows before the first whole 32-byte line of annual go the ordinary way.
  std::size_t head = (32 - reinterpret_cast<std::uintptr_t>(annual) % 32) % 32 / sizeof(double);
  if (head > n) head = n;
  year_totals(sums, cnt, 4, L, head, annual);
  rows_fixed<4>(sums, cnt, L, head, by_type, counts);
  std::size_t i = head;
  for (; i + 4 <= n; i += 4) {
    __m256d v[4];
    __m128i c[4];
    __m256d x = _mm256_setzero_pd();
    for (std::size_t t = 0; t < 4; ++t) {
      c[t] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cnt + t * L + i));
      const __m256i zero = _mm256_cvtepi32_epi64(_mm_cmpeq_epi32(c[t], _mm_setzero_si128()));
      v[t] = _mm256_andnot_pd(_mm256_castsi256_pd(zero), _mm256_loadu_pd(sums + t * L + i));
      x = _mm256_add_pd(x, v[t]);
    }
    _mm256_stream_pd(annual + i, x);
    const __m256d a = _mm256_unpacklo_pd(v[0], v[1]), b = _mm256_unpackhi_pd(v[0], v[1]);
    const __m256d e = _mm256_unpacklo_pd(v[2], v[3]), f = _mm256_unpackhi_pd(v[2], v[3]);
    double* row = by_type + i * 4;
    _mm256_stream_pd(row + 0, _mm256_permute2f128_pd(a, e, 0x20));
    _mm256_stream_pd(row + 4, _mm256_permute2f128_pd(b, f, 0x20));
    _mm256_stream_pd(row + 8, _mm256_permute2f128_pd(a, e, 0x31));
    _mm256_stream_pd(row + 12, _mm256_permute2f128_pd(b, f, 0x31));
    const __m128i q0 = _mm_unpacklo_epi32(c[0], c[1]), q1 = _mm_unpackhi_epi32(c[0], c[1]);
    const __m128i q2 = _mm_unpacklo_epi32(c[2], c[3]), q3 = _mm_unpackhi_epi32(c[2], c[3]);
    __m128i* crow = reinterpret_cast<__m128i*>(counts + i * 4);
    _mm_stream_si128(crow + 0, _mm_unpacklo_epi64(q0, q2));
    _mm_stream_si128(crow + 1, _mm_unpackhi_epi64(q0, q2));
    _mm_stream_si128(crow + 2, _mm_unpacklo_epi64(q1, q3));
    _mm_stream_si128(crow + 3, _mm_unpackhi_epi64(q1, q3));
  }
  year_totals(sums + i, cnt + i, 4, L, n - i, annual + i);
  rows_fixed<4>(sums + i, cnt + i, L, n - i, by_type + i * 4, counts + i * 4);
  _mm_sfence();
  return true;
}
#endif

#if defined(CYBERLOSS_KERNEL_AVX512)
// The annual losses of a pass (year_totals) straight to the result, eight years per step: each
// type's sums loaded as +0 where its count is 0 and added in type order (year_totals' IEEE
// additions), stored with streaming stores, without staging. Returns false (and writes nothing)
// when the destination is not aligned for it.
bool annual512(const double* sums, const std::uint32_t* cnt, std::size_t T, std::size_t L,
               std::size_t n, double* annual) {
  if (misaligned(annual, 8)) return false;
  // Years before the first whole 64-byte line of annual go the ordinary way.
  std::size_t head = (64 - reinterpret_cast<std::uintptr_t>(annual) % 64) % 64 / sizeof(double);
  if (head > n) head = n;
  year_totals(sums, cnt, T, L, head, annual);
  std::size_t i = head;
  for (; i + 8 <= n; i += 8) {
    __m512d x = _mm512_setzero_pd();
    for (std::size_t t = 0; t < T; ++t) {
      const __m256i k = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cnt + t * L + i));
      x = _mm512_add_pd(x, _mm512_maskz_loadu_pd(_mm256_test_epi32_mask(k, k), sums + t * L + i));
    }
    _mm512_stream_pd(annual + i, x);
  }
  year_totals(sums + i, cnt + i, T, L, n - i, annual + i);
  _mm_sfence();
  return true;
}
#endif

}  // namespace

std::size_t pack_runs(const std::uint32_t* cnt, std::size_t n, std::uint32_t* run_row,
                      std::uint32_t* run_count) {
  std::size_t runs = 0, i = 0;
#if defined(CYBERLOSS_KERNEL_AVX512)
  // Sixteen years per step, packed in registers (a compressing store to memory is slow on some
  // CPUs) and stored whole.
  const __m512i lanes16 = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (; i + 16 <= n; i += 16) {
    const __m512i c = _mm512_loadu_si512(cnt + i);
    const __mmask16 mask = _mm512_test_epi32_mask(c, c);
    const __m512i rows = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(i)), lanes16);
    _mm512_storeu_si512(run_row + runs, _mm512_maskz_compress_epi32(mask, rows));
    _mm512_storeu_si512(run_count + runs, _mm512_maskz_compress_epi32(mask, c));
    runs += popcount(mask);
  }
#endif
#if defined(CYBERLOSS_KERNEL_AVX2)
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (; i + 8 <= n; i += 8) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cnt + i));
    const unsigned mask = static_cast<unsigned>(_mm256_movemask_ps(
                              _mm256_castsi256_ps(_mm256_cmpeq_epi32(c, _mm256_setzero_si256())))) ^
                          0xFFu;
    const __m256i perm = _mm256_cvtepu8_epi32(
        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(kLeftPack.lanes[mask])));
    const __m256i rows = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(i)), lanes);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(run_row + runs),
                        _mm256_permutevar8x32_epi32(rows, perm));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(run_count + runs),
                        _mm256_permutevar8x32_epi32(c, perm));
    runs += static_cast<std::size_t>(popcount(mask));
  }
#endif
  for (; i < n; ++i) {
    run_row[runs] = static_cast<std::uint32_t>(i);
    run_count[runs] = cnt[i];
    runs += cnt[i] != 0;
  }
  return runs;
}

void layer(const double* x, double attachment, double limit, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = layer_of(x[i], attachment, limit);
}

void write_rows(const RowPass& p) {
  const std::size_t T = p.T, L = p.L, n = p.n;
  bool done = false;
#if defined(CYBERLOSS_KERNEL_AVX2)
  if (T == 4 && p.annual && p.by_type && p.counts_out) done = rows4(p);
#endif
  if (!done) {
    bool annual_done = false;
#if defined(CYBERLOSS_KERNEL_AVX512)
    if (p.annual) annual_done = annual512(p.sums, p.counts, T, L, n, p.annual);
#endif
    if (p.annual && !annual_done) {
      year_totals(p.sums, p.counts, T, L, n, p.stage_years);
      stream_copy(p.annual, p.stage_years, n * sizeof(double));
    }
    if (p.by_type) {
      rows(T, p.sums, p.counts, L, n, p.stage_rows, nullptr);
      stream_copy(p.by_type, p.stage_rows, n * T * sizeof(double));
    }
    if (p.counts_out) {
      rows(T, p.sums, p.counts, L, n, nullptr, p.stage_counts);
      stream_copy(p.counts_out, p.stage_counts, n * T * sizeof(std::int32_t));
    }
  }
  if (p.layered) {
    double* total = p.stage_years + L;
    year_totals(p.layered_sums, p.counts, T, L, n, total);
    layer(total, p.aggregate_attachment, p.aggregate_limit, total, n);
    stream_copy(p.layered, total, n * sizeof(double));
  }
}

}  // namespace cyberloss::simd::CYBERLOSS_SIMD_NS
