// Private to src/: the AVX2 left-packing table shared by the engine and the random streams.
#pragma once

#include <array>
#include <cstdint>

namespace cyberloss::detail {

// For each 8-bit lane mask, the indices of its set lanes in order, padded with zeros:
// a _mm256_permutevar8x32_epi32 with this row moves the selected lanes to the front.
inline const std::array<std::array<std::uint8_t, 8>, 256>& left_pack_table() {
  static const auto table = [] {
    std::array<std::array<std::uint8_t, 8>, 256> t{};
    for (unsigned mask = 0; mask < 256; ++mask)
      for (unsigned lane = 0, j = 0; lane < 8; ++lane)
        if (mask >> lane & 1) t[mask][j++] = static_cast<std::uint8_t>(lane);
    return t;
  }();
  return table;
}

}  // namespace cyberloss::detail
