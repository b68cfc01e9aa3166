// Model quality figures from predictions and labels.
#pragma once
#include <string>
#include <vector>

namespace verdict {

struct BinaryMetrics {
  double accuracy = 0, auc = 0, log_loss = 0;
};
struct MulticlassMetrics {
  double accuracy = 0, log_loss = 0;
};
struct RegressionMetrics {
  double rmse = 0, mae = 0, r2 = 0;
};

// probabilities in [0,1], labels 0/1; accuracy at `threshold`.
BinaryMetrics binary_metrics(const std::vector<double>& probability,
                             const std::vector<float>& label, double threshold = 0.5);
// probability: rows × k, row-major (a row sums to 1); label: the class index of each row.
// Accuracy of the most probable class (the first of equal ones); log loss with p clamped to
// [1e-15, 1 − 1e-15], as for binary. Throws for a label that is not a class index.
MulticlassMetrics multiclass_metrics(const std::vector<double>& probability, int k,
                                     const std::vector<float>& label);
// smclarify's model performance metrics (bias/report.py, _model_performance_metric_call_wrapper;
// bias/metrics/basic_stats.py), from the confusion counts, with Clarify's divide (0/0 = 0):
// name as Clarify writes it, its description, the value.
struct NamedMetric {
  std::string name, description;
  double value = 0;
};
std::vector<NamedMetric> clarify_performance_metrics(double tp, double fp, double fn, double tn);

RegressionMetrics regression_metrics(const std::vector<double>& prediction,
                                     const std::vector<float>& target);

// Area under the ROC curve, ties counted as half (Mann–Whitney U).
double roc_auc(const std::vector<double>& score, const std::vector<float>& label);

}  // namespace verdict
