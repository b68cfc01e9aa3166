// Bias metrics as SageMaker Clarify defines them (its open-source library smclarify,
// bias/metrics/pretraining.py, posttraining.py, common.py): pre-training metrics on the
// observed labels, post-training metrics on the model's predicted labels.
//
// Words used throughout:
//   facet d   the disadvantaged group the user names (a facet value or threshold);
//   facet a   the advantaged group: every other row;
//   positive  the favourable outcome (a label value or threshold the user names);
//   n_a, n_d  rows in each facet; n_a(1), n_d(1) rows with a positive label;
//   n̂_a(1), n̂_d(1) rows with a positive predicted label; n(0), n̂(0) the negatives.
// Division follows Clarify: 0/0 = 0, x/0 = +infinity (−infinity for x < 0), and the metric
// says so in its `note`. A metric that is undefined for the data (Clarify's MetricError)
// carries an `error` and a NaN value; the others are still computed.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "flip_test.h"

namespace verdict {

// Clarify's divide(): a/b, with 0/0 = 0 and x/0 = ±infinity by the sign of x.
double clarify_divide(double a, double b);

struct BiasMetric {
  std::string name;         // "CI"
  std::string description;  // "Class Imbalance (CI)"
  double value = 0;         // may be ±infinity (x/0); NaN when `error` is set
  std::string note;         // how a 0/0 or x/0 (or a left-out outcome) was resolved
  std::string error;        // why the metric is undefined here; empty when it is defined
};

struct Confusion {
  std::size_t tp = 0, fp = 0, fn = 0, tn = 0;  // label × predicted label, within one facet
};

// The counts behind the metrics.
struct FacetCounts {
  std::size_t n = 0, n_a = 0, n_d = 0;
  std::size_t n_a_pos = 0, n_d_pos = 0;            // positive labels: n_a(1), n_d(1)
  std::size_t n_a_pred_pos = 0, n_d_pred_pos = 0;  // positive predictions: n̂_a(1), n̂_d(1) (post)
  Confusion a, d;                                  // post-training only
  std::size_t groups = 0;                          // distinct group ids; 0 without a group
  FlipTestCounts flip;                             // post-training only
};

struct BiasResult {
  FacetCounts counts;
  std::vector<BiasMetric> metrics;  // sorted by name, as Clarify lists them
  // The metric called `name`; throws verdict::Error when there is none.
  const BiasMetric& get(std::string_view name) const;
};

// One row per element of each vector.
struct BiasInput {
  std::vector<bool> facet;      // the row belongs to facet d
  std::vector<bool> label;      // its observed label is positive (favourable)
  std::vector<bool> predicted;  // its predicted label is positive (post-training only)
  std::vector<int> group;       // group id for CDDL / CDDPL; empty = no group variable
  // Flip Test features (post-training only): rows × feature_count, row-major, NaN = missing.
  // Clarify passes every column except the facet and the label; all must be numeric.
  std::vector<double> features;
  std::size_t feature_count = 0;
};

// CI, DPL, KL, JS, LP, TVD, KS, CDDL. Uses facet, label, group.
// Throws verdict::Error when facet d or facet a is empty, or the sizes disagree.
BiasResult pre_training_bias(const BiasInput& in);

// DPPL, DI, DCA, DCR, RD, SD, DAR, DRR, AD, CDDPL, TE, FT, GE (Clarify's 13). Uses every field.
// `run_flip_test` counts the Flip Test's flips (native splits them over threads); empty = here,
// in one pass. Throws like pre_training_bias.
BiasResult post_training_bias(const BiasInput& in, const FlipTestRunner& run_flip_test = {});

}  // namespace verdict
