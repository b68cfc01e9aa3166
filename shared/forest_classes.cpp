#include "forest_classes.h"

#include <string>

#include "error.h"

namespace verdict {

Forest forest_of_class(const Forest& f, int k) {
  if (k < 0 || k >= f.num_class) {
    throw Error("class " + std::to_string(k) + " is not one of the model's " + std::to_string(f.num_class));
  }
  if (f.num_class <= 1) return f;
  Forest out;
  out.num_features = f.num_features;
  out.base_margin = f.base_margin;
  out.link = Link::Identity;
  out.objective = f.objective;
  out.feature_names = f.feature_names;
  for (std::size_t t = 0; t < f.num_trees(); ++t) {
    if (f.tree_class[t] != k) continue;
    const std::int32_t begin = f.tree_root[t];
    const auto end = static_cast<std::int32_t>(t + 1 < f.num_trees() ? f.tree_root[t + 1] : f.num_nodes());
    const auto shift = static_cast<std::int32_t>(out.num_nodes()) - begin;
    out.tree_root.push_back(begin + shift);
    for (std::int32_t i = begin; i < end; ++i) {
      out.left.push_back(f.left[i] < 0 ? f.left[i] : f.left[i] + shift);
      out.right.push_back(f.right[i] < 0 ? f.right[i] : f.right[i] + shift);
      out.feature.push_back(f.feature[i]);
      out.threshold.push_back(f.threshold[i]);
      out.default_left.push_back(f.default_left[i]);
      out.value.push_back(f.value[i]);
      out.cover.push_back(f.cover[i]);
    }
    out.depth_of_tree.push_back(f.depth_of_tree[t]);
  }
  return out;
}

std::vector<Forest> forests_by_class(const Forest& forest) {
  std::vector<Forest> out;
  out.reserve(static_cast<std::size_t>(forest.num_class));
  for (int k = 0; k < forest.num_class; ++k) out.push_back(forest_of_class(forest, k));
  return out;
}

}  // namespace verdict
