#include "breast_cancer.h"

#include <fstream>

#include "shared/error.h"
#include "shared/schema.h"

namespace verdict {

const std::vector<std::string>& breast_cancer_columns() {
  static const std::vector<std::string> names = [] {
    const char* features[] = {"radius",      "texture",   "perimeter",      "area",     "smoothness",
                              "compactness", "concavity", "concave_points", "symmetry", "fractal_dimension"};
    std::vector<std::string> v;
    for (const char* stat : {"mean", "se", "worst"}) {
      for (const char* f : features) v.push_back(std::string(f) + "_" + stat);
    }
    v.push_back("diagnosis");
    return v;
  }();
  return names;
}

Table read_wdbc(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path + "'");
  Table t;
  t.source = path;
  t.header = breast_cancer_columns();
  const std::size_t fields = t.header.size() + 1;  // + ID
  std::string line;
  std::size_t line_no = 0;
  std::vector<std::string> cells;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    split_csv_line(line, cells);
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (cells.size() != fields) {
      throw Error(where + std::to_string(cells.size()) + " fields, expected " + std::to_string(fields));
    }
    if (cells[1] != "M" && cells[1] != "B") throw Error(where + "diagnosis is \"" + cells[1] + "\", not M or B");
    std::vector<std::string> row(cells.begin() + 2, cells.end());
    for (std::size_t c = 0; c < row.size(); ++c) {
      double v;
      if (!parse_number(row[c], v)) throw Error(where + t.header[c] + " is \"" + row[c] + "\", not a number");
    }
    row.push_back(cells[1]);
    t.rows.push_back(std::move(row));
    t.line.push_back(line_no);
  }
  if (t.rows.empty()) throw Error("'" + path + "' holds no WDBC records");
  return t;
}

}  // namespace verdict
