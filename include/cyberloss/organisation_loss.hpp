// The organisation loss model as a portfolio's per-event ground-up loss (the PortfolioLoss
// interface of portfolio.hpp): components per policy, and those components through a policy
// wording's sections.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cyberloss/distributions.hpp"
#include "cyberloss/incident.hpp"
#include "cyberloss/portfolio.hpp"
#include "cyberloss/terms.hpp"

namespace cyberloss {

// The organisation loss model per event: survey-basis loss = severity[t] quantile of the
// event's uniform u (stream (PORTFOLIO, 0x200 + t)), priced by the incident model of (type t,
// policy p) on streams (DOWNTIME / EFFORT / COMPONENTS / BRANCH, 0x200 + t), year, draw k
// (BRANCH: draws 2 k, 2 k + 1, when a policy of the type has major_probability < 1); the loss is
// the sum of the chosen components (in component order). portfolio/losses.py OrganisationLoss
// computes the same in Python.
class OrganisationPortfolioLoss : public PortfolioLoss {
 public:
  // types[t] and severity[t] per attack type; factors[t][p] per type and policy (every type
  // has the same number of policies); sections: the components summed (non-empty, distinct).
  OrganisationPortfolioLoss(std::vector<IncidentType> types,
                            std::vector<std::shared_ptr<const Severity>> severity,
                            const std::vector<std::vector<IncidentFactors>>& factors,
                            std::vector<Component> sections);
  std::string name() const override { return "organisation"; }
  void losses(const PortfolioEvents& events, std::uint32_t seed, double* out) const override;
  // Every component and the downtime of each event (columns of events.year.size()).
  void components(const PortfolioEvents& events, std::uint32_t seed,
                  const IncidentColumns& out) const;
  // The same priced type by type, each type's events in batches of at most 1,024 (in event
  // order: kept in cache from the draws to the sink), each handed to sink(rows, m, priced):
  // priced row j is event rows[j]. The columns are valid during the call.
  using PricedSink =
      std::function<void(const std::size_t* rows, std::size_t m, const IncidentColumns& priced)>;
  void price_by_type(const PortfolioEvents& events, std::uint32_t seed,
                     const PricedSink& sink) const;
  std::size_t n_types() const { return severity_.size(); }
  std::size_t n_policies() const { return n_policies_; }

 private:
  std::vector<std::shared_ptr<const Severity>> severity_;
  std::size_t n_policies_ = 0;
  std::vector<IncidentModels> models_;  // per type, one factor set per policy
  std::vector<Component> sections_;
};

// The organisation model's components through a policy wording's sections: sublimits, BI
// waiting and indemnity periods, coinsurance and section limits (terms.hpp steps 1, 2, 4, 5).
// The template's deductible must be 0 and its aggregate limit unlimited: per-policy
// deductibles and limits are applied by the portfolio to this covered loss.
class CoveredPortfolioLoss : public PortfolioLoss {
 public:
  CoveredPortfolioLoss(std::shared_ptr<const OrganisationPortfolioLoss> components,
                       CoverageTerms terms);
  std::string name() const override { return "covered"; }
  void losses(const PortfolioEvents& events, std::uint32_t seed, double* out) const override;

 private:
  std::shared_ptr<const OrganisationPortfolioLoss> components_;
  CoverageTerms terms_;
};

}  // namespace cyberloss
