// Random XGBoost-format models for property tests: trees of random shape whose covers are
// consistent (a parent's cover is the sum of its children's), features repeating on paths.
#pragma once
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "shared/forest.h"

namespace verdict::testing {

struct RandomForestSpec {
  int trees = 5;
  int features = 6;
  int max_depth = 4;
  std::string objective = "binary:logistic";
  int num_class = 1;  // > 1: tree t belongs to class t % num_class, as XGBoost stores rounds
};

inline nlohmann::json random_xgboost_model(const RandomForestSpec& spec, std::mt19937& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> pick_feature(0, spec.features - 1);
  nlohmann::json trees = nlohmann::json::array();
  for (int t = 0; t < spec.trees; ++t) {
    std::vector<int> left, right, feature, dleft;
    std::vector<double> cond, hess;
    // Grow breadth-first; children always get larger indices.
    std::vector<int> depth;
    auto add = [&](int d) {
      left.push_back(-1), right.push_back(-1), feature.push_back(0), dleft.push_back(0);
      cond.push_back(unit(rng) * 2 - 1), hess.push_back(0), depth.push_back(d);
      return static_cast<int>(left.size()) - 1;
    };
    add(0);
    for (std::size_t i = 0; i < left.size(); ++i) {
      const bool split = depth[i] < spec.max_depth && (depth[i] == 0 || unit(rng) < 0.75);
      if (!split) continue;
      feature[i] = pick_feature(rng);
      cond[i] = static_cast<float>(unit(rng));
      dleft[i] = unit(rng) < 0.5;
      const int l = add(depth[i] + 1);
      const int r = add(depth[i] + 1);
      left[i] = l, right[i] = r;
    }
    // Covers: random at leaves, summed upwards (children have larger indices).
    for (std::size_t i = left.size(); i-- > 0;) {
      hess[i] = left[i] < 0 ? 1.0 + std::floor(unit(rng) * 50) : hess[left[i]] + hess[right[i]];
    }
    nlohmann::json tree;
    tree["left_children"] = left;
    tree["right_children"] = right;
    tree["split_indices"] = feature;
    tree["split_conditions"] = cond;
    tree["default_left"] = dleft;
    tree["sum_hessian"] = hess;
    tree["split_type"] = std::vector<int>(left.size(), 0);
    trees.push_back(tree);
  }
  nlohmann::json m;
  m["learner"]["objective"]["name"] = spec.objective;
  m["learner"]["learner_model_param"]["base_score"] = std::to_string(0.2 + 0.6 * unit(rng));
  m["learner"]["learner_model_param"]["num_feature"] = std::to_string(spec.features);
  m["learner"]["learner_model_param"]["num_class"] = spec.num_class > 1 ? std::to_string(spec.num_class) : "0";
  m["learner"]["gradient_booster"]["name"] = "gbtree";
  m["learner"]["gradient_booster"]["model"]["trees"] = trees;
  std::vector<int> tree_info(trees.size(), 0);
  if (spec.num_class > 1) {
    for (std::size_t t = 0; t < tree_info.size(); ++t) tree_info[t] = static_cast<int>(t) % spec.num_class;
  }
  m["learner"]["gradient_booster"]["model"]["tree_info"] = tree_info;
  return m;
}

// A random multi:softprob forest of `num_class` classes, `rounds` trees per class.
inline Forest random_multiclass_forest(std::mt19937& rng, int features, int num_class, int rounds, int depth) {
  return load_xgboost_json(
      random_xgboost_model({rounds * num_class, features, depth, "multi:softprob", num_class}, rng),
      ForestLoadOptions{true});
}

// A row of values in [0,1) with about one in six missing (NaN).
inline std::vector<float> random_row(int features, std::mt19937& rng, double missing = 1.0 / 6) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<float> row(features);
  for (float& v : row) v = unit(rng) < missing ? std::nanf("") : static_cast<float>(unit(rng));
  return row;
}

// A random forest and rows to explain: the property tests' usual case.
struct ForestCase {
  Forest forest;
  std::vector<std::vector<float>> rows;
};

// Draws the forest, then the rows, from rng (callers may go on drawing from it).
inline ForestCase random_forest_case(std::mt19937& rng, int features, int trees, int depth, double missing,
                                     int rows) {
  ForestCase c;
  c.forest = load_xgboost_json(random_xgboost_model({trees, features, depth}, rng));
  for (int i = 0; i < rows; ++i) c.rows.push_back(random_row(features, rng, missing));
  return c;
}

inline ForestCase random_forest_case(std::uint32_t seed, int features, int trees, int depth, double missing,
                                     int rows) {
  std::mt19937 rng(seed);
  return random_forest_case(rng, features, trees, depth, missing, rows);
}

}  // namespace verdict::testing
