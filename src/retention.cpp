#include "cyberloss/retention.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "cyberloss/distributions.hpp"
#include "cyberloss/layer.hpp"
#include "cyberloss/order.hpp"
#include "simd/kernels.hpp"

namespace cyberloss {
namespace {

std::vector<double> amounts(std::vector<double> v, const char* field, bool positive) {
  if (v.empty()) throw std::invalid_argument(std::string(field) + " must list at least one amount");
  for (double x : v)
    if (positive ? !(x > 0.0) : !(std::isfinite(x) && x >= 0.0))
      throw std::invalid_argument(std::string(field) + " must be " +
                                  (positive ? "> 0" : "finite and >= 0") + ", got " +
                                  format_value(x));
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

RetentionCell cell(bool insured, double d, double limit, double retained_el, double retained_tvar,
                   double premium, double insured_el, double coc) {
  const double capital = coc * std::max(retained_tvar - retained_el, 0.0);
  return {insured,       d,       limit,
          insured_el,    premium, retained_el,
          retained_tvar, capital, retained_el + premium + capital,
          false,         false};
}

// Sorts and deduplicates the grid's amounts and checks the decision's options.
void check_options(std::vector<double>& deductibles, std::vector<double>& limits,
                   double cost_of_capital, double tail_level, std::optional<double> max_premium) {
  deductibles = amounts(std::move(deductibles), "deductibles", false);
  limits = amounts(std::move(limits), "limits", true);
  require_probability("tail_level", tail_level);
  if (!(cost_of_capital >= 0.0 && cost_of_capital < 1.0))
    throw std::invalid_argument("cost_of_capital must be in [0, 1), got " +
                                format_value(cost_of_capital));
  if (max_premium && !(*max_premium >= 0.0))
    throw std::invalid_argument("max_premium must be >= 0, got " + format_value(*max_premium));
}

// The covered amounts of every event under the base terms (steps 1-2 of terms.hpp), the years
// with incidents, the first event of each and the gross loss of each.
struct CoveredYears {
  const SectionLosses& losses;
  const Buffer<std::int64_t>& years;
  const Buffer<std::size_t>& start;
  const double* gross_year;  // per year in `years`
};

RetentionGrid grid_of(const CoverageTerms& base, const CoveredYears& covered_years,
                      std::uint64_t n_years, const std::vector<double>& deductibles,
                      const std::vector<double>& limits, const Principle& principle,
                      const Loads& loads, double cost_of_capital, double tail_level,
                      std::optional<double> max_premium) {
  const SectionLosses& losses = covered_years.losses;
  const Buffer<std::int64_t>& years = covered_years.years;
  const Buffer<std::size_t>& start = covered_years.start;
  const double* gross_year = covered_years.gross_year;
  const std::size_t n = losses.n, m = years.size();
  const std::size_t D = deductibles.size(), L = limits.size();

  RetentionGrid grid;
  grid.cells.resize(D * L);
  // Two passes. The first goes over the events once, in groups of the expected-value sums'
  // leaves (below), each group's events in cache for every deductible: what each event pays
  // after each deductible, coinsurance and section limits, the years' sums of those payments
  // and of the insured amounts, the leaves' sums, and the years some limit may bind in. The
  // second, a task per deductible, applies each limit's aggregate cap in event order. A year whose
  // payments sum to clearly less than the limit (by more than rounding can move them) is paid
  // in full, so its insured amount is the plain sum of its events' payments, the same bits as
  // the capped walk; only the other years are walked with an AnnualCapacity. Once a limit binds
  // in no year, every larger one gives the same option (its premium and retained loss).
  struct Scratch {
    Buffer<double> paid, retained;
    std::vector<double> year_paid, tail, removed, added, candidates, saved;
    std::vector<std::uint32_t> year_of;
    std::vector<std::size_t> binding;
    std::vector<std::array<double, 3>> cell_leaf_sums;
  };
  // A year some limit may bind in, with its payments' sum under the task's deductible.
  struct OverYear {
    std::size_t year;
    double paid;
  };
  // The expected-value cells' three sums over the years: each limit changes the insured
  // amounts of its binding years only, so the sums of the recursion's leaves are taken once per
  // deductible and only the binding years' leaves again per limit (the same bits).
  const stats::PairwiseLeaves leaves(m);
  // limits ascend: a year in which no limit can bind is one paid clearly below the lowest.
  const double lowest_clearly_below = limits[0] * (1.0 - 1e-9);
  const bool expected_value = principle.kind() == Principle::Kind::expected_value;
  const double ev_weight = expected_value ? expected_value_weight(principle, n_years) : 0.0;
  // A leaf's sums of the retained loss, the insured loss and the premium's weighted loss
  // (pairwise_sums_of<3> of gross_year[y] - x, x and ev_weight * x, x = insured[y]).
  const auto retention_sums = simd::kernels().retention_sums;
  auto ev_leaf_sums = [&](const double* insured, std::size_t j) {
    std::array<double, 3> s;
    const std::size_t b = leaves.begin(j);
    retention_sums(gross_year + b, insured + b, ev_weight, leaves.end(j) - b, s.data());
    return s;
  };
  // Each event's covered total, shared by every deductible (pay_range pays the events at or
  // under a deductible +0.0).
  Buffer<double> covered_total(n);
  {
    const OccurrencePayment any(base, 0.0);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 14),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        any.covered_totals(losses, r.begin(), r.end(), covered_total.data());
                      });
  }
  std::vector<OccurrencePayment> pays;
  pays.reserve(D);
  for (double d : deductibles) pays.emplace_back(base, d);
  tbb::enumerable_thread_specific<Scratch> scratch;  // reused by a thread's tasks

  // Per deductible: each year's insured amount (its payments, each at most its gross loss,
  // summed), the leaves' expected-value sums, and the years some limit may bind in (in year
  // order: a list per group of leaves, the groups in order). A group of 32 leaves is about
  // 3,300 years, whose events' columns (~150 KB in a quote) stay in the core's cache from one
  // deductible to the next; groups of 8 leaves measured slower, of 128 the same.
  constexpr std::size_t kLeavesPerGroup = 32;
  const std::size_t groups = (leaves.size() + kLeavesPerGroup - 1) / kLeavesPerGroup;
  std::vector<Buffer<double>> insured_of(D);
  for (auto& v : insured_of) v.resize(m);
  std::vector<std::vector<std::array<double, 3>>> leaf_sums_of(D);
  if (expected_value)
    for (auto& v : leaf_sums_of) v.resize(leaves.size());
  std::vector<std::vector<OverYear>> over_of(D * groups);
  tbb::parallel_for(std::size_t{0}, groups, [&](std::size_t g) {
    Scratch& w = scratch.local();
    w.paid.resize(n);
    double* paid = w.paid.data();
    const std::size_t j0 = g * kLeavesPerGroup, j1 = std::min(leaves.size(), j0 + kLeavesPerGroup);
    const std::size_t y0 = leaves.begin(j0), y1 = leaves.end(j1 - 1);
    const std::size_t e0 = start[y0], e1 = start[y1];
    // Each of the group's events' year (from y0), for sums event by event: each year's sum from
    // +0 in event order, as sum_by_year, without a branch on how many events a year has.
    w.year_of.resize(e1 - e0);
    for (std::size_t y = y0; y < y1; ++y)
      for (std::size_t i = start[y]; i < start[y + 1]; ++i)
        w.year_of[i - e0] = static_cast<std::uint32_t>(y - y0);
    w.year_paid.resize(y1 - y0);
    double* year_paid = w.year_paid.data();
    for (std::size_t d = 0; d < D; ++d) {
      pays[d].pay_range(losses, covered_total.data(), e0, e1, paid);
      double* insured = insured_of[d].data() + y0;
      for (std::size_t y = 0; y < y1 - y0; ++y) year_paid[y] = insured[y] = 0.0;
      for (std::size_t i = e0; i < e1; ++i) {
        const std::size_t y = w.year_of[i - e0];
        year_paid[y] += paid[i];
        insured[y] += std::min(paid[i], losses.gross_total[i]);
      }
      std::vector<OverYear>& over = over_of[d * groups + g];
      for (std::size_t y = 0; y < y1 - y0; ++y)
        if (year_paid[y] > lowest_clearly_below) over.push_back({y0 + y, year_paid[y]});
      if (expected_value)
        for (std::size_t j = j0; j < j1; ++j)
          leaf_sums_of[d][j] = ev_leaf_sums(insured_of[d].data(), j);
    }
  });

  // Retained TVaR candidates (below). A limit only raises retained losses (in the years where
  // it binds), so the VaR of the retained loss without an aggregate limit is a floor for every
  // limit's VaR: its tail years, with the years a limit binds in, hold every candidate.
  const std::uint64_t zeros = n_years - m;
  const std::size_t var_rank = stats::var_index(n_years, tail_level);
  const bool tail_stored = var_rank >= zeros;
  tbb::parallel_for(std::size_t{0}, D, [&](std::size_t d) {
    Scratch& w = scratch.local();
    w.paid.resize(n);
    w.retained.resize(m);
    Buffer<double>&paid = w.paid, &retained = w.retained;
    double* insured = insured_of[d].data();
    const OccurrencePayment& pay = pays[d];
    std::vector<OverYear> over;
    for (std::size_t g = 0; g < groups; ++g)
      over.insert(over.end(), over_of[d * groups + g].begin(), over_of[d * groups + g].end());
    // The payments of the years a limit may bind in, for the capped walks.
    for (const OverYear& o : over)
      pay.pay_range(losses, covered_total.data(), start[o.year], start[o.year + 1], paid.data());
    if (tail_stored)
      for (std::size_t y = 0; y < m; ++y) retained[y] = gross_year[y] - insured[y];
    // The candidates sorted once: the values at or above the floor (VaR without an aggregate
    // limit), i.e. the order statistics from its rank up and the floor's ties below that rank.
    // Each limit replaces those of its binding years.
    double floor = 0.0;
    std::vector<double>& tail = w.tail;
    tail.clear();
    if (tail_stored) {
      std::size_t ties = 0;
      const std::vector<double> upper =
          order::upper_sorted(retained.data(), m, var_rank - zeros, &ties);
      floor = upper[0];
      tail.assign(ties, floor);
      tail.insert(tail.end(), upper.begin(), upper.end());
    }
    // Each limit's insured amounts are the years' but in its binding years, written over them
    // for the option and restored after it.
    bool previous_binds = true;
    for (std::size_t l = 0; l < L; ++l) {
      const double limit = limits[l];
      const double clearly_below = limit * (1.0 - 1e-9);
      w.binding.clear();
      for (const OverYear& o : over)
        if (o.paid > clearly_below) w.binding.push_back(o.year);
      const bool binds = !w.binding.empty();
      RetentionCell& out = grid.cells[d * L + l];
      if (!binds && !previous_binds) {
        out = grid.cells[d * L + l - 1];
        out.limit = limit;
        continue;
      }
      previous_binds = binds;
      w.saved.clear();
      for (std::size_t y : w.binding) {
        AnnualCapacity capacity(limit);
        double sum = 0.0;
        for (std::size_t i = start[y]; i < start[y + 1]; ++i)
          sum += std::min(capacity.take(paid[i]), losses.gross_total[i]);
        w.saved.push_back(insured[y]);
        insured[y] = sum;
      }
      auto retained_in = [&](std::size_t y) { return gross_year[y] - insured[y]; };
      double tvar;
      if (tail_stored) {
        w.removed.clear();
        w.added.clear();
        for (std::size_t b = 0; b < w.binding.size(); ++b) {
          const std::size_t y = w.binding[b];
          const double before = gross_year[y] - w.saved[b], now = retained_in(y);
          if (before >= floor) w.removed.push_back(before);
          if (now >= floor) w.added.push_back(now);
        }
        std::sort(w.removed.begin(), w.removed.end());
        std::sort(w.added.begin(), w.added.end());
        std::vector<double>& candidates = w.candidates;  // tail - removed + added, ascending
        candidates.clear();
        std::size_t r = 0, a = 0;
        for (double x : tail) {
          if (r < w.removed.size() && x == w.removed[r]) {
            ++r;
            continue;
          }
          while (a < w.added.size() && w.added[a] < x) candidates.push_back(w.added[a++]);
          candidates.push_back(x);
        }
        candidates.insert(candidates.end(), w.added.begin() + static_cast<std::ptrdiff_t>(a),
                          w.added.end());
        tvar = stats::sparse_var_tvar_sorted(n_years, m, candidates.data(), candidates.size(),
                                             tail_level)
                   .tvar;
      } else {
        for (std::size_t y = 0; y < m; ++y) retained[y] = retained_in(y);
        tvar = stats::sparse_var_tvar(n_years, retained.data(), m, tail_level).tvar;
      }
      const double nd = static_cast<double>(n_years);
      double el;
      PremiumPoint prem;
      if (expected_value) {
        // The retained loss, the insured loss and the premium's weighted sum in one pass: the
        // bits of three separate sums (premium_point's under this principle).
        w.cell_leaf_sums = leaf_sums_of[d];
        std::size_t last = leaves.size();  // binding years ascend: a leaf's come together
        for (std::size_t y : w.binding) {
          const std::size_t j = leaves.leaf_of(y);
          if (j != last) w.cell_leaf_sums[j] = ev_leaf_sums(insured, j);
          last = j;
        }
        const std::array<double, 3> sums = leaves.combine(w.cell_leaf_sums.data());
        el = sums[0] / nd;
        prem = {sums[1] / nd, loads.gross_up(sums[2])};
      } else {
        el = stats::pairwise_sum_of(m, retained_in) / nd;
        prem = premium_point(principle, loads, SparseYears{n_years, years.data(), insured, m});
      }
      out = cell(true, deductibles[d], limit, el, tvar, prem.technical_premium, prem.expected_loss,
                 cost_of_capital);
      for (std::size_t b = 0; b < w.binding.size(); ++b) insured[w.binding[b]] = w.saved[b];
    }
  });
  grid.cells.push_back(cell(false, std::numeric_limits<double>::infinity(), 0.0,
                            stats::pairwise_sum(gross_year, m) / static_cast<double>(n_years),
                            stats::sparse_var_tvar(n_years, gross_year, m, tail_level).tvar, 0.0,
                            0.0, cost_of_capital));

  auto& cells = grid.cells;
  for (auto& a : cells) {
    const double ca = a.retained_el + a.premium;
    a.efficient = std::none_of(cells.begin(), cells.end(), [&](const RetentionCell& b) {
      const double cb = b.retained_el + b.premium;
      return cb <= ca && b.retained_tvar <= a.retained_tvar &&
             (cb < ca || b.retained_tvar < a.retained_tvar);
    });
  }
  // No insurance (premium 0) first, then the grid's options in order, each taken only when it
  // costs strictly less: among equals no insurance, then the first. An option that pays nothing
  // in these years for no premium is no insurance by another name (its total cost may differ in
  // the last bits, summed another way): it is not recommended instead.
  const std::size_t none = cells.size() - 1;
  if (max_premium && !(cells[none].premium <= *max_premium))
    throw std::logic_error("retention grid: no option within max_premium");
  grid.recommended = none;
  for (std::size_t c = 0; c < none; ++c) {
    const RetentionCell& x = cells[c];
    if (max_premium && !(x.premium <= *max_premium)) continue;
    if (x.insured_el == 0.0 && x.premium == 0.0) continue;
    if (x.total_cost < cells[grid.recommended].total_cost) grid.recommended = c;
  }
  cells[grid.recommended].recommended = true;
  return grid;
}

}  // namespace

RetentionGrid retention_grid(const CoverageTerms& base, const EventColumns& events,
                             std::uint64_t n_years, std::vector<double> deductibles,
                             std::vector<double> limits, const Principle& principle,
                             const Loads& loads, double cost_of_capital, double tail_level,
                             std::optional<double> max_premium) {
  check_options(deductibles, limits, cost_of_capital, tail_level, max_premium);
  // Validates the events and the years.
  const YearIndex index = year_index(events, n_years);
  const SectionLosses losses = section_losses(base, events);
  std::vector<double> gross_year(index.years.size());
  sum_by_year(index.start, losses.gross_total.data(), gross_year.data());
  check_year_sums(index.years, gross_year.data());
  return grid_of(base, {losses, index.years, index.start, gross_year.data()}, n_years, deductibles,
                 limits, principle, loads, cost_of_capital, tail_level, max_premium);
}

RetentionGrid retention_grid(const InsuredResult& applied, std::vector<double> deductibles,
                             std::vector<double> limits, const Principle& principle,
                             const Loads& loads, double cost_of_capital, double tail_level,
                             std::optional<double> max_premium) {
  check_options(deductibles, limits, cost_of_capital, tail_level, max_premium);
  return grid_of(applied.terms(),
                 {applied.section_losses(), applied.years(), applied.year_start(),
                  applied.annual(View::gross).data()},
                 applied.n_years(), deductibles, limits, principle, loads, cost_of_capital,
                 tail_level, max_premium);
}

}  // namespace cyberloss
