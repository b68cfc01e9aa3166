#include <catch2/catch.hpp>
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
