// verdict train: fit an XGBoost model through its C API; write model.json, schema.json, metrics.json.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/train.h"

namespace verdict {

void add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainPlan>();
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
  cmd->callback([o] { train_from_csv(*o, std::cout); });
}

}  // namespace verdict
