#include "cyberloss/terms.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "cyberloss/distributions.hpp"
#include "cyberloss/layer.hpp"
#include "cyberloss/organisation.hpp"
#include "simd/kernels.hpp"

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

// f(begin, end) over [0, n) in chunks of at most `chunk` rows, the events' tasks (for_events)
// split so that each chunk's columns stay in cache.
template <class F>
void for_chunks(std::size_t n, std::size_t chunk, F&& f) {
  for_events(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t b = begin; b < end; b += chunk) f(b, std::min(b + chunk, end));
  });
}

// An amount that is not finite and >= 0 (NaN fails both comparisons; no branch).
bool bad_amount(double x) { return !((x >= 0.0) & (x <= std::numeric_limits<double>::max())); }

// Names the first amount of the event table that is not finite and >= 0 (by column, then row),
// after a parallel pass found one.
[[noreturn]] void refuse_amounts(const EventColumns& ev) {
  for (std::size_t c = 0; c < n_components; ++c)
    for (std::size_t i = 0; i < ev.n; ++i)
      if (bad_amount(ev.component[c][i]))
        throw std::invalid_argument(
            std::string("events.") + component_names[c] + " must be finite and >= 0, got " +
            format_value(ev.component[c][i]) + " at row " + std::to_string(i));
  for (std::size_t i = 0; i < ev.n; ++i)
    if (bad_amount(ev.downtime_days[i]))
      throw std::invalid_argument("events.downtime_days must be finite and >= 0, got " +
                                  format_value(ev.downtime_days[i]) + " at row " +
                                  std::to_string(i));
  throw std::logic_error("section_losses: an amount was refused but none is out of range");
}

}  // namespace

SectionLosses section_losses(const CoverageTerms& terms, const EventColumns& ev) {
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
  // Column by column over a task's events, each section's sums held in its output: every sum
  // starts from +0 and adds its components in component order (as terms.py's
  // sum(..., zeros)), the gross total adds the sections in order, the same operations per event
  // as a row-by-row loop, so the same bits (the SIMD kernel section_sums). The amounts are
  // checked in the same pass; the first one out of range is named afterwards (refuse_amounts).
  static_assert(n_components == simd::kSectionComponents && n_sections == simd::kSections &&
                n_covered_sections == simd::kCoveredSections);
  simd::SectionPass pass;
  for (std::size_t c = 0; c < n_components; ++c) {
    const std::size_t s = section_of[c];
    pass.section_of[c] = s;
    pass.covered[c] = s < n_covered_sections && terms.section(s).covered;
    if (pass.covered[c]) pass.sublimit[c] = terms.section(s).sublimits[c];  // attached at 0
  }
  const SectionTerms& bi = terms.section(kBI);
  pass.lost_profit = lost_profit;
  pass.waiting = bi.waiting_period_days;
  pass.indemnity = bi.indemnity_period_days;
  pass.no_downtime = pass.waiting == 0.0 ? 1.0 : 0.0;
  const auto sums = simd::kernels().section_sums;
  std::atomic<bool> any_bad{false};
  // Chunks of 2,048 events: the seven sums' columns (112 KiB) stay in the core's L2 cache.
  for_chunks(n, 2048, [&](std::size_t begin, std::size_t end) {
    simd::SectionPass p = pass;
    p.n = end - begin;
    for (std::size_t c = 0; c < n_components; ++c) p.component[c] = ev.component[c] + begin;
    p.days = ev.downtime_days + begin;
    for (std::size_t s = 0; s < n_sections; ++s) p.gross[s] = out.gross[s].data() + begin;
    for (std::size_t s = 0; s < n_covered_sections; ++s)
      p.covered_amount[s] = out.covered[s].data() + begin;
    p.total = out.gross_total.data() + begin;
    if (sums(p)) any_bad.store(true, std::memory_order_relaxed);
  });
  if (any_bad.load()) refuse_amounts(ev);
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

void OccurrencePayment::covered_totals(const SectionLosses& losses, std::size_t begin,
                                       std::size_t end, double* total) const {
  std::fill(total + begin, total + end, 0.0);
  for (std::size_t s = 0; s < n_covered_sections; ++s) {
    if (!covered_[s]) continue;
    const double* covered = losses.covered[s].data();
    for (std::size_t i = begin; i < end; ++i) total[i] += covered[i];
  }
}

void OccurrencePayment::pay_range(const SectionLosses& losses, const double* total,
                                  std::size_t begin, std::size_t end, double* paid,
                                  const std::array<double*, n_covered_sections>* parts) const {
  if (begin >= end) return;
  simd::OccurrencePass p;
  p.n = end - begin;
  p.total = total + begin;
  p.deductible_attachment = deductible_.attachment;
  p.deductible_limit = deductible_.limit;
  for (std::size_t s = 0; s < n_covered_sections; ++s) {
    p.covered[s] = covered_[s] ? losses.covered[s].data() + begin : nullptr;
    p.coinsurance[s] = coinsurance_[s];
    p.limit[s] = limit_[s].limit;  // the section limits attach at 0
    p.parts[s] = parts ? (*parts)[s] + begin : nullptr;
  }
  p.paid = paid + begin;
  simd::kernels().occurrence_pay(p);
}

InsuredEvents insure(const CoverageTerms& terms, const SectionLosses& losses,
                     const std::int64_t* year) {
  const std::size_t n = losses.n;
  InsuredEvents out;
  for (auto& v : out.by_section) v.resize(n);
  out.total.resize(n);
  const OccurrencePayment pay(terms, terms.deductible());
  const bool aggregate = std::isfinite(terms.aggregate_limit());
  if (aggregate && n > 0 && year == nullptr)
    throw std::invalid_argument("insure: an aggregate limit needs each event's year");
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
    if (begin >= end) return;
    // Each event's payment before the aggregate limit, held in `total` until the limit is
    // applied, and its parts by section (pay_range).
    double* paid = out.total.data();
    pay.covered_totals(losses, begin, end, paid);
    std::array<double*, n_covered_sections> parts;
    for (std::size_t s = 0; s < n_covered_sections; ++s) parts[s] = out.by_section[s].data();
    pay.pay_range(losses, paid, begin, end, paid, &parts);
    if (aggregate) {
      AnnualCapacity capacity(terms.aggregate_limit());
      for (std::size_t i = begin; i < end; ++i) {
        if (i == begin || year[i] != year[i - 1]) capacity.new_year();
        const double limited = capacity.take(paid[i]);
        // Where the limit leaves the payment whole the ratio is exactly 1 (or the parts are all
        // +0), so the parts stand as they are.
        if (limited == paid[i]) continue;
        const double ratio = paid[i] > 0.0 ? limited / paid[i] : 0.0;
        for (double* part : parts) part[i] *= ratio;
        paid[i] = limited;
      }
    }
    // insured <= gross exactly although the two sums round differently, so that retained
    // losses are never below 0
    for (std::size_t i = begin; i < end; ++i) paid[i] = std::min(paid[i], losses.gross_total[i]);
  });
  return out;
}

void check_year_sums(const Buffer<std::int64_t>& years, const double* gross_year) {
  for (std::size_t y = 0; y < years.size(); ++y)
    if (!std::isfinite(gross_year[y]))  // finite amounts >= 0 whose sum overflowed
      throw std::invalid_argument(
          "events: the losses of year " + std::to_string(years[y]) + " sum to " +
          format_value(gross_year[y]) +
          ", beyond the largest double (about 1.8e308 JPY); no loss in JPY is that large");
}

void sum_by_year(const Buffer<std::size_t>& year_start, const double* x, double* out) {
  const std::size_t m = year_start.empty() ? 0 : year_start.size() - 1;
  for_ranges(m, kYearGrain, [&](std::size_t first, std::size_t last) {
    for (std::size_t y = first; y < last; ++y) {
      double s = 0.0;
      for (std::size_t i = year_start[y]; i < year_start[y + 1]; ++i) s += x[i];
      out[y] = s;
    }
  });
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

Buffer<std::int64_t> InsuredResult::event_years() const {
  Buffer<std::int64_t> out(n_events());
  for (std::size_t y = 0; y < years_.size(); ++y)
    std::fill(out.data() + year_start_[y], out.data() + year_start_[y + 1], years_[y]);
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
  check_year_sums(years_, annual_[0].data());
}

const stats::LossSample& InsuredResult::sample(View v) const {
  const auto i = static_cast<std::size_t>(v);
  std::call_once(sampled_[i], [&] {
    samples_[i] = stats::LossSample::sparse(n_years_, annual_[i].data(), annual_[i].size());
  });
  return *samples_[i];
}

Buffer<double> InsuredResult::annual(View v, std::size_t section) const {
  if (section >= n_sections) throw std::out_of_range("section index " + std::to_string(section));
  const std::size_t m = years_.size();
  // Each sum in event order from 0 (sum_by_year); a section the policy does not cover has
  // insured +0 in every year.
  Buffer<double> out(m);
  if (v != View::insured) sum_by_year(year_start_, losses_.gross[section].data(), out.data());
  if (v == View::gross) return out;
  Buffer<double> retained_from;  // the insured sums, for the retained view
  double* insured = out.data();
  if (v == View::retained) {
    retained_from.resize(m);
    insured = retained_from.data();
  }
  if (section < n_covered_sections)
    sum_by_year(year_start_, insured_.by_section[section].data(), insured);
  else
    std::fill(insured, insured + m, 0.0);
  if (v == View::retained)
    for (std::size_t y = 0; y < m; ++y) out[y] -= insured[y];
  return out;
}

std::array<Buffer<double>, n_sections> InsuredResult::annual_by_section(View v) const {
  std::array<Buffer<double>, n_sections> out;
  for (std::size_t s = 0; s < n_sections; ++s) out[s] = annual(v, s);
  return out;
}

stats::LossSample InsuredResult::occurrence_sample(View v) const {
  const auto& x = occurrence_max(v);
  return stats::LossSample::sparse(n_years_, x.data(), x.size());
}

}  // namespace cyberloss
