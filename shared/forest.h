// A tree ensemble as flat structure-of-arrays, loaded from XGBoost's JSON model.
// Node indices are global (trees concatenated); a leaf has left == -1.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace verdict {

// How a margin becomes a prediction. Softmax: K margins become K probabilities (multi-class).
enum class Link { Identity, Logistic, Exp, Softmax };

struct Forest {
  std::vector<std::int32_t> tree_root;  // first node of each tree
  std::vector<std::int32_t> left, right, feature;
  std::vector<float> threshold;             // x < threshold goes left (float32 compare)
  std::vector<std::uint8_t> default_left;   // where NaN goes
  std::vector<double> value;                // leaf value (learning rate applied)
  std::vector<double> cover;                // sum of hessians of the training rows
  std::vector<std::uint8_t> depth_of_tree;  // max depth per tree
  int num_features = 0;
  double base_margin = 0;  // margin added to every prediction
  Link link = Link::Identity;
  std::string objective;
  std::vector<std::string> feature_names;  // may be empty
  // Multi-class (multi:softprob / multi:softmax): num_class margins, each base_margin plus the
  // leaves of its own trees; tree_class[t] is tree t's class (XGBoost's tree_info). A
  // single-output forest has num_class 1 and tree_class empty.
  int num_class = 1;
  std::vector<std::int32_t> tree_class;

  std::size_t num_trees() const { return tree_root.size(); }
  std::size_t num_nodes() const { return left.size(); }
  bool is_leaf(std::int32_t node) const { return left[node] < 0; }
  int max_depth() const;
};

// The link XGBoost applies for an objective; throws verdict::Error for one not supported.
Link link_of_objective(const std::string& objective);

// Walks one tree (local node indices, children already in range, leaf: left == -1) from node 0
// and checks every reachable node is reached once (no loop, no shared child), at most 64
// levels deep. Returns its depth; throws verdict::Error naming `path` otherwise.
int check_tree_shape(const std::vector<std::int32_t>& left, const std::vector<std::int32_t>& right,
                     const std::string& path);

struct ForestLoadOptions {
  // Accept multi:softprob / multi:softmax. Off by default: a caller that reads one margin per
  // row gets the loader's refusal rather than a sum over every class's trees.
  bool multiclass = false;
};

// Loads a model saved by XGBoost (1.x to 2.x JSON, booster gbtree). Throws verdict::Error
// naming the offending field for anything it cannot represent.
Forest load_xgboost_json(const nlohmann::json& model, ForestLoadOptions options = {});

}  // namespace verdict
