#include "abalone.h"

#include <fstream>

#include "shared/error.h"
#include "shared/schema.h"

namespace verdict {

const std::vector<std::string>& abalone_columns() {
  static const std::vector<std::string> names = {
      "Sex",           "Length",         "Diameter",     "Height", "Whole weight",
      "Shucked weight", "Viscera weight", "Shell weight", "Rings"};
  return names;
}

Table read_abalone(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path + "'");
  Table t;
  t.source = path;
  t.header = abalone_columns();
  std::string line;
  std::size_t line_no = 0;
  std::vector<std::string> cells;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    split_csv_line(line, cells);
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (cells.size() != t.header.size()) {
      throw Error(where + std::to_string(cells.size()) + " fields, expected " + std::to_string(t.header.size()));
    }
    if (cells[0] != "M" && cells[0] != "F" && cells[0] != "I") {
      throw Error(where + "Sex is \"" + cells[0] + "\", not M, F or I");
    }
    for (std::size_t c = 1; c < cells.size(); ++c) {
      double v;
      if (!parse_number(cells[c], v)) {
        throw Error(where + t.header[c] + " is \"" + cells[c] + "\", not a number");
      }
    }
    t.rows.push_back(cells);
    t.line.push_back(line_no);
  }
  if (t.rows.empty()) throw Error("'" + path + "' holds no Abalone records");
  return t;
}

}  // namespace verdict
