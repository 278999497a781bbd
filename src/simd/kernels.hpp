// Private to src/: the hot kernels, compiled once per instruction set and chosen at run time.
//
// The sources in src/simd/*_kernels.cpp are compiled three times (CMakeLists.txt): for
// baseline x86-64 (SSE2), for AVX2 and for AVX-512, each into its own namespace
// cyberloss::simd::{baseline, avx2, avx512}, and each fills one Kernels table. The rest of the
// core calls kernels() and gets the table of the path chosen once per process: the best the
// CPU supports, or the one named by the environment variable CYBERLOSS_SIMD (baseline, avx2 or
// avx512; a path the CPU lacks is refused). On other processors only the baseline table
// exists.
//
// Every path gives the same bits: integer work is exact, and floating-point work uses only
// IEEE basic operations (+ - * / sqrt, min/max, exact bit manipulation) in the same order for
// every element, without contraction into fused multiply-adds (-ffp-contract=off).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cyberloss::simd {

enum class Path { baseline = 0, avx2 = 1, avx512 = 2 };

// The output rows of one engine pass of n years and T attack types, from per-type columns
// (element (t, i) at t * L + i) that are valid only where the count is nonzero.
struct RowPass {
  std::size_t T = 0, L = 0, n = 0;
  const double* sums = nullptr;           // (T, L) loss of each type's events
  const double* layered_sums = nullptr;   // (T, L) occurrence-layered losses, or nullptr
  const std::uint32_t* counts = nullptr;  // (T, L)
  double aggregate_attachment = 0.0;      // aggregate layer on the year's layered losses
  double aggregate_limit = 0.0;
  double* annual = nullptr;   // (n) ((0 + type 0) + type 1) + ... in type order, or nullptr
  double* layered = nullptr;  // (n) aggregate layer of the layered sum, or nullptr
  double* by_type = nullptr;  // (n, T) row-major (0 where the count is 0), or nullptr
  std::int32_t* counts_out = nullptr;  // (n, T) row-major, or nullptr
  // Staging in cache (at least T * L doubles, T * L int32 and 2 L doubles) for the paths that
  // assemble rows before copying them out with streaming stores.
  double* stage_rows = nullptr;
  std::int32_t* stage_counts = nullptr;
  double* stage_years = nullptr;
};

// The policy terms' shapes (terms.hpp checks them): cost components, sections, covered sections.
constexpr std::size_t kSectionComponents = 10, kSections = 4, kCoveredSections = 3;

// One deductible's payments of n events (OccurrencePayment::pay_range): paid[i] =
// ((0 + part_0) + part_1) + part_2 over the covered sections, part_s = min(max(covered[s][i]
// * share * coinsurance[s], 0), limit[s]) with share = deductible(total[i]) / total[i] (+0
// where total[i] is not > 0) and deductible(x) = min(max(x - attachment, 0), limit); with parts[s],
// each section's part there too (+0 for a section not covered, covered[s] null). total may be paid.
struct OccurrencePass {
  std::size_t n = 0;
  const double* total = nullptr;
  double deductible_attachment = 0.0, deductible_limit = 0.0;
  const double* covered[kCoveredSections] = {};
  double coinsurance[kCoveredSections] = {}, limit[kCoveredSections] = {};
  double* paid = nullptr;
  double* parts[kCoveredSections] = {};
};

// The section sums of n events (terms.cpp's section_losses, one chunk of events): component by
// component in order, gross[section_of[c]] adds the amount and, where covered[c],
// covered_amount[section_of[c]] adds min(max(amount, 0), sublimit[c]) (for the lost profit,
// times its downtime fraction max(min(days, indemnity) - waiting, 0) / days, or no_downtime
// where days is not > 0); a section's first component writes +0 + its value, a section without
// components gets +0; total = ((+0 + gross[0]) + gross[1]) + ... Returns whether any amount or
// downtime is not finite and >= 0 (the caller names the first).
struct SectionPass {
  std::size_t n = 0;
  const double* component[kSectionComponents] = {};
  const double* days = nullptr;
  std::size_t section_of[kSectionComponents] = {};
  bool covered[kSectionComponents] = {};
  double sublimit[kSectionComponents] = {};
  std::size_t lost_profit = 0;  // the component paid for its downtime fraction
  double waiting = 0.0, indemnity = 0.0, no_downtime = 0.0;
  double* gross[kSections] = {};
  double* covered_amount[kCoveredSections] = {};
  double* total = nullptr;
};

struct Kernels {
  Path path;
  const char* name;

  // Philox4x32-10 on n counters (structure of arrays) under key (k0, k1).
  void (*philox)(std::uint32_t k0, std::uint32_t k1, const std::uint32_t* const counter[4],
                 std::size_t n, std::uint32_t* const out[4]);
  // out[i] = the 53-bit uniform of the word pair (lo[i], hi[i]) (random.hpp).
  void (*unit_uniforms)(const std::uint32_t* lo, const std::uint32_t* hi, std::size_t n,
                        double* out);
  // random.hpp: uniform_runs, uniform_range, frequency_words.
  void (*uniform_runs)(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                       const std::uint32_t* counts, std::size_t n, double* out);
  void (*uniform_range)(std::uint32_t seed, std::uint32_t stream, std::uint64_t year,
                        std::uint64_t first, std::size_t n, double* out);
  void (*frequency_words)(std::uint32_t seed, std::uint32_t stream, std::uint64_t y0, std::size_t n,
                          std::uint32_t* hi);
  // Counts from frequency high words with m quick thresholds (CountTable): out[i] = number of
  // thresholds below hi[i]; the positions where that does not decide the count (a tie with a
  // threshold, or all m below) are written to exact, and their number returned.
  std::size_t (*quick_counts)(const std::int32_t* quick, std::size_t m, const std::uint32_t* hi,
                              std::size_t n, std::uint32_t* out, std::uint32_t* exact);

  // vecmath.hpp: AS241 normal quantile, exp(mu + sigma z), exp, log (in place allowed).
  void (*inverse_normal_cdf)(const double* p, double* z, std::size_t n);
  void (*exp_affine)(const double* z, double mu, double sigma, double* out, std::size_t n);
  // exp(mu + sigma * AS241(u)) for each u: the two above fused, chunk by chunk in cache.
  void (*lognormal_quantile)(const double* u, double mu, double sigma, double* out, std::size_t n);
  void (*exp)(const double* x, double* out, std::size_t n);
  void (*log)(const double* x, double* out, std::size_t n);

  // Engine: the years of a pass with events (left-packed; run_row and run_count have room for
  // n + 16 entries, the vector paths writing whole vectors past the last run), a layer on each
  // loss (min(max(x - attachment, 0), limit), in place allowed), and the output rows.
  std::size_t (*pack_runs)(const std::uint32_t* cnt, std::size_t n, std::uint32_t* run_row,
                           std::uint32_t* run_count);
  void (*layer)(const double* x, double attachment, double limit, double* out, std::size_t n);
  void (*write_rows)(const RowPass& pass);
  // Policy terms (terms.hpp): the section sums, SectionPass above; a deductible's payments,
  // OccurrencePass above.
  bool (*section_sums)(const SectionPass& pass);
  void (*occurrence_pay)(const OccurrencePass& pass);

  // Statistics over whole samples: stats.hpp's pairwise_sum (NumPy's order); the sums of
  // (x - mean)^2, ^3 and ^4 into out[0..2] (pairwise over halves down to blocks of 128, each
  // with eight interleaved accumulators; without `higher` only out[0], the same bits); and
  // the values with !(x < threshold) (NaN kept), copied to out in order (out has room for n),
  // their number returned.
  double (*pairwise_sum)(const double* x, std::size_t n);
  void (*central_sums)(const double* x, std::size_t n, double mean, double* out, bool higher);
  // A retention option's expected-value sums over a leaf of n <= 128 years (retention.cpp), in
  // pairwise_sum's order: out[0] of gross[i] - insured[i], out[1] of insured[i], out[2] of
  // weight * insured[i] (stats.hpp's pairwise_sums_of<3> of those terms, the same bits).
  void (*retention_sums)(const double* gross, const double* insured, double weight, std::size_t n,
                         double* out);
  std::size_t (*keep_at_least)(const double* x, std::size_t n, double threshold, double* out);
};

// The table of the process's path (chosen on first use; throws std::invalid_argument if
// CYBERLOSS_SIMD names an unknown path or one this CPU or build lacks).
const Kernels& kernels();
// The table of a path, or nullptr if the build or the CPU lacks it.
const Kernels* kernels_for(Path path);
// The table CYBERLOSS_SIMD=requested asks for (nullptr or "": the widest this CPU runs); throws
// std::invalid_argument, naming the variable and value, for an unknown or unavailable path.
const Kernels& select(const char* requested);

namespace baseline {
const Kernels& table();
}
namespace avx2 {
const Kernels& table();
}
namespace avx512 {
const Kernels& table();
}

}  // namespace cyberloss::simd
