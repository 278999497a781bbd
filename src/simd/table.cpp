// The kernel table of one instruction-set path (see kernels.hpp).
#include "isa.hpp"

#define CYBERLOSS_STRINGIFY2(x) #x
#define CYBERLOSS_STRINGIFY(x) CYBERLOSS_STRINGIFY2(x)

namespace cyberloss::simd::CYBERLOSS_SIMD_NS {
namespace {

constexpr Kernels kTable = {
    Path::CYBERLOSS_SIMD_NS,
    CYBERLOSS_STRINGIFY(CYBERLOSS_SIMD_NS),
    &philox,
    &unit_uniforms,
    &uniform_runs,
    &uniform_range,
    &frequency_words,
    &quick_counts,
    &inverse_normal_cdf,
    &exp_affine,
    &lognormal_quantile,
    &exp,
    &log,
    &pack_runs,
    &layer,
    &write_rows,
    &section_sums,
    &occurrence_pay,
    &pairwise_sum,
    &central_sums,
    &retention_sums,
    &keep_at_least,
};

}  // namespace

const Kernels& table() { return kTable; }

}  // namespace cyberloss::simd::CYBERLOSS_SIMD_NS
