// The `train` job: fit an XGBoost model on a CSV through its C API; write model.json,
// schema.json and metrics.json into one folder.
#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace verdict {

struct TrainPlan {
  std::string data, test, target, positive, schema, out;
  std::string objective = "binary:logistic";
  int rounds = 800;
  int max_depth = 5;
  double eta = 0.2, gamma = 4, min_child_weight = 6, subsample = 0.8;
  std::string tree_method = "exact";
  int seed = 0;
  unsigned threads = 0;             // 0 = every core
  std::vector<std::string> extra;  // any other XGBoost parameter as key=value
};

// Writes OUT/model.json, schema.json and metrics.json (all or none); says where on `log`.
void train_from_csv(const TrainPlan& plan, std::ostream& log);

}  // namespace verdict
