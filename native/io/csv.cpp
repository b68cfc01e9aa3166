#include "native/io/csv.h"

#include <cstdio>
#include <fstream>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "shared/error.h"

namespace verdict {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool blank(const std::string& s) {
  for (char c : s) {
    if (!is_space(c)) return false;
  }
  return true;
}

// A record's cells, fed a piece at a time so that a quoted cell may run over several lines.
// A quote opens a quoted cell only where the cell so far is blank; inside one, "" is a quote.
class Splitter {
 public:
  explicit Splitter(std::vector<std::string>& cells) : cells_(cells) { cells_.clear(); }
  void feed(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted_) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          add('"');
          ++i;
        } else if (c == '"') {
          quoted_ = false;
        } else {
          add(c);
        }
      } else if (c == '"' && blank_) {
        quoted_ = was_quoted_ = true;
        cell_.clear();
      } else if (c == ',') {
        end_cell();
      } else if (!(was_quoted_ && (c == ' ' || c == '\r'))) {
        add(c);
      }
    }
  }
  bool open() const { return quoted_; }
  void finish() { end_cell(); }

 private:
  void add(char c) {
    cell_ += c;
    blank_ = blank_ && is_space(c);
  }
  void end_cell() {
    cells_.push_back(was_quoted_ ? cell_ : trim(cell_));
    cell_.clear();
    was_quoted_ = false;
    blank_ = true;
  }
  std::vector<std::string>& cells_;
  std::string cell_;
  bool quoted_ = false, was_quoted_ = false;
  bool blank_ = true;  // the cell so far is only spaces, tabs and CRs
};

// Where the first byte that is not well-formed UTF-8 starts (RFC 3629: no overlong forms, no
// UTF-16 surrogates, nothing above U+10FFFF, no sequence cut short), or npos.
std::size_t invalid_utf8(std::string_view s) {
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3, lo = 0xA0;
    } else if (c == 0xED) {
      len = 3, hi = 0x9F;
    } else if (c >= 0xE1 && c <= 0xEF) {
      len = 3;
    } else if (c == 0xF0) {
      len = 4, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4, hi = 0x8F;
    } else {
      return i;
    }
    if (n - i < len) return i;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 < lo || c1 > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      const auto ck = static_cast<unsigned char>(s[i + k]);
      if (ck < 0x80 || ck > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

// A quoted cell may span lines, but not the rest of a large file because a quote was left open.
constexpr std::size_t kMaxRecordBytes = std::size_t{16} << 20;

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
  Splitter split(cells);
  split.feed(line);
  const bool closed = !split.open();
  split.finish();
  return closed;
}

CsvReader::CsvReader(const std::string& path) : path_(path), file_(path, std::ios::binary), in_(&file_) {
  if (!file_) throw Error("cannot open '" + path + "'");
  read_header();
}

CsvReader::CsvReader(std::istream& in, std::string source) : path_(std::move(source)), in_(&in) {
  read_header();
}

void CsvReader::read_header() {
  if (!next(header_)) throw Error("'" + path_ + "' is empty");
  std::unordered_map<std::string_view, std::size_t> first;  // name -> its column
  for (std::size_t c = 0; c < header_.size(); ++c) {
    const auto [it, fresh] = first.emplace(header_[c], c);
    if (!fresh) {
      throw Error(path_ + ":" + std::to_string(record_line_) + ": column '" + header_[c] +
                  "' appears twice in the header (columns " + std::to_string(it->second + 1) + " and " +
                  std::to_string(c + 1) + ")");
    }
  }
}

// The next record's cells (blank lines skipped); false at the end of the input.
bool CsvReader::next(std::vector<std::string>& cells) {
  while (std::getline(*in_, line_)) {
    ++line_no_;
    if (line_no_ == 1 && line_.size() >= 3 && line_.compare(0, 3, "\xEF\xBB\xBF") == 0) line_.erase(0, 3);
    if (blank(line_)) continue;
    record_line_ = line_no_;
    const std::string where = path_ + ":" + std::to_string(record_line_);
    Splitter split(cells);
    split.feed(line_);
    std::size_t bytes = line_.size();
    while (split.open()) {  // a line break inside a quoted cell (RFC 4180)
      if (!std::getline(*in_, line_)) throw Error(where + ": a quoted cell is not closed");
      ++line_no_;
      bytes += line_.size() + 1;
      if (bytes > kMaxRecordBytes) {
        throw Error(where + ": a quoted cell runs on for more than 16 MiB (is a quote left open?)");
      }
      split.feed("\n");
      split.feed(line_);
    }
    split.finish();
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::size_t bad = invalid_utf8(cells[c]);
      if (bad != std::string_view::npos) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(cells[c][bad]));
        throw Error(where + ":" + std::to_string(c + 1) + ": not valid UTF-8 (byte " + byte + " at byte " +
                    std::to_string(bad + 1) + " of the cell); save the file as UTF-8");
      }
    }
    if (!header_.empty() && cells.size() != header_.size()) {
      throw Error(where + ": " + std::to_string(cells.size()) + " cells, but the header has " +
                  std::to_string(header_.size()));
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
    t.line.push_back(record_line_);
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

namespace {

// Whether a cell must be quoted to read back the same: the reader trims unquoted cells, splits
// at commas and line ends, skips blank lines and drops a byte-order mark at the file's start.
bool needs_quotes(const std::string& c, bool alone) {
  if (c.empty()) return alone;  // a lone empty cell would be a blank line
  return c.find_first_of(",\"\n\r") != std::string::npos || c.front() == ' ' || c.front() == '\t' ||
         c.back() == ' ' || c.back() == '\t' || c.compare(0, 3, "\xEF\xBB\xBF") == 0;
}

}  // namespace

void write_csv_row(std::ostream& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out << ',';
    const std::string& c = cells[i];
    if (needs_quotes(c, cells.size() == 1)) {
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
