#include "cyberloss/organisation.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <stdexcept>

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

EventTable simulate_organisation(const Model& model, const std::vector<IncidentModel>& incidents,
                                 const SimulationOptions& options) {
  if (incidents.size() != model.size())
    throw std::invalid_argument("incident models: " + std::to_string(incidents.size()) +
                                " given for " + std::to_string(model.size()) + " attack types");
  for (std::size_t t = 0; t < model.size(); ++t)
    if (incidents[t].type().name != model.types()[t].name)
      throw std::invalid_argument("incident model " + std::to_string(t) + " is for '" +
                                  incidents[t].type().name + "' but attack type " +
                                  std::to_string(t) + " is '" + model.types()[t].name + "'");
  SimulationOptions o = options;
  o.keep_events = true;
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
