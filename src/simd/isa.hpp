// Private to src/simd/*_kernels.cpp: the functions of one instruction-set path, declared in
// that path's namespace (CYBERLOSS_SIMD_NS is baseline, avx2 or avx512; CMakeLists.txt compiles
// the kernel sources once per path). Kernel sources include only <c...> headers, intrinsics,
// this file, kernels.hpp (plain declarations) and src/simd's helpers with internal linkage
// (math.hpp, left_pack.hpp): an inline function from any other header could be compiled here
// for a wider target and then shared, by the linker, with code that runs on every CPU.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels.hpp"

#ifndef CYBERLOSS_SIMD_NS
#error "kernel sources are compiled with -DCYBERLOSS_SIMD_NS=<path> (see CMakeLists.txt)"
#endif

// The intrinsics a kernel source may use: those its path's compile flags enable. MSVC defines
// no __SSE2__ on x64, where SSE2 is always there. CYBERLOSS_PORTABLE_KERNELS (CMake option of
// the same name) takes the plain C++ loops that processors other than x86-64 compile, so that
// they are built and tested on x86-64 too.
#if !defined(CYBERLOSS_PORTABLE_KERNELS)
#if defined(__SSE2__) || defined(_M_X64) || defined(_M_AMD64)
#define CYBERLOSS_KERNEL_SSE2 1
#endif
#if defined(__AVX2__)
#define CYBERLOSS_KERNEL_AVX2 1
#endif
// 512-bit vectors and lane masks, for the kernels that gain from them on the AVX-512 path (the
// others take the AVX2 code, compiled there with EVEX encodings).
#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512BW__) && defined(__AVX512DQ__)
#define CYBERLOSS_KERNEL_AVX512 1
#endif
#endif
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#endif

namespace cyberloss::simd::CYBERLOSS_SIMD_NS {
namespace {

// Bit counts for lane masks (mask != 0 for lowest_bit). The AVX2 code that calls them runs only
// on CPUs with POPCNT and BMI (the path's requirement); MSVC has no __builtin_*.
inline unsigned popcount(unsigned mask) {
#if defined(_MSC_VER) && !defined(__clang__)
  return __popcnt(mask);
#else
  return static_cast<unsigned>(__builtin_popcount(mask));
#endif
}

inline unsigned lowest_bit(unsigned mask) {
#if defined(_MSC_VER) && !defined(__clang__)
  unsigned long index;
  _BitScanForward(&index, mask);
  return static_cast<unsigned>(index);
#else
  return static_cast<unsigned>(__builtin_ctz(mask));
#endif
}

}  // namespace

void philox(std::uint32_t k0, std::uint32_t k1, const std::uint32_t* const counter[4],
            std::size_t n, std::uint32_t* const out[4]);
void unit_uniforms(const std::uint32_t* lo, const std::uint32_t* hi, std::size_t n, double* out);
void uniform_runs(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* years,
                  const std::uint32_t* counts, std::size_t n, double* out);
void uniform_range(std::uint32_t seed, std::uint32_t stream, std::uint64_t year,
                   std::uint64_t first, std::size_t n, double* out);
void frequency_words(std::uint32_t seed, std::uint32_t stream, std::uint64_t y0, std::size_t n,
                     std::uint32_t* hi);
std::size_t quick_counts(const std::int32_t* quick, std::size_t m, const std::uint32_t* hi,
                         std::size_t n, std::uint32_t* out, std::uint32_t* exact);

void inverse_normal_cdf(const double* p, double* z, std::size_t n);
void exp_affine(const double* z, double mu, double sigma, double* out, std::size_t n);
void lognormal_quantile(const double* u, double mu, double sigma, double* out, std::size_t n);
void exp(const double* x, double* out, std::size_t n);
void log(const double* x, double* out, std::size_t n);

std::size_t pack_runs(const std::uint32_t* cnt, std::size_t n, std::uint32_t* run_row,
                      std::uint32_t* run_count);
void layer(const double* x, double attachment, double limit, double* out, std::size_t n);
void write_rows(const RowPass& pass);
bool section_sums(const SectionPass& pass);
void occurrence_pay(const OccurrencePass& pass);

double pairwise_sum(const double* x, std::size_t n);
void central_sums(const double* x, std::size_t n, double mean, double* out, bool higher);
void retention_sums(const double* gross, const double* insured, double weight, std::size_t n,
                    double* out);
std::size_t keep_at_least(const double* x, std::size_t n, double threshold, double* out);

}  // namespace cyberloss::simd::CYBERLOSS_SIMD_NS
