#include "shared/pdp.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "shared/error.h"
#include "shared/feature_curve.h"
#include "shared/predict.h"

namespace verdict {

PdpGrid pdp_grid(const float* x, std::size_t rows, std::size_t cols, std::size_t feature, bool categorical,
                 std::size_t resolution) {
  if (feature >= cols) throw Error("pdp: feature index out of range");
  if (resolution < 2) throw Error("pdp: grid_resolution must be at least 2");
  std::set<float> distinct;
  for (std::size_t r = 0; r < rows; ++r) {
    const float v = x[r * cols + feature];
    if (!std::isnan(v)) distinct.insert(v);
  }
  PdpGrid g;
  if (distinct.empty()) return g;
  if (categorical || distinct.size() <= resolution) {
    g.values.assign(distinct.begin(), distinct.end());
  } else {
    const double lo = *distinct.begin(), hi = *distinct.rbegin();
    for (std::size_t i = 0; i < resolution; ++i) {
      g.values.push_back(static_cast<float>(lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(resolution - 1)));
    }
  }
  // Each value counts for the grid value nearest it (ties to the lower one).
  g.distribution.assign(g.values.size(), 0.0);
  std::size_t n = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const float v = x[r * cols + feature];
    if (std::isnan(v)) continue;
    const auto up = std::lower_bound(g.values.begin(), g.values.end(), v);
    std::size_t k = static_cast<std::size_t>(up - g.values.begin());
    if (k == g.values.size() || (k > 0 && v - g.values[k - 1] <= g.values[k] - v)) k = k == 0 ? 0 : k - 1;
    g.distribution[k] += 1, ++n;
  }
  for (double& d : g.distribution) d /= static_cast<double>(n);
  return g;
}

std::vector<double> partial_dependence(const Forest& forest, const float* x, std::size_t rows, std::size_t cols,
                                       std::size_t feature, const std::vector<float>& grid, int cls) {
  if (feature >= cols) throw Error("pdp: feature index out of range");
  const int classes = forest.num_class > 1 ? forest.num_class : 1;
  if (cls < 0 || cls >= classes) throw Error("pdp: no class " + std::to_string(cls) + " (the model has " + std::to_string(classes) + ")");
  std::vector<double> sum(grid.size(), 0.0);
  if (feature < static_cast<std::size_t>(forest.num_features)) {
    // Each row's exact curve (shared/feature_curve) holds its prediction at every grid value at
    // once: the same numbers as scoring the row once per value, summed in the same row order.
    std::vector<std::size_t> cell(grid.size());
    for (std::size_t r = 0; r < rows; ++r) {
      const FeatureCurve c = feature_curve(forest, x + r * cols, static_cast<int>(feature), cls);
      if (r == 0) {
        for (std::size_t g = 0; g < grid.size(); ++g) cell[g] = c.cell_of(grid[g]);
      }
      for (std::size_t g = 0; g < grid.size(); ++g) {
        sum[g] += std::isnan(grid[g]) ? c.missing_prediction : c.prediction[cell[g]];
      }
    }
  } else {  // a column the model does not read: every value gives the same predictions
    std::vector<double> margins(static_cast<std::size_t>(classes)), p(margins.size());
    for (std::size_t r = 0; r < rows; ++r) {
      double prediction = 0;
      if (classes > 1) {
        predict_class_margins(forest, x + r * cols, margins.data());
        softmax(margins.data(), classes, p.data());
        prediction = p[static_cast<std::size_t>(cls)];
      } else {
        prediction = apply_link(forest.link, predict_margin(forest, x + r * cols));
      }
      for (double& s : sum) s += prediction;
    }
  }
  for (double& s : sum) s = rows ? s / static_cast<double>(rows) : 0.0;
  return sum;
}

}  // namespace verdict
