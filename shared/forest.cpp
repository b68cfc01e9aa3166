#include "forest.h"

#include <algorithm>
#include <cmath>

#include "error.h"

namespace verdict {

namespace {

const nlohmann::json& field(const nlohmann::json& obj, const char* key, const std::string& path) {
  if (!obj.is_object()) throw Error("model: '" + path + "' is not an object");
  auto it = obj.find(key);
  if (it == obj.end()) throw Error("model: missing field '" + path + "." + key + "'");
  return *it;
}

// XGBoost writes numbers in its JSON as strings ("5E-1"), and 2.1+ as "[5E-1]".
double number_field(const nlohmann::json& v, const std::string& path) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '[' || c == ']'; }),
            s.end());
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return d;
  }
  throw Error("model: field '" + path + "' is not a number");
}

template <typename T>
std::vector<T> array_field(const nlohmann::json& tree, const char* key, const std::string& path) {
  const nlohmann::json& a = field(tree, key, path);
  if (!a.is_array()) throw Error("model: field '" + path + "." + key + "' is not a list");
  try {
    return a.get<std::vector<T>>();
  } catch (const nlohmann::json::exception&) {
    throw Error("model: field '" + path + "." + key + "' holds a value of the wrong type");
  }
}

Link link_of(const std::string& objective) {
  if (objective == "binary:logistic" || objective == "reg:logistic" ||
      objective == "binary:logitraw") {
    return objective == "binary:logitraw" ? Link::Identity : Link::Logistic;
  }
  if (objective == "reg:squarederror" || objective == "reg:linear" ||
      objective == "reg:absoluteerror" || objective == "reg:pseudohubererror" ||
      objective == "reg:squaredlogerror" || objective == "reg:quantileerror") {
    return Link::Identity;
  }
  if (objective == "count:poisson" || objective == "reg:gamma" || objective == "reg:tweedie") {
    return Link::Exp;
  }
  throw Error("model: objective '" + objective +
              "' is not supported (binary and regression objectives are)");
}

// base_score is stored in prediction space; turn it into a margin (binary:logitraw's
// prediction space is the margin itself).
double base_margin_of(const std::string& objective, double base_score) {
  if (objective == "binary:logistic" || objective == "reg:logistic") {
    if (!(base_score > 0 && base_score < 1)) {
      throw Error("model: field 'learner.learner_model_param.base_score' must be in (0,1)");
    }
    return std::log(base_score / (1 - base_score));
  }
  if (objective == "count:poisson" || objective == "reg:gamma" || objective == "reg:tweedie") {
    return std::log(base_score);
  }
  return base_score;
}

// Depth below `node`; a malformed tree (a cycle) stops at kMaxDepth instead of looping.
constexpr int kMaxDepth = 64;
int tree_depth(const Forest& f, std::int32_t node, int level = 0) {
  if (f.is_leaf(node) || level > kMaxDepth) return 0;
  return 1 + std::max(tree_depth(f, f.left[node], level + 1),
                      tree_depth(f, f.right[node], level + 1));
}

}  // namespace

int Forest::max_depth() const {
  int d = 0;
  for (std::uint8_t t : depth_of_tree) d = std::max<int>(d, t);
  return d;
}

Forest load_xgboost_json(const nlohmann::json& model) {
  const nlohmann::json& learner = field(model, "learner", "");
  Forest f;
  const nlohmann::json& objective = field(learner, "objective", "learner");
  f.objective = field(objective, "name", "learner.objective").get<std::string>();
  f.link = link_of(f.objective);
  const nlohmann::json& mparam = field(learner, "learner_model_param", "learner");
  const std::string mpath = "learner.learner_model_param";
  f.base_margin = base_margin_of(
      f.objective, number_field(field(mparam, "base_score", mpath), mpath + ".base_score"));
  f.num_features =
      static_cast<int>(number_field(field(mparam, "num_feature", mpath), mpath + ".num_feature"));
  if (mparam.contains("num_class") && number_field(mparam["num_class"], mpath) > 1) {
    throw Error("model: field '" + mpath + ".num_class' > 1: multi-class models are not supported");
  }
  if (learner.contains("feature_names") && learner["feature_names"].is_array()) {
    f.feature_names = learner["feature_names"].get<std::vector<std::string>>();
  }

  const nlohmann::json& booster = field(learner, "gradient_booster", "learner");
  const std::string bname = field(booster, "name", "learner.gradient_booster").get<std::string>();
  if (bname != "gbtree") {
    throw Error("model: field 'learner.gradient_booster.name' is '" + bname +
                "'; only gbtree is supported");
  }
  const nlohmann::json& trees =
      field(field(booster, "model", "learner.gradient_booster"), "trees",
            "learner.gradient_booster.model");
  if (!trees.is_array()) throw Error("model: field 'learner.gradient_booster.model.trees' is not a list");

  for (std::size_t t = 0; t < trees.size(); ++t) {
    const std::string path = "learner.gradient_booster.model.trees[" + std::to_string(t) + "]";
    const nlohmann::json& tree = trees[t];
    auto lc = array_field<std::int32_t>(tree, "left_children", path);
    auto rc = array_field<std::int32_t>(tree, "right_children", path);
    auto si = array_field<std::int32_t>(tree, "split_indices", path);
    auto sc = array_field<double>(tree, "split_conditions", path);
    auto dl = array_field<int>(tree, "default_left", path);
    auto sh = array_field<double>(tree, "sum_hessian", path);
    const std::size_t n = lc.size();
    if (n == 0 || rc.size() != n || si.size() != n || sc.size() != n || dl.size() != n ||
        sh.size() != n) {
      throw Error("model: node arrays of '" + path + "' are empty or of different lengths");
    }
    if (tree.contains("split_type")) {
      for (int st : tree["split_type"].get<std::vector<int>>()) {
        if (st != 0) throw Error("model: '" + path + ".split_type': categorical splits are not supported");
      }
    }
    const auto root = static_cast<std::int32_t>(f.left.size());
    f.tree_root.push_back(root);
    for (std::size_t i = 0; i < n; ++i) {
      const bool leaf = lc[i] == -1;
      if (!leaf) {
        if (lc[i] <= 0 || rc[i] <= 0 || static_cast<std::size_t>(lc[i]) >= n ||
            static_cast<std::size_t>(rc[i]) >= n) {
          throw Error("model: '" + path + "' node " + std::to_string(i) + " has a child out of range");
        }
        if (si[i] < 0 || si[i] >= f.num_features) {
          throw Error("model: '" + path + ".split_indices' node " + std::to_string(i) +
                      " names feature " + std::to_string(si[i]) + " of " +
                      std::to_string(f.num_features));
        }
      }
      f.left.push_back(leaf ? -1 : root + lc[i]);
      f.right.push_back(leaf ? -1 : root + rc[i]);
      f.feature.push_back(leaf ? 0 : si[i]);
      f.threshold.push_back(static_cast<float>(sc[i]));
      f.default_left.push_back(dl[i] != 0);
      f.value.push_back(static_cast<double>(static_cast<float>(sc[i])));
      f.cover.push_back(sh[i]);
    }
    int d = tree_depth(f, root);
    if (d > kMaxDepth) throw Error("model: '" + path + "' is deeper than 64 levels");
    f.depth_of_tree.push_back(static_cast<std::uint8_t>(d));
  }
  const nlohmann::json& gparam = field(booster, "model", "learner.gradient_booster");
  if (gparam.contains("tree_info")) {
    for (int g : gparam["tree_info"].get<std::vector<int>>()) {
      if (g != 0) throw Error("model: 'tree_info' has more than one output group (multi-class)");
    }
  }
  return f;
}

}  // namespace verdict
