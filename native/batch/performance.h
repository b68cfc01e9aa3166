// analysis.json's model_performance: accuracy, AUC and log-loss (binary) or RMSE, MAE and R²
// (regression) of scores against labels.
#pragma once
#include <nlohmann/json.hpp>
#include <vector>

#include "shared/schema.h"

namespace verdict {

nlohmann::json model_performance(Task task, const std::vector<double>& scores, const std::vector<float>& labels,
                                 double threshold);

}  // namespace verdict
