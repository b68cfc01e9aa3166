// verdict clarify --config analysis_config.json --dataset DATA --out DIR --model M: SageMaker
// Clarify's own config, unchanged; Clarify's output layout (analysis.json,
// explanations_shap/, report.html/.pdf/.ipynb).
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/clarify.h"

namespace verdict {

void add_clarify_command(CLI::App& app) {
  auto o = std::make_shared<ClarifyPlan>();
  CLI::App* cmd = app.add_subcommand("clarify", "Run SageMaker Clarify's analysis_config.json as it is: SHAP, bias metrics, report");
  cmd->add_option("--config", o->config, "Clarify's analysis_config.json")->required()->check(CLI::ExistingFile);
  cmd->add_option("--dataset", o->dataset, "The data the config describes (text/csv with or without a header row, or "
                  "application/jsonlines)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", o->out, "Output folder (Clarify's analysis_result): written whole or not at all")->required();
  cmd->add_option("--model", o->model, "Model folder (model.json + schema.json) or an XGBoost model.json; the config's "
                  "'predictor' is not used")->required();
  cmd->add_flag("--no-pdf", o->no_pdf, "Write report.html and report.ipynb but not report.pdf");
  cmd->add_option("--chromium", o->chromium, "Chromium used to print the PDF")->capture_default_str();
  cmd->footer("Read: dataset_type, headers, label, features (jsonlines), label_values_or_threshold, facet, group_variable, "
              "probability_threshold, methods.shap (baseline file or rows, num_samples, agg_method, use_logit, "
              "save_local_shap_values, seed, num_clusters), methods.pre_training_bias / post_training_bias (\"all\" or names), "
              "methods.pdp (features, grid_resolution, top_k_features), methods.report (name, title). Other fields are named once on the output and not used. See README "
              "'Clarify's own config'.");
  cmd->callback([o] { run_clarify(*o, std::cout); });
}

}  // namespace verdict
