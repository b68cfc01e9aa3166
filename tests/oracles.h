// Shapley values from their definition, by enumerating every coalition: the oracle the
// fast algorithms are checked against. Exponential in the number of features; M <= 12.
#pragma once
#include <cmath>
#include <functional>
#include <vector>

#include "shared/forest.h"
#include "shared/predict.h"

namespace verdict::testing {

// φ_i = Σ_{S ⊆ N\{i}} |S|!(M−|S|−1)!/M! · (v(S ∪ {i}) − v(S)), with S as a bit mask.
inline std::vector<double> shapley_by_enumeration(int m, const std::function<double(unsigned)>& v) {
  std::vector<double> value(1u << m);
  for (unsigned s = 0; s < value.size(); ++s) value[s] = v(s);
  std::vector<double> fact(m + 1, 1.0);
  for (int i = 1; i <= m; ++i) fact[i] = fact[i - 1] * i;
  std::vector<double> phi(m, 0.0);
  for (int i = 0; i < m; ++i) {
    for (unsigned s = 0; s < value.size(); ++s) {
      if (s & (1u << i)) continue;
      const int size = __builtin_popcount(s);
      const double w = fact[size] * fact[m - size - 1] / fact[m];
      phi[i] += w * (value[s | (1u << i)] - value[s]);
    }
  }
  return phi;
}

// E[f(x) | x_S] as path-dependent TreeSHAP defines it: features in S follow x, the others
// split the expectation between both children by cover.
inline double conditional_expectation(const Forest& f, int node, const float* x, unsigned s) {
  if (f.is_leaf(node)) return f.value[node];
  const int feature = f.feature[node];
  if (s & (1u << feature)) return conditional_expectation(f, child_of(f, node, x), x, s);
  const int l = f.left[node], r = f.right[node];
  return (f.cover[l] * conditional_expectation(f, l, x, s) +
          f.cover[r] * conditional_expectation(f, r, x, s)) / f.cover[node];
}

inline double path_dependent_value(const Forest& f, const float* x, unsigned s) {
  double sum = f.base_margin;
  for (int root : f.tree_root) sum += conditional_expectation(f, root, x, s);
  return sum;
}

// f(x_S, r_rest): the game baseline SHAP solves.
inline double baseline_value(const Forest& f, const float* x, const float* r, unsigned s) {
  std::vector<float> z(f.num_features);
  for (int j = 0; j < f.num_features; ++j) z[j] = (s & (1u << j)) ? x[j] : r[j];
  return predict_margin(f, z.data());
}

}  // namespace verdict::testing
