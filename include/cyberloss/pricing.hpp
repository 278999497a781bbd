// Premium principles on simulated annual losses x_1..x_n (python/cyberloss/pricing.py
// documents the same for users). Each is a weighted mean P = sum_i w_i x_i with weights that
// depend on the total loss; the same weights applied to a section's annual losses give its
// share, and the shares add up to the total (Euler / co-measure allocation).
//   expected value        (1 + theta) E[X]                   w_i = (1 + theta) / n
//   standard deviation    E[X] + k sd(X), sd with n - 1      w_i = 1/n + k (x_i - mean) / ((n-1)
//   sd) TVaR cost of capital  E[X] + r (TVaR_p(X) - E[X])        w_i = (1 - r)/n + r t_i; t_i =
//                         1/(n(1-p)) above rank m = max(ceil(n p), 1), (m - n p)/(n(1-p)) at
//                         rank m, 0 below; ties ranked by year (a stable sort)
//   Wang transform        int g(S(x)) dx, g(u) = Phi(Phi^-1(u) + lambda): by ascending rank i,
//                         w = g((n-i+1)/n) - g((n-i)/n); the zero years share the lowest ranks'
//                         mass equally (they add nothing whatever their weight)
// Standard errors: expected value exact ((1 + theta) sd / sqrt n); standard deviation by the
// delta method, sqrt((s^2 + k mu3 / s + k^2 (mu4 - s^4) / (4 s^2)) / n); TVaR cost of capital
// by its influence function (1 - r)(x - mean) + r (x - VaR_p)^+ / (1 - p), sd / sqrt n; Wang by
// batch means over 20 contiguous blocks of years (np.array_split's blocks).
// Loads: technical premium = (risk premium + fixed expense) / (1 - expense - profit ratio).
//
// The annual losses are sparse: `years` (ascending) hold `values`, every other year of the n
// is 0, and section amounts are 0 in those years too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cyberloss/stats.hpp"

namespace cyberloss {

class Principle {
 public:
  enum class Kind { expected_value, standard_deviation, tvar_cost_of_capital, wang };
  static Principle expected_value(double loading = 0.3);  // loading finite, >= 0
  static Principle standard_deviation(double k = 0.2);    // k finite, >= 0
  static Principle tvar_cost_of_capital(double level = 0.99, double rate = 0.10);  // (0,1), [0,1)
  static Principle wang(double lambda = 0.25);  // lambda finite, >= 0
  Kind kind() const { return kind_; }
  std::string name() const;
  double parameter(std::size_t i) const { return i == 0 ? a_ : b_; }

 private:
  Principle(Kind kind, double a, double b) : kind_(kind), a_(a), b_(b) {}
  Kind kind_;
  double a_, b_;
};

struct Loads {
  double expense_ratio = 0.30;  // [0, 1), an assumption (typical Japanese non-life)
  double profit_ratio = 0.05;   // [0, 1), expense + profit < 1
  double fixed_expense = 0.0;   // JPY, finite, >= 0
  Loads() = default;
  Loads(double expense, double profit, double fixed);  // validated
  double factor() const { return 1.0 / (1.0 - expense_ratio - profit_ratio); }
  double gross_up(double risk_premium) const { return (risk_premium + fixed_expense) * factor(); }
};

// Annual losses of n years: years[i] (ascending, distinct, < n) has values[i] (finite, >= 0).
struct SparseYears {
  std::uint64_t n = 0;
  const std::int64_t* years = nullptr;
  const double* values = nullptr;
  std::size_t m = 0;
};

// The principle's weights of the stored years (the weights of the other years multiply 0).
std::vector<double> principle_weights(const Principle& principle, const SparseYears& x);
double risk_premium(const Principle& principle, const SparseYears& x);
double risk_premium_se(const Principle& principle, const SparseYears& x);

struct SectionPremium {
  double expected_loss, risk_premium, technical_premium;
};
struct Premium {
  double expected_loss, expected_loss_se;
  double risk_premium, risk_premium_se;
  double technical_premium, technical_premium_se;
  // One row per given section (the fixed expense shared pro rata to risk premium, equally
  // when the total is 0).
  std::vector<SectionPremium> by_section;
};
// Needs n >= 100 years. sections[s][i] is section s's amount in year years[i].
Premium premium(const Principle& principle, const Loads& loads, const SparseYears& x,
                const std::vector<const double*>& sections = {});

// premium() under each principle, the same bits, sharing the work: the moments once, and the
// ascending order of the stored years (ties by year) ranked once, `ranking` when given (of
// x.values: the same array; else ranked here when a principle needs it: Wang), the TVaR
// principle then reading its ranks off it instead of selecting. sections[i] are principle i's
// sections (none when `sections` is empty, else one list per principle).
std::vector<Premium> premiums(const std::vector<Principle>& principles, const Loads& loads,
                              const SparseYears& x,
                              const std::vector<std::vector<const double*>>& sections = {},
                              const stats::Ranking* ranking = nullptr);

// premium()'s expected loss and technical premium alone, the same bits, without the standard
// errors (under the expected value principle no second pass over the years): what the
// retention grid needs for each option.
struct PremiumPoint {
  double expected_loss, technical_premium;
};
PremiumPoint premium_point(const Principle& principle, const Loads& loads, const SparseYears& x);

// The weight of every year under the expected value principle, (1 + loading) / n_years: its
// risk premium is the pairwise sum of weight * x. Throws for another principle, or for fewer
// than 100 years (as premium()). The retention grid sums weight * x with other sums of the same
// years in one pass (stats::pairwise_sums_of): the same bits as premium_point.
double expected_value_weight(const Principle& principle, std::uint64_t n_years);

}  // namespace cyberloss
