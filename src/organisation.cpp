#include "cyberloss/organisation.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "cyberloss/stats.hpp"

namespace cyberloss {
namespace {

constexpr std::size_t kEventsPerTask = 4096;

// Per-type scratch columns of one task: gathered inputs, priced outputs.
struct TypeBatch {
  std::vector<std::size_t> rows;
  std::vector<std::int64_t> year;
  std::vector<std::int32_t> k;
  std::vector<double> loss;
  IncidentBuffer out;
};

}  // namespace

void price_events(const std::vector<IncidentModel>& incidents, std::uint32_t seed,
                  std::uint32_t stream_base, EventTable& table, int threads,
                  const std::atomic<bool>* cancel) {
  const std::size_t n = table.size();
  const std::size_t T = incidents.size();
  if (table.type.size() != n || table.k.size() != n || table.survey_loss.size() != n)
    throw std::invalid_argument("event table columns have different lengths");
  for (std::size_t i = 0; i < n; ++i)
    if (table.type[i] < 0 || static_cast<std::size_t>(table.type[i]) >= T)
      throw std::out_of_range("event type " + std::to_string(table.type[i]) + " at row " +
                              std::to_string(i) + " has no incident model (" + std::to_string(T) +
                              " given)");
  table.components.resize(n * n_components);
  table.downtime_days.resize(n);
  std::atomic<bool> stopped{false};
  const std::size_t tasks = (n + kEventsPerTask - 1) / kEventsPerTask;
  tbb::task_arena arena(threads > 0 ? threads : tbb::this_task_arena::max_concurrency());
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, tasks, 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
          std::vector<TypeBatch> batches(T);
          for (std::size_t task = range.begin(); task != range.end(); ++task) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
              stopped = true;
              return;
            }
            const std::size_t r0 = task * kEventsPerTask, r1 = std::min(n, r0 + kEventsPerTask);
            for (auto& b : batches) b.rows.clear();
            for (std::size_t i = r0; i < r1; ++i)
              batches[static_cast<std::size_t>(table.type[i])].rows.push_back(i);
            for (std::size_t t = 0; t < T; ++t) {
              TypeBatch& b = batches[t];
              const std::size_t m = b.rows.size();
              if (m == 0) continue;
              b.year.resize(m);
              b.k.resize(m);
              b.loss.resize(m);
              b.out.resize(m);
              for (std::size_t j = 0; j < m; ++j) {
                b.year[j] = table.year[b.rows[j]];
                b.k[j] = table.k[b.rows[j]];
                b.loss[j] = table.survey_loss[b.rows[j]];
              }
              const IncidentColumns cols = b.out.columns();
              incidents[t].batch(seed, stream_base + static_cast<std::uint32_t>(t), b.year.data(),
                                 b.k.data(), b.loss.data(), m, cols);
              for (std::size_t c = 0; c < n_components; ++c)
                for (std::size_t j = 0; j < m; ++j)
                  table.components[c * n + b.rows[j]] = cols.component[c][j];
              for (std::size_t j = 0; j < m; ++j)
                table.downtime_days[b.rows[j]] = cols.downtime_days[j];
            }
          }
        },
        tbb::simple_partitioner());
  });
  if (stopped) throw cancelled("simulation cancelled");
}

namespace {

// np.add.reduceat's value for the run a[0 .. n-1], n >= 1. (NumPy starts a short pairwise
// sum at -0.0, stats::pairwise_sum at +0.0: they differ only for a run of negative zeros,
// which event columns, all >= +0, never hold.)
double run_sum(const double* a, std::size_t n) {
  return n == 1 ? a[0] : a[0] + stats::pairwise_sum(a + 1, n - 1);
}

constexpr std::size_t kEventsPerPart = 1 << 15;
constexpr std::size_t kChunk = 2048;

}  // namespace

YearTotals year_totals(const EventTable& table, int threads) {
  const std::size_t n = table.size();
  if (table.components.size() != n * n_components || table.downtime_days.size() != n)
    throw std::invalid_argument("event table columns have different lengths");
  const std::int64_t* year = table.year.data();
  for (std::size_t i = 1; i < n; ++i)
    if (year[i] < year[i - 1])
      throw std::invalid_argument("event table rows must be ordered by year; row " +
                                  std::to_string(i) + " has year " + std::to_string(year[i]) +
                                  " after " + std::to_string(year[i - 1]));
  // Parts of about kEventsPerPart rows that start where a year starts.
  std::vector<std::size_t> bounds{0};
  for (std::size_t at = kEventsPerPart; at < n; at += kEventsPerPart) {
    std::size_t b = std::max(at, bounds.back());
    while (b < n && year[b] == year[b - 1]) ++b;
    if (b < n && b > bounds.back()) bounds.push_back(b);
  }
  bounds.push_back(n);
  const std::size_t parts = bounds.size() - 1;
  std::vector<std::size_t> first_year_of(parts + 1, 0);
  tbb::task_arena arena(threads > 0 ? threads : tbb::this_task_arena::max_concurrency());
  auto each_part = [&](auto f) {
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, parts, 1),
                        [&](const tbb::blocked_range<std::size_t>& r) {
                          for (std::size_t p = r.begin(); p != r.end(); ++p) f(p);
                        });
    });
  };
  each_part([&](std::size_t p) {
    std::size_t count = 0;
    for (std::size_t i = bounds[p]; i < bounds[p + 1]; ++i)
      count += i == bounds[p] || year[i] != year[i - 1];
    first_year_of[p + 1] = count;
  });
  for (std::size_t p = 0; p < parts; ++p) first_year_of[p + 1] += first_year_of[p];
  const std::size_t m = first_year_of[parts];
  YearTotals out;
  out.years.resize(m);
  out.sums.resize(YearTotals::n_columns * m);
  out.gross_max.resize(m);
  const auto base = static_cast<std::int64_t>(table.first_year);
  // Each part in chunks of whole years of about kChunk rows, column by column: a few memory
  // streams at a time rather than one per column.
  each_part([&](std::size_t p) {
    std::vector<double> gross;
    std::vector<std::size_t> starts;  // the chunk's year starts and its end, chunk-relative
    std::size_t y = first_year_of[p];
    for (std::size_t s = bounds[p]; s < bounds[p + 1];) {
      std::size_t e = std::min(bounds[p + 1], s + kChunk);
      while (e < bounds[p + 1] && year[e] == year[e - 1]) ++e;
      const std::size_t len = e - s;
      starts.clear();
      for (std::size_t i = s; i < e; ++i)
        if (i == s || year[i] != year[i - 1]) starts.push_back(i - s);
      const std::size_t runs = starts.size();
      starts.push_back(len);
      gross.assign(table.component(0) + s, table.component(0) + e);
      for (std::size_t c = 1; c < n_components; ++c) {
        const double* col = table.component(c) + s;
        for (std::size_t i = 0; i < len; ++i) gross[i] = gross[i] + col[i];
      }
      auto sum_runs = [&](const double* col, double* to) {
        for (std::size_t r = 0; r < runs; ++r)
          to[r] = run_sum(col + starts[r], starts[r + 1] - starts[r]);
      };
      for (std::size_t c = 0; c < n_components; ++c)
        sum_runs(table.component(c) + s, out.sums.data() + c * m + y);
      sum_runs(gross.data(), out.sums.data() + YearTotals::gross * m + y);
      sum_runs(table.downtime_days.data() + s, out.sums.data() + YearTotals::downtime_days * m + y);
      for (std::size_t r = 0; r < runs; ++r) {
        out.years[y + r] = year[s + starts[r]] - base;
        out.gross_max[y + r] =
            *std::max_element(gross.begin() + static_cast<std::ptrdiff_t>(starts[r]),
                              gross.begin() + static_cast<std::ptrdiff_t>(starts[r + 1]));
      }
      y += runs;
      s = e;
    }
  });
  return out;
}

namespace {

void check_incident_models(const std::vector<std::string>& type_names,
                           const std::vector<IncidentModel>& incidents) {
  if (incidents.size() != type_names.size())
    throw std::invalid_argument("incident models: " + std::to_string(incidents.size()) +
                                " given for " + std::to_string(type_names.size()) +
                                " attack types");
  for (std::size_t t = 0; t < type_names.size(); ++t)
    if (incidents[t].type().name != type_names[t])
      throw std::invalid_argument("incident model " + std::to_string(t) + " is for '" +
                                  incidents[t].type().name + "' but attack type " +
                                  std::to_string(t) + " is '" + type_names[t] + "'");
}

}  // namespace

EventTable reprice_events(const EventTable& events, const std::vector<IncidentModel>& incidents,
                          int threads, const std::atomic<bool>* cancel) {
  check_incident_models(events.type_names, incidents);
  EventTable table;
  table.years = events.years;
  table.first_year = events.first_year;
  table.seed = events.seed;
  table.type_names = events.type_names;
  table.year = events.year;
  table.type = events.type;
  table.k = events.k;
  table.survey_loss = events.survey_loss;
  price_events(incidents, events.seed, 0, table, threads, cancel);
  return table;
}

EventTable simulate_organisation(const Model& model, const std::vector<IncidentModel>& incidents,
                                 const SimulationOptions& options) {
  std::vector<std::string> names;
  for (const AttackType& t : model.types()) names.push_back(t.name);
  check_incident_models(names, incidents);
  SimulationOptions o = options;
  // The table is built from the events alone: the by-type sums and counts (12 bytes a year and
  // type, 144 MB for a quote's 2,000,000 years of six types) would be written and dropped.
  o.keep_events = true;
  o.keep_by_type = false;
  o.keep_counts = false;
  SimulationResult r = simulate(model, o);
  EventTable table;
  table.years = r.years;
  table.first_year = r.first_year;
  table.seed = r.seed;
  table.type_names = r.type_names;
  table.year = std::move(r.event_year);
  table.type = std::move(r.event_type);
  table.k = std::move(r.event_k);
  table.survey_loss = std::move(r.event_loss);
  price_events(incidents, options.seed, 0, table, options.threads, options.cancel);
  return table;
}

}  // namespace cyberloss
