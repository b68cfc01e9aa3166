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
