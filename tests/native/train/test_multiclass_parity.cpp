// Multi-class models against XGBoost itself: trained here through the C API on generated data
// with three (and five) classes, then margins, probabilities, the predicted class and
// pred_contribs per class compared with the core's.
#include <catch2/catch.hpp>
#include <cmath>
#include <algorithm>
#include <memory>
#include <random>
#include <set>

#include "native/batch/batch_explain_classes.h"
#include "native/train/synthetic_data.h"
#include "native/train/xgb.h"
#include "shared/forest.h"
#include "shared/forest_classes.h"
#include "shared/predict.h"
#include "shared/shap_fast.h"
#include "shared/shap_tree.h"

using namespace verdict;

namespace {

using Data = testing::SyntheticData;

// Class = which of `classes` bands a noisy linear signal falls in.
Data generated(std::size_t rows, std::size_t cols, int classes, std::uint32_t seed) {
  return testing::synthetic_data(rows, cols, seed, [classes](float signal, float noise) {
    const float s = signal + 0.5f * noise;
    const int band = static_cast<int>(std::floor((s + 2.f) / 4.f * static_cast<float>(classes)));
    return static_cast<float>(std::clamp(band, 0, classes - 1));
  });
}

struct Trained {
  Data d;
  std::string json;
  std::vector<float> value, margin, contribs;
};

Trained train(const std::string& objective, int classes, int rounds) {
  Trained t{generated(500, 6, classes, 17), {}, {}, {}, {}};
  xgb::Matrix m(t.d.x.data(), t.d.rows, t.d.cols, t.d.y);
  xgb::Booster b({&m});
  b.set_param("objective", objective);
  b.set_param("num_class", std::to_string(classes));
  b.set_param("max_depth", "5");
  b.set_param("eta", "0.3");
  b.set_param("subsample", "0.8");
  b.set_param("tree_method", "exact");
  b.set_param("nthread", "1");
  b.set_param("seed", "3");
  for (int i = 0; i < rounds; ++i) b.update(i, m);
  t.json = b.save_json();
  t.value = b.predict(m, xgb::Booster::Output::Value);
  t.margin = b.predict(m, xgb::Booster::Output::Margin);
  t.contribs = b.predict(m, xgb::Booster::Output::Contributions);
  return t;
}

}  // namespace

TEST_CASE("multi:softprob: margins, probabilities and SHAP per class equal XGBoost's", "[xgboost][multiclass]") {
  const int k = 3;
  const Trained t = train("multi:softprob", k, 30);
  const Forest f = load_xgboost_json(nlohmann::json::parse(t.json), {true});
  REQUIRE(f.num_class == k);
  REQUIRE(f.num_trees() == 30 * k);
  const std::size_t n = t.d.rows, m = t.d.cols;
  REQUIRE(t.value.size() == n * k);
  REQUIRE(t.margin.size() == n * k);
  REQUIRE(t.contribs.size() == n * k * (m + 1));

  const std::vector<Forest> classes = forests_by_class(f);
  std::vector<std::unique_ptr<TreeShap>> classic;
  std::vector<std::unique_ptr<FastTreeShap>> fast;
  for (const Forest& c : classes) {
    classic.push_back(std::make_unique<TreeShap>(c));
    fast.push_back(std::make_unique<FastTreeShap>(c));
  }
  std::vector<double> margin(k), prob(k), phi(m), phi_fast(m);
  double worst_prob = 0, worst_phi = 0;
  int seen[3] = {0, 0, 0};
  for (std::size_t r = 0; r < n; ++r) {
    const float* row = t.d.x.data() + r * m;
    predict_class_margins(f, row, margin.data());
    softmax(margin.data(), k, prob.data());
    ++seen[static_cast<int>(t.d.y[r])];
    for (int c = 0; c < k; ++c) {
      REQUIRE(margin[c] == Approx(t.margin[r * k + c]).margin(1e-5).epsilon(0));
      REQUIRE(prob[c] == Approx(t.value[r * k + c]).margin(1e-6).epsilon(0));
      worst_prob = std::max(worst_prob, std::fabs(prob[c] - t.value[r * k + c]));

      const float* theirs = t.contribs.data() + (r * k + c) * (m + 1);
      classic[c]->explain(row, phi.data());
      fast[c]->explain(row, phi_fast.data());
      double sum = classic[c]->expected_value();
      for (std::size_t j = 0; j < m; ++j) {
        REQUIRE(phi[j] == Approx(theirs[j]).margin(1e-5).epsilon(0));
        REQUIRE(phi_fast[j] == Approx(phi[j]).margin(1e-12).epsilon(0));
        worst_phi = std::max(worst_phi, std::fabs(phi[j] - theirs[j]));
        sum += phi[j];
      }
      REQUIRE(classic[c]->expected_value() == Approx(theirs[m]).margin(1e-5).epsilon(0));
      REQUIRE(fast[c]->expected_value() == classic[c]->expected_value());
      REQUIRE(sum == Approx(margin[c]).margin(1e-9).epsilon(0));  // additive per class
    }
  }
  for (int c = 0; c < k; ++c) CHECK(seen[c] > 50);  // every class is well represented
  WARN("multi:softprob worst |prob - XGBoost| " << worst_prob << ", worst |phi - pred_contribs| " << worst_phi);
}

TEST_CASE("multi:softmax: the predicted class equals XGBoost's", "[xgboost][multiclass]") {
  const int k = 5;
  const Trained t = train("multi:softmax", k, 20);
  const Forest f = load_xgboost_json(nlohmann::json::parse(t.json), {true});
  REQUIRE(f.num_class == k);
  REQUIRE(f.link == Link::Softmax);
  const std::size_t n = t.d.rows, m = t.d.cols;
  REQUIRE(t.value.size() == n);
  std::vector<double> margin(k);
  std::set<int> predicted;
  for (std::size_t r = 0; r < n; ++r) {
    predict_class_margins(f, t.d.x.data() + r * m, margin.data());
    for (int c = 0; c < k; ++c) REQUIRE(margin[c] == Approx(t.margin[r * k + c]).margin(1e-5).epsilon(0));
    const int mine = predicted_class(margin.data(), k);
    REQUIRE(mine == static_cast<int>(t.value[r]));
    predicted.insert(mine);
  }
  CHECK(predicted.size() >= 3);
}

TEST_CASE("explain_batch_per_class: tree, baseline and Kernel SHAP per class on threads", "[xgboost][multiclass][batch]") {
  const int k = 3;
  const Trained t = train("multi:softprob", k, 15);
  const Forest f = load_xgboost_json(nlohmann::json::parse(t.json), {true});
  const std::size_t n = 120, m = t.d.cols;  // the first 120 rows
  std::vector<double> margin(n * k);
  for (std::size_t r = 0; r < n; ++r) predict_class_margins(f, t.d.x.data() + r * m, margin.data() + r * k);

  ShapSettings tree;
  const auto by_tree = explain_batch_per_class(f, t.d.x.data(), n, tree, 2);
  REQUIRE(by_tree.size() == static_cast<std::size_t>(k));
  std::size_t last_progress = 0;
  const auto one_thread = explain_batch_per_class(f, t.d.x.data(), n, tree, 1, [&](std::size_t done) { last_progress = done; });
  CHECK(last_progress == n * k);
  for (int c = 0; c < k; ++c) {
    CHECK(one_thread[c].phi == by_tree[c].phi);  // the same bits on 1 or 2 threads
    for (std::size_t r = 0; r < n; ++r) {
      const float* theirs = t.contribs.data() + (r * k + c) * (m + 1);
      for (std::size_t j = 0; j < m; ++j) REQUIRE(by_tree[c].phi[r * m + j] == Approx(theirs[j]).margin(1e-5).epsilon(0));
      REQUIRE(by_tree[c].expected_value == Approx(theirs[m]).margin(1e-5).epsilon(0));
      REQUIRE(by_tree[c].margin[r] == margin[r * k + c]);
    }
  }

  ShapSettings base;
  base.kind = ShapKind::Baseline;
  base.reference.assign(t.d.x.begin() + 200 * m, t.d.x.begin() + 201 * m);  // one reference row
  ShapSettings kernel = base;
  kernel.kind = ShapKind::Kernel;
  kernel.kernel.num_samples = (std::size_t{1} << m) - 2;  // every coalition: exact
  const auto by_base = explain_batch_per_class(f, t.d.x.data(), n, base, 2);
  const auto by_kernel = explain_batch_per_class(f, t.d.x.data(), n, kernel, 2);
  std::vector<double> ref_margin(k);
  predict_class_margins(f, base.reference.data(), ref_margin.data());
  for (int c = 0; c < k; ++c) {
    CHECK(by_base[c].expected_value == Approx(ref_margin[c]).margin(1e-12));
    for (std::size_t r = 0; r < n; ++r) {
      double sum = by_base[c].expected_value;
      for (std::size_t j = 0; j < m; ++j) {
        sum += by_base[c].phi[r * m + j];
        REQUIRE(by_kernel[c].phi[r * m + j] == Approx(by_base[c].phi[r * m + j]).margin(1e-8).epsilon(0));
      }
      REQUIRE(sum == Approx(margin[r * k + c]).margin(1e-9).epsilon(0));
    }
  }

  kernel.units = KernelUnits::Prediction;
  CHECK_THROWS_WITH(explain_batch_per_class(f, t.d.x.data(), n, kernel, 1), Catch::Contains("margin units only"));
}
