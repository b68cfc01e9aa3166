#include "native/datasets/uci_file.h"

#include <fstream>

#include "native/io/csv.h"
#include "shared/error.h"
#include "shared/schema.h"

namespace verdict {

void for_each_uci_record(const std::string& path, std::size_t fields, const std::string& what,
                         const std::function<void(std::vector<std::string>&, const std::string&, std::size_t)>& record) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path + "'");
  std::string line;
  std::size_t line_no = 0, records = 0;
  std::vector<std::string> cells;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    split_csv_line(line, cells);
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (cells.size() != fields) {
      throw Error(where + std::to_string(cells.size()) + " fields, expected " + std::to_string(fields));
    }
    record(cells, where, line_no);
    ++records;
  }
  if (records == 0) throw Error("'" + path + "' holds no " + what + " records");
}

void require_number(const std::string& cell, const std::string& column, const std::string& where) {
  double v;
  if (!parse_number(cell, v)) throw Error(where + column + " is \"" + cell + "\", not a number");
}

}  // namespace verdict
