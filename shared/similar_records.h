// The records of a set nearest to one record, for a reviewer to compare it with: distance in
// a scaled space where every feature counts alike — a numeric difference divided by the
// feature's scale (its training spread), a categorical one 0 (same category) or 1.
#pragma once
#include <cstddef>
#include <vector>

#include "shared/schema.h"

namespace verdict {

struct Neighbour {
  std::size_t index;  // row of the set
  double distance;
};

// How the distance treats each feature.
struct DistanceSpace {
  std::vector<double> scale;     // per feature: divides a numeric difference; positive and finite
  std::vector<bool> categorical;  // per feature: 0/1 distance by code
};

// The space the review page uses: numbers scaled by the schema's spread of each feature (the
// training data's MAD, IQR, standard deviation or range, never 0; a schema before version 3:
// the range), categories 0/1 — the same units as the counterfactual search's costs.
DistanceSpace schema_distance_space(const Schema& schema);

// Per feature: 0 when both values are missing (NaN), 1 when one is, |a - b| / scale for numbers,
// 0 or 1 for categories; the distance is the root of the sum of their squares.
double record_distance(const DistanceSpace& space, const float* a, const float* b);

// The k rows of `rows` (n × scale.size(), row-major, NaN = missing) nearest to `query`, nearest
// first; equally distant rows in row order. Row `skip` (the record itself, when it is in the
// set) is left out; pass n or more to keep every row. Throws verdict::Error naming the feature
// for a scale that is not positive and finite, or when the sizes disagree.
std::vector<Neighbour> nearest_records(const DistanceSpace& space, const float* rows, std::size_t n,
                                       const float* query, std::size_t k, std::size_t skip);

}  // namespace verdict
