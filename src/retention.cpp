#include "cyberloss/retention.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "cyberloss/distributions.hpp"
#include "cyberloss/layer.hpp"

namespace cyberloss {
namespace {

std::vector<double> amounts(std::vector<double> v, const char* field, bool positive) {
  if (v.empty()) throw std::invalid_argument(std::string(field) + " must list at least one amount");
  for (double x : v)
    if (positive ? !(x > 0.0) : !(std::isfinite(x) && x >= 0.0))
      throw std::invalid_argument(std::string(field) + " must be " +
                                  (positive ? "> 0" : "finite and >= 0") + ", got " +
                                  format_value(x));
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

RetentionCell cell(bool insured, double d, double limit, const SparseYears& retained,
                   double premium, double insured_el, double coc, double p) {
  const double el =
      stats::pairwise_sum(retained.values, retained.m) / static_cast<double>(retained.n);
  const double tv = stats::sparse_var_tvar(retained.n, retained.values, retained.m, p).tvar;
  const double capital = coc * std::max(tv - el, 0.0);
  return {insured, d,    limit, insured_el, premium, el, tv, capital, el + premium + capital,
          false,   false};
}

}  // namespace

RetentionGrid retention_grid(const CoverageTerms& base, const EventColumns& events,
                             std::uint64_t n_years, std::vector<double> deductibles,
                             std::vector<double> limits, const Principle& principle,
                             const Loads& loads, double cost_of_capital, double tail_level,
                             std::optional<double> max_premium) {
  deductibles = amounts(std::move(deductibles), "deductibles", false);
  limits = amounts(std::move(limits), "limits", true);
  require_probability("tail_level", tail_level);
  if (!(cost_of_capital >= 0.0 && cost_of_capital < 1.0))
    throw std::invalid_argument("cost_of_capital must be in [0, 1), got " +
                                format_value(cost_of_capital));
  if (max_premium && !(*max_premium >= 0.0))
    throw std::invalid_argument("max_premium must be >= 0, got " + format_value(*max_premium));

  // Validates the events and the years, and gives the gross per year.
  const InsuredResult gross_result(base, events, n_years);
  const SectionLosses& losses = gross_result.section_losses();
  const std::vector<std::int64_t>& years = gross_result.years();
  const std::vector<double>& gross_year = gross_result.annual(View::gross);
  const std::size_t n = events.n, m = years.size();
  const std::size_t D = deductibles.size(), L = limits.size(), C = D * L;

  std::array<bool, n_covered_sections> covered{};
  std::array<Layer, n_covered_sections> section_limit;
  std::array<double, n_covered_sections> coinsurance{};
  for (std::size_t s = 0; s < n_covered_sections; ++s) {
    covered[s] = base.section(s).covered;
    section_limit[s] = Layer(0.0, base.section(s).limit);
    coinsurance[s] = base.section(s).coinsurance;
  }
  std::vector<AnnualCapacity> capacity;
  for (std::size_t d = 0; d < D; ++d)
    for (double limit : limits) capacity.emplace_back(limit);
  std::vector<double> insured_year(C * m, 0.0);  // (cell, year with incidents)

  // One pass over the events: the covered amounts once, then every cell.
  std::vector<double> after_deductible(D);
  for (std::size_t i = 0, y = 0; i < n; ++i) {
    if (i > 0 && events.year[i] != events.year[i - 1]) ++y;
    if (i == 0 || events.year[i] != events.year[i - 1])
      for (auto& c : capacity) c.new_year();
    double total = 0.0;
    for (std::size_t s = 0; s < n_covered_sections; ++s)
      if (covered[s]) total += losses.covered[s][i];
    for (std::size_t d = 0; d < D; ++d) {
      const double share =
          total > 0.0
              ? Layer(deductibles[d], std::numeric_limits<double>::infinity())(total) / total
              : 0.0;
      double paid = 0.0;
      for (std::size_t s = 0; s < n_covered_sections; ++s)
        if (covered[s]) paid += section_limit[s](losses.covered[s][i] * share * coinsurance[s]);
      for (std::size_t l = 0; l < L; ++l) {
        const std::size_t c = d * L + l;
        const double insured = std::min(capacity[c].take(paid), losses.gross_total[i]);
        insured_year[c * m + y] += insured;
      }
    }
  }

  RetentionGrid grid;
  std::vector<double> retained(m), insured(m);
  for (std::size_t d = 0; d < D; ++d)
    for (std::size_t l = 0; l < L; ++l) {
      const std::size_t c = d * L + l;
      std::copy(insured_year.begin() + static_cast<std::ptrdiff_t>(c * m),
                insured_year.begin() + static_cast<std::ptrdiff_t>((c + 1) * m), insured.begin());
      for (std::size_t y = 0; y < m; ++y) retained[y] = gross_year[y] - insured[y];
      const SparseYears ins{n_years, years.data(), insured.data(), m};
      const Premium prem = premium(principle, loads, ins);
      grid.cells.push_back(cell(
          true, deductibles[d], limits[l], SparseYears{n_years, years.data(), retained.data(), m},
          prem.technical_premium, prem.expected_loss, cost_of_capital, tail_level));
    }
  grid.cells.push_back(cell(false, std::numeric_limits<double>::infinity(), 0.0,
                            SparseYears{n_years, years.data(), gross_year.data(), m}, 0.0, 0.0,
                            cost_of_capital, tail_level));

  auto& cells = grid.cells;
  for (auto& a : cells) {
    const double ca = a.retained_el + a.premium;
    a.efficient = std::none_of(cells.begin(), cells.end(), [&](const RetentionCell& b) {
      const double cb = b.retained_el + b.premium;
      return cb <= ca && b.retained_tvar <= a.retained_tvar &&
             (cb < ca || b.retained_tvar < a.retained_tvar);
    });
  }
  bool found = false;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (max_premium && !(cells[c].premium <= *max_premium)) continue;
    if (!found || cells[c].total_cost < cells[grid.recommended].total_cost) grid.recommended = c;
    found = true;
  }
  if (!found) throw std::logic_error("retention grid: no option within max_premium");
  cells[grid.recommended].recommended = true;
  return grid;
}

}  // namespace cyberloss
