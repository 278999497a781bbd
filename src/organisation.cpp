#include "cyberloss/organisation.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
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

// One run's events of one type in one task: their rows, survey-basis losses, (year, k) keys
// and the index of each in the task's union of events.
struct RunRows {
  std::vector<std::size_t> rows;
  std::vector<double> loss;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> keys;
  std::vector<std::uint32_t> at;
};

// A thread's scratch, kept from task to task (fresh vectors per task cost fresh pages): rows by
// run and type, the union of a type's events, and the units of each type's unit groups, made
// when first needed.
struct PricingScratch {
  std::vector<std::vector<RunRows>> by_run;  // [run][type]
  std::vector<std::pair<std::uint64_t, std::uint64_t>> keys, merged;
  std::vector<std::uint64_t> year, k;
  std::vector<std::uint32_t> local_at;
  std::vector<std::vector<std::optional<IncidentUnits>>> units;  // [type][group]
};

void check_run(const EventTable& run, const EventTable& first, std::size_t r) {
  const std::size_t n = run.size();
  const std::size_t T = first.type_names.size();
  if (run.type_names != first.type_names || run.years != first.years ||
      run.first_year != first.first_year || run.seed != first.seed)
    throw std::invalid_argument("event table " + std::to_string(r) +
                                " is not of the first one's years, seed and attack types");
  if (run.type.size() != n || run.k.size() != n || run.survey_loss.size() != n)
    throw std::invalid_argument("event table columns have different lengths");
  for (std::size_t i = 0; i < n; ++i) {
    if (run.type[i] < 0 || static_cast<std::size_t>(run.type[i]) >= T)
      throw std::out_of_range("event type " + std::to_string(run.type[i]) + " at row " +
                              std::to_string(i) + " has no incident model (" + std::to_string(T) +
                              " given)");
    if (run.year[i] < 0 || run.k[i] < 0)
      throw std::invalid_argument("event year and k must be >= 0, got year " +
                                  std::to_string(run.year[i]) + ", k " + std::to_string(run.k[i]) +
                                  " at row " + std::to_string(i));
    if (i > 0 && run.year[i] < run.year[i - 1])
      throw std::invalid_argument("event table rows must be ordered by year; row " +
                                  std::to_string(i) + " has year " + std::to_string(run.year[i]) +
                                  " after " + std::to_string(run.year[i - 1]));
  }
}

}  // namespace

void price_events(const std::vector<std::vector<IncidentModel>>& variants, std::uint32_t seed,
                  std::uint32_t stream_base, const EventTable& events,
                  const std::vector<EventTable*>& tables, int threads,
                  const std::atomic<bool>* cancel) {
  price_events({&events}, std::vector<std::size_t>(variants.size(), 0), variants, seed, stream_base,
               tables, threads, cancel);
}

void price_events(const std::vector<const EventTable*>& runs,
                  const std::vector<std::size_t>& run_of,
                  const std::vector<std::vector<IncidentModel>>& variants, std::uint32_t seed,
                  std::uint32_t stream_base, const std::vector<EventTable*>& tables, int threads,
                  const std::atomic<bool>* cancel) {
  if (variants.empty() || variants.size() != tables.size() || variants.size() != run_of.size())
    throw std::invalid_argument(
        "price_events: one output table and one run index per variant, at least one; got " +
        std::to_string(variants.size()) + " variants, " + std::to_string(tables.size()) +
        " tables and " + std::to_string(run_of.size()) + " run indices");
  if (runs.empty()) throw std::invalid_argument("price_events: no event tables");
  const std::size_t R = runs.size();
  for (std::size_t v = 0; v < run_of.size(); ++v)
    if (run_of[v] >= R)
      throw std::out_of_range("variant " + std::to_string(v) + " names event table " +
                              std::to_string(run_of[v]) + " of " + std::to_string(R));
  const EventTable& first = *runs[0];
  for (std::size_t r = 0; r < R; ++r) check_run(*runs[r], first, r);
  for (const auto& incidents : variants) check_incident_models(first.type_names, incidents);
  const std::size_t T = first.type_names.size();
  std::vector<std::vector<UnitGroup>> groups(T);
  for (std::size_t t = 0; t < T; ++t) groups[t] = unit_groups(variants, t);
  std::vector<IncidentColumns> columns(tables.size());
  const detail::PrefaultCancel columns_cancelled(cancel);
  for (std::size_t v = 0; v < tables.size(); ++v) {
    EventTable& table = *tables[v];
    const std::size_t n = runs[run_of[v]]->size();
    table.components.resize(n * n_components);
    table.downtime_days.resize(n);
    table.gross.resize(n);
    for (std::size_t c = 0; c < n_components; ++c)
      columns[v].component[c] = table.components.data() + c * n;
    columns[v].downtime_days = table.downtime_days.data();
    columns[v].gross = table.gross.data();
  }
  // Tasks are ranges of years holding about kEventsPerTask rows of the largest run: an event
  // (year, type, k) has the same uniforms in every run, so its units serve them all.
  const EventTable& largest = **std::max_element(
      runs.begin(), runs.end(),
      [](const EventTable* a, const EventTable* b) { return a->size() < b->size(); });
  std::vector<std::int64_t> bounds{std::numeric_limits<std::int64_t>::min()};
  for (std::size_t at = kEventsPerTask; at < largest.size(); at += kEventsPerTask)
    if (largest.year[at] > bounds.back()) bounds.push_back(largest.year[at]);
  bounds.push_back(std::numeric_limits<std::int64_t>::max());
  const std::size_t tasks = bounds.size() - 1;
  std::atomic<bool> stopped{false};
  tbb::enumerable_thread_specific<PricingScratch> thread_scratch;
  tbb::task_arena arena(threads > 0 ? threads : tbb::this_task_arena::max_concurrency());
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, tasks, 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
          PricingScratch& s = thread_scratch.local();
          s.by_run.resize(R);
          for (auto& b : s.by_run) b.resize(T);
          s.units.resize(T);
          for (std::size_t task = range.begin(); task != range.end(); ++task) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
              stopped = true;
              return;
            }
            for (std::size_t r = 0; r < R; ++r) {
              const EventTable& run = *runs[r];
              for (auto& b : s.by_run[r]) {
                b.rows.clear();
                b.loss.clear();
                b.keys.clear();
              }
              const auto* y = run.year.data();
              const std::size_t r0 =
                  static_cast<std::size_t>(std::lower_bound(y, y + run.size(), bounds[task]) - y);
              const std::size_t r1 = static_cast<std::size_t>(
                  std::lower_bound(y + r0, y + run.size(), bounds[task + 1]) - y);
              for (std::size_t i = r0; i < r1; ++i) {
                RunRows& b = s.by_run[r][static_cast<std::size_t>(run.type[i])];
                b.rows.push_back(i);
                b.loss.push_back(run.survey_loss[i]);
                b.keys.emplace_back(static_cast<std::uint64_t>(run.year[i]),
                                    static_cast<std::uint64_t>(run.k[i]));
              }
            }
            for (std::size_t t = 0; t < T; ++t) {
              // The union of the runs' events of type t (each run's are ordered by (year, k)).
              s.keys = s.by_run[0][t].keys;
              for (std::size_t r = 1; r < R; ++r) {
                const auto& keys = s.by_run[r][t].keys;
                s.merged.clear();
                std::set_union(s.keys.begin(), s.keys.end(), keys.begin(), keys.end(),
                               std::back_inserter(s.merged));
                std::swap(s.keys, s.merged);
              }
              const std::size_t m = s.keys.size();
              if (m == 0) continue;
              // With one run the union is its events, in order: no unit indices needed.
              for (std::size_t r = 0; R > 1 && r < R; ++r) {
                RunRows& b = s.by_run[r][t];
                b.at.resize(b.keys.size());
                for (std::size_t j = 0, u = 0; j < b.keys.size(); ++j) {
                  while (s.keys[u] != b.keys[j]) ++u;
                  b.at[j] = static_cast<std::uint32_t>(u);
                }
              }
              s.year.resize(m);
              s.k.resize(m);
              for (std::size_t u = 0; u < m; ++u) {
                s.year[u] = s.keys[u].first;
                s.k[u] = s.keys[u].second;
              }
              const auto stream = stream_base + static_cast<std::uint32_t>(t);
              s.units[t].resize(groups[t].size());
              for (std::size_t gi = 0; gi < groups[t].size(); ++gi) {
                const UnitGroup& g = groups[t][gi];
                std::optional<IncidentUnits>& slot = s.units[t][gi];
                if (!slot) slot.emplace(variants[g.first][t].type(), g.major_low, g.major_high);
                IncidentUnits& units = *slot;
                std::vector<std::size_t> next(R, 0);  // each run's first event not yet priced
                for (std::size_t c0 = 0; c0 < m; c0 += kEventsPerUnits) {
                  const std::size_t c1 = std::min(m, c0 + kEventsPerUnits);
                  units.draw(seed, stream, s.year.data() + c0, s.k.data() + c0, c1 - c0);
                  if (R == 1) {
                    const RunRows& b = s.by_run[0][t];
                    for (std::size_t v : g.variants)
                      units.price(variants[v][t], c1 - c0, nullptr, b.loss.data() + c0, columns[v],
                                  b.rows.data() + c0);
                    continue;
                  }
                  for (std::size_t r = 0; r < R; ++r) {
                    const RunRows& b = s.by_run[r][t];
                    const std::size_t p = next[r];
                    std::size_t q = p;
                    while (q < b.at.size() && b.at[q] < c1) ++q;
                    next[r] = q;
                    if (q == p) continue;
                    s.local_at.resize(q - p);
                    for (std::size_t j = p; j < q; ++j)
                      s.local_at[j - p] = b.at[j] - static_cast<std::uint32_t>(c0);
                    for (std::size_t v : g.variants)
                      if (run_of[v] == r)
                        units.price(variants[v][t], q - p, s.local_at.data(), b.loss.data() + p,
                                    columns[v], b.rows.data() + p);
                  }
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
  if (n == 1) return a[0];
  if (n > 8) return a[0] + stats::pairwise_sum(a + 1, n - 1);
  double rest = 0.0;  // pairwise_sum of fewer than 8 values: in order, from +0.0
  for (std::size_t i = 1; i < n; ++i) rest += a[i];
  return a[0] + rest;
}

constexpr std::size_t kEventsPerPart = 1 << 15;
constexpr std::size_t kChunk = 2048;

}  // namespace

YearTotals year_totals(const EventTable& table, int threads, bool components) {
  const std::size_t n = table.size();
  if (table.components.size() != n * n_components || table.downtime_days.size() != n ||
      table.gross.size() != n)
    throw std::invalid_argument(
        "event table columns have different lengths (components, downtime_days, gross: a "
        "priced table has all three)");
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
  out.components = components;
  const std::size_t rows = out.rows();
  out.years.resize(m);
  out.sums.resize(rows * m);
  out.gross_max.resize(m);
  const auto base = static_cast<std::int64_t>(table.first_year);
  // Each part in chunks of whole years of about kChunk rows, column by column: a few memory
  // streams at a time rather than one per column.
  each_part([&](std::size_t p) {
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
      const double* g = table.gross.data() + s;
      // Run by run (a year's events), every column: most years have one event, whose values
      // are copied; one branch a year rather than one a year and column.
      const double* cols[YearTotals::n_columns];
      if (components)
        for (std::size_t c = 0; c < n_components; ++c) cols[c] = table.component(c) + s;
      cols[out.row(YearTotals::gross)] = g;
      cols[out.row(YearTotals::downtime_days)] = table.downtime_days.data() + s;
      double* to = out.sums.data() + y;
      for (std::size_t r = 0; r < runs; ++r) {
        const std::size_t b = starts[r], len = starts[r + 1] - b;
        if (len == 1) {
          for (std::size_t c = 0; c < rows; ++c) to[c * m + r] = cols[c][b];
          out.gross_max[y + r] = g[b];
        } else {
          for (std::size_t c = 0; c < rows; ++c) to[c * m + r] = run_sum(cols[c] + b, len);
          out.gross_max[y + r] = *std::max_element(g + b, g + b + len);
        }
        out.years[y + r] = year[s + b] - base;
      }
      y += runs;
      s = e;
    }
  });
  return out;
}

TypeYearSums type_year_sums(const EventTable& table, std::int32_t type,
                            const std::vector<std::size_t>& columns) {
  const std::size_t n = table.size();
  std::vector<const double*> cols;
  for (std::size_t c : columns) {
    if (c != YearTotals::downtime_days && c >= n_components)
      throw std::invalid_argument("type_year_sums: column " + std::to_string(c) +
                                  " is neither a component nor the downtime days");
    cols.push_back(c == YearTotals::downtime_days ? table.downtime_days.data()
                                                  : table.component(c));
  }
  const std::int64_t* year = table.year.data();
  const std::int32_t* types = table.type.data();
  const auto first = static_cast<std::int64_t>(table.first_year);
  TypeYearSums out;
  for (std::size_t e = 0; e < n; ++e) {
    if (types[e] != type) continue;
    const std::int64_t y = year[e] - first;
    if (y < 0 || static_cast<std::uint64_t>(y) >= table.years)
      throw std::out_of_range("event " + std::to_string(e) + " has year " +
                              std::to_string(year[e]) + ", outside the table's years");
    double v = 0.0;
    for (const double* col : cols) v = v + col[e];
    if (out.years.empty() || out.years.back() != y) {
      if (!out.years.empty() && y < out.years.back())
        throw std::invalid_argument("event table rows must be ordered by year; row " +
                                    std::to_string(e) + " is not");
      out.years.push_back(y);
      out.sums.push_back(0.0);
    }
    out.sums.back() = out.sums.back() + v;
  }
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
  return std::move(price_variants({&events}, {0}, {incidents}, threads, cancel)[0]);
}

EventTable engine_events(const Model& model, const SimulationOptions& options) {
  SimulationOptions o = options;
  // The table is built from the events alone: the annual losses and the by-type sums and
  // counts (8 bytes a year, and 12 a year and type: 160 MB for a quote's 2,000,000 years of six
  // types) would be written and dropped.
  o.keep_events = true;
  o.keep_annual = false;
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
  return table;
}

std::vector<EventTable> price_variants(const std::vector<const EventTable*>& runs,
                                       const std::vector<std::size_t>& run_of,
                                       const std::vector<std::vector<IncidentModel>>& variants,
                                       int threads, const std::atomic<bool>* cancel) {
  if (runs.empty()) throw std::invalid_argument("price_variants: no event tables");
  for (const EventTable* run : runs)
    if (run == nullptr) throw std::invalid_argument("price_variants: an event table is null");
  if (run_of.size() != variants.size())
    throw std::invalid_argument("price_variants: " + std::to_string(run_of.size()) +
                                " run indices for " + std::to_string(variants.size()) +
                                " variants");
  std::vector<EventTable> tables(variants.size());
  std::vector<EventTable*> out;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    if (run_of[v] >= runs.size())
      throw std::out_of_range("variant " + std::to_string(v) + " names event table " +
                              std::to_string(run_of[v]) + " of " + std::to_string(runs.size()));
    tables[v] = engine_rows(*runs[run_of[v]]);
    out.push_back(&tables[v]);
  }
  price_events(runs, run_of, variants, runs[0]->seed, 0, out, threads, cancel);
  return tables;
}

std::vector<EventTable> simulate_variants(const Model& model,
                                          const std::vector<std::vector<IncidentModel>>& variants,
                                          const SimulationOptions& options) {
  if (variants.empty()) throw std::invalid_argument("simulate_variants: no variants given");
  std::vector<std::string> names;
  for (const AttackType& t : model.types()) names.push_back(t.name);
  for (const auto& incidents : variants) check_incident_models(names, incidents);
  std::vector<EventTable> tables(variants.size());
  tables[0] = engine_events(model, options);
  std::vector<EventTable*> out{&tables[0]};
  for (std::size_t v = 1; v < variants.size(); ++v) {
    tables[v] = engine_rows(tables[0]);
    out.push_back(&tables[v]);
  }
  price_events(variants, options.seed, 0, tables[0], out, options.threads, options.cancel);
  return tables;
}

EventTable simulate_organisation(const Model& model, const std::vector<IncidentModel>& incidents,
                                 const SimulationOptions& options) {
  return std::move(simulate_variants(model, {incidents}, options)[0]);
}

}  // namespace cyberloss
