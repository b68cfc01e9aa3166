// CSV text in and out (RFC 4180 quoting). Cells stay strings; encoding is the schema's job.
#pragma once
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace verdict {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> line;  // the source line of each row, for error messages
  std::string source;             // file name, for error messages

  int column(const std::string& name) const;  // -1 when absent
  std::vector<std::string> column_cells(std::size_t c) const;
};

// Reads a CSV file with a header row. Cells are trimmed of surrounding spaces.
// Throws verdict::Error for a missing/empty file or a row with the wrong number of cells.
Table read_csv(const std::string& path);

// Parses one CSV line into cells; false when a quoted cell is left open.
bool split_csv_line(const std::string& line, std::vector<std::string>& cells);

void write_csv_row(std::ostream& out, const std::vector<std::string>& cells);

}  // namespace verdict
