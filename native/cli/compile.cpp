// verdict compile: the model as generated C++ (Treelite style), built into a shared library
// that `verdict score --compiled` loads. The folder appears whole or not at all.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/compile.h"

namespace verdict {

void add_compile_command(CLI::App& app) {
  auto o = std::make_shared<CompilePlan>();
  CLI::App* cmd = app.add_subcommand("compile", "Generate C++ for the model (Treelite style) and build it into a shared library");
  cmd->add_option("--model", o->model, "Model folder (model.json) or an XGBoost model.json")->required();
  cmd->add_option("--out", o->out, "Folder for the sources, CMakeLists.txt and libmodel.so")->required();
  cmd->add_option("--trees-per-file", o->trees_per_file, "Trees per source file (files compile in parallel)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  cmd->add_flag("--quantize", o->quantize, "Map each value to an integer bin once per row; integer compares in the trees");
  cmd->add_flag("--no-branch-hints", o->no_hints, "Leave out __builtin_expect (by default the child with the larger cover is likely)");
  cmd->add_flag("--no-build", o->no_build, "Write the sources only");
  cmd->add_option("--jobs", o->jobs, "Parallel compile jobs (0 = all cores)")->capture_default_str();
  cmd->callback([o] { compile_model_library(*o, std::cout); });
}

}  // namespace verdict
