// The `compile` job: generate C++ for the model (Treelite style) and build it into a shared
// library, libmodel.so, that `verdict score --compiled` and the review page's module use.
#pragma once
#include <cstddef>
#include <ostream>
#include <string>

namespace verdict {

struct CompilePlan {
  std::string model;  // model folder or XGBoost model.json
  std::string out;    // folder for the sources, CMakeLists.txt and libmodel.so
  std::size_t trees_per_file = 25;
  bool quantize = false;   // integer bins per row, integer compares in the trees
  bool no_hints = false;   // leave out __builtin_expect
  bool no_build = false;   // write the sources only
  unsigned jobs = 0;       // parallel compile jobs; 0 = every core
};

// Replaces OUT as a whole once everything is written and built; reports on `log`.
void compile_model_library(const CompilePlan& plan, std::ostream& log);

}  // namespace verdict
