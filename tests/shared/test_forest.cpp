#include <catch2/catch.hpp>

#include "random_forest.h"
#include "shared/error.h"
#include "shared/forest.h"
#include "shared/predict.h"

using namespace verdict;

namespace {

// One stump on feature 0 at 0.5 (NaN goes right), base_score 0.5, plus a pruned node left
// in the arrays (index 3), as XGBoost leaves them.
nlohmann::json stump(const std::string& objective = "binary:logistic") {
  return nlohmann::json::parse(R"({"learner": {
    "objective": {"name": ")" + objective + R"("},
    "learner_model_param": {"base_score": "5E-1", "num_feature": "2", "num_class": "0"},
    "gradient_booster": {"name": "gbtree", "model": {"tree_info": [0], "trees": [{
      "left_children": [1, -1, -1, -1], "right_children": [2, -1, -1, -1],
      "split_indices": [0, 0, 0, 1], "split_conditions": [0.5, -1.5, 2.0, 99.0],
      "default_left": [0, 0, 0, 0], "sum_hessian": [10, 4, 6, 1], "split_type": [0, 0, 0, 0]}]}}}})");
}

}  // namespace

TEST_CASE("a stump predicts margins and probabilities by XGBoost's rules", "[forest]") {
  const Forest f = load_xgboost_json(stump());
  REQUIRE(f.num_trees() == 1);
  REQUIRE(f.num_features == 2);
  CHECK(f.base_margin == Approx(0.0));
  const float left[] = {0.25f, 0.f}, equal[] = {0.5f, 0.f}, missing[] = {std::nanf(""), 0.f};
  CHECK(predict_margin(f, left) == Approx(-1.5));
  CHECK(predict_margin(f, equal) == Approx(2.0));  // equality goes right
  CHECK(predict_margin(f, missing) == Approx(2.0));  // default right
  CHECK(apply_link(f.link, 0.0) == Approx(0.5));
}

TEST_CASE("base_score becomes a margin through the objective's link", "[forest]") {
  auto m = stump("reg:squarederror");
  m["learner"]["learner_model_param"]["base_score"] = "[2.5E0]";  // XGBoost 2.1+ spelling
  const Forest reg = load_xgboost_json(m);
  CHECK(reg.base_margin == Approx(2.5));
  CHECK(reg.link == Link::Identity);
  auto p = stump();
  p["learner"]["learner_model_param"]["base_score"] = "0.8";
  CHECK(load_xgboost_json(p).base_margin == Approx(std::log(0.8 / 0.2)));
}

TEST_CASE("the loader names the field it cannot use", "[forest]") {
  auto m = stump();
  m["learner"]["gradient_booster"]["model"]["trees"][0].erase("sum_hessian");
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("trees[0].sum_hessian"));

  m = stump("multi:softprob");
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("objective 'multi:softprob' is not supported"));

  m = stump();
  m["learner"]["gradient_booster"]["name"] = "gblinear";
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("learner.gradient_booster.name"));

  m = stump();
  m["learner"]["gradient_booster"]["model"]["trees"][0]["split_indices"][0] = 7;
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("names feature 7 of 2"));

  m = stump();
  m["learner"]["gradient_booster"]["model"]["trees"][0]["left_children"][0] = 9;
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("child out of range"));

  m = stump();
  m["learner"]["gradient_booster"]["model"]["trees"][0]["split_type"][0] = 1;
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("categorical splits"));

  CHECK_THROWS_WITH(load_xgboost_json(nlohmann::json::object()), Catch::Contains("missing field '.learner'"));
}

TEST_CASE("random models load with every tree reachable from its root", "[forest]") {
  std::mt19937 rng(5);
  const Forest f = load_xgboost_json(testing::random_xgboost_model({30, 8, 6}, rng));
  CHECK(f.num_trees() == 30);
  CHECK(f.max_depth() <= 6);
  for (int i = 0; i < 50; ++i) {
    const auto row = testing::random_row(8, rng);
    CHECK(std::isfinite(predict_margin(f, row.data())));
  }
}

TEST_CASE("predict_margins equals predict_margin row by row, bit for bit", "[forest]") {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const int features = 1 + static_cast<int>(rng() % 8);
    const Forest f = load_xgboost_json(testing::random_xgboost_model({1 + trial * 3, features, 1 + trial % 7}, rng));
    const std::size_t n = rng() % 40;  // blocks of 8 and a rest
    std::vector<float> rows;
    for (std::size_t r = 0; r < n; ++r) {
      const auto row = testing::random_row(features, rng);  // with missing values
      rows.insert(rows.end(), row.begin(), row.end());
    }
    std::vector<double> out(n, -1);
    predict_margins(f, rows.data(), n, static_cast<std::size_t>(features), out.data());
    for (std::size_t r = 0; r < n; ++r) REQUIRE(out[r] == predict_margin(f, &rows[r * features]));
  }
}

namespace {

nlohmann::json& tree0(nlohmann::json& m) { return m["learner"]["gradient_booster"]["model"]["trees"][0]; }

// One tree whose node arrays are given; every other array is filled in to match.
nlohmann::json with_children(const std::vector<int>& left, const std::vector<int>& right) {
  auto m = stump("reg:squarederror");
  const std::size_t n = left.size();
  auto& t = tree0(m);
  t["left_children"] = left;
  t["right_children"] = right;
  t["split_indices"] = std::vector<int>(n, 0);
  t["split_conditions"] = std::vector<double>(n, 0.5);
  t["default_left"] = std::vector<int>(n, 0);
  t["sum_hessian"] = std::vector<double>(n, 1.0);
  t["split_type"] = std::vector<int>(n, 0);
  return m;
}

}  // namespace

TEST_CASE("a tree whose children loop back or share a node is refused, in O(nodes)", "[forest]") {
  // Node 1's children are node 1 itself: a walk from the root never ends.
  CHECK_THROWS_WITH(load_xgboost_json(with_children({1, 1, -1}, {2, 1, -1})),
                    Catch::Contains("trees[0]") && Catch::Contains("node 1") && Catch::Contains("reached twice"));
  // Two inner nodes share their children (a DAG, not a tree).
  CHECK_THROWS_WITH(load_xgboost_json(with_children({1, 3, 3, -1, -1}, {2, 4, 4, -1, -1})),
                    Catch::Contains("trees[0]") && Catch::Contains("node 3") && Catch::Contains("reached twice"));
  // A chain of 40 nodes each pointing both ways at the next: 2^40 root-to-leaf paths, each
  // node reached once per path. The check must not walk paths.
  std::vector<int> left, right;
  for (int i = 0; i < 40; ++i) left.push_back(i + 1), right.push_back(i + 1);
  left.push_back(-1), right.push_back(-1);
  CHECK_THROWS_WITH(load_xgboost_json(with_children(left, right)), Catch::Contains("node 1 is reached twice"));
  // Children pointing back at a node above (node 2 -> node 1) form a loop too.
  CHECK_THROWS_WITH(load_xgboost_json(with_children({1, 3, 1, -1, -1}, {2, 4, 4, -1, -1})),
                    Catch::Contains("reached twice"));
  // A deep but honest tree (a chain of 60 splits) loads; 65 levels are refused.
  // Split i is node 2i: its left child a leaf (2i + 1), its right child the next split.
  auto chain = [](int depth) {
    std::vector<int> l(2 * depth + 1, -1), r(2 * depth + 1, -1);
    for (int i = 0; i < depth; ++i) l[2 * i] = 2 * i + 1, r[2 * i] = 2 * i + 2;
    return std::make_pair(l, r);
  };
  auto [l60, r60] = chain(60);
  const Forest deep = load_xgboost_json(with_children(l60, r60));
  CHECK(deep.max_depth() == 60);
  auto [l65, r65] = chain(65);
  CHECK_THROWS_WITH(load_xgboost_json(with_children(l65, r65)), Catch::Contains("deeper than 64 levels"));
}

TEST_CASE("num_feature must be a whole number of features", "[forest]") {
  for (const char* bad : {"nan", "1e10", "-1", "2.5", "inf"}) {
    auto m = stump();
    m["learner"]["learner_model_param"]["num_feature"] = bad;
    CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("learner_model_param.num_feature") && Catch::Contains(bad));
  }
  auto m = stump();
  m["learner"]["learner_model_param"]["num_feature"] = 2;  // a JSON number is fine too
  CHECK(load_xgboost_json(m).num_features == 2);
}

TEST_CASE("base_score must be a finite number", "[forest]") {
  for (const char* bad : {"nan", "inf", "1e400"}) {
    auto m = stump("reg:squarederror");
    m["learner"]["learner_model_param"]["base_score"] = bad;
    CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("base_score"));
  }
}

TEST_CASE("child and split indices are whole 32-bit numbers, never truncated", "[forest]") {
  const nlohmann::json bad_values[] = {1.5, -2, 4294967297ULL, "1", nullptr};
  for (const char* key : {"left_children", "right_children", "split_indices"}) {
    for (const nlohmann::json& bad : bad_values) {
      auto m = stump();
      tree0(m)[key][0] = bad;
      INFO(key << " = " << bad.dump());
      CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("trees[0]") && Catch::Contains("node 0"));
    }
  }
  for (const char* key : {"default_left", "split_type"}) {
    auto m = stump();
    tree0(m)[key][0] = 0.5;
    CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains(key) && Catch::Contains("node 0"));
  }
  // What XGBoost itself writes still loads: a pruned node keeps split index 2^31 - 1 and a
  // leaf's split index is any feature.
  auto m = stump();
  tree0(m)["split_indices"] = {0, 1, 0, 2147483647};
  tree0(m)["default_left"] = {true, false, false, false};
  const Forest f = load_xgboost_json(m);
  const float missing[] = {std::nanf(""), 0.f};
  CHECK(predict_margin(f, missing) == Approx(-1.5));  // default left now
}

TEST_CASE("fields of the wrong JSON type are errors naming the field", "[forest]") {
  auto m = stump();
  m["learner"]["objective"]["name"] = 7;
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("learner.objective.name"));
  m = stump();
  m["learner"]["feature_names"] = {"a", 2};
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("learner.feature_names"));
  m = stump();
  m["learner"]["gradient_booster"]["model"]["tree_info"] = {0.5};
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("tree_info"));
  m = stump();
  m["learner"]["learner_model_param"]["num_class"] = "nan";
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("num_class"));
}
