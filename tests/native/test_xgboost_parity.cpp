// The core against XGBoost itself, on models trained here through the C API.
#include <catch2/catch.hpp>
#include <random>

#include "native/xgb.h"
#include "shared/forest.h"
#include "shared/predict.h"
#include "shared/shap_tree.h"

using namespace verdict;

namespace {

struct Data {
  std::vector<float> x, y;
  std::size_t rows, cols;
};

Data synthetic(std::size_t rows, std::size_t cols, bool binary, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> unit;
  Data d{{}, {}, rows, cols};
  for (std::size_t r = 0; r < rows; ++r) {
    float signal = 0;
    for (std::size_t c = 0; c < cols; ++c) {
      float v = normal(rng);
      if (c % 3 == 2) v = std::floor(v * 2);  // some low-cardinality columns
      signal += (c % 2 ? 1.f : -0.5f) * v;
      d.x.push_back(unit(rng) < 0.1f ? std::nanf("") : v);
    }
    d.y.push_back(binary ? (signal + normal(rng) > 0 ? 1.f : 0.f) : signal + 0.3f * normal(rng));
  }
  return d;
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
