// Every SIMD path this CPU can run gives the baseline path's bits, kernel by kernel, on
// random inputs and edge cases; and the path is chosen as documented (cyberloss/simd.hpp).
// The engine as a whole is held to one golden set on every path by ctest, which runs the
// golden and determinism cases once per path with CYBERLOSS_SIMD set (CMakeLists.txt).
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cyberloss/simd.hpp"
#include "cyberloss/stats.hpp"
#include "engine_helpers.hpp"
#include "simd/kernels.hpp"

using namespace cyberloss;
using cyberloss::testing::same_bits;
using simd::Kernels;

namespace {

// The tables other than baseline that this CPU can run, with a note of those it cannot.
std::vector<const Kernels*> wider_paths() {
  std::vector<const Kernels*> out;
  for (simd::Path p : {simd::Path::avx2, simd::Path::avx512}) {
    if (const Kernels* k = simd::kernels_for(p))
      out.push_back(k);
    else
      WARN("path " << (p == simd::Path::avx2 ? "avx2" : "avx512")
                   << " not compared: this CPU (or build) lacks it");
  }
  return out;
}

const Kernels& base() { return *simd::kernels_for(simd::Path::baseline); }

}  // namespace

TEST_CASE("the SIMD path is chosen by CYBERLOSS_SIMD or the CPU, and refused clearly", "[simd]") {
  const auto available = simd_paths_available();
  REQUIRE(!available.empty());
  CHECK(available.front() == "baseline");
  CHECK(std::string(simd::select(nullptr).name) == available.back());
  CHECK(std::string(simd::select("").name) == available.back());
  for (const auto& name : available) CHECK(std::string(simd::select(name.c_str()).name) == name);
  CHECK_THROWS_WITH(simd::select("sse9"),
                    Catch::Contains("CYBERLOSS_SIMD") && Catch::Contains("'sse9'"));
  for (const auto& name : simd_paths_compiled())
    if (std::find(available.begin(), available.end(), name) == available.end())
      CHECK_THROWS_WITH(simd::select(name.c_str()),
                        Catch::Contains("CYBERLOSS_SIMD=" + name) && Catch::Contains("lacks"));
  CHECK(std::find(available.begin(), available.end(), simd_path()) != available.end());
}

TEST_CASE("Philox, uniforms, runs, ranges and frequency words: same bits on every path",
          "[simd][random]") {
  std::mt19937_64 gen(1);
  const std::size_t n = 1000 + 13;
  std::vector<std::uint32_t> c[4];
  for (auto& w : c) {
    w.resize(n);
    for (auto& x : w) x = static_cast<std::uint32_t>(gen());
  }
  c[0][0] = c[1][0] = c[2][0] = c[3][0] = 0xFFFFFFFFu;
  const std::uint32_t* cin[4] = {c[0].data(), c[1].data(), c[2].data(), c[3].data()};
  auto philox = [&](const Kernels& k) {
    std::vector<std::uint32_t> out(4 * n);
    std::uint32_t* o[4] = {&out[0], &out[n], &out[2 * n], &out[3 * n]};
    k.philox(0xDEADBEEFu, 7u, cin, n, o);
    return out;
  };
  auto uniforms = [&](const Kernels& k) {
    std::vector<double> out(n);
    k.unit_uniforms(c[0].data(), c[1].data(), n, out.data());
    return out;
  };
  std::vector<std::uint64_t> years(n);
  std::vector<std::uint32_t> counts(n);
  std::size_t total = 0;
  for (std::size_t h = 0; h < n; ++h) {
    years[h] = (h % 11 == 0 ? (std::uint64_t{1} << 32) - 600 : 0) + 5 * h;
    counts[h] = static_cast<std::uint32_t>(h % 37 < 30 ? gen() % 3 : gen() % 11);
    total += counts[h];
  }
  auto runs = [&](const Kernels& k) {
    std::vector<double> out(total);
    k.uniform_runs(9, 0x20003, years.data(), counts.data(), n, out.data());
    return out;
  };
  auto range = [&](const Kernels& k) {
    std::vector<double> out(777);
    k.uniform_range(9, 0x20003, 123456789, 3, out.size(), out.data());
    return out;
  };
  auto words = [&](const Kernels& k) {
    std::vector<std::uint32_t> out(2053);
    // A first year that is not a multiple of 4, and groups that cross 2^32 in the counter.
    k.frequency_words(4, 0x10001, (std::uint64_t{1} << 34) - 1027, out.size(), out.data());
    return out;
  };
  for (const Kernels* k : wider_paths()) {
    INFO("path " << k->name);
    CHECK(same_bits(philox(*k), philox(base())));
    CHECK(same_bits(uniforms(*k), uniforms(base())));
    CHECK(same_bits(runs(*k), runs(base())));
    CHECK(same_bits(range(*k), range(base())));
    CHECK(same_bits(words(*k), words(base())));
  }
}

TEST_CASE("count thresholds: same counts and undecided positions on every path", "[simd][random]") {
  std::mt19937_64 gen(2);
  std::vector<std::uint32_t> hi(3000);
  for (auto& h : hi) h = static_cast<std::uint32_t>(gen());
  for (std::size_t m : {1, 3, 8, 9, 16}) {
    std::vector<std::int32_t> quick(m);
    for (std::size_t j = 0; j < m; ++j)
      quick[j] = static_cast<std::int32_t>(static_cast<std::uint32_t>(0x10000000u * (j + 1)) ^
                                           0x80000000u);
    for (std::size_t j = 0; j < m; ++j)
      hi[7 * j] = static_cast<std::uint32_t>(quick[j]) ^ 0x80000000u;
    auto run = [&](const Kernels& k) {
      std::vector<std::uint32_t> out(hi.size()), exact(hi.size());
      const std::size_t ne =
          k.quick_counts(quick.data(), m, hi.data(), hi.size(), out.data(), exact.data());
      exact.resize(ne);
      return std::make_pair(out, exact);
    };
    const auto b = run(base());
    CHECK(b.second.size() >= m);  // the planted ties at least
    for (const Kernels* k : wider_paths()) {
      INFO("path " << k->name << ", " << m << " thresholds");
      const auto r = run(*k);
      CHECK(same_bits(r.first, b.first));
      CHECK(same_bits(r.second, b.second));
    }
  }
}

TEST_CASE("normal quantile, exp, log, layers and row writing: same bits on every path",
          "[simd][vecmath]") {
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> unit(0.0, 1.0), wide(-760.0, 720.0);
  const std::size_t n = 4099;
  std::vector<double> p(n), x(n), pos(n);
  for (std::size_t i = 0; i < n; ++i) {
    p[i] = i % 7 == 0 ? unit(gen) * 1e-13 : i % 7 == 1 ? 1.0 - unit(gen) * 1e-9 : unit(gen);
    if (p[i] == 0.0) p[i] = 0x1.0p-54;
    x[i] = wide(gen);
    std::uint64_t bits = gen() & 0x7FFFFFFFFFFFFFFFULL;  // any non-negative double, NaN and inf too
    std::memcpy(&pos[i], &bits, sizeof bits);
  }
  x[0] = std::numeric_limits<double>::infinity();
  x[1] = -std::numeric_limits<double>::infinity();
  x[2] = std::numeric_limits<double>::quiet_NaN();
  pos[0] = 0.0;
  pos[1] = std::numeric_limits<double>::denorm_min();
  auto apply = [&](const Kernels& k) {
    std::vector<double> out(7 * n);
    k.inverse_normal_cdf(p.data(), &out[0], n);
    k.exp(x.data(), &out[n], n);
    k.log(pos.data(), &out[2 * n], n);
    k.exp_affine(&out[0], 16.3, 1.2, &out[3 * n], n);
    k.layer(&out[3 * n], 1.0e7, 5.0e7, &out[4 * n], n);
    k.layer(&out[3 * n], 0.0, std::numeric_limits<double>::infinity(), &out[5 * n], n);
    k.lognormal_quantile(p.data(), 16.3, 1.2, &out[6 * n], n);
    return out;
  };
  const auto b = apply(base());
  // The fused lognormal quantile is the normal quantile then exp_affine.
  CHECK(std::memcmp(&b[6 * n], &b[3 * n], n * sizeof(double)) == 0);
  for (const Kernels* k : wider_paths()) {
    INFO("path " << k->name);
    CHECK(same_bits(apply(*k), b));
  }

  // Row writing: every combination of outputs, T = 4 (the transposing path) and T = 3, with
  // stale values in the columns where the count is 0, and misaligned destinations.
  for (std::size_t T : {3, 4}) {
    const std::size_t L = 64, rows = 61;
    std::vector<double> sums(T * L), lsums(T * L);
    std::vector<std::uint32_t> cnt(T * L);
    for (std::size_t i = 0; i < T * L; ++i) {
      cnt[i] = gen() % 3 == 0 ? 1 + static_cast<std::uint32_t>(gen() % 3) : 0;
      sums[i] = wide(gen) * 1e4;
      lsums[i] = std::fabs(sums[i]) * 0.5;
    }
    for (int mask = 0; mask < 8; ++mask)
      for (std::size_t offset : {0, 1}) {
        auto write = [&](const Kernels& k) {
          std::vector<double> annual(rows + 1), layered(rows + 1), by_type((rows + 1) * T),
              stage_rows(T * L), stage_years(2 * L);
          std::vector<std::int32_t> counts((rows + 1) * T), stage_counts(T * L);
          simd::RowPass pass;
          pass.T = T;
          pass.L = L;
          pass.n = rows;
          pass.sums = sums.data();
          pass.counts = cnt.data();
          pass.annual = annual.data() + offset;
          if (mask & 1) pass.by_type = by_type.data() + offset * T;
          if (mask & 2) pass.counts_out = counts.data() + offset * T;
          if (mask & 4) {
            pass.layered_sums = lsums.data();
            pass.layered = layered.data() + offset;
            pass.aggregate_attachment = 2.0e4;
            pass.aggregate_limit = 3.0e6;
          }
          pass.stage_rows = stage_rows.data();
          pass.stage_counts = stage_counts.data();
          pass.stage_years = stage_years.data();
          k.write_rows(pass);
          std::vector<double> all(annual);
          all.insert(all.end(), layered.begin(), layered.end());
          all.insert(all.end(), by_type.begin(), by_type.end());
          for (auto c : counts) all.push_back(c);
          return all;
        };
        const auto ref = write(base());
        // The baseline rows against a direct computation.
        for (std::size_t i = 0; i < rows; ++i) {
          double total = 0.0, ltotal = 0.0;
          for (std::size_t t = 0; t < T; ++t) {
            total += cnt[t * L + i] ? sums[t * L + i] : 0.0;
            ltotal += cnt[t * L + i] ? lsums[t * L + i] : 0.0;
          }
          REQUIRE(ref[offset + i] == total);
          if (mask & 4)
            REQUIRE(ref[rows + 1 + offset + i] == std::min(std::max(ltotal - 2.0e4, 0.0), 3.0e6));
        }
        for (const Kernels* k : wider_paths()) {
          INFO("path " << k->name << ", T = " << T << ", outputs " << mask << ", offset "
                       << offset);
          CHECK(same_bits(write(*k), ref));
        }
      }
  }
}

TEST_CASE("the section sums of a chunk of events: same bits on every path, and as written",
          "[simd]") {
  // 2,051 events: heavy-tailed, zero and -0 amounts, no downtime and long downtimes; components
  // of every section, one not covered, finite and infinite sublimits; the lost profit with and
  // without a waiting period; and an amount or a downtime out of range anywhere is reported.
  std::mt19937_64 gen(8);
  std::lognormal_distribution<double> heavy(12.0, 2.0);
  std::uniform_real_distribution<double> day(0.0, 90.0);
  const std::size_t n = 2051, C = simd::kSectionComponents;
  std::vector<std::vector<double>> amount(C, std::vector<double>(n));
  std::vector<double> days(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < C; ++c)
      amount[c][i] = (i + c) % 13 == 0 ? 0.0 : ((i + c) % 31 == 0 ? -0.0 : heavy(gen));
    days[i] = i % 7 == 0 ? 0.0 : day(gen);
  }
  const std::size_t section_of[C] = {0, 0, 0, 1, 1, 2, 0, 3, 1, 0};  // section 3: uncovered
  const double inf = std::numeric_limits<double>::infinity();
  simd::SectionPass p;
  p.n = n;
  for (std::size_t c = 0; c < C; ++c) {
    p.component[c] = amount[c].data();
    p.section_of[c] = section_of[c];
    p.covered[c] = section_of[c] < 3 && c != 6;  // component 6 not covered
    p.sublimit[c] = c % 3 == 0 ? 2e6 : inf;
  }
  p.days = days.data();
  p.lost_profit = 5;
  p.indemnity = 30.0;
  auto run = [&](const Kernels& k, const simd::SectionPass& q0, bool* bad = nullptr) {
    std::vector<double> out(8 * n, 7.0);
    simd::SectionPass q = q0;
    for (std::size_t s = 0; s < 4; ++s) q.gross[s] = out.data() + s * n;
    for (std::size_t s = 0; s < 3; ++s) q.covered_amount[s] = out.data() + (4 + s) * n;
    q.total = out.data() + 7 * n;
    const bool b = k.section_sums(q);
    if (bad) *bad = b;
    return out;
  };
  auto bits = [](double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  for (double waiting : {0.0, 3.0}) {
    simd::SectionPass q = p;
    q.waiting = waiting;
    q.no_downtime = waiting == 0.0 ? 1.0 : 0.0;
    bool bad = true;
    const auto b = run(base(), q, &bad);
    CHECK_FALSE(bad);
    for (std::size_t i = 0; i < n; ++i) {
      // section_losses's rules for one event, written out.
      double gross[4] = {}, paid[3] = {};
      bool gross_started[4] = {}, paid_started[3] = {};
      for (std::size_t c = 0; c < C; ++c) {
        const std::size_t s = section_of[c];
        const double x = amount[c][i];
        gross[s] = gross_started[s] ? gross[s] + x : 0.0 + x;
        gross_started[s] = true;
        if (!q.covered[c]) continue;
        double v = std::min(std::max(x - 0.0, 0.0), q.sublimit[c]);
        if (c == 5) {
          const double d = days[i];
          const double covered_days = std::max(std::min(d, 30.0) - waiting, 0.0);
          v *= d > 0.0 ? covered_days / d : q.no_downtime;
        }
        paid[s] = paid_started[s] ? paid[s] + v : 0.0 + v;
        paid_started[s] = true;
      }
      const double total = (((0.0 + gross[0]) + gross[1]) + gross[2]) + gross[3];
      for (std::size_t s = 0; s < 4; ++s) REQUIRE(bits(b[s * n + i], gross[s]));
      for (std::size_t s = 0; s < 3; ++s) REQUIRE(bits(b[(4 + s) * n + i], paid[s]));
      REQUIRE(bits(b[7 * n + i], total));
    }
    for (const Kernels* k : wider_paths()) {
      INFO("path " << k->name << ", waiting " << waiting);
      CHECK(same_bits(run(*k, q), b));
    }
  }
  // Out of range: NaN, -1, inf and -inf, in a component or the downtime, at the first, a
  // middle and the last row (the vector bodies and the scalar remainders).
  std::vector<const Kernels*> paths = wider_paths();
  paths.push_back(&base());
  for (const Kernels* k : paths)
    for (double wrong : {std::numeric_limits<double>::quiet_NaN(), -1.0, inf, -inf})
      for (std::size_t row : {std::size_t{0}, std::size_t{1000}, n - 1})
        for (std::size_t column : {std::size_t{2}, C}) {
          INFO("path " << k->name << ", value " << wrong << ", row " << row << ", column "
                       << column);
          std::vector<double>& x = column == C ? days : amount[column];
          const double kept = x[row];
          x[row] = wrong;
          bool bad = false;
          run(*k, p, &bad);
          CHECK(bad);
          x[row] = kept;
        }
}

TEST_CASE("a deductible's payments by section: same bits on every path, and as written", "[simd]") {
  // 3,001 events (chunks of 1,024 and a remainder): zero totals, -0 and heavy-tailed covered
  // amounts, a deductible above some totals, a section not covered, finite and infinite limits;
  // with and without the parts, and with total and paid the same array.
  std::mt19937_64 gen(6);
  std::lognormal_distribution<double> heavy(13.0, 2.0);
  const std::size_t n = 3001;
  std::vector<double> covered[3];
  for (auto& c : covered) c.resize(n);
  std::vector<double> total(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t s = 0; s < 3; ++s)
      covered[s][i] = i % 17 == 0 ? 0.0 : (i % 29 == 0 ? -0.0 : heavy(gen));
    total[i] = (covered[0][i] + covered[2][i]);  // section 1 not covered
  }
  simd::OccurrencePass p;
  p.n = n;
  p.deductible_attachment = 5e5;
  p.deductible_limit = std::numeric_limits<double>::infinity();
  p.covered[0] = covered[0].data();
  p.covered[2] = covered[2].data();
  p.coinsurance[0] = 0.9;
  p.coinsurance[2] = 1.0;
  p.limit[0] = 3e6;
  p.limit[2] = std::numeric_limits<double>::infinity();
  auto pay = [&](const Kernels& k, bool with_parts, bool in_place) {
    std::vector<double> out(4 * n, 7.0);
    simd::OccurrencePass q = p;
    if (in_place) std::copy(total.begin(), total.end(), out.begin());
    q.total = in_place ? out.data() : total.data();
    q.paid = out.data();
    for (std::size_t s = 0; with_parts && s < 3; ++s) q.parts[s] = out.data() + (s + 1) * n;
    k.occurrence_pay(q);
    return out;
  };
  auto bits = [](double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  for (bool with_parts : {false, true})
    for (bool in_place : {false, true}) {
      const auto b = pay(base(), with_parts, in_place);
      for (std::size_t i = 0; i < n; ++i) {
        // OccurrencePayment::operator(), written out.
        const double t = total[i];
        const double share = t > 0.0 ? std::max(t - 5e5, 0.0) / t : 0.0;
        const double part0 = std::min(std::max(covered[0][i] * share * 0.9 - 0.0, 0.0), 3e6);
        const double part2 = std::min(std::max(covered[2][i] * share * 1.0 - 0.0, 0.0),
                                      std::numeric_limits<double>::infinity());
        REQUIRE(bits(b[i], (0.0 + part0) + part2));
        if (with_parts) {
          REQUIRE(bits(b[n + i], part0));
          REQUIRE(bits(b[2 * n + i], 0.0));
          REQUIRE(bits(b[3 * n + i], part2));
        }
      }
      for (const Kernels* k : wider_paths()) {
        INFO("path " << k->name << ", parts " << with_parts << ", in place " << in_place);
        CHECK(same_bits(pay(*k, with_parts, in_place), b));
      }
    }
}

TEST_CASE("left-packing the years with events: same runs on every path", "[simd]") {
  std::mt19937_64 gen(4);
  std::vector<std::uint32_t> cnt(1029);
  for (auto& c : cnt) c = gen() % 4 == 0 ? static_cast<std::uint32_t>(gen() % 5) : 0;
  auto pack = [&](const Kernels& k) {
    std::vector<std::uint32_t> row(cnt.size() + 16), count(cnt.size() + 16);
    const std::size_t runs = k.pack_runs(cnt.data(), cnt.size(), row.data(), count.data());
    row.resize(runs);
    count.resize(runs);
    row.insert(row.end(), count.begin(), count.end());
    return row;
  };
  const auto b = pack(base());
  std::size_t nonzero = 0;
  for (auto c : cnt) nonzero += c != 0;
  CHECK(b.size() == 2 * nonzero);
  for (const Kernels* k : wider_paths()) {
    INFO("path " << k->name);
    CHECK(same_bits(pack(*k), b));
  }
}

TEST_CASE("pairwise sum, central sums, retention sums and the tail filter: same bits on every path",
          "[simd]") {
  // Heavy-tailed values with cancellation, so that any change of summation order shows; lengths
  // around the leaf size (128), the eight lanes and the vector widths, and odd splits.
  std::mt19937_64 gen(5);
  std::lognormal_distribution<double> heavy(10.0, 2.5);
  std::vector<double> x(70001);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = i % 5 == 0 ? 0.0 : (i % 3 == 0 ? -1.0 : 1.0) * heavy(gen);
  x[17] = -0.0;
  x[40000] = std::numeric_limits<double>::infinity();
  x[40001] = std::numeric_limits<double>::quiet_NaN();
  const std::size_t lengths[] = {0,    1,    7,    8,    9,     15,    16,    17,   127,
                                 128,  129,  135,  136,  137,   255,   256,   257,  1000,
                                 1031, 4096, 4099, 8191, 39999, 40001, 40002, 70001};
  auto run = [&](const Kernels& k) {
    std::vector<double> out;
    for (std::size_t n : lengths)
      for (std::size_t offset : {0, 3}) {
        if (offset + n > x.size()) continue;
        const double* p = x.data() + offset;
        out.push_back(k.pairwise_sum(p, n));
        double c[3], c2[3];
        k.central_sums(p, n, 1234.5, c, true);
        k.central_sums(p, n, 1234.5, c2, false);
        REQUIRE(same_bits(std::vector<double>{c2[0]}, std::vector<double>{c[0]}));
        out.insert(out.end(), c, c + 3);
        if (n <= 128) {  // a leaf: the retention grid's three sums, as pairwise_sums_of's
          const double* y = x.data() + 1000 + offset;
          const double weight = 1.0 / 3.0;
          double r[3];
          k.retention_sums(p, y, weight, n, r);
          const auto want = stats::pairwise_sums_of<3>(n, [&](std::size_t i) {
            return std::array<double, 3>{p[i] - y[i], y[i], weight * y[i]};
          });
          REQUIRE(same_bits(std::vector<double>(r, r + 3),
                            std::vector<double>(want.begin(), want.end())));
          out.insert(out.end(), r, r + 3);
        }
        for (double threshold : {0.0, 1e6, 1e9, -std::numeric_limits<double>::infinity()}) {
          std::vector<double> kept(n + 1);
          kept.resize(k.keep_at_least(p, n, threshold, kept.data()));
          std::vector<double> want;
          std::copy_if(p, p + n, std::back_inserter(want),
                       [&](double v) { return !(v < threshold); });
          REQUIRE(same_bits(kept, want));
          out.push_back(static_cast<double>(kept.size()));
        }
      }
    return out;
  };
  const auto b = run(base());
  for (const Kernels* k : wider_paths()) {
    INFO("path " << k->name);
    CHECK(same_bits(run(*k), b));
  }
}
