// Stand-alone samples: n independent draws where element i is a pure function of
// (seed, stream, year = i), so a sample of n is the first n elements of any longer one.
//   uniform, normal, lognormal   draw 0 of year i (the normal by inverse CDF, AS241)
//   gamma, Poisson, negative     Stream(seed, stream, i): as many draws as the sampler needs
//   binomial                     (random.hpp)
//   a Frequency                  Frequency::count(seed, stream, i): the engine's count of year i
//   a Severity                   quantile of uniform_at(seed, stream, i, 0)
// n must be >= 1 (std::invalid_argument otherwise); distribution parameters are checked by
// the samplers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cyberloss/distributions.hpp"

namespace cyberloss {

std::vector<double> sample_uniform(std::size_t n, std::uint32_t seed, std::uint32_t stream);
std::vector<double> sample_normal(std::size_t n, std::uint32_t seed, std::uint32_t stream);
std::vector<double> sample_lognormal(double mu, double sigma, std::size_t n, std::uint32_t seed,
                                     std::uint32_t stream);
std::vector<double> sample_gamma(double shape, double scale, std::size_t n, std::uint32_t seed,
                                 std::uint32_t stream);
std::vector<std::int64_t> sample_poisson(double mean, std::size_t n, std::uint32_t seed,
                                         std::uint32_t stream);
std::vector<std::int64_t> sample_negative_binomial(double mean, double dispersion, std::size_t n,
                                                   std::uint32_t seed, std::uint32_t stream);
std::vector<std::int64_t> sample(const Frequency& frequency, std::size_t n, std::uint32_t seed,
                                 std::uint32_t stream);
std::vector<double> sample(const Severity& severity, std::size_t n, std::uint32_t seed,
                           std::uint32_t stream);

}  // namespace cyberloss
