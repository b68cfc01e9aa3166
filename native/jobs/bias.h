// The `bias` job: Clarify's pre-training (labels) and post-training (predicted labels) bias
// metrics for one facet, written into DIR/analysis.json beside whatever is already there.
#pragma once
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace verdict {

struct BiasPlan {
  std::string model, schema, data, out;
  std::string label;                      // label column (default: the schema's target)
  std::string facet;                      // the sensitive attribute
  std::string group;                      // group column for CDDL / CDDPL
  std::vector<std::string> label_values;  // positive outcome(s); or label_threshold
  std::vector<std::string> facet_values;  // facet d; or facet_threshold
  std::optional<double> label_threshold, facet_threshold;  // numeric columns: above this
  double probability_threshold = 0.5;    // binary models: above this predicts the positive label
  std::vector<std::string> methods = {"pre", "post"};
  unsigned threads = 0;                  // predictions and the Flip Test's neighbours (0 = every core)

  // Clarify's config as it is (verdict clarify, verdict run): the values of
  // `facet[].value_or_threshold` / `label_values_or_threshold`, read by Clarify's rule once the
  // data is read (shared/clarify_columns.h): categories, or a threshold for a continuous column.
  // A facet with `facet_clarify` and no values is measured one value against all the others.
  bool facet_clarify = false, label_clarify = false;
  std::vector<std::string> facet_value_or_threshold, label_value_or_threshold;
  // Clarify's metric selection by name (empty = all); "DCAcc" is read as "DCA".
  std::vector<std::string> pre_metrics, post_metrics;
  // Adds this facet beside the facets already in OUT/analysis.json instead of replacing them.
  bool merge_facets = false;
};

// Merges the bias keys into OUT/analysis.json; prints the metrics on `log`.
void measure_bias(const BiasPlan& plan, std::ostream& log);

}  // namespace verdict
