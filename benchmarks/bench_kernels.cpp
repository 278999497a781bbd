// Where the engine's time goes, and how close it is to the floor set by its random-number
// contract: the benchmark model of bench_engine.py (4 attack types, Poisson 0.05 / 0.1 / 0.25 /
// 0.5, lognormal severities, 10^7 years) timed whole, next to the kernels every run must
// execute whatever the bookkeeping around them:
//
//   - Philox4x32-10 for the frequency words: one block per four (year, type) pairs;
//   - the count thresholds on those words;
//   - Philox4x32-10 for the severity uniforms: one block per (year, type) with events;
//   - the lognormal inverse CDF (AS241 + exp) of each event's uniform;
//   - writing the result to memory with streaming stores: 8 + 12 T bytes per year with all
//     outputs, 8 bytes per year for the annual losses alone.
//
// Kernel costs are medians over repeats on in-cache data, one core. The floor is their sum
// spread over the cores, with the memory traffic either hidden behind the computation (best
// case) or not (worst case), for both output sets. Everything runs on the SIMD path of the
// process (cyberloss/simd.hpp): `make bench` runs this benchmark once per path the CPU has,
// with CYBERLOSS_SIMD set. Built by default (CMake option CYBERLOSS_BUILD_BENCHMARKS, target
// cyberloss_bench_kernels):
//
//   CYBERLOSS_SIMD=avx2 build/py/cyberloss_bench_kernels [years] [repeats] [threads] [wall|cpu]
//
// "cpu" times everything in CPU seconds of the process (user + system) instead of wall time,
// for a machine shared with other work: per incident per core, the engine then costs its CPU
// time divided by the incidents, and the floor is the kernels' CPU time.
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "benchmark_model.hpp"
#include "cyberloss/buffer.hpp"
#include "cyberloss/distributions.hpp"
#include "cyberloss/engine.hpp"
#include "cyberloss/random.hpp"
#include "cyberloss/simd.hpp"

using namespace cyberloss;
using namespace cyberloss::bench;

namespace {

bool cpu_clock = false;  // time in CPU seconds of the process instead of wall seconds

double now() {
  if (cpu_clock) return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <class F>
double median_seconds(int repeats, F&& f) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const double start = now();
    f();
    t.push_back(now() - start);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Seconds per item of a kernel run on `n` items, `passes` times over in-cache data.
template <class F>
double per_item(int repeats, std::size_t n, std::size_t passes, F&& f) {
  return median_seconds(repeats,
                        [&] {
                          for (std::size_t p = 0; p < passes; ++p) f(p);
                        }) /
         static_cast<double>(n * passes);
}

// Bytes per second of streaming stores into `bytes` of already-touched memory, `threads` threads.
double stream_bandwidth(std::size_t bytes, int threads, int repeats) {
  Buffer<double> buf(bytes / sizeof(double), 0.0);
  const double seconds = median_seconds(repeats, [&] {
    std::vector<std::thread> pool;
    const std::size_t per = buf.size() / static_cast<std::size_t>(threads) / 4 * 4;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        double* p = buf.data() + per * static_cast<std::size_t>(t);
#if defined(__SSE2__)
        const __m128d v = _mm_set1_pd(1.0);
        for (std::size_t i = 0; i < per; i += 2) _mm_stream_pd(p + i, v);
        _mm_sfence();
#else
        std::fill(p, p + per, 1.0);
#endif
      });
    for (auto& th : pool) th.join();
  });
  return static_cast<double>(bytes) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t years = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  const int threads = argc > 3 ? std::atoi(argv[3]) : tbb::this_task_arena::max_concurrency();
  const std::string clock = argc > 4 ? argv[4] : "wall";
  if (years == 0 || repeats < 1 || threads < 1 || (clock != "wall" && clock != "cpu")) {
    std::fprintf(stderr, "usage: %s [years >= 1] [repeats >= 1] [threads >= 1] [wall|cpu]\n",
                 argv[0]);
    return 2;
  }
  cpu_clock = clock == "cpu";
  // Wall time is shared by the threads; CPU time already adds them up.
  const double spread = cpu_clock ? 1.0 : static_cast<double>(threads);

  // The whole engine, with all outputs and with the annual losses alone.
  const Model model = benchmark_model();
  SimulationOptions options;
  options.years = years;
  options.seed = 1;
  options.threads = threads;
  double incidents = 0.0;
  {
    const SimulationResult first = simulate(model, options);  // first touch of the pages
    for (std::int32_t c : first.counts) incidents += c;
  }
  const double engine = median_seconds(repeats, [&] { simulate(model, options); });
  SimulationOptions annual_only = options;
  annual_only.keep_by_type = annual_only.keep_counts = false;
  simulate(model, annual_only);
  const double engine_annual = median_seconds(repeats, [&] { simulate(model, annual_only); });

  // Kernels on one core, in cache: 1024 years or draws per call, as in the engine's passes.
  constexpr std::size_t n = 1024;
  const std::size_t passes = 4000;
  std::vector<std::uint32_t> hi(n), cnt(n), ones(n, 1);
  std::vector<std::uint64_t> run_years(n);
  std::vector<double> u(n), x(n);
  for (std::size_t i = 0; i < n; ++i) run_years[i] = 3 * i;
  const std::uint32_t freq = stream_id(Purpose::frequency, 0);
  const std::uint32_t sev = stream_id(Purpose::severity, 0);
  const double t_words = per_item(
      repeats, n, passes, [&](std::size_t p) { frequency_words(1, freq, p * n, n, hi.data()); });
  const Poisson poisson(kRates[3]);
  const double t_count = per_item(repeats, n, passes, [&](std::size_t p) {
    poisson.table()->count_batch(1, freq, p * n, hi.data(), n, cnt.data());
  });
  const double t_uniform = per_item(repeats, n, passes, [&](std::size_t p) {
    run_years[0] = p;  // a different first block each pass
    uniform_runs(1, sev, run_years.data(), ones.data(), n, u.data());
  });
  const Lognormal lognormal(kMu[3], kSigma[3]);
  const double t_lognormal = per_item(
      repeats, n, passes, [&](std::size_t) { lognormal.quantile_batch(u.data(), x.data(), n); });
  const double bytes = static_cast<double>(years) * (8.0 + 12.0 * kTypes);
  const double annual_bytes = static_cast<double>(years) * 8.0;
  const double bandwidth = stream_bandwidth(static_cast<std::size_t>(bytes), threads, repeats);

  // The floor for this model: every (year, type) needs its frequency word and count; every
  // (year, type) with events one severity block; every event one lognormal draw.
  double runs = 0.0, draws = 0.0;
  for (double rate : kRates) {
    runs += static_cast<double>(years) * (1.0 - std::exp(-rate));
    draws += static_cast<double>(years) * rate;
  }
  const double pairs = static_cast<double>(years) * kTypes;
  const double compute =
      (pairs * (t_words + t_count) + runs * t_uniform + draws * t_lognormal) / spread;
  auto ns = [&](double seconds) { return seconds * spread * 1e9 / incidents; };

  std::printf(
      "SIMD path %s; model: 4 attack types, Poisson 0.05/0.1/0.25/0.5, lognormal; %llu "
      "years, %.0f incidents, %d threads; %s seconds\n",
      simd_path().c_str(), static_cast<unsigned long long>(years), incidents, threads,
      cpu_clock ? "CPU" : "wall");
  std::printf("engine, all outputs (median of %d):  %.3f s = %.1f ns per incident per core\n",
              repeats, engine, ns(engine));
  std::printf("engine, annual only (median of %d):  %.3f s = %.1f ns per incident per core\n",
              repeats, engine_annual, ns(engine_annual));
  std::printf("kernels, one core, in cache (medians):\n");
  std::printf("  frequency words (Philox, 4 per block)  %6.2f ns per (year, type)\n",
              t_words * 1e9);
  std::printf("  counts from the words                  %6.2f ns per (year, type)\n",
              t_count * 1e9);
  std::printf("  severity uniforms (Philox, 1 per run)  %6.2f ns per run\n", t_uniform * 1e9);
  std::printf("  lognormal inverse CDF                  %6.2f ns per draw\n", t_lognormal * 1e9);
  std::printf("  streaming stores, %d threads            %6.1f GB/s%s\n", threads, bandwidth / 1e9,
              cpu_clock ? " per CPU second" : "");
  std::printf("floor for this model: frequency %.3f s, severity %.3f s%s\n",
              pairs * (t_words + t_count) / spread,
              (runs * t_uniform + draws * t_lognormal) / spread,
              cpu_clock ? " of CPU" : " (spread over the threads)");
  for (const auto& [label, out_bytes, seconds] :
       {std::tuple<const char*, double, double>{"all outputs", bytes, engine},
        std::tuple<const char*, double, double>{"annual only", annual_bytes, engine_annual}}) {
    const double memory = out_bytes / bandwidth;
    const double hidden = std::max(compute, memory), exposed = compute + memory;
    std::printf(
        "  %s: output %.0f MB in %.3f s; floor %.1f ns per incident per core (memory "
        "hidden) to %.1f ns (not hidden); engine / floor %.2f to %.2f\n",
        label, out_bytes / 1e6, memory, ns(hidden), ns(exposed), seconds / hidden,
        seconds / exposed);
  }
  return 0;
}
