// verdict train: fit an XGBoost model through its C API; write model.json, schema.json, metrics.json.
#include "native/jobs/train.h"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include "native/io/dataset.h"
#include "native/io/model_files.h"
#include "native/batch/threads.h"
#include "shared/error.h"
#include "native/train/training.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

Task task_of(const std::string& objective) {
  return objective.rfind("binary:", 0) == 0 || objective == "reg:logistic" ? Task::Binary
                                                                            : Task::Regression;
}

std::string format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void train_from_csv(const TrainPlan& o, std::ostream& log) {
  const Task task = task_of(o.objective);
  const Table train_table = read_csv(o.data);
  Schema schema;
  if (!o.schema.empty()) {
    schema = Schema::from_json(read_json_file(o.schema));
  } else {
    if (o.target.empty()) throw Error("--target is required when no --schema is given");
    std::vector<std::vector<std::string>> columns;
    for (std::size_t c = 0; c < train_table.header.size(); ++c) {
      columns.push_back(train_table.column_cells(c));
    }
    schema = infer_schema(train_table.header, columns, o.target, task, o.positive);
  }
  if (schema.task != task) throw Error("objective '" + o.objective + "' does not fit the schema's task");
  const Dataset train = encode_table(train_table, schema, true);
  std::cerr << unseen_warning(train, schema);

  std::optional<Dataset> test;
  if (!o.test.empty()) {
    test = encode_table(read_csv(o.test), schema, true);
    std::cerr << unseen_warning(*test, schema);
  }

  std::map<std::string, std::string> params = {
      {"objective", o.objective},
      {"max_depth", std::to_string(o.max_depth)},
      {"eta", format(o.eta)},
      {"gamma", format(o.gamma)},
      {"min_child_weight", format(o.min_child_weight)},
      {"subsample", format(o.subsample)},
      {"tree_method", o.tree_method},
      {"seed", std::to_string(o.seed)},
      {"nthread", std::to_string(resolve_threads(o.threads))},
      {"eval_metric", task == Task::Binary ? "logloss" : "rmse"},
      {"verbosity", "1"},
  };
  for (const std::string& kv : o.extra) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw Error("--param wants key=value, not '" + kv + "'");
    params[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  const TrainedModel trained = train_model(schema, train, test ? &*test : nullptr, params, o.rounds);
  const nlohmann::json& metrics = trained.metrics;

  const fs::path dir = o.out;
  write_model_folder(o.out, trained.model_json, schema, metrics);

  log << "model    -> " << (dir / "model.json").string() << "\n"
      << "schema   -> " << (dir / "schema.json").string() << "\n"
      << "metrics  -> " << (dir / "metrics.json").string() << "\n";
  const nlohmann::json& shown = test ? metrics["test"] : metrics["train"];
  log << (test ? "test" : "train") << " set: " << shown.dump() << "\n";
}

}  // namespace verdict
