#include "cyberloss/engine.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <unistd.h>

namespace cyberloss {

AttackType::AttackType(std::string name_, std::shared_ptr<const Frequency> frequency_,
                       std::shared_ptr<const Severity> severity_)
    : name(std::move(name_)), frequency(std::move(frequency_)), severity(std::move(severity_)) {
  if (name.empty()) throw std::invalid_argument("attack type name must not be empty");
  if (!frequency) throw std::invalid_argument("attack type '" + name + "': frequency is missing");
  if (!severity) throw std::invalid_argument("attack type '" + name + "': severity is missing");
}

Model::Model(std::vector<AttackType> types) : types_(std::move(types)) {
  if (types_.empty()) throw std::invalid_argument("model needs at least one attack type, got 0");
  if (types_.size() > 0xFFFF)
    throw std::invalid_argument("model has too many attack types: " + std::to_string(types_.size()));
  for (std::size_t i = 0; i < types_.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (types_[i].name == types_[j].name)
        throw std::invalid_argument("attack type names must be unique, got '" + types_[i].name +
                                    "' twice");
}

double Model::expected_annual_loss() const {
  double total = 0.0;
  for (const auto& t : types_) total += t.frequency->mean() * t.severity->mean();
  return total;
}

double Model::annual_loss_variance() const {
  double total = 0.0;
  for (const auto& t : types_) {
    const double ex = t.severity->mean();
    total += t.frequency->variance() * ex * ex + t.frequency->mean() * t.severity->variance();
  }
  return total;
}

double available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double value;
  std::string unit;
  while (meminfo >> key >> value >> unit)
    if (key == "MemAvailable:") return value * 1024.0;
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return static_cast<double>(pages) * static_cast<double>(page);
}

double simulation_bytes(const Model& model, const SimulationOptions& options) {
  const double years = static_cast<double>(options.years);
  const double types = static_cast<double>(model.size());
  double bytes = years * (8.0 + types * (8.0 + 4.0));
  if (options.keep_events) {
    double events_per_year = 0.0;
    for (const auto& t : model.types()) events_per_year += t.frequency->mean();
    bytes += years * events_per_year * (8.0 + 4.0 + 4.0 + 8.0) * 1.25;
  }
  return bytes;
}

namespace {

struct BlockEvents {
  std::vector<std::int64_t> year;
  std::vector<std::int32_t> type;
  std::vector<std::int32_t> k;
  std::vector<double> loss;
};

// Simulate years [y0, y1) (absolute indices) into rows [r0, r0 + y1 - y0) of the result.
void simulate_block(const Model& model, std::uint32_t seed, std::uint64_t y0, std::uint64_t y1,
                    std::uint64_t r0, SimulationResult& out, BlockEvents* events) {
  const std::size_t n = static_cast<std::size_t>(y1 - y0);
  const std::size_t T = model.size();
  std::vector<std::uint64_t> years(n);
  std::iota(years.begin(), years.end(), y0);
  std::vector<std::uint32_t> hi(n);
  std::vector<std::uint64_t> ev_years, ev_draws;
  std::vector<double> ev_u;
  std::vector<std::vector<double>> type_losses(events ? T : 0);
  double* by_type = out.by_type.data() + r0 * T;
  std::int32_t* counts = out.counts.data() + r0 * T;

  std::vector<std::uint32_t> hit_rows, hit_counts;  // years of this block with events
  for (std::size_t t = 0; t < T; ++t) {
    const AttackType& type = model.types()[t];
    const std::uint32_t index = static_cast<std::uint32_t>(t);
    const std::uint32_t freq_stream = stream_id(Purpose::frequency, index);
    hit_rows.clear();
    hit_counts.clear();
    std::uint64_t total_events = 0;
    auto record = [&](std::size_t i, std::uint64_t c) {
      if (c > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
        throw std::overflow_error("attack type '" + type.name + "': annual count " +
                                  std::to_string(c) + " exceeds 2^31 - 1");
      counts[i * T + t] = static_cast<std::int32_t>(c);
      if (c) {
        hit_rows.push_back(static_cast<std::uint32_t>(i));
        hit_counts.push_back(static_cast<std::uint32_t>(c));
        total_events += c;
      }
    };
    if (const CountTable* table = type.frequency->table()) {
      frequency_words(seed, freq_stream, y0, n, hi.data());
      for (std::size_t i = 0; i < n; ++i)
        if (!table->surely_zero(hi[i]))
          record(i, table->count(FrequencyUniform{hi[i], seed, freq_stream, years[i]}));
    } else {
      for (std::size_t i = 0; i < n; ++i) record(i, type.frequency->count(seed, freq_stream, years[i]));
    }
    ev_years.resize(total_events);
    ev_draws.resize(total_events);
    ev_u.resize(total_events);
    std::size_t e = 0;
    for (std::size_t h = 0; h < hit_rows.size(); ++h)
      for (std::uint32_t k = 0; k < hit_counts[h]; ++k, ++e) {
        ev_years[e] = years[hit_rows[h]];
        ev_draws[e] = k;
      }
    uniform_batch(seed, stream_id(Purpose::severity, index), ev_years.data(), ev_draws.data(),
                  total_events, ev_u.data());
    type.severity->quantile_batch(ev_u.data(), ev_u.data(), total_events);
    e = 0;
    for (std::size_t h = 0; h < hit_rows.size(); ++h) {
      double sum = 0.0;
      for (std::uint32_t k = 0; k < hit_counts[h]; ++k) sum += ev_u[e++];
      by_type[hit_rows[h] * T + t] = sum;
    }
    if (events) type_losses[t].assign(ev_u.begin(), ev_u.end());
  }
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (std::size_t t = 0; t < T; ++t) sum += by_type[i * T + t];
    out.annual[r0 + i] = sum;
  }
  if (events) {
    std::vector<std::size_t> cursor(T, 0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t t = 0; t < T; ++t)
        for (std::int32_t k = 0; k < counts[i * T + t]; ++k) {
          events->year.push_back(static_cast<std::int64_t>(years[i]));
          events->type.push_back(static_cast<std::int32_t>(t));
          events->k.push_back(k);
          events->loss.push_back(type_losses[t][cursor[t]++]);
        }
  }
}

}  // namespace

SimulationResult simulate(const Model& model, const SimulationOptions& options) {
  if (options.years == 0) throw std::invalid_argument("years must be >= 1, got 0");
  if (options.threads < 0)
    throw std::invalid_argument("threads must be >= 0 (0 = all cores), got " +
                                std::to_string(options.threads));
  if (options.first_year > std::numeric_limits<std::uint64_t>::max() - options.years)
    throw std::invalid_argument("first_year + years overflows");
  const double need = simulation_bytes(model, options);
  const double have = available_memory_bytes();
  if (need > 0.8 * have)
    throw memory_error("simulation of " + std::to_string(options.years) + " years needs about " +
                       format_value(std::ceil(need / 1048576.0)) + " MiB, but only " +
                       format_value(std::floor(have / 1048576.0)) +
                       " MiB are available; simulate fewer years per run");

  SimulationResult out;
  out.years = options.years;
  out.first_year = options.first_year;
  out.seed = options.seed;
  out.n_types = model.size();
  for (const auto& t : model.types()) out.type_names.push_back(t.name);
  const std::size_t n = static_cast<std::size_t>(options.years);
  out.annual.assign(n, 0.0);
  out.by_type.assign(n * out.n_types, 0.0);
  out.counts.assign(n * out.n_types, 0);

  const std::uint64_t block = options.block_size ? options.block_size : 8192;
  const std::uint64_t n_blocks = (options.years + block - 1) / block;
  std::vector<BlockEvents> block_events(options.keep_events ? n_blocks : 0);
  std::atomic<bool> stopped{false};

  const int threads = options.threads ? options.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::uint64_t>(0, n_blocks, 1),
        [&](const tbb::blocked_range<std::uint64_t>& range) {
          for (std::uint64_t b = range.begin(); b != range.end(); ++b) {
            if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
              stopped = true;
              return;
            }
            const std::uint64_t r0 = b * block;
            const std::uint64_t r1 = std::min(options.years, r0 + block);
            simulate_block(model, options.seed, options.first_year + r0,
                           options.first_year + r1, r0, out,
                           options.keep_events ? &block_events[b] : nullptr);
            if (options.years_done) *options.years_done += r1 - r0;
          }
        },
        tbb::simple_partitioner());
  });
  if (stopped) throw cancelled("simulation cancelled");

  if (options.keep_events) {
    std::size_t total = 0;
    for (const auto& be : block_events) total += be.loss.size();
    out.event_year.reserve(total);
    out.event_type.reserve(total);
    out.event_k.reserve(total);
    out.event_loss.reserve(total);
    for (auto& be : block_events) {
      out.event_year.insert(out.event_year.end(), be.year.begin(), be.year.end());
      out.event_type.insert(out.event_type.end(), be.type.begin(), be.type.end());
      out.event_k.insert(out.event_k.end(), be.k.begin(), be.k.end());
      out.event_loss.insert(out.event_loss.end(), be.loss.begin(), be.loss.end());
      be = BlockEvents{};
    }
  }
  return out;
}

}  // namespace cyberloss
