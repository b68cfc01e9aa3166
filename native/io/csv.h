// CSV text in and out (RFC 4180 quoting). Cells stay strings; encoding is the schema's job.
#pragma once
#include <cstddef>
#include <fstream>
#include <istream>
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

// Reads a CSV file with a header row (RFC 4180: a quoted cell may hold commas, quotes and line
// breaks). Unquoted cells are trimmed of surrounding spaces and tabs. Throws verdict::Error,
// naming the file and the line a record starts on, for a missing/empty file, text that is not
// UTF-8, a header naming a column twice, a quote left open, or a row with the wrong number of
// cells.
Table read_csv(const std::string& path);

// The same file a chunk of rows at a time, so memory stays flat however long it is.
class CsvReader {
 public:
  explicit CsvReader(const std::string& path);  // reads the header (throws for an empty file)
  // The same over a stream the caller keeps alive; `source` names it in errors.
  CsvReader(std::istream& in, std::string source);
  const std::vector<std::string>& header() const { return header_; }
  // Replaces t's rows with up to `max_rows` more (t.header and t.source set); returns how many.
  std::size_t read(Table& t, std::size_t max_rows);
  // The next record is on line `line` + 1 (for a header the caller put in front of the text).
  void set_line(std::size_t line) { line_no_ = line; }
  // Passes over up to `rows` rows (checked like the others); returns how many.
  std::size_t skip(std::size_t rows);

 private:
  void read_header();
  bool next(std::vector<std::string>& cells);
  std::string path_;
  std::ifstream file_;
  std::istream* in_ = nullptr;
  std::vector<std::string> header_;
  std::string line_;
  std::size_t line_no_ = 0;     // the last line read
  std::size_t record_line_ = 0;  // the line the last record started on
};

// The number of data rows of a CSV file (a full, checked pass).
std::size_t count_csv_rows(const std::string& path);

// Parses one CSV line into cells; false when a quoted cell is left open.
bool split_csv_line(const std::string& line, std::vector<std::string>& cells);

// Writes one record, quoting each cell that would not read back the same unquoted (commas,
// quotes, line breaks, leading/trailing spaces or tabs, a byte-order mark, a lone empty cell).
void write_csv_row(std::ostream& out, const std::vector<std::string>& cells);

}  // namespace verdict
