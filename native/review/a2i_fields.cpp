#include "native/review/a2i_fields.h"

#include <sstream>
#include <string>
#include <vector>

#include "native/io/csv.h"

namespace verdict::review {

namespace {

std::string text_of(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// The record's values as one CSV line in the batch's feature order.
std::string row_line(const nlohmann::json& record, const nlohmann::json& features) {
  std::vector<std::string> cells;
  const nlohmann::json& values = record.value("values", nlohmann::json::object());
  if (values.is_array()) {
    for (const auto& v : values) cells.push_back(text_of(v));
  } else if (values.is_object() && features.is_array()) {
    for (const auto& f : features) cells.push_back(f.is_string() && values.contains(f.get<std::string>()) ? text_of(values[f.get<std::string>()]) : "");
  }
  std::ostringstream out;
  write_csv_row(out, cells);
  std::string line = out.str();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

// What the model said of a record, and how sure it was: the predicted label with the
// probability of that label (binary: positive when p > threshold), or the prediction itself
// (regression, no confidence).
std::pair<std::string, std::string> prediction_of(const nlohmann::json& record, double threshold) {
  const double p = record.value("prediction", 0.0);
  if (record.contains("predicted_label") && record["predicted_label"].is_string()) {
    const double confidence = p > threshold ? p : 1 - p;
    return {record["predicted_label"].get<std::string>(), nlohmann::json(confidence).dump()};
  }
  return {nlohmann::json(p).dump(), ""};
}

}  // namespace

void add_a2i_reference_fields(nlohmann::json& output) {
  nlohmann::json& input = output["inputContent"];
  if (!input.is_object() || !input.contains("records") || !input["records"].is_array()) return;
  const nlohmann::json& records = input["records"];
  const nlohmann::json features = input.value("features", nlohmann::json());
  const double threshold = input.contains("threshold") && input["threshold"].is_number() ? input["threshold"].get<double>() : 0.5;
  if (!input.contains("Pairs")) {
    nlohmann::json pairs = nlohmann::json::array();
    for (const auto& r : records) {
      const auto [prediction, confidence] = prediction_of(r, threshold);
      pairs.push_back({{"row", row_line(r, features)}, {"prediction", prediction}, {"confidence", confidence}});
    }
    input["Pairs"] = pairs;
  }
  if (!output.contains("humanAnswers") || !output["humanAnswers"].is_array()) return;
  for (auto& answer : output["humanAnswers"]) {
    nlohmann::json& content = answer["answerContent"];
    if (!content.is_object() || !content.contains("records") || !content["records"].is_array()) continue;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const std::string j = std::to_string(i + 1);
      const nlohmann::json* given = nullptr;
      for (const auto& a : content["records"]) {
        if (a.is_object() && a.contains("row") && records[i].contains("row") && a["row"] == records[i]["row"]) given = &a;
      }
      if (!given || content.contains("rating" + j)) continue;
      const std::string verdict = given->value("verdict", "");
      const auto [prediction, confidence] = prediction_of(records[i], threshold);
      content["rating" + j] = {{"agree", verdict == "agree"}, {"disagree", verdict == "disagree"}};
      content["True Prediction" + j] = given->contains("label") ? text_of((*given)["label"]) : prediction;
      content["Change Reason" + j] = given->value("reason", "");
      content["predicted" + j] = prediction;
      content["confidence" + j] = confidence;
    }
  }
}

}  // namespace verdict::review
