// Private to src/: fetching memory into cache ahead of a use the hardware cannot foresee.
#pragma once

#include <cstddef>
#include <cstdint>
#if defined(_MSC_VER) && !defined(__clang__) && (defined(_M_X64) || defined(_M_AMD64))
#include <intrin.h>
#endif

namespace cyberloss::detail {

// The cache lines of [p, p + bytes), fetched for reading. A hint only: no fault, no effect on
// results, and nothing where the compiler offers no prefetch.
inline void prefetch(const void* p, std::size_t bytes) {
  const auto first = reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t{63};
  const auto end = reinterpret_cast<std::uintptr_t>(p) + bytes;
  for (std::uintptr_t line = first; line < end; line += 64) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(reinterpret_cast<const void*>(line));
#elif defined(_M_X64) || defined(_M_AMD64)
    _mm_prefetch(reinterpret_cast<const char*>(line), _MM_HINT_T0);
#endif
  }
}

// Events of a book name their organisations in no useful order, and a book's per-organisation
// records can outgrow the core's cache: a loop over events fetches the record of the event
// this many places ahead (incident pricing's factors: 10,000 organisations x 144 bytes; the
// year pass's per-policy terms, ~48 bytes each, stay in cache and gained nothing from it).
constexpr std::size_t kPrefetchEvents = 8;

}  // namespace cyberloss::detail
