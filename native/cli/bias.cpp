// verdict bias: Clarify's pre-training (labels) and post-training (predicted labels) bias
// metrics for one facet; writes them into DIR/analysis.json beside whatever is already there.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/bias.h"

namespace verdict {

void add_bias_command(CLI::App& app) {
  auto o = std::make_shared<BiasPlan>();
  CLI::App* cmd = app.add_subcommand(
      "bias", "Clarify's bias metrics for one facet: pre-training on the labels, post-training on the model's predictions");
  cmd->footer(
      "Facet d is the group the facet options pick; facet a is every other row. Metrics follow SageMaker\n"
      "Clarify (smclarify): 0/0 counts as 0, x/0 as Infinity (with a note). Results go to\n"
      "OUT/analysis.json under pre_training_bias_metrics / post_training_bias_metrics; other keys of an\n"
      "existing analysis.json are kept.");
  cmd->add_option("--model", o->model, "Model folder (model.json + schema.json) or an XGBoost model.json")->required();
  cmd->add_option("--schema", o->schema, "schema.json (default: the one beside the model; none = all columns numeric)");
  cmd->add_option("--data", o->data, "CSV with a header row: the model's features, the label, the facet (and group) columns")
      ->required();
  cmd->add_option("--out", o->out, "Output folder; OUT/analysis.json is written or updated")->required();
  cmd->add_option("--label", o->label, "Label column (default: the schema's target)");
  cmd->add_option("--label-values", o->label_values,
                  "Label value(s) that are the positive (favourable) outcome, comma-separated "
                  "(default: the schema's positive label)")
      ->delimiter(',');
  cmd->add_option("--label-threshold", o->label_threshold,
                  "For a numeric label: values above this are the positive outcome");
  cmd->add_option("--facet", o->facet, "Facet column: the sensitive attribute (e.g. Sex)")->required();
  cmd->add_option("--facet-values", o->facet_values,
                  "Facet value(s) that make up the disadvantaged group (facet d), comma-separated")
      ->delimiter(',');
  cmd->add_option("--facet-threshold", o->facet_threshold,
                  "For a numeric facet: rows with a value above this are facet d");
  cmd->add_option("--group", o->group, "Group column for the conditional metrics CDDL / CDDPL (e.g. an age band)");
  cmd->add_option("--probability-threshold", o->probability_threshold,
                  "Binary models: a probability above this predicts the schema's positive label")
      ->capture_default_str();
  cmd->add_option("--methods", o->methods, "Which metrics: pre (on the labels), post (on the predicted labels)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads for the predictions and the Flip Test's neighbour search (0 = all cores)")
      ->capture_default_str();
  cmd->callback([o] { measure_bias(*o, std::cout); });
}

}  // namespace verdict
