#include "forest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

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

std::string string_field(const nlohmann::json& obj, const char* key, const std::string& path) {
  const nlohmann::json& v = field(obj, key, path);
  if (!v.is_string()) throw Error("model: field '" + path + "." + key + "' is not a string");
  return v.get<std::string>();
}

// A list of whole numbers that fit 32 bits, taken as they are: 1.5, "1" or 4294967297 are
// errors, never truncated. `booleans`: true/false read as 1/0 (default_left).
std::vector<std::int32_t> int_array_field(const nlohmann::json& obj, const char* key,
                                          const std::string& path, bool booleans = false) {
  const nlohmann::json& a = field(obj, key, path);
  if (!a.is_array()) throw Error("model: field '" + path + "." + key + "' is not a list");
  std::vector<std::int32_t> out;
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const nlohmann::json& v = a[i];
    const bool fits =
        (v.is_number_unsigned() && v.get<std::uint64_t>() <= INT32_MAX) ||
        (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() >= INT32_MIN &&
         v.get<std::int64_t>() <= INT32_MAX) ||
        (booleans && v.is_boolean());
    if (!fits) {
      throw Error("model: field '" + path + "." + key + "' node " + std::to_string(i) + " holds " +
                  v.dump() + ", not a whole number of 32 bits");
    }
    out.push_back(v.is_boolean() ? static_cast<std::int32_t>(v.get<bool>())
                                 : static_cast<std::int32_t>(v.get<std::int64_t>()));
  }
  return out;
}

// A count stored as a number or a string ("12"): whole, 0 <= n <= 2^31 - 1.
int count_field(const nlohmann::json& v, const std::string& path) {
  const double d = number_field(v, path);
  if (!(d >= 0 && d <= INT32_MAX && d == std::floor(d))) {
    throw Error("model: field '" + path + "' is " + v.dump() + ", not a count");
  }
  return static_cast<int>(d);
}

}  // namespace

Link link_of_objective(const std::string& objective) {
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
  if (objective == "multi:softprob" || objective == "multi:softmax") return Link::Softmax;
  throw Error("model: objective '" + objective +
              "' is not supported (binary, regression and multi-class objectives are)");
}

namespace {

// base_score is stored in prediction space; turn it into a margin (binary:logitraw's
// prediction space is the margin itself).
double base_margin_of(const std::string& objective, double base_score) {
  if (!std::isfinite(base_score)) {
    throw Error("model: field 'learner.learner_model_param.base_score' is not a finite number");
  }
  if (objective == "binary:logistic" || objective == "reg:logistic") {
    if (!(base_score > 0 && base_score < 1)) {
      throw Error("model: field 'learner.learner_model_param.base_score' must be in (0,1)");
    }
    return std::log(base_score / (1 - base_score));
  }
  if (objective == "count:poisson" || objective == "reg:gamma" || objective == "reg:tweedie") {
    if (!(base_score > 0)) {
      throw Error("model: field 'learner.learner_model_param.base_score' must be > 0 for '" +
                  objective + "'");
    }
    return std::log(base_score);
  }
  return base_score;
}

constexpr int kMaxDepth = 64;

}  // namespace

// Walks a tree from node 0 and checks that every node it reaches is reached once only (no loop,
// no node shared by two parents): O(nodes), whatever the arrays hold. Nodes never reached
// (XGBoost's pruned ones) are left alone. Returns the depth. Children are in range already.
int check_tree_shape(const std::vector<std::int32_t>& left, const std::vector<std::int32_t>& right,
                     const std::string& path) {
  std::vector<std::uint8_t> seen(left.size(), 0);
  std::vector<std::pair<std::int32_t, int>> stack = {{0, 0}};  // node, its depth
  seen[0] = 1;
  int depth = 0;
  while (!stack.empty()) {
    const auto [node, d] = stack.back();
    stack.pop_back();
    if (d > kMaxDepth) throw Error("model: '" + path + "' is deeper than 64 levels");
    depth = std::max(depth, d);
    if (left[node] == -1) continue;
    for (const std::int32_t child : {left[node], right[node]}) {
      if (seen[child]) {
        throw Error("model: '" + path + "' node " + std::to_string(child) +
                    " is reached twice from the root (again from node " + std::to_string(node) +
                    "): the children loop back or are shared, so this is not a tree");
      }
      seen[child] = 1;
      stack.emplace_back(child, d + 1);
    }
  }
  return depth;
}

int Forest::max_depth() const {
  int d = 0;
  for (std::uint8_t t : depth_of_tree) d = std::max<int>(d, t);
  return d;
}

Forest load_xgboost_json(const nlohmann::json& model, ForestLoadOptions options) {
  const nlohmann::json& learner = field(model, "learner", "");
  Forest f;
  const nlohmann::json& objective = field(learner, "objective", "learner");
  f.objective = string_field(objective, "name", "learner.objective");
  f.link = link_of_objective(f.objective);
  if (f.link == Link::Softmax && !options.multiclass) {
    throw Error("model: objective '" + f.objective +
                "' is not supported here: this path reads binary and regression models only, not multi-class");
  }
  const nlohmann::json& mparam = field(learner, "learner_model_param", "learner");
  const std::string mpath = "learner.learner_model_param";
  f.base_margin = base_margin_of(
      f.objective, number_field(field(mparam, "base_score", mpath), mpath + ".base_score"));
  f.num_features = count_field(field(mparam, "num_feature", mpath), mpath + ".num_feature");
  const int num_class = mparam.contains("num_class") ? count_field(mparam["num_class"], mpath + ".num_class") : 0;
  if (f.link == Link::Softmax) {
    if (num_class < 2) {
      throw Error("model: field '" + mpath + ".num_class' must be at least 2 for '" + f.objective + "'");
    }
    f.num_class = num_class;
  } else if (num_class > 1) {
    throw Error("model: field '" + mpath + ".num_class' > 1 with objective '" + f.objective +
                "', which is not multi-class");
  }
  if (learner.contains("feature_names") && learner["feature_names"].is_array()) {
    for (const nlohmann::json& name : learner["feature_names"]) {
      if (!name.is_string()) throw Error("model: field 'learner.feature_names' holds a value that is not a string");
      f.feature_names.push_back(name.get<std::string>());
    }
  }

  const nlohmann::json& booster = field(learner, "gradient_booster", "learner");
  const std::string bname = string_field(booster, "name", "learner.gradient_booster");
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
    auto lc = int_array_field(tree, "left_children", path);
    auto rc = int_array_field(tree, "right_children", path);
    auto si = int_array_field(tree, "split_indices", path);
    auto sc = array_field<double>(tree, "split_conditions", path);
    auto dl = int_array_field(tree, "default_left", path, true);
    auto sh = array_field<double>(tree, "sum_hessian", path);
    const std::size_t n = lc.size();
    if (n == 0 || rc.size() != n || si.size() != n || sc.size() != n || dl.size() != n ||
        sh.size() != n) {
      throw Error("model: node arrays of '" + path + "' are empty or of different lengths");
    }
    if (f.left.size() + n > INT32_MAX) throw Error("model: more than 2^31 - 1 nodes in all");
    if (tree.contains("split_type")) {
      for (int st : int_array_field(tree, "split_type", path)) {
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
      // XGBoost keeps covers as float32 and prints them in shortest form: rounding the parsed
      // double back to float32 gives XGBoost's own number (and a compact form for the page).
      const float cover = static_cast<float>(sh[i]);
      if (!std::isfinite(cover)) {
        throw Error("model: '" + path + ".sum_hessian' node " + std::to_string(i) + " is not finite as a float32");
      }
      f.cover.push_back(static_cast<double>(cover));
    }
    f.depth_of_tree.push_back(static_cast<std::uint8_t>(check_tree_shape(lc, rc, path)));
  }
  const nlohmann::json& gparam = field(booster, "model", "learner.gradient_booster");
  if (f.num_class > 1) {
    // Each tree adds to one class's margin: tree_info names it.
    const std::string ipath = "learner.gradient_booster.model.tree_info";
    f.tree_class = int_array_field(gparam, "tree_info", "learner.gradient_booster.model");
    if (f.tree_class.size() != f.num_trees()) {
      throw Error("model: field '" + ipath + "' has " + std::to_string(f.tree_class.size()) +
                  " entries for " + std::to_string(f.num_trees()) + " trees");
    }
    for (std::size_t t = 0; t < f.tree_class.size(); ++t) {
      if (f.tree_class[t] < 0 || f.tree_class[t] >= f.num_class) {
        throw Error("model: field '" + ipath + "' tree " + std::to_string(t) + " names class " +
                    std::to_string(f.tree_class[t]) + " of " + std::to_string(f.num_class));
      }
    }
  } else if (gparam.contains("tree_info")) {
    for (int g : int_array_field(gparam, "tree_info", "learner.gradient_booster.model")) {
      if (g != 0) throw Error("model: 'tree_info' has more than one output group (multi-class)");
    }
  }
  return f;
}

}  // namespace verdict
