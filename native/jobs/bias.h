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
};

// Merges the bias keys into OUT/analysis.json; prints the metrics on `log`.
void measure_bias(const BiasPlan& plan, std::ostream& log);

}  // namespace verdict
