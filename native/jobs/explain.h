// The `explain` job: score a CSV and explain every record with exact SHAP (or Kernel SHAP);
// writes Clarify's layout (explanations_shap/out.csv, analysis.json), batch-transform
// predictions, and the review batch the browser client reads. Rows are streamed a chunk at a
// time, so memory stays flat however long the CSV is.
#pragma once
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace verdict {

struct ExplainPlan {
  std::string model;          // model folder (model.json + schema.json) or an XGBoost model.json
  std::string schema;         // overrides the schema beside the model
  std::string data, out;      // the CSV explained; the output folder
  std::string target;         // label column, left out of the features
  std::string baseline;       // 'mean' | 'kmeans:K' | a CSV of reference rows
  std::string baseline_data;  // the CSV summarised by kmeans:K (default: the data explained)
  // Reference rows given inline (Clarify's `baseline: [[...], ...]`), used instead of `baseline`.
  std::vector<std::vector<std::string>> baseline_inline;
  // The columns of a headerless baseline (a file or inline rows), in order; empty = the
  // schema's features in order. Clarify's baseline.csv has no header: its columns are the
  // dataset's features (every column but the label) in the dataset's order.
  std::vector<std::string> baseline_columns;
  std::vector<std::string> methods = {"tree", "baseline"};  // the first goes to out.csv
  std::string agg = "mean_abs";
  double threshold = 0.5;
  unsigned threads = 0;         // 0 = every core
  std::size_t limit = 0;        // 0 = every row
  std::size_t num_samples = 0;  // Kernel SHAP; 0 = shap's auto (2M + 2048)
  std::uint64_t seed = 0;       // Kernel SHAP coalitions and the K-means baseline
  bool use_logit = true;        // Kernel SHAP in margin (log-odds) units, else probability
  bool logit_of_mean = false;   // Kernel SHAP with shap's link="logit" (Clarify's use_logit)
  std::string shard;            // "I/N": only slice I of N (whole blocks of rows)
  // > 0: each review-batch record gets its nearest decision flips changing at most this many
  // features (shared/counterfactual.h; 3 is the heuristic), at `threshold`. Binary models only.
  int counterfactual_features = 0;
};

// Writes every output of OUT (all or none) and says where on `log`.
void explain_file(const ExplainPlan& plan, std::ostream& log);

}  // namespace verdict
