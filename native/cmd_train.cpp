// verdict train: fit an XGBoost model through its C API; write model.json, schema.json, metrics.json.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include "commands.h"
#include "dataset.h"
#include "model_files.h"
#include "shared/error.h"
#include "staged_output.h"
#include "training.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct TrainOptions {
  std::string data, test, target, positive, schema, out;
  std::string objective = "binary:logistic";
  int rounds = 800;
  int max_depth = 5;
  double eta = 0.2, gamma = 4, min_child_weight = 6, subsample = 0.8;
  std::string tree_method = "exact";
  int seed = 0;
  unsigned threads = 0;
  std::vector<std::string> extra;  // key=value
};

Task task_of(const std::string& objective) {
  return objective.rfind("binary:", 0) == 0 || objective == "reg:logistic" ? Task::Binary
                                                                            : Task::Regression;
}

std::string format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void run_train(const TrainOptions& o) {
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

  StagedOutputs out;
  const fs::path dir = o.out;
  out.write(dir / "model.json", trained.model_json);
  out.write(dir / "schema.json", schema.to_json().dump(2) + "\n");
  out.write(dir / "metrics.json", metrics.dump(2) + "\n");
  out.commit();

  std::cout << "model    -> " << (dir / "model.json").string() << "\n"
            << "schema   -> " << (dir / "schema.json").string() << "\n"
            << "metrics  -> " << (dir / "metrics.json").string() << "\n";
  const nlohmann::json& shown = test ? metrics["test"] : metrics["train"];
  std::cout << (test ? "test" : "train") << " set: " << shown.dump() << "\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train an XGBoost model on a CSV with a header");
  cmd->add_option("--data", o->data, "Training CSV (with a header row)")->required();
  cmd->add_option("--test", o->test, "Test CSV: validation metric while training, metrics after");
  cmd->add_option("--target", o->target, "Target column");
  cmd->add_option("--positive", o->positive, "Target value that means 1 (binary; default: last sorted)");
  cmd->add_option("--schema", o->schema, "Use this schema.json instead of inferring one");
  cmd->add_option("--out", o->out, "Output folder for model.json, schema.json, metrics.json")->required();
  cmd->add_option("--objective", o->objective, "XGBoost objective")->capture_default_str();
  cmd->add_option("--rounds", o->rounds, "Boosting rounds")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--max-depth", o->max_depth, "max_depth")->capture_default_str();
  cmd->add_option("--eta", o->eta, "Learning rate")->capture_default_str();
  cmd->add_option("--gamma", o->gamma, "Minimum loss reduction to split")->capture_default_str();
  cmd->add_option("--min-child-weight", o->min_child_weight, "min_child_weight")->capture_default_str();
  cmd->add_option("--subsample", o->subsample, "Row subsample per tree")->capture_default_str();
  cmd->add_option("--tree-method", o->tree_method, "exact | approx | hist")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--param", o->extra, "Any other XGBoost parameter as key=value (repeatable)");
  cmd->callback([o] { run_train(*o); });
}

}  // namespace verdict
