#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "random_forest.h"
#include "shared/pdp.h"
#include "shared/predict.h"

using namespace verdict;

namespace {

// One tree: x0 < 0.5 -> 1, else 3 (identity link, no base margin).
Forest stump() {
  Forest f;
  f.tree_root = {0};
  f.left = {1, -1, -1};
  f.right = {2, -1, -1};
  f.feature = {0, 0, 0};
  f.threshold = {0.5f, 0, 0};
  f.default_left = {1, 0, 0};
  f.value = {0, 1, 3};
  f.cover = {3, 1, 2};
  f.depth_of_tree = {1};
  f.num_features = 2;
  return f;
}

}  // namespace

TEST_CASE("partial dependence: the mean prediction with one feature set to each grid value", "[clarify][pdp]") {
  const Forest f = stump();
  // Three rows (x0, x1): predictions 1, 3, 3.
  const std::vector<float> x = {0.0f, 5.0f, 1.0f, 7.0f, 2.0f, 9.0f};
  // x0 forced to 0 -> every row predicts 1; forced to 1 -> 3.
  CHECK(partial_dependence(f, x.data(), 3, 2, 0, {0.0f, 1.0f}) == std::vector<double>{1.0, 3.0});
  // x1 is not used: the mean prediction (1 + 3 + 3) / 3 at every value.
  const auto flat = partial_dependence(f, x.data(), 3, 2, 1, {5.0f, 9.0f});
  CHECK(flat[0] == Approx(7.0 / 3));
  CHECK(flat[1] == Approx(7.0 / 3));
}

TEST_CASE("pdp grid: evenly spaced over the range, or the distinct values; shares of the data", "[clarify][pdp]") {
  // Column 0 holds 0, 1, 2, 10 and a missing value.
  const std::vector<float> x = {0.0f, 1.0f, 2.0f, 10.0f, NAN};
  const PdpGrid g = pdp_grid(x.data(), 5, 1, 0, false, 3);
  CHECK(g.values == std::vector<float>{0.0f, 5.0f, 10.0f});
  // 0, 1, 2 are nearest 0; 10 nearest 10; the missing value is left out.
  CHECK(g.distribution == std::vector<double>{0.75, 0.0, 0.25});
  const PdpGrid few = pdp_grid(x.data(), 5, 1, 0, false, 10);  // fewer distinct values than the resolution
  CHECK(few.values == std::vector<float>{0.0f, 1.0f, 2.0f, 10.0f});
  const std::vector<float> codes = {2.0f, 0.0f, 2.0f, 2.0f};
  const PdpGrid cat = pdp_grid(codes.data(), 4, 1, 0, true, 2);  // categories: the codes that occur
  CHECK(cat.values == std::vector<float>{0.0f, 2.0f});
  CHECK(cat.distribution == std::vector<double>{0.25, 0.75});
}

TEST_CASE("partial dependence equals scoring every row at every grid value, bit for bit", "[clarify][pdp]") {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 6; ++trial) {
    const int features = 3 + trial % 3;
    const Forest f = load_xgboost_json(verdict::testing::random_xgboost_model({30, features, 4}, rng));
    const std::size_t rows = 40;
    std::vector<float> x;
    for (std::size_t r = 0; r < rows; ++r) {
      const auto row = verdict::testing::random_row(features, rng, 0.2);
      x.insert(x.end(), row.begin(), row.end());
    }
    for (int feature = 0; feature < features; ++feature) {
      const std::vector<float> grid = {-1.0f, 0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 2.0f, std::nanf("")};
      const auto pd = partial_dependence(f, x.data(), rows, features, feature, grid);
      for (std::size_t g = 0; g < grid.size(); ++g) {
        double sum = 0;  // the definition: the mean over the rows with the feature set to the value
        for (std::size_t r = 0; r < rows; ++r) {
          std::vector<float> row(x.begin() + r * features, x.begin() + (r + 1) * features);
          row[feature] = grid[g];
          sum += apply_link(f.link, predict_margin(f, row.data()));
        }
        CHECK(pd[g] == sum / rows);
      }
    }
  }
}

TEST_CASE("partial dependence of each class of a K-class model: the mean softmax probability, bit for bit", "[clarify][pdp][multiclass]") {
  std::mt19937 rng(23);
  const Forest f = verdict::testing::random_multiclass_forest(rng, 4, 3, 6, 4);
  const std::size_t rows = 30, features = 4;
  std::vector<float> x;
  for (std::size_t r = 0; r < rows; ++r) {
    const auto row = verdict::testing::random_row(static_cast<int>(features), rng, 0.2);
    x.insert(x.end(), row.begin(), row.end());
  }
  const std::vector<float> grid = {-1.0f, 0.1f, 0.5f, 0.9f, 2.0f, std::nanf("")};
  std::vector<double> m(3), p(3);
  for (std::size_t feature = 0; feature < features + 1; ++feature) {  // the last: a column the model does not read
    const std::size_t cols = features + 1;
    std::vector<float> wide;
    for (std::size_t r = 0; r < rows; ++r) {
      wide.insert(wide.end(), x.begin() + r * features, x.begin() + (r + 1) * features);
      wide.push_back(7.0f);
    }
    for (int k = 0; k < 3; ++k) {
      const auto pd = partial_dependence(f, wide.data(), rows, cols, feature, grid, k);
      for (std::size_t g = 0; g < grid.size(); ++g) {
        double sum = 0;
        for (std::size_t r = 0; r < rows; ++r) {
          std::vector<float> row(wide.begin() + r * cols, wide.begin() + (r + 1) * cols);
          row[feature] = grid[g];
          predict_class_margins(f, row.data(), m.data());
          softmax(m.data(), 3, p.data());
          sum += p[static_cast<std::size_t>(k)];
        }
        INFO("feature " << feature << ", class " << k << ", grid value " << g);
        CHECK(pd[g] == sum / rows);
      }
    }
  }
  CHECK_THROWS_WITH(partial_dependence(f, x.data(), rows, features, 0, grid, 3), Catch::Contains("no class 3"));
}
