#include "shared/feature_curve.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "shared/error.h"
#include "shared/predict.h"

namespace verdict {

namespace {

// A tree's leaf value over a run of cells: cells [previous end, end).
struct Segment {
  std::size_t end;
  double value;
};

// Walks one tree with the row, taking both sides of every split on `feature` with the cells
// each side can still hold; appends the tree's segments in cell order (left before right).
void tree_segments(const Forest& f, std::int32_t root, const float* row, int feature,
                   const std::vector<float>& thresholds, std::vector<Segment>& out) {
  struct Visit {
    std::int32_t node;
    std::size_t lo, hi;
  };
  std::vector<Visit> stack = {{root, 0, thresholds.size() + 1}};
  while (!stack.empty()) {
    Visit v = stack.back();
    stack.pop_back();
    while (!f.is_leaf(v.node) && f.feature[v.node] != feature) v.node = child_of(f, v.node, row);
    if (f.is_leaf(v.node)) {
      out.push_back({v.hi, f.value[v.node]});
      continue;
    }
    // x < thresholds[k] holds exactly for the cells 0..k.
    const std::size_t k = static_cast<std::size_t>(
        std::lower_bound(thresholds.begin(), thresholds.end(), f.threshold[v.node]) - thresholds.begin());
    const std::size_t split = k + 1;
    if (split < v.hi) stack.push_back({f.right[v.node], std::max(v.lo, split), v.hi});
    if (v.lo < split) stack.push_back({f.left[v.node], v.lo, std::min(v.hi, split)});
  }
}

}  // namespace

std::size_t FeatureCurve::cell_of(float x) const {
  return static_cast<std::size_t>(std::upper_bound(thresholds.begin(), thresholds.end(), x) - thresholds.begin());
}

std::vector<float> cell_values(const FeatureCurve& curve) {
  std::vector<float> out;
  out.push_back(curve.thresholds.empty() ? 0.0f : std::nextafter(curve.thresholds[0], -INFINITY));
  out.insert(out.end(), curve.thresholds.begin(), curve.thresholds.end());
  return out;
}

FeatureCurve feature_curve(const Forest& forest, const float* row, int feature, int cls) {
  if (feature < 0 || feature >= forest.num_features) {
    throw Error("feature curve: no feature " + std::to_string(feature) + " (the model has " +
                std::to_string(forest.num_features) + ")");
  }
  const int classes = forest.num_class > 1 ? forest.num_class : 1;
  if (cls < 0 || cls >= classes) {
    throw Error("feature curve: no class " + std::to_string(cls) + " (the model has " + std::to_string(classes) + ")");
  }
  FeatureCurve c;
  for (std::size_t n = 0; n < forest.num_nodes(); ++n) {
    if (!forest.is_leaf(static_cast<std::int32_t>(n)) && forest.feature[n] == feature) c.thresholds.push_back(forest.threshold[n]);
  }
  std::sort(c.thresholds.begin(), c.thresholds.end());
  c.thresholds.erase(std::unique(c.thresholds.begin(), c.thresholds.end()), c.thresholds.end());

  std::vector<Segment> segments;
  std::vector<std::size_t> first(forest.num_trees() + 1, 0);  // tree t's segments start at first[t]
  for (std::size_t t = 0; t < forest.num_trees(); ++t) {
    tree_segments(forest, forest.tree_root[t], row, feature, c.thresholds, segments);
    first[t + 1] = segments.size();
  }
  // Per cell, the sum in predict_margin's order: base margin, then tree by tree.
  const std::size_t cells = c.thresholds.size() + 1;
  std::vector<std::size_t> at(first.begin(), first.end() - 1);
  c.margin.resize(cells);
  c.prediction.resize(cells);
  const auto k = static_cast<std::size_t>(classes);
  std::vector<double> sums(k), p(k);
  // A class's score: its margin, and after the link (softmax over every class's margin).
  auto score = [&](double& margin, double& prediction) {
    margin = sums[static_cast<std::size_t>(cls)];
    if (classes > 1) {
      softmax(sums.data(), classes, p.data());
      prediction = p[static_cast<std::size_t>(cls)];
    } else {
      prediction = apply_link(forest.link, margin);
    }
  };
  for (std::size_t cell = 0; cell < cells; ++cell) {
    if (classes == 1) {  // one sum in a register: a sum through memory made the curve 2× slower
      double sum = forest.base_margin;
      for (std::size_t t = 0; t < forest.num_trees(); ++t) {
        while (segments[at[t]].end <= cell) ++at[t];
        sum += segments[at[t]].value;
      }
      sums[0] = sum;
    } else {
      std::fill(sums.begin(), sums.end(), forest.base_margin);
      for (std::size_t t = 0; t < forest.num_trees(); ++t) {
        while (segments[at[t]].end <= cell) ++at[t];
        sums[static_cast<std::size_t>(forest.tree_class[t])] += segments[at[t]].value;
      }
    }
    score(c.margin[cell], c.prediction[cell]);
  }
  std::vector<float> missing(row, row + forest.num_features);
  missing[static_cast<std::size_t>(feature)] = std::nanf("");
  predict_class_margins(forest, missing.data(), sums.data());
  score(c.missing_margin, c.missing_prediction);
  return c;
}

}  // namespace verdict
