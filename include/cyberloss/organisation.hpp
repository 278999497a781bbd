// One organisation's simulated incidents, by component: the engine draws each attack type's
// annual counts (FREQUENCY stream t) and survey-basis losses (SEVERITY stream t, draw k); the
// incident model of type t then prices each event on streams (DOWNTIME / EFFORT / COMPONENTS,
// t). The event table is ordered by (year, type, k) and each row is a pure function of
// (seed, model, year, type, k): bit-identical for any thread count or block size.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "cyberloss/buffer.hpp"
#include "cyberloss/engine.hpp"
#include "cyberloss/incident.hpp"

namespace cyberloss {

// Incidents of simulated years [first_year, first_year + years), one row per incident.
struct EventTable {
  std::uint64_t years = 0;
  std::uint64_t first_year = 0;
  std::uint32_t seed = 0;
  std::vector<std::string> type_names;
  Buffer<std::int64_t> year;
  Buffer<std::int32_t> type;
  Buffer<std::int32_t> k;
  // The engine's survey-basis loss (費用損害 + 賠償責任): the major branch's draw at the
  // reference headcount. Not the loss the response columns split in general: that is this
  // times the size scale for a major incident, the contained branch's own draw times it for a
  // contained one (then with records and controls applied).
  Buffer<double> survey_loss;
  Buffer<double> components;  // (n_components, size()), column c at c * size()
  Buffer<double> downtime_days;
  // Each event's gross loss, its components added in column order, written by the pricing
  // while the components are in registers (year_totals reads it).
  Buffer<double> gross;

  std::size_t size() const { return year.size(); }
  const double* component(std::size_t c) const { return components.data() + c * size(); }
};

// Per-year totals of an event table: the years with an incident and, for each, the sums of
// the gross loss and of the downtime days, the largest gross loss and (unless not asked for)
// the sums of the ten components.
// The gross loss of an event is its components added in column order, and a year's sum is its
// first event's value plus the pairwise sum of the rest (stats::pairwise_sum, NumPy's order):
// the values np.add.reduce (over the components) and np.add.reduceat (over the events) give,
// bit for bit, so the year-loss table of an organisation is the same whichever computes it.
struct YearTotals {
  static constexpr std::size_t gross = n_components;
  static constexpr std::size_t downtime_days = n_components + 1;
  static constexpr std::size_t n_columns = n_components + 2;
  bool components = true;      // whether the component sums were computed
  Buffer<std::int64_t> years;  // ascending, relative to the table's first_year
  Buffer<double> sums;         // (rows(), size()): the rows of column c at row(c) * size()
  Buffer<double> gross_max;
  std::size_t size() const { return years.size(); }
  // The columns held: all n_columns, or only gross and downtime_days (rows 0 and 1).
  std::size_t rows() const { return components ? n_columns : 2; }
  std::size_t row(std::size_t c) const {
    if (components) return c;
    if (c < n_components)
      throw std::invalid_argument(
          "year totals computed without the components hold no sum of "
          "component " +
          std::to_string(c));
    return c - n_components;
  }
  const double* sum(std::size_t c) const { return sums.data() + row(c) * size(); }
};

// One pass over the table's rows (ordered by year), in parallel over runs of whole years:
// bit-identical for any thread count. `components = false` leaves out the components' sums
// (a BCP comparison's table reads only the gross loss and the downtime days).
YearTotals year_totals(const EventTable& table, int threads = 0, bool components = true);

// The years (relative to first_year, ascending) with an event of attack type `type`, and for
// each the sum of those events' `columns` (component indices, or YearTotals::downtime_days): an
// event's columns added in the order given, starting from 0.0, and the events added in table
// order, starting from 0.0 (np.bincount's values, bit for bit).
struct TypeYearSums {
  std::vector<std::int64_t> years;
  std::vector<double> sums;
};
TypeYearSums type_year_sums(const EventTable& table, std::int32_t type,
                            const std::vector<std::size_t>& columns);

// `incidents[t]` prices events of model type t (same count, same order). The engine options
// apply (seed, years, first_year, threads, block_size, cancel, years_done); keep_events is
// implied.
EventTable simulate_organisation(const Model& model, const std::vector<IncidentModel>& incidents,
                                 const SimulationOptions& options);

// One engine run of `model` priced for each variant (incident models as for
// simulate_organisation): element v equals simulate_organisation(model, variants[v], options),
// bit for bit. Variants of one organisation whose controls change only their incident models
// share the engine run and each event's factor-free pricing (IncidentUnits).
std::vector<EventTable> simulate_variants(const Model& model,
                                          const std::vector<std::vector<IncidentModel>>& variants,
                                          const SimulationOptions& options);

// The engine's events of `model` (rows and survey-basis losses, no priced columns): what
// simulate_organisation prices.
EventTable engine_events(const Model& model, const SimulationOptions& options);

// Variants of one organisation over several engine runs (tables of one seed, years and attack
// types, e.g. engine_events of models that differ in their rates): variant v prices
// runs[run_of[v]] with variants[v]: bit for bit the table that variant priced alone would get
// (reprice_events is its one-run case; Catch2 compares each variant with its own
// simulate_organisation). An event (year, type, k) has the same uniforms in every run, so each
// event's units are computed once for all the variants and runs that share its type.
std::vector<EventTable> price_variants(const std::vector<const EventTable*>& runs,
                                       const std::vector<std::size_t>& run_of,
                                       const std::vector<std::vector<IncidentModel>>& variants,
                                       int threads = 0, const std::atomic<bool>* cancel = nullptr);

// The rows and survey-basis losses of `events` priced anew with `incidents` (one per type of
// the table, same names and order): what simulate_organisation gives for a model whose engine
// part (rates and survey-basis laws) is the one `events` came from, with these incident
// models.
EventTable reprice_events(const EventTable& events, const std::vector<IncidentModel>& incidents,
                          int threads = 0, const std::atomic<bool>* cancel = nullptr);

// Prices an engine event table already drawn (`events`, ordered by (year, type, k)) with the
// given stream index base (0 for one organisation: stream t; 0x200 for a portfolio), once for
// each variant: tables[v] (possibly `events` itself) gets the component and downtime columns
// of variants[v], whose incident models must match events.type_names. The factor-free work of
// an event (IncidentUnits) is done once for all the variants whose attack type is the same.
void price_events(const std::vector<std::vector<IncidentModel>>& variants, std::uint32_t seed,
                  std::uint32_t stream_base, const EventTable& events,
                  const std::vector<EventTable*>& tables, int threads = 0,
                  const std::atomic<bool>* cancel = nullptr);
// The same over several runs (price_variants): tables[v] gets runs[run_of[v]] priced with
// variants[v].
void price_events(const std::vector<const EventTable*>& runs,
                  const std::vector<std::size_t>& run_of,
                  const std::vector<std::vector<IncidentModel>>& variants, std::uint32_t seed,
                  std::uint32_t stream_base, const std::vector<EventTable*>& tables,
                  int threads = 0, const std::atomic<bool>* cancel = nullptr);

}  // namespace cyberloss
