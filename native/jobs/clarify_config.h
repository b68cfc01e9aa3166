// SageMaker Clarify's analysis_config.json, read as it is: the fields verdict uses, and the
// ones it does not (named once, so nothing is dropped silently). Field names and meanings:
// https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-processing-job-configure-analysis.html
#pragma once
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "native/io/clarify_dataset.h"

namespace verdict {

struct ClarifyFacet {
  nlohmann::json name_or_index;         // a column name or a 0-based index into the headers
  std::vector<std::string> values;      // value_or_threshold as text; empty = one value against all
};

struct ClarifyShap {
  std::string baseline_file;                          // a CSV (headerless, as Clarify's baseline.csv)
  std::vector<std::vector<std::string>> baseline_rows;  // or rows given inline
  std::size_t num_samples = 0;                        // 0 = shap's auto
  std::string agg_method = "mean_abs";
  bool use_logit = false;                             // Clarify's default
  bool save_local_shap_values = true;
  std::uint64_t seed = 0;
  std::size_t num_clusters = 1;                       // no baseline: a K-prototypes summary of the data
};

struct ClarifyPdp {
  std::vector<nlohmann::json> features;  // names or indices; empty = the top SHAP features
  std::size_t grid_resolution = 15;      // the SDK's PDPConfig defaults
  std::size_t top_k_features = 10;
};

struct ClarifyConfig {
  ClarifyDatasetFormat format;
  nlohmann::json label;                       // a column name or index; null = none
  std::vector<std::string> label_values;      // label_values_or_threshold as text
  std::vector<ClarifyFacet> facets;
  std::string group_variable;
  double probability_threshold = 0.5;
  std::optional<ClarifyShap> shap;
  std::optional<std::vector<std::string>> pre_training_bias, post_training_bias;  // metric names; {"all"}
  std::optional<ClarifyPdp> pdp;
  std::optional<std::pair<std::string, std::string>> report;  // name, title
  std::vector<std::string> ignored;           // "predictor", "methods.shap.text_config", ...
};

// Reads the config; `dir` is the config's folder (a relative baseline path is read from there
// when it is not found from the working folder). Throws verdict::Error naming the field.
ClarifyConfig parse_clarify_config(const nlohmann::json& config, const std::string& dir);

// A column named by name or 0-based index, as a name of `header`; throws naming `field`.
std::string clarify_column(const nlohmann::json& name_or_index, const std::vector<std::string>& header,
                           const std::string& field);

}  // namespace verdict
