// verdict run CONFIG: the whole job from one config in the spirit of Clarify's
// analysis_config.json — data → train → explain → bias → report → review loops, each step
// skipped while its outputs are newer than its inputs.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/run.h"

namespace verdict {

void add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunPlan>();
  CLI::App* cmd = app.add_subcommand("run", "Run the whole job from one JSON config: data, train, explain, bias, report, review loops");
  cmd->add_option("config", o->config, "Config file (see configs/*.json)")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--force", o->force, "Run every step, even those that are up to date");
  cmd->add_flag("--dry-run", o->dry_run, "Print the steps without running them");
  cmd->callback([o] { run_pipeline(*o, std::cout); });
}

}  // namespace verdict
