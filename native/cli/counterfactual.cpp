// verdict counterfactual: for each record, the smallest changes that flip the model's decision
// (binary) or move its prediction by a given amount (regression).
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/counterfactual.h"

namespace verdict {

void add_counterfactual_command(CLI::App& app) {
  auto o = std::make_shared<CounterfactualPlan>();
  CLI::App* cmd = app.add_subcommand(
      "counterfactual", "The nearest decision flips of each record: the cheapest changes that cross the threshold");
  cmd->footer(
      "The search is over the model's own split thresholds: exact for changes of 1 and 2 features, a\n"
      "heuristic for 3 (method = heuristic). Cost: |change| / the feature's spread in the training data\n"
      "(schema version 3; older schemas use the range), a category change 1. Immutable features\n"
      "(schema or --immutable) and missing values are never changed; values stay in the training range\n"
      "and whole-number columns move to whole numbers. Up to --answers per record, each a different set\n"
      "of features, cheapest first. OUT has every input column (the changed values in place: cut the\n"
      "last six columns and `verdict score` reads it), then row (0-based), rank, cost, changed, score,\n"
      "method. Multi-class models are not supported yet.");
  cmd->add_option("--model", o->model, "Model folder (model.json + schema.json) or an XGBoost model.json")->required();
  cmd->add_option("--data", o->data, "CSV with a header row: the records (a target column may be there)")->required();
  cmd->add_option("--out", o->out, "Output CSV: one row per answer")->required();
  cmd->add_option("--immutable", o->immutable, "Features never changed, comma-separated (on top of the schema's)")->delimiter(',');
  cmd->add_option("--max-features", o->max_features, "Features an answer may change: 1, 2 (exact) or 3 (heuristic)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3));
  cmd->add_option("--answers", o->answers, "Answers per record")->capture_default_str()->check(CLI::Range(1, 10));
  cmd->add_option("--threshold", o->threshold, "Binary models: the decision threshold on the probability (default 0.5)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--target-delta", o->target_delta, "Regression models: move the prediction by at least this (sign: direction)");
  cmd->add_option("--threads", o->threads, "Threads (0 = all cores)")->capture_default_str();
  cmd->callback([o] { find_counterfactuals(*o, std::cout); });
}

}  // namespace verdict
