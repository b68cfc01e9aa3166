// verdict pack: the model in the compact binary form the review page loads (scripts/build-web
// calls it); the file appears whole or not at all.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/pack.h"

namespace verdict {

void add_pack_command(CLI::App& app) {
  auto o = std::make_shared<PackPlan>();
  CLI::App* cmd = app.add_subcommand("pack", "Write the model in the compact binary form the review page loads");
  cmd->add_option("--model", o->model, "Model folder (model.json) or an XGBoost model.json")->required();
  cmd->add_option("--out", o->out, "The packed model to write (e.g. dist/data/model.bin)")->required();
  cmd->callback([o] { pack_model(*o, std::cout); });
}

}  // namespace verdict
