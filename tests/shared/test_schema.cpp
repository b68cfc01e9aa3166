#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>

#include "shared/error.h"
#include "shared/schema.h"

using namespace verdict;

namespace {

Schema small_schema() {
  const std::vector<std::string> header = {"Age", "Sex", "Country", "Target"};
  const std::vector<std::vector<std::string>> columns = {
      {"30", "41", "?", "50"},
      {"Male", "Female", "Male", "Female"},
      {"US", "Peru", "", "India"},
      {"<=50K", ">50K", "<=50K", ">50K"}};
  return infer_schema(header, columns, "Target", Task::Binary, "");
}

}  // namespace

TEST_CASE("schema inference: numeric vs categorical, sorted categories, target labels", "[schema]") {
  const Schema s = small_schema();
  REQUIRE(s.features.size() == 3);
  CHECK(s.features[0].kind == ColumnKind::Numeric);
  CHECK(s.features[0].min == 30);
  CHECK(s.features[0].max == 50);
  CHECK(s.features[0].mean == Approx(121.0 / 3));
  CHECK(s.features[1].kind == ColumnKind::Categorical);
  CHECK(s.features[1].categories == std::vector<std::string>{"Female", "Male"});
  CHECK(s.features[2].categories == std::vector<std::string>{"India", "Peru", "US"});
  CHECK(s.labels == std::vector<std::string>{"<=50K", ">50K"});
  CHECK(s.positive_label == ">50K");
  CHECK(encode_target(s, ">50K") == 1.0f);
  CHECK(encode_target(s, "<=50K") == 0.0f);
  CHECK_THROWS_WITH(encode_target(s, "maybe"), Catch::Contains("not one of its training labels"));
}

TEST_CASE("schema survives a JSON round trip", "[schema]") {
  const Schema s = small_schema();
  const Schema back = Schema::from_json(nlohmann::json::parse(s.to_json().dump()));
  CHECK(back.to_json() == s.to_json());
  CHECK(back.features[2].categories == s.features[2].categories);
  CHECK(back.positive_label == ">50K");
}

TEST_CASE("encoding: codes follow category order, unseen categories become missing and are counted", "[schema]") {
  const Schema s = small_schema();
  EncodeStats stats;
  CHECK(encode_cell(s, 1, "Female", &stats) == 0.0f);
  CHECK(encode_cell(s, 1, "Male", &stats) == 1.0f);
  CHECK(encode_cell(s, 2, "US", &stats) == 2.0f);
  CHECK(std::isnan(encode_cell(s, 2, "Atlantis", &stats)));
  CHECK(std::isnan(encode_cell(s, 2, "Atlantis", &stats)));
  CHECK(std::isnan(encode_cell(s, 0, "?", &stats)));
  REQUIRE(stats.unseen_category.size() == 3);
  CHECK(stats.unseen_category[2] == 2);
  CHECK(stats.total_unseen() == 2);
  CHECK(decode_value(s, 2, 1.0f) == "Peru");
  CHECK(decode_value(s, 0, 41.0f) == "41");
  CHECK_THROWS_WITH(encode_cell(s, 0, "forty", &stats),
                    Catch::Contains("column 'Age' is numeric but holds \"forty\""));
}

TEST_CASE("a binary target needs exactly two labels", "[schema]") {
  CHECK_THROWS_WITH(infer_schema({"x", "y"}, {{"1", "2", "3"}, {"a", "b", "c"}}, "y", Task::Binary, ""),
                    Catch::Contains("3 distinct values"));
  CHECK_THROWS_WITH(infer_schema({"x"}, {{"1"}}, "y", Task::Binary, ""),
                    Catch::Contains("target column 'y' is not in the header"));
}

TEST_CASE("a multiclass target: sorted labels, a class index per label, a round trip", "[schema][multiclass]") {
  const Schema s = infer_schema({"x", "y"}, {{"1", "2", "3", "4"}, {"mid", "low", "high", "low"}}, "y",
                                Task::Multiclass, "");
  CHECK(s.task == Task::Multiclass);
  CHECK(s.labels == std::vector<std::string>{"high", "low", "mid"});
  CHECK(s.positive_label.empty());
  CHECK(encode_target(s, "high") == 0.0f);
  CHECK(encode_target(s, "low") == 1.0f);
  CHECK(encode_target(s, "mid") == 2.0f);
  CHECK_THROWS_WITH(encode_target(s, "none"), Catch::Contains("\"none\", which is not one of its training labels"));
  const nlohmann::json j = s.to_json();
  CHECK(j["task"] == "multiclass");
  CHECK(!j["target"].contains("positive_label"));
  const Schema back = Schema::from_json(j);
  CHECK(back.task == Task::Multiclass);
  CHECK(back.labels == s.labels);
  CHECK(back.to_json() == j);

  auto unsorted = j;
  unsorted["target"]["labels"] = {"mid", "high"};
  CHECK_THROWS_WITH(Schema::from_json(unsorted), Catch::Contains("sorted and distinct"));
  CHECK_THROWS_WITH(infer_schema({"x", "y"}, {{"1", "2"}, {"a", "a"}}, "y", Task::Multiclass, ""),
                    Catch::Contains("needs at least 2"));
  CHECK_THROWS_WITH(infer_schema({"x", "y"}, {{"1", "2"}, {"a", "b"}}, "y", Task::Multiclass, "a"),
                    Catch::Contains("no positive label"));
}

TEST_CASE("from_json names a missing or wrong field", "[schema]") {
  auto j = small_schema().to_json();
  j["features"][1].erase("categories");
  CHECK_THROWS_WITH(Schema::from_json(j), Catch::Contains("features[1].categories"));
  CHECK_THROWS_WITH(Schema::from_json(nlohmann::json::object()), Catch::Contains("format"));
}

TEST_CASE("a number beyond double's range does not make a numeric column categorical", "[schema]") {
  const Schema s = infer_schema({"x", "y"}, {{"1", "1e400", "2", "-1e400", "1e-400"}, {"a", "b", "a", "b", "a"}}, "y",
                                Task::Binary, "");
  CHECK(s.features[0].kind == ColumnKind::Numeric);
  // A word does: the column is categorical.
  CHECK(infer_schema({"x", "y"}, {{"1", "one"}, {"a", "b"}}, "y", Task::Binary, "").features[0].kind ==
        ColumnKind::Categorical);
}

TEST_CASE("a header naming a column twice is refused with both positions", "[schema]") {
  CHECK_THROWS_WITH(infer_schema({"x", "z", "x", "y"}, {{"1"}, {"2"}, {"3"}, {"a"}}, "", Task::Regression, ""),
                    Catch::Contains("column 'x' appears twice in the header (columns 1 and 3)"));
  auto j = small_schema().to_json();
  j["features"][2]["name"] = "Age";
  CHECK_THROWS_WITH(Schema::from_json(j), Catch::Contains("features[0]") && Catch::Contains("features[2]") &&
                                              Catch::Contains("'Age'"));
}

TEST_CASE("one rule for numbers: a numeric cell must be finite as a float32", "[schema]") {
  const Schema s = small_schema();  // feature 0 is the numeric 'Age'
  EncodeStats stats;
  for (const char* bad : {"1e39", "-1e39", "inf", "-inf", "Infinity", "nan", "NaN", "-nan", "1e400", "-1e400",
                          "3.4028236e38", "0x1p128"}) {
    INFO(bad);
    CHECK_THROWS_WITH(encode_cell(s, 0, bad, &stats),
                      Catch::Contains(std::string("column 'Age' holds ") + bad + ", which is not a finite number within float32's range"));
  }
  // The edge: what rounds to FLT_MAX fits; underflow is a number (0 or a subnormal).
  CHECK(encode_cell(s, 0, "3.4028235e38", &stats) == std::numeric_limits<float>::max());
  CHECK(encode_cell(s, 0, "-3.40282347e+38", &stats) == -std::numeric_limits<float>::max());
  CHECK(encode_cell(s, 0, "1e-400", &stats) == 0.0f);
  CHECK(encode_cell(s, 0, "1e-40", &stats) == static_cast<float>(1e-40));
  // Missing cells stay missing; text stays "numeric but holds".
  CHECK(std::isnan(encode_cell(s, 0, "", &stats)));
  CHECK(std::isnan(encode_cell(s, 0, "?", &stats)));
  CHECK_THROWS_WITH(encode_cell(s, 0, "NA", &stats), Catch::Contains("is numeric but holds \"NA\""));
  // A categorical feature holds any text, numbers included.
  CHECK(std::isnan(encode_cell(s, 1, "1e39", &stats)));
  // A regression target follows the same rule.
  Schema reg = s;
  reg.task = Task::Regression;
  CHECK(encode_target(reg, "12.5") == 12.5f);
  CHECK_THROWS_WITH(encode_target(reg, "inf"), Catch::Contains("target 'Target' holds inf, which is not a finite number"));
  CHECK_THROWS_WITH(encode_target(reg, "1e39"), Catch::Contains("not a finite number"));
  CHECK(fits_float32(3.4028235e38));
  CHECK_FALSE(fits_float32(3.4028236e38));
  CHECK_FALSE(fits_float32(std::nan("")));
}

// Found by the CSV fuzzer: a header holding only the target gave a schema with no features,
// which from_json refuses and XGBoost stops on with a stack trace.
TEST_CASE("a table with no column besides the target has no features to learn from", "[schema]") {
  CHECK_THROWS_WITH(infer_schema({"label"}, {{"yes", "no"}}, "label", Task::Binary, ""),
                    Catch::Contains("no feature columns besides the target 'label'"));
  CHECK_THROWS_WITH(infer_schema({"y"}, {{"1", "2"}}, "y", Task::Regression, ""),
                    Catch::Contains("no feature columns"));
}

namespace {

// A schema file as verdict wrote it before version 2: "version": 1 (or no version at all),
// no descriptions, units or class names.
nlohmann::json version_1_file(bool with_version) {
  nlohmann::json j = nlohmann::json::parse(R"({"format": "verdict-schema", "task": "binary",
    "target": {"name": "Target", "labels": ["<=50K", ">50K"], "positive_label": ">50K"},
    "features": [{"name": "Age", "type": "numeric", "min": 17, "max": 90, "mean": 38.4},
                 {"name": "Sex", "type": "categorical", "categories": ["Female", "Male"], "min": 0, "max": 1, "mean": 0.67}]})");
  if (with_version) j["version"] = 1;
  return j;
}

}  // namespace

TEST_CASE("schema version 1 files still load, and are written back as the canonical version 3", "[schema]") {
  for (bool with_version : {true, false}) {
    const Schema s = Schema::from_json(version_1_file(with_version));
    REQUIRE(s.features.size() == 2);
    CHECK(s.features[0].description.empty());
    CHECK(s.features[0].unit.empty());
    CHECK(s.class_name(">50K") == ">50K");
    const nlohmann::json out = s.to_json();
    CHECK(out["version"] == kSchemaVersion);
    CHECK(out["version"] == 3);
    // Canonical: every field present, so no reader needs defaults of its own.
    CHECK(out["features"][0]["description"] == "");
    CHECK(out["features"][0]["unit"] == "");
    // No spread in the file: the range stands in, and says so; nothing is whole or immutable.
    CHECK(out["features"][0]["spread"] == 73.0);
    CHECK(out["features"][0]["spread_statistic"] == "range (fallback: the schema predates spreads)");
    CHECK(out["features"][0]["integer"] == false);
    CHECK(out["features"][0]["immutable"] == false);
    CHECK(out["features"][1]["spread"] == 1.0);
    CHECK(out["features"][1]["spread_statistic"] == "category");
    CHECK(out["target"]["class_names"] == nlohmann::json({{"<=50K", "<=50K"}, {">50K", ">50K"}}));
    const Schema back = Schema::from_json(out);
    CHECK(back.to_json() == out);
    CHECK(back.features[1].categories == s.features[1].categories);
    CHECK(encode_cell(back, 1, "Male", nullptr) == 1.0f);
  }
}

TEST_CASE("schema versions: a newer file or a version 2 field in a version 1 file is refused by name", "[schema]") {
  nlohmann::json j = version_1_file(true);
  j["version"] = 4;
  CHECK_THROWS_WITH(Schema::from_json(j), Catch::Contains("'version' is 4") && Catch::Contains("versions 1 to 3"));
  j["version"] = "2";
  CHECK_THROWS_WITH(Schema::from_json(j), Catch::Contains("field 'version'"));
  j = version_1_file(true);
  j["features"][0]["unit"] = "years";
  CHECK_THROWS_WITH(Schema::from_json(j), Catch::Contains("features[0].unit") && Catch::Contains("needs version 2"));
  j["version"] = 2;
  CHECK(Schema::from_json(j).features[0].unit == "years");
  j["features"][1]["description"] = 7;
  CHECK_THROWS_WITH(Schema::from_json(j), Catch::Contains("features[1].description") && Catch::Contains("string"));
  j = version_1_file(false);
  j["version"] = 2;
  j["target"]["class_names"] = {{"maybe", "Maybe"}};
  CHECK_THROWS_WITH(Schema::from_json(j), Catch::Contains("target.class_names.maybe") && Catch::Contains("not a label"));
  j = version_1_file(false);
  j["version"] = 2;
  j["features"][0]["immutable"] = true;
  CHECK_THROWS_WITH(Schema::from_json(j), Catch::Contains("features[0].immutable") && Catch::Contains("needs version 3"));
  j["version"] = 3;
  CHECK(Schema::from_json(j).features[0].immutable);
  j["features"][0]["spread"] = 0;
  CHECK_THROWS_WITH(Schema::from_json(j), Catch::Contains("features[0].spread") && Catch::Contains("above 0"));
  j["features"][0]["spread"] = 12.5;
  j["features"][0]["integer"] = "yes";
  CHECK_THROWS_WITH(Schema::from_json(j), Catch::Contains("features[0].integer") && Catch::Contains("true or false"));
}

TEST_CASE("spreads: MAD, else IQR, else standard deviation, else range; never 0", "[schema][counterfactual]") {
  // A brute force of each statistic, written out.
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  };
  const std::vector<double> spread_out = {1, 2, 4, 8, 16, std::nan("")};
  const double m = median({1, 2, 4, 8, 16});
  CHECK(spread_of(spread_out) == std::make_pair(median({std::fabs(1 - m), std::fabs(2 - m), 0.0, std::fabs(8 - m), std::fabs(16 - m)}), std::string("mad")));
  // 60 % zeros: the median deviation is 0; the quartiles (numpy's linear rule) are 0 and 5.
  CHECK(spread_of({0, 0, 0, 5, 7}) == std::make_pair(5.0, std::string("iqr")));
  // 90 % zeros, as Capital Gain: MAD and IQR are 0; the standard deviation (population) stands in.
  std::vector<double> gains(20, 0.0);
  gains[3] = 5000, gains[11] = 15000;
  const double mean = 1000, sd = std::sqrt((18 * mean * mean + 4000.0 * 4000 + 14000.0 * 14000) / 20);
  const auto [spread, statistic] = spread_of(gains);
  CHECK(spread == Approx(sd));
  CHECK(statistic == "std");
  CHECK(spread_of({3, 3, 3}) == std::make_pair(1.0, std::string("none")));
  CHECK(spread_of({}) == std::make_pair(1.0, std::string("none")));
  // Inference: every numeric feature gets a spread and a whole-number flag; categories cost 1.
  const Schema s = infer_schema({"a", "b", "c", "y"}, {{"1", "2", "4", "?"}, {"0.5", "1", "2", "3"}, {"x", "y", "x", "x"}, {"0", "1", "0", "1"}},
                                "y", Task::Binary, "");
  CHECK(s.features[0].integer);
  CHECK(s.features[0].spread == 1.0);  // median 2, deviations 1, 0, 2
  CHECK(s.features[0].spread_statistic == "mad");
  CHECK_FALSE(s.features[1].integer);
  CHECK(s.features[2].spread == 1.0);
  CHECK(s.features[2].spread_statistic == "category");
  const Schema back = Schema::from_json(s.to_json());
  CHECK(back.to_json() == s.to_json());
  CHECK(back.features[0].integer);
}

TEST_CASE("descriptions, units and class names: applied from a describe file, kept through JSON", "[schema]") {
  Schema s = Schema::from_json(version_1_file(true));
  apply_descriptions(s, nlohmann::json::parse(R"({
    "features": {"Age": {"description": "Age of the person", "unit": "years"}, "Sex": {"description": "Sex"}},
    "classes": {">50K": ">50K: income over $50K a year"}})"));
  CHECK(s.features[0].description == "Age of the person");
  CHECK(s.features[0].unit == "years");
  CHECK(s.features[1].unit.empty());
  CHECK(s.class_name(">50K") == ">50K: income over $50K a year");
  CHECK(s.class_name("<=50K") == "<=50K");
  const Schema back = Schema::from_json(nlohmann::json::parse(s.to_json().dump()));
  CHECK(back.to_json() == s.to_json());
  CHECK(back.features[0].unit == "years");
  CHECK(back.class_name(">50K") == ">50K: income over $50K a year");
  // An empty string clears; parts left out stay.
  apply_descriptions(s, {{"features", {{"Age", {{"unit", ""}}}}}});
  CHECK(s.features[0].unit.empty());
  CHECK(s.features[0].description == "Age of the person");
  // Immutable: a counterfactual never changes the feature.
  apply_descriptions(s, {{"features", {{"Age", {{"immutable", true}}}}}});
  CHECK(s.features[0].immutable);
  CHECK(Schema::from_json(s.to_json()).features[0].immutable);
  CHECK_THROWS_WITH(apply_descriptions(s, {{"features", {{"Age", {{"immutable", "yes"}}}}}}), Catch::Contains("'features.Age.immutable'"));
}

TEST_CASE("a describe file naming what the schema does not have changes nothing and says which field", "[schema]") {
  Schema s = Schema::from_json(version_1_file(true));
  const nlohmann::json before = s.to_json();
  // The first part is valid: nothing of it may stay when a later part fails.
  CHECK_THROWS_WITH(apply_descriptions(s, nlohmann::json::parse(R"({"classes": {">50K": "rich"}, "features": {"Agee": {"unit": "years"}}})")),
                    Catch::Contains("'features.Agee'") && Catch::Contains("not a feature"));
  CHECK(s.to_json() == before);
  CHECK_THROWS_WITH(apply_descriptions(s, {{"features", {{"Age", {{"units", "years"}}}}}}), Catch::Contains("'features.Age.units'"));
  CHECK_THROWS_WITH(apply_descriptions(s, {{"classes", {{"1", "approved"}}}}), Catch::Contains("'classes.1'"));
  CHECK_THROWS_WITH(apply_descriptions(s, {{"feature", nlohmann::json::object()}}), Catch::Contains("'feature' is not known"));
  CHECK_THROWS_WITH(apply_descriptions(s, {{"features", {{"Age", {{"unit", std::string(61, 'x')}}}}}}),
                    Catch::Contains("'features.Age.unit'") && Catch::Contains("at most 60"));
  CHECK(s.to_json() == before);
  Schema r = Schema::from_json(version_1_file(true));
  r.task = Task::Regression;
  CHECK_THROWS_WITH(apply_descriptions(r, {{"classes", {{"x", "y"}}}}), Catch::Contains("regression"));
}
