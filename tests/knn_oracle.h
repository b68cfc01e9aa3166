// The Flip Test by brute force, as verdict computed it before the k-d tree: every facet-d row
// against every facet-a row, in row order, keeping the k nearest by (squared distance, row) —
// among equally distant rows the lower row index wins. The oracle shared/knn_vote and
// shared/flip_test are checked against.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

#include "shared/flip_test.h"

namespace verdict::testing {

// Positive labels among the k points nearest to `query` (points: rows × cols, row-major).
inline int brute_knn_positives(const std::vector<double>& points, std::size_t cols, const std::vector<bool>& positive,
                               int k, const double* query) {
  std::vector<std::pair<double, std::size_t>> best;  // (squared distance, point), ascending
  for (std::size_t s = 0; s < positive.size(); ++s) {
    double dist = 0;
    for (std::size_t f = 0; f < cols; ++f) {
      const double t = query[f] - points[s * cols + f];
      dist += t * t;
    }
    if (best.size() == static_cast<std::size_t>(k) && !(dist < best.back().first)) continue;
    best.insert(std::upper_bound(best.begin(), best.end(), std::make_pair(dist, s)), {dist, s});
    if (best.size() > static_cast<std::size_t>(k)) best.pop_back();
  }
  int votes = 0;
  for (const auto& b : best) votes += positive[b.second];
  return votes;
}

// The kNN label of every facet-d row (in row order) after filling NaN with the column's mean
// over all rows, with k from flip_test_neighbours.
inline std::vector<bool> brute_flip_test_labels(const std::vector<bool>& facet, const std::vector<bool>& predicted,
                                                const std::vector<double>& features, std::size_t cols) {
  const std::size_t n = facet.size();
  std::vector<double> x = features;
  for (std::size_t f = 0; f < cols; ++f) {
    double sum = 0;
    std::size_t seen = 0;
    for (std::size_t r = 0; r < n; ++r) {
      if (!std::isnan(x[r * cols + f])) sum += x[r * cols + f], ++seen;
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (std::isnan(x[r * cols + f])) x[r * cols + f] = seen ? sum / static_cast<double>(seen) : 0.0;
    }
  }
  std::vector<double> a;
  std::vector<bool> a_pred;
  for (std::size_t r = 0; r < n; ++r) {
    if (facet[r]) continue;
    a.insert(a.end(), x.begin() + r * cols, x.begin() + (r + 1) * cols);
    a_pred.push_back(predicted[r]);
  }
  const int k = flip_test_neighbours(a_pred.size());
  std::vector<bool> labels;
  for (std::size_t r = 0; r < n; ++r) {
    if (facet[r]) labels.push_back(2 * brute_knn_positives(a, cols, a_pred, k, &x[r * cols]) > k);
  }
  return labels;
}

}  // namespace verdict::testing
