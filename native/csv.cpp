#include "csv.h"

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

Table read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path + "'");
  Table t;
  t.source = path;
  std::string line;
  std::size_t line_no = 0;
  std::vector<std::string> cells;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (trim(line).empty()) continue;
    if (!split_csv_line(line, cells)) {
      throw Error(path + ":" + std::to_string(line_no) + ": a quoted cell is not closed");
    }
    if (t.header.empty()) {
      t.header = cells;
      continue;
    }
    if (cells.size() != t.header.size()) {
      throw Error(path + ":" + std::to_string(line_no) + ": " + std::to_string(cells.size()) +
                  " cells, but the header has " + std::to_string(t.header.size()));
    }
    t.rows.push_back(cells);
    t.line.push_back(line_no);
  }
  if (t.header.empty()) throw Error("'" + path + "' is empty");
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
