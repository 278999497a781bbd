// Policy terms' per-event sums and payments for one instruction-set path (see kernels.hpp):
// plain loops over chunks of events, which each path's compiler vectorises, with the operations
// of section_losses and of OccurrencePayment::operator() (include/cyberloss/terms.hpp) in their
// order; the amounts' range check in explicit vector compares.
#include <cfloat>

#include "isa.hpp"
#include "math.hpp"
#if defined(CYBERLOSS_KERNEL_SSE2)
#include <immintrin.h>
#endif

namespace cyberloss::simd::CYBERLOSS_SIMD_NS {
namespace {

// Whether any of x[0..k) is not finite and >= 0 (NaN fails both comparisons).
bool any_bad(const double* x, std::size_t k) {
  std::size_t j = 0;
#if defined(CYBERLOSS_KERNEL_AVX512)
  const __m512d zero = _mm512_setzero_pd(), top = _mm512_set1_pd(DBL_MAX);
  __mmask8 ok = 0xFF;
  for (; j + 8 <= k; j += 8) {
    const __m512d v = _mm512_loadu_pd(x + j);
    ok &= static_cast<__mmask8>(_mm512_cmp_pd_mask(v, zero, _CMP_GE_OQ) &
                                _mm512_cmp_pd_mask(v, top, _CMP_LE_OQ));
  }
  if (ok != 0xFF) return true;
#elif defined(CYBERLOSS_KERNEL_AVX2)
  const __m256d zero = _mm256_setzero_pd(), top = _mm256_set1_pd(DBL_MAX);
  __m256d ok = _mm256_cmp_pd(zero, zero, _CMP_EQ_OQ);  // all lanes true
  for (; j + 4 <= k; j += 4) {
    const __m256d v = _mm256_loadu_pd(x + j);
    ok = _mm256_and_pd(
        ok, _mm256_and_pd(_mm256_cmp_pd(v, zero, _CMP_GE_OQ), _mm256_cmp_pd(v, top, _CMP_LE_OQ)));
  }
  if (_mm256_movemask_pd(ok) != 0xF) return true;
#elif defined(CYBERLOSS_KERNEL_SSE2)
  const __m128d zero = _mm_setzero_pd(), top = _mm_set1_pd(DBL_MAX);
  __m128d ok = _mm_cmpeq_pd(zero, zero);
  for (; j + 2 <= k; j += 2) {
    const __m128d v = _mm_loadu_pd(x + j);
    ok = _mm_and_pd(ok, _mm_and_pd(_mm_cmpge_pd(v, zero), _mm_cmple_pd(v, top)));
  }
  if (_mm_movemask_pd(ok) != 0x3) return true;
#endif
  bool bad = false;
  for (; j < k; ++j) bad |= !((x[j] >= 0.0) & (x[j] <= DBL_MAX));
  return bad;
}

}  // namespace

bool section_sums(const SectionPass& p) {
  const std::size_t k = p.n;
  bool bad = any_bad(p.days, k);
  // A section's first component writes its sums (+0 + amount: the first addition), the others
  // add to them.
  bool gross_started[kSections] = {}, covered_started[kCoveredSections] = {};
  auto add = [k](double* sum, bool& started, auto&& value) {
    if (started) {
      for (std::size_t j = 0; j < k; ++j) sum[j] += value(j);
    } else {
      for (std::size_t j = 0; j < k; ++j) sum[j] = 0.0 + value(j);
      started = true;
    }
  };
  const double* days = p.days;
  for (std::size_t c = 0; c < kSectionComponents; ++c) {
    const double* amount = p.component[c];
    const std::size_t s = p.section_of[c];
    bad |= any_bad(amount, k);
    add(p.gross[s], gross_started[s], [amount](std::size_t j) { return amount[j]; });
    if (!p.covered[c]) continue;
    const double sublimit = p.sublimit[c];
    if (c != p.lost_profit) {
      add(p.covered_amount[s], covered_started[s],
          [amount, sublimit](std::size_t j) { return layer_of(amount[j], 0.0, sublimit); });
      continue;
    }
    // Lost profit is paid for the downtime after the waiting period, within the indemnity
    // period, as a share of the downtime.
    const double waiting = p.waiting, indemnity = p.indemnity, no_downtime = p.no_downtime;
    add(p.covered_amount[s], covered_started[s], [&](std::size_t j) {
      const double d = days[j];
      const double covered_days = max_of(min_of(d, indemnity) - waiting, 0.0);
      double fraction = no_downtime;
      if (d > 0.0) fraction = covered_days / d;
      return layer_of(amount[j], 0.0, sublimit) * fraction;
    });
  }
  for (std::size_t s = 0; s < kSections; ++s)
    if (!gross_started[s])
      for (std::size_t j = 0; j < k; ++j) p.gross[s][j] = 0.0;
  for (std::size_t s = 0; s < kCoveredSections; ++s)
    if (!covered_started[s])
      for (std::size_t j = 0; j < k; ++j) p.covered_amount[s][j] = 0.0;
  for (std::size_t j = 0; j < k; ++j) {
    double t = 0.0;
    for (std::size_t s = 0; s < kSections; ++s) t += p.gross[s][j];
    p.total[j] = t;
  }
  return bad;
}

void occurrence_pay(const OccurrencePass& p) {
  constexpr std::size_t kChunk = 1024;
  double share[kChunk];
  for (std::size_t b = 0; b < p.n; b += kChunk) {
    const std::size_t k = p.n - b < kChunk ? p.n - b : kChunk;
    // total > 0 ? deductible(total) / total : 0: at total = 0 the deductible leaves +0, and
    // +0 / 1 is that +0. (Written so that the compilers vectorise it.)
    for (std::size_t j = 0; j < k; ++j) {
      const double t = p.total[b + j];
      double divisor = 1.0;
      if (t > 0.0) divisor = t;
      share[j] = layer_of(t, p.deductible_attachment, p.deductible_limit) / divisor;
    }
    // total may be paid: its chunk is read above before paid is written.
    double* paid = p.paid + b;
    for (std::size_t j = 0; j < k; ++j) paid[j] = 0.0;
    for (std::size_t s = 0; s < kCoveredSections; ++s) {
      double* part = p.parts[s] ? p.parts[s] + b : nullptr;
      if (!p.covered[s]) {
        if (part)
          for (std::size_t j = 0; j < k; ++j) part[j] = 0.0;
        continue;
      }
      const double* covered = p.covered[s] + b;
      const double coinsurance = p.coinsurance[s], limit = p.limit[s];
      if (part) {
        for (std::size_t j = 0; j < k; ++j) {
          part[j] = layer_of(covered[j] * share[j] * coinsurance, 0.0, limit);
          paid[j] += part[j];
        }
      } else {
        for (std::size_t j = 0; j < k; ++j)
          paid[j] += layer_of(covered[j] * share[j] * coinsurance, 0.0, limit);
      }
    }
  }
}

}  // namespace cyberloss::simd::CYBERLOSS_SIMD_NS
