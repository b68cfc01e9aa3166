// verdict retrain: the next model, trained on the original training data plus the merged
// ground truth, with the same schema and parameters; reports the metric change on the test set.
#include "native/jobs/retrain.h"

#include <filesystem>
#include <iostream>

#include "native/io/dataset.h"
#include "native/io/model_files.h"
#include "shared/error.h"
#include "shared/predict.h"
#include "native/train/training.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

std::vector<std::string> lineage_columns(const Table& t) {
  std::vector<std::string> out;
  for (const auto& h : t.header) {
    if (h.rfind("verdict_", 0) == 0) out.push_back(h);
  }
  return out;
}

}  // namespace

void retrain_with_verdicts(const RetrainPlan& o, std::ostream& log) {
  ForestLoadOptions multiclass;
  multiclass.multiclass = true;
  const ModelFiles previous = load_model_files(o.model, "", multiclass);
  if (!previous.schema) throw Error("'" + o.model + "' has no schema.json beside its model");
  const Schema& schema = *previous.schema;
  const nlohmann::json old_metrics = read_json_file((fs::path(previous.model_path).parent_path() / "metrics.json").string());
  if (!old_metrics.contains("params") || !old_metrics.contains("rounds")) {
    throw Error("metrics.json of '" + o.model + "' has no params/rounds to retrain with");
  }
  const Table train_table = read_csv(o.train);
  const Table merged_table = read_csv(o.merged);
  Dataset train = encode_table(train_table, schema, true, lineage_columns(train_table));
  const Dataset merged = encode_table(merged_table, schema, true, lineage_columns(merged_table));
  train.x.insert(train.x.end(), merged.x.begin(), merged.x.end());
  train.label.insert(train.label.end(), merged.label.begin(), merged.label.end());
  train.rows += merged.rows;
  const Dataset test = encode_table(read_csv(o.test), schema, true);

  // The previous model's scores on the test set: K probabilities a row for K classes.
  const std::size_t k = previous.forest.num_class > 1 ? static_cast<std::size_t>(previous.forest.num_class) : 1;
  std::vector<double> before(test.rows * k), margins(k);
  for (std::size_t r = 0; r < test.rows; ++r) {
    const float* row = test.x.data() + r * test.cols;
    if (k > 1) {
      predict_class_margins(previous.forest, row, margins.data());
      softmax(margins.data(), static_cast<int>(k), &before[r * k]);
    } else {
      before[r] = apply_link(previous.forest.link, predict_margin(previous.forest, row));
    }
  }
  const nlohmann::json before_q = quality(schema, before, test.label);
  const auto params = old_metrics["params"].get<std::map<std::string, std::string>>();
  const TrainedModel next = train_model(schema, train, &test, params, old_metrics["rounds"].get<int>());
  nlohmann::json metrics = next.metrics;
  metrics["previous_test"] = before_q;
  metrics["ground_truth_rows"] = merged.rows;
  nlohmann::json change = nlohmann::json::object();
  for (const auto& [k, v] : metrics["test"].items()) {
    if (k != "rows" && before_q.contains(k)) change[k] = v.get<double>() - before_q[k].get<double>();
  }
  metrics["test_change"] = change;

  const fs::path dir = o.out;
  write_model_folder(o.out, next.model_json, schema, metrics);
  log << "retrained on " << train_table.rows.size() << " + " << merged.rows << " reviewed rows -> "
      << (dir / "model.json").string() << "\n"
      << "test before: " << before_q.dump() << "\n"
      << "test after:  " << metrics["test"].dump() << "\n"
      << "change:      " << change.dump() << "\n";
}

}  // namespace verdict
