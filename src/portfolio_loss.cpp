#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "cyberloss/portfolio.hpp"

namespace cyberloss {

SurveyPortfolioLoss::SurveyPortfolioLoss(std::vector<std::shared_ptr<const Severity>> by_type,
                                         std::vector<double> exposure_factor)
    : by_type_(std::move(by_type)), factor_(std::move(exposure_factor)) {
  for (std::size_t t = 0; t < by_type_.size(); ++t) {
    if (!by_type_[t])
      throw std::invalid_argument("severity of attack type " + std::to_string(t) + " is missing");
  }
  for (std::size_t p = 0; p < factor_.size(); ++p) {
    if (!(std::isfinite(factor_[p]) && factor_[p] > 0.0))
      throw std::invalid_argument("exposure_factor of policy row " + std::to_string(p + 1) +
                                  " must be finite and > 0, got " + format_value(factor_[p]));
  }
}

void SurveyPortfolioLoss::losses(const PortfolioEvents& events, std::uint32_t /*seed*/,
                                 double* out) const {
  const std::size_t n = events.u.size();
  const std::size_t nt = by_type_.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (events.type[i] < 0 || static_cast<std::size_t>(events.type[i]) >= nt)
      throw std::out_of_range("event " + std::to_string(i) + ": attack type " +
                              std::to_string(events.type[i]) + " has no severity (" +
                              std::to_string(nt) + " types)");
    if (events.policy[i] < 0 || static_cast<std::size_t>(events.policy[i]) >= factor_.size())
      throw std::out_of_range("event " + std::to_string(i) + ": policy " +
                              std::to_string(events.policy[i]) + " has no exposure factor (" +
                              std::to_string(factor_.size()) + " policies)");
  }
  // Each chunk's uniforms are grouped by type (one counting pass) so that every severity is
  // evaluated in batches; quantile_batch's values do not depend on the batch, so neither do
  // the losses.
  constexpr std::size_t chunk = 4096;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, (n + chunk - 1) / chunk, 1),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      std::vector<double> u(chunk), q(chunk);
                      std::vector<std::size_t> at(chunk), start(nt + 1);
                      for (std::size_t c = r.begin(); c != r.end(); ++c) {
                        const std::size_t e0 = c * chunk, e1 = std::min(n, e0 + chunk);
                        std::fill(start.begin(), start.end(), 0);
                        for (std::size_t e = e0; e < e1; ++e)
                          ++start[static_cast<std::size_t>(events.type[e]) + 1];
                        for (std::size_t t = 0; t < nt; ++t) start[t + 1] += start[t];
                        for (std::size_t e = e0; e < e1; ++e) {
                          const std::size_t j = start[static_cast<std::size_t>(events.type[e])]++;
                          at[j] = e;
                          u[j] = events.u[e];
                        }
                        // start[t] is now the end of type t's group, its beginning the end of type
                        // t - 1's.
                        for (std::size_t t = 0, begin = 0; t < nt; begin = start[t++]) {
                          if (start[t] > begin)
                            by_type_[t]->quantile_batch(&u[begin], &q[begin], start[t] - begin);
                        }
                        for (std::size_t j = 0; j < e1 - e0; ++j)
                          out[at[j]] =
                              q[j] * factor_[static_cast<std::size_t>(events.policy[at[j]])];
                      }
                    });
}

FixedPortfolioLoss::FixedPortfolioLoss(double amount) : amount_(amount) {
  require_nonnegative("amount", amount);
}

void FixedPortfolioLoss::losses(const PortfolioEvents& events, std::uint32_t /*seed*/,
                                double* out) const {
  std::fill(out, out + events.u.size(), amount_);
}

}  // namespace cyberloss
