// The A2I reference notebook's fields beside verdict's own in output.json.
#include <catch2/catch.hpp>

#include "native/review/a2i_fields.h"

using verdict::review::add_a2i_reference_fields;

TEST_CASE("output.json gets the reference notebook's Pairs and rating{j} fields", "[a2i]") {
  nlohmann::json out = nlohmann::json::parse(R"({
    "humanLoopName": "l", "inputContent": {"features": ["age", "note"], "threshold": 0.3, "records": [
      {"row": 7, "values": {"age": "39", "note": "a, b"}, "prediction": 0.25, "predicted_label": "no"},
      {"row": 9, "values": {"age": "50", "note": ""}, "prediction": 0.75, "predicted_label": "yes"}]},
    "humanAnswers": [
      {"answerContent": {"records": [{"row": 9, "verdict": "agree", "label": "yes"},
                                     {"row": 7, "verdict": "disagree", "label": "yes", "reason": "income"}]}},
      {"answerContent": {"free": "form"}}]})");
  add_a2i_reference_fields(out);
  const auto& pairs = out["inputContent"]["Pairs"];
  REQUIRE(pairs.size() == 2);
  CHECK(pairs[0]["row"] == "39,\"a, b\"");  // CSV, quoted where needed
  CHECK(pairs[0]["prediction"] == "no");
  CHECK(std::stod(pairs[0]["confidence"].get<std::string>()) == 0.75);  // 0.25 <= 0.3: "no" at 1 - p
  CHECK(std::stod(pairs[1]["confidence"].get<std::string>()) == 0.75);  // 0.75 > 0.3: "yes" at p
  const auto& a = out["humanAnswers"][0]["answerContent"];
  CHECK(a["rating1"] == nlohmann::json{{"agree", false}, {"disagree", true}});  // by row, not by order
  CHECK(a["True Prediction1"] == "yes");
  CHECK(a["Change Reason1"] == "income");
  CHECK(a["predicted1"] == "no");
  CHECK(a["rating2"] == nlohmann::json{{"agree", true}, {"disagree", false}});
  CHECK(a["Change Reason2"] == "");
  CHECK(out["humanAnswers"][1]["answerContent"] == nlohmann::json{{"free", "form"}});  // not the page's shape: as it is

  // Fields already there are kept; a regression record has its prediction and no confidence.
  nlohmann::json reg = nlohmann::json::parse(R"({"inputContent": {"Pairs": "mine", "records": [
      {"row": 1, "values": ["3"], "prediction": 9.5}]},
    "humanAnswers": [{"answerContent": {"rating1": "kept", "records": [{"row": 1, "verdict": "agree"}]}}]})");
  add_a2i_reference_fields(reg);
  CHECK(reg["inputContent"]["Pairs"] == "mine");
  CHECK(reg["humanAnswers"][0]["answerContent"]["rating1"] == "kept");
  nlohmann::json fresh = reg;
  fresh["inputContent"].erase("Pairs");
  fresh["humanAnswers"][0]["answerContent"].erase("rating1");
  add_a2i_reference_fields(fresh);
  CHECK(fresh["inputContent"]["Pairs"][0] == nlohmann::json{{"row", "3"}, {"prediction", "9.5"}, {"confidence", ""}});
  CHECK(fresh["humanAnswers"][0]["answerContent"]["True Prediction1"] == "9.5");
}
