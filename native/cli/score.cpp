// verdict score: batch prediction without explanations, streamed a chunk at a time, with the
// loaded forest or a compiled model (`verdict compile`).
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/score.h"

namespace verdict {

void add_score_command(CLI::App& app) {
  auto o = std::make_shared<ScorePlan>();
  CLI::App* cmd = app.add_subcommand("score", "Batch prediction (no explanations): one line per record, streamed");
  cmd->add_option("--model", o->model, "Model folder (model.json + schema.json) or an XGBoost model.json")->required();
  cmd->add_option("--data", o->data, "CSV with a header row")->required();
  cmd->add_option("--out", o->out, "Output file: one prediction per line")->required();
  cmd->add_option("--compiled", o->compiled, "A model compiled by `verdict compile` (its folder or libmodel.so)");
  cmd->add_option("--target", o->target, "Label column in the CSV, left out of the features");
  cmd->add_flag("--margin", o->margin, "Write the margin (log-odds) instead of the prediction");
  cmd->add_option("--digits", o->digits, "Significant digits (17: every double exactly)")->capture_default_str()->check(CLI::Range(1, 17));
  cmd->add_option("--threads", o->threads, "Threads (0 = all cores)")->capture_default_str();
  cmd->callback([o] { score_file(*o, std::cout); });
}

}  // namespace verdict
