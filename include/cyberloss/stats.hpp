// Statistics of a simulated loss sample x_1..x_n (annual losses, occurrence losses, ...).
// Conventions (empirical distribution F_n of the sample):
//   mean      (1/n) sum x_i, summed pairwise in a fixed order (deterministic)
//   std       sample standard deviation with divisor n - 1
//   mean_se   std / sqrt(n): Monte Carlo standard error of the mean
//   VaR_p     inf{x : F_n(x) >= p} = x_(ceil(n p)), the lower p-quantile (order statistic
//             ceil(n p) of the ascending sample); p in (0, 1)
//   TVaR_p    VaR_p + (1 / (n (1 - p))) sum (x_i - VaR_p)^+
//             (expected shortfall in the Acerbi & Tasche (2002) form, "On the coherence of
//             expected shortfall", J. Banking & Finance 26: exact under ties, >= VaR_p,
//             equal to the mean of the worst n (1 - p) years when n (1 - p) is whole)
//   exceedance probability of x: P(X > x) under F_n; a return period of T years is the
//             loss with annual exceedance probability 1/T, i.e. VaR_{1 - 1/T}.
#pragma once

#include <cstddef>
#include <vector>

namespace cyberloss::stats {

double mean(const double* x, std::size_t n);
double std_dev(const double* x, std::size_t n);
double mean_se(const double* x, std::size_t n);
double var(const double* x, std::size_t n, double p);
double tvar(const double* x, std::size_t n, double p);

// VaR and TVaR at several levels from one sort; out arrays have ps.size() elements.
void var_tvar(const double* x, std::size_t n, const std::vector<double>& ps, double* var_out,
              double* tvar_out);

// Standard error of VaR_p from the sample (order-statistic binomial interval half-width / z):
// uses the spread of the order statistics at p -/+ sqrt(p(1 - p)/n).
double var_se(const double* x, std::size_t n, double p);

// Loss at each return period (years >= 1): VaR_{1 - 1/T}; T = 1 gives the minimum.
std::vector<double> return_period_losses(const double* x, std::size_t n,
                                         const std::vector<double>& return_periods);

// Validates a sample: n >= 1 and every value finite. Throws std::invalid_argument naming
// `what` and the first bad index and value.
void check_sample(const char* what, const double* x, std::size_t n);

}  // namespace cyberloss::stats
