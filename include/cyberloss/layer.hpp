// The one excess-of-loss mechanism behind every cap in cyberloss: deductibles, limits,
// sublimits, a policy's annual aggregate limit, engine layers and reinsurance contracts.
//
//   occurrence layer   L(x) = min(max(x - attachment, 0), limit)
//   annual capacity    within one year, recoveries are paid in event order until the year's
//                      capacity is used up: pay_j = min(x_j, max(capacity - used, 0)),
//                      used += pay_j (an aggregate limit, or limit x (1 + reinstatements))
//
// A deductible d is the layer (attachment d, limit inf); a limit L the layer (0, L); a
// layer "L xs A" is (A, L). Amounts are JPY; inf means unlimited.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace cyberloss {

struct Layer {
  double attachment = 0.0;                                 // finite, >= 0
  double limit = std::numeric_limits<double>::infinity();  // > 0, inf allowed

  Layer() = default;
  Layer(double attachment_, double limit_) : attachment(attachment_), limit(limit_) {
    if (!(std::isfinite(attachment) && attachment >= 0.0))
      throw std::invalid_argument("layer attachment must be finite and >= 0, got " +
                                  std::to_string(attachment));
    if (!(limit > 0.0))  // also refuses NaN
      throw std::invalid_argument("layer limit must be > 0 (inf for unlimited), got " +
                                  std::to_string(limit));
  }

  double operator()(double x) const { return std::min(std::max(x - attachment, 0.0), limit); }
  double exhaustion_point() const { return attachment + limit; }
};

// A capacity consumed in event order within one year; reset at the start of each year.
class AnnualCapacity {
 public:
  explicit AnnualCapacity(double capacity = std::numeric_limits<double>::infinity())
      : capacity_(capacity) {
    if (!(capacity >= 0.0))
      throw std::invalid_argument("annual capacity must be >= 0 (inf for unlimited), got " +
                                  std::to_string(capacity));
  }
  // What is paid of x (>= 0) given what the year has used so far.
  double take(double x) {
    const double pay = std::min(x, std::max(capacity_ - used_, 0.0));
    used_ += pay;
    return pay;
  }
  void new_year() { used_ = 0.0; }
  double used() const { return used_; }
  double capacity() const { return capacity_; }

 private:
  double capacity_;
  double used_ = 0.0;
};

}  // namespace cyberloss
