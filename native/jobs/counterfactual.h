// The `counterfactual` job: for each record of a CSV, the nearest decision flips
// (shared/counterfactual.h), one output row per answer, rows spread over threads.
#pragma once
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace verdict {

struct CounterfactualPlan {
  std::string model;                   // model folder or XGBoost model.json
  std::string data;                    // CSV with a header row (a target column may be there)
  std::string out;                     // cf.csv
  std::vector<std::string> immutable;  // features never changed, on top of the schema's
  int max_features = 2;                // 1, 2 exact; 3 heuristic
  std::size_t answers = 3;             // per record
  std::optional<double> threshold;     // binary: the decision threshold (default 0.5)
  std::optional<double> target_delta;  // regression: the move of the prediction asked for
  unsigned threads = 0;                // 0 = every core
};

// Writes OUT (whole or not at all): every column of the input, the changed values in place,
// then row (0-based), rank (1 = cheapest), cost, changed (feature names, ';'), score (the
// changed row's prediction) and method (exact / heuristic). Says what it did on `log`.
void find_counterfactuals(const CounterfactualPlan& plan, std::ostream& log);

}  // namespace verdict
