// Chooses the kernel table once per process (see kernels.hpp). Compiled for the baseline
// target like the rest of the core: it must run on every CPU to find out what the CPU has.
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "cyberloss/simd.hpp"
#include "kernels.hpp"

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <immintrin.h>
#include <intrin.h>
#endif

namespace cyberloss::simd {
namespace {

constexpr Path kPaths[] = {Path::baseline, Path::avx2, Path::avx512};

const char* name_of(Path p) {
  switch (p) {
    case Path::baseline:
      return "baseline";
    case Path::avx2:
      return "avx2";
    case Path::avx512:
      return "avx512";
  }
  return "?";
}

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
// CPUID feature bits, and whether the OS saves the AVX (YMM) and AVX-512 (ZMM, opmask) state.
struct Features {
  bool avx2 = false, avx512 = false;
  Features() {
    int r[4];
    __cpuid(r, 0);
    if (r[0] < 7) return;
    __cpuid(r, 1);
    const bool osxsave = (r[2] >> 27) & 1, popcnt = (r[2] >> 23) & 1;
    if (!osxsave) return;
    const unsigned long long xcr0 = _xgetbv(0);
    const bool ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xE6) == 0xE6;
    __cpuidex(r, 7, 0);
    const auto bit = [&](int reg, int b) { return ((r[reg] >> b) & 1) != 0; };
    avx2 = ymm && popcnt && bit(1, 5) && bit(1, 3) && bit(1, 8);  // AVX2, BMI1, BMI2
    avx512 = avx2 && zmm && bit(1, 16) && bit(1, 17) && bit(1, 30) && bit(1, 31);  // F DQ BW VL
  }
};
#endif

bool cpu_has(Path p) {
  if (p == Path::baseline) return true;
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
  // libgcc's checks include the OS's support for the wider register state (XGETBV).
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                    __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
  if (p == Path::avx2) return avx2;
  return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
  static const Features f;
  return p == Path::avx2 ? f.avx2 : f.avx512;
#else
  return false;
#endif
}

const Kernels* compiled(Path p) {
  switch (p) {
    case Path::baseline:
      return &baseline::table();
#if defined(CYBERLOSS_SIMD_AVX2)
    case Path::avx2:
      return &avx2::table();
#endif
#if defined(CYBERLOSS_SIMD_AVX512)
    case Path::avx512:
      return &avx512::table();
#endif
    default:
      return nullptr;
  }
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

const Kernels& select(const char* env) {
  if (env && *env) {
    const std::string want = env;
    for (Path p : kPaths) {
      if (want != name_of(p)) continue;
      if (!compiled(p))
        throw std::invalid_argument("CYBERLOSS_SIMD=" + want + ": this build has no " + want +
                                    " kernels (it has: " + joined(simd_paths_compiled()) + ")");
      if (!cpu_has(p))
        throw std::invalid_argument("CYBERLOSS_SIMD=" + want + ": this CPU lacks " + want +
                                    " (it can run: " + joined(simd_paths_available()) + ")");
      return *compiled(p);
    }
    throw std::invalid_argument(
        "CYBERLOSS_SIMD must be baseline, avx2 or avx512 (or unset), got '" + want + "'");
  }
  const Kernels* best = compiled(Path::baseline);
  for (Path p : kPaths)
    if (compiled(p) && cpu_has(p)) best = compiled(p);
  return *best;
}

const Kernels& kernels() {
  // A throw leaves it unset: the next call retries (and throws again).
  static const Kernels& chosen = select(std::getenv("CYBERLOSS_SIMD"));
  return chosen;
}

const Kernels* kernels_for(Path path) { return cpu_has(path) ? compiled(path) : nullptr; }

}  // namespace cyberloss::simd

namespace cyberloss {

std::string simd_path() { return simd::kernels().name; }

std::vector<std::string> simd_paths_available() {
  std::vector<std::string> names;
  for (simd::Path p : simd::kPaths)
    if (simd::kernels_for(p)) names.emplace_back(simd::name_of(p));
  return names;
}

std::vector<std::string> simd_paths_compiled() {
  std::vector<std::string> names;
  for (simd::Path p : simd::kPaths)
    if (simd::compiled(p)) names.emplace_back(simd::name_of(p));
  return names;
}

}  // namespace cyberloss
