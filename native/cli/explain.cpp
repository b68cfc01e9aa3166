// verdict explain: score a CSV and explain every record with exact SHAP; writes Clarify's
// layout (explanations_shap/out.csv, analysis.json), batch-transform predictions, and the
// review batch the browser client reads.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/explain.h"

namespace verdict {

void add_explain_command(CLI::App& app) {
  auto o = std::make_shared<ExplainPlan>();
  CLI::App* cmd = app.add_subcommand("explain", "Score a CSV and explain every record with exact SHAP (or Kernel SHAP)");
  cmd->add_option("--model", o->model, "Model folder (model.json + schema.json) or an XGBoost model.json")->required();
  cmd->add_option("--schema", o->schema, "schema.json (default: the one beside the model; none = all columns numeric)");
  cmd->add_option("--data", o->data, "CSV with a header row")->required();
  cmd->add_option("--out", o->out, "Output folder")->required();
  cmd->add_option("--target", o->target, "Label column in the CSV, left out of the features");
  cmd->add_option("--shap", o->methods, "SHAP methods, first goes to out.csv: tree (path-dependent; tree-classic: the same values by "
                  "the classic algorithm), baseline (exact; "
                  "mean over several reference rows), kernel (Kernel SHAP, sampled like shap's KernelExplainer / Clarify)")
      ->delimiter(',')->capture_default_str();
  cmd->add_option("--baseline", o->baseline, "Reference rows for baseline and kernel SHAP: 'mean' (training mean), "
                  "'kmeans:K' (K-prototypes summary of --baseline-data or of the data explained, weighted by cluster "
                  "size), or a CSV of one or more rows")->capture_default_str();
  cmd->add_option("--baseline-data", o->baseline_data, "CSV summarised by --baseline kmeans:K (default: the data explained)");
  cmd->add_option("--num-samples", o->num_samples, "Kernel SHAP coalitions per record; 0 = shap's auto, 2M + 2048 "
                  "(M = features that differ from the baseline); ≥ 2^M − 2 is exact")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of Kernel SHAP's coalition sampling and of the K-means baseline")->capture_default_str();
  cmd->add_flag("--use-logit,!--no-logit", o->use_logit, "Kernel SHAP in log-odds (margin) units, the mean margin over "
                "the baseline rows (default, comparable with tree and baseline); --no-logit: probability units");
  cmd->add_flag("--logit-of-mean", o->logit_of_mean, "Kernel SHAP with shap's link='logit' (Clarify's use_logit): logit of the "
                "mean probability over the baseline rows; equals --use-logit with one baseline row");
  cmd->add_option("--limit", o->limit, "Explain only the first N records (0 = all)")->capture_default_str();
  cmd->add_option("--agg", o->agg, "Global SHAP aggregation: mean_abs | median | mean_sq")->capture_default_str();
  cmd->add_option("--threshold", o->threshold, "Probability at or above which the label is positive")->capture_default_str();
  cmd->add_option("--counterfactuals", o->counterfactual_features,
                  "Add each record's nearest decision flips to review_batch.json, changing at most this many features "
                  "(1, 2 exact; 3 heuristic; 0 = none; binary models; as verdict counterfactual)")
      ->capture_default_str()
      ->check(CLI::Range(0, 3));
  cmd->add_option("--threads", o->threads, "Threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--shard", o->shard, "I/N: explain only slice I (0-based) of N, whole blocks of 4096 rows, for a batch "
                  "engine to fan out (a Kubernetes indexed Job, a Slurm array); `verdict explain-merge` joins the N output "
                  "folders into exactly the single-run output");
  cmd->footer("Rows are read, explained and written a chunk at a time: memory stays flat however long the CSV is "
              "(except 16 bytes a row for the model's performance, 8 per value with --agg median, and the data in "
              "memory for --baseline kmeans:K without --baseline-data).");
  cmd->callback([o] { explain_file(*o, std::cout); });
}

}  // namespace verdict
