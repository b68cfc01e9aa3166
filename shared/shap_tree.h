// Path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2): the values XGBoost's
// pred_contribs and shap's TreeExplainer compute, in margin units.
#pragma once
#include <vector>

#include "forest.h"

namespace verdict {

// E[f(X)] under the trees' cover distribution: φ0 of path-dependent TreeSHAP.
double tree_expected_value(const Forest& forest);

class TreeShap {
 public:
  explicit TreeShap(const Forest& forest);

  // E[f(X)] under the trees' cover distribution: φ0.
  double expected_value() const { return expected_value_; }

  // Writes one SHAP value per feature into phi[0 .. num_features); Σφ + φ0 = margin.
  void explain(const float* row, double* phi);

  // Adds the values of the one tree rooted at `root` to phi (for callers that explain some
  // trees another way, e.g. FastTreeShap's fallback for deep trees).
  void explain_tree(std::int32_t root, const float* row, double* phi);

  struct PathElement {
    int feature;
    double zero_fraction;
    double one_fraction;
    double weight;
  };

 private:
  void recurse(const float* row, double* phi, int node, int depth, PathElement* parent_path,
               double parent_zero, double parent_one, int parent_feature);

  const Forest& forest_;
  double expected_value_ = 0;
  std::vector<PathElement> path_;  // workspace: one copy of the path per depth level
};

}  // namespace verdict
