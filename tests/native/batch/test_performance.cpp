#include <catch2/catch.hpp>

#include "native/batch/performance.h"

using namespace verdict;

TEST_CASE("model_performance has smclarify's ModelPerformanceReport members for a binary model", "[clarify]") {
  // Probabilities vs labels at threshold 0.5 (positive when p > 0.5, so 0.5 itself is negative):
  // p 0.9/1 TP, 0.7/0 FP, 0.5/1 FN, 0.2/0 TN, 0.6/1 TP.
  const nlohmann::json j = model_performance(Task::Binary, {0.9, 0.7, 0.5, 0.2, 0.6}, {1, 0, 1, 0, 1}, 0.5, "Target", ">50K", "<=50K");
  CHECK(j["label"] == "Target");
  const nlohmann::json& cm = j["binary_confusion_matrix"];
  REQUIRE(cm.size() == 4);  // TP, FP, FN, TN as fractions
  CHECK(cm[0].get<double>() == Approx(0.4));
  CHECK(cm[1].get<double>() == Approx(0.2));
  CHECK(cm[2].get<double>() == Approx(0.2));
  CHECK(cm[3].get<double>() == Approx(0.2));
  CHECK(j["confusion_matrix"][">50K"][">50K"] == 2);
  CHECK(j["confusion_matrix"][">50K"]["<=50K"] == 1);
  CHECK(j["confusion_matrix"]["<=50K"][">50K"] == 1);
  const nlohmann::json& metrics = j["model_performance_metrics"];
  REQUIRE(metrics.size() == 10);
  CHECK(metrics[0]["name"] == "Accuracy");
  CHECK(metrics[0]["value"].get<double>() == Approx(0.6));
  CHECK(metrics[0].contains("description"));
  CHECK(j["accuracy"].get<double>() == Approx(0.6));  // verdict's own members stay
}
