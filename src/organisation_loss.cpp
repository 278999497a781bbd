#include "cyberloss/organisation_loss.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
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
    for (const auto& f : factors[t]) models_.emplace_back(types[t], f);
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

void OrganisationPortfolioLoss::components(const PortfolioEvents& ev, std::uint32_t seed,
                                           const IncidentColumns& out) const {
  const std::size_t n = ev.year.size();
  if (ev.type.size() != n || ev.k.size() != n || ev.policy.size() != n || ev.u.size() != n)
    throw std::invalid_argument("portfolio events: columns of different lengths");
  // Per type: all its events' uniforms at once, then runs of one policy priced together.
  std::vector<std::size_t> rows;
  std::vector<std::uint64_t> years, draws;
  std::vector<double> u_down, u_eff, u_comp, u_branch, loss;
  for (std::size_t t = 0; t < severity_.size(); ++t) {
    rows.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (ev.type[i] == static_cast<std::int32_t>(t)) rows.push_back(i);
    if (rows.empty()) continue;
    std::stable_sort(rows.begin(), rows.end(),
                     [&](std::size_t a, std::size_t b) { return ev.policy[a] < ev.policy[b]; });
    const std::size_t m = rows.size();
    years.resize(m * component_draws_per_event);
    draws.resize(m * component_draws_per_event);
    u_down.resize(m);
    u_eff.resize(m);
    u_comp.resize(m * component_draws_per_event);
    loss.resize(m);
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t i = rows[j];
      if (ev.policy[i] < 0 || static_cast<std::size_t>(ev.policy[i]) >= n_policies_)
        throw std::out_of_range("portfolio event " + std::to_string(i) + ": policy " +
                                std::to_string(ev.policy[i]) + " of " +
                                std::to_string(n_policies_));
      if (!(ev.u[i] > 0.0 && ev.u[i] < 1.0))
        throw std::invalid_argument("portfolio event " + std::to_string(i) +
                                    ": u must lie in (0, 1)");
      years[j] = static_cast<std::uint64_t>(ev.year[i]);
      draws[j] = static_cast<std::uint64_t>(ev.k[i]);
      loss[j] = ev.u[i];
    }
    const auto stream = portfolio_severity_offset + static_cast<std::uint32_t>(t);
    uniform_batch(seed, stream_id(Purpose::downtime, stream), years.data(), draws.data(), m,
                  u_down.data());
    uniform_batch(seed, stream_id(Purpose::effort, stream), years.data(), draws.data(), m,
                  u_eff.data());
    const bool branches =
        std::any_of(models_.begin() + static_cast<std::ptrdiff_t>(t * n_policies_),
                    models_.begin() + static_cast<std::ptrdiff_t>((t + 1) * n_policies_),
                    [](const IncidentModel& im) { return im.factors().branches(); });
    if (branches) {
      u_branch.resize(m * branch_draws_per_event);
      branch_uniforms(seed, stream_id(Purpose::branch, stream), years.data(), draws.data(), m,
                      u_branch.data());
    }
    for (std::size_t j = m; j-- > 0;)
      for (std::uint64_t d = component_draws_per_event; d-- > 0;) {
        years[j * component_draws_per_event + d] = years[j];
        draws[j * component_draws_per_event + d] = draws[j] * component_draws_per_event + d;
      }
    uniform_batch(seed, stream_id(Purpose::components, stream), years.data(), draws.data(),
                  m * component_draws_per_event, u_comp.data());
    severity_[t]->quantile_batch(loss.data(), loss.data(), m);

    IncidentBuffer priced(m);
    for (std::size_t a = 0; a < m;) {
      std::size_t b = a + 1;
      while (b < m && ev.policy[rows[b]] == ev.policy[rows[a]]) ++b;
      const IncidentColumns cols = priced.columns(a);
      const IncidentModel& model =
          models_[t * n_policies_ + static_cast<std::size_t>(ev.policy[rows[a]])];
      model.from_uniforms(loss.data() + a, u_down.data() + a, u_eff.data() + a,
                          u_comp.data() + a * component_draws_per_event,
                          branches ? u_branch.data() + a * branch_draws_per_event : nullptr, b - a,
                          cols);
      a = b;
    }
    const IncidentColumns cols = priced.columns();
    for (std::size_t j = 0; j < m; ++j) {
      for (std::size_t c = 0; c < n_components; ++c)
        out.component[c][rows[j]] = cols.component[c][j];
      out.downtime_days[rows[j]] = cols.downtime_days[j];
    }
  }
}

void OrganisationPortfolioLoss::losses(const PortfolioEvents& ev, std::uint32_t seed,
                                       double* out) const {
  const std::size_t n = ev.year.size();
  IncidentBuffer all(n);
  const IncidentColumns cols = all.columns();
  components(ev, seed, cols);
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (Component c : sections_) s += cols.component[c][i];
    out[i] = s;
  }
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
  const std::size_t n = ev.year.size();
  IncidentBuffer all(n);
  const IncidentColumns cols = all.columns();
  components_->components(ev, seed, cols);
  // No deductible and no aggregate limit: each event stands alone and the year is not used.
  std::vector<std::int64_t> year(n, 0);
  EventColumns e;
  e.n = n;
  e.year = year.data();
  e.downtime_days = cols.downtime_days;
  for (std::size_t c = 0; c < n_components; ++c) e.component[c] = cols.component[c];
  const SectionLosses sections = section_losses(terms_, e);
  const InsuredEvents insured = insure(terms_, sections, year.data());
  std::copy(insured.total.begin(), insured.total.end(), out);
}

}  // namespace cyberloss
