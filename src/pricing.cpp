#include "cyberloss/pricing.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "cyberloss/distributions.hpp"
#include "cyberloss/order.hpp"
#include "cyberloss/stats.hpp"
#include "cyberloss/vecmath.hpp"

namespace cyberloss {
namespace {

constexpr std::size_t kBatches = 20;  // fits the uint8_t block numbers of wang_batch_se
constexpr std::uint64_t kMinYears = 100;
// Entries of a Wang g table below which a range is not split (wang_g_table).
constexpr std::size_t kTableGrain = 4096;

void require(bool ok, const char* field, const char* rule, double value) {
  if (!ok)
    throw std::invalid_argument(std::string(field) + " must be " + rule + ", got " +
                                format_value(value));
}

void check(const SparseYears& x) {
  if (x.n < 2)
    throw std::invalid_argument("losses must cover at least 2 years, got " + std::to_string(x.n));
  for (std::size_t i = 0; i < x.m; ++i) {
    if (!(std::isfinite(x.values[i]) && x.values[i] >= 0.0))
      throw std::invalid_argument("annual losses must be finite and >= 0, got " +
                                  format_value(x.values[i]) + " in year " +
                                  std::to_string(x.years[i]));
    if (x.years[i] < 0 || static_cast<std::uint64_t>(x.years[i]) >= x.n ||
        (i > 0 && x.years[i] <= x.years[i - 1]))
      throw std::invalid_argument(
          "years of a sparse sample must be distinct, ascending and in "
          "[0, " +
          std::to_string(x.n) + "), got " + std::to_string(x.years[i]));
  }
}

// Each stored year's weight: one constant for the expected value principle (no vector to
// fill), else one per year.
struct Weights {
  double constant = 0.0;
  Buffer<double> each;  // one weight per stored year (Buffer: reused pages, not fresh ones)
  double operator[](std::size_t i) const { return each.empty() ? constant : each[i]; }
};

// The expected value principle's weight of every year.
double ev_weight(const Principle& principle, std::uint64_t n) {
  return (1.0 + principle.parameter(0)) / static_cast<double>(n);
}

double wsum(const Weights& w, const double* x, std::size_t m) {
  return stats::pairwise_sum_of(m, [&](std::size_t i) { return w[i] * x[i]; });
}

// g(u) = Phi(Phi^-1(u) + lambda), Phi from the core's erf (the same bits on every CPU).
// z is Phi^-1(u) when u is in (0, 1).
double wang_g(double u, double lambda, double z) {
  if (u <= 0.0) return 0.0;
  if (u >= 1.0) return 1.0;
  return 0.5 * (1.0 + vecmath::erf((z + lambda) / std::sqrt(2.0)));
}

// Wang's g(u) at u = i / n for i = 0 .. top, the quantiles in batches (each is a function of
// u alone, wherever it falls in a batch).
Buffer<double> wang_g_table(double lambda, std::uint64_t n, std::size_t top) {
  const double nd = static_cast<double>(n);
  Buffer<double> g(top + 1);
  // Chunks side by side (a premium's table has an entry per positive year: erf and the
  // quantile are most of its time); every entry is computed alone, so the bits do not depend
  // on the chunks.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, top + 1, kTableGrain),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      auto u = [&](std::size_t i) { return static_cast<double>(i) / nd; };
                      double* z = g.data() + r.begin();
                      const std::size_t len = r.size();
                      for (std::size_t j = 0; j < len; ++j) {
                        const double x = u(r.begin() + j);
                        z[j] = x > 0.0 && x < 1.0 ? x : 0.5;
                      }
                      vecmath::inverse_normal_cdf(z, z, len);
                      for (std::size_t j = 0; j < len; ++j)
                        z[j] = wang_g(u(r.begin() + j), lambda, z[j]);
                    });
  return g;
}

std::size_t stored_zeros(const SparseYears& x, const Buffer<std::size_t>& ranked) {
  std::size_t zeros = 0;
  while (zeros < x.m && x.values[ranked[zeros]] == 0.0) ++zeros;
  return zeros;
}

// Weights of the stored years under the Wang transform, given their positions in ascending
// order of value, ties by year (`ranked`), and g at u = i / n for i = 0 .. the number of
// positive years at least (`g`, wang_g_table).
Buffer<double> wang_weights(const SparseYears& x, const Buffer<std::size_t>& ranked,
                            const double* g) {
  const std::size_t zeros_stored = stored_zeros(x, ranked);
  const std::uint64_t zeros = x.n - x.m + zeros_stored;
  const std::size_t positives = x.m - zeros_stored;  // = n - zeros
  Buffer<double> w(x.m, 0.0);
  // Rank r (0-based, ascending) of the j-th positive value is zeros + j; its weight is
  // g((n - r) / n) - g((n - r - 1) / n), n - r = positives - j.
  for (std::size_t k = zeros_stored; k < x.m; ++k) {
    const std::size_t i = positives - (k - zeros_stored);
    w[ranked[k]] = g[i] - g[i - 1];
  }
  if (zeros > 0) {
    const double zero_weight = (1.0 - g[positives]) / static_cast<double>(zeros);
    for (std::size_t k = 0; k < zeros_stored; ++k) w[ranked[k]] = zero_weight;
  }
  return w;
}

Buffer<double> wang_weights(double lambda, const SparseYears& x,
                            const Buffer<std::size_t>& ranked) {
  const std::size_t positives = x.m - stored_zeros(x, ranked);
  return wang_weights(x, ranked, wang_g_table(lambda, x.n, positives).data());
}

Buffer<double> tvar_weights(double level, double rate, const SparseYears& x) {
  const double nd = static_cast<double>(x.n);
  const std::uint64_t m_rank =
      std::max<std::uint64_t>(static_cast<std::uint64_t>(std::ceil(nd * level)), 1);
  // Zero years (stored or not) rank first, then the positive values ascending, ties by year
  // (1-based ranks). Only the ranks at and above m_rank get weight beyond the base one, so a
  // selection of the positive value at rank m_rank and the count below it place every year:
  // no sort.
  std::vector<double> positive;
  positive.reserve(x.m);
  for (std::size_t i = 0; i < x.m; ++i)
    if (x.values[i] != 0.0) positive.push_back(x.values[i]);
  const std::uint64_t zeros = x.n - positive.size();
  Buffer<double> w(x.m, (1.0 - rate) / nd);
  const double above = rate * (1.0 / (nd * (1.0 - level)));
  const double at_rank = rate * ((static_cast<double>(m_rank) - nd * level) / (nd * (1.0 - level)));
  if (m_rank <= zeros) {  // every positive value ranks above m_rank
    for (std::size_t i = 0; i < x.m; ++i)
      if (x.values[i] != 0.0) w[i] += above;
    return w;
  }
  const auto j = static_cast<std::size_t>(m_rank - zeros - 1);  // 0-based among the positive
  if (j >= positive.size()) return w;
  std::nth_element(positive.begin(), positive.begin() + static_cast<std::ptrdiff_t>(j),
                   positive.end());
  const double v = positive[j];
  std::size_t rank = 0;  // 0-based positive rank of the next value equal to v, by year
  for (std::size_t i = 0; i < x.m; ++i)
    if (x.values[i] < v && x.values[i] != 0.0) ++rank;
  for (std::size_t i = 0; i < x.m; ++i) {
    if (x.values[i] > v) {
      w[i] += above;
    } else if (x.values[i] == v) {
      if (rank > j)
        w[i] += above;
      else if (rank == j)
        w[i] += at_rank;
      ++rank;
    }
  }
  return w;
}

// The same weights (the same bits) from the stored years in ascending order of value, ties by
// year: the ranks are read off the order, no selection.
Buffer<double> tvar_weights_ranked(double level, double rate, const SparseYears& x,
                                   const Buffer<std::size_t>& ranked) {
  const double nd = static_cast<double>(x.n);
  const std::uint64_t m_rank =
      std::max<std::uint64_t>(static_cast<std::uint64_t>(std::ceil(nd * level)), 1);
  Buffer<double> w(x.m, (1.0 - rate) / nd);
  const double above = rate * (1.0 / (nd * (1.0 - level)));
  const double at_rank = rate * ((static_cast<double>(m_rank) - nd * level) / (nd * (1.0 - level)));
  // Stored position k of the order has rank n - m + k + 1 (1-based); the zero years, first in
  // the order, get no weight beyond the base one whatever their rank.
  const std::uint64_t unstored = x.n - x.m;
  std::size_t k = m_rank - 1 > unstored ? static_cast<std::size_t>(m_rank - 1 - unstored) : 0;
  for (; k < x.m; ++k) {
    const std::size_t i = ranked[k];
    if (x.values[i] == 0.0) continue;
    w[i] += unstored + k + 1 > m_rank ? above : at_rank;
  }
  return w;
}

}  // namespace

namespace {

// The Wang premium's SE from 20 batches of years (np.array_split: the first n % 20 blocks hold
// one year more). Each block's order is the global one restricted to it (ties stay by year),
// and the blocks are priced in parallel, each into its own slot.
double wang_batch_se(double lambda, const SparseYears& x, const Buffer<std::size_t>& ranked) {
  const std::uint64_t base = x.n / kBatches, extra = x.n % kBatches;
  std::vector<double> values(kBatches);
  std::vector<std::uint64_t> start(kBatches + 1, 0);
  std::vector<std::size_t> first(kBatches + 1, 0);
  for (std::size_t b = 0; b < kBatches; ++b) {
    start[b + 1] = start[b] + base + (b < extra ? 1 : 0);
    std::size_t i = first[b];
    while (i < x.m && static_cast<std::uint64_t>(x.years[i]) < start[b + 1]) ++i;
    first[b + 1] = i;
  }
  // Each block's positions in the global order, relative to the block's first stored year.
  std::vector<std::uint8_t> block_of(x.m);
  for (std::size_t b = 0; b < kBatches; ++b)
    std::fill(block_of.begin() + static_cast<std::ptrdiff_t>(first[b]),
              block_of.begin() + static_cast<std::ptrdiff_t>(first[b + 1]),
              static_cast<std::uint8_t>(b));
  std::vector<Buffer<std::size_t>> block_ranked(kBatches);
  std::vector<std::size_t*> cursor(kBatches);
  for (std::size_t b = 0; b < kBatches; ++b) {
    block_ranked[b].resize(first[b + 1] - first[b]);
    cursor[b] = block_ranked[b].data();
  }
  for (std::size_t pos : ranked) {
    const std::size_t b = block_of[pos];
    *cursor[b]++ = pos - first[b];
  }
  // The blocks of one size (at most two sizes) share one table of g at u = i / size, as far
  // as their largest count of positive years: the same values each block would compute.
  std::vector<std::size_t> positives(kBatches, 0);
  for (std::size_t b = 0; b < kBatches; ++b)
    for (std::size_t i = first[b]; i < first[b + 1]; ++i) positives[b] += x.values[i] != 0.0;
  std::vector<std::uint64_t> sizes;
  std::vector<std::size_t> tops;
  for (std::size_t b = 0; b < kBatches; ++b) {
    const std::uint64_t size = start[b + 1] - start[b];
    const auto at = std::find(sizes.begin(), sizes.end(), size);
    if (at == sizes.end()) {
      sizes.push_back(size);
      tops.push_back(positives[b]);
    } else {
      auto& top = tops[static_cast<std::size_t>(at - sizes.begin())];
      top = std::max(top, positives[b]);
    }
  }
  std::vector<Buffer<double>> tables(sizes.size());
  tbb::parallel_for(std::size_t{0}, sizes.size(), [&](std::size_t t) {
    if (sizes[t]) tables[t] = wang_g_table(lambda, sizes[t], tops[t]);
  });
  tbb::parallel_for(std::size_t{0}, kBatches, [&](std::size_t b) {
    const std::uint64_t size = start[b + 1] - start[b];
    if (size == 0) {
      values[b] = 0.0;
      return;
    }
    // The block's years are not read by its weights or its sum.
    const SparseYears block{size, x.years + first[b], x.values + first[b], first[b + 1] - first[b]};
    const auto t =
        static_cast<std::size_t>(std::find(sizes.begin(), sizes.end(), size) - sizes.begin());
    values[b] = wsum(Weights{0.0, wang_weights(block, block_ranked[b], tables[t].data())},
                     block.values, block.m);
  });
  const double mean = stats::pairwise_sum(values.data(), kBatches) / double(kBatches);
  double ss = 0.0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / double(kBatches - 1)) / std::sqrt(double(kBatches));
}

}  // namespace

Principle Principle::expected_value(double loading) {
  require(std::isfinite(loading) && loading >= 0.0, "loading", "finite and >= 0", loading);
  return Principle(Kind::expected_value, loading, 0.0);
}
Principle Principle::standard_deviation(double k) {
  require(std::isfinite(k) && k >= 0.0, "k", "finite and >= 0", k);
  return Principle(Kind::standard_deviation, k, 0.0);
}
Principle Principle::tvar_cost_of_capital(double level, double rate) {
  require(level > 0.0 && level < 1.0, "level", "in (0, 1)", level);
  require(rate >= 0.0 && rate < 1.0, "rate", "in [0, 1)", rate);
  return Principle(Kind::tvar_cost_of_capital, level, rate);
}
Principle Principle::wang(double lambda) {
  require(std::isfinite(lambda) && lambda >= 0.0, "lam", "finite and >= 0", lambda);
  return Principle(Kind::wang, lambda, 0.0);
}

std::string Principle::name() const {
  switch (kind_) {
    case Kind::expected_value:
      return "expected_value";
    case Kind::standard_deviation:
      return "standard_deviation";
    case Kind::tvar_cost_of_capital:
      return "tvar_cost_of_capital";
    default:
      return "wang";
  }
}

Loads::Loads(double expense, double profit, double fixed)
    : expense_ratio(expense), profit_ratio(profit), fixed_expense(fixed) {
  require(expense >= 0.0 && expense < 1.0, "expense_ratio", "in [0, 1)", expense);
  require(profit >= 0.0 && profit < 1.0, "profit_ratio", "in [0, 1)", profit);
  require(expense + profit < 1.0, "expense_ratio + profit_ratio", "< 1", expense + profit);
  require(std::isfinite(fixed) && fixed >= 0.0, "fixed_expense", "finite and >= 0", fixed);
}

namespace {

bool needs_ranks(const Principle& principle) { return principle.kind() == Principle::Kind::wang; }

// What the principles priced on one sample share: its moments, and the order of its stored
// years (a caller's ranking, or one made here when a principle needs it: Wang; TVaR then reads
// its ranks off it too, else selects).
struct Shared {
  stats::Moments mom;
  Buffer<std::size_t> owned;
  const Buffer<std::size_t>* given = nullptr;
  const Buffer<std::size_t>& ranked() const { return given ? *given : owned; }
};

Shared shared_for(const std::vector<Principle>& principles, const SparseYears& x,
                  const stats::Ranking* ranking = nullptr) {
  Shared s{stats::moments(x.values, x.m, x.n), {}, nullptr};
  if (ranking)
    s.given = &ranking->positions();
  else if (std::any_of(principles.begin(), principles.end(), needs_ranks))
    s.owned = stats::Ranking::sparse(x.values, x.m).positions();
  return s;
}

// VaR_p from the order, as stats::sparse_var_tvar gives it (a sort's -0 is 0).
double ranked_var(const SparseYears& x, const Buffer<std::size_t>& ranked, double p) {
  const std::uint64_t unstored = x.n - x.m;
  const std::size_t k = stats::var_index(x.n, p);
  return k < unstored ? 0.0 : x.values[ranked[static_cast<std::size_t>(k - unstored)]] + 0.0;
}

Weights weights(const Principle& principle, const SparseYears& x, const Shared& shared) {
  const double nd = static_cast<double>(x.n);
  const stats::Moments& mom = shared.mom;
  switch (principle.kind()) {
    case Principle::Kind::expected_value:
      return {ev_weight(principle, x.n), {}};
    case Principle::Kind::standard_deviation: {
      if (!std::isfinite(mom.sd))
        throw std::invalid_argument(
            "the standard deviation principle needs a finite standard deviation, and that of "
            "these losses overflows double precision (amounts of about 1e154 and more): express "
            "them in a larger unit");
      Buffer<double> w(x.m, 1.0 / nd);
      if (mom.sd > 0.0)
        for (std::size_t i = 0; i < x.m; ++i)
          w[i] += principle.parameter(0) * (x.values[i] - mom.mean) / ((nd - 1.0) * mom.sd);
      return {0.0, std::move(w)};
    }
    case Principle::Kind::tvar_cost_of_capital: {
      const double level = principle.parameter(0), rate = principle.parameter(1);
      return {0.0, shared.ranked().empty() ? tvar_weights(level, rate, x)
                                           : tvar_weights_ranked(level, rate, x, shared.ranked())};
    }
    default:
      return {0.0, wang_weights(principle.parameter(0), x, shared.ranked())};
  }
}

double standard_error(const Principle& principle, const SparseYears& x, const Shared& shared) {
  const stats::Moments& mom = shared.mom;
  const double nd = static_cast<double>(x.n), sd = mom.sd;
  switch (principle.kind()) {
    case Principle::Kind::expected_value:
      return (1.0 + principle.parameter(0)) * sd / std::sqrt(nd);
    case Principle::Kind::standard_deviation: {
      if (sd == 0.0) return 0.0;
      if (!std::isfinite(mom.mu3) || !std::isfinite(mom.mu4))  // see Moments::sd_se
        return std::numeric_limits<double>::infinity();
      const double k = principle.parameter(0);
      const double v =
          sd * sd + k * mom.mu3 / sd + k * k * (mom.mu4 - sd * sd * sd * sd) / (4.0 * sd * sd);
      return std::sqrt(std::max(v, 0.0) / nd);
    }
    case Principle::Kind::tvar_cost_of_capital: {
      const double p = principle.parameter(0), r = principle.parameter(1);
      const double v = shared.ranked().empty() ? stats::sparse_var_tvar(x.n, x.values, x.m, p).var
                                               : ranked_var(x, shared.ranked(), p);
      // Influence of each year; the years not stored have x = 0.
      Buffer<double> f(x.m);
      for (std::size_t i = 0; i < x.m; ++i)
        f[i] =
            (1.0 - r) * (x.values[i] - mom.mean) + r * std::max(x.values[i] - v, 0.0) / (1.0 - p);
      const double f0 = (1.0 - r) * (0.0 - mom.mean) + r * std::max(0.0 - v, 0.0) / (1.0 - p);
      const double zeros = static_cast<double>(x.n - x.m);
      const double mean = (stats::pairwise_sum(f.data(), x.m) + zeros * f0) / nd;
      for (double& y : f) y = (y - mean) * (y - mean);
      const double ss = stats::pairwise_sum(f.data(), x.m) + zeros * ((f0 - mean) * (f0 - mean));
      return std::sqrt(ss / (nd - 1.0)) / std::sqrt(nd);
    }
    default:
      return wang_batch_se(principle.parameter(0), x, shared.ranked());
  }
}

Shared shared_for(const Principle& principle, const SparseYears& x) {
  return shared_for(std::vector<Principle>{principle}, x);
}

}  // namespace

std::vector<double> principle_weights(const Principle& principle, const SparseYears& x) {
  check(x);
  Weights w = weights(principle, x, shared_for(principle, x));
  if (w.each.empty()) return std::vector<double>(x.m, w.constant);
  return std::vector<double>(w.each.begin(), w.each.end());
}

double risk_premium(const Principle& principle, const SparseYears& x) {
  check(x);
  return wsum(weights(principle, x, shared_for(principle, x)), x.values, x.m);
}

double risk_premium_se(const Principle& principle, const SparseYears& x) {
  check(x);
  return standard_error(principle, x, shared_for(principle, x));
}

namespace {

void check_premium_years(std::uint64_t n) {
  if (n < kMinYears)
    throw std::invalid_argument("premium needs at least " + std::to_string(kMinYears) +
                                " simulated years, got " + std::to_string(n));
}

void check_premium_sample(const SparseYears& x) {
  check_premium_years(x.n);
  check(x);
}

Premium priced(const Principle& principle, const Loads& loads, const SparseYears& x,
               const Shared& shared, const std::vector<const double*>& sections) {
  const Weights w = weights(principle, x, shared);
  Premium out{};
  out.expected_loss = shared.mom.mean;
  out.expected_loss_se = shared.mom.mean_se();
  out.risk_premium = wsum(w, x.values, x.m);
  out.risk_premium_se = standard_error(principle, x, shared);
  out.technical_premium = loads.gross_up(out.risk_premium);
  out.technical_premium_se = out.risk_premium_se * loads.factor();
  for (const double* xs : sections) {
    const double rp = wsum(w, xs, x.m);
    const double fixed =
        loads.fixed_expense * (out.risk_premium > 0.0 ? rp / out.risk_premium
                                                      : 1.0 / static_cast<double>(sections.size()));
    out.by_section.push_back({stats::pairwise_sum(xs, x.m) / static_cast<double>(x.n), rp,
                              (rp + fixed) * loads.factor()});
  }
  return out;
}

}  // namespace

double expected_value_weight(const Principle& principle, std::uint64_t n_years) {
  if (principle.kind() != Principle::Kind::expected_value)
    throw std::invalid_argument("expected_value_weight: the principle is " + principle.name());
  check_premium_years(n_years);
  return ev_weight(principle, n_years);
}

PremiumPoint premium_point(const Principle& principle, const Loads& loads, const SparseYears& x) {
  check_premium_sample(x);
  if (principle.kind() != Principle::Kind::expected_value) {  // premium()'s values, no SEs
    const Shared shared = shared_for(principle, x);
    return {shared.mom.mean, loads.gross_up(wsum(weights(principle, x, shared), x.values, x.m))};
  }
  const Weights w = weights(principle, x, Shared{});  // a constant: no moments needed
  return {stats::pairwise_sum(x.values, x.m) / static_cast<double>(x.n),
          loads.gross_up(wsum(w, x.values, x.m))};
}

Premium premium(const Principle& principle, const Loads& loads, const SparseYears& x,
                const std::vector<const double*>& sections) {
  check_premium_sample(x);
  return priced(principle, loads, x, shared_for(principle, x), sections);
}

std::vector<Premium> premiums(const std::vector<Principle>& principles, const Loads& loads,
                              const SparseYears& x,
                              const std::vector<std::vector<const double*>>& sections,
                              const stats::Ranking* ranking) {
  if (!sections.empty() && sections.size() != principles.size())
    throw std::invalid_argument("premiums: " + std::to_string(sections.size()) +
                                " lists of sections for " + std::to_string(principles.size()) +
                                " principles");
  check_premium_sample(x);
  if (ranking && (ranking->values() != x.values || ranking->size() != x.m))
    throw std::invalid_argument("premiums: the ranking given is of other values than the losses");
  const Shared shared = shared_for(principles, x, ranking);
  // The principles only read what they share: priced side by side, each into its own slot.
  std::vector<Premium> out(principles.size());
  tbb::parallel_for(std::size_t{0}, principles.size(), [&](std::size_t i) {
    out[i] = priced(principles[i], loads, x, shared,
                    sections.empty() ? std::vector<const double*>{} : sections[i]);
  });
  return out;
}

}  // namespace cyberloss
