// The `run` job: the whole job from one config in the spirit of Clarify's analysis_config.json —
// data → train → explain → bias → report → review loops — each step a call of its job
// (native/jobs/), skipped while its outputs are newer than its inputs (the config, the data,
// the steps before it).
#pragma once
#include <ostream>
#include <string>

namespace verdict {

struct RunPlan {
  std::string config;    // the JSON config (see configs/*.json)
  bool force = false;    // run every step, even those that are up to date
  bool dry_run = false;  // print the steps without running them
};

// Runs the steps in order; the first that fails stops the run (Error naming the step).
// Progress and each step's own report go to `log`.
void run_pipeline(const RunPlan& plan, std::ostream& log);

}  // namespace verdict
