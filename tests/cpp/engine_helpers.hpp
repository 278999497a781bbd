// Helpers shared by the engine test files.
#pragma once

#include <cstdint>
#include <cstring>

#include "cyberloss/engine.hpp"

namespace cyberloss::testing {

inline SimulationResult run(const Model& m, std::uint64_t years, std::uint32_t seed, int threads,
                            std::uint64_t block, std::uint64_t first_year = 0,
                            bool events = false) {
  SimulationOptions o;
  o.years = years;
  o.seed = seed;
  o.threads = threads;
  o.block_size = block;
  o.first_year = first_year;
  o.keep_events = events;
  return simulate(m, o);
}

// Whether two arrays (std::vector or Buffer) hold the same bits. memcmp is not handed the null
// data() of an empty array, which is undefined even for 0 bytes (UBSan reports it).
template <class A>
bool same_bits(const A& a, const A& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0);
}

}  // namespace cyberloss::testing
