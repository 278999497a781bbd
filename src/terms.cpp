#include "cyberloss/terms.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "cyberloss/distributions.hpp"
#include "cyberloss/layer.hpp"
#include "cyberloss/organisation.hpp"

namespace cyberloss {

const std::array<const char*, n_sections> section_names = {"response", "liability",
                                                           "business_interruption", "uninsured"};
const std::array<const char*, 3> view_names = {"gross", "insured", "retained"};

namespace {

constexpr std::size_t kResponse = 0, kLiability = 1, kBI = 2, kUninsured = 3;

void require(bool ok, const std::string& field, const char* rule, double value) {
  if (!ok) throw std::invalid_argument(field + " must be " + rule + ", got " + format_value(value));
}

// The components a section pays, in component order (the order its amounts are summed).
bool section_pays(std::size_t s, std::size_t c, bool cover_prevention) {
  switch (s) {
    case kResponse:
      return c <= condolence || (c == prevention && cover_prevention);
    case kLiability:
      return c == liability;
    case kBI:
      return c == lost_profit;
    default:
      return c == internal_effort || (c == prevention && !cover_prevention);
  }
}

}  // namespace

CoverageTerms::CoverageTerms(std::array<SectionTerms, n_covered_sections> sections,
                             double deductible, double aggregate_limit, bool cover_prevention)
    : sections_(sections),
      deductible_(deductible),
      aggregate_limit_(aggregate_limit),
      cover_prevention_(cover_prevention) {
  for (std::size_t s = 0; s < n_covered_sections; ++s) {
    const SectionTerms& t = sections_[s];
    const std::string where = std::string("sections.") + section_names[s] + ".";
    require(t.limit > 0.0, where + "limit", "> 0 (inf for none)", t.limit);
    require(t.coinsurance > 0.0 && t.coinsurance <= 1.0, where + "coinsurance", "in (0, 1]",
            t.coinsurance);
    for (std::size_t c = 0; c < n_components; ++c) {
      if (std::isinf(t.sublimits[c]) && t.sublimits[c] > 0.0) continue;
      require(t.sublimits[c] > 0.0, where + "sublimits." + component_names[c], "> 0",
              t.sublimits[c]);
      if (!section_pays(s, c, true))
        throw std::invalid_argument(where + "sublimits: component " + component_names[c] +
                                    " is not paid by this section");
    }
    require(std::isfinite(t.waiting_period_days) && t.waiting_period_days >= 0.0,
            where + "waiting_period_days", "finite and >= 0", t.waiting_period_days);
    require(t.indemnity_period_days > 0.0, where + "indemnity_period_days", "> 0",
            t.indemnity_period_days);
    if (s != kBI && (t.waiting_period_days != 0.0 || std::isfinite(t.indemnity_period_days)))
      throw std::invalid_argument(where.substr(0, where.size() - 1) +
                                  ": waiting_period_days and indemnity_period_days apply to "
                                  "business_interruption only");
  }
  require(std::isfinite(deductible) && deductible >= 0.0, "deductible", "finite and >= 0",
          deductible);
  require(aggregate_limit > 0.0, "aggregate_limit", "> 0 (inf for none)", aggregate_limit);
}

CoverageTerms CoverageTerms::with_retention(double deductible, double aggregate_limit) const {
  return CoverageTerms(sections_, deductible, aggregate_limit, cover_prevention_);
}

bool CoverageTerms::pays(std::size_t s, std::size_t c) const {
  if (s >= n_sections) throw std::out_of_range("section index " + std::to_string(s));
  if (c >= n_components) throw std::out_of_range("component index " + std::to_string(c));
  return section_pays(s, c, cover_prevention_);
}

EventColumns columns_of(const EventTable& table) {
  EventColumns e;
  e.n = table.size();
  e.year = table.year.data();
  e.downtime_days = table.downtime_days.data();
  for (std::size_t c = 0; c < n_components; ++c) e.component[c] = table.component(c);
  return e;
}

namespace {

// Rows per task of the per-event and per-year passes: a few hundred KiB of columns, enough to
// amortise the scheduling, small enough for two threads to share a quote's half a million
// events (425,000 years with incidents).
constexpr std::size_t kEventGrain = 16384, kYearGrain = 8192;

// f(begin, end) over [0, n) in TBB tasks of about `grain` rows.
template <class F>
void for_ranges(std::size_t n, std::size_t grain, F&& f) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain),
                    [&](const tbb::blocked_range<std::size_t>& r) { f(r.begin(), r.end()); });
}

template <class F>
void for_events(std::size_t n, F&& f) {
  for_ranges(n, kEventGrain, std::forward<F>(f));
}

// The event table's amounts must be finite and >= 0. A parallel scan finds whether any is
// not; the serial one then names the first (by column, then row), as it always has.
void validate_amounts(const EventColumns& ev) {
  const std::size_t n = ev.n;
  auto bad = [](double x) { return !(std::isfinite(x) && x >= 0.0); };
  std::atomic<bool> any{false};
  for_events(n, [&](std::size_t begin, std::size_t end) {
    bool found = false;
    for (std::size_t c = 0; c < n_components; ++c)
      for (std::size_t i = begin; i < end; ++i) found |= bad(ev.component[c][i]);
    for (std::size_t i = begin; i < end; ++i) found |= bad(ev.downtime_days[i]);
    if (found) any.store(true, std::memory_order_relaxed);
  });
  if (!any.load()) return;
  for (std::size_t c = 0; c < n_components; ++c)
    for (std::size_t i = 0; i < n; ++i)
      if (bad(ev.component[c][i]))
        throw std::invalid_argument(
            std::string("events.") + component_names[c] + " must be finite and >= 0, got " +
            format_value(ev.component[c][i]) + " at row " + std::to_string(i));
  for (std::size_t i = 0; i < n; ++i)
    if (bad(ev.downtime_days[i]))
      throw std::invalid_argument("events.downtime_days must be finite and >= 0, got " +
                                  format_value(ev.downtime_days[i]) + " at row " +
                                  std::to_string(i));
}

}  // namespace

SectionLosses section_losses(const CoverageTerms& terms, const EventColumns& ev) {
  validate_amounts(ev);
  const std::size_t n = ev.n;
  SectionLosses out;
  out.n = n;
  for (auto& g : out.gross) g.resize(n);
  for (auto& g : out.covered) g.resize(n);
  out.gross_total.resize(n);
  const bool prev = terms.cover_prevention();
  std::array<std::size_t, n_components> section_of{};  // each component is paid by one section
  for (std::size_t c = 0; c < n_components; ++c)
    for (std::size_t s = 0; s < n_sections; ++s)
      if (section_pays(s, c, prev)) section_of[c] = s;
  std::array<Layer, n_components> cap;
  std::array<bool, n_components> covered{};
  for (std::size_t c = 0; c < n_components; ++c) {
    const std::size_t s = section_of[c];
    covered[c] = s < n_covered_sections && terms.section(s).covered;
    if (covered[c]) cap[c] = Layer(0.0, terms.section(s).sublimits[c]);
  }
  const SectionTerms& bi = terms.section(kBI);
  // Each sum starts from 0 and follows component order (as terms.py's sum(..., zeros)); the
  // gross total adds the sections in order.
  for_events(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      std::array<double, n_sections> gross{};
      std::array<double, n_covered_sections> paid{};
      for (std::size_t c = 0; c < n_components; ++c) {
        const double amount = ev.component[c][i];
        const std::size_t s = section_of[c];
        gross[s] += amount;
        if (!covered[c]) continue;
        double x = cap[c](amount);
        if (c == lost_profit) {
          const double d = ev.downtime_days[i];
          const double days =
              std::max(std::min(d, bi.indemnity_period_days) - bi.waiting_period_days, 0.0);
          const double fraction = d > 0.0 ? days / d : (bi.waiting_period_days == 0.0 ? 1.0 : 0.0);
          x = x * fraction;
        }
        paid[s] += x;
      }
      double total = 0.0;
      for (std::size_t s = 0; s < n_sections; ++s) {
        out.gross[s][i] = gross[s];
        total += gross[s];
      }
      out.gross_total[i] = total;
      for (std::size_t s = 0; s < n_covered_sections; ++s) out.covered[s][i] = paid[s];
    }
  });
  return out;
}

OccurrencePayment::OccurrencePayment(const CoverageTerms& terms, double deductible)
    : deductible_(deductible, std::numeric_limits<double>::infinity()) {
  for (std::size_t s = 0; s < n_covered_sections; ++s) {
    covered_[s] = terms.section(s).covered;
    limit_[s] = Layer(0.0, terms.section(s).limit);
    coinsurance_[s] = terms.section(s).coinsurance;
  }
}

InsuredEvents insure(const CoverageTerms& terms, const SectionLosses& losses,
                     const std::int64_t* year) {
  const std::size_t n = losses.n;
  InsuredEvents out;
  for (auto& v : out.by_section) v.resize(n);
  out.total.resize(n);
  const OccurrencePayment pay(terms, terms.deductible());
  const bool aggregate = std::isfinite(terms.aggregate_limit());
  // A task's events start and end at a change of year, so that each year's aggregate limit is
  // walked by one task in event order.
  auto year_boundary = [&](std::size_t i) {
    if (aggregate)
      while (i > 0 && i < n && year[i] == year[i - 1]) ++i;
    return i;
  };
  for_events(n, [&](std::size_t begin, std::size_t end) {
    begin = year_boundary(begin);
    end = year_boundary(end);
    AnnualCapacity capacity(terms.aggregate_limit());
    for (std::size_t i = begin; i < end; ++i) {
      if (aggregate && (i == begin || year[i] != year[i - 1])) capacity.new_year();
      std::array<double, n_covered_sections> part{};
      double paid = pay(losses, i, part.data());
      if (aggregate) {
        const double limited = capacity.take(paid);
        const double ratio = paid > 0.0 ? limited / paid : 0.0;
        for (double& x : part) x *= ratio;
        paid = limited;
      }
      for (std::size_t s = 0; s < n_covered_sections; ++s) out.by_section[s][i] = part[s];
      // insured <= gross exactly although the two sums round differently, so that retained
      // losses are never below 0
      out.total[i] = std::min(paid, losses.gross_total[i]);
    }
  });
  return out;
}

void sum_by_year(const Buffer<std::size_t>& year_start, const double* x, double* out) {
  for (std::size_t y = 0; y + 1 < year_start.size(); ++y) {
    double s = 0.0;
    for (std::size_t i = year_start[y]; i < year_start[y + 1]; ++i) s += x[i];
    out[y] = s;
  }
}

YearIndex year_index(const EventColumns& events, std::uint64_t n_years) {
  if (n_years == 0) throw std::invalid_argument("n_years must be >= 1, got 0");
  YearIndex out;
  const std::size_t n = events.n;
  out.years.reserve(n);  // at most a year per event: one allocation, no copies as it grows
  out.start.reserve(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t y = events.year[i];
    if (y < 0 || static_cast<std::uint64_t>(y) >= n_years)
      throw std::invalid_argument("events.year must be in [0, n_years=" + std::to_string(n_years) +
                                  "), got " + std::to_string(y));
    if (i > 0 && y < events.year[i - 1])
      throw std::invalid_argument("events must be in occurrence order: year " + std::to_string(y) +
                                  " at row " + std::to_string(i) + " follows year " +
                                  std::to_string(events.year[i - 1]));
    if (i == 0 || y != events.year[i - 1]) {
      out.years.push_back(y);
      out.start.push_back(i);
    }
  }
  out.start.push_back(n);
  return out;
}

InsuredResult::InsuredResult(const CoverageTerms& terms, const EventColumns& events,
                             std::uint64_t n_years)
    : terms_(terms), n_years_(n_years) {
  YearIndex index = year_index(events, n_years);
  years_ = std::move(index.years);
  year_start_ = std::move(index.start);
  const std::size_t n = events.n;
  losses_ = cyberloss::section_losses(terms, events);
  insured_ = insure(terms, losses_, events.year);
  const Buffer<double>&gross = losses_.gross_total, &insured = insured_.total;
  retained_.resize(n);
  for_events(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) retained_[i] = gross[i] - insured[i];
  });

  const std::size_t m = years_.size();
  for (auto& a : annual_) a.resize(m);
  for (auto& o : occ_max_) o.resize(m);
  const std::array<const double*, 3> event = {gross.data(), insured.data(), retained_.data()};
  for_ranges(m, kYearGrain, [&](std::size_t first, std::size_t last) {
    for (std::size_t y = first; y < last; ++y) {
      const std::size_t begin = year_start_[y], end = year_start_[y + 1];
      double g = 0.0, s = 0.0;  // summed in event order from 0, as sum_by_year
      std::array<double, 3> top{};
      for (std::size_t i = begin; i < end; ++i) {
        g += gross[i];
        s += insured[i];
        for (std::size_t v = 0; v < 3; ++v) top[v] = std::max(top[v], event[v][i]);
      }
      annual_[0][y] = g;
      annual_[1][y] = s;
      annual_[2][y] = g - s;
      for (std::size_t v = 0; v < 3; ++v) occ_max_[v][y] = top[v];
    }
  });
}

const stats::LossSample& InsuredResult::sample(View v) const {
  const auto i = static_cast<std::size_t>(v);
  std::call_once(sampled_[i], [&] {
    samples_[i] = stats::LossSample::sparse(n_years_, annual_[i].data(), annual_[i].size());
  });
  return *samples_[i];
}

std::vector<double> InsuredResult::annual(View v, std::size_t section) const {
  if (section >= n_sections) throw std::out_of_range("section index " + std::to_string(section));
  const std::size_t m = years_.size();
  std::vector<double> gross(m), insured(m, 0.0);
  sum_by_year(year_start_, losses_.gross[section].data(), gross.data());
  if (v == View::gross) return gross;
  if (section < n_covered_sections)
    sum_by_year(year_start_, insured_.by_section[section].data(), insured.data());
  if (v == View::insured) return insured;
  for (std::size_t y = 0; y < m; ++y) gross[y] -= insured[y];
  return gross;
}

std::array<Buffer<double>, n_sections> InsuredResult::annual_by_section(View v) const {
  const std::size_t m = years_.size();
  const bool gross_read = v != View::insured, insured_read = v != View::gross;
  std::array<Buffer<double>, n_sections> out;
  for (auto& section : out) section.resize(m);
  for_ranges(m, kYearGrain, [&](std::size_t first, std::size_t last) {
    for (std::size_t y = first; y < last; ++y)
      for (std::size_t s = 0; s < n_sections; ++s) {
        double gross = 0.0, insured = 0.0;  // summed in event order from 0, as sum_by_year
        for (std::size_t i = year_start_[y]; i < year_start_[y + 1]; ++i) {
          if (gross_read) gross += losses_.gross[s][i];
          if (insured_read && s < n_covered_sections) insured += insured_.by_section[s][i];
        }
        out[s][y] = v == View::gross ? gross : v == View::insured ? insured : gross - insured;
      }
  });
  return out;
}

stats::LossSample InsuredResult::occurrence_sample(View v) const {
  const auto& x = occurrence_max(v);
  return stats::LossSample::sparse(n_years_, x.data(), x.size());
}

}  // namespace cyberloss
