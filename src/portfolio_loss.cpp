#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "cyberloss/incident.hpp"
#include "cyberloss/portfolio.hpp"
#include "cyberloss/random.hpp"
#include "cyberloss/vecmath.hpp"

namespace cyberloss {

SurveyPortfolioLoss::SurveyPortfolioLoss(std::vector<std::shared_ptr<const Severity>> by_type,
                                         std::vector<double> exposure_factor,
                                         std::vector<std::optional<SurveyBranch>> branches)
    : by_type_(std::move(by_type)),
      factor_(std::move(exposure_factor)),
      branches_(std::move(branches)) {
  for (std::size_t t = 0; t < by_type_.size(); ++t) {
    if (!by_type_[t])
      throw std::invalid_argument("severity of attack type " + std::to_string(t) + " is missing");
  }
  for (std::size_t p = 0; p < factor_.size(); ++p) {
    if (!(std::isfinite(factor_[p]) && factor_[p] > 0.0))
      throw std::invalid_argument("exposure_factor of policy row " + std::to_string(p + 1) +
                                  " must be finite and > 0, got " + format_value(factor_[p]));
  }
  if (!branches_.empty() && branches_.size() != by_type_.size())
    throw std::invalid_argument("branches: " + std::to_string(branches_.size()) + " entries for " +
                                std::to_string(by_type_.size()) + " attack types");
  for (std::size_t t = 0; t < branches_.size(); ++t) {
    if (!branches_[t]) continue;
    const SurveyBranch& b = *branches_[t];
    const std::string where = "branches[" + std::to_string(t) + "].";
    if (!(std::isfinite(b.loss_median) && b.loss_median > 0.0))
      throw std::invalid_argument(where + "loss_median must be finite and > 0, got " +
                                  format_value(b.loss_median));
    if (!(std::isfinite(b.loss_sigma) && b.loss_sigma >= 0.0))
      throw std::invalid_argument(where + "loss_sigma must be finite and >= 0, got " +
                                  format_value(b.loss_sigma));
    if (b.major_probability.size() != factor_.size())
      throw std::invalid_argument(where + "major_probability has " +
                                  std::to_string(b.major_probability.size()) + " policies, " +
                                  std::to_string(factor_.size()) + " expected");
    for (std::size_t p = 0; p < factor_.size(); ++p)
      if (!(b.major_probability[p] > 0.0 && b.major_probability[p] <= 1.0))
        throw std::invalid_argument(where + "major_probability of policy row " +
                                    std::to_string(p + 1) + " must be in (0, 1], got " +
                                    format_value(b.major_probability[p]));
  }
}

namespace {

struct BranchScratch {
  std::vector<std::uint64_t> year, k;
  std::vector<double> u, contained;
};

// Replaces the major loss q[j] of event at[j] by its contained loss where BRANCH draw 2 k is
// not below the policy's P(major); the same draws and arithmetic as IncidentModel.
void contain(std::size_t t, const SurveyBranch& b, const PortfolioEvents& events,
             std::uint32_t seed, const std::size_t* at, double* q, std::size_t m,
             BranchScratch& s) {
  s.year.resize(m);
  s.k.resize(m);
  s.u.resize(m * branch_draws_per_event);
  s.contained.resize(m);
  for (std::size_t j = 0; j < m; ++j) {
    s.year[j] = static_cast<std::uint64_t>(events.year[at[j]]);
    s.k[j] = static_cast<std::uint64_t>(events.k[at[j]]);
  }
  branch_uniforms(
      seed, stream_id(Purpose::branch, portfolio_severity_offset + static_cast<std::uint32_t>(t)),
      s.year.data(), s.k.data(), m, s.u.data());
  for (std::size_t j = 0; j < m; ++j) s.contained[j] = s.u[j * branch_draws_per_event + 1];
  vecmath::inverse_normal_cdf(s.contained.data(), s.contained.data(), m);
  vecmath::exp_affine(s.contained.data(), 0.0, b.loss_sigma, s.contained.data(), m);
  for (std::size_t j = 0; j < m; ++j) {
    const auto p = static_cast<std::size_t>(events.policy[at[j]]);
    if (!(s.u[j * branch_draws_per_event] < b.major_probability[p]))
      q[j] = b.loss_median * s.contained[j];
  }
}

}  // namespace

void SurveyPortfolioLoss::losses(const PortfolioEvents& events, std::uint32_t seed,
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
                      BranchScratch scratch;
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
                          if (start[t] > begin) {
                            by_type_[t]->quantile_batch(&u[begin], &q[begin], start[t] - begin);
                            if (t < branches_.size() && branches_[t])
                              contain(t, *branches_[t], events, seed, &at[begin], &q[begin],
                                      start[t] - begin, scratch);
                          }
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
