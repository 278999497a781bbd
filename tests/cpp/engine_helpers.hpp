// Helpers shared by the engine test files.
#pragma once

#include <cstdint>

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

}  // namespace cyberloss::testing
