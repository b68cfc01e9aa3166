#include <catch2/catch.hpp>

#include "oracles.h"
#include "random_forest.h"
#include "shared/forest.h"
#include "shared/predict.h"
#include "shared/shap_baseline.h"
#include "shared/shap_tree.h"

using namespace verdict;
using namespace verdict::testing;

namespace {


}  // namespace

TEST_CASE("path-dependent TreeSHAP equals brute-force Shapley enumeration", "[shap]") {
  for (std::uint32_t seed = 1; seed <= 24; ++seed) {
    const int m = 2 + static_cast<int>(seed % 9);  // 2..10 features
    ForestCase c = random_forest_case(seed, m, 1 + seed % 7, 1 + seed % 6, seed % 3 ? 0.15 : 0.0, 8);
    TreeShap shap(c.forest);
    std::vector<double> phi(m);
    for (const auto& row : c.rows) {
      shap.explain(row.data(), phi.data());
      const auto expected = shapley_by_enumeration(
          m, [&](unsigned s) { return path_dependent_value(c.forest, row.data(), s); });
      for (int j = 0; j < m; ++j) REQUIRE(phi[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
      REQUIRE(shap.expected_value() ==
              Approx(path_dependent_value(c.forest, row.data(), 0)).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("baseline SHAP equals brute-force Shapley enumeration", "[shap]") {
  for (std::uint32_t seed = 100; seed < 124; ++seed) {
    const int m = 2 + static_cast<int>(seed % 9);
    ForestCase c = random_forest_case(seed, m, 1 + seed % 7, 1 + seed % 6, seed % 3 ? 0.15 : 0.0, 8);
    std::mt19937 rng(seed * 7);
    const std::vector<float> reference = random_row(m, rng, 0.1);
    BaselineShap shap(c.forest, reference);
    std::vector<double> phi(m);
    for (const auto& row : c.rows) {
      shap.explain(row.data(), phi.data());
      const auto expected = shapley_by_enumeration(m, [&](unsigned s) {
        return baseline_value(c.forest, row.data(), reference.data(), s);
      });
      for (int j = 0; j < m; ++j) REQUIRE(phi[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("both SHAP kinds are additive: sum of phi plus phi0 is the margin", "[shap]") {
  ForestCase c = random_forest_case(7, 10, 50, 6, 0.2, 8);
  TreeShap tree(c.forest);
  BaselineShap base(c.forest, c.rows[0]);
  std::vector<double> phi(10);
  for (const auto& row : c.rows) {
    const double margin = predict_margin(c.forest, row.data());
    tree.explain(row.data(), phi.data());
    double sum = tree.expected_value();
    for (double p : phi) sum += p;
    CHECK(sum == Approx(margin).margin(1e-9).epsilon(0));
    base.explain(row.data(), phi.data());
    sum = base.expected_value();
    for (double p : phi) sum += p;
    CHECK(sum == Approx(margin).margin(1e-9).epsilon(0));
  }
}

TEST_CASE("baseline SHAP of the reference itself is all zeros", "[shap]") {
  ForestCase c = random_forest_case(9, 6, 20, 5, 0.0, 8);
  BaselineShap base(c.forest, c.rows[3]);
  std::vector<double> phi(6, 1.0);
  base.explain(c.rows[3].data(), phi.data());
  for (double p : phi) CHECK(p == 0.0);
  CHECK(base.expected_value() == predict_margin(c.forest, c.rows[3].data()));
}

TEST_CASE("baseline SHAP rejects a reference of the wrong width", "[shap]") {
  ForestCase c = random_forest_case(3, 5, 2, 3, 0.0, 8);
  CHECK_THROWS_WITH(BaselineShap(c.forest, std::vector<float>(4, 0.f)),
                    Catch::Contains("baseline has 4 values; the model has 5 features"));
}
