// The `retrain` job: the next model, trained on the original training data plus the merged
// ground truth with the same schema and parameters; the metric change on the test set.
#pragma once
#include <ostream>
#include <string>

namespace verdict {

struct RetrainPlan {
  std::string model;   // the current model folder (model.json, schema.json, metrics.json)
  std::string train;   // the original training CSV
  std::string merged;  // ground_truth.csv from `verdict merge`
  std::string test;    // test CSV for the before/after comparison
  std::string out;     // folder for the new model
};

// Writes OUT/model.json, schema.json, metrics.json (all or none); reports on `log`.
void retrain_with_verdicts(const RetrainPlan& plan, std::ostream& log);

}  // namespace verdict
