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
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cyberloss/distributions.hpp"
#include "cyberloss/layer.hpp"
#include "cyberloss/reinsurance.hpp"

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
  // Guide table: for bucket bounds b_j = j * step (step = Lambda / n_policies), guide[j] is the
  // search's answer at b_j, so an answer at x in [b_j, b_{j+1}) lies in [guide[j], guide[j+1]]
  // and policy_of searches only there (the same answer as a search of the whole table).
  std::vector<std::vector<std::uint32_t>> guide_;
  std::vector<double> step_;
  std::vector<double> inverse_step_;
  std::vector<std::uint32_t> last_positive_;
  std::vector<double> total_;
  std::vector<double> variance_;
};

// Events of years [first_year, first_year + years), ordered by (year, type, k).
struct PortfolioEvents {
  std::uint64_t first_year = 0;
  std::uint64_t years = 0;
  std::size_t n_types = 0;
  std::vector<double> theta;         // (years, n_types), row-major
  std::vector<std::int64_t> counts;  // (years, n_types), row-major
  std::vector<std::int64_t> year;    // per event
  std::vector<std::int32_t> type;
  std::vector<std::int32_t> k;
  std::vector<std::int32_t> policy;
  std::vector<double> u;  // severity uniform in (0, 1)
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

// The contained branch of an attack type in the survey-basis severity (calibration v2,
// all-incidents basis): P(major) per policy, and the contained loss's lognormal at the
// reference headcount.
struct SurveyBranch {
  double loss_median = 1.0;               // > 0
  double loss_sigma = 0.0;                // >= 0
  std::vector<double> major_probability;  // per policy, in (0, 1]
};

// The survey-basis severity: loss = F_a^{-1}(u) * factor[policy], with F_a the severity of the
// event's attack type a and factor the policy's exposure factor (finite, > 0; 1 leaves the
// severity unscaled).  The same numbers as the Python SurveySeverity.  A type with a branch
// (branches[a] set) draws major or contained as the incident model does (incident.hpp): event
// k is major when BRANCH draw 2 k of stream 0x200 + a is below the policy's P(major), else
// its loss is loss_median exp(loss_sigma Phi^-1(draw 2 k + 1)) * factor[policy].  A policy
// whose P(major) is 1 draws no BRANCH numbers.
class SurveyPortfolioLoss final : public PortfolioLoss {
 public:
  SurveyPortfolioLoss(std::vector<std::shared_ptr<const Severity>> by_type,
                      std::vector<double> exposure_factor,
                      std::vector<std::optional<SurveyBranch>> branches = {});
  std::string name() const override { return "SurveyPortfolioLoss"; }
  void losses(const PortfolioEvents& events, std::uint32_t seed, double* out) const override;
  std::size_t n_types() const { return by_type_.size(); }
  std::size_t n_policies() const { return factor_.size(); }

 private:
  std::vector<std::shared_ptr<const Severity>> by_type_;
  std::vector<double> factor_;
  std::vector<std::optional<SurveyBranch>> branches_;  // empty or one per type
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

// A policy's own terms: per incident min((X - deductible)^+, occurrence_limit), then the annual
// aggregate limit consumed in event order (year, attack type, k).
struct PolicyTerms {
  Layer occurrence;  // attachment = deductible, limit = occurrence limit
  double aggregate_limit = std::numeric_limits<double>::infinity();
};

// Terms of policies 0..n-1 from per-policy columns (equal lengths): deductible finite >= 0,
// occurrence and aggregate limits > 0 (inf: unlimited).  Errors name the policy row (1-based).
std::vector<PolicyTerms> policy_terms(const std::vector<double>& deductible,
                                      const std::vector<double>& occurrence_limit,
                                      const std::vector<double>& aggregate_limit);

// What one block of years leaves after aggregation: the year-loss-table rows, the events'
// theta and counts, and per-policy moments of the annual insured loss.
struct PortfolioBlock {
  std::uint64_t first_year = 0;
  std::uint64_t years = 0;
  std::size_t n_types = 0;
  std::vector<ReinsuranceYear> rows;        // per year: gross, ceded, net, the contracts' ceded...
  std::vector<double> ground_up;            // per year: sum of the incidents' ground-up losses
  std::vector<double> gross_max;            // per year: the largest incident's insured loss ...
  std::vector<double> ground_up_max;        // ... and ground-up loss (0 without incidents)
  std::vector<std::int64_t> events;         // per year: number of incidents
  std::vector<double> theta;                // (years, n_types), row-major
  std::vector<std::int64_t> counts;         // (years, n_types), row-major
  std::vector<double> policy_sum;           // per policy: sum over years of its annual insured loss
  std::vector<double> policy_sumsq;         // ... of its square
  std::vector<std::int64_t> policy_events;  // ... number of incidents
  std::vector<double> tracked_sum;          // (m): sums of the tracked policies' annual losses
  std::vector<double> tracked_cross;        // (m, m) row-major: sums over years of their products
};

// Bytes a block holds per event at its peak: the events (year 8, type 4, k 4, policy 4, u 8)
// and one working loss (ground-up, then insured, then the (year, policy) annual loss).  The
// block from precomputed losses holds all its events; the one-call block only the events of
// the pieces in flight (about 16,384 expected events a piece, two pieces a thread).
constexpr std::size_t portfolio_block_bytes_per_event = 36;

// Years [first_year, first_year + years) of a portfolio in one call: events, their ground-up
// losses, the policies' terms, the programme, per-year rows and per-policy sums.  terms has one
// entry per policy; tracked lists distinct policy indices.  Every year is a pure function of the
// seed and the model; per-policy sums add the years in order; the result does not depend on
// threads or on how the years are cut into pieces.  Sums follow the former NumPy block
// (benchmarks/numpy_portfolio.py), so both agree bit for bit.  Throws memory_error when a
// piece would hold more than max_events events and cancelled when *cancel becomes true.
PortfolioBlock portfolio_block(const PortfolioFrequency& frequency, const PortfolioLoss& loss,
                               const std::vector<PolicyTerms>& terms,
                               const ReinsuranceProgramme& programme, std::uint32_t seed,
                               std::uint64_t first_year, std::uint64_t years,
                               const std::vector<std::uint32_t>& tracked = {}, int threads = 0,
                               std::uint64_t max_events = 100'000'000,
                               const std::atomic<bool>* cancel = nullptr);

// The same from events and their ground-up losses computed elsewhere (a user's loss function):
// terms, programme and aggregation.  ground_up (one finite value >= 0 per event) is taken by
// value and reused as the working buffer.
PortfolioBlock portfolio_block(const PortfolioEvents& events, std::vector<double> ground_up,
                               const std::vector<PolicyTerms>& terms,
                               const ReinsuranceProgramme& programme,
                               const std::vector<std::uint32_t>& tracked = {}, int threads = 0,
                               const std::atomic<bool>* cancel = nullptr);

// Checks that events are laid out as portfolio_events lays them out (per-event arrays of equal
// length, ordered by (year, type, k) as the counts say, policies in [0, n_policies)).
void validate_events(const PortfolioEvents& events, std::size_t n_policies);

}  // namespace cyberloss
