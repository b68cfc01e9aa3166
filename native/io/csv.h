// CSV text in and out (RFC 4180 quoting). Cells stay strings; encoding is the schema's job.
#pragma once
#include <cstddef>
#include <fstream>
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

// The same file a chunk of rows at a time, so memory stays flat however long it is.
class CsvReader {
 public:
  explicit CsvReader(const std::string& path);  // reads the header (throws for an empty file)
  const std::vector<std::string>& header() const { return header_; }
  // Replaces t's rows with up to `max_rows` more (t.header and t.source set); returns how many.
  std::size_t read(Table& t, std::size_t max_rows);
  // Passes over up to `rows` rows (checked like the others); returns how many.
  std::size_t skip(std::size_t rows);

 private:
  bool next(std::vector<std::string>& cells);
  std::string path_;
  std::ifstream in_;
  std::vector<std::string> header_;
  std::string line_;
  std::size_t line_no_ = 0;
};

// The number of data rows of a CSV file (a full, checked pass).
std::size_t count_csv_rows(const std::string& path);

// Parses one CSV line into cells; false when a quoted cell is left open.
bool split_csv_line(const std::string& line, std::vector<std::string>& cells);

void write_csv_row(std::ostream& out, const std::vector<std::string>& cells);

}  // namespace verdict
