// verdict retrain: the next model, trained on the original training data plus the merged
// ground truth, with the same schema and parameters; reports the metric change on the test set.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/retrain.h"

namespace verdict {

void add_retrain_command(CLI::App& app) {
  auto o = std::make_shared<RetrainPlan>();
  CLI::App* cmd = app.add_subcommand("retrain", "Train the next model on the training data plus reviewed ground truth");
  cmd->add_option("--model", o->model, "The current model folder (model.json, schema.json, metrics.json)")->required();
  cmd->add_option("--train", o->train, "The original training CSV")->required();
  cmd->add_option("--merged", o->merged, "ground_truth.csv written by `verdict merge`")->required();
  cmd->add_option("--test", o->test, "Test CSV for the before/after comparison")->required();
  cmd->add_option("--out", o->out, "Folder for the new model")->required();
  cmd->callback([o] { retrain_with_verdicts(*o, std::cout); });
}

}  // namespace verdict
