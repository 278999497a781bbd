// A portfolio block in one call.  Years are independent until the per-policy sums, so the
// per-year work (losses, terms, programme, year rows) runs in parallel with per-thread
// scratch, and the per-policy sums then add the years in order.  The one-call block works on
// pieces of a few hundred years (a pipeline: pieces are simulated in parallel and their sums
// added in piece order), so it holds a few pieces' events, in cache, never the whole block's.
// Every sum follows the order of the former NumPy block: a cell (year, type) or a (year, policy)
// adds its events in event order from 0, per-policy sums add years in order, sums over types
// use stats::pairwise_sum (NumPy's order).
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "cyberloss/engine.hpp"
#include "cyberloss/portfolio.hpp"
#include "cyberloss/stats.hpp"

namespace cyberloss {
namespace {

// Per-thread state of the year pass: one record per policy, so that an event touches one
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

void check_tracked(const std::vector<std::uint32_t>& tracked, std::size_t n_policies) {
  std::vector<bool> seen(n_policies, false);
  for (std::size_t i = 0; i < tracked.size(); ++i) {
    const std::uint32_t p = tracked[i];
    if (p >= n_policies)
      throw std::out_of_range("tracked[" + std::to_string(i) + "] must be a policy index in [0, " +
                              std::to_string(n_policies) + "), got " + std::to_string(p));
    if (seen[p])
      throw std::invalid_argument("tracked lists policy " + std::to_string(p) + " twice");
    seen[p] = true;
  }
}

void check_losses(const PortfolioEvents& ev, const std::vector<double>& x) {
  if (x.size() != ev.u.size())
    throw std::invalid_argument("ground_up must have one loss per event (" +
                                std::to_string(ev.u.size()) + "), got " + std::to_string(x.size()));
  for (std::size_t e = 0; e < x.size(); ++e) {
    if (!(std::isfinite(x[e]) && x[e] >= 0.0))
      throw std::invalid_argument("ground-up loss of the event of year " +
                                  std::to_string(ev.year[e]) + ", attack type " +
                                  std::to_string(ev.type[e]) + ", k " + std::to_string(ev.k[e]) +
                                  " (policy row " + std::to_string(ev.policy[e] + 1) +
                                  ") must be finite and >= 0, got " + format_value(x[e]));
  }
}

// The block's outputs before any year is simulated; refused when its per-year rows would not
// fit in the memory available.
PortfolioBlock empty_block(std::uint64_t first_year, std::uint64_t years, std::size_t n_types) {
  const double need = static_cast<double>(years) *
                      static_cast<double>(sizeof(ReinsuranceYear) + 5 * 8 + n_types * 16);
  if (need > available_memory_bytes())
    throw memory_error("a portfolio block of " + std::to_string(years) + " years needs " +
                       std::to_string(static_cast<std::uint64_t>(need / (1 << 20))) +
                       " MiB for its year rows, more than is available: use fewer years");
  PortfolioBlock out;
  out.first_year = first_year;
  out.years = years;
  out.n_types = n_types;
  const auto y = static_cast<std::size_t>(years);
  out.rows.resize(y);
  out.ground_up.assign(y, 0.0);
  out.gross_max.assign(y, 0.0);
  out.ground_up_max.assign(y, 0.0);
  out.events.assign(y, 0);
  out.theta.assign(y * n_types, 1.0);
  out.counts.assign(y * n_types, 0);
  return out;
}

// Events of `ev` (years row0, row0 + 1, ... of the block): where each year's events start
// (one more entry for the end); copies theta, counts and the year's event count into out.
std::vector<std::size_t> year_offsets(const PortfolioEvents& ev, std::size_t row0,
                                      PortfolioBlock& out) {
  const std::size_t nt = ev.n_types;
  const auto years = static_cast<std::size_t>(ev.years);
  std::copy(ev.theta.begin(), ev.theta.end(),
            out.theta.begin() + static_cast<std::ptrdiff_t>(row0 * nt));
  std::copy(ev.counts.begin(), ev.counts.end(),
            out.counts.begin() + static_cast<std::ptrdiff_t>(row0 * nt));
  std::vector<std::size_t> offset(years + 1, 0);
  for (std::size_t i = 0; i < years; ++i) {
    std::int64_t n = 0;
    for (std::size_t t = 0; t < nt; ++t) n += ev.counts[i * nt + t];
    out.events[row0 + i] = n;
    offset[i + 1] = offset[i] + static_cast<std::size_t>(n);
  }
  return offset;
}

// Years [i0, i1) of `ev` (block rows row0 + i): ground-up sum, the policies' terms (buf, the
// ground-up losses, becomes the insured losses), the cells, the programme; then buf at the first
// event of each (year, policy) becomes that policy's annual insured loss, elsewhere -1.
void year_pass(const PortfolioEvents& ev, const std::vector<std::size_t>& offset, std::size_t i0,
               std::size_t i1, double* buf, const ReinsuranceProgramme& programme, YearScratch& s,
               PortfolioBlock& out, std::size_t row0) {
  const std::size_t nt = ev.n_types;
  for (std::size_t i = i0; i < i1; ++i) {
    double ground_up = 0.0, ground_up_max = 0.0, gross_max = 0.0;
    for (std::size_t e = offset[i]; e < offset[i + 1]; ++e) {
      ground_up += buf[e];
      ground_up_max = std::max(ground_up_max, buf[e]);
    }
    out.ground_up[row0 + i] = ground_up;
    out.ground_up_max[row0 + i] = ground_up_max;
    std::size_t e = offset[i];
    for (std::size_t t = 0; t < nt; ++t) {
      double gross = 0.0, layered = 0.0;
      const std::size_t end = e + static_cast<std::size_t>(ev.counts[i * nt + t]);
      for (; e < end; ++e) {
        PolicyYear& py = s.policy[static_cast<std::size_t>(ev.policy[e])];
        const double insured = py.capacity.take(py.occurrence(buf[e]));
        buf[e] = insured;
        gross_max = std::max(gross_max, insured);
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
    out.gross_max[row0 + i] = gross_max;
    out.rows[row0 + i] = programme.apply_year(s.gross.data(), s.layered.data(), nt, s.work.data());
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

// Per-policy moments and the tracked policies' sums, fed the year pass's output in year order.
class Moments {
 public:
  Moments(std::size_t n_policies, const std::vector<std::uint32_t>& tracked, std::size_t years)
      : policy_(n_policies),
        m_(tracked.size()),
        tracked_sum_(m_, 0.0),
        cross_(m_ * m_, 0.0),
        column_(m_ == 1 ? years : 0, 0.0) {
    for (std::size_t j = 0; j < m_; ++j) policy_[tracked[j]].slot = static_cast<std::int64_t>(j);
  }

  void add(const PortfolioEvents& ev, const std::vector<std::size_t>& offset, const double* buf,
           std::size_t row0) {
    for (std::size_t i = 0; i + 1 < offset.size(); ++i) {
      hits_.clear();
      for (std::size_t e = offset[i]; e < offset[i + 1]; ++e) {
        Policy& pm = policy_[static_cast<std::size_t>(ev.policy[e])];
        pm.events += 1;
        const double a = buf[e];
        if (a < 0.0) continue;
        pm.sum += a;
        pm.sumsq += a * a;
        if (pm.slot >= 0) hits_.emplace_back(static_cast<std::size_t>(pm.slot), a);
      }
      for (const auto& [j, a] : hits_) {
        if (m_ == 1) {
          column_[row0 + i] = a;
        } else {
          tracked_sum_[j] += a;
        }
        for (const auto& [k, b] : hits_) cross_[j * m_ + k] += a * b;
      }
    }
  }

  void finish(PortfolioBlock& out) {
    const std::size_t n = policy_.size();
    out.policy_sum.resize(n);
    out.policy_sumsq.resize(n);
    out.policy_events.resize(n);
    for (std::size_t p = 0; p < n; ++p) {
      out.policy_sum[p] = policy_[p].sum;
      out.policy_sumsq[p] = policy_[p].sumsq;
      out.policy_events[p] = policy_[p].events;
    }
    // One tracked policy's column is summed pairwise over the block's years (NumPy's order for
    // a contiguous column); with several, each column is summed year by year.
    if (m_ == 1) tracked_sum_[0] = stats::pairwise_sum(column_.data(), column_.size());
    out.tracked_sum = std::move(tracked_sum_);
    out.tracked_cross = std::move(cross_);
  }

 private:
  // Kept together so that an event touches one place.
  struct Policy {
    double sum = 0.0;
    double sumsq = 0.0;
    std::int64_t events = 0;
    std::int64_t slot = -1;  // its place among the tracked policies, -1 when not tracked
  };
  std::vector<Policy> policy_;
  std::size_t m_;
  std::vector<double> tracked_sum_, cross_, column_;
  std::vector<std::pair<std::size_t, double>> hits_;
};

int arena_size(int threads) {
  if (threads < 0)
    throw std::invalid_argument("threads must be >= 0 (0: all cores), got " +
                                std::to_string(threads));
  return threads ? threads : tbb::this_task_arena::max_concurrency();
}

// Years per piece of the one-call block: about 16,384 expected events (half a MiB of events).
std::uint64_t piece_years(const PortfolioFrequency& f) {
  double rate = 0.0;
  for (std::size_t a = 0; a < f.n_types(); ++a) rate += f.total_rate(a);
  const double years = 16384.0 / std::max(rate, 1e-9);
  return static_cast<std::uint64_t>(std::clamp(years, 16.0, 4096.0));
}

}  // namespace

std::vector<PolicyTerms> policy_terms(const std::vector<double>& deductible,
                                      const std::vector<double>& occurrence_limit,
                                      const std::vector<double>& aggregate_limit) {
  const std::size_t n = deductible.size();
  if (occurrence_limit.size() != n || aggregate_limit.size() != n) {
    throw std::invalid_argument(
        "deductible, occurrence_limit and aggregate_limit need one value per "
        "policy, got " +
        std::to_string(n) + ", " + std::to_string(occurrence_limit.size()) + " and " +
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
    throw std::invalid_argument(
        "events: year, type, k, policy and u must have the same length, got " +
        std::to_string(ev.year.size()) + ", " + std::to_string(ev.type.size()) + ", " +
        std::to_string(ev.k.size()) + ", " + std::to_string(n) + " and " +
        std::to_string(ev.u.size()));
  }
  if (ev.counts.size() != cells || ev.theta.size() != cells) {
    throw std::invalid_argument(
        "events: counts and theta must have years x types = " + std::to_string(cells) +
        " values, got " + std::to_string(ev.counts.size()) + " and " +
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
        throw std::out_of_range("events: policy of event " + std::to_string(e) +
                                " must be in [0, " + std::to_string(n_policies) + "), got " +
                                std::to_string(ev.policy[e]));
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
  validate_events(ev, terms.size());
  check_tracked(tracked, terms.size());
  check_losses(ev, buf);
  const int concurrency = arena_size(threads);
  const auto years = static_cast<std::size_t>(ev.years);
  PortfolioBlock out = empty_block(ev.first_year, ev.years, ev.n_types);
  const std::vector<std::size_t> offset = year_offsets(ev, 0, out);
  tbb::enumerable_thread_specific<YearScratch> scratch(
      [&] { return YearScratch(terms, ev.n_types); });
  constexpr std::size_t chunk = 256;
  std::atomic<bool> stopped{false};
  tbb::task_arena arena(concurrency);
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, (years + chunk - 1) / chunk, 1),
        [&](const tbb::blocked_range<std::size_t>& r) {
          for (std::size_t c = r.begin(); c != r.end(); ++c) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
              stopped = true;
              return;
            }
            year_pass(ev, offset, c * chunk, std::min(years, (c + 1) * chunk), buf.data(),
                      programme, scratch.local(), out, 0);
          }
        },
        tbb::simple_partitioner());
  });
  if (stopped) throw cancelled("portfolio block cancelled");
  Moments moments(terms.size(), tracked, years);
  moments.add(ev, offset, buf.data(), 0);
  moments.finish(out);
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
  const int concurrency = arena_size(threads);
  PortfolioBlock out = empty_block(first_year, years, frequency.n_types());
  Moments moments(terms.size(), tracked, static_cast<std::size_t>(years));
  tbb::enumerable_thread_specific<YearScratch> scratch(
      [&] { return YearScratch(terms, frequency.n_types()); });
  struct Piece {
    std::size_t row0 = 0;
    PortfolioEvents events;
    std::vector<double> buf;
    std::vector<std::size_t> offset;
  };
  const std::uint64_t piece = piece_years(frequency);
  std::uint64_t next = 0;
  tbb::task_arena arena(concurrency);
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<std::size_t>(2 * concurrency),
        tbb::make_filter<void, std::uint64_t>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> std::uint64_t {
              if (next >= years || (cancel && cancel->load(std::memory_order_relaxed))) {
                fc.stop();
                return 0;
              }
              const std::uint64_t y0 = next;
              next = std::min(years, next + piece);
              return y0;
            }) &
            tbb::make_filter<std::uint64_t, std::shared_ptr<Piece>>(
                tbb::filter_mode::parallel,
                [&](std::uint64_t y0) {
                  auto p = std::make_shared<Piece>();
                  p->row0 = static_cast<std::size_t>(y0);
                  const std::uint64_t n = std::min(piece, years - y0);
                  p->events =
                      portfolio_events(frequency, seed, first_year + y0, n, 1, max_events, cancel);
                  p->buf.resize(p->events.u.size());
                  loss.losses(p->events, seed, p->buf.data());
                  check_losses(p->events, p->buf);
                  p->offset = year_offsets(p->events, p->row0, out);
                  year_pass(p->events, p->offset, 0, static_cast<std::size_t>(n), p->buf.data(),
                            programme, scratch.local(), out, p->row0);
                  return p;
                }) &
            tbb::make_filter<std::shared_ptr<Piece>, void>(
                tbb::filter_mode::serial_in_order, [&](const std::shared_ptr<Piece>& p) {
                  moments.add(p->events, p->offset, p->buf.data(), p->row0);
                }));
  });
  if (cancel && cancel->load()) throw cancelled("portfolio block cancelled");
  moments.finish(out);
  return out;
}

}  // namespace cyberloss
