// verdict explain-merge: the output folders of `verdict explain --shard I/N` (all N of them)
// joined into exactly what one `verdict explain` of the whole input writes: the local SHAP
// files, predictions and review-batch records concatenated in row order, analysis.json rebuilt
// from the shards' block sums, scores and labels (shard.json).
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/explain_merge.h"

namespace verdict {

void add_explain_merge_command(CLI::App& app) {
  auto o = std::make_shared<MergeShardsPlan>();
  CLI::App* cmd = app.add_subcommand("explain-merge", "Join the outputs of `verdict explain --shard I/N` into the single-run output");
  cmd->add_option("shards", o->shards, "The N shard output folders (any order)")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--out", o->out, "Output folder")->required();
  cmd->callback([o] { merge_explain_shards(*o, std::cout); });
}

}  // namespace verdict
