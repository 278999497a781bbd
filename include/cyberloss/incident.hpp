// The per-incident model: what one incident of an attack type costs an organisation, by
// component, and how long its business stops (see docs/MODEL_NOTES.md and
// python/cyberloss/data/components.json for the numbers and their sources).
//
// For event k of attack type t in year y, with survey-basis loss L (費用損害 + 賠償責任, the
// engine's SEVERITY stream, draw k):
//   response shares   w_j = m_j exp(d z_j - d^2/2), z_j = Phi^-1(u_j), u_j = COMPONENTS draw
//                     16 k + j (j = 0..7), normalised to sum to 1; component j = L w_j f_j
//                     (f_j the controls' severity factor of component j)
//   record-driven     where the organisation's records held R are known, exposed records
//                     E = R s_e when COMPONENTS draw 16 k + 8 < p_exposed, else 0; gifts are
//                     paid when draw 16 k + 9 < p_gift; notification = E c_n, condolence =
//                     E c_c (if gifts), liability = E c_card, each times its factor f_j,
//                     replace the share-based amounts of the type's record-driven components
//   downtime days     D = min(Q_D(u) g_D, max days), u = DOWNTIME draw k, Q_D a lognormal or
//                     the card-suspension mixture, g_D the downtime factor
//   BI days           D, or for a card leak min(D, closure) + lost share (D - min(D, closure))
//   lost profit       (daily gross profit x share of operations affected) x BI days  (利益損害)
//   internal effort   Q_E(EFFORT draw k) g_E person-months x labour cost per person-month
//                     (内部工数)
// Branches (calibration v2, all-incidents basis): when the organisation's major probability
// pi < 1, event k is major if BRANCH draw 2 k < pi, else contained. A major event is priced as
// above. A contained one (caught early, restored within days) replaces L by its own loss
// L_c = m_c exp(s_c Phi^-1(BRANCH draw 2 k + 1)) x severity_scale, its downtime law by the
// contained one (same DOWNTIME uniform), its effort law by the contained one (same EFFORT
// uniform), and splits L_c by the shares even where records are known (nothing was
// exfiltrated in bulk). With pi = 1 no BRANCH draw is made: the publicised basis and the minor
// type are priced exactly as before branches existed.
// Streams: (Purpose, index) with index t for one organisation, 0x200 + t in a portfolio.
// Every quantile goes through the vecmath batch functions, so each value is a pure function of
// (seed, stream index, year, k, L) whatever the batch it is computed in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace cyberloss {

// Component columns, in this order everywhere (event tables, bindings, terms).
enum Component : std::size_t {
  investigation,
  recovery,
  legal,
  notification,
  callcenter,
  condolence,
  liability,
  prevention,
  lost_profit,
  internal_effort,
};
constexpr std::size_t n_components = 10;
constexpr std::size_t n_response = 8;  // the components that split the survey-basis loss
extern const std::array<const char*, n_components> component_names;
// The component called `name`; std::invalid_argument naming `what` and the name otherwise.
Component component_from_name(const std::string& name, const char* what = "component");

// Draws per event on the COMPONENTS stream: 8 shares, records exposed, gifts paid, 6 spare.
constexpr std::uint64_t component_draws_per_event = 16;
constexpr std::uint64_t draw_records_exposed = 8;
constexpr std::uint64_t draw_gifts_paid = 9;
// The COMPONENTS draws the pricing reads: 0 .. 9, five Philox blocks (0 .. 7 for a type whose
// records are never exposed nor gifts paid: both probabilities 0).
constexpr std::uint64_t component_draws_used = 10;

// Draws per event on the BRANCH stream: 2 k decides major or contained, 2 k + 1 is the
// contained loss's uniform (one Philox block per event).
constexpr std::uint64_t branch_draws_per_event = 2;

// Days of business interruption per incident before controls (inverse CDF of one uniform).
//   lognormal        median exp(sigma z)
//   card suspension  with probability 1 - q a lognormal (median m, sigma s) truncated below
//                    `long_start` (short suspensions); with probability q, long_start plus an
//                    exponential excess of mean `long_excess_mean`. The quantile is monotone in
//                    u, so common random numbers hold across profiles.
class DowntimeDistribution {
 public:
  static DowntimeDistribution lognormal(double median, double sigma);
  static DowntimeDistribution card_suspension(double long_probability, double long_start,
                                              double long_excess_mean, double short_median,
                                              double short_sigma);
  bool is_card_suspension() const { return card_; }
  double quantile(double u) const;
  // out[i] = quantile(u[i]); u and out may be the same array.
  void quantile(const double* u, double* out, std::size_t n) const;
  double mean() const;
  double sf(double x) const;  // P(X >= x)

  double median() const { return median_; }
  double sigma() const { return sigma_; }
  double long_probability() const { return long_probability_; }
  double long_start() const { return long_start_; }
  double long_excess_mean() const { return long_excess_mean_; }

 private:
  DowntimeDistribution() = default;
  double short_mass() const;  // P(short lognormal <= long_start)
  bool card_ = false;
  double median_ = 1.0, sigma_ = 0.0;  // the lognormal, or the short part of the mixture
  double long_probability_ = 0.0, long_start_ = 0.0, long_excess_mean_ = 0.0;
};

// The contained branch of an attack type at the reference headcount (calibration v2,
// contained.<type>.* in jnsa2025.json).
struct ContainedBranch {
  double loss_median = 1.0;  // JPY survey-basis loss before severity_scale, > 0
  double loss_sigma = 0.0;   // >= 0
  DowntimeDistribution downtime = DowntimeDistribution::lognormal(1.0, 0.0);  // before scales
  double effort_median = 1.0;                                                 // person-months, > 0
  double effort_sigma = 0.0;                                                  // >= 0
};

// What an attack type's incidents look like, for any organisation (components.json).
struct IncidentType {
  std::string name;
  std::array<double, n_response> mean_shares{};  // >= 0, summing to 1 (within 1e-9)
  double dispersion = 0.0;                       // d >= 0 of the share weights
  // Records: used only when the organisation's records held are known.
  double exposure_probability = 0.0;             // [0, 1]
  double exposed_share = 0.0;                    // [0, 1] of records held
  double gift_probability = 0.0;                 // [0, 1]
  std::array<bool, n_response> record_driven{};  // among notification, condolence, liability
  double notification_per_record = 0.0;          // JPY, >= 0
  double condolence_per_person = 0.0;            // JPY, >= 0
  double card_compensation_per_card = 0.0;       // JPY, >= 0
  DowntimeDistribution downtime = DowntimeDistribution::lognormal(1.0, 0.0);
  // Card leaks: the site is closed `closure_days`, then loses `card_sales_lost_share` of sales
  // for the rest of the suspension. Without closure the whole downtime is a full stop.
  bool has_closure = false;
  double closure_days = 0.0;           // >= 0
  double card_sales_lost_share = 0.0;  // [0, 1]
  double max_downtime_days = 365.0;    // > 0
  double effort_median = 1.0;          // person-months, > 0
  double effort_sigma = 0.0;           // >= 0
  // Incidents that are not major (all-incidents basis); none: every incident is major.
  std::optional<ContainedBranch> contained;
  // The lognormal effort with this mean: median = mean exp(-sigma^2 / 2).
  static double effort_median_from_mean(double mean, double sigma);
};

// What one organisation's profile and controls make of one attack type.
struct IncidentFactors {
  std::array<double, n_response> severity_factor{1, 1, 1, 1, 1, 1, 1, 1};  // > 0
  double downtime_factor = 1.0;        // >= 0 (0: the controls remove the interruption)
  double effort_factor = 1.0;          // > 0
  double share_affected = 0.0;         // [0, 1] of operations the downtime stops
  std::optional<double> records_held;  // >= 0; unknown: record-driven costs are shares
  double daily_gross_profit = 0.0;     // JPY per day, >= 0
  double labour_cost_month = 0.0;      // JPY per person-month, >= 0
  // Multipliers of the survey-basis loss and of the downtime (before the cap), 1 by default:
  // room for size effects (calibration v2).
  double severity_scale = 1.0;  // > 0, both branches
  double downtime_scale = 1.0;  // > 0, both branches
  // P(an incident is major), (0, 1]; below 1 the type must have a contained branch.
  double major_probability = 1.0;
  bool branches() const { return major_probability < 1.0; }
};

// Output columns of a batch: component[c][i] (JPY) and downtime_days[i] of event i.
struct IncidentColumns {
  std::array<double*, n_components> component{};
  double* downtime_days = nullptr;
  double* gross = nullptr;  // optional: the components added in column order
};

// Storage for the columns of n priced events: component c at c * n, downtime_days last.
struct IncidentBuffer {
  explicit IncidentBuffer(std::size_t n_events = 0) { resize(n_events); }
  void resize(std::size_t n_events) {
    n = n_events;
    data.resize((n_components + 1) * n);
  }
  // The columns from event `first` on.
  IncidentColumns columns(std::size_t first = 0) {
    IncidentColumns cols;
    for (std::size_t c = 0; c < n_components; ++c) cols.component[c] = data.data() + c * n + first;
    cols.downtime_days = data.data() + n_components * n + first;
    return cols;
  }
  std::size_t n = 0;
  std::vector<double> data;
};

// Draws per_event k + j (j = 0 .. used - 1; per_event and used even, used <= per_event) of
// `stream` for events (year[i], k[i]): out[per_event i + j], exactly the values of uniform_at,
// one Philox block per two draws (uniform_batch would spend one per draw). out[per_event i + j]
// for j >= used is left as it is.
void event_uniforms(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* year,
                    const std::uint64_t* k, std::size_t n, std::uint64_t per_event,
                    std::uint64_t used, double* out);

// BRANCH draws 2 k and 2 k + 1 of `stream` for events (year[i], k[i]): out[2 i + j].
void branch_uniforms(std::uint32_t seed, std::uint32_t stream, const std::uint64_t* year,
                     const std::uint64_t* k, std::size_t n, double* out);

// One attack type's incident model for one organisation; validated at construction
// (std::invalid_argument naming the field and value).
class IncidentModel {
 public:
  IncidentModel(IncidentType type, IncidentFactors factors);
  const IncidentType& type() const { return type_; }
  const IncidentFactors& factors() const { return factors_; }

  // Components and downtime of n events of this type: event i is draw k[i] of year year[i]
  // with survey-basis loss survey_loss[i] (finite, >= 0); uniforms from streams
  // (DOWNTIME / EFFORT / COMPONENTS, stream_index) of `seed`.
  void batch(std::uint32_t seed, std::uint32_t stream_index, const std::int64_t* year,
             const std::int32_t* k, const double* survey_loss, std::size_t n,
             const IncidentColumns& out) const;

  // The same from given uniforms: u_downtime[i], u_effort[i], u_components[16 i + j] and
  // u_branch[2 i + j] (read only when factors().branches(); may be null otherwise).
  void from_uniforms(const double* survey_loss, const double* u_downtime, const double* u_effort,
                     const double* u_components, const double* u_branch, std::size_t n,
                     const IncidentColumns& out) const;

  // Full-stop-equivalent days of business interruption for `downtime_days`.
  double business_interruption_days(double downtime_days) const;

 private:
  IncidentType type_;
  IncidentFactors factors_;
};

// One attack type's incident models for many organisations (a portfolio's policies): the type
// once, a factor set per organisation, validated at construction as IncidentModel validates
// them. Pricing a batch of events that belong to different organisations runs the type's
// quantile and exp work on the whole batch; each event's values equal
// IncidentModel(type, factors[which[i]]).from_uniforms on that event alone, bit for bit.
class IncidentModels {
 public:
  IncidentModels(IncidentType type, std::vector<IncidentFactors> factors);
  const IncidentType& type() const { return type_; }
  const std::vector<IncidentFactors>& factors() const { return factors_; }
  std::size_t size() const { return factors_.size(); }
  // Whether any organisation's incidents branch (major_probability < 1).
  bool branches() const { return branches_; }

  // IncidentModel::from_uniforms with event i priced by factors()[which[i]] (which[i] <
  // size(), std::out_of_range otherwise). u_branch is read when branches() (may be null
  // otherwise), and only for the events whose own factors branch.
  void from_uniforms(const std::uint32_t* which, const double* survey_loss,
                     const double* u_downtime, const double* u_effort, const double* u_components,
                     const double* u_branch, std::size_t n, const IncidentColumns& out) const;

  // The smallest and largest major_probability of the organisations.
  double major_low() const { return major_low_; }
  double major_high() const { return major_high_; }

 private:
  IncidentType type_;
  std::vector<IncidentFactors> factors_;
  bool branches_ = false;
  double major_low_ = 1.0, major_high_ = 1.0;
};

// Whether two attack types are the same in every field (their incidents are priced alike).
bool same_type(const IncidentType& a, const IncidentType& b);

// The factor-free quantities of a batch of events of one attack type: everything an event's
// price depends on besides its survey-basis loss and the organisation's factors. Event i has
//   share[8 i + j]      w_j / sum w (the response shares of incident.hpp's header)
//   branch[i]           BRANCH draw 2 k (major when < major_probability); 0 without branches
//   downtime[i]         Q_D(u) of the major law, contained_downtime[i] of the contained one
//   effort[i]           person-months of the major law, contained_effort[i] of the contained one
//   contained_loss[i]   L_c / severity_scale
//   records[i]          bit 0: records exposed, bit 1: gifts paid
// Applying factors is then element-wise arithmetic (price), so one set of units prices every
// variant of an organisation whose controls change only its factors, and each price equals
// IncidentModel::from_uniforms bit for bit (vecmath values do not depend on the batch).
// Units serve factor sets whose major_probability lies in [major_low, major_high]: an event
// gets the major quantities when branch < major_high and the contained ones when branch >=
// major_low (the others are NaN and never read); major_low = 1 reads no BRANCH draw.
class IncidentUnits {
 public:
  IncidentUnits(IncidentType type, double major_low = 1.0, double major_high = 1.0);
  const IncidentType& type() const { return type_; }
  std::size_t size() const { return n_; }
  double major_low() const { return major_low_; }
  double major_high() const { return major_high_; }

  // The units of n events from given uniforms, laid out as IncidentModel::from_uniforms reads
  // them (u_branch read only when major_low < 1); std::invalid_argument for a uniform outside
  // (0, 1), naming event first_event + i. Replaces the previous contents.
  void compute(const double* u_downtime, const double* u_effort, const double* u_components,
               const double* u_branch, std::size_t n, std::size_t first_event = 0);
  // The same from the streams (DOWNTIME / EFFORT / COMPONENTS / BRANCH, stream_index) of
  // `seed` for events (year[i], k[i]).
  void draw(std::uint32_t seed, std::uint32_t stream_index, const std::uint64_t* year,
            const std::uint64_t* k, std::size_t n);

  // Prices the n = size() events with model's factors and survey losses survey_loss[i],
  // writing event i to row rows[i] of `out` (rows null: row i). The model's type must be
  // this type and its major_probability inside [major_low, major_high]
  // (std::invalid_argument otherwise).
  void price(const IncidentModel& model, const double* survey_loss, const IncidentColumns& out,
             const std::size_t* rows = nullptr) const;
  // The same for n events of which event e uses the units at[e] (< size(), std::out_of_range
  // otherwise): events of other engine runs that share these events' units.
  void price(const IncidentModel& model, std::size_t n, const std::uint32_t* at,
             const double* survey_loss, const IncidentColumns& out,
             const std::size_t* rows = nullptr) const;
  // The units' events priced by models.factors()[which[i]] (std::out_of_range when
  // which[i] >= models.size()).
  void price(const IncidentModels& models, const std::uint32_t* which, const double* survey_loss,
             const IncidentColumns& out, const std::size_t* rows = nullptr) const;

  const std::vector<double>& share() const { return share_; }
  const std::vector<double>& branch() const { return branch_; }
  const std::vector<double>& downtime() const { return downtime_; }
  const std::vector<double>& contained_downtime() const { return contained_downtime_; }
  const std::vector<double>& effort() const { return effort_; }
  const std::vector<double>& contained_effort() const { return contained_effort_; }
  const std::vector<double>& contained_loss() const { return contained_loss_; }
  const std::vector<std::uint8_t>& records() const { return records_; }

 private:
  // compute, with the uniforms' range checks when `check` (draw's own uniforms need none).
  void fill(const double* u_downtime, const double* u_effort, const double* u_components,
            const double* u_branch, std::size_t n, std::size_t first_event, bool check);
  void check(const IncidentType& type, double low, double high) const;
  // factors_of(e): event e's factors (checked); ahead(e): the address of event e's factors, or
  // nullptr (unchecked, fetched into cache a few events early).
  template <class FactorsOf, class Ahead>
  void apply(FactorsOf factors_of, Ahead ahead, std::size_t n, const std::uint32_t* at,
             const double* survey_loss, const IncidentColumns& out, const std::size_t* rows) const;

  IncidentType type_;
  double major_low_, major_high_;
  std::size_t n_ = 0;
  std::vector<double> share_, branch_, downtime_, contained_downtime_, effort_, contained_effort_,
      contained_loss_;
  std::vector<std::uint8_t> records_;
  // Scratch: uniforms drawn by draw(), and the gathered events of one branch.
  std::vector<double> u_down_, u_eff_, u_comp_, u_branch_, gathered_, computed_;
  std::vector<std::uint32_t> major_rows_, contained_rows_;
};

}  // namespace cyberloss
