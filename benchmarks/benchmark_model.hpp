// The benchmark model of bench_engine.py, for the C++ benchmark drivers: four attack types
// with Poisson frequencies and lognormal severities (mu, sigma of ln JPY).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "cyberloss/distributions.hpp"
#include "cyberloss/engine.hpp"

namespace cyberloss::bench {

constexpr std::size_t kTypes = 4;
constexpr double kRates[kTypes] = {0.05, 0.1, 0.25, 0.5};
constexpr double kMu[kTypes] = {17.3, 16.6, 16.3, 14.5};
constexpr double kSigma[kTypes] = {0.9, 1.2, 1.2, 1.4};

inline Model benchmark_model() {
  std::vector<AttackType> types;
  for (std::size_t t = 0; t < kTypes; ++t)
    types.emplace_back("type" + std::to_string(t), std::make_shared<Poisson>(kRates[t]),
                       std::make_shared<Lognormal>(kMu[t], kSigma[t]));
  return Model(std::move(types));
}

}  // namespace cyberloss::bench
