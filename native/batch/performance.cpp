#include "native/batch/performance.h"

#include "shared/metrics.h"
#include "shared/predict.h"

namespace verdict {

nlohmann::json model_performance(Task task, const std::vector<double>& scores, const std::vector<float>& labels,
                                 double threshold, const std::string& label, const std::string& positive,
                                 const std::string& negative) {
  const std::size_t n = scores.size();
  if (task == Task::Binary) {
    const BinaryMetrics bm = binary_metrics(scores, labels, threshold);
    double tp = 0, fp = 0, fn = 0, tn = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const bool predicted = above_threshold(scores[i], threshold), observed = labels[i] > 0.5f;
      (predicted ? (observed ? tp : fp) : (observed ? fn : tn)) += 1;
    }
    nlohmann::json metrics = nlohmann::json::array();
    for (const NamedMetric& m : clarify_performance_metrics(tp, fp, fn, tn)) {
      metrics.push_back({{"name", m.name}, {"description", m.description}, {"value", m.value}});
    }
    const double rows = n ? static_cast<double>(n) : 1.0;
    const std::string pos = positive.empty() ? "1" : positive, neg = negative.empty() || negative == pos ? "0" : negative;
    return {{"rows", n}, {"accuracy", bm.accuracy}, {"auc", bm.auc}, {"log_loss", bm.log_loss}, {"threshold", threshold},
            {"label", label},
            {"model_performance_metrics", metrics},
            {"binary_confusion_matrix", {tp / rows, fp / rows, fn / rows, tn / rows}},
            {"confusion_matrix", {{pos, {{pos, tp}, {neg, fn}}}, {neg, {{pos, fp}, {neg, tn}}}}}};
  }
  const RegressionMetrics rm = regression_metrics(scores, labels);
  return {{"rows", n}, {"rmse", rm.rmse}, {"mae", rm.mae}, {"r2", rm.r2}};
}

nlohmann::json multiclass_performance(const std::vector<double>& probability, const std::vector<float>& labels,
                                      const std::vector<std::string>& classes, const std::string& label) {
  const int k = static_cast<int>(classes.size());
  const MulticlassMetrics mm = multiclass_metrics(probability, k, labels);
  std::vector<std::vector<double>> counts(classes.size(), std::vector<double>(classes.size(), 0.0));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const int predicted = predicted_class(probability.data() + i * classes.size(), k);
    counts[static_cast<std::size_t>(labels[i])][static_cast<std::size_t>(predicted)] += 1;
  }
  nlohmann::json confusion = nlohmann::json::object();
  for (std::size_t o = 0; o < classes.size(); ++o) {
    for (std::size_t p = 0; p < classes.size(); ++p) confusion[classes[o]][classes[p]] = counts[o][p];
  }
  return {{"rows", labels.size()}, {"accuracy", mm.accuracy}, {"log_loss", mm.log_loss}, {"label", label},
          {"classes", classes}, {"confusion_matrix", confusion}};
}

}  // namespace verdict
