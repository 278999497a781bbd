// A portfolio block in one call.  Years are independent until the per-policy sums, so the
// per-year work (terms, programme, year rows) runs in parallel over chunks of years with
// per-thread scratch; the per-policy sums then add the years in order in one sequential pass.
// Every sum follows the order of the Python run_block: a cell (year, type) or a (year, policy)
// adds its events in event order from 0, per-policy sums add years in order, sums over types
// use pairwise_sum (NumPy's order).
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "cyberloss/engine.hpp"
#include "cyberloss/portfolio.hpp"

namespace cyberloss {
namespace {

// Per-thread state of the per-year pass: one record per policy, so that an event touches one
// place (its terms, the year's aggregate used so far, its annual loss and first event).
struct PolicyYear {
  Layer occurrence;
  AnnualCapacity capacity;
  double annual = 0.0;      // the policy's insured loss so far in the year
  std::int64_t first = -1;  // its first event in the year, -1 when none
};

struct YearScratch {
  std::vector<PolicyYear> policy;
  std::vector<double> gross, layered, work;

  YearScratch(const std::vector<PolicyTerms>& terms, std::size_t n_types)
      : gross(n_types), layered(n_types), work(2 * n_types) {
    policy.reserve(terms.size());
    for (const auto& t : terms) policy.push_back({t.occurrence, AnnualCapacity(t.aggregate_limit)});
  }
};

// Per-policy accumulators of the sequential pass, kept together for the same reason.
struct PolicyMoments {
  double sum = 0.0;
  double sumsq = 0.0;
  std::int64_t events = 0;
  std::int64_t slot = -1;  // its place among the tracked policies, -1 when not tracked
};

void check_tracked(const std::vector<std::uint32_t>& tracked, std::size_t n_policies) {
  std::vector<bool> seen(n_policies, false);
  for (std::size_t i = 0; i < tracked.size(); ++i) {
    const std::uint32_t p = tracked[i];
    if (p >= n_policies)
      throw std::out_of_range("tracked[" + std::to_string(i) + "] must be a policy index in [0, " +
                              std::to_string(n_policies) + "), got " + std::to_string(p));
    if (seen[p]) throw std::invalid_argument("tracked lists policy " + std::to_string(p) + " twice");
    seen[p] = true;
  }
}

}  // namespace

std::vector<PolicyTerms> policy_terms(const std::vector<double>& deductible,
                                      const std::vector<double>& occurrence_limit,
                                      const std::vector<double>& aggregate_limit) {
  const std::size_t n = deductible.size();
  if (occurrence_limit.size() != n || aggregate_limit.size() != n) {
    throw std::invalid_argument("deductible, occurrence_limit and aggregate_limit need one value per "
                                "policy, got " + std::to_string(n) + ", " +
                                std::to_string(occurrence_limit.size()) + " and " +
                                std::to_string(aggregate_limit.size()));
  }
  std::vector<PolicyTerms> out(n);
  for (std::size_t p = 0; p < n; ++p) {
    const std::string row = "policy row " + std::to_string(p + 1) + " ";
    if (!(std::isfinite(deductible[p]) && deductible[p] >= 0.0))
      throw std::invalid_argument(row + "deductible must be finite and >= 0, got " +
                                  format_value(deductible[p]));
    if (!(occurrence_limit[p] > 0.0))
      throw std::invalid_argument(row + "occurrence_limit must be > 0 (inf: unlimited), got " +
                                  format_value(occurrence_limit[p]));
    if (!(aggregate_limit[p] > 0.0))
      throw std::invalid_argument(row + "aggregate_limit must be > 0 (inf: unlimited), got " +
                                  format_value(aggregate_limit[p]));
    out[p].occurrence = Layer(deductible[p], occurrence_limit[p]);
    out[p].aggregate_limit = aggregate_limit[p];
  }
  return out;
}

void validate_events(const PortfolioEvents& ev, std::size_t n_policies) {
  const std::size_t n = ev.policy.size();
  const std::size_t cells = static_cast<std::size_t>(ev.years) * ev.n_types;
  if (ev.year.size() != n || ev.type.size() != n || ev.k.size() != n || ev.u.size() != n) {
    throw std::invalid_argument("events: year, type, k, policy and u must have the same length, got " +
                                std::to_string(ev.year.size()) + ", " + std::to_string(ev.type.size()) +
                                ", " + std::to_string(ev.k.size()) + ", " + std::to_string(n) + " and " +
                                std::to_string(ev.u.size()));
  }
  if (ev.counts.size() != cells || ev.theta.size() != cells) {
    throw std::invalid_argument("events: counts and theta must have years x types = " +
                                std::to_string(cells) + " values, got " +
                                std::to_string(ev.counts.size()) + " and " +
                                std::to_string(ev.theta.size()));
  }
  std::size_t e = 0;
  for (std::size_t c = 0; c < cells; ++c) {
    if (ev.counts[c] < 0 || static_cast<std::uint64_t>(ev.counts[c]) > n - e)
      throw std::invalid_argument("events: counts do not add up to the " + std::to_string(n) +
                                  " events (cell " + std::to_string(c) + " has " +
                                  std::to_string(ev.counts[c]) + ")");
    const auto year = static_cast<std::int64_t>(ev.first_year + c / ev.n_types);
    const auto type = static_cast<std::int32_t>(c % ev.n_types);
    for (std::int64_t k = 0; k < ev.counts[c]; ++k, ++e) {
      if (ev.year[e] != year || ev.type[e] != type)
        throw std::invalid_argument("events: event " + std::to_string(e) + " has year " +
                                    std::to_string(ev.year[e]) + " and type " +
                                    std::to_string(ev.type[e]) + " where the counts put year " +
                                    std::to_string(year) + ", type " + std::to_string(type) +
                                    " (events must be ordered by year, type, k)");
      if (ev.policy[e] < 0 || static_cast<std::size_t>(ev.policy[e]) >= n_policies)
        throw std::out_of_range("events: policy of event " + std::to_string(e) + " must be in [0, " +
                                std::to_string(n_policies) + "), got " + std::to_string(ev.policy[e]));
    }
  }
  if (e != n)
    throw std::invalid_argument("events: counts add up to " + std::to_string(e) + " events, got " +
                                std::to_string(n));
}

PortfolioBlock portfolio_block(const PortfolioEvents& ev, std::vector<double> buf,
                               const std::vector<PolicyTerms>& terms,
                               const ReinsuranceProgramme& programme,
                               const std::vector<std::uint32_t>& tracked, int threads,
                               const std::atomic<bool>* cancel) {
  const std::size_t n_pol = terms.size();
  const std::size_t nt = ev.n_types;
  const std::size_t years = static_cast<std::size_t>(ev.years);
  validate_events(ev, n_pol);
  check_tracked(tracked, n_pol);
  if (buf.size() != ev.u.size())
    throw std::invalid_argument("ground_up must have one loss per event (" +
                                std::to_string(ev.u.size()) + "), got " + std::to_string(buf.size()));
  for (std::size_t e = 0; e < buf.size(); ++e) {
    if (!(std::isfinite(buf[e]) && buf[e] >= 0.0))
      throw std::invalid_argument("ground_up loss of event " + std::to_string(e) + " (policy row " +
                                  std::to_string(ev.policy[e] + 1) + ", attack type " +
                                  std::to_string(ev.type[e]) + ") must be finite and >= 0, got " +
                                  format_value(buf[e]));
  }

  PortfolioBlock out;
  out.first_year = ev.first_year;
  out.years = ev.years;
  out.n_types = nt;
  out.theta = ev.theta;
  out.counts = ev.counts;
  out.rows.resize(years);
  out.ground_up.assign(years, 0.0);
  out.events.assign(years, 0);
  std::vector<std::size_t> offset(years + 1, 0);
  for (std::size_t i = 0; i < years; ++i) {
    std::int64_t n = 0;
    for (std::size_t t = 0; t < nt; ++t) n += ev.counts[i * nt + t];
    out.events[i] = n;
    offset[i + 1] = offset[i] + static_cast<std::size_t>(n);
  }

  // Per year: ground-up sum, terms (buf becomes the insured loss), cells, programme; then buf at
  // the first event of each (year, policy) becomes that policy's annual loss, elsewhere -1.
  tbb::enumerable_thread_specific<YearScratch> scratch([&] { return YearScratch(terms, nt); });
  constexpr std::size_t chunk = 256;
  std::atomic<bool> stopped{false};
  tbb::task_arena arena(threads ? threads : tbb::this_task_arena::max_concurrency());
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, (years + chunk - 1) / chunk, 1),
                      [&](const tbb::blocked_range<std::size_t>& r) {
      YearScratch& s = scratch.local();
      for (std::size_t c = r.begin(); c != r.end(); ++c) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
          stopped = true;
          return;
        }
        for (std::size_t i = c * chunk; i < std::min(years, (c + 1) * chunk); ++i) {
          double ground_up = 0.0;
          for (std::size_t e = offset[i]; e < offset[i + 1]; ++e) ground_up += buf[e];
          out.ground_up[i] = ground_up;
          std::size_t e = offset[i];
          for (std::size_t t = 0; t < nt; ++t) {
            double gross = 0.0, layered = 0.0;
            const std::size_t end = e + static_cast<std::size_t>(ev.counts[i * nt + t]);
            for (; e < end; ++e) {
              PolicyYear& py = s.policy[static_cast<std::size_t>(ev.policy[e])];
              const double insured = py.capacity.take(py.occurrence(buf[e]));
              buf[e] = insured;
              gross += insured;
              layered += programme.per_risk_layer(insured);
              if (py.first < 0) {
                py.first = static_cast<std::int64_t>(e);
                py.annual = 0.0;
              }
              py.annual += insured;
            }
            s.gross[t] = gross;
            s.layered[t] = layered;
          }
          out.rows[i] = programme.apply_year(s.gross.data(), s.layered.data(), nt, s.work.data());
          for (std::size_t f = offset[i]; f < offset[i + 1]; ++f) {
            PolicyYear& py = s.policy[static_cast<std::size_t>(ev.policy[f])];
            if (py.first == static_cast<std::int64_t>(f)) {
              buf[f] = py.annual;
              py.first = -1;
              py.capacity.new_year();
            } else {
              buf[f] = -1.0;
            }
          }
        }
      }
    }, tbb::simple_partitioner());
  });
  if (stopped) throw cancelled("portfolio block cancelled");

  const std::size_t m = tracked.size();
  std::vector<PolicyMoments> moments(n_pol);
  for (std::size_t j = 0; j < m; ++j) moments[tracked[j]].slot = static_cast<std::int64_t>(j);
  out.tracked_sum.assign(m, 0.0);
  out.tracked_cross.assign(m * m, 0.0);
  // One tracked policy's column is summed pairwise over the block's years (NumPy's order for a
  // contiguous column); with several, each column is summed year by year.
  std::vector<double> column(m == 1 ? years : 0, 0.0);
  std::vector<std::pair<std::size_t, double>> hits;
  for (std::size_t i = 0; i < years; ++i) {
    hits.clear();
    for (std::size_t e = offset[i]; e < offset[i + 1]; ++e) {
      PolicyMoments& pm = moments[static_cast<std::size_t>(ev.policy[e])];
      pm.events += 1;
      const double a = buf[e];
      if (a < 0.0) continue;
      pm.sum += a;
      pm.sumsq += a * a;
      if (pm.slot >= 0) hits.emplace_back(static_cast<std::size_t>(pm.slot), a);
    }
    for (const auto& [j, a] : hits) {
      if (m == 1) {
        column[i] = a;
      } else {
        out.tracked_sum[j] += a;
      }
      for (const auto& [k, b] : hits) out.tracked_cross[j * m + k] += a * b;
    }
  }
  out.policy_sum.resize(n_pol);
  out.policy_sumsq.resize(n_pol);
  out.policy_events.resize(n_pol);
  for (std::size_t p = 0; p < n_pol; ++p) {
    out.policy_sum[p] = moments[p].sum;
    out.policy_sumsq[p] = moments[p].sumsq;
    out.policy_events[p] = moments[p].events;
  }
  if (m == 1) out.tracked_sum[0] = pairwise_sum(column.data(), years);
  return out;
}

PortfolioBlock portfolio_block(const PortfolioFrequency& frequency, const PortfolioLoss& loss,
                               const std::vector<PolicyTerms>& terms,
                               const ReinsuranceProgramme& programme, std::uint32_t seed,
                               std::uint64_t first_year, std::uint64_t years,
                               const std::vector<std::uint32_t>& tracked, int threads,
                               std::uint64_t max_events, const std::atomic<bool>* cancel) {
  if (terms.size() != frequency.n_policies())
    throw std::invalid_argument("terms must have one entry per policy (" +
                                std::to_string(frequency.n_policies()) + "), got " +
                                std::to_string(terms.size()));
  check_tracked(tracked, terms.size());
  const PortfolioEvents ev =
      portfolio_events(frequency, seed, first_year, years, threads, max_events, cancel);
  std::vector<double> ground_up(ev.u.size());
  tbb::task_arena arena(threads ? threads : tbb::this_task_arena::max_concurrency());
  arena.execute([&] { loss.losses(ev, seed, ground_up.data()); });
  if (cancel && cancel->load()) throw cancelled("portfolio block cancelled");
  return portfolio_block(ev, std::move(ground_up), terms, programme, tracked, threads, cancel);
}

}  // namespace cyberloss
