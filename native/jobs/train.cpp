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
  if (objective.rfind("multi:", 0) == 0) return Task::Multiclass;
  return objective.rfind("binary:", 0) == 0 || objective == "reg:logistic" ? Task::Binary
                                                                            : Task::Regression;
}

// --param key=value pairs, in order (a later one wins).
std::map<std::string, std::string> extra_params(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> out;
  for (const std::string& kv : extra) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw Error("--param wants key=value, not '" + kv + "'");
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

std::string format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void train_from_csv(const TrainPlan& o, std::ostream& log) {
  const std::map<std::string, std::string> extra = extra_params(o.extra);
  const std::string objective = extra.count("objective") ? extra.at("objective") : o.objective;
  const Task task = task_of(objective);
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
  if (schema.task != task) throw Error("objective '" + objective + "' does not fit the schema's task");
  std::map<std::string, std::string> params_extra = extra;
  if (task == Task::Multiclass) {  // num_class: the target's label count, or checked against it
    const std::string labels = std::to_string(schema.labels.size());
    if (!params_extra.count("num_class")) params_extra["num_class"] = labels;
    if (params_extra["num_class"] != labels) {
      throw Error("--param num_class=" + params_extra["num_class"] + " but target '" + schema.target + "' has " + labels +
                  " distinct values");
    }
  }
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
      {"eval_metric", task == Task::Binary ? "logloss" : task == Task::Multiclass ? "mlogloss" : "rmse"},
      {"verbosity", "1"},
  };
  for (const auto& [k, v] : params_extra) params[k] = v;
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
