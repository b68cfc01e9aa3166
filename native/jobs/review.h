// The review jobs that set work up from the shell, through the same store the server uses:
// create a flow definition, and start human loops for the records of an explained batch.
#pragma once
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "native/review/store.h"

namespace verdict {

struct FlowPlan {
  std::string db = "review.db";
  review::Flow flow;  // name, texts, records per task, reviewers per record, time limits, output
  std::optional<double> probability_below, sample_percent;  // activation conditions
  bool predicted_negative = false;
  std::vector<std::string> predicted_class_in;     // multi-class: the predicted class is one of these
  std::optional<double> top_two_margin_below;      // multi-class: top probability − second below this
  std::string combine = "any";  // any | all of the conditions
  std::uint64_t seed = 0;       // of the audit sample
  bool exist_ok = false;        // a flow of that name already there is kept, not an error
};

// Creates the flow (output folder default: review-output beside the database); prints its
// definition as JSON on `log`.
void create_flow(const FlowPlan& plan, std::ostream& log);

struct StartLoopsPlan {
  std::string db = "review.db";
  std::string flow;
  std::string batch;   // folder written by `verdict explain`, or its review_batch.json
  std::string schema;  // for the positive label, when not beside the batch's model
  bool allow_repeat = false;  // records a loop of the flow already holds get another loop
};

// Opens loops for the records that meet the flow's activation conditions; says how many on `log`.
void start_loops(const StartLoopsPlan& plan, std::ostream& log);

}  // namespace verdict
