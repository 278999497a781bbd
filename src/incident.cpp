#include "cyberloss/incident.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "cyberloss/distributions.hpp"
#include "cyberloss/random.hpp"
#include "cyberloss/vecmath.hpp"
#include "prefetch.hpp"
#include "simd/kernels.hpp"

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
  return vecmath::normal_cdf(vecmath::log(long_start_ / median_) / sigma_);
}

double DowntimeDistribution::quantile(double u) const {
  double out;
  quantile(&u, &out, 1);
  return out;
}

void DowntimeDistribution::quantile(const double* u, double* out, std::size_t n) const {
  if (!card_) {
    simd::kernels().lognormal_quantile(u, 0.0, sigma_, out, n);
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
  if (!card_) return median_ * vecmath::exp(0.5 * s * s);
  const double mu = vecmath::log(median_);
  const double short_mean = vecmath::exp(mu + 0.5 * s * s) *
                            vecmath::normal_cdf((vecmath::log(long_start_) - mu - s * s) / s) /
                            short_mass();
  return (1.0 - long_probability_) * short_mean +
         long_probability_ * (long_start_ + long_excess_mean_);
}

double DowntimeDistribution::sf(double x) const {
  if (!card_) {
    if (x <= 0.0) return 1.0;
    if (sigma_ == 0.0) return x <= median_ ? 1.0 : 0.0;
    return 1.0 - vecmath::normal_cdf(vecmath::log(x / median_) / sigma_);
  }
  if (x <= long_start_) {
    const double below = x > 0.0 ? vecmath::normal_cdf(vecmath::log(x / median_) / sigma_) : 0.0;
    return 1.0 - (1.0 - long_probability_) * below / short_mass();
  }
  return long_probability_ * vecmath::exp(-(x - long_start_) / long_excess_mean_);
}

double IncidentType::effort_median_from_mean(double mean, double sigma) {
  require_positive("effort mean", mean);
  require_non_negative("effort sigma", sigma);
  return mean * vecmath::exp(-0.5 * sigma * sigma);
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

void check_uniform(const char* what, double u, std::size_t i) {
  if (!(u > 0.0 && u < 1.0))
    throw std::invalid_argument(std::string(what) + " must lie strictly inside (0, 1), got " +
                                format_value(u) + " at event " + std::to_string(i));
}

// The uniforms of events start .. start + m - 1 that compute reads: one branch-free pass
// (the common case), then, only when one is outside (0, 1), the event by event checks that
// name the first (u_branch null: no branch draws).
void check_uniforms(const double* u_downtime, const double* u_effort, const double* u_components,
                    const double* u_branch, std::size_t start, std::size_t m,
                    std::size_t first_event) {
  // Bitwise, not short-circuit: the loops vectorise. NaN is outside.
  auto outside = [](double u) { return static_cast<unsigned>(!(u > 0.0) | !(u < 1.0)); };
  unsigned bad = 0;
  for (std::size_t e = start; e < start + m; ++e) {
    bad |= outside(u_downtime[e]) | outside(u_effort[e]);
    const double* u = u_components + e * component_draws_per_event;
    for (std::size_t j = 0; j < n_response; ++j) bad |= outside(u[j]);
  }
  if (u_branch)
    for (std::size_t j = start * branch_draws_per_event; j < (start + m) * branch_draws_per_event;
         ++j)
      bad |= outside(u_branch[j]);
  if (!bad) return;
  for (std::size_t e = start; e < start + m; ++e) {
    check_uniform("u_downtime", u_downtime[e], first_event + e);
    check_uniform("u_effort", u_effort[e], first_event + e);
    const double* u = u_components + e * component_draws_per_event;
    for (std::size_t j = 0; j < n_response; ++j)
      check_uniform("u_components", u[j], first_event + e);
    if (u_branch) {
      const double* ub = u_branch + e * branch_draws_per_event;
      check_uniform("u_branch", ub[0], first_event + e);
      check_uniform("u_branch", ub[1], first_event + e);
    }
  }
}

// Whether the records draws (16 k + 8, 16 k + 9) can decide anything: with both probabilities
// 0 no uniform in (0, 1) exposes records or pays gifts (the minor type), so they are not drawn.
bool records_drawn(const IncidentType& type) {
  return type.exposure_probability > 0.0 || type.gift_probability > 0.0;
}

// IncidentColumns moved on by `first` rows.
IncidentColumns shifted(const IncidentColumns& out, std::size_t first) {
  IncidentColumns s = out;
  for (auto& c : s.component) c += first;
  s.downtime_days += first;
  if (s.gross) s.gross += first;
  return s;
}

}  // namespace

bool same_type(const IncidentType& a, const IncidentType& b) {
  auto same_downtime = [](const DowntimeDistribution& x, const DowntimeDistribution& y) {
    return x.is_card_suspension() == y.is_card_suspension() && x.median() == y.median() &&
           x.sigma() == y.sigma() && x.long_probability() == y.long_probability() &&
           x.long_start() == y.long_start() && x.long_excess_mean() == y.long_excess_mean();
  };
  const bool same_contained =
      a.contained.has_value() == b.contained.has_value() &&
      (!a.contained || (a.contained->loss_median == b.contained->loss_median &&
                        a.contained->loss_sigma == b.contained->loss_sigma &&
                        same_downtime(a.contained->downtime, b.contained->downtime) &&
                        a.contained->effort_median == b.contained->effort_median &&
                        a.contained->effort_sigma == b.contained->effort_sigma));
  return same_contained && a.name == b.name && a.mean_shares == b.mean_shares &&
         a.dispersion == b.dispersion && a.exposure_probability == b.exposure_probability &&
         a.exposed_share == b.exposed_share && a.gift_probability == b.gift_probability &&
         a.record_driven == b.record_driven &&
         a.notification_per_record == b.notification_per_record &&
         a.condolence_per_person == b.condolence_per_person &&
         a.card_compensation_per_card == b.card_compensation_per_card &&
         same_downtime(a.downtime, b.downtime) && a.has_closure == b.has_closure &&
         a.closure_days == b.closure_days && a.card_sales_lost_share == b.card_sales_lost_share &&
         a.max_downtime_days == b.max_downtime_days && a.effort_median == b.effort_median &&
         a.effort_sigma == b.effort_sigma;
}

IncidentUnits::IncidentUnits(IncidentType type, double major_low, double major_high)
    : type_(std::move(type)), major_low_(major_low), major_high_(major_high) {
  validate_type(type_);
  validate_contained(type_);
  require(major_low > 0.0 && major_low <= 1.0, type_.name + ": the units' lowest major_probability",
          "in (0, 1]", major_low);
  require(major_high >= major_low && major_high <= 1.0,
          type_.name + ": the units' highest major_probability", "in [lowest, 1]", major_high);
  if (major_low < 1.0 && !type_.contained)
    throw std::invalid_argument(type_.name + ": major_probability " + format_value(major_low) +
                                " < 1 needs a contained branch, and the type has none");
}

void IncidentUnits::compute(const double* u_downtime, const double* u_effort,
                            const double* u_components, const double* u_branch, std::size_t n,
                            std::size_t first_event) {
  fill(u_downtime, u_effort, u_components, u_branch, n, first_event, true);
}

void IncidentUnits::fill(const double* u_downtime, const double* u_effort,
                         const double* u_components, const double* u_branch, std::size_t n,
                         std::size_t first_event, bool check) {
  const IncidentType& T = type_;
  const bool branching = major_low_ < 1.0;
  if (branching && u_branch == nullptr && n > 0)
    throw std::invalid_argument(T.name + ": u_branch is needed when major_probability < 1");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  n_ = n;
  share_.resize(n * n_response);
  for (auto* v :
       {&branch_, &downtime_, &contained_downtime_, &effort_, &contained_effort_, &contained_loss_})
    v->resize(n);
  records_.resize(n);
  computed_.resize(kChunk * n_response);
  gathered_.resize(kChunk);
  major_rows_.resize(kChunk);
  contained_rows_.resize(kChunk);
  const double d = T.dispersion;
  // exp(d z - d^2/2) as exp_affine computes it: (-(0.5 d) d) + d z, the same IEEE operands.
  const double log_mean_shift = -(0.5 * d * d);
  // A component of mean share m_j = 0 has w_j = m_j exp(...) = m_j whenever the exp is finite,
  // which it is for d <= 16 (|z| < 38.5 for any double in (0, 1)): its quantile is skipped.
  // slot[j]: component j's place among the drawn ones, n_response when it is not drawn.
  std::array<std::size_t, n_response> drawn{}, slot{};
  std::size_t n_drawn = 0;
  for (std::size_t j = 0; j < n_response; ++j) {
    slot[j] = n_response;
    if (T.mean_shares[j] != 0.0 || d > 16.0) {
      slot[j] = n_drawn;
      drawn[n_drawn++] = j;
    }
  }
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t m = std::min(kChunk, n - start);
    double* w = computed_.data();
    if (check)
      check_uniforms(u_downtime, u_effort, u_components, branching ? u_branch : nullptr, start, m,
                     first_event);
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t e = start + i;
      const double* u = u_components + e * component_draws_per_event;
      for (std::size_t a = 0; a < n_drawn; ++a) w[i * n_drawn + a] = u[drawn[a]];
      records_[e] =
          records_drawn(T)
              ? static_cast<std::uint8_t>((u[draw_records_exposed] < T.exposure_probability) |
                                          (u[draw_gifts_paid] < T.gift_probability) << 1)
              : 0;
      branch_[e] = branching ? u_branch[e * branch_draws_per_event] : 0.0;
    }
    // exp(d z - d^2/2) of z = Phi^-1(u), chunk by chunk in cache.
    simd::kernels().lognormal_quantile(w, log_mean_shift, d, w, m * n_drawn);
    // A row's w_j in registers, then normalised. An undrawn component's w_j is m_j = m_j * 1
    // (exactly), which keeps the row's loop free of scattered stores.
    double* shares = share_.data() + start * n_response;
    for (std::size_t i = 0; i < m; ++i) {
      const double* wr = w + i * n_drawn;
      double v[n_response];
      for (std::size_t j = 0; j < n_response; ++j)
        v[j] = T.mean_shares[j] * (slot[j] < n_response ? wr[slot[j]] : 1.0);
      // NumPy's pairwise order for a row of eight, so that the sums agree bit for bit.
      const double total = ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
      double* wi = shares + i * n_response;
      for (std::size_t j = 0; j < n_response; ++j) wi[j] = v[j] / total;
    }

    // Each law's quantiles only for the events that may need them.
    std::size_t n_major = 0, n_contained = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const double b = branch_[start + i];
      if (!branching || b < major_high_) major_rows_[n_major++] = static_cast<std::uint32_t>(i);
      if (branching && b >= major_low_)
        contained_rows_[n_contained++] = static_cast<std::uint32_t>(i);
    }
    for (auto* v :
         {&downtime_, &effort_, &contained_downtime_, &contained_effort_, &contained_loss_})
      if (n_major < m || v == &contained_downtime_ || v == &contained_effort_ ||
          v == &contained_loss_)
        std::fill(v->begin() + static_cast<std::ptrdiff_t>(start),
                  v->begin() + static_cast<std::ptrdiff_t>(start + m), nan);
    // out[start + rows[j]] = f(the gathered inputs)[j].
    auto each = [&](const std::vector<std::uint32_t>& rows, std::size_t count, auto input,
                    std::vector<double>& out, auto f) {
      double* g = gathered_.data();
      for (std::size_t j = 0; j < count; ++j) g[j] = input(start + rows[j]);
      f(g, count);
      for (std::size_t j = 0; j < count; ++j) out[start + rows[j]] = g[j];
    };
    auto downtime_u = [&](std::size_t e) { return u_downtime[e]; };
    auto effort_u = [&](std::size_t e) { return u_effort[e]; };
    auto lognormal = [](double median, double sigma) {
      return [median, sigma](double* g, std::size_t count) {
        simd::kernels().lognormal_quantile(g, 0.0, sigma, g, count);
        for (std::size_t j = 0; j < count; ++j) g[j] = median * g[j];
      };
    };
    each(major_rows_, n_major, downtime_u, downtime_,
         [&](double* g, std::size_t count) { T.downtime.quantile(g, g, count); });
    each(major_rows_, n_major, effort_u, effort_, lognormal(T.effort_median, T.effort_sigma));
    if (n_contained == 0) continue;
    const ContainedBranch& c = *T.contained;
    each(
        contained_rows_, n_contained,
        [&](std::size_t e) { return u_branch[e * branch_draws_per_event + 1]; }, contained_loss_,
        lognormal(c.loss_median, c.loss_sigma));
    each(contained_rows_, n_contained, downtime_u, contained_downtime_,
         [&](double* g, std::size_t count) { c.downtime.quantile(g, g, count); });
    each(contained_rows_, n_contained, effort_u, contained_effort_,
         lognormal(c.effort_median, c.effort_sigma));
  }
}

void IncidentUnits::draw(std::uint32_t seed, std::uint32_t stream_index, const std::uint64_t* year,
                         const std::uint64_t* k, std::size_t n) {
  const bool branching = major_low_ < 1.0;
  u_down_.resize(n);
  u_eff_.resize(n);
  u_comp_.resize(n * component_draws_per_event);
  u_branch_.resize(branching ? n * branch_draws_per_event : 0);
  uniform_batch(seed, stream_id(Purpose::downtime, stream_index), year, k, n, u_down_.data());
  uniform_batch(seed, stream_id(Purpose::effort, stream_index), year, k, n, u_eff_.data());
  if (branching)
    branch_uniforms(seed, stream_id(Purpose::branch, stream_index), year, k, n, u_branch_.data());
  // Draws 16 k .. 16 k + 9 of the COMPONENTS stream (the ones the pricing reads: five Philox
  // blocks; four when the records draws decide nothing), in u_components' layout of 16 an event.
  event_uniforms(
      seed, stream_id(Purpose::components, stream_index), year, k, n, component_draws_per_event,
      records_drawn(type_) ? component_draws_used : draw_records_exposed, u_comp_.data());
  // Drawn uniforms lie in [2^-54, 1 - 2^-53] by construction (unit_uniforms): no checks.
  fill(u_down_.data(), u_eff_.data(), u_comp_.data(), branching ? u_branch_.data() : nullptr, n, 0,
       false);
}

void IncidentUnits::check(const IncidentType& type, double low, double high) const {
  if (!same_type(type, type_))
    throw std::invalid_argument("units of attack type '" + type_.name +
                                "' cannot price a model of another type ('" + type.name + "')");
  if (low < major_low_ || high > major_high_)
    throw std::invalid_argument(type_.name + ": major_probability " + format_value(low) +
                                (low == high ? "" : " .. " + format_value(high)) +
                                " lies outside the units' " + format_value(major_low_) + " .. " +
                                format_value(major_high_));
}

template <class FactorsOf, class Ahead>
void IncidentUnits::apply(FactorsOf factors_of, Ahead ahead, std::size_t n, const std::uint32_t* at,
                          const double* survey_loss, const IncidentColumns& out,
                          const std::size_t* rows) const {
  const IncidentType& T = type_;
  // Rows of an event table (rows given) take each event's values straight away. Contiguous
  // rows, as in a buffer of columns n events apart (IncidentBuffer), take them a tile of events
  // at a time, copied out column by column: with n a multiple of 512 an event's twelve values
  // lie in one set of the L1 cache, more lines than it has ways, and storing them event by
  // event cost about a third of the pricing.
  constexpr std::size_t kTile = 64, kDowntime = n_components, kGross = n_components + 1;
  alignas(64) double tile[n_components + 2][kTile];
  for (std::size_t e0 = 0; e0 < n; e0 += kTile) {
    const std::size_t m = std::min(kTile, n - e0);
    for (std::size_t t = 0; t < m; ++t) {
      const std::size_t e = e0 + t;
      // A book's factors: 144 bytes an organisation.
      if (const IncidentFactors* next = ahead(e + detail::kPrefetchEvents))
        detail::prefetch(next, sizeof *next);
      const IncidentFactors& F = factors_of(e);
      const std::size_t i = at ? at[e] : e;
      if (i >= n_)
        throw std::out_of_range(T.name + ": event " + std::to_string(e) + " uses unit " +
                                std::to_string(i) + " of " + std::to_string(n_));
      const double x = survey_loss[e];
      if (!(std::isfinite(x) && x >= 0.0))
        throw std::invalid_argument("survey-basis loss of a " + T.name +
                                    " event must be finite and >= 0, got " + format_value(x) +
                                    " at index " + std::to_string(e));
      const bool major = !F.branches() || branch_[i] < F.major_probability;
      const double loss = (major ? x : contained_loss_[i]) * F.severity_scale;
      const double* q = share_.data() + i * n_response;
      double v[n_components];
      for (std::size_t j = 0; j < n_response; ++j) v[j] = loss * q[j] * F.severity_factor[j];
      if (F.records_held && major) {
        const double exposed = records_[i] & 1 ? *F.records_held * T.exposed_share : 0.0;
        const bool gifts = records_[i] & 2;
        const double per_record[n_response] = {0.0,
                                               0.0,
                                               0.0,
                                               exposed * T.notification_per_record,
                                               0.0,
                                               gifts ? exposed * T.condolence_per_person : 0.0,
                                               exposed * T.card_compensation_per_card,
                                               0.0};
        for (std::size_t j = 0; j < n_response; ++j)
          if (T.record_driven[j]) v[j] = per_record[j] * F.severity_factor[j];
      }
      const double days = std::min(
          (major ? downtime_[i] : contained_downtime_[i]) * F.downtime_scale * F.downtime_factor,
          T.max_downtime_days);
      v[lost_profit] = F.daily_gross_profit * F.share_affected * bi_days(T, days);
      v[internal_effort] =
          (major ? effort_[i] : contained_effort_[i]) * F.effort_factor * F.labour_cost_month;
      double g = 0.0;
      if (out.gross) {
        g = v[0];
        for (std::size_t c = 1; c < n_components; ++c) g = g + v[c];
      }
      if (rows) {
        const std::size_t r = rows[e];
        out.downtime_days[r] = days;
        for (std::size_t c = 0; c < n_components; ++c) out.component[c][r] = v[c];
        if (out.gross) out.gross[r] = g;
      } else {
        tile[kDowntime][t] = days;
        for (std::size_t c = 0; c < n_components; ++c) tile[c][t] = v[c];
        tile[kGross][t] = g;
      }
    }
    if (rows) continue;
    for (std::size_t c = 0; c < n_components; ++c)
      std::copy(tile[c], tile[c] + m, out.component[c] + e0);
    std::copy(tile[kDowntime], tile[kDowntime] + m, out.downtime_days + e0);
    if (out.gross) std::copy(tile[kGross], tile[kGross] + m, out.gross + e0);
  }
}

void IncidentUnits::price(const IncidentModel& model, const double* survey_loss,
                          const IncidentColumns& out, const std::size_t* rows) const {
  price(model, n_, nullptr, survey_loss, out, rows);
}

void IncidentUnits::price(const IncidentModel& model, std::size_t n, const std::uint32_t* at,
                          const double* survey_loss, const IncidentColumns& out,
                          const std::size_t* rows) const {
  const IncidentFactors& F = model.factors();
  check(model.type(), F.major_probability, F.major_probability);
  apply([&F](std::size_t) -> const IncidentFactors& { return F; },
        [](std::size_t) -> const IncidentFactors* { return nullptr; }, n, at, survey_loss, out,
        rows);
}

void IncidentUnits::price(const IncidentModels& models, const std::uint32_t* which,
                          const double* survey_loss, const IncidentColumns& out,
                          const std::size_t* rows) const {
  check(models.type(), models.major_low(), models.major_high());
  const std::vector<IncidentFactors>& factors = models.factors();
  const std::string& name = type_.name;
  apply(
      [&](std::size_t i) -> const IncidentFactors& {
        if (which[i] >= factors.size())
          throw std::out_of_range(name + ": event " + std::to_string(i) + " names organisation " +
                                  std::to_string(which[i]) + " of " +
                                  std::to_string(factors.size()));
        return factors[which[i]];
      },
      [&](std::size_t i) -> const IncidentFactors* {
        return i < n_ && which[i] < factors.size() ? &factors[which[i]] : nullptr;
      },
      n_, nullptr, survey_loss, out, rows);
}

IncidentModel::IncidentModel(IncidentType type, IncidentFactors factors)
    : type_(std::move(type)), factors_(factors) {
  validate_type(type_);
  validate_factors(type_, factors_);
  validate_contained(type_);
}

double IncidentModel::business_interruption_days(double days) const { return bi_days(type_, days); }

// Units for a chunk at a time, so that scratch stays in cache whatever n is.
void IncidentModel::from_uniforms(const double* survey_loss, const double* u_downtime,
                                  const double* u_effort, const double* u_components,
                                  const double* u_branch, std::size_t n,
                                  const IncidentColumns& out) const {
  IncidentUnits units(type_, factors_.major_probability, factors_.major_probability);
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t m = std::min(kChunk, n - start);
    units.compute(u_downtime + start, u_effort + start,
                  u_components + start * component_draws_per_event,
                  u_branch ? u_branch + start * branch_draws_per_event : nullptr, m, start);
    units.price(*this, survey_loss + start, shifted(out, start));
  }
}

IncidentModels::IncidentModels(IncidentType type, std::vector<IncidentFactors> factors)
    : type_(std::move(type)), factors_(std::move(factors)) {
  validate_type(type_);
  validate_contained(type_);
  if (!factors_.empty()) major_low_ = major_high_ = factors_[0].major_probability;
  for (const IncidentFactors& f : factors_) {
    validate_factors(type_, f);
    branches_ = branches_ || f.branches();
    major_low_ = std::min(major_low_, f.major_probability);
    major_high_ = std::max(major_high_, f.major_probability);
  }
}

void IncidentModels::from_uniforms(const std::uint32_t* which, const double* survey_loss,
                                   const double* u_downtime, const double* u_effort,
                                   const double* u_components, const double* u_branch,
                                   std::size_t n, const IncidentColumns& out) const {
  IncidentUnits units(type_, major_low_, major_high_);
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t m = std::min(kChunk, n - start);
    units.compute(u_downtime + start, u_effort + start,
                  u_components + start * component_draws_per_event,
                  u_branch ? u_branch + start * branch_draws_per_event : nullptr, m, start);
    units.price(*this, which + start, survey_loss + start, shifted(out, start));
  }
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
  double u[2 * B];
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
    // One conversion for the batch (a call per event would spend most of its time on the
    // calls and their scalar remainders), then each event's draws to its place.
    unit_uniforms(lo, hi, 2 * j, u);
    for (std::size_t e = 0; e < events; ++e)
      std::copy(u + e * used, u + (e + 1) * used, out + (first + e) * per_event);
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
  IncidentUnits units(type_, factors_.major_probability, factors_.major_probability);
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
    units.draw(seed, stream_index, years.data(), draws.data(), m);
    units.price(*this, survey_loss + start, shifted(out, start));
  }
}

}  // namespace cyberloss
