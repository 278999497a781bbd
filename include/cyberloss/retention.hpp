// The risk-transfer decision over a deductible x aggregate-limit grid (python/cyberloss/
// decision.py documents the same for users). For each option (per-occurrence deductible d,
// annual aggregate limit L) on the same simulated years:
//   total cost of risk = E[retained] + premium + cost_of_capital (TVaR_p(retained) - E[retained])^+
// with the premium a principle with loads on the insured loss. "No insurance" (retained =
// gross, premium 0) is the last row, with d = inf and L = 0. An option is efficient when no
// other has both a lower-or-equal expected cost (E[retained] + premium) and a lower-or-equal
// TVaR_p(retained), one of them strictly. The recommendation is the option of least total cost
// with premium <= max_premium, among equals no insurance, then the first in grid order; an
// option that pays nothing in the simulated years for no premium is never recommended over no
// insurance. It is always efficient.
//
// All cells in one pass over the events: each event's covered section amounts (sublimits, BI
// periods) are computed once; per cell only the deductible, coinsurance, section limits and the
// aggregate limit in event order are applied.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "cyberloss/pricing.hpp"
#include "cyberloss/terms.hpp"

namespace cyberloss {

struct RetentionCell {
  bool insured;
  double deductible, limit;
  double insured_el, premium, retained_el, retained_tvar, tail_capital_cost, total_cost;
  bool efficient, recommended;
};

struct RetentionGrid {
  std::vector<RetentionCell> cells;  // deductibles x limits (ascending, limits fastest), then none
  std::size_t recommended = 0;
};

// Deductibles (finite, >= 0) and limits (> 0) are sorted and deduplicated; the base terms'
// sections, coinsurance, sublimits and BI periods are kept.
RetentionGrid retention_grid(const CoverageTerms& base, const EventColumns& events,
                             std::uint64_t n_years, std::vector<double> deductibles,
                             std::vector<double> limits, const Principle& principle,
                             const Loads& loads, double cost_of_capital, double tail_level,
                             std::optional<double> max_premium = std::nullopt);
// The same on a policy already applied to the events (`applied`): its terms' sections,
// coinsurance, sublimits and BI periods are the base, its covered amounts are reused (its
// deductible and aggregate limit play no part).
RetentionGrid retention_grid(const InsuredResult& applied, std::vector<double> deductibles,
                             std::vector<double> limits, const Principle& principle,
                             const Loads& loads, double cost_of_capital, double tail_level,
                             std::optional<double> max_premium = std::nullopt);

}  // namespace cyberloss
