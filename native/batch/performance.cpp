#include "native/batch/performance.h"

#include "shared/metrics.h"

namespace verdict {

nlohmann::json model_performance(Task task, const std::vector<double>& scores, const std::vector<float>& labels,
                                 double threshold) {
  const std::size_t n = scores.size();
  if (task == Task::Binary) {
    const BinaryMetrics bm = binary_metrics(scores, labels, threshold);
    return {{"rows", n}, {"accuracy", bm.accuracy}, {"auc", bm.auc}, {"log_loss", bm.log_loss}, {"threshold", threshold}};
  }
  const RegressionMetrics rm = regression_metrics(scores, labels);
  return {{"rows", n}, {"rmse", rm.rmse}, {"mae", rm.mae}, {"r2", rm.r2}};
}

}  // namespace verdict
