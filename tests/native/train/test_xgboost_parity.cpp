// The core against XGBoost itself, on models trained here through the C API.
#include <catch2/catch.hpp>
#include <random>

#include "native/batch/batch_explain.h"
#include "native/train/synthetic_data.h"
#include "native/train/xgb.h"
#include "shared/forest.h"
#include "shared/predict.h"
#include "shared/shap_tree.h"

using namespace verdict;

namespace {

using Data = testing::SyntheticData;

Data synthetic(std::size_t rows, std::size_t cols, bool binary, std::uint32_t seed) {
  return testing::synthetic_data(rows, cols, seed, [binary](float signal, float noise) {
    return binary ? (signal + noise > 0 ? 1.f : 0.f) : signal + 0.3f * noise;
  });
}

void check_parity(const std::string& objective, bool binary) {
  const Data d = synthetic(600, 7, binary, 11);
  xgb::Matrix m(d.x.data(), d.rows, d.cols, d.y);
  xgb::Booster b({&m});
  b.set_param("objective", objective);
  b.set_param("max_depth", "5");
  b.set_param("eta", "0.3");
  b.set_param("subsample", "0.8");
  b.set_param("tree_method", "exact");
  b.set_param("nthread", "1");
  for (int i = 0; i < 40; ++i) b.update(i, m);

  const Forest f = load_xgboost_json(nlohmann::json::parse(b.save_json()));
  const auto value = b.predict(m, xgb::Booster::Output::Value);
  const auto margin = b.predict(m, xgb::Booster::Output::Margin);
  const auto contribs = b.predict(m, xgb::Booster::Output::Contributions);
  TreeShap shap(f);
  std::vector<double> phi(d.cols);
  for (std::size_t r = 0; r < d.rows; ++r) {
    const float* row = d.x.data() + r * d.cols;
    const double mine = predict_margin(f, row);
    REQUIRE(mine == Approx(margin[r]).margin(1e-5).epsilon(0));
    // XGBoost sums leaves in float32: 1e-6 absolute, or relative for outputs far from 0.
    REQUIRE(apply_link(f.link, mine) == Approx(value[r]).margin(1e-6).epsilon(1e-6));
    shap.explain(row, phi.data());
    const float* theirs = contribs.data() + r * (d.cols + 1);
    for (std::size_t c = 0; c < d.cols; ++c) REQUIRE(phi[c] == Approx(theirs[c]).margin(1e-5).epsilon(0));
    REQUIRE(shap.expected_value() == Approx(theirs[d.cols]).margin(1e-5).epsilon(0));
  }
}

}  // namespace

TEST_CASE("XGBoost parity on a binary:logistic model with missing values", "[xgboost]") {
  check_parity("binary:logistic", true);
}

TEST_CASE("XGBoost parity on a reg:squarederror model", "[xgboost]") {
  check_parity("reg:squarederror", false);
}

TEST_CASE("XGBoost parity on a binary:logitraw model (margin output)", "[xgboost]") {
  check_parity("binary:logitraw", true);
}

namespace {

// A random forest the XGBoost way: one round of `parallel` trees, each on a row subsample
// with columns subsampled per split, eta 1 (XGBoost divides each tree's leaves by the number
// of parallel trees, so the prediction is their mean). The core sums every tree of the JSON.
void check_forest_parity(const std::string& objective, bool binary, int rounds, int parallel) {
  const Data d = synthetic(500, 6, binary, 23);
  xgb::Matrix m(d.x.data(), d.rows, d.cols, d.y);
  xgb::Booster b({&m});
  b.set_param("objective", objective);
  b.set_param("num_parallel_tree", std::to_string(parallel));
  b.set_param("subsample", "0.8");
  b.set_param("colsample_bynode", "0.8");
  b.set_param("eta", "1");
  b.set_param("max_depth", "6");
  b.set_param("tree_method", "exact");
  b.set_param("nthread", "1");
  b.set_param("seed", "5");
  for (int i = 0; i < rounds; ++i) b.update(i, m);

  const Forest f = load_xgboost_json(nlohmann::json::parse(b.save_json()));
  REQUIRE(f.num_trees() == static_cast<std::size_t>(rounds * parallel));
  const auto value = b.predict(m, xgb::Booster::Output::Value);
  const auto margin = b.predict(m, xgb::Booster::Output::Margin);
  const auto contribs = b.predict(m, xgb::Booster::Output::Contributions);
  TreeShap shap(f);
  std::vector<double> phi(d.cols);
  double worst_margin = 0, worst_phi = 0, worst_sum = 0;
  for (std::size_t r = 0; r < d.rows; ++r) {
    const float* row = d.x.data() + r * d.cols;
    const double mine = predict_margin(f, row);
    worst_margin = std::max(worst_margin, std::fabs(mine - margin[r]));
    REQUIRE(apply_link(f.link, mine) == Approx(value[r]).margin(1e-5).epsilon(1e-6));
    shap.explain(row, phi.data());
    const float* theirs = contribs.data() + r * (d.cols + 1);
    double sum = shap.expected_value();
    for (std::size_t c = 0; c < d.cols; ++c) {
      worst_phi = std::max(worst_phi, std::fabs(phi[c] - theirs[c]));
      sum += phi[c];
    }
    worst_phi = std::max(worst_phi, std::fabs(shap.expected_value() - theirs[d.cols]));
    worst_sum = std::max(worst_sum, std::fabs(sum - mine));
  }
  // The batch path the CLI uses for `--shap tree`.
  const BatchExplanation batch = explain_batch(f, d.x.data(), d.rows, ShapKind::Tree, {}, 1);
  double worst_batch = 0;
  for (std::size_t r = 0; r < d.rows; ++r) {
    for (std::size_t c = 0; c < d.cols; ++c) {
      worst_batch = std::max(worst_batch, std::fabs(batch.phi[r * d.cols + c] - contribs[r * (d.cols + 1) + c]));
    }
  }
  INFO(objective << ", " << rounds << " x " << parallel << " trees: max |margin diff| " << worst_margin
                 << ", max |phi - pred_contribs| " << worst_phi << " (batch " << worst_batch
                 << "), additivity " << worst_sum);
  CHECK(worst_margin <= 1e-5);
  CHECK(worst_phi <= 1e-5);
  CHECK(worst_batch <= 1e-5);
  CHECK(worst_sum <= 1e-9);
}

}  // namespace

TEST_CASE("XGBoost parity on a random forest (num_parallel_tree 100, one round), regression", "[xgboost][forest]") {
  check_forest_parity("reg:squarederror", false, 1, 100);
}

TEST_CASE("XGBoost parity on a random forest, binary:logistic", "[xgboost][forest]") {
  check_forest_parity("binary:logistic", true, 1, 100);
}

TEST_CASE("XGBoost parity on a boosted random forest (3 rounds x 10 parallel trees)", "[xgboost][forest]") {
  check_forest_parity("reg:squarederror", false, 3, 10);
}
