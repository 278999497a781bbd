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

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cyberloss/buffer.hpp"

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
// uses the spread of the order statistics at p -/+ sqrt(p(1 - p)/n) (TailEstimate::var_se).
double var_se(const double* x, std::size_t n, double p);

// Loss at each return period (years >= 1): VaR_{1 - 1/T}; T = 1 gives the minimum.
std::vector<double> return_period_losses(const double* x, std::size_t n,
                                         const std::vector<double>& return_periods);

// Validates a sample: n >= 1 and every value finite. Throws std::invalid_argument naming
// `what` and the first bad index and value.
void check_sample(const char* what, const double* x, std::size_t n);

// 0-based index of VaR_p's order statistic: ceil(n p) - 1, clamped to [0, n - 1] (with a guard
// against n p landing a rounding error above a whole number).
std::size_t var_index(std::uint64_t n, double p);

// Risk measures of one level with their standard errors (measures.py defines the same):
//   var_se   half the distance between VaR at p - h and p + h, h = sqrt(p (1 - p) / n), the
//            neighbours clamped to [0.5 / n, 1 - 0.5 / n] (one binomial SD of F_n). Where the
//            sample is flat there (an atom: a limit, the zero years), the distance at 2h, then
//            3h, over 4 and 6: an atom whose edge lies within 3 SDs moves VaR_p from run to
//            run, which the flat neighbours hid (SE 0 while the estimate varied); 0 only where
//            the sample is flat across 3 SDs, e.g. deep among the zero years
//   tvar_se  sd((X - VaR_p)^+) / ((1 - p) sqrt n), sd with divisor n - 1: the asymptotic SD of
//            the Rockafellar-Uryasev form min_c c + E[(X - c)^+] / (1 - p) at c = VaR_p
struct TailEstimate {
  double level, var, var_se, tvar, tvar_se;
};

// A loss sample of n values held for statistics that do not waste work: its moments, and its
// order statistics from rank `lowest_rank()` up, sorted once and reused by every VaR, TVaR, EP
// point and premium asked of it.
//   sparse  n years of which only the nonzero ones are stored (values >= 0); the other
//           n - m years are counted, not stored. The sort is over the m stored values (or,
//           with min_level, over those the levels from min_level up need).
//   dense   all n values (any finite sign); only the upper part needed by the levels from
//           `min_level` up is sorted, after a selection (std::nth_element) of it.
// Moments: mean (pairwise sums in a fixed order), std with divisor n - 1, and the central
// moments mu3, mu4 with divisor n, as NumPy's mean((x - mean)^k); finite values whose powers
// overflow give infinite moments and standard errors, never NaN (non-finite values are
// refused).
// Moments of n values: x[0..m) and n - m implicit zeros. Sums pairwise in a fixed order;
// sd with divisor n - 1 (0 for n = 1); mu3, mu4 central with divisor n.
struct Moments {
  std::uint64_t n = 0;
  double sum = 0.0, mean = 0.0, sd = 0.0, mu3 = 0.0, mu4 = 0.0;
  double mean_se() const;
  double sd_se() const;  // delta method: sqrt((mu4 - s^4) / (4 s^2 n)); 0 when s = 0
};
Moments moments(const double* x, std::size_t m, std::uint64_t n);

// The values of a sample of n: dense (index null, values[0..m), m = n) or stored sparsely
// (values[j] at position index[j], j < m, and 0 elsewhere).
struct Series {
  const double* values = nullptr;
  const std::int64_t* index = nullptr;
  std::size_t m = 0;
};

// Sample i has n values: x, or x - minus when minus.values is not null, formed element by
// element as NumPy forms the dense arrays' difference (the same bits).
struct MeanInput {
  std::size_t n = 0;
  Series x, minus;
};

// The mean and its standard error of each sample, as moments() gives them, bit for bit, without
// the third and fourth central sums; the samples in parallel. An empty sample, an index outside
// [0, n) or a non-finite value is refused (std::invalid_argument naming "x[i]", the lowest such
// i, and the value).
struct MeanEstimate {
  double mean, se;
};
std::vector<MeanEstimate> mean_estimates(const std::vector<MeanInput>& samples);

// The stored values of a sparse sample (finite, >= 0) ranked once: their positions in
// ascending order of value, ties by position (the permutation a stable sort gives; the zeros
// first, only the positive values sorted). Every statistic that needs the order of the same
// values reuses it: the premium principles (pricing.hpp's premiums), and LossSample's VaR,
// TVaR and EP points. It refers to the values, which must outlive it unchanged.
class Ranking {
 public:
  static Ranking sparse(const double* values, std::size_t m);
  const double* values() const { return values_; }
  std::size_t size() const { return positions_.size(); }
  const Buffer<std::size_t>& positions() const { return positions_; }
  // A stored -0: a sort gives it as +0, in no defined order among the +0s; a LossSample
  // built from the ranking then selects as without one (the same bits).
  bool has_negative_zero() const { return negative_zero_; }

 private:
  Ranking() = default;
  const double* values_ = nullptr;
  Buffer<std::size_t> positions_;
  bool negative_zero_ = false;
};

class LossSample {
 public:
  // Sparse: min_level > 0 keeps (sorts) only the ranks its levels need, as dense does, when
  // they lie among the stored values.
  static LossSample sparse(std::uint64_t n, const double* values, std::size_t m,
                           double min_level = 0.0);
  // The same sample (the same bits) of ranked values: the order statistics read off the
  // ranking, no selection or sort.
  static LossSample sparse(std::uint64_t n, const Ranking& ranked, double min_level = 0.0);
  // Levels below min_level (and their SE neighbours) are refused by the order statistics.
  // min_level = 1 keeps none: the moments alone (a mean or std asks no more).
  static LossSample dense(const double* x, std::size_t n, double min_level = 0.0);

  std::uint64_t size() const { return n_; }
  const Moments& moments() const { return moments_; }
  double mean() const { return moments_.mean; }
  double std_dev() const { return moments_.sd; }
  double mean_se() const { return moments_.mean_se(); }
  double std_se() const { return moments_.sd_se(); }

  // The (k + 1)-th smallest value, k in [lowest_rank(), n); std::out_of_range below.
  double order_statistic(std::uint64_t k) const;
  std::uint64_t lowest_rank() const { return k0_; }
  // Sorted values from lowest_rank() up (ascending).
  const std::vector<double>& sorted_upper() const { return upper_; }

  double var(double p) const;
  double tvar(double p) const;
  TailEstimate tail(double p) const;
  std::vector<TailEstimate> tail(const std::vector<double>& levels) const;
  // Loss with annual exceedance probability 1/T: VaR_{1 - 1/T}; T = 1 gives the minimum.
  double return_period_loss(double T) const;
  // P(X > x) under F_n, and its binomial SE sqrt(q (1 - q) / n).
  double exceedance_probability(double x) const;
  double exceedance_probability_se(double x) const;

 private:
  LossSample() = default;
  // A sparse sample's moments and ranks, without its order statistics (upper_ left empty).
  static LossSample sparse_moments(std::uint64_t n, const double* values, std::size_t m,
                                   double min_level);
  std::uint64_t n_ = 0;
  std::uint64_t k0_ = 0;       // ranks below k0_ are not stored
  std::uint64_t zeros_ = 0;    // sparse: ranks below zeros_ (<= k0_) are the zero years
  bool sparse_ = false;        // every value >= 0
  std::vector<double> upper_;  // ranks k0_ .. n - 1, ascending
  Moments moments_;
};

// VaR_p and TVaR_p of n years of which values[0..m) (finite, >= 0) are stored and the rest are
// 0, by selection: no sort at all when VaR_p falls among the zero years (then TVaR_p is the
// pairwise sum over n (1 - p), which may differ from LossSample::tvar's ascending sum in the
// last bits), otherwise one std::nth_element and a sort of the part above VaR_p only (the
// same bits as LossSample::tvar).
struct VarTvar {
  double var, tvar;
};
VarTvar sparse_var_tvar(std::uint64_t n, const double* values, std::size_t m, double p);
// The same when VaR_p lies among the m stored values (var_index(n, p) >= n - m) and a superset
// of the values at or above it is known: `candidates` (c of them) hold every stored value at
// or above VaR_p, and the m - c stored values left out are all below every candidate.
VarTvar sparse_var_tvar_of(std::uint64_t n, std::size_t m, const double* candidates, std::size_t c,
                           double p);
// The same from candidates already sorted ascending.
VarTvar sparse_var_tvar_sorted(std::uint64_t n, std::size_t m, const double* sorted, std::size_t c,
                               double p);

// AEP and OEP at return periods T (> 1, <= n) from the annual losses and each year's largest
// occurrence: loss and SE (the VaR SE at 1 - 1/T) for each.
struct EpPoint {
  double return_period, aep, aep_se, oep, oep_se;
};
std::vector<EpPoint> ep_table(const LossSample& annual, const LossSample& occurrence_max,
                              const std::vector<double>& return_periods);

// Sum of x[0], ..., x[n - 1] in NumPy's order (numpy.add.reduce over a contiguous axis):
// sequential below 8 terms, eight interleaved partial sums up to 128, halves above (split at a
// multiple of 8). Deterministic; the order is part of the result, as any float sum's is.
double pairwise_sum(const double* x, std::size_t n);

// K sums in one traversal: element k of the result is the sum of f(i)[k] in pairwise_sum's
// order (the same bits as K separate sums), without materialising the terms.
template <std::size_t K, class F>
std::array<double, K> pairwise_sums_of(std::size_t n, const F& f, std::size_t first = 0) {
  std::array<double, K> s{};
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::array<double, K> t = f(first + i);
      for (std::size_t k = 0; k < K; ++k) s[k] += t[k];
    }
    return s;
  }
  if (n <= 128) {
    std::array<std::array<double, 8>, K> r;
    for (std::size_t l = 0; l < 8; ++l) {
      const std::array<double, K> t = f(first + l);
      for (std::size_t k = 0; k < K; ++k) r[k][l] = t[k];
    }
    std::size_t i = 8;
    for (; i + 8 <= n; i += 8)
      for (std::size_t l = 0; l < 8; ++l) {
        const std::array<double, K> t = f(first + i + l);
        for (std::size_t k = 0; k < K; ++k) r[k][l] += t[k];
      }
    for (std::size_t k = 0; k < K; ++k) {
      const auto& a = r[k];
      s[k] = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    }
    for (; i < n; ++i) {
      const std::array<double, K> t = f(first + i);
      for (std::size_t k = 0; k < K; ++k) s[k] += t[k];
    }
    return s;
  }
  std::size_t h = n / 2;
  h -= h % 8;
  const std::array<double, K> a = pairwise_sums_of<K>(h, f, first),
                              b = pairwise_sums_of<K>(n - h, f, first + h);
  for (std::size_t k = 0; k < K; ++k) s[k] = a[k] + b[k];
  return s;
}

// pairwise_sums_of over [0, n) in two steps, for sums taken again after a few terms change:
// the sums of the recursion's leaves (ranges of at most 128 terms, in order), then their
// combination in the recursion's order. A changed term changes only its leaf's sum; the
// combination gives the bits of pairwise_sums_of over the same terms.
class PairwiseLeaves {
 public:
  explicit PairwiseLeaves(std::size_t n) : n_(n) {
    split(n, 0);
    start_.push_back(n);
  }
  std::size_t size() const { return start_.size() - 1; }
  // Leaf j's terms: [begin(j), end(j)).
  std::size_t begin(std::size_t j) const { return start_[j]; }
  std::size_t end(std::size_t j) const { return start_[j + 1]; }
  // The leaf holding term i (< n).
  std::size_t leaf_of(std::size_t i) const {
    return static_cast<std::size_t>(std::upper_bound(start_.begin(), start_.end(), i) -
                                    start_.begin()) -
           1;
  }
  // The sum of leaf j's terms (f as pairwise_sums_of's).
  template <std::size_t K, class F>
  std::array<double, K> leaf_sum(std::size_t j, const F& f) const {
    return pairwise_sums_of<K>(start_[j + 1] - start_[j], f, start_[j]);
  }
  // pairwise_sums_of(n, f) from the sums of the leaves (size() of them, in order).
  template <std::size_t K>
  std::array<double, K> combine(const std::array<double, K>* leaf_sums) const {
    std::size_t next = 0;
    return combine(n_, leaf_sums, next);
  }

 private:
  static constexpr std::size_t kLeaf = 128;  // pairwise_sums_of sums up to 128 terms in a row
  void split(std::size_t n, std::size_t first) {
    if (n <= kLeaf) {
      start_.push_back(first);
      return;
    }
    std::size_t h = n / 2;
    h -= h % 8;
    split(h, first);
    split(n - h, first + h);
  }
  template <std::size_t K>
  std::array<double, K> combine(std::size_t n, const std::array<double, K>* leaf_sums,
                                std::size_t& next) const {
    if (n <= kLeaf) return leaf_sums[next++];
    std::size_t h = n / 2;
    h -= h % 8;
    const std::array<double, K> a = combine(h, leaf_sums, next),
                                b = combine(n - h, leaf_sums, next);
    std::array<double, K> s;
    for (std::size_t k = 0; k < K; ++k) s[k] = a[k] + b[k];
    return s;
  }
  std::size_t n_;
  std::vector<std::size_t> start_;  // each leaf's first term, then n
};

// The same sum of f(0), ..., f(n - 1) in the same order, without materialising the terms.
template <class F>
double pairwise_sum_of(std::size_t n, const F& f, std::size_t first = 0) {
  return pairwise_sums_of<1>(
      n, [&](std::size_t i) { return std::array<double, 1>{f(i)}; }, first)[0];
}

}  // namespace cyberloss::stats
