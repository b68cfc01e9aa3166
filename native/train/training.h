// Training through XGBoost's C API, shared by `verdict train` and `verdict retrain`.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "native/io/dataset.h"

namespace verdict {

struct TrainedModel {
  std::string model_json;  // XGBoost's JSON
  nlohmann::json metrics;  // train / test quality, params, rounds, seconds
};

// Trains `rounds` rounds with XGBoost `params`, showing a progress bar with the validation
// metric (on `test` when given, else on `train`).
TrainedModel train_model(const Schema& schema, const Dataset& train, const Dataset* test,
                         const std::map<std::string, std::string>& params, int rounds);

// accuracy/AUC/log-loss (binary), accuracy/log-loss (multiclass: rows × classes probabilities)
// or RMSE/MAE/R² (regression) of predictions against labels.
nlohmann::json quality(const Schema& schema, const std::vector<double>& prediction,
                       const std::vector<float>& label);

}  // namespace verdict
