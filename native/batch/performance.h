// analysis.json's model_performance: accuracy, AUC and log-loss (binary) or RMSE, MAE and R²
// (regression) of scores against labels.
#pragma once
#include <nlohmann/json.hpp>
#include <vector>

#include "shared/schema.h"

namespace verdict {

// Binary models also carry smclarify's model performance report (bias/report.py,
// ModelPerformanceReport): "label", "model_performance_metrics" [{name, description, value}],
// "binary_confusion_matrix" [TP, FP, FN, TN] as fractions of the rows (basic_stats.py's
// confusion_matrix: "Fractions of TP, FP, FN, TN"), and "confusion_matrix" by label value.
// A record is predicted positive when its probability is above `threshold`.
nlohmann::json model_performance(Task task, const std::vector<double>& scores, const std::vector<float>& labels,
                                 double threshold, const std::string& label = "",
                                 const std::string& positive = "1", const std::string& negative = "0");

// A multi-class model's: accuracy and log loss of `probability` (rows × K, class order) against
// the class index of each row, and the confusion matrix by class name
// ({observed: {predicted: count}}), a row predicted as its most probable class.
nlohmann::json multiclass_performance(const std::vector<double>& probability, const std::vector<float>& labels,
                                      const std::vector<std::string>& classes, const std::string& label = "");

}  // namespace verdict
