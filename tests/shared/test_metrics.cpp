#include <catch2/catch.hpp>

#include <cmath>

#include "shared/metrics.h"
#include "shared/predict.h"
#include "shared/shap_summary.h"

using namespace verdict;

TEST_CASE("AUC counts ties as half and matches a hand count", "[metrics]") {
  // Pairs (pos, neg): (0.8,0.1) win, (0.8,0.4) win, (0.4,0.1) win, (0.4,0.4) tie -> 3.5/4.
  CHECK(roc_auc({0.1, 0.4, 0.4, 0.8}, {0, 0, 1, 1}) == Approx(0.875));
  const BinaryMetrics m = binary_metrics({0.9, 0.2, 0.6, 0.4}, {1, 0, 0, 1});
  CHECK(m.accuracy == Approx(0.5));
  CHECK(m.log_loss == Approx(-(std::log(0.9) + std::log(0.8) + std::log(0.4) + std::log(0.4)) / 4));
}

TEST_CASE("multiclass metrics: accuracy of the most probable class, mean log loss", "[metrics][multiclass]") {
  const std::vector<double> p = {0.7, 0.2, 0.1,   // row 0: class 0 predicted, label 0
                                 0.1, 0.3, 0.6,   // row 1: class 2 predicted, label 1
                                 0.2, 0.4, 0.4};  // row 2: a tie, the first (class 1) predicted, label 1
  const MulticlassMetrics m = multiclass_metrics(p, 3, {0, 1, 1});
  CHECK(m.accuracy == Approx(2.0 / 3));
  CHECK(m.log_loss == Approx(-(std::log(0.7) + std::log(0.3) + std::log(0.4)) / 3).epsilon(1e-14));
  CHECK(multiclass_metrics({1.0, 0.0}, 2, {1}).log_loss == Approx(-std::log(1e-15)));  // clamped
  CHECK_THROWS_WITH(multiclass_metrics(p, 3, {0, 1, 3}), Catch::Contains("not a class index below 3"));
  CHECK_THROWS_WITH(multiclass_metrics(p, 3, {0, 1}), Catch::Contains("k >= 2 probabilities per label"));
}

TEST_CASE("regression metrics", "[metrics]") {
  const RegressionMetrics m = regression_metrics({1, 2, 3}, {1, 2, 5});
  CHECK(m.rmse == Approx(std::sqrt(4.0 / 3)));
  CHECK(m.mae == Approx(2.0 / 3));
}

TEST_CASE("global SHAP aggregations", "[metrics]") {
  const std::vector<double> v = {1, -2, -3, 4, 5, 6};  // 3 rows x 2 features
  CHECK(global_shap(v, 2, Aggregation::MeanAbs) == std::vector<double>{3, 4});
  CHECK(global_shap(v, 2, Aggregation::MeanSq) == std::vector<double>{35.0 / 3, 56.0 / 3});
  CHECK(global_shap(v, 2, Aggregation::Median) == std::vector<double>{1, 4});
  CHECK_THROWS(parse_aggregation("max"));
}

TEST_CASE("a probability equal to the threshold is a negative decision (Clarify's rule)", "[metrics]") {
  CHECK(!above_threshold(0.5, 0.5));
  CHECK(above_threshold(std::nextafter(0.5, 1.0), 0.5));
  // p == threshold with label 0 is right, with label 1 wrong.
  CHECK(binary_metrics({0.5, 0.5}, {0, 1}, 0.5).accuracy == Approx(0.5));
  CHECK(binary_metrics({0.5}, {0}, 0.5).accuracy == Approx(1.0));
  CHECK(binary_metrics({0.7}, {0}, 0.7).accuracy == Approx(1.0));
}

TEST_CASE("smclarify's model performance metrics on hand-counted confusion", "[metrics][clarify]") {
  // TP 3, FP 1, FN 2, TN 4 (10 rows).
  const std::vector<NamedMetric> m = clarify_performance_metrics(3, 1, 2, 4);
  REQUIRE(m.size() == 10);
  auto value = [&](const std::string& name) {
    for (const NamedMetric& x : m) {
      if (x.name == name) return x.value;
    }
    FAIL("no metric " << name);
    return 0.0;
  };
  CHECK(value("Accuracy") == Approx(0.7));
  CHECK(value("Proportion of Positive Predictions in Labels") == Approx(0.4));
  CHECK(value("Proportion of Negative Predictions in Labels") == Approx(0.6));
  CHECK(value("True Positive Rate / Recall") == Approx(0.6));
  CHECK(value("True Negative Rate / Specificity") == Approx(0.8));
  CHECK(value("Acceptance Rate / Precision") == Approx(0.75));
  CHECK(value("Rejection Rate") == Approx(4.0 / 6));
  CHECK(value("Conditional Acceptance") == Approx(5.0 / 4));
  CHECK(value("Conditional Rejection") == Approx(5.0 / 6));
  CHECK(value("F1 Score") == Approx(2 * 0.75 * 0.6 / 1.35));
  // No positive predictions: precision 0/0 = 0 (Clarify's divide), F1 0.
  const std::vector<NamedMetric> none = clarify_performance_metrics(0, 0, 5, 5);
  CHECK(none[5].value == 0.0);
  CHECK(none[9].value == 0.0);
}
