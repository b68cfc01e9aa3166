#include "shap_baseline.h"

#include <algorithm>
#include <cmath>

#include "error.h"
#include "predict.h"

namespace verdict {

BaselineShap::BaselineShap(const Forest& forest, std::vector<float> reference)
    : forest_(forest), reference_(std::move(reference)) {
  if (reference_.size() != static_cast<std::size_t>(forest.num_features)) {
    throw Error("baseline has " + std::to_string(reference_.size()) + " values; the model has " +
                std::to_string(forest.num_features) + " features");
  }
  expected_value_ = predict_margin(forest, reference_.data());
  const int n = forest.max_depth() + 1;
  weight_.assign(n, std::vector<double>(n, 0.0));
  for (int a = 0; a < n; ++a) {
    weight_[a][0] = 1.0 / (a + 1);
    for (int b = 1; b < n; ++b) weight_[a][b] = weight_[a][b - 1] * b / (a + b + 1);
  }
  side_.assign(forest.num_features, 0);
  x_features_.reserve(n);
  r_features_.reserve(n);
}

std::vector<double> baseline_row_weights(const Forest& forest, const std::vector<float>& reference,
                                         const std::vector<double>& weights) {
  const std::size_t m = static_cast<std::size_t>(forest.num_features);
  if (m == 0 || reference.empty() || reference.size() % m != 0) {
    throw Error("baseline has " + std::to_string(reference.size()) + " values; the model has " +
                std::to_string(forest.num_features) + " features");
  }
  const std::size_t n = reference.size() / m;
  if (!weights.empty() && weights.size() != n) {
    throw Error("baseline has " + std::to_string(n) + " rows but " + std::to_string(weights.size()) + " weights");
  }
  std::vector<double> normalised = weights.empty() ? std::vector<double>(n, 1.0) : weights;
  double total = 0;
  for (double w : normalised) total += w;
  if (!(total > 0) || !std::isfinite(total)) throw Error("baseline weights must be positive");
  for (double& w : normalised) w /= total;
  return normalised;
}

void BaselineShap::explain(const float* row, double* phi) {
  std::fill(phi, phi + forest_.num_features, 0.0);
  for (std::int32_t root : forest_.tree_root) recurse(row, phi, root, 0, 0, 1.0);
}

void BaselineShap::add_tree(std::int32_t root, const float* row, double scale, double* phi) {
  recurse(row, phi, root, 0, 0, scale);
}

void BaselineShap::recurse(const float* row, double* phi, int node, int in_x, int in_r, double scale) {
  const Forest& f = forest_;
  if (f.is_leaf(node)) {
    if (in_x + in_r == 0) return;
    const double v = scale * f.value[node];
    if (in_x > 0) {
      const double gain = v * weight_[in_x - 1][in_r];
      for (int feature : x_features_) phi[feature] += gain;
    }
    if (in_r > 0) {
      const double loss = v * weight_[in_x][in_r - 1];
      for (int feature : r_features_) phi[feature] -= loss;
    }
    return;
  }
  const int feature = f.feature[node];
  const int x_child = child_of(f, node, row);
  const int r_child = child_of(f, node, reference_.data());
  if (side_[feature] == 1 || x_child == r_child) {
    recurse(row, phi, x_child, in_x, in_r, scale);
  } else if (side_[feature] == 2) {
    recurse(row, phi, r_child, in_x, in_r, scale);
  } else {
    side_[feature] = 1;
    x_features_.push_back(feature);
    recurse(row, phi, x_child, in_x + 1, in_r, scale);
    x_features_.pop_back();
    side_[feature] = 2;
    r_features_.push_back(feature);
    recurse(row, phi, r_child, in_x, in_r + 1, scale);
    r_features_.pop_back();
    side_[feature] = 0;
  }
}

}  // namespace verdict
