#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "shared/clarify_columns.h"

using namespace verdict;

namespace {

// n cells cycling through `values`.
std::vector<std::string> cycle(const std::vector<std::string>& values, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(values[i % values.size()]);
  return out;
}

}  // namespace

TEST_CASE("Clarify's column rule: a label-encoded facet is categories, not a threshold", "[clarify]") {
  // Sex label-encoded 0/1 over 100 rows: 2 distinct of 100 (2 % < 5 %) -> categories, so a
  // value_or_threshold of [0] selects the rows holding 0.
  CHECK(clarify_column_type(cycle({"0", "1"}, 100), 1) == ClarifyColumnType::Categorical);
  // Ages 17..90 over 100 rows: 74 % distinct -> continuous (a threshold).
  std::vector<std::string> ages;
  for (int i = 0; i < 100; ++i) ages.push_back(std::to_string(17 + i % 74));
  CHECK(clarify_column_type(ages, 1) == ClarifyColumnType::Continuous);
  // The same integers but few rows: 2 distinct of 20 is 10 % -> continuous, as smclarify says.
  CHECK(clarify_column_type(cycle({"0", "1"}, 20), 1) == ClarifyColumnType::Continuous);
  // Several values given -> categories whatever the column.
  CHECK(clarify_column_type(ages, 2) == ClarifyColumnType::Categorical);
  // Floating point -> continuous, however few the distinct values.
  CHECK(clarify_column_type(cycle({"0.5", "1.5"}, 100), 1) == ClarifyColumnType::Continuous);
  // A missing cell turns pandas' integers into floating point -> continuous.
  std::vector<std::string> with_gap = cycle({"0", "1"}, 100);
  with_gap[3] = "";
  CHECK(clarify_column_type(with_gap, 1) == ClarifyColumnType::Continuous);
  // Text -> categories.
  CHECK(clarify_column_type(cycle({"Female", "Male"}, 10), 1) == ClarifyColumnType::Categorical);
}

TEST_CASE("distinct cells keep the order of first appearance (one-vs-all order)", "[clarify]") {
  CHECK(distinct_cells({"White", "Black", "White", "", "Other", "Black"}) ==
        std::vector<std::string>{"White", "Black", "Other"});
}

TEST_CASE("label codes become the sorted categories; anything else is left alone", "[clarify]") {
  const std::vector<std::string> sex = {"F", "I", "M"};
  const auto decoded = decode_label_codes({"2", "0", "", "1", "1.0"}, sex);
  REQUIRE(decoded);
  CHECK(*decoded == std::vector<std::string>{"M", "F", "", "I", "I"});
  CHECK_FALSE(decode_label_codes({"M", "F"}, sex));     // names already
  CHECK_FALSE(decode_label_codes({"0", "3"}, sex));     // 3 is not a code of 3 categories
  CHECK_FALSE(decode_label_codes({"0", "0.5"}, sex));   // not a whole number
  CHECK_FALSE(decode_label_codes({"0", "M"}, sex));     // a mix
  CHECK_FALSE(decode_label_codes({"", "?"}, sex));      // nothing to decode
  CHECK_FALSE(decode_label_codes({"0"}, {}));           // a numeric feature
}
