// Exact baseline (interventional) SHAP against one reference record: the Shapley values of
// v(S) = f(x_S, r_rest), which Clarify's Kernel SHAP estimates by sampling. Margin units.
// Per tree, a walk that follows x and r together and branches where they part
// (Lundberg et al. 2020, independent TreeSHAP with a single background row).
#pragma once
#include <cstdint>
#include <vector>

#include "forest.h"

namespace verdict {

class BaselineShap {
 public:
  BaselineShap(const Forest& forest, std::vector<float> reference);

  // φ0 = f(reference), the margin of the reference record.
  double expected_value() const { return expected_value_; }
  const std::vector<float>& reference() const { return reference_; }

  // Writes one SHAP value per feature into phi[0 .. num_features); Σφ + φ0 = margin.
  void explain(const float* row, double* phi);
  // Adds scale × one tree's SHAP values (the tree rooted at `root`) to phi.
  void add_tree(std::int32_t root, const float* row, double scale, double* phi);

 private:
  void recurse(const float* row, double* phi, int node, int in_x, int in_r, double scale);

  const Forest& forest_;
  std::vector<float> reference_;
  double expected_value_ = 0;
  std::vector<std::vector<double>> weight_;  // weight_[a][b] = a! b! / (a+b+1)!
  std::vector<std::uint8_t> side_;           // per feature: 0 open, 1 follows x, 2 follows r
  std::vector<int> x_features_, r_features_;
};

// Checks a baseline of one or more rows (rows × num_features values, row-major) and its weights
// (one per row; empty = equal) and returns the weights normalised to sum 1.
std::vector<double> baseline_row_weights(const Forest& forest, const std::vector<float>& reference,
                                         const std::vector<double>& weights);

}  // namespace verdict
