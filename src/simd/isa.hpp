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

namespace cyberloss::simd::CYBERLOSS_SIMD_NS {

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

}  // namespace cyberloss::simd::CYBERLOSS_SIMD_NS
