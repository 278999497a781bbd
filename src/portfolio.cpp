#include "cyberloss/portfolio.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "cyberloss/distributions.hpp"
#include "cyberloss/engine.hpp"
#include "cyberloss/random.hpp"

namespace cyberloss {

PortfolioFrequency::PortfolioFrequency(const std::vector<std::vector<double>>& rates,
                                       std::vector<double> systemic_variance)
    : variance_(std::move(systemic_variance)) {
  if (rates.size() != variance_.size()) {
    throw std::invalid_argument("systemic_variance must have one value per attack type (" +
                                std::to_string(rates.size()) + "), got " +
                                std::to_string(variance_.size()));
  }
  if (rates.size() > 0x100) throw std::invalid_argument("at most 256 attack types");
  n_policies_ = rates.empty() ? 0 : rates[0].size();
  if (n_policies_ > 0x7fffffffu) throw std::invalid_argument("too many policies");
  for (std::size_t a = 0; a < rates.size(); ++a) {
    require_nonnegative("systemic_variance", variance_[a]);
    if (rates[a].size() != n_policies_) {
      throw std::invalid_argument("rates: every attack type needs " + std::to_string(n_policies_) +
                                  " policy rates, type " + std::to_string(a) + " has " +
                                  std::to_string(rates[a].size()));
    }
    std::vector<double> cum(n_policies_);
    double running = 0.0;
    std::uint32_t last = 0;
    for (std::size_t p = 0; p < n_policies_; ++p) {
      const double r = rates[a][p];
      if (!(std::isfinite(r) && r >= 0.0)) {
        throw std::invalid_argument("rate of policy " + std::to_string(p) + " for type " +
                                    std::to_string(a) + " must be finite and >= 0, got " +
                                    format_value(r));
      }
      running += r;
      cum[p] = running;
      if (r > 0.0) last = static_cast<std::uint32_t>(p);
    }
    const std::size_t buckets = std::max<std::size_t>(n_policies_, 1);
    const double step = running / static_cast<double>(buckets);
    std::vector<std::uint32_t> guide(buckets + 1);
    for (std::size_t j = 0; j < buckets; ++j) {
      const double bound = static_cast<double>(j) * step;
      guide[j] =
          static_cast<std::uint32_t>(std::upper_bound(cum.begin(), cum.end(), bound) - cum.begin());
    }
    guide[buckets] = static_cast<std::uint32_t>(n_policies_);
    guide_.push_back(std::move(guide));
    step_.push_back(step);
    inverse_step_.push_back(step > 0.0 ? 1.0 / step : 0.0);
    cumulative_.push_back(std::move(cum));
    last_positive_.push_back(last);
    total_.push_back(running);
  }
}

double PortfolioFrequency::theta(std::uint32_t seed, std::size_t type, std::uint64_t year) const {
  const double v = variance_[type];
  if (v == 0.0) return 1.0;
  Stream s(seed, stream_id(Purpose::systemic, static_cast<std::uint32_t>(type)), year);
  return gamma(s, 1.0 / v, v);
}

std::uint64_t PortfolioFrequency::count(std::uint32_t seed, std::size_t type, std::uint64_t year,
                                        double theta) const {
  const double mean = theta * total_[type];
  if (!(mean > 0.0)) return 0;
  Stream s(seed, stream_id(Purpose::portfolio, static_cast<std::uint32_t>(type)), year);
  return poisson(s, mean);
}

std::uint32_t PortfolioFrequency::policy_of(std::size_t type, double u) const {
  const auto& cum = cumulative_[type];
  const auto& guide = guide_[type];
  const double x = u * total_[type];
  const double step = step_[type];
  const std::size_t buckets = guide.size() - 1;
  // The bucket j with j * step <= x < (j + 1) * step (the last one also takes x >= its end);
  // the first guess can be one off through rounding, so it is corrected against the bounds.
  const double guess = step > 0.0 ? x * inverse_step_[type] : 0.0;
  std::size_t j =
      guess < static_cast<double>(buckets - 1) ? static_cast<std::size_t>(guess) : buckets - 1;
  while (j > 0 && static_cast<double>(j) * step > x) --j;
  while (j + 1 < buckets && static_cast<double>(j + 1) * step <= x) ++j;
  // upper_bound of x in the bucket: a few entries counted without a branch each, a long run
  // (many policies of tiny rates) searched.
  const std::size_t lo = guide[j], hi = guide[j + 1];
  std::size_t p = lo;
  if (hi - lo <= 8) {
    for (std::size_t k = lo; k < hi; ++k) p += cum[k] <= x;
  } else {
    p = static_cast<std::size_t>(std::upper_bound(cum.begin() + lo, cum.begin() + hi, x) -
                                 cum.begin());
  }
  return std::min(static_cast<std::uint32_t>(p), last_positive_[type]);
}

PortfolioEvents portfolio_events(const PortfolioFrequency& f, std::uint32_t seed,
                                 std::uint64_t first_year, std::uint64_t years, int threads,
                                 std::uint64_t max_events, const std::atomic<bool>* cancel) {
  check_years(first_year, years);
  const int arena_size = arena_threads(threads);
  PortfolioEvents out;
  out.first_year = first_year;
  out.years = years;
  out.n_types = f.n_types();
  const std::size_t nt = f.n_types();
  const std::size_t cells = static_cast<std::size_t>(years) * nt;
  out.theta.assign(cells, 1.0);
  out.counts.assign(cells, 0);

  constexpr std::uint64_t chunk = 512;
  const std::uint64_t n_chunks = (years + chunk - 1) / chunk;
  std::atomic<bool> stopped{false};
  auto for_chunks = [&](auto body) {
    tbb::task_arena arena(arena_size);
    arena.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<std::uint64_t>(0, n_chunks, 1),
          [&](const tbb::blocked_range<std::uint64_t>& r) {
            for (std::uint64_t c = r.begin(); c != r.end(); ++c) {
              if (cancel && cancel->load(std::memory_order_relaxed)) {
                stopped = true;
                return;
              }
              body(c * chunk, std::min(years, (c + 1) * chunk));
            }
          },
          tbb::simple_partitioner());
    });
    if (stopped) throw cancelled("portfolio simulation cancelled");
  };

  for_chunks([&](std::uint64_t i0, std::uint64_t i1) {
    for (std::uint64_t i = i0; i < i1; ++i) {
      for (std::size_t a = 0; a < nt; ++a) {
        const double th = f.theta(seed, a, first_year + i);
        out.theta[i * nt + a] = th;
        out.counts[i * nt + a] = static_cast<std::int64_t>(f.count(seed, a, first_year + i, th));
      }
    }
  });

  std::vector<std::uint64_t> offset(cells + 1, 0);
  for (std::size_t c = 0; c < cells; ++c) {
    offset[c + 1] = offset[c] + static_cast<std::uint64_t>(out.counts[c]);
  }
  const std::uint64_t total = offset[cells];
  if (total > max_events) {
    throw memory_error("portfolio block of " + std::to_string(years) + " years holds " +
                       std::to_string(total) + " events, more than the limit of " +
                       std::to_string(max_events) + " (" + std::to_string(total * 36 / (1u << 20)) +
                       " MiB): use smaller blocks");
  }
  out.year.resize(total);
  out.type.resize(total);
  out.k.resize(total);
  out.policy.resize(total);
  out.u.resize(total);

  // Event k of (year, type) takes draw k of the year's allocation and severity streams. Each
  // type's years with events are taken in batches of about kBatch events, both streams drawn
  // for a batch at once (uniform_runs: the values of uniform_at, Philox vectorised across the
  // runs), then placed at each cell's offset.
  constexpr std::size_t kBatch = 8192;
  for_chunks([&](std::uint64_t i0, std::uint64_t i1) {
    std::vector<std::uint64_t> run_year;
    std::vector<std::uint32_t> run_count;
    std::vector<std::size_t> run_cell;
    std::vector<double> u_alloc, u_sev;
    for (std::size_t a = 0; a < nt; ++a) {
      const auto ta = static_cast<std::uint32_t>(a);
      const std::uint32_t alloc = stream_id(Purpose::portfolio, portfolio_allocation_offset + ta);
      const std::uint32_t sev = stream_id(Purpose::portfolio, portfolio_severity_offset + ta);
      for (std::uint64_t i = i0; i < i1;) {
        run_year.clear();
        run_count.clear();
        run_cell.clear();
        std::size_t drawn = 0;
        for (; i < i1 && drawn < kBatch; ++i) {
          const std::size_t c = static_cast<std::size_t>(i) * nt + a;
          const auto n = static_cast<std::uint64_t>(out.counts[c]);
          if (n == 0) continue;
          if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
            throw std::range_error("portfolio: " + std::to_string(n) + " events of type " +
                                   std::to_string(a) + " in year " +
                                   std::to_string(first_year + i) +
                                   " exceed the event index's limit of 2^31 - 1");
          run_year.push_back(first_year + i);
          run_count.push_back(static_cast<std::uint32_t>(n));
          run_cell.push_back(c);
          drawn += static_cast<std::size_t>(n);
        }
        u_alloc.resize(drawn);
        u_sev.resize(drawn);
        uniform_runs(seed, alloc, run_year.data(), run_count.data(), run_year.size(),
                     u_alloc.data());
        uniform_runs(seed, sev, run_year.data(), run_count.data(), run_year.size(), u_sev.data());
        for (std::size_t h = 0, d = 0; h < run_year.size(); ++h) {
          const std::size_t first = static_cast<std::size_t>(offset[run_cell[h]]);
          for (std::uint32_t k = 0; k < run_count[h]; ++k, ++d) {
            const std::size_t e = first + k;
            out.year[e] = static_cast<std::int64_t>(run_year[h]);
            out.type[e] = static_cast<std::int32_t>(a);
            out.k[e] = static_cast<std::int32_t>(k);
            out.policy[e] = static_cast<std::int32_t>(f.policy_of(a, u_alloc[d]));
            out.u[e] = u_sev[d];
          }
        }
      }
    }
  });
  return out;
}

}  // namespace cyberloss
