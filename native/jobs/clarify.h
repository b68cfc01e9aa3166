// The `clarify` job: SageMaker Clarify's analysis_config.json, unchanged, mapped onto verdict's
// own jobs — explain (Kernel SHAP as Clarify computes it, with exact baseline SHAP beside it),
// bias (pre- and post-training metrics per facet) and report (HTML, PDF, notebook) — writing
// Clarify's output layout into one folder, all of it or nothing.
#pragma once
#include <ostream>
#include <string>

namespace verdict {

struct ClarifyPlan {
  std::string config;   // analysis_config.json
  std::string dataset;  // the data the config describes (Clarify reads it from S3)
  std::string out;      // the output folder (Clarify's analysis_result)
  std::string model;    // model folder or XGBoost model.json (the config's `predictor` is ignored)
  std::string chromium = "/usr/bin/chromium";
  bool no_pdf = false;
};

void run_clarify(const ClarifyPlan& plan, std::ostream& log);

}  // namespace verdict
