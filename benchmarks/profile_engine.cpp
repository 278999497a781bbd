// Instruction-count driver for the engine hot path: the benchmark model of bench_engine.py,
// simulated from C++ so that callgrind sees only the engine. Build against the static core
// library of a `make build` and count instructions per simulated year:
//
//   g++ -O2 -ffp-contract=off -std=c++17 -Iinclude benchmarks/profile_engine.cpp \
//       build/py/libcyberloss_core.a -ltbb -o /tmp/profile_engine
//   CYBERLOSS_SIMD=avx2 valgrind --tool=callgrind /tmp/profile_engine 1000000 1  # years, threads
//
// Instruction counts are exact and repeatable (per SIMD path); wall times on a shared machine
// are not.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "benchmark_model.hpp"
#include "cyberloss/engine.hpp"

int main(int argc, char** argv) {
  using namespace cyberloss;
  const std::uint64_t years = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  const Model model = bench::benchmark_model();
  SimulationOptions options;
  options.years = years;
  options.seed = 1;
  options.threads = threads;
  const auto start = std::chrono::steady_clock::now();
  const SimulationResult result = simulate(model, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%llu years in %.3f s (threads %d); annual[0] = %.17g\n",
              static_cast<unsigned long long>(years), seconds, threads, result.annual[0]);
  return 0;
}
