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

}  // namespace verdict
