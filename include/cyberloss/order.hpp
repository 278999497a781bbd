// Sorting and selection of loss samples without comparison sorts: the statistics sort each
// view at most once, and these make that once cheap (linear passes over the keys).
//
// Keys: a double's IEEE bits mapped so that unsigned order is numeric order (negative values
// with every bit flipped, others with the sign bit set), after x + 0.0 so that -0 and +0 get
// the same key. Values must not be NaN (callers validate samples first).
//   sort_ascending   the values ascending: the same sequence of values std::sort gives
//   stable_order     positions 0..n-1 in ascending order of value, ties by position: the
//                    same permutation std::stable_sort gives
//   upper_sorted     order statistics of ranks k..n-1 (0-based) ascending: a threshold from a
//                    subsample keeps the candidates for the upper ranks in one pass, a
//                    selection and a sort of the part above rank k follow; exact, the same
//                    values a full sort gives from rank k on; optionally also how many values
//                    under rank k equal rank k's (its ties below), without a pass over x
// Small inputs use the comparison sorts (fewer fixed costs).
#pragma once

#include <cstddef>
#include <vector>

#include "cyberloss/buffer.hpp"

namespace cyberloss::order {

void sort_ascending(double* x, std::size_t n);
Buffer<std::size_t> stable_order(const double* x, std::size_t n);
std::vector<double> upper_sorted(const double* x, std::size_t n, std::size_t k,
                                 std::size_t* ties_below = nullptr);

}  // namespace cyberloss::order
