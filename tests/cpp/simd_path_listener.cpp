// A run forced onto a SIMD path this CPU lacks (CYBERLOSS_SIMD, see cyberloss/simd.hpp) is
// skipped with exit status 77, which ctest reports as skipped (CMakeLists.txt). The runner
// itself is Catch2's prebuilt one (libCatch2WithMain.a): compiling Catch2's implementation
// took longer than any test file, most of all under the sanitizers.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>

#include "cyberloss/simd.hpp"

namespace {

struct SimdPathListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;

  void testRunStarting(Catch::TestRunInfo const& info) override {
    TestEventListenerBase::testRunStarting(info);
    const char* want = std::getenv("CYBERLOSS_SIMD");
    if (!want || !*want) return;
    const auto compiled = cyberloss::simd_paths_compiled();
    const auto available = cyberloss::simd_paths_available();
    const bool known = std::find(compiled.begin(), compiled.end(), want) != compiled.end();
    if (known && std::find(available.begin(), available.end(), want) == available.end()) {
      std::printf("skipped: CYBERLOSS_SIMD=%s, but this CPU lacks %s\n", want, want);
      std::fflush(stdout);
      std::exit(77);
    }
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(SimdPathListener)
