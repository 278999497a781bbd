#include "cyberloss/terms.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

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

SectionLosses section_losses(const CoverageTerms& terms, const EventColumns& ev) {
  const std::size_t n = ev.n;
  for (std::size_t c = 0; c < n_components; ++c)
    for (std::size_t i = 0; i < n; ++i)
      if (!(std::isfinite(ev.component[c][i]) && ev.component[c][i] >= 0.0))
        throw std::invalid_argument(
            std::string("events.") + component_names[c] + " must be finite and >= 0, got " +
            format_value(ev.component[c][i]) + " at row " + std::to_string(i));
  for (std::size_t i = 0; i < n; ++i)
    if (!(std::isfinite(ev.downtime_days[i]) && ev.downtime_days[i] >= 0.0))
      throw std::invalid_argument("events.downtime_days must be finite and >= 0, got " +
                                  format_value(ev.downtime_days[i]) + " at row " +
                                  std::to_string(i));
  SectionLosses out;
  out.n = n;
  for (auto& g : out.gross) g.assign(n, 0.0);
  for (auto& g : out.covered) g.assign(n, 0.0);
  out.gross_total.assign(n, 0.0);
  const bool prev = terms.cover_prevention();
  // Sums start from 0 and follow component order (as terms.py's sum(..., zeros)).
  for (std::size_t s = 0; s < n_sections; ++s)
    for (std::size_t c = 0; c < n_components; ++c)
      if (section_pays(s, c, prev))
        for (std::size_t i = 0; i < n; ++i) out.gross[s][i] += ev.component[c][i];
  for (std::size_t s = 0; s < n_sections; ++s)
    for (std::size_t i = 0; i < n; ++i) out.gross_total[i] += out.gross[s][i];

  for (std::size_t s = 0; s < n_covered_sections; ++s) {
    const SectionTerms& t = terms.section(s);
    if (!t.covered) continue;
    for (std::size_t c = 0; c < n_components; ++c) {
      if (!section_pays(s, c, prev)) continue;
      const Layer cap(0.0, t.sublimits[c]);
      for (std::size_t i = 0; i < n; ++i) {
        double x = cap(ev.component[c][i]);
        if (c == lost_profit) {
          const double d = ev.downtime_days[i];
          const double days =
              std::max(std::min(d, t.indemnity_period_days) - t.waiting_period_days, 0.0);
          const double fraction = d > 0.0 ? days / d : (t.waiting_period_days == 0.0 ? 1.0 : 0.0);
          x = x * fraction;
        }
        out.covered[s][i] += x;
      }
    }
  }
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

double OccurrencePayment::operator()(const SectionLosses& losses, std::size_t i,
                                     double* by_section) const {
  double total = 0.0;
  for (std::size_t s = 0; s < n_covered_sections; ++s)
    if (covered_[s]) total += losses.covered[s][i];
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

InsuredEvents insure(const CoverageTerms& terms, const SectionLosses& losses,
                     const std::int64_t* year) {
  const std::size_t n = losses.n;
  InsuredEvents out;
  for (auto& v : out.by_section) v.assign(n, 0.0);
  out.total.assign(n, 0.0);
  const OccurrencePayment pay(terms, terms.deductible());
  const bool aggregate = std::isfinite(terms.aggregate_limit());
  AnnualCapacity capacity(terms.aggregate_limit());
  for (std::size_t i = 0; i < n; ++i) {
    if (aggregate && (i == 0 || year[i] != year[i - 1])) capacity.new_year();
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
  return out;
}

void sum_by_year(const std::vector<std::size_t>& year_start, const double* x, double* out) {
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
  event_year_.assign(events.year, events.year + n);
  losses_ = cyberloss::section_losses(terms, events);
  insured_ = insure(terms, losses_, events.year);
  event_[0] = losses_.gross_total;
  event_[1] = insured_.total;
  event_[2].resize(n);
  for (std::size_t i = 0; i < n; ++i) event_[2][i] = event_[0][i] - event_[1][i];

  const std::size_t m = years_.size();
  for (std::size_t v = 0; v < 2; ++v) {
    annual_[v].resize(m);
    sum_by_year(year_start_, event_[v].data(), annual_[v].data());
  }
  annual_[2].resize(m);
  for (std::size_t y = 0; y < m; ++y) annual_[2][y] = annual_[0][y] - annual_[1][y];
  for (std::size_t v = 0; v < 3; ++v) {
    occ_max_[v].assign(m, 0.0);
    for (std::size_t y = 0; y < m; ++y)
      for (std::size_t i = year_start_[y]; i < year_start_[y + 1]; ++i)
        occ_max_[v][y] = std::max(occ_max_[v][y], event_[v][i]);
  }
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

std::array<std::array<std::vector<double>, n_sections>, 3> InsuredResult::annual_by_section()
    const {
  const std::size_t m = years_.size();
  std::array<std::array<std::vector<double>, n_sections>, 3> out;
  for (auto& view : out)
    for (auto& section : view) section.resize(m);
  for (std::size_t y = 0; y < m; ++y)
    for (std::size_t s = 0; s < n_sections; ++s) {
      double gross = 0.0, insured = 0.0;  // summed in event order from 0, as sum_by_year
      for (std::size_t i = year_start_[y]; i < year_start_[y + 1]; ++i) {
        gross += losses_.gross[s][i];
        if (s < n_covered_sections) insured += insured_.by_section[s][i];
      }
      out[0][s][y] = gross;
      out[1][s][y] = insured;
      out[2][s][y] = gross - insured;
    }
  return out;
}

stats::LossSample InsuredResult::occurrence_sample(View v) const {
  const auto& x = occurrence_max(v);
  return stats::LossSample::sparse(n_years_, x.data(), x.size());
}

}  // namespace cyberloss
