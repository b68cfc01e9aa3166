// The nearest decision flip (a counterfactual): the cheapest change of a record's values that
// moves a binary decision across its threshold, makes another class the top one (multi-class),
// or moves a regression's prediction by a given amount.
//
// A tree ensemble is constant between consecutive split thresholds of a feature, so each feature's
// values fall into cells (between its thresholds, in the forest), and the search is over a finite
// grid: in each cell, the value nearest the record's own (the cell's near end, a whole number for
// an integer column, inside the training range). Changes of 1 and 2 features are exact: with the
// rest of the row fixed, each tree is a piecewise-constant function of the changed features, read
// off by walking only the trees whose path splits on them, branching on every split of those
// features; the margin of every cell (pair of cells) is the base margin plus those trees'
// differences, summed as a difference array over the grid. Pairs are pruned by a cost bound (the
// cheapest moves of each feature). Three features use a heuristic (labelled `exact = false`): the
// exact pair search from each of a few single-feature moves that go furthest toward the goal.
//
// Cost: per numeric feature |new − old| / spread (schema, Column::spread), a category change 1.
// Immutable features and missing values are never changed.
#pragma once
#include <cstddef>
#include <vector>

#include "shared/forest.h"
#include "shared/schema.h"

namespace verdict {

struct FlipGoal {
  // Binary: the decision threshold on the probability (positive when above); an answer makes
  // the decision the other one.
  double threshold = 0.5;
  // Regression: the prediction must move by at least this much, up when positive, down when
  // negative. Needed (non-zero) for a regression model, refused for a binary one.
  double target_delta = 0;
};

struct CounterfactualOptions {
  int max_features = 2;         // 1 or 2: exact; 3: the heuristic for three
  std::size_t answers = 3;      // at most this many, each a different set of features
  std::vector<bool> immutable;  // per feature, on top of the schema's (empty: the schema's only)
  FlipGoal goal;
};

struct FeatureChange {
  std::size_t feature;
  float from, to;  // encoded values (category codes for a categorical feature)
  double cost;
};

struct Counterfactual {
  std::vector<FeatureChange> changes;  // in feature order
  double cost = 0;                     // the sum of the changes' costs
  double margin = 0, prediction = 0;   // the changed row re-scored (multi-class: its new class's margin and probability)
  bool exact = true;                   // false: found by the three-feature heuristic
  int predicted_class = -1;            // multi-class: the class the changed row is predicted (another than the record's)
};

// Prepared once per forest (read-only afterwards: threads may share it).
class CounterfactualSearch {
 public:
  // A multi-class forest's flip is another class becoming the top one. Throws verdict::Error
  // for a schema whose feature count or task does not fit the forest.
  CounterfactualSearch(const Forest& forest, const Schema& schema);

  // Up to options.answers answers, cheapest first, each a different set of features; a set that
  // holds a cheaper answer's set is left out unless it is cheaper. Every answer was re-scored
  // with predict_margin and reaches the goal. Empty when nothing within max_features does.
  std::vector<Counterfactual> find(const float* row, const CounterfactualOptions& options) const;

  // The candidate values of feature f for a record whose value is `current`: one per cell that
  // a change can reach (the current cell gives `current` itself at cost 0). For tests and pages.
  struct Candidate {
    std::size_t cell;
    float value;
    double cost;
  };
  std::vector<Candidate> candidates(std::size_t f, float current) const;

  std::size_t cells(std::size_t f) const { return thresholds_[f].size() + 1; }

 private:
  const Forest& forest_;
  const Schema& schema_;
  std::vector<std::vector<float>> thresholds_;  // per feature: its split thresholds, sorted, distinct
  std::vector<std::int32_t> cut_;               // per inner node: cells below it go left
};

}  // namespace verdict
