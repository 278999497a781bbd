// The organisation's per-incident pricing next to its floor: the random numbers and quantiles
// every incident must draw and evaluate under the random-number contract (docs/DESIGN.md),
// whatever the bookkeeping around them. Issue 11 asks the organisation loss of a portfolio to
// cost at most the engine's own time per incident again; this shows what the pricing cannot go
// below on this CPU.
//
// Two attack types with calibration v2's shapes (components.json; the values do not change the
// work, which depends on the shapes only):
//
//   - minor: seven non-zero mean shares, records never exposed nor gifts paid, no branch:
//     4 COMPONENTS blocks + 1 DOWNTIME + 1 EFFORT = 6 Philox blocks, 10 uniforms converted,
//     9 lognormal quantiles (7 shares, downtime, effort). 99% of a quote's incidents.
//   - major: eight non-zero shares, records exposed and gifts paid, a contained branch taken
//     with probability 1 - p: 5 COMPONENTS + 1 DOWNTIME + 1 EFFORT + 1 BRANCH = 8 blocks,
//     14 uniforms, 8 + 2 p + 3 (1 - p) quantiles (the major branch's downtime and effort, or
//     the contained branch's loss, downtime and effort).
//
// For each: IncidentModel::batch (draws, units, pricing of n events; one core), and the kernels
// alone on in-cache data (Philox4x32-10 batches, the uniform conversion, the AS241 normal
// quantile and exp). Medians of the repeats, CPU time of this thread.
//
//   CYBERLOSS_SIMD=avx2 build/py/cyberloss_bench_pricing_floor [events] [repeats]
#include <time.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cyberloss/incident.hpp"
#include "cyberloss/random.hpp"
#include "cyberloss/simd.hpp"
#include "cyberloss/vecmath.hpp"

using namespace cyberloss;

namespace {

double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

template <class F>
double median_seconds(int repeats, F f) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const double t0 = thread_seconds();
    f();
    t.push_back(thread_seconds() - t0);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

IncidentType minor_type() {
  IncidentType t;
  t.name = "minor";
  t.mean_shares = {0.35, 0.35, 0.03, 0.07, 0.02, 0.0, 0.03, 0.15};
  t.dispersion = 0.6;
  t.downtime = DowntimeDistribution::lognormal(1.0, 1.0);
  t.effort_median = IncidentType::effort_median_from_mean(0.3, 1.0);
  t.effort_sigma = 1.0;
  return t;
}

IncidentType major_type() {
  IncidentType t;
  t.name = "major";
  t.mean_shares = {0.11, 0.33, 0.08, 0.06, 0.06, 0.04, 0.04, 0.28};
  t.dispersion = 0.6;
  t.exposure_probability = 0.5;
  t.exposed_share = 0.3;
  t.gift_probability = 0.2;
  t.record_driven[notification] = t.record_driven[condolence] = true;
  t.notification_per_record = 110;
  t.condolence_per_person = 500;
  t.downtime = DowntimeDistribution::lognormal(20.0, 1.0);
  t.effort_median = IncidentType::effort_median_from_mean(3.0, 1.0);
  t.effort_sigma = 1.0;
  ContainedBranch c;
  c.loss_median = 2e6;
  c.loss_sigma = 1.2;
  c.downtime = DowntimeDistribution::lognormal(2.0, 1.0);
  c.effort_median = 0.5;
  c.effort_sigma = 1.0;
  t.contained = c;
  return t;
}

struct Kernels {
  double block, uniform, quantile;  // seconds per Philox block, uniform, lognormal quantile
};

Kernels time_kernels(std::size_t n, int repeats) {
  std::vector<std::uint32_t> words[4], out[4];
  for (int w = 0; w < 4; ++w) {
    words[w].resize(n);
    out[w].resize(n);
    for (std::size_t i = 0; i < n; ++i) words[w][i] = static_cast<std::uint32_t>(i * (w + 7));
  }
  const std::uint32_t* in[4] = {words[0].data(), words[1].data(), words[2].data(), words[3].data()};
  std::uint32_t* const res[4] = {out[0].data(), out[1].data(), out[2].data(), out[3].data()};
  std::vector<double> u(n), z(n);
  Kernels k{};
  k.block = median_seconds(repeats, [&] { philox_batch({1, 2}, in, n, res); }) / n;
  k.uniform =
      median_seconds(repeats, [&] { unit_uniforms(out[0].data(), out[1].data(), n, u.data()); }) /
      n;
  k.quantile = median_seconds(repeats,
                              [&] {
                                vecmath::inverse_normal_cdf(u.data(), z.data(), n);
                                vecmath::exp_affine(z.data(), 0.0, 0.6, z.data(), n);
                              }) /
               n;
  return k;
}

void report(const char* name, const IncidentModel& model, double blocks, double uniforms,
            double quantiles, const Kernels& k, std::size_t n, int repeats) {
  std::vector<std::int64_t> year(n);
  std::vector<std::int32_t> draw(n);
  std::vector<double> loss(n);
  for (std::size_t i = 0; i < n; ++i) {
    year[i] = static_cast<std::int64_t>(i / 2);
    draw[i] = static_cast<std::int32_t>(i % 2);
    loss[i] = 1e6 + static_cast<double>(i % 1000);
  }
  IncidentBuffer buffer(n);
  const IncidentColumns cols = buffer.columns();
  const double batch =
      median_seconds(repeats,
                     [&] { model.batch(1, 0, year.data(), draw.data(), loss.data(), n, cols); }) /
      static_cast<double>(n);
  const double floor = blocks * k.block + uniforms * k.uniform + quantiles * k.quantile;
  std::printf(
      "%-6s %4.1f blocks %5.1f uniforms %5.2f quantiles: floor %6.1f ns "
      "(random numbers %5.1f, quantiles %5.1f); batch %6.1f ns = %.2fx the floor\n",
      name, blocks, uniforms, quantiles, 1e9 * floor,
      1e9 * (blocks * k.block + uniforms * k.uniform), 1e9 * quantiles * k.quantile, 1e9 * batch,
      batch / floor);
}

}  // namespace

int main(int argc, char** argv) {
  const long events = argc > 1 ? std::atol(argv[1]) : 16384;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 21;
  if (events < 1 || repeats < 1) {
    std::fprintf(stderr, "usage: %s [events >= 1] [repeats >= 1]\n", argv[0]);
    return 2;
  }
  const auto n = static_cast<std::size_t>(events);
  const Kernels k = time_kernels(n, repeats);
  std::printf("SIMD path %s; %zu events, medians of %d, CPU time of one thread\n",
              simd_path().c_str(), n, repeats);
  std::printf("kernels: Philox block %.2f ns, uniform %.2f ns, lognormal quantile %.2f ns\n",
              1e9 * k.block, 1e9 * k.uniform, 1e9 * k.quantile);

  IncidentFactors f;
  f.share_affected = 0.3;
  f.daily_gross_profit = 1e6;
  f.labour_cost_month = 6e5;
  report("minor", IncidentModel(minor_type(), f), 6, 10, 9, k, n, repeats);
  const double p = 0.4;
  f.records_held = 20000;
  f.major_probability = p;
  report("major", IncidentModel(major_type(), f), 8, 14, 8 + 2 * p + 3 * (1 - p), k, n, repeats);
  return 0;
}
