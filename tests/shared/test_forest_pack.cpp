#include <catch2/catch.hpp>

#include <cstring>
#include <random>

#include "random_forest.h"
#include "shared/error.h"
#include "shared/forest.h"
#include "shared/forest_pack.h"
#include "shared/predict.h"
#include "shared/shap_fast.h"

using namespace verdict;

namespace {

void require_same_forest(const Forest& a, const Forest& b) {
  CHECK(a.tree_root == b.tree_root);
  CHECK(a.left == b.left);
  CHECK(a.right == b.right);
  CHECK(a.feature == b.feature);
  CHECK(a.threshold == b.threshold);
  CHECK(a.default_left == b.default_left);
  CHECK(a.value == b.value);
  CHECK(a.cover == b.cover);
  CHECK(a.depth_of_tree == b.depth_of_tree);
  CHECK(a.num_features == b.num_features);
  CHECK(a.base_margin == b.base_margin);
  CHECK(a.link == b.link);
  CHECK(a.objective == b.objective);
  CHECK(a.feature_names == b.feature_names);
}

Forest random_forest(std::uint32_t seed, int trees, int features, int depth, const std::string& objective) {
  std::mt19937 rng(seed);
  return load_xgboost_json(testing::random_xgboost_model({trees, features, depth, objective}, rng));
}

}  // namespace

TEST_CASE("a packed forest unpacks to the same forest, node for node", "[forest_pack]") {
  for (const char* objective : {"binary:logistic", "reg:squarederror", "count:poisson"}) {
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
      Forest f = random_forest(seed, 1 + static_cast<int>(seed % 7), 3 + static_cast<int>(seed % 5), 1 + static_cast<int>(seed % 6), objective);
      if (seed % 2) f.feature_names = std::vector<std::string>(static_cast<std::size_t>(f.num_features), "f\xc3\xa9");
      const auto bytes = pack_forest(f);
      const Forest back = unpack_forest(bytes.data(), bytes.size());
      require_same_forest(f, back);
      CHECK(pack_forest(back) == bytes);  // stable: the same bytes again
      // And so the same numbers, bit for bit.
      std::mt19937 rng(seed);
      const auto row = testing::random_row(f.num_features, rng);
      CHECK(predict_margin(f, row.data()) == predict_margin(back, row.data()));
      std::vector<double> a(static_cast<std::size_t>(f.num_features) + 1), b(a.size());
      FastTreeShap(f).explain(row.data(), a.data());
      FastTreeShap(back).explain(row.data(), b.data());
      CHECK(a == b);
    }
  }
}

TEST_CASE("the loader keeps covers as XGBoost's float32, so the packed form is exact", "[forest_pack]") {
  auto m = nlohmann::json::parse(R"({"learner": {"objective": {"name": "binary:logistic"},
    "learner_model_param": {"base_score": "5E-1", "num_feature": "1"},
    "gradient_booster": {"name": "gbtree", "model": {"trees": [{
      "left_children": [1, -1, -1], "right_children": [2, -1, -1], "split_indices": [0, 0, 0],
      "split_conditions": [0.1, -0.3, 0.7], "default_left": [1, 0, 0],
      "sum_hessian": [1.1, 0.3, 0.8]}]}}}})");
  const Forest f = load_xgboost_json(m);
  CHECK(f.cover[0] == static_cast<double>(1.1f));
  CHECK(f.cover[1] == static_cast<double>(0.3f));
  const auto bytes = pack_forest(f);
  require_same_forest(f, unpack_forest(bytes.data(), bytes.size()));

  Forest bad = f;
  bad.cover[2] = 0.8;  // a double that no float32 holds
  CHECK_THROWS_WITH(pack_forest(bad), Catch::Contains("cover of node 2 is not a float32"));
  m["learner"]["gradient_booster"]["model"]["trees"][0]["sum_hessian"][1] = 1e39;
  CHECK_THROWS_WITH(load_xgboost_json(m), Catch::Contains("sum_hessian' node 1 is not finite as a float32"));
}

TEST_CASE("every cut of a packed forest is refused with a message", "[forest_pack]") {
  const Forest f = random_forest(7, 4, 5, 4, "binary:logistic");
  const auto bytes = pack_forest(f);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CHECK_THROWS_AS(unpack_forest(bytes.data(), n), Error);
  }
  auto longer = bytes;
  longer.push_back(0);
  CHECK_THROWS_WITH(unpack_forest(longer.data(), longer.size()), Catch::Contains("1 bytes after the end"));
}

TEST_CASE("an unpacked forest is checked like a loaded one", "[forest_pack]") {
  const Forest f = random_forest(3, 2, 4, 3, "binary:logistic");
  const auto good = pack_forest(f);
  auto with = [&](auto change) {
    auto b = good;
    change(b);
    return b;
  };
  auto refused = [](const std::vector<std::uint8_t>& b) {
    try {
      unpack_forest(b.data(), b.size());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK_THAT(refused(with([](auto& b) { b[0] = 'X'; })), Catch::Contains("not a packed model"));
  CHECK_THAT(refused(with([](auto& b) { b[8] = 2; })), Catch::Contains("version 2"));
  // The node count in the header (offset 16) claims more nodes than the bytes hold: refused
  // before anything is allocated.
  CHECK_THAT(refused(with([](auto& b) { b[16] = b[17] = b[18] = 0xFF; b[19] = 0x7F; })), Catch::Contains("ends inside the nodes"));
  // The objective (its text right after the fixed header) must be one the loader knows.
  CHECK_THAT(refused(with([](auto& b) { b[36] = 'X'; })), Catch::Contains("is not supported"));

  // A child pointing back at the root is a loop: find the first internal node's left child.
  const std::size_t names = 36 + f.objective.size() + 4;
  const std::size_t lefts = names + 4 * f.num_trees() + 1;
  auto loop = good;
  REQUIRE(loop[lefts] == 1);  // node 0 of tree 0 is internal, its left child is node 1
  loop[lefts] = 0;
  loop[lefts + 1] = 0;
  CHECK_THAT(refused(loop), Catch::Contains("out of range"));

  // One form only: a leaf with a right step would unpack and pack to other bytes (a fuzz find).
  std::size_t leaf = 0;
  while (!f.is_leaf(static_cast<std::int32_t>(leaf))) ++leaf;
  auto stepped = good;
  stepped[lefts + 2 * f.num_nodes() + 2 * leaf] = 1;
  CHECK_THAT(refused(stepped), Catch::Contains("has a right child"));
}
