#include "native/datasets/abalone.h"

#include "native/datasets/uci_file.h"
#include "shared/error.h"

namespace verdict {

const std::vector<std::string>& abalone_columns() {
  static const std::vector<std::string> names = {
      "Sex",           "Length",         "Diameter",     "Height", "Whole weight",
      "Shucked weight", "Viscera weight", "Shell weight", "Rings"};
  return names;
}

Table read_abalone(const std::string& path) {
  Table t;
  t.source = path;
  t.header = abalone_columns();
  for_each_uci_record(path, t.header.size(), "Abalone", [&](std::vector<std::string>& cells, const std::string& where, std::size_t line) {
    if (cells[0] != "M" && cells[0] != "F" && cells[0] != "I") {
      throw Error(where + "Sex is \"" + cells[0] + "\", not M, F or I");
    }
    for (std::size_t c = 1; c < cells.size(); ++c) require_number(cells[c], t.header[c], where);
    t.rows.push_back(cells);
    t.line.push_back(line);
  });
  return t;
}

}  // namespace verdict
