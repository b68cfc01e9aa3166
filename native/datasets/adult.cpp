#include "native/datasets/adult.h"

#include <fstream>

#include "shared/error.h"
#include "shared/schema.h"

namespace verdict {

const std::vector<std::string>& adult_columns() {
  static const std::vector<std::string> names = {
      "Age",          "Workclass",     "fnlwgt",       "Education",      "Education-Num",
      "Marital Status", "Occupation",  "Relationship", "Ethnic group",   "Sex",
      "Capital Gain", "Capital Loss",  "Hours per week", "Country",      "Target"};
  return names;
}

Table read_adult(const std::string& path, bool is_test_file) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path + "'");
  Table t;
  t.source = path;
  t.header = adult_columns();
  std::string line;
  std::size_t line_no = 0;
  std::vector<std::string> cells;
  while (std::getline(in, line)) {
    ++line_no;
    if (is_test_file && line_no == 1) continue;  // "|1x3 Cross validator"
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    split_csv_line(line, cells);
    if (cells.size() != t.header.size()) {
      throw Error(path + ":" + std::to_string(line_no) + ": " + std::to_string(cells.size()) +
                  " fields, expected " + std::to_string(t.header.size()));
    }
    std::string& label = cells.back();
    if (!label.empty() && label.back() == '.') label.pop_back();
    bool missing = false;
    for (const std::string& c : cells) missing = missing || is_missing_cell(c);
    if (missing) continue;
    t.rows.push_back(cells);
    t.line.push_back(line_no);
  }
  if (t.rows.empty()) throw Error("'" + path + "' holds no Adult records");
  return t;
}

// From adult.names: the census extraction (1994 CPS, people over 16 with an income over $100,
// a final weight and some hours of work), "Description of fnlwgt", and the task ("whether a
// person makes over 50K a year"). Money is in US dollars of 1994.
nlohmann::json adult_descriptions() {
  auto d = [](const char* description, const char* unit = "") {
    return nlohmann::json{{"description", description}, {"unit", unit}};
  };
  // Never changed by a counterfactual: who the person is, and the census's own weight.
  auto fixed = [&](const char* description, const char* unit = "") {
    nlohmann::json j = d(description, unit);
    j["immutable"] = true;
    return j;
  };
  return {
      {"features",
       {{"Age", fixed("Age of the person", "years")},
        {"Workclass", d("Kind of employer: private, self-employed, federal, state or local government, without pay")},
        {"fnlwgt", fixed("Final weight: how many people of the US civilian population this census record stands for "
                     "(estimated by the Census Bureau from state, Hispanic origin, race, age and sex; similar people "
                     "have similar weights, within a state)",
                     "people")},
        {"Education", d("Highest level of education reached")},
        {"Education-Num", d("Highest level of education as a number, from 1 (Preschool) to 16 (Doctorate)", "level")},
        {"Marital Status", d("Marital status (civ: civilian spouse; AF: spouse in the armed forces)")},
        {"Occupation", d("Kind of work")},
        {"Relationship", d("Relationship to the head of the household")},
        {"Ethnic group", fixed("Race, as the census records it")},
        {"Sex", fixed("Sex, as the census records it")},
        {"Capital Gain", d("Income from capital gains in the year (1994)", "US dollars")},
        {"Capital Loss", d("Losses from capital in the year (1994)", "US dollars")},
        {"Hours per week", d("Hours worked in a usual week", "hours a week")},
        {"Country", fixed("Native country")}}},
      {"classes", {{">50K", ">50K: income over $50K"}, {"<=50K", "<=50K: income of $50K or less"}}}};
}

}  // namespace verdict
