// Which instruction-set path the hot kernels take. The core's hot kernels (Philox batches,
// frequency counts, uniforms, the normal quantile, exp and log, the engine's row writing) are
// compiled for baseline x86-64, AVX2 and AVX-512 and chosen once per process: the widest the
// CPU supports, or the one named by the environment variable CYBERLOSS_SIMD (baseline, avx2,
// avx512). Every path gives the same bits; only the speed differs.
#pragma once

#include <string>
#include <vector>

namespace cyberloss {

// The path in use ("baseline", "avx2" or "avx512"). Throws std::invalid_argument, naming the
// variable and its value, if CYBERLOSS_SIMD names an unknown path or one this CPU or build
// lacks; every computation that needs a kernel throws the same.
std::string simd_path();
// The paths this build can run on this CPU, narrowest first.
std::vector<std::string> simd_paths_available();
// All paths this build contains (whether or not this CPU can run them).
std::vector<std::string> simd_paths_compiled();

}  // namespace cyberloss
