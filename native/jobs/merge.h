// The `merge` job: completed human loops turned into ground truth for the next training run
// (majority label per record, ties kept apart, agreement between reviewers).
#pragma once
#include <ostream>
#include <string>

namespace verdict {

struct MergePlan {
  std::string db = "review.db";  // the review service's database
  std::string flow;              // only this flow's loops (default: every flow)
  std::string out;               // folder for ground_truth.csv, ties.csv, merge_summary.json
  std::string target = "Target"; // the label column to write
};

// Writes the three files (all or none); says where on `log`.
void merge_verdicts(const MergePlan& plan, std::ostream& log);

}  // namespace verdict
