#include "cyberloss/organisation_loss.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "cyberloss/random.hpp"

namespace cyberloss {

OrganisationPortfolioLoss::OrganisationPortfolioLoss(
    std::vector<IncidentType> types, std::vector<std::shared_ptr<const Severity>> severity,
    const std::vector<std::vector<IncidentFactors>>& factors, std::vector<Component> sections)
    : severity_(std::move(severity)), sections_(std::move(sections)) {
  const std::size_t T = types.size();
  if (T == 0) throw std::invalid_argument("organisation loss: at least one attack type needed");
  if (severity_.size() != T || factors.size() != T)
    throw std::invalid_argument("organisation loss: " + std::to_string(T) + " types, " +
                                std::to_string(severity_.size()) + " severities and " +
                                std::to_string(factors.size()) + " factor rows");
  for (std::size_t t = 0; t < T; ++t)
    if (!severity_[t])
      throw std::invalid_argument("organisation loss: severity of " + types[t].name + " is null");
  n_policies_ = factors[0].size();
  for (std::size_t t = 0; t < T; ++t) {
    if (factors[t].size() != n_policies_)
      throw std::invalid_argument("organisation loss: type " + types[t].name + " has " +
                                  std::to_string(factors[t].size()) + " policies, type " +
                                  types[0].name + " " + std::to_string(n_policies_));
    models_.emplace_back(types[t], factors[t]);
  }
  if (sections_.empty())
    throw std::invalid_argument("organisation loss: sections must name at least one component");
  std::vector<Component> sorted = sections_;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    throw std::invalid_argument("organisation loss: sections name a component twice");
  for (Component c : sections_)
    if (c >= n_components)
      throw std::invalid_argument("organisation loss: unknown component index " +
                                  std::to_string(c));
  sections_ = sorted;
}

namespace {

// Per-thread working space of the pricing, kept between calls: a portfolio block prices a
// few thousand events per piece, and fresh vectors per piece cost more than the pricing of
// the small types.
struct PricingScratch {
  std::vector<std::size_t> start, rows;
  std::vector<std::uint32_t> which;
  std::vector<std::uint64_t> years, draws;
  std::vector<double> loss;
  IncidentBuffer priced;
  std::vector<std::optional<IncidentUnits>> units;  // by type index, remade for another type
};

PricingScratch& pricing_scratch() {
  thread_local PricingScratch scratch;
  return scratch;
}

// A portfolio block's pieces hold about 16,384 events; a thread keeps scratch for a few times
// that, and frees what a larger call (a whole block's components) needed when it returns.
constexpr std::size_t kKeptEvents = 1 << 16;
// Events priced at once: their uniforms, units and priced columns (about 450 bytes an event) stay
// in the core's cache between the draws, the units and the pricing.
constexpr std::size_t kPricedEvents = 1024;

struct ScratchRelease {
  std::size_t events;
  ~ScratchRelease() {
    if (events > kKeptEvents) pricing_scratch() = PricingScratch();
  }
};

}  // namespace

void OrganisationPortfolioLoss::price_by_type(const PortfolioEvents& ev, std::uint32_t seed,
                                              const PricedSink& sink) const {
  const std::size_t n = ev.year.size();
  if (ev.type.size() != n || ev.k.size() != n || ev.policy.size() != n || ev.u.size() != n)
    throw std::invalid_argument("portfolio events: columns of different lengths");
  const std::size_t T = severity_.size();
  PricingScratch& s = pricing_scratch();
  const ScratchRelease release{n};
  // The events grouped by type (one counting pass), each group in event order.
  s.start.assign(T + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (ev.type[i] < 0 || static_cast<std::size_t>(ev.type[i]) >= T)
      throw std::out_of_range("portfolio event " + std::to_string(i) + ": attack type " +
                              std::to_string(ev.type[i]) + " of " + std::to_string(T));
    if (ev.policy[i] < 0 || static_cast<std::size_t>(ev.policy[i]) >= n_policies_)
      throw std::out_of_range("portfolio event " + std::to_string(i) + ": policy " +
                              std::to_string(ev.policy[i]) + " of " + std::to_string(n_policies_));
    if (!(ev.u[i] > 0.0 && ev.u[i] < 1.0))
      throw std::invalid_argument("portfolio event " + std::to_string(i) +
                                  ": u must lie in (0, 1)");
    ++s.start[static_cast<std::size_t>(ev.type[i]) + 1];
  }
  for (std::size_t t = 0; t < T; ++t) s.start[t + 1] += s.start[t];
  // Sized once and never shrunk: growing a vector zero-fills it, which cost as much as drawing
  // the uniforms when the types alternate in size.
  auto at_least = [](auto& v, std::size_t size) {
    if (v.size() < size) v.resize(size);
  };
  at_least(s.rows, n);
  at_least(s.which, kPricedEvents);
  at_least(s.years, kPricedEvents);
  at_least(s.draws, kPricedEvents);
  at_least(s.loss, kPricedEvents);
  if (s.priced.n < kPricedEvents) s.priced.resize(kPricedEvents);
  for (std::size_t i = 0; i < n; ++i) s.rows[s.start[static_cast<std::size_t>(ev.type[i])]++] = i;
  if (s.units.size() < T) s.units.resize(T);
  // start[t] is now the end of type t's group, its beginning the end of type t - 1's. Each
  // group is priced kPricedEvents at a time (every event's draws and values are its own).
  for (std::size_t t = 0, begin = 0; t < T; begin = s.start[t++]) {
    const IncidentModels& models = models_[t];
    std::optional<IncidentUnits>& units = s.units[t];
    if (s.start[t] > begin &&
        (!units || units->major_low() != models.major_low() ||
         units->major_high() != models.major_high() || !same_type(units->type(), models.type())))
      units.emplace(models.type(), models.major_low(), models.major_high());
    for (std::size_t first = begin; first < s.start[t]; first += kPricedEvents) {
      const std::size_t m = std::min(kPricedEvents, s.start[t] - first);
      const std::size_t* rows = s.rows.data() + first;
      for (std::size_t j = 0; j < m; ++j) {
        const std::size_t i = rows[j];
        s.which[j] = static_cast<std::uint32_t>(ev.policy[i]);
        s.years[j] = static_cast<std::uint64_t>(ev.year[i]);
        s.draws[j] = static_cast<std::uint64_t>(ev.k[i]);
        s.loss[j] = ev.u[i];
      }
      severity_[t]->quantile_batch(s.loss.data(), s.loss.data(), m);
      units->draw(seed, portfolio_severity_offset + static_cast<std::uint32_t>(t), s.years.data(),
                  s.draws.data(), m);
      const IncidentColumns cols = s.priced.columns();
      units->price(models, s.which.data(), s.loss.data(), cols);
      sink(rows, m, cols);
    }
  }
}

void OrganisationPortfolioLoss::components(const PortfolioEvents& ev, std::uint32_t seed,
                                           const IncidentColumns& out) const {
  price_by_type(ev, seed, [&](const std::size_t* rows, std::size_t m, const IncidentColumns& in) {
    for (std::size_t c = 0; c < n_components; ++c)
      for (std::size_t j = 0; j < m; ++j) out.component[c][rows[j]] = in.component[c][j];
    for (std::size_t j = 0; j < m; ++j) out.downtime_days[rows[j]] = in.downtime_days[j];
  });
}

void OrganisationPortfolioLoss::losses(const PortfolioEvents& ev, std::uint32_t seed,
                                       double* out) const {
  price_by_type(ev, seed, [&](const std::size_t* rows, std::size_t m, const IncidentColumns& in) {
    for (std::size_t j = 0; j < m; ++j) {
      double s = 0.0;
      for (Component c : sections_) s += in.component[c][j];
      out[rows[j]] = s;
    }
  });
}

CoveredPortfolioLoss::CoveredPortfolioLoss(
    std::shared_ptr<const OrganisationPortfolioLoss> components, CoverageTerms terms)
    : components_(std::move(components)), terms_(std::move(terms)) {
  if (!components_) throw std::invalid_argument("covered loss: components must not be null");
  if (terms_.deductible() != 0.0 || std::isfinite(terms_.aggregate_limit()))
    throw std::invalid_argument(
        "terms: the template's deductible must be 0 and its aggregate_limit unlimited; "
        "per-policy deductibles and limits are portfolio columns");
}

void CoveredPortfolioLoss::losses(const PortfolioEvents& ev, std::uint32_t seed,
                                  double* out) const {
  // No deductible and no aggregate limit: each event stands alone, so each type's batch goes
  // through the sections as it is priced, without years.
  components_->price_by_type(
      ev, seed, [&](const std::size_t* rows, std::size_t m, const IncidentColumns& priced) {
        EventColumns e;
        e.n = m;
        e.downtime_days = priced.downtime_days;
        for (std::size_t c = 0; c < n_components; ++c) e.component[c] = priced.component[c];
        const InsuredEvents insured = insure(terms_, section_losses(terms_, e), nullptr);
        for (std::size_t j = 0; j < m; ++j) out[rows[j]] = insured.total[j];
      });
}

}  // namespace cyberloss
