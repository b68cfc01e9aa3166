// verdict merge: completed human loops -> ground truth for the next training run.
// agree -> the model's label stands; disagree -> the reviewer's label; several reviewers are
// resolved by majority, ties are listed for a person. Also reviewer agreement figures.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/merge.h"

namespace verdict {

void add_merge_command(CLI::App& app) {
  auto o = std::make_shared<MergePlan>();
  CLI::App* cmd = app.add_subcommand("merge", "Turn completed human loops into ground truth for retraining");
  cmd->add_option("--db", o->db, "The review service's database: an SQLite file or a postgresql:// URL")->capture_default_str();
  cmd->add_option("--flow", o->flow, "Only this flow's loops");
  cmd->add_option("--target", o->target, "Name of the label column to write")->capture_default_str();
  cmd->add_option("--out", o->out, "Folder for ground_truth.csv, ties.csv, merge_summary.json")->required();
  cmd->callback([o] { merge_verdicts(*o, std::cout); });
}

}  // namespace verdict
