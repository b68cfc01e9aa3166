// Multi-class forests: the loader's tree_info, one margin per class, softmax, class views.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "random_forest.h"
#include "shared/error.h"
#include "shared/forest.h"
#include "shared/forest_classes.h"
#include "shared/forest_pack.h"
#include "shared/predict.h"

using namespace verdict;
using namespace verdict::testing;

namespace {

// Three classes, one stump each: class k's leaves are (k, 10 + k), split on feature k at 0.5.
nlohmann::json three_stumps() {
  nlohmann::json trees = nlohmann::json::array();
  for (int k = 0; k < 3; ++k) {
    trees.push_back({{"left_children", {1, -1, -1}},
                     {"right_children", {2, -1, -1}},
                     {"split_indices", {k, 0, 0}},
                     {"split_conditions", {0.5, k, 10 + k}},
                     {"default_left", {1, 0, 0}},
                     {"sum_hessian", {4, 1, 3}}});
  }
  nlohmann::json m;
  m["learner"]["objective"]["name"] = "multi:softprob";
  m["learner"]["learner_model_param"] = {{"base_score", "5E-1"}, {"num_feature", "3"}, {"num_class", "3"}};
  m["learner"]["gradient_booster"]["name"] = "gbtree";
  m["learner"]["gradient_booster"]["model"]["trees"] = trees;
  m["learner"]["gradient_booster"]["model"]["tree_info"] = {0, 1, 2};
  return m;
}

}  // namespace

TEST_CASE("a multi:softprob model loads only when asked for, with a class per tree", "[forest][multiclass]") {
  CHECK_THROWS_WITH(load_xgboost_json(three_stumps()),
                    Catch::Contains("objective 'multi:softprob' is not supported here"));
  const Forest f = load_xgboost_json(three_stumps(), {true});
  CHECK(f.num_class == 3);
  CHECK(f.link == Link::Softmax);
  CHECK(f.tree_class == std::vector<std::int32_t>{0, 1, 2});
  CHECK(f.base_margin == 0.5);  // base_score is a margin for every class: no logit
  CHECK(std::string(link_name(f.link)) == "softmax");

  auto m = three_stumps();
  m["learner"]["objective"]["name"] = "multi:softmax";
  CHECK(load_xgboost_json(m, {true}).num_class == 3);
}

TEST_CASE("the loader refuses a multi-class model it cannot group", "[forest][multiclass]") {
  auto m = three_stumps();
  m["learner"]["gradient_booster"]["model"]["tree_info"] = {0, 1};
  CHECK_THROWS_WITH(load_xgboost_json(m, {true}), Catch::Contains("tree_info' has 2 entries for 3 trees"));
  m["learner"]["gradient_booster"]["model"]["tree_info"] = {0, 3, 1};
  CHECK_THROWS_WITH(load_xgboost_json(m, {true}), Catch::Contains("tree 1 names class 3 of 3"));
  m = three_stumps();
  m["learner"]["gradient_booster"]["model"].erase("tree_info");
  CHECK_THROWS_WITH(load_xgboost_json(m, {true}), Catch::Contains("tree_info"));
  m = three_stumps();
  m["learner"]["learner_model_param"]["num_class"] = "1";
  CHECK_THROWS_WITH(load_xgboost_json(m, {true}), Catch::Contains("num_class' must be at least 2"));
  m = three_stumps();
  m["learner"]["objective"]["name"] = "binary:logistic";
  CHECK_THROWS_WITH(load_xgboost_json(m, {true}), Catch::Contains("num_class' > 1 with objective 'binary:logistic'"));
}

TEST_CASE("each class's margin sums its own trees; softmax and the predicted class follow", "[predict][multiclass]") {
  const Forest f = load_xgboost_json(three_stumps(), {true});
  const float row[] = {0.25f, 0.75f, std::nanf("")};  // class 0 left, class 1 right, class 2 default left
  double margin[3], prob[3];
  predict_class_margins(f, row, margin);
  CHECK(margin[0] == 0.5 + 0);
  CHECK(margin[1] == 0.5 + 11);
  CHECK(margin[2] == 0.5 + 2);
  softmax(margin, 3, prob);
  const double z = std::exp(0.5) + std::exp(11.5) + std::exp(2.5);
  for (int k = 0; k < 3; ++k) CHECK(prob[k] == Approx(std::exp(margin[k]) / z).epsilon(1e-14));
  CHECK(prob[0] + prob[1] + prob[2] == Approx(1.0).epsilon(1e-15));
  CHECK(predicted_class(margin, 3) == 1);
  const double tie[] = {1.0, 3.0, 3.0};
  CHECK(predicted_class(tie, 3) == 1);  // the first of equal margins, as XGBoost's argmax

  CHECK_THROWS_WITH(predict_margin(f, row), Catch::Contains("one margin per class"));
  CHECK_THROWS_WITH(MarginPredictor(f), Catch::Contains("one margin per class"));
  CHECK_THROWS_WITH(apply_link(f.link, 0.0), Catch::Contains("softmax"));
}

TEST_CASE("softmax stays finite for large margins", "[predict][multiclass]") {
  const double margin[] = {1000.0, 999.0, -1000.0};
  double prob[3];
  softmax(margin, 3, prob);
  CHECK(prob[0] == Approx(1.0 / (1.0 + std::exp(-1.0))).epsilon(1e-14));
  CHECK(prob[2] == 0.0);
}

TEST_CASE("a class view holds that class's trees and predicts its margin", "[forest][multiclass]") {
  std::mt19937 rng(5);
  const Forest f = random_multiclass_forest(rng, 6, 4, 7, 4);
  REQUIRE(f.num_trees() == 28);
  const std::vector<Forest> views = forests_by_class(f);
  REQUIRE(views.size() == 4);
  std::size_t nodes = 0;
  for (const Forest& v : views) {
    CHECK(v.num_class == 1);
    CHECK(v.tree_class.empty());
    CHECK(v.link == Link::Identity);
    CHECK(v.num_trees() == 7);
    CHECK(v.base_margin == f.base_margin);
    nodes += v.num_nodes();
  }
  CHECK(nodes == f.num_nodes());
  // Tree 5 is class 1's second tree: the same nodes, renumbered.
  const Forest& c1 = views[1];
  const std::int32_t from = f.tree_root[5], to = c1.tree_root[1];
  const std::int32_t size = f.tree_root[6] - from;
  REQUIRE(c1.tree_root[2] - to == size);
  for (std::int32_t i = 0; i < size; ++i) {
    CHECK(c1.value[to + i] == f.value[from + i]);
    CHECK(c1.cover[to + i] == f.cover[from + i]);
    CHECK((c1.left[to + i] < 0 ? -1 : c1.left[to + i] - to) == (f.left[from + i] < 0 ? -1 : f.left[from + i] - from));
  }
  for (int r = 0; r < 50; ++r) {
    const std::vector<float> row = random_row(6, rng);
    std::vector<double> margin(4);
    predict_class_margins(f, row.data(), margin.data());
    for (int k = 0; k < 4; ++k) REQUIRE(predict_margin(views[k], row.data()) == margin[k]);
  }
  CHECK_THROWS_WITH(forest_of_class(f, 4), Catch::Contains("class 4 is not one of the model's 4"));
}

TEST_CASE("a single-output forest is its own class 0", "[forest][multiclass]") {
  const ForestCase c = random_forest_case(3, 5, 6, 3, 0.1, 10);
  const Forest v = forest_of_class(c.forest, 0);
  CHECK(v.value == c.forest.value);
  CHECK(v.link == c.forest.link);
  double margin = 0;
  for (const auto& row : c.rows) {
    predict_class_margins(c.forest, row.data(), &margin);
    CHECK(margin == predict_margin(c.forest, row.data()));
  }
}

TEST_CASE("a multi-class forest packs with its classes (version 2) and predicts the same bits", "[forest][multiclass]") {
  std::mt19937 rng(29);
  for (int k : {2, 3, 5}) {
    const Forest f = testing::random_multiclass_forest(rng, 6, k, 4, 4);
    const std::vector<std::uint8_t> packed = pack_forest(f);
    CHECK(packed[8] == 2);  // the version after "VDFOREST"
    const Forest back = unpack_forest(packed.data(), packed.size());
    CHECK(back.num_class == k);
    CHECK(back.tree_class == f.tree_class);
    CHECK(back.link == Link::Softmax);
    CHECK(pack_forest(back) == packed);
    std::vector<double> a(static_cast<std::size_t>(k)), b(a.size());
    for (int r = 0; r < 50; ++r) {
      const auto row = testing::random_row(6, rng);
      predict_class_margins(f, row.data(), a.data());
      predict_class_margins(back, row.data(), b.data());
      CHECK(a == b);
    }
    // Every cut is refused; a class out of range and a class count below 2 are named.
    for (std::size_t n = 0; n < packed.size(); ++n) CHECK_THROWS_AS(unpack_forest(packed.data(), n), Error);
    std::vector<std::uint8_t> bad = packed;
    bad[bad.size() - 4] = static_cast<std::uint8_t>(k);  // the last tree's class
    CHECK_THROWS_WITH(unpack_forest(bad.data(), bad.size()), Catch::Contains("is of class"));
    bad = packed;
    const std::size_t count_at = packed.size() - 4 * (f.tree_class.size() + 1);
    bad[count_at] = 1;
    CHECK_THROWS_WITH(unpack_forest(bad.data(), bad.size()), Catch::Contains("1 classes"));
  }
  // A multi-class objective in a version 1 file (its classes missing) is refused.
  Forest single = forest_of_class(load_xgboost_json(three_stumps(), {true}), 0);
  single.objective = "multi:softprob";  // a class view keeps the objective's name
  const std::vector<std::uint8_t> packed = pack_forest(single);
  CHECK_THROWS_WITH(unpack_forest(packed.data(), packed.size()), Catch::Contains("multi-class objectives are version 2 only"));
}
