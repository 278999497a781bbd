// Private to src/simd/*_kernels.cpp: the left-packing table (internal linkage, see math.hpp).
#pragma once

#include <cstdint>

namespace cyberloss::simd {
namespace {

// For each 8-bit lane mask, the indices of its set lanes in order, padded with zeros: a
// permutation with this row moves the selected lanes to the front (left-packing).
struct LeftPack {
  alignas(8) std::uint8_t lanes[256][8];
  constexpr LeftPack() : lanes{} {
    for (unsigned mask = 0; mask < 256; ++mask)
      for (unsigned lane = 0, j = 0; lane < 8; ++lane)
        if (mask >> lane & 1) lanes[mask][j++] = static_cast<std::uint8_t>(lane);
  }
};
[[maybe_unused]] constexpr LeftPack kLeftPack{};

}  // namespace
}  // namespace cyberloss::simd
