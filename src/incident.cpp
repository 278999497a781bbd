#include "cyberloss/incident.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "cyberloss/distributions.hpp"
#include "cyberloss/random.hpp"
#include "cyberloss/vecmath.hpp"

namespace cyberloss {

const std::array<const char*, n_components> component_names = {
    "investigation", "recovery",  "legal",      "notification", "callcenter",
    "condolence",    "liability", "prevention", "lost_profit",  "internal_effort"};

Component component_from_name(const std::string& name, const char* what) {
  for (std::size_t c = 0; c < n_components; ++c)
    if (name == component_names[c]) return static_cast<Component>(c);
  std::string known;
  for (const char* c : component_names) known += std::string(known.empty() ? "" : ", ") + c;
  throw std::invalid_argument(std::string(what) + ": unknown component '" + name +
                              "'; known: " + known);
}

namespace {

void require(bool ok, const std::string& field, const char* rule, double value) {
  if (!ok) throw std::invalid_argument(field + " must be " + rule + ", got " + format_value(value));
}
void require_positive(const std::string& field, double v) {
  require(std::isfinite(v) && v > 0.0, field, "finite and > 0", v);
}
void require_non_negative(const std::string& field, double v) {
  require(std::isfinite(v) && v >= 0.0, field, "finite and >= 0", v);
}
void require_unit(const std::string& field, double v) {
  require(v >= 0.0 && v <= 1.0, field, "in [0, 1]", v);
}

// Events are processed in chunks small enough for their scratch columns to stay in cache.
constexpr std::size_t kChunk = 512;

}  // namespace

DowntimeDistribution DowntimeDistribution::lognormal(double median, double sigma) {
  require_positive("downtime median", median);
  require_non_negative("downtime sigma", sigma);
  DowntimeDistribution d;
  d.median_ = median;
  d.sigma_ = sigma;
  return d;
}

DowntimeDistribution DowntimeDistribution::card_suspension(double long_probability,
                                                           double long_start,
                                                           double long_excess_mean,
                                                           double short_median,
                                                           double short_sigma) {
  require(long_probability > 0.0 && long_probability < 1.0, "long_probability", "in (0, 1)",
          long_probability);
  require_positive("long_start", long_start);
  require_positive("long_excess_mean", long_excess_mean);
  require_positive("short_median", short_median);
  require_positive("short_sigma", short_sigma);
  DowntimeDistribution d;
  d.card_ = true;
  d.median_ = short_median;
  d.sigma_ = short_sigma;
  d.long_probability_ = long_probability;
  d.long_start_ = long_start;
  d.long_excess_mean_ = long_excess_mean;
  return d;
}

double DowntimeDistribution::short_mass() const {
  return vecmath::normal_cdf(std::log(long_start_ / median_) / sigma_);
}

double DowntimeDistribution::quantile(double u) const {
  double out;
  quantile(&u, &out, 1);
  return out;
}

void DowntimeDistribution::quantile(const double* u, double* out, std::size_t n) const {
  if (!card_) {
    vecmath::inverse_normal_cdf(u, out, n);
    vecmath::exp_affine(out, 0.0, sigma_, out, n);
    for (std::size_t i = 0; i < n; ++i) out[i] = median_ * out[i];
    return;
  }
  // Both branches of the mixture for a chunk, then the choice by u: each value depends on its
  // own u only. Clamps keep the quantile arguments strictly inside (0, 1).
  const double p_short = 1.0 - long_probability_;
  const double mass = short_mass();
  double su[kChunk], lu[kChunk];
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t m = std::min(kChunk, n - start);
    const double* uc = u + start;
    for (std::size_t i = 0; i < m; ++i) {
      su[i] = std::min(std::max(uc[i] / p_short, 1e-300), 1.0 - 1e-16) * mass;
      lu[i] = -std::min(std::max((uc[i] - p_short) / long_probability_, 0.0), 1.0 - 1e-16);
    }
    vecmath::inverse_normal_cdf(su, su, m);
    vecmath::exp_affine(su, 0.0, sigma_, su, m);
    vecmath::log1p(lu, lu, m);
    double* o = out + start;
    for (std::size_t i = 0; i < m; ++i) {
      const double shorter = std::min(median_ * su[i], long_start_);
      const double longer = long_start_ - long_excess_mean_ * lu[i];
      o[i] = uc[i] < p_short ? shorter : longer;
    }
  }
}

double DowntimeDistribution::mean() const {
  const double s = sigma_;
  if (!card_) return median_ * std::exp(0.5 * s * s);
  const double mu = std::log(median_);
  const double short_mean = std::exp(mu + 0.5 * s * s) *
                            vecmath::normal_cdf((std::log(long_start_) - mu - s * s) / s) /
                            short_mass();
  return (1.0 - long_probability_) * short_mean +
         long_probability_ * (long_start_ + long_excess_mean_);
}

double DowntimeDistribution::sf(double x) const {
  if (!card_) {
    if (x <= 0.0) return 1.0;
    if (sigma_ == 0.0) return x <= median_ ? 1.0 : 0.0;
    return 1.0 - vecmath::normal_cdf(std::log(x / median_) / sigma_);
  }
  if (x <= long_start_) {
    const double below = x > 0.0 ? vecmath::normal_cdf(std::log(x / median_) / sigma_) : 0.0;
    return 1.0 - (1.0 - long_probability_) * below / short_mass();
  }
  return long_probability_ * std::exp(-(x - long_start_) / long_excess_mean_);
}

double IncidentType::effort_median_from_mean(double mean, double sigma) {
  require_positive("effort mean", mean);
  require_non_negative("effort sigma", sigma);
  return mean * std::exp(-0.5 * sigma * sigma);
}

namespace {

void validate_type(const IncidentType& type) {
  const std::string& t = type.name;
  if (t.empty()) throw std::invalid_argument("attack type name must not be empty");
  double sum = 0.0;
  for (std::size_t j = 0; j < n_response; ++j) {
    require_non_negative("shares." + t + "." + component_names[j], type.mean_shares[j]);
    sum += type.mean_shares[j];
  }
  require(std::fabs(sum - 1.0) <= 1e-9, "the sum of shares." + t, "1 (within 1e-9)", sum);
  require_non_negative("shares.dispersion", type.dispersion);
  require_unit("records.by_type." + t + ".exposure_probability", type.exposure_probability);
  require_unit("records.by_type." + t + ".exposed_share", type.exposed_share);
  require_unit("records.by_type." + t + ".gift_probability", type.gift_probability);
  for (std::size_t j = 0; j < n_response; ++j)
    if (type.record_driven[j] && j != notification && j != condolence && j != liability)
      throw std::invalid_argument("records.by_type." + t + ".record_driven names " +
                                  component_names[j] +
                                  "; record-driven components are notification, condolence, "
                                  "liability");
  require_non_negative("records.unit_costs.notification_per_record", type.notification_per_record);
  require_non_negative("records.unit_costs.condolence_per_person", type.condolence_per_person);
  require_non_negative("records.unit_costs.card_compensation_per_card",
                       type.card_compensation_per_card);
  if (type.has_closure) {
    require_non_negative("downtime." + t + ".closure_days", type.closure_days);
    require_unit("downtime." + t + ".card_sales_lost_share", type.card_sales_lost_share);
  }
  require_positive("downtime.max_days", type.max_downtime_days);
  require_positive("effort." + t + ".median", type.effort_median);
  require_non_negative("effort." + t + ".sigma", type.effort_sigma);
}

void validate_contained(const IncidentType& type) {
  if (!type.contained) return;
  const std::string& t = type.name;
  const ContainedBranch& c = *type.contained;
  require_positive("contained." + t + ".severity_median", c.loss_median);
  require_non_negative("contained." + t + ".severity_sigma", c.loss_sigma);
  require_positive("contained." + t + ".effort median", c.effort_median);
  require_non_negative("contained." + t + ".effort_sigma", c.effort_sigma);
}

// The factors' own ranges, and a contained branch wherever they branch.
void validate_factors(const IncidentType& type, const IncidentFactors& f) {
  const std::string& t = type.name;
  for (std::size_t j = 0; j < n_response; ++j)
    require_positive(t + ": severity factor of " + component_names[j], f.severity_factor[j]);
  require_non_negative(t + ": downtime_factor", f.downtime_factor);
  require_positive(t + ": effort_factor", f.effort_factor);
  require_unit(t + ": share_affected", f.share_affected);
  if (f.records_held) require_non_negative(t + ": records_held", *f.records_held);
  require_non_negative(t + ": daily_gross_profit", f.daily_gross_profit);
  require_non_negative(t + ": labour_cost_month", f.labour_cost_month);
  require_positive(t + ": severity_scale", f.severity_scale);
  require_positive(t + ": downtime_scale", f.downtime_scale);
  require(f.major_probability > 0.0 && f.major_probability <= 1.0, t + ": major_probability",
          "in (0, 1]", f.major_probability);
  if (!type.contained && f.branches())
    throw std::invalid_argument(t + ": major_probability " + format_value(f.major_probability) +
                                " < 1 needs a contained branch, and the type has none");
}

double bi_days(const IncidentType& type, double days) {
  if (!type.has_closure) return days;
  const double closed = std::min(days, type.closure_days);
  return closed + type.card_sales_lost_share * (days - closed);
}

// The incident pricing of incident.hpp for n events of type T: event i priced with
// factors[which[i]] (which null: factors[0] for every event). Only element-wise arithmetic
// depends on the factors; the vecmath calls depend on the type and the uniforms, and their
// values do not depend on the batch, so an event's values do not depend on the others'
// factors. u_branch is read for the events whose factors branch; `branches` says whether any
// may (the contained quantities are then computed for the whole chunk).
void price(const IncidentType& T, const IncidentFactors* factors, const std::uint32_t* which,
           std::size_t n_factors, bool branches, const double* survey_loss,
           const double* u_downtime, const double* u_effort, const double* u_components,
           const double* u_branch, std::size_t n, const IncidentColumns& out) {
  if (branches && u_branch == nullptr && n > 0)
    throw std::invalid_argument(T.name + ": u_branch is needed when major_probability < 1");
  const double d = T.dispersion;
  // exp(d z - d^2/2) as exp_affine computes it: (-(0.5 d) d) + d z, the same IEEE operands.
  const double log_mean_shift = -(0.5 * d * d);
  double w[kChunk * n_response];
  double scratch[kChunk];
  double contained_scratch[kChunk];
  double contained_loss[kChunk];
  bool major[kChunk];
  const IncidentFactors* f[kChunk];
  auto uniform = [&](const char* what, double u, std::size_t i) {
    if (!(u > 0.0 && u < 1.0))
      throw std::invalid_argument(std::string(what) + " must lie strictly inside (0, 1), got " +
                                  format_value(u) + " at event " + std::to_string(i));
  };
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t m = std::min(kChunk, n - start);
    for (std::size_t i = 0; i < m; ++i) {
      if (which && which[start + i] >= n_factors)
        throw std::out_of_range(T.name + ": event " + std::to_string(start + i) +
                                " names organisation " + std::to_string(which[start + i]) + " of " +
                                std::to_string(n_factors));
      f[i] = which ? factors + which[start + i] : factors;
      uniform("u_downtime", u_downtime[start + i], start + i);
      uniform("u_effort", u_effort[start + i], start + i);
      for (std::size_t j = 0; j < n_response; ++j)
        uniform("u_components", u_components[(start + i) * component_draws_per_event + j],
                start + i);
      const double x = survey_loss[start + i];
      if (!(std::isfinite(x) && x >= 0.0))
        throw std::invalid_argument("survey-basis loss of a " + T.name +
                                    " event must be finite and >= 0, got " + format_value(x) +
                                    " at index " + std::to_string(start + i));
      for (std::size_t j = 0; j < n_response; ++j)
        w[i * n_response + j] = u_components[(start + i) * component_draws_per_event + j];
      major[i] = true;
      contained_loss[i] = 0.5;  // read by no event that does not branch
      if (branches && f[i]->branches()) {
        const double* ub = u_branch + (start + i) * branch_draws_per_event;
        uniform("u_branch", ub[0], start + i);
        uniform("u_branch", ub[1], start + i);
        major[i] = ub[0] < f[i]->major_probability;
        contained_loss[i] = ub[1];
      }
    }
    if (branches) {
      const ContainedBranch& c = *T.contained;
      vecmath::inverse_normal_cdf(contained_loss, contained_loss, m);
      vecmath::exp_affine(contained_loss, 0.0, c.loss_sigma, contained_loss, m);
      for (std::size_t i = 0; i < m; ++i) contained_loss[i] = c.loss_median * contained_loss[i];
    }
    vecmath::inverse_normal_cdf(w, w, m * n_response);
    vecmath::exp_affine(w, log_mean_shift, d, w, m * n_response);
    for (std::size_t i = 0; i < m; ++i) {
      const IncidentFactors& F = *f[i];
      double* wi = w + i * n_response;
      for (std::size_t j = 0; j < n_response; ++j) wi[j] = T.mean_shares[j] * wi[j];
      // NumPy's pairwise order for a row of eight, so that the sums agree bit for bit.
      const double total =
          ((wi[0] + wi[1]) + (wi[2] + wi[3])) + ((wi[4] + wi[5]) + (wi[6] + wi[7]));
      const double loss =
          (major[i] ? survey_loss[start + i] : contained_loss[i]) * F.severity_scale;
      for (std::size_t j = 0; j < n_response; ++j)
        out.component[j][start + i] = loss * (wi[j] / total) * F.severity_factor[j];
      if (F.records_held && major[i]) {
        const double* u = u_components + (start + i) * component_draws_per_event;
        const double exposed = u[draw_records_exposed] < T.exposure_probability
                                   ? *F.records_held * T.exposed_share
                                   : 0.0;
        const bool gifts = u[draw_gifts_paid] < T.gift_probability;
        const double per_record[n_response] = {0.0,
                                               0.0,
                                               0.0,
                                               exposed * T.notification_per_record,
                                               0.0,
                                               gifts ? exposed * T.condolence_per_person : 0.0,
                                               exposed * T.card_compensation_per_card,
                                               0.0};
        for (std::size_t j = 0; j < n_response; ++j)
          if (T.record_driven[j])
            out.component[j][start + i] = per_record[j] * F.severity_factor[j];
      }
    }

    T.downtime.quantile(u_downtime + start, scratch, m);
    if (branches) {
      T.contained->downtime.quantile(u_downtime + start, contained_scratch, m);
      for (std::size_t i = 0; i < m; ++i)
        if (!major[i]) scratch[i] = contained_scratch[i];
    }
    for (std::size_t i = 0; i < m; ++i) {
      const IncidentFactors& F = *f[i];
      const double days =
          std::min(scratch[i] * F.downtime_scale * F.downtime_factor, T.max_downtime_days);
      out.downtime_days[start + i] = days;
      out.component[lost_profit][start + i] =
          F.daily_gross_profit * F.share_affected * bi_days(T, days);
    }

    vecmath::inverse_normal_cdf(u_effort + start, scratch, m);
    if (branches) {
      const ContainedBranch& c = *T.contained;
      vecmath::exp_affine(scratch, 0.0, c.effort_sigma, contained_scratch, m);
      for (std::size_t i = 0; i < m; ++i)
        contained_scratch[i] = c.effort_median * contained_scratch[i];
    }
    vecmath::exp_affine(scratch, 0.0, T.effort_sigma, scratch, m);
    for (std::size_t i = 0; i < m; ++i) {
      const IncidentFactors& F = *f[i];
      const double person_months = major[i] ? T.effort_median * scratch[i] : contained_scratch[i];
      out.component[internal_effort][start + i] =
          person_months * F.effort_factor * F.labour_cost_month;
    }
  }
}

}  // namespace

IncidentModel::IncidentModel(IncidentType type, IncidentFactors factors)
    : type_(std::move(type)), factors_(factors) {
  validate_type(type_);
  validate_factors(type_, factors_);
  validate_contained(type_);
}

double IncidentModel::business_interruption_days(double days) const { return bi_days(type_, days); }

void IncidentModel::from_uniforms(const double* survey_loss, const double* u_downtime,
                                  const double* u_effort, const double* u_components,
                                  const double* u_branch, std::size_t n,
                                  const IncidentColumns& out) const {
  price(type_, &factors_, nullptr, 1, factors_.branches(), survey_loss, u_downtime, u_effort,
        u_components, u_branch, n, out);
}

IncidentModels::IncidentModels(IncidentType type, std::vector<IncidentFactors> factors)
    : type_(std::move(type)), factors_(std::move(factors)) {
  validate_type(type_);
  validate_contained(type_);
  for (const IncidentFactors& f : factors_) {
    validate_factors(type_, f);
    branches_ = branches_ || f.branches();
  }
}

void IncidentModels::from_uniforms(const std::uint32_t* which, const double* survey_loss,
                                   const double* u_downtime, const double* u_effort,
                                   const double* u_components, const double* u_branch,
                                   std::size_t n, const IncidentColumns& out) const {
  price(type_, factors_.data(), which, factors_.size(), branches_, survey_loss, u_downtime,
        u_effort, u_components, u_branch, n, out);
}

void event_uniforms(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* year,
                    const std::uint64_t* k, std::size_t n, std::uint64_t per_event,
                    std::uint64_t used, double* out) {
  if (per_event == 0 || per_event % 2 || used == 0 || used % 2 || used > per_event)
    throw std::invalid_argument(
        "event_uniforms: per_event and used must be even and 0 < used <= per_event, got " +
        std::to_string(per_event) + " and " + std::to_string(used));
  // Draws 2 b and 2 b + 1 of a year are the two halves of Philox block b.
  const std::uint64_t blocks = per_event / 2, used_blocks = used / 2;
  constexpr std::size_t B = 256;
  alignas(64) std::uint32_t c[4][B], r[4][B];
  std::uint32_t lo[2 * B], hi[2 * B];
  const std::uint32_t* const cin[4] = {c[0], c[1], c[2], c[3]};
  std::uint32_t* const rout[4] = {r[0], r[1], r[2], r[3]};
  // Batches of whole events: each event's used blocks are contiguous in lo and hi.
  const std::size_t per_batch = B / static_cast<std::size_t>(used_blocks);
  for (std::size_t first = 0; first < n; first += per_batch) {
    const std::size_t events = std::min(per_batch, n - first);
    std::size_t j = 0;
    for (std::size_t i = first; i < first + events; ++i)
      for (std::uint64_t b = 0; b < used_blocks; ++b, ++j) {
        const std::uint64_t block = k[i] * blocks + b;
        c[0][j] = static_cast<std::uint32_t>(block);
        c[1][j] = static_cast<std::uint32_t>(block >> 32);
        c[2][j] = static_cast<std::uint32_t>(year[i]);
        c[3][j] = static_cast<std::uint32_t>(year[i] >> 32);
      }
    philox_batch({seed, stream}, cin, j, rout);
    for (std::size_t b = 0; b < j; ++b) {
      lo[2 * b] = r[0][b];
      hi[2 * b] = r[1][b];
      lo[2 * b + 1] = r[2][b];
      hi[2 * b + 1] = r[3][b];
    }
    if (used == per_event) {
      unit_uniforms(lo, hi, 2 * j, out + first * per_event);
      continue;
    }
    for (std::size_t e = 0; e < events; ++e)
      unit_uniforms(lo + e * used, hi + e * used, used, out + (first + e) * per_event);
  }
}

void branch_uniforms(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* year,
                     const std::uint64_t* k, std::size_t n, double* out) {
  event_uniforms(seed, stream, year, k, n, branch_draws_per_event, branch_draws_per_event, out);
}

void IncidentModel::batch(std::uint32_t seed, std::uint32_t stream_index, const std::int64_t* year,
                          const std::int32_t* k, const double* survey_loss, std::size_t n,
                          const IncidentColumns& out) const {
  std::vector<std::uint64_t> years(kChunk), draws(kChunk);
  std::vector<double> u_down(kChunk), u_eff(kChunk), u_comp(kChunk * component_draws_per_event);
  std::vector<double> u_branch(factors_.branches() ? kChunk * branch_draws_per_event : 0);
  const std::uint32_t s_down = stream_id(Purpose::downtime, stream_index);
  const std::uint32_t s_eff = stream_id(Purpose::effort, stream_index);
  const std::uint32_t s_comp = stream_id(Purpose::components, stream_index);
  const std::uint32_t s_branch = stream_id(Purpose::branch, stream_index);
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t m = std::min(kChunk, n - start);
    for (std::size_t i = 0; i < m; ++i) {
      if (year[start + i] < 0 || k[start + i] < 0)
        throw std::invalid_argument("event year and k must be >= 0, got year " +
                                    std::to_string(year[start + i]) + ", k " +
                                    std::to_string(k[start + i]));
      years[i] = static_cast<std::uint64_t>(year[start + i]);
      draws[i] = static_cast<std::uint64_t>(k[start + i]);
    }
    uniform_batch(seed, s_down, years.data(), draws.data(), m, u_down.data());
    uniform_batch(seed, s_eff, years.data(), draws.data(), m, u_eff.data());
    if (factors_.branches())
      branch_uniforms(seed, s_branch, years.data(), draws.data(), m, u_branch.data());
    // Draws 16 k .. 16 k + 9 of the COMPONENTS stream (the ones the pricing reads: five
    // Philox blocks), in u_components' layout of 16 an event.
    event_uniforms(seed, s_comp, years.data(), draws.data(), m, component_draws_per_event,
                   component_draws_used, u_comp.data());
    IncidentColumns shifted = out;
    for (auto& c : shifted.component) c += start;
    shifted.downtime_days += start;
    from_uniforms(survey_loss + start, u_down.data(), u_eff.data(), u_comp.data(),
                  factors_.branches() ? u_branch.data() : nullptr, m, shifted);
  }
}

}  // namespace cyberloss
