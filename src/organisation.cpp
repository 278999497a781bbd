#include "cyberloss/organisation.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cyberloss/stats.hpp"

namespace cyberloss {
namespace {

constexpr std::size_t kEventsPerTask = 4096;
// Events priced at a time within a task: their units and uniforms stay in cache while every
// variant reads them.
constexpr std::size_t kEventsPerUnits = 512;

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

// The variants that share one attack type's units: the same IncidentType, and the range of
// their major probabilities.
struct UnitGroup {
  std::size_t first = 0;  // the variant whose type the units copy
  double major_low = 1.0, major_high = 1.0;
  std::vector<std::size_t> variants;
};

std::vector<UnitGroup> unit_groups(const std::vector<std::vector<IncidentModel>>& variants,
                                   std::size_t t) {
  std::vector<UnitGroup> groups;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const IncidentModel& model = variants[v][t];
    const double p = model.factors().major_probability;
    auto g = std::find_if(groups.begin(), groups.end(), [&](const UnitGroup& u) {
      return same_type(variants[u.first][t].type(), model.type());
    });
    if (g == groups.end()) {
      groups.push_back({v, p, p, {}});
      g = groups.end() - 1;
    }
    g->major_low = std::min(g->major_low, p);
    g->major_high = std::max(g->major_high, p);
    g->variants.push_back(v);
  }
  return groups;
}

// Per-type scratch of one task: the type's rows and their engine columns.
struct TypeRows {
  std::vector<std::size_t> rows;
  std::vector<std::uint64_t> year, k;
  std::vector<double> loss;
};

// A thread's scratch, kept from task to task (fresh vectors per task cost fresh pages): rows by
// type, and the units of each type's unit groups, made when first needed.
struct PricingScratch {
  std::vector<TypeRows> by_type;
  std::vector<std::vector<std::optional<IncidentUnits>>> units;
};

}  // namespace

void price_events(const std::vector<std::vector<IncidentModel>>& variants, std::uint32_t seed,
                  std::uint32_t stream_base, const EventTable& events,
                  const std::vector<EventTable*>& tables, int threads,
                  const std::atomic<bool>* cancel) {
  const std::size_t n = events.size();
  const std::size_t T = events.type_names.size();
  if (variants.empty() || variants.size() != tables.size())
    throw std::invalid_argument("price_events: one output table per variant, at least one; got " +
                                std::to_string(variants.size()) + " variants and " +
                                std::to_string(tables.size()) + " tables");
  for (const auto& incidents : variants) check_incident_models(events.type_names, incidents);
  if (events.type.size() != n || events.k.size() != n || events.survey_loss.size() != n)
    throw std::invalid_argument("event table columns have different lengths");
  for (std::size_t i = 0; i < n; ++i) {
    if (events.type[i] < 0 || static_cast<std::size_t>(events.type[i]) >= T)
      throw std::out_of_range("event type " + std::to_string(events.type[i]) + " at row " +
                              std::to_string(i) + " has no incident model (" + std::to_string(T) +
                              " given)");
    if (events.year[i] < 0 || events.k[i] < 0)
      throw std::invalid_argument("event year and k must be >= 0, got year " +
                                  std::to_string(events.year[i]) + ", k " +
                                  std::to_string(events.k[i]) + " at row " + std::to_string(i));
  }
  std::vector<std::vector<UnitGroup>> groups(T);
  for (std::size_t t = 0; t < T; ++t) groups[t] = unit_groups(variants, t);
  std::vector<IncidentColumns> columns(tables.size());
  for (std::size_t v = 0; v < tables.size(); ++v) {
    EventTable& table = *tables[v];
    table.components.resize(n * n_components);
    table.downtime_days.resize(n);
    for (std::size_t c = 0; c < n_components; ++c)
      columns[v].component[c] = table.components.data() + c * n;
    columns[v].downtime_days = table.downtime_days.data();
  }
  std::atomic<bool> stopped{false};
  const std::size_t tasks = (n + kEventsPerTask - 1) / kEventsPerTask;
  tbb::enumerable_thread_specific<PricingScratch> thread_scratch;
  tbb::task_arena arena(threads > 0 ? threads : tbb::this_task_arena::max_concurrency());
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, tasks, 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
          PricingScratch& scratch = thread_scratch.local();
          std::vector<TypeRows>& by_type = scratch.by_type;
          by_type.resize(T);
          scratch.units.resize(T);
          for (std::size_t task = range.begin(); task != range.end(); ++task) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
              stopped = true;
              return;
            }
            const std::size_t r0 = task * kEventsPerTask, r1 = std::min(n, r0 + kEventsPerTask);
            for (auto& b : by_type) b.rows.clear();
            for (std::size_t i = r0; i < r1; ++i)
              by_type[static_cast<std::size_t>(events.type[i])].rows.push_back(i);
            for (std::size_t t = 0; t < T; ++t) {
              TypeRows& b = by_type[t];
              const std::size_t m = b.rows.size();
              if (m == 0) continue;
              b.year.resize(m);
              b.k.resize(m);
              b.loss.resize(m);
              for (std::size_t j = 0; j < m; ++j) {
                b.year[j] = static_cast<std::uint64_t>(events.year[b.rows[j]]);
                b.k[j] = static_cast<std::uint64_t>(events.k[b.rows[j]]);
                b.loss[j] = events.survey_loss[b.rows[j]];
              }
              const auto stream = stream_base + static_cast<std::uint32_t>(t);
              scratch.units[t].resize(groups[t].size());
              for (std::size_t gi = 0; gi < groups[t].size(); ++gi) {
                const UnitGroup& g = groups[t][gi];
                std::optional<IncidentUnits>& slot = scratch.units[t][gi];
                if (!slot) slot.emplace(variants[g.first][t].type(), g.major_low, g.major_high);
                IncidentUnits& units = *slot;
                for (std::size_t s = 0; s < m; s += kEventsPerUnits) {
                  const std::size_t c = std::min(kEventsPerUnits, m - s);
                  units.draw(seed, stream, b.year.data() + s, b.k.data() + s, c);
                  for (std::size_t v : g.variants)
                    units.price(variants[v][t], b.loss.data() + s, columns[v], b.rows.data() + s);
                }
              }
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

// A table with the engine columns of `events` and no priced columns yet.
EventTable engine_rows(const EventTable& events) {
  EventTable table;
  table.years = events.years;
  table.first_year = events.first_year;
  table.seed = events.seed;
  table.type_names = events.type_names;
  table.year = events.year;
  table.type = events.type;
  table.k = events.k;
  table.survey_loss = events.survey_loss;
  return table;
}

}  // namespace

EventTable reprice_events(const EventTable& events, const std::vector<IncidentModel>& incidents,
                          int threads, const std::atomic<bool>* cancel) {
  check_incident_models(events.type_names, incidents);
  EventTable table = engine_rows(events);
  price_events({incidents}, events.seed, 0, events, {&table}, threads, cancel);
  return table;
}

std::vector<EventTable> simulate_variants(const Model& model,
                                          const std::vector<std::vector<IncidentModel>>& variants,
                                          const SimulationOptions& options) {
  if (variants.empty()) throw std::invalid_argument("simulate_variants: no variants given");
  std::vector<std::string> names;
  for (const AttackType& t : model.types()) names.push_back(t.name);
  for (const auto& incidents : variants) check_incident_models(names, incidents);
  SimulationOptions o = options;
  o.keep_events = true;
  SimulationResult r = simulate(model, o);
  std::vector<EventTable> tables(variants.size());
  EventTable& first = tables[0];
  first.years = r.years;
  first.first_year = r.first_year;
  first.seed = r.seed;
  first.type_names = r.type_names;
  first.year = std::move(r.event_year);
  first.type = std::move(r.event_type);
  first.k = std::move(r.event_k);
  first.survey_loss = std::move(r.event_loss);
  std::vector<EventTable*> out{&first};
  for (std::size_t v = 1; v < variants.size(); ++v) {
    tables[v] = engine_rows(first);
    out.push_back(&tables[v]);
  }
  price_events(variants, options.seed, 0, first, out, options.threads, options.cancel);
  return tables;
}

EventTable simulate_organisation(const Model& model, const std::vector<IncidentModel>& incidents,
                                 const SimulationOptions& options) {
  return std::move(simulate_variants(model, {incidents}, options)[0]);
}

}  // namespace cyberloss
