// Event generation for a portfolio of policies with year-level systemic shocks.
//
// For attack type a and simulated year y (seed s):
//   Theta_{a,y} = 1 when the systemic variance v_a is 0, otherwise Gamma(shape 1/v_a,
//                 scale v_a) (mean 1, variance v_a) from Stream(s, (SYSTEMIC, a), y);
//   N_{a,y}     ~ Poisson(Theta_{a,y} * Lambda_a), Lambda_a = sum_p lambda_{a,p},
//                 from Stream(s, (PORTFOLIO, a), y);
//   event k     -> policy p with probability lambda_{a,p} / Lambda_a, from
//                 uniform_at(s, (PORTFOLIO, 0x100 + a), y, k) by search in the cumulative rates;
//   its severity uniform is uniform_at(s, (PORTFOLIO, 0x200 + a), y, k).
// Given Theta, superposition makes the per-policy counts independent Poisson(Theta lambda_{a,p}):
// exactly the model with one shared multiplier per type and year, without touching every policy
// every year. Each year is a pure function of (seed, rates, variances, year), so the events do
// not depend on threads or on how the years are split into blocks.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cyberloss/distributions.hpp"

namespace cyberloss {

constexpr std::uint32_t portfolio_allocation_offset = 0x100;
constexpr std::uint32_t portfolio_severity_offset = 0x200;

class PortfolioFrequency {
 public:
  // rates[a][p]: expected events of type a per year for policy p (finite, >= 0; every type has
  // the same number of policies); systemic_variance[a]: variance of Theta_a (finite, >= 0).
  PortfolioFrequency(const std::vector<std::vector<double>>& rates,
                     std::vector<double> systemic_variance);
  std::size_t n_types() const { return total_.size(); }
  std::size_t n_policies() const { return n_policies_; }
  double total_rate(std::size_t type) const { return total_.at(type); }
  double systemic_variance(std::size_t type) const { return variance_.at(type); }
  double theta(std::uint32_t seed, std::size_t type, std::uint64_t year) const;
  std::uint64_t count(std::uint32_t seed, std::size_t type, std::uint64_t year, double theta) const;
  // The policy that uniform u picks for an event of this type: the smallest p with
  // cumulative[p] > u * Lambda (policies with rate 0 are never picked).
  std::uint32_t policy_of(std::size_t type, double u) const;

 private:
  std::size_t n_policies_ = 0;
  std::vector<std::vector<double>> cumulative_;
  std::vector<std::uint32_t> last_positive_;
  std::vector<double> total_;
  std::vector<double> variance_;
};

// Events of years [first_year, first_year + years), ordered by (year, type, k).
struct PortfolioEvents {
  std::uint64_t first_year = 0;
  std::uint64_t years = 0;
  std::size_t n_types = 0;
  std::vector<double> theta;           // (years, n_types), row-major
  std::vector<std::int64_t> counts;    // (years, n_types), row-major
  std::vector<std::int64_t> year;      // per event
  std::vector<std::int32_t> type;
  std::vector<std::int32_t> k;
  std::vector<std::int32_t> policy;
  std::vector<double> u;               // severity uniform in (0, 1)
};

// Throws memory_error (engine.hpp) when the block would hold more than max_events events, and
// cancelled when *cancel becomes true.
PortfolioEvents portfolio_events(const PortfolioFrequency& frequency, std::uint32_t seed,
                                 std::uint64_t first_year, std::uint64_t years, int threads = 0,
                                 std::uint64_t max_events = 100'000'000,
                                 const std::atomic<bool>* cancel = nullptr);

// Ground-up loss (JPY) of each event of a portfolio block.
class PortfolioLoss {
 public:
  virtual ~PortfolioLoss() = default;
  virtual std::string name() const = 0;
  // out[i] = loss of event i (finite, >= 0), i in [0, events.year.size()).
  virtual void losses(const PortfolioEvents& events, std::uint32_t seed, double* out) const = 0;
};

// The survey-basis severity: loss = F_a^{-1}(u) * factor[policy], with F_a the severity of the
// event's attack type a and factor the policy's exposure factor (finite, > 0; 1 leaves the
// severity unscaled).  The same numbers as the Python SurveySeverity.
class SurveyPortfolioLoss final : public PortfolioLoss {
 public:
  SurveyPortfolioLoss(std::vector<std::shared_ptr<const Severity>> by_type,
                      std::vector<double> exposure_factor);
  std::string name() const override { return "SurveyPortfolioLoss"; }
  void losses(const PortfolioEvents& events, std::uint32_t seed, double* out) const override;
  std::size_t n_types() const { return by_type_.size(); }
  std::size_t n_policies() const { return factor_.size(); }

 private:
  std::vector<std::shared_ptr<const Severity>> by_type_;
  std::vector<double> factor_;
};

// Every incident costs `amount` JPY (finite, >= 0).
class FixedPortfolioLoss final : public PortfolioLoss {
 public:
  explicit FixedPortfolioLoss(double amount);
  std::string name() const override { return "FixedPortfolioLoss"; }
  void losses(const PortfolioEvents& events, std::uint32_t seed, double* out) const override;
  double amount() const { return amount_; }

 private:
  double amount_;
};

}  // namespace cyberloss
