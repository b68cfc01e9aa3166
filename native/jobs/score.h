// The `score` job: batch prediction without explanations, streamed a chunk at a time, with the
// loaded forest or a compiled model (`verdict compile`).
#pragma once
#include <ostream>
#include <string>

namespace verdict {

struct ScorePlan {
  std::string model;     // model folder or XGBoost model.json
  std::string data;      // CSV with a header row
  std::string out;       // one prediction per line (K classes: K probabilities, comma-separated)
  std::string compiled;  // a model compiled by `verdict compile` (its folder or libmodel.so)
  std::string target;    // label column, left out of the features
  bool margin = false;   // write the margin (log-odds) instead of the prediction
  int digits = 10;       // significant digits
  unsigned threads = 0;  // 0 = every core
};

// Writes OUT (whole or not at all) and says what it did on `log`.
void score_file(const ScorePlan& plan, std::ostream& log);

}  // namespace verdict
