#include "native/datasets/breast_cancer.h"

#include "native/datasets/uci_file.h"
#include "shared/error.h"

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
  Table t;
  t.source = path;
  t.header = breast_cancer_columns();
  for_each_uci_record(path, t.header.size() + 1 /* ID */, "WDBC", [&](std::vector<std::string>& cells, const std::string& where, std::size_t line) {
    if (cells[1] != "M" && cells[1] != "B") throw Error(where + "diagnosis is \"" + cells[1] + "\", not M or B");
    std::vector<std::string> row(cells.begin() + 2, cells.end());
    for (std::size_t c = 0; c < row.size(); ++c) require_number(row[c], t.header[c], where);
    row.push_back(cells[1]);
    t.rows.push_back(std::move(row));
    t.line.push_back(line);
  });
  return t;
}

}  // namespace verdict
