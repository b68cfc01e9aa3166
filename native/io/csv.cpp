#include "native/io/csv.h"

#include <fstream>

#include "shared/error.h"

namespace verdict {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

int Table::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> Table::column_cells(std::size_t c) const {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r[c]);
  return out;
}

bool split_csv_line(const std::string& line, std::vector<std::string>& cells) {
  cells.clear();
  std::string cell;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"' && trim(cell).empty()) {
      quoted = was_quoted = true;
      cell.clear();
    } else if (c == ',') {
      cells.push_back(was_quoted ? cell : trim(cell));
      cell.clear();
      was_quoted = false;
    } else if (!(was_quoted && (c == ' ' || c == '\r'))) {
      cell += c;
    }
  }
  cells.push_back(was_quoted ? cell : trim(cell));
  return !quoted;
}

CsvReader::CsvReader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
  if (!in_) throw Error("cannot open '" + path + "'");
  if (!next(header_)) throw Error("'" + path + "' is empty");
}

// The next non-blank line's cells; false at the end of the file.
bool CsvReader::next(std::vector<std::string>& cells) {
  while (std::getline(in_, line_)) {
    ++line_no_;
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_no_ == 1 && line_.size() >= 3 && line_.compare(0, 3, "\xEF\xBB\xBF") == 0) line_.erase(0, 3);
    if (trim(line_).empty()) continue;
    if (!split_csv_line(line_, cells)) {
      throw Error(path_ + ":" + std::to_string(line_no_) + ": a quoted cell is not closed");
    }
    if (!header_.empty() && cells.size() != header_.size()) {
      throw Error(path_ + ":" + std::to_string(line_no_) + ": " + std::to_string(cells.size()) +
                  " cells, but the header has " + std::to_string(header_.size()));
    }
    return true;
  }
  return false;
}

std::size_t CsvReader::read(Table& t, std::size_t max_rows) {
  t.header = header_;
  t.source = path_;
  t.rows.clear();
  t.line.clear();
  std::vector<std::string> cells;
  while (t.rows.size() < max_rows && next(cells)) {
    t.rows.push_back(cells);
    t.line.push_back(line_no_);
  }
  return t.rows.size();
}

std::size_t CsvReader::skip(std::size_t rows) {
  std::vector<std::string> cells;
  std::size_t n = 0;
  while (n < rows && next(cells)) ++n;
  return n;
}

std::size_t count_csv_rows(const std::string& path) {
  CsvReader reader(path);
  return reader.skip(static_cast<std::size_t>(-1));
}

Table read_csv(const std::string& path) {
  CsvReader reader(path);
  Table t;
  reader.read(t, static_cast<std::size_t>(-1));
  if (t.rows.empty()) throw Error("'" + path + "' has a header but no rows");
  return t;
}

void write_csv_row(std::ostream& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out << ',';
    const std::string& c = cells[i];
    if (c.find_first_of(",\"\n\r") != std::string::npos || (!c.empty() && (c.front() == ' ' || c.back() == ' '))) {
      out << '"';
      for (char ch : c) {
        if (ch == '"') out << '"';
        out << ch;
      }
      out << '"';
    } else {
      out << c;
    }
  }
  out << '\n';
}

}  // namespace verdict
