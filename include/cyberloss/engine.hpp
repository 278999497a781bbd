// Compound frequency-severity simulation of one organisation facing several attack types.
//
// Year y of a run with seed s is a pure function of (s, model, y): the count of attack type t
// uses stream (FREQUENCY, t), draw 0 (inverse CDF) or more for rejection samplers; event k of
// type t uses stream (SEVERITY, t), draw k (inverse CDF). Blocks of years run in parallel
// (oneTBB) and write disjoint slices, so the output is bit-identical for any thread count,
// block size or split of the years into separate runs (first_year).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cyberloss/buffer.hpp"
#include "cyberloss/distributions.hpp"
#include "cyberloss/layer.hpp"

namespace cyberloss {

struct AttackType {
  AttackType(std::string name, std::shared_ptr<const Frequency> frequency,
             std::shared_ptr<const Severity> severity);
  std::string name;
  std::shared_ptr<const Frequency> frequency;
  std::shared_ptr<const Severity> severity;
};

class Model {
 public:
  explicit Model(std::vector<AttackType> types);
  const std::vector<AttackType>& types() const { return types_; }
  std::size_t size() const { return types_.size(); }
  double expected_annual_loss() const;  // sum of lambda_t E[X_t]
  double annual_loss_variance() const;  // compound: Var N E[X]^2 + E[N] Var X, summed over types
  // Plain-language warnings, one line per finding, when a run of `years` years (>= 1) cannot
  // estimate the mean of the annual loss and its standard error reliably; empty when it can.
  // Criteria (docs/DESIGN.md, "Reliability of the moments"): a severity with an infinite mean
  // or variance; the part of the expected annual loss above the losses that 95% of such runs
  // never see exceeding 3 standard errors of those runs; for a type holding at least 1% of the
  // expected annual loss, an infinite fourth moment (GPD tail with xi >= 1/4).
  std::vector<std::string> reliability_warnings(std::uint64_t years) const;

 private:
  std::vector<AttackType> types_;
};

// Raised when a request would not fit in memory; says how much it needs.
class memory_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Raised when a run is cancelled through SimulationOptions::cancel.
class cancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Year indices lie in [0, max_year_end) (docs/DESIGN.md): first_year + years <= 2^63.
constexpr std::uint64_t max_year_end = std::uint64_t{1} << 63;
// Threads a run may ask for; 0 means all cores.
constexpr int max_threads = 4096;

// Throws std::invalid_argument naming the parameter and value unless years >= 1 and
// first_year + years <= max_year_end.
void check_years(std::uint64_t first_year, std::uint64_t years);
// Throws std::invalid_argument unless 0 <= threads <= max_threads. Returns the size of the
// oneTBB arena to run in: threads (0: all cores), capped at the cores this process may use.
// Results do not depend on it, and TBB would not start more workers anyway (it would print a
// warning instead).
int arena_threads(int threads);

struct SimulationOptions {
  std::uint64_t years = 0;  // 1 .. max_year_end - first_year
  std::uint32_t seed = 0;
  std::uint64_t first_year = 0;  // simulate years [first_year, first_year + years)
  int threads = 0;               // 0: all cores; at most max_threads
  std::uint64_t block_size = 0;  // 0: automatic (8192 years); at most max_year_end
  // What the result holds. An output not asked for is not materialised: annual losses alone
  // take 8 bytes per year.
  bool keep_annual = true;   // annual (false: a run for its events alone)
  bool keep_by_type = true;  // by_type
  bool keep_counts = true;   // counts
  bool keep_events = false;  // the event table
  // Layers on the simulated losses (layer.hpp): the occurrence layer applies to each event's
  // loss, the aggregate layer to the year's sum of occurrence-layered losses (in type, then
  // event order). With either, the result also holds layered_annual.
  std::optional<Layer> occurrence_layer;
  std::optional<Layer> aggregate_layer;
  const std::atomic<bool>* cancel = nullptr;         // set to stop at the next block
  std::atomic<std::uint64_t>* years_done = nullptr;  // progress, updated per block
};

struct SimulationResult {
  std::uint64_t years = 0;
  std::uint64_t first_year = 0;
  std::uint32_t seed = 0;
  std::size_t n_types = 0;
  std::vector<std::string> type_names;
  Buffer<double> annual;          // (years)
  Buffer<double> by_type;         // (years, n_types), row-major, when keep_by_type
  Buffer<std::int32_t> counts;    // (years, n_types), row-major, when keep_counts
  Buffer<double> layered_annual;  // (years), when a layer is set
  // Event table, ordered by (year, type, k), when keep_events.
  Buffer<std::int64_t> event_year;
  Buffer<std::int32_t> event_type;
  Buffer<std::int32_t> event_k;
  Buffer<double> event_loss;
};

// Bytes a run allocates: the outputs it keeps, the per-thread working memory (bounded, whatever
// the rates: see engine.cpp) and, when events are kept, the event table at its expected size
// and its per-block offsets. simulate refuses a run whose estimate exceeds 80% of the available
// memory before allocating, and checks the event table again at its exact size once the counts
// are drawn.
double simulation_bytes(const Model& model, const SimulationOptions& options);
// Memory the system can give now (MemAvailable), in bytes.
double available_memory_bytes();

SimulationResult simulate(const Model& model, const SimulationOptions& options);

}  // namespace cyberloss
