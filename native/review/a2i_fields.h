// The fields Amazon's tabular A2I reference notebook reads from a loop's output.json, added
// beside verdict's own so that code runs unchanged: inputContent.Pairs[i] = {row (the record's
// values as a CSV line, in feature order), prediction, confidence}, and in each answer,
// for j = 1.. over the loop's records, rating{j} = {agree, disagree}, "True Prediction{j}",
// "Change Reason{j}", predicted{j} and confidence{j} (the task template's field names).
#pragma once
#include <nlohmann/json.hpp>

namespace verdict::review {

// Adds them to an output in A2I's shape (humanLoopName, inputContent, humanAnswers); fields
// already there are kept. Outputs whose answers are not verdict's page's {"records": [...]}
// get Pairs only.
void add_a2i_reference_fields(nlohmann::json& output);

}  // namespace verdict::review
