// The nearest decision flips of many rows, spread over threads (the search is read-only).
#pragma once
#include <cstddef>
#include <vector>

#include "shared/counterfactual.h"

namespace verdict {

// The answers of each of `rows` rows (row-major, `cols` values each), in row order.
std::vector<std::vector<Counterfactual>> counterfactuals_of_rows(const CounterfactualSearch& search, const float* x,
                                                                 std::size_t rows, std::size_t cols,
                                                                 const CounterfactualOptions& options, unsigned threads);

}  // namespace verdict
