#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "random_forest.h"
#include "shared/error.h"
#include "shared/feature_curve.h"
#include "shared/predict.h"

using namespace verdict;
using verdict::testing::random_row;
using verdict::testing::random_xgboost_model;

namespace {

// Dense values along the axis: every threshold and the floats just beside it, points between
// thresholds, uniform draws over and beyond the thresholds' range, and the far ends.
std::vector<float> dense_samples(const std::set<float>& thresholds, std::mt19937& rng) {
  std::vector<float> xs = {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(),
                           -1e30f, 1e30f, 0.0f, -0.0f};
  for (float t : thresholds) {
    xs.push_back(t);
    xs.push_back(std::nextafter(t, -INFINITY));
    xs.push_back(std::nextafter(t, INFINITY));
  }
  std::uniform_real_distribution<double> wide(-0.5, 1.5);
  for (int i = 0; i < 2000; ++i) xs.push_back(static_cast<float>(wide(rng)));
  return xs;
}

// The forest's thresholds on `feature`, read from the nodes (the oracle's own reading).
std::set<float> split_thresholds(const Forest& f, int feature) {
  std::set<float> out;
  for (std::size_t n = 0; n < f.num_nodes(); ++n) {
    if (f.left[n] >= 0 && f.feature[n] == feature) out.insert(f.threshold[n]);
  }
  return out;
}

// Checks the curve against scoring the row directly at every sample: the sample's cell (found
// by counting thresholds at or below it) holds exactly predict_margin's margin.
void check_against_samples(const Forest& f, const std::vector<float>& row, int feature, std::mt19937& rng) {
  const FeatureCurve c = feature_curve(f, row.data(), feature);
  const std::set<float> ts = split_thresholds(f, feature);
  REQUIRE(c.thresholds == std::vector<float>(ts.begin(), ts.end()));
  REQUIRE(c.cells() == ts.size() + 1);
  std::vector<float> x = row;
  for (float v : dense_samples(ts, rng)) {
    x[static_cast<std::size_t>(feature)] = v;
    std::size_t cell = 0;
    for (float t : ts) cell += t <= v;
    REQUIRE(c.cell_of(v) == cell);
    const double margin = predict_margin(f, x.data());
    REQUIRE(c.margin[cell] == margin);  // bit for bit, not approximately
    REQUIRE(c.prediction[cell] == apply_link(f.link, margin));
  }
  const std::vector<float> inside = cell_values(c);
  REQUIRE(inside.size() == c.cells());
  for (std::size_t i = 0; i < inside.size(); ++i) REQUIRE(c.cell_of(inside[i]) == i);
  x[static_cast<std::size_t>(feature)] = std::nanf("");
  CHECK(c.missing_margin == predict_margin(f, x.data()));
  CHECK(c.missing_prediction == apply_link(f.link, c.missing_margin));
}

}  // namespace

TEST_CASE("feature curve: each cell's score equals scoring the row at any value in it", "[feature_curve]") {
  std::mt19937 rng(18);
  for (int trial = 0; trial < 12; ++trial) {
    const int features = 2 + trial % 5;
    const Forest f = load_xgboost_json(random_xgboost_model({20 + trial * 5, features, 3 + trial % 4}, rng));
    for (int r = 0; r < 4; ++r) {
      const std::vector<float> row = random_row(features, rng, 0.2);
      for (int feature = 0; feature < features; ++feature) check_against_samples(f, row, feature, rng);
    }
  }
}

TEST_CASE("feature curve: thresholds shared by trees and repeated on a path", "[feature_curve]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 6; ++trial) {
    nlohmann::json m = random_xgboost_model({40, 3, 5}, rng);
    // Eighths: few distinct thresholds, the same one in many trees and on one path.
    for (auto& tree : m["learner"]["gradient_booster"]["model"]["trees"]) {
      for (auto& c : tree["split_conditions"]) c = std::round(c.get<double>() * 8) / 8;
    }
    const Forest f = load_xgboost_json(m);
    for (int r = 0; r < 4; ++r) {
      const std::vector<float> row = random_row(3, rng, 0.2);
      for (int feature = 0; feature < 3; ++feature) check_against_samples(f, row, feature, rng);
    }
  }
}

TEST_CASE("feature curve: a feature no tree uses is one flat cell; bad input is refused", "[feature_curve]") {
  std::mt19937 rng(3);
  nlohmann::json m = random_xgboost_model({10, 4, 3}, rng);
  for (auto& tree : m["learner"]["gradient_booster"]["model"]["trees"]) {
    for (auto& s : tree["split_indices"]) s = s.get<int>() == 3 ? 0 : s.get<int>();
  }
  const Forest f = load_xgboost_json(m);
  const std::vector<float> row = random_row(4, rng, 0.0);
  const FeatureCurve c = feature_curve(f, row.data(), 3);
  REQUIRE(c.cells() == 1);
  CHECK(c.margin[0] == predict_margin(f, row.data()));
  CHECK(c.missing_margin == c.margin[0]);
  CHECK_THROWS_AS(feature_curve(f, row.data(), 4), Error);
  CHECK_THROWS_AS(feature_curve(f, row.data(), -1), Error);
  CHECK_THROWS_WITH(feature_curve(f, row.data(), 0, 1), Catch::Contains("no class 1 (the model has 1)"));
}

TEST_CASE("feature curve of a class of a multi-class model: its margin and softmax probability per cell", "[feature_curve][multiclass]") {
  std::mt19937 rng(5);
  const Forest f = testing::random_multiclass_forest(rng, 4, 3, 6, 4);
  std::uniform_real_distribution<float> unit(-0.2f, 1.2f);
  for (int r = 0; r < 10; ++r) {
    const std::vector<float> row = testing::random_row(4, rng);
    for (int feature = 0; feature < 4; ++feature) {
      for (int k = 0; k < 3; ++k) {
        const FeatureCurve c = feature_curve(f, row.data(), feature, k);
        std::vector<float> x = row;
        std::vector<double> m(3), p(3);
        for (int s = 0; s < 200; ++s) {  // sampled values: each its cell's margin and probability, bit for bit
          x[static_cast<std::size_t>(feature)] = unit(rng);
          predict_class_margins(f, x.data(), m.data());
          softmax(m.data(), 3, p.data());
          const std::size_t cell = c.cell_of(x[static_cast<std::size_t>(feature)]);
          CHECK(c.margin[cell] == m[static_cast<std::size_t>(k)]);
          CHECK(c.prediction[cell] == p[static_cast<std::size_t>(k)]);
        }
        x[static_cast<std::size_t>(feature)] = std::nanf("");
        predict_class_margins(f, x.data(), m.data());
        softmax(m.data(), 3, p.data());
        CHECK(c.missing_margin == m[static_cast<std::size_t>(k)]);
        CHECK(c.missing_prediction == p[static_cast<std::size_t>(k)]);
      }
    }
  }
  CHECK_THROWS_WITH(feature_curve(f, testing::random_row(4, rng).data(), 0, 3), Catch::Contains("no class 3"));
}
