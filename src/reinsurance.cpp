#include "cyberloss/reinsurance.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "cyberloss/distributions.hpp"
#include "cyberloss/stats.hpp"

namespace cyberloss {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

void require_nonnegative_named(const std::string& what, const char* field, double value) {
  if (!(std::isfinite(value) && value >= 0.0))
    throw std::invalid_argument(what + " " + field + " must be finite and >= 0, got " +
                                format_value(value));
}

void require_limit(const std::string& what, double value) {
  if (!(value > 0.0))
    throw std::invalid_argument(what + " limit must be > 0 (inf allowed), got " +
                                format_value(value));
}

}  // namespace

ExcessOfLoss::ExcessOfLoss(double retention, double limit,
                           std::optional<std::uint32_t> reinstatements, double premium,
                           double reinstatement_rate, const std::string& what)
    : reinstatements_(reinstatements), premium_(premium), reinstatement_rate_(reinstatement_rate) {
  require_nonnegative_named(what, "retention", retention);
  require_limit(what, limit);
  require_nonnegative_named(what, "premium", premium);
  require_nonnegative_named(what, "reinstatement_rate", reinstatement_rate);
  layer_ = Layer(retention, limit);
}

double ExcessOfLoss::annual_capacity() const {
  if (!reinstatements_) return inf;
  return layer_.limit * (1.0 + static_cast<double>(*reinstatements_));
}

double ExcessOfLoss::reinstatement_premium(double ceded_year) const {
  if (premium_ == 0.0 || !std::isfinite(layer_.limit)) return 0.0;
  const double reinstatable =
      reinstatements_ ? static_cast<double>(*reinstatements_) * layer_.limit : inf;
  return premium_ * reinstatement_rate_ * std::min(ceded_year, reinstatable) / layer_.limit;
}

QuotaShare::QuotaShare(double share_) : share(share_) {
  if (!(share >= 0.0 && share <= 1.0))
    throw std::invalid_argument("QuotaShare share must be in [0, 1], got " + format_value(share));
}

Layer stop_loss_layer(double retention, double limit) {
  require_nonnegative_named("StopLoss", "retention", retention);
  require_limit("StopLoss", limit);
  return Layer(retention, limit);
}

ReinsuranceProgramme::ReinsuranceProgramme(std::optional<ExcessOfLoss> per_risk,
                                           std::optional<ExcessOfLoss> per_event,
                                           std::optional<QuotaShare> quota_share,
                                           std::optional<Layer> stop_loss)
    : per_risk_(std::move(per_risk)),
      per_event_(std::move(per_event)),
      quota_share_(quota_share),
      stop_loss_(stop_loss) {}

ReinsuranceYear ReinsuranceProgramme::apply_year(const double* gross,
                                                 const double* per_risk_layered,
                                                 std::size_t n_types, double* work) const {
  ReinsuranceYear y;
  y.gross = stats::pairwise_sum(gross, n_types);
  const double* net_cells = gross;
  if (per_risk_) {
    double* ceded_cells = work;
    double* net = work + n_types;
    AnnualCapacity capacity(per_risk_->annual_capacity());
    for (std::size_t t = 0; t < n_types; ++t) {
      ceded_cells[t] = capacity.take(per_risk_layered[t]);
      net[t] = gross[t] - ceded_cells[t];
    }
    y.ceded_per_risk = stats::pairwise_sum(ceded_cells, n_types);
    y.reinstatement_premium = per_risk_->reinstatement_premium(y.ceded_per_risk);
    net_cells = net;
  }
  double remaining = stats::pairwise_sum(net_cells, n_types);
  if (per_event_) {
    // The per-risk cessions are no longer needed: the layered events reuse their scratch.
    double* layered = work;
    for (std::size_t t = 0; t < n_types; ++t) layered[t] = per_event_->layer()(net_cells[t]);
    AnnualCapacity capacity(per_event_->annual_capacity());
    y.ceded_per_event = capacity.take(stats::pairwise_sum(layered, n_types));
    remaining = remaining - y.ceded_per_event;
    y.reinstatement_premium =
        y.reinstatement_premium + per_event_->reinstatement_premium(y.ceded_per_event);
  }
  if (quota_share_) {
    y.ceded_quota_share = quota_share_->share * remaining;
    remaining = remaining - y.ceded_quota_share;
  }
  if (stop_loss_) y.ceded_stop_loss = (*stop_loss_)(remaining);
  y.ceded = y.ceded_per_risk + y.ceded_per_event + y.ceded_quota_share + y.ceded_stop_loss;
  y.net = y.gross - y.ceded;
  return y;
}

std::vector<ReinsuranceYear> ReinsuranceProgramme::apply(
    const std::vector<std::int64_t>& year_index, const std::vector<std::int32_t>& type_index,
    const std::vector<double>& insured, std::size_t n_years, std::size_t n_types) const {
  const std::size_t n = insured.size();
  if (year_index.size() != n || type_index.size() != n) {
    throw std::invalid_argument(
        "year_index, type_index and insured must have the same length, got " +
        std::to_string(year_index.size()) + ", " + std::to_string(type_index.size()) + " and " +
        std::to_string(n));
  }
  std::vector<double> gross(n_years * n_types, 0.0), layered(n_years * n_types, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t y = year_index[i];
    const std::int32_t t = type_index[i];
    if (y < 0 || static_cast<std::uint64_t>(y) >= n_years)
      throw std::out_of_range("year_index[" + std::to_string(i) + "] must be in [0, " +
                              std::to_string(n_years) + "), got " + std::to_string(y));
    if (t < 0 || static_cast<std::size_t>(t) >= n_types)
      throw std::out_of_range("type_index[" + std::to_string(i) + "] must be in [0, " +
                              std::to_string(n_types) + "), got " + std::to_string(t));
    if (!(std::isfinite(insured[i]) && insured[i] >= 0.0))
      throw std::invalid_argument("insured[" + std::to_string(i) +
                                  "] must be finite and >= 0, got " + format_value(insured[i]));
    const std::size_t cell = static_cast<std::size_t>(y) * n_types + static_cast<std::size_t>(t);
    gross[cell] += insured[i];
    layered[cell] += per_risk_layer(insured[i]);
  }
  std::vector<ReinsuranceYear> out(n_years);
  std::vector<double> work(2 * n_types);
  for (std::size_t y = 0; y < n_years; ++y) {
    out[y] =
        apply_year(gross.data() + y * n_types, layered.data() + y * n_types, n_types, work.data());
  }
  return out;
}

}  // namespace cyberloss
