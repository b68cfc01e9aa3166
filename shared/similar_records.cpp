#include "shared/similar_records.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "shared/error.h"

namespace verdict {

namespace {

void check_space(const DistanceSpace& space) {
  if (space.categorical.size() != space.scale.size()) {
    throw Error("similar records: " + std::to_string(space.scale.size()) + " scales but " +
                std::to_string(space.categorical.size()) + " feature kinds");
  }
  for (std::size_t f = 0; f < space.scale.size(); ++f) {
    if (!space.categorical[f] && !(std::isfinite(space.scale[f]) && space.scale[f] > 0)) {
      throw Error("similar records: the scale of feature " + std::to_string(f) + " is " + std::to_string(space.scale[f]) +
                  " (must be positive and finite)");
    }
  }
}

double squared_distance(const DistanceSpace& space, const float* a, const float* b) {
  double sum = 0;
  for (std::size_t f = 0; f < space.scale.size(); ++f) {
    const bool na = std::isnan(a[f]), nb = std::isnan(b[f]);
    double d;
    if (na || nb) {
      d = na == nb ? 0.0 : 1.0;
    } else if (space.categorical[f]) {
      d = a[f] == b[f] ? 0.0 : 1.0;
    } else {
      d = (static_cast<double>(a[f]) - static_cast<double>(b[f])) / space.scale[f];
    }
    sum += d * d;
  }
  return sum;
}

}  // namespace

DistanceSpace schema_distance_space(const Schema& schema) {
  DistanceSpace space;
  for (const Column& c : schema.features) {
    space.categorical.push_back(c.kind == ColumnKind::Categorical);
    space.scale.push_back(std::isfinite(c.spread) && c.spread > 0 ? c.spread : 1.0);
  }
  return space;
}

double record_distance(const DistanceSpace& space, const float* a, const float* b) {
  check_space(space);
  return std::sqrt(squared_distance(space, a, b));
}

std::vector<Neighbour> nearest_records(const DistanceSpace& space, const float* rows, std::size_t n,
                                       const float* query, std::size_t k, std::size_t skip) {
  check_space(space);
  const std::size_t cols = space.scale.size();
  std::vector<Neighbour> all;
  all.reserve(n);
  for (std::size_t r = 0; r < n; ++r) {
    if (r != skip) all.push_back({r, squared_distance(space, rows + r * cols, query)});
  }
  const auto nearer = [](const Neighbour& a, const Neighbour& b) {
    return a.distance < b.distance || (a.distance == b.distance && a.index < b.index);
  };
  const std::size_t keep = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(), nearer);
  all.resize(keep);
  for (Neighbour& x : all) x.distance = std::sqrt(x.distance);
  return all;
}

}  // namespace verdict
