// A Japanese cyber policy's terms applied to an event table (python/cyberloss/terms.py
// documents the same rules for users).
//
// Sections and the components each pays:
//   response (費用損害)               investigation, recovery, legal, notification, callcenter,
//                                     condolence; prevention (再発防止費用) if cover_prevention
//   liability (賠償責任)              liability
//   business_interruption (利益損害)  lost_profit after the waiting period, within the
//                                     indemnity period
//   uninsured                         internal_effort; prevention unless covered
// Per incident, in this order:
//   1. each component is capped by its per-occurrence sublimit;
//   2. lost profit accrues evenly over the downtime D: it is paid for
//      max(0, min(D, indemnity) - waiting) / D of its amount (D = 0: all of it when there is
//      no waiting period, none otherwise);
//   3. one per-occurrence deductible applies to the sum over covered sections, shared among
//      them in proportion to their covered loss;
//   4. each section's coinsurance multiplies what is left;
//   5. each section's limit caps its payment;
//   6. the annual aggregate limit caps the year's payments in event order (AnnualCapacity);
//      a partly paid incident is shared among its sections pro rata.
// Steps 1-2 do not depend on the deductible or the aggregate limit (SectionLosses: computed
// once, reused by every retention option); steps 3-6 are `insure`. Every cap is a layer.hpp
// Layer or AnnualCapacity. Amounts are JPY; inf means unlimited.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

#include "cyberloss/buffer.hpp"
#include "cyberloss/incident.hpp"
#include "cyberloss/layer.hpp"
#include "cyberloss/stats.hpp"

namespace cyberloss {

struct EventTable;

enum class Section : std::size_t {
  response = 0,
  liability = 1,
  business_interruption = 2,
  uninsured = 3
};
constexpr std::size_t n_covered_sections = 3;  // response, liability, business_interruption
constexpr std::size_t n_sections = 4;          // and uninsured
extern const std::array<const char*, n_sections> section_names;

struct SectionTerms {
  bool covered = false;
  double limit = std::numeric_limits<double>::infinity();  // per occurrence, > 0
  double coinsurance = 1.0;                                // (0, 1]
  std::array<double, n_components> sublimits;              // > 0; inf: none
  double waiting_period_days = 0.0;                        // >= 0, business interruption only
  double indemnity_period_days = std::numeric_limits<double>::infinity();  // > 0
  SectionTerms() { sublimits.fill(std::numeric_limits<double>::infinity()); }
};

class CoverageTerms {
 public:
  // sections[s] for s = response, liability, business_interruption; validated here
  // (std::invalid_argument naming the field and value).
  CoverageTerms(std::array<SectionTerms, n_covered_sections> sections, double deductible = 0.0,
                double aggregate_limit = std::numeric_limits<double>::infinity(),
                bool cover_prevention = false);
  const SectionTerms& section(std::size_t s) const { return sections_.at(s); }
  double deductible() const { return deductible_; }
  double aggregate_limit() const { return aggregate_limit_; }
  bool cover_prevention() const { return cover_prevention_; }
  CoverageTerms with_retention(double deductible, double aggregate_limit) const;
  // Whether section s (0..3, uninsured last) pays component c.
  bool pays(std::size_t s, std::size_t c) const;

 private:
  std::array<SectionTerms, n_covered_sections> sections_;
  double deductible_, aggregate_limit_;
  bool cover_prevention_;
};

// Read-only columns of an event table, in occurrence order (years non-decreasing).
struct EventColumns {
  std::size_t n = 0;
  const std::int64_t* year = nullptr;
  const double* downtime_days = nullptr;
  std::array<const double*, n_components> component{};
};
EventColumns columns_of(const EventTable& table);

// Per event: gross by section (uninsured included) and total, and the covered ground-up loss
// of each covered section after sublimits and BI periods (0 for sections not covered).
struct SectionLosses {
  std::size_t n = 0;
  std::array<Buffer<double>, n_sections> gross;
  Buffer<double> gross_total;
  std::array<Buffer<double>, n_covered_sections> covered;
};
SectionLosses section_losses(const CoverageTerms& terms, const EventColumns& events);

// Per event: insured by covered section and in total (<= gross_total).
struct InsuredEvents {
  std::array<Buffer<double>, n_covered_sections> by_section;
  Buffer<double> total;
};
// Steps 3-5 for one event: the per-occurrence deductible shared pro rata over the covered
// sections, each section's coinsurance and limit. Returns the payment before the aggregate
// limit; by_section (when given) gets each covered section's part (others untouched).
class OccurrencePayment {
 public:
  OccurrencePayment(const CoverageTerms& terms, double deductible);
  // The rules event by event: pay_range (the SIMD kernel occurrence_pay) computes the same
  // operations in the same order over ranges of events, and the tests hold it to these bits.
  double operator()(const SectionLosses& losses, std::size_t i,
                    double* by_section = nullptr) const {
    const double total = covered_total(losses, i);
    const double share = total > 0.0 ? deductible_(total) / total : 0.0;
    double paid = 0.0;
    for (std::size_t s = 0; s < n_covered_sections; ++s) {
      if (!covered_[s]) continue;
      const double part = limit_[s](losses.covered[s][i] * share * coinsurance_[s]);
      if (by_section) by_section[s] = part;
      paid += part;
    }
    return paid;
  }
  // Event i's covered amount over the covered sections, before the deductible.
  double covered_total(const SectionLosses& losses, std::size_t i) const {
    double total = 0.0;
    for (std::size_t s = 0; s < n_covered_sections; ++s)
      if (covered_[s]) total += losses.covered[s][i];
    return total;
  }
  // covered_total for events [begin, end), into total[i] (the same sums, section by section).
  void covered_totals(const SectionLosses& losses, std::size_t begin, std::size_t end,
                      double* total) const;
  // operator() for events [begin, end) given their covered totals (total[i]): the payment of
  // event i into paid[i] and, when `parts` is given, each covered section's part into
  // parts[s][i] (+0 for a section not covered). The same operations per event in the same
  // order, so the same bits, computed section by section over chunks of events (vectorised,
  // without a branch per event). `total` may be `paid`.
  void pay_range(const SectionLosses& losses, const double* total, std::size_t begin,
                 std::size_t end, double* paid,
                 const std::array<double*, n_covered_sections>* parts = nullptr) const;

 private:
  Layer deductible_;
  std::array<bool, n_covered_sections> covered_{};
  std::array<Layer, n_covered_sections> limit_;
  std::array<double, n_covered_sections> coinsurance_{};
};

// Steps 3-6 with the terms' deductible, coinsurance, limits and aggregate limit. `year` (each
// event's year, events in occurrence order) is read only under a finite aggregate limit;
// without one every event stands alone and `year` may be nullptr.
InsuredEvents insure(const CoverageTerms& terms, const SectionLosses& losses,
                     const std::int64_t* year);

// Gross / insured / retained of a policy over n_years simulated years. Per-year amounts are
// held for the years with at least one incident only (`years`, ascending); every other year
// is 0 in every view.
enum class View : std::size_t { gross = 0, insured = 1, retained = 2 };
extern const std::array<const char*, 3> view_names;

class InsuredResult {
 public:
  InsuredResult(const CoverageTerms& terms, const EventColumns& events, std::uint64_t n_years);
  std::uint64_t n_years() const { return n_years_; }
  std::size_t n_events() const { return losses_.n; }
  const CoverageTerms& terms() const { return terms_; }
  // First event of each year in years(), then n_events().
  const Buffer<std::size_t>& year_start() const { return year_start_; }
  const SectionLosses& section_losses() const { return losses_; }
  const InsuredEvents& insured_events() const { return insured_; }
  // Per incident: gross, insured (<= gross), retained.
  const Buffer<double>& event(View v) const {
    return v == View::gross ? losses_.gross_total : v == View::insured ? insured_.total : retained_;
  }
  const Buffer<std::int64_t>& years() const { return years_; }
  // Each event's year (years() expanded by the years' event counts): the event table's year
  // column as the result read it, so that the result does not hold on to the table.
  Buffer<std::int64_t> event_years() const;
  // Per year with incidents, aligned with years(): annual loss of a view, of a section in a
  // view (retained = gross - insured), and the largest single incident.
  const Buffer<double>& annual(View v) const { return annual_[static_cast<std::size_t>(v)]; }
  Buffer<double> annual(View v, std::size_t section) const;
  // A view's annual loss of every section: [section][year with incidents], annual(v, s).
  std::array<Buffer<double>, n_sections> annual_by_section(View v) const;
  const Buffer<double>& occurrence_max(View v) const {
    return occ_max_[static_cast<std::size_t>(v)];
  }
  // Samples over all n_years (the years without incidents counted as zeros), built on first
  // request (each sorts its view's annual losses).
  const stats::LossSample& sample(View v) const;
  stats::LossSample occurrence_sample(View v) const;

 private:
  CoverageTerms terms_;
  std::uint64_t n_years_;
  SectionLosses losses_;
  InsuredEvents insured_;
  Buffer<double> retained_;  // per incident; gross and insured are losses_'s and insured_'s
  Buffer<std::int64_t> years_;
  Buffer<std::size_t> year_start_;  // first event of each year in years_, then n
  std::array<Buffer<double>, 3> annual_;
  std::array<Buffer<double>, 3> occ_max_;
  mutable std::array<std::optional<stats::LossSample>, 3> samples_;
  mutable std::array<std::once_flag, 3> sampled_;
};

// The years with incidents of an event table (ascending) and the first event of each, then n.
// Validates that the events are in occurrence order and within [0, n_years) (n_years >= 1).
struct YearIndex {
  Buffer<std::int64_t> years;
  Buffer<std::size_t> start;
};
YearIndex year_index(const EventColumns& events, std::uint64_t n_years);

// Sum of x over each run of equal years (years non-decreasing), in event order from 0.
void sum_by_year(const Buffer<std::size_t>& year_start, const double* x, double* out);

// Refuses a year whose gross losses (finite amounts >= 0) sum beyond the largest double, naming
// the year: otherwise its insured and retained losses would be inf - inf = NaN.
void check_year_sums(const Buffer<std::int64_t>& years, const double* gross_year);

}  // namespace cyberloss
