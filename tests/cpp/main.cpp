// Catch2's runner, except that a run forced onto a SIMD path this CPU lacks (CYBERLOSS_SIMD,
// see cyberloss/simd.hpp) is skipped with exit status 77, which ctest reports as skipped.
#define CATCH_CONFIG_RUNNER
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cyberloss/simd.hpp"

int main(int argc, char* argv[]) {
  if (const char* want = std::getenv("CYBERLOSS_SIMD"); want && *want) {
    const auto compiled = cyberloss::simd_paths_compiled();
    const auto available = cyberloss::simd_paths_available();
    const bool known = std::find(compiled.begin(), compiled.end(), want) != compiled.end();
    if (known && std::find(available.begin(), available.end(), want) == available.end()) {
      std::printf("skipped: CYBERLOSS_SIMD=%s, but this CPU lacks %s\n", want, want);
      return 77;
    }
  }
  return Catch::Session().run(argc, argv);
}
