// Reinsurance of a portfolio: per-risk XL, per-event XL, quota share, aggregate stop loss.
//
// The contracts inure to one another in a fixed order, each applied to what the previous ones
// leave (JPY; "gross" = the insurer's insured losses after the policies' own terms):
//   1. per-risk XL on each policy's loss from each incident: L(x) = min((x - retention)^+, limit);
//   2. per-event XL on each systemic event, all insured losses of one attack type in one year
//      across the book (net of the per-risk XL), taken in attack-type order;
//   3. quota share: cedes `share` of the year's remaining loss;
//   4. stop loss on the year's remaining loss: min((S - retention)^+, limit).
// An XL layer has the annual capacity limit * (1 + reinstatements) (unlimited reinstatements:
// inf), consumed in attack-type order with AnnualCapacity (layer.hpp). The reinstatement premium
// is pro rata to the amount reinstated, not to time:
//   premium * reinstatement_rate * min(ceded_year, reinstatements * limit) / limit,
// reported beside the year-loss table and not part of ceded or net: net = gross - ceded (one
// subtraction, so ceded + net equals gross to rounding).
// Sums over attack types use stats::pairwise_sum (NumPy's order), so a year equals the Python
// Programme.apply of cyberloss.reinsurance bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cyberloss/layer.hpp"

namespace cyberloss {

// An excess-of-loss contract "limit xs retention" with reinstatements.
class ExcessOfLoss {
 public:
  // retention finite >= 0; limit > 0 (inf allowed); reinstatements: nullopt for unlimited;
  // premium and reinstatement_rate finite >= 0.  `what` names the contract in errors.
  ExcessOfLoss(double retention, double limit, std::optional<std::uint32_t> reinstatements = {},
               double premium = 0.0, double reinstatement_rate = 1.0,
               const std::string& what = "ExcessOfLoss");
  const Layer& layer() const { return layer_; }
  double retention() const { return layer_.attachment; }
  double limit() const { return layer_.limit; }
  std::optional<std::uint32_t> reinstatements() const { return reinstatements_; }
  double premium() const { return premium_; }
  double reinstatement_rate() const { return reinstatement_rate_; }
  // limit * (1 + reinstatements); inf when reinstatements are unlimited or the limit is.
  double annual_capacity() const;
  // Reinstatement premium of a year in which the layer ceded `ceded_year`.
  double reinstatement_premium(double ceded_year) const;

 private:
  Layer layer_;
  std::optional<std::uint32_t> reinstatements_;
  double premium_;
  double reinstatement_rate_;
};

struct QuotaShare {
  explicit QuotaShare(double share_);  // share in [0, 1]
  double share;
};

// One year of the programme: the year-loss-table row.
struct ReinsuranceYear {
  double gross = 0.0;
  double ceded = 0.0;
  double net = 0.0;
  double ceded_per_risk = 0.0;
  double ceded_per_event = 0.0;
  double ceded_quota_share = 0.0;
  double ceded_stop_loss = 0.0;
  double reinstatement_premium = 0.0;
};

// A reinsurance programme; every contract is optional (none: ceded = 0).
class ReinsuranceProgramme {
 public:
  ReinsuranceProgramme() = default;
  ReinsuranceProgramme(std::optional<ExcessOfLoss> per_risk, std::optional<ExcessOfLoss> per_event,
                       std::optional<QuotaShare> quota_share, std::optional<Layer> stop_loss);

  const std::optional<ExcessOfLoss>& per_risk() const { return per_risk_; }
  const std::optional<ExcessOfLoss>& per_event() const { return per_event_; }
  const std::optional<QuotaShare>& quota_share() const { return quota_share_; }
  const std::optional<Layer>& stop_loss() const { return stop_loss_; }
  bool empty() const { return !per_risk_ && !per_event_ && !quota_share_ && !stop_loss_; }

  // The per-risk layer of one incident's insured loss (0 without a per-risk XL).
  double per_risk_layer(double insured) const {
    return per_risk_ ? per_risk_->layer()(insured) : 0.0;
  }

  // One year: gross[t] = the year's insured loss of attack type t; per_risk_layered[t] = the
  // sum over those incidents of per_risk_layer (read only with a per-risk XL).  `work` holds
  // 2 * n_types doubles of scratch.
  ReinsuranceYear apply_year(const double* gross, const double* per_risk_layered,
                             std::size_t n_types, double* work) const;

  // Year rows of a block from its incidents: year_index[i] in [0, n_years), type_index[i] in
  // [0, n_types), insured[i] finite >= 0, in event order (the Python Programme.apply).
  std::vector<ReinsuranceYear> apply(const std::vector<std::int64_t>& year_index,
                                     const std::vector<std::int32_t>& type_index,
                                     const std::vector<double>& insured, std::size_t n_years,
                                     std::size_t n_types) const;

 private:
  std::optional<ExcessOfLoss> per_risk_;
  std::optional<ExcessOfLoss> per_event_;
  std::optional<QuotaShare> quota_share_;
  std::optional<Layer> stop_loss_;
};

// A stop loss "limit xs retention" (retention finite >= 0, limit > 0, inf allowed).
Layer stop_loss_layer(double retention, double limit);

}  // namespace cyberloss
