// Policy terms' per-event payments for one instruction-set path (see kernels.hpp): plain loops
// over chunks of events, which each path's compiler vectorises, with the operations of
// OccurrencePayment::operator() (include/cyberloss/terms.hpp) in its order.
#include "isa.hpp"
#include "math.hpp"

namespace cyberloss::simd::CYBERLOSS_SIMD_NS {

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
    for (std::size_t s = 0; s < kOccurrenceSections; ++s) {
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
