#include "shap_tree.h"

#include <algorithm>

#include "predict.h"

namespace verdict {

namespace {

using PathElement = TreeShap::PathElement;

double mean_value(const Forest& f, int node) {
  if (f.is_leaf(node)) return f.value[node];
  const double l = mean_value(f, f.left[node]);
  const double r = mean_value(f, f.right[node]);
  const double cl = f.cover[f.left[node]];
  const double cr = f.cover[f.right[node]];
  // Divided by the node's own cover, as XGBoost does (its sum_hess): float32 covers need not add
  // up, and the paths' cover ratios (child / node) are taken against the same number, so φ0 and
  // the attributions add up to the margin.
  const double w = f.cover[node] > 0 ? static_cast<double>(f.cover[node]) : cl + cr;
  return (l * cl + r * cr) / w;
}

}  // namespace

double tree_expected_value(const Forest& forest) {
  double e = forest.base_margin;
  for (std::int32_t root : forest.tree_root) e += mean_value(forest, root);
  return e;
}

namespace {

void extend_path(PathElement* path, int depth, double zero_fraction, double one_fraction,
                 int feature) {
  path[depth] = {feature, zero_fraction, one_fraction, depth == 0 ? 1.0 : 0.0};
  for (int i = depth - 1; i >= 0; --i) {
    path[i + 1].weight += one_fraction * path[i].weight * (i + 1) / (depth + 1);
    path[i].weight = zero_fraction * path[i].weight * (depth - i) / (depth + 1);
  }
}

void unwind_path(PathElement* path, int depth, int index) {
  const double one = path[index].one_fraction;
  const double zero = path[index].zero_fraction;
  double next_one_portion = path[depth].weight;
  for (int i = depth - 1; i >= 0; --i) {
    if (one != 0) {
      const double tmp = path[i].weight;
      path[i].weight = next_one_portion * (depth + 1) / ((i + 1) * one);
      next_one_portion = tmp - path[i].weight * zero * (depth - i) / (depth + 1);
    } else {
      path[i].weight = path[i].weight * (depth + 1) / (zero * (depth - i));
    }
  }
  for (int i = index; i < depth; ++i) {
    path[i].feature = path[i + 1].feature;
    path[i].zero_fraction = path[i + 1].zero_fraction;
    path[i].one_fraction = path[i + 1].one_fraction;
  }
}

double unwound_path_sum(const PathElement* path, int depth, int index) {
  const double one = path[index].one_fraction;
  const double zero = path[index].zero_fraction;
  double next_one_portion = path[depth].weight;
  double total = 0;
  for (int i = depth - 1; i >= 0; --i) {
    if (one != 0) {
      const double tmp = next_one_portion * (depth + 1) / ((i + 1) * one);
      total += tmp;
      next_one_portion = path[i].weight - tmp * zero * (depth - i) / (depth + 1);
    } else {
      total += path[i].weight / zero / ((depth - i) / static_cast<double>(depth + 1));
    }
  }
  return total;
}

}  // namespace

TreeShap::TreeShap(const Forest& forest) : forest_(forest) {
  expected_value_ = tree_expected_value(forest);
  const std::size_t levels = static_cast<std::size_t>(forest.max_depth()) + 2;
  path_.resize(levels * (levels + 1) / 2 + levels);
}

void TreeShap::explain(const float* row, double* phi) {
  std::fill(phi, phi + forest_.num_features, 0.0);
  for (std::int32_t root : forest_.tree_root) {
    recurse(row, phi, root, 0, path_.data(), 1.0, 1.0, -1);
  }
}

void TreeShap::explain_tree(std::int32_t root, const float* row, double* phi) {
  recurse(row, phi, root, 0, path_.data(), 1.0, 1.0, -1);
}

void TreeShap::recurse(const float* row, double* phi, int node, int depth,
                       PathElement* parent_path, double parent_zero, double parent_one,
                       int parent_feature) {
  const Forest& f = forest_;
  PathElement* path = parent_path + depth + 1;
  std::copy(parent_path, parent_path + depth + 1, path);
  extend_path(path, depth, parent_zero, parent_one, parent_feature);

  if (f.is_leaf(node)) {
    const double v = f.value[node];
    for (int i = 1; i <= depth; ++i) {
      const double w = unwound_path_sum(path, depth, i);
      phi[path[i].feature] += w * (path[i].one_fraction - path[i].zero_fraction) * v;
    }
    return;
  }
  const int hot = child_of(f, node, row);
  const int cold = hot == f.left[node] ? f.right[node] : f.left[node];
  const double w = f.cover[node];
  const double hot_zero = f.cover[hot] / w;
  const double cold_zero = f.cover[cold] / w;
  double incoming_zero = 1;
  double incoming_one = 1;
  const int split = f.feature[node];
  int k = 0;
  for (; k <= depth; ++k) {
    if (path[k].feature == split) break;
  }
  if (k != depth + 1) {
    incoming_zero = path[k].zero_fraction;
    incoming_one = path[k].one_fraction;
    unwind_path(path, depth, k);
    depth -= 1;
  }
  recurse(row, phi, hot, depth + 1, path, hot_zero * incoming_zero, incoming_one, split);
  recurse(row, phi, cold, depth + 1, path, cold_zero * incoming_zero, 0, split);
}

}  // namespace verdict
