#include "native/io/clarify_dataset.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "shared/error.h"

namespace verdict {

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read '" + path + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::ostringstream s;
  write_csv_row(s, cells);
  return s.str();
}

// The CSV text with `headers` as its first row: the file's own first row when it is the header,
// else `headers` put in front (the file is headerless). `added` says which.
Table csv_with_headers(const std::string& path, const std::vector<std::string>& headers) {
  std::string text = read_all(path);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  const std::size_t nl = text.find('\n');
  std::string first = text.substr(0, nl);
  if (!first.empty() && first.back() == '\r') first.pop_back();
  std::vector<std::string> cells;
  const bool has_header = split_csv_line(first, cells) && cells == headers;
  if (!has_header) text = csv_line(headers) + text;
  std::istringstream in(text);
  CsvReader reader(in, path);
  if (!has_header) reader.set_line(0);  // the file's own line numbers in errors and rows
  Table t;
  reader.read(t, static_cast<std::size_t>(-1));
  t.source = path;
  return t;
}

const nlohmann::json* at_path(const nlohmann::json& j, const std::string& path) {
  const nlohmann::json* cur = &j;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

std::string cell_text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

Table read_jsonlines(const std::string& path, const ClarifyDatasetFormat& f) {
  if (f.headers.empty()) throw Error("dataset_type application/jsonlines needs 'headers' in the config");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read '" + path + "'");
  Table t;
  t.source = path;
  t.header = f.headers;
  std::string line;
  for (std::size_t no = 1; std::getline(in, line); ++no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(no) + ": ";
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      throw Error(where + "not a JSON object (application/jsonlines wants one per line)");
    }
    if (!j.is_object()) throw Error(where + "not a JSON object (application/jsonlines wants one per line)");
    std::vector<std::string> row;
    if (!f.features.empty()) {
      const nlohmann::json* values = at_path(j, f.features);
      if (!values || !values->is_array()) throw Error(where + "'" + f.features + "' (the config's 'features') is not a list here");
      for (const auto& v : *values) row.push_back(cell_text(v));
      if (!f.label.empty()) {
        const nlohmann::json* label = at_path(j, f.label);
        if (!label) throw Error(where + "no label '" + f.label + "'");
        row.push_back(cell_text(*label));
      }
    } else {
      for (const std::string& h : f.headers) {
        const nlohmann::json* v = at_path(j, h);
        if (!v) throw Error(where + "no field '" + h + "' (one of the config's headers)");
        row.push_back(cell_text(*v));
      }
    }
    if (row.size() != f.headers.size()) {
      throw Error(where + std::to_string(row.size()) + " values, but 'headers' names " + std::to_string(f.headers.size()));
    }
    t.rows.push_back(std::move(row));
    t.line.push_back(no);
  }
  if (t.rows.empty()) throw Error("'" + path + "' holds no records");
  return t;
}

}  // namespace

std::vector<std::string> first_csv_row(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read '" + path + "'");
  std::string first;
  std::getline(in, first);
  if (first.rfind("\xEF\xBB\xBF", 0) == 0) first.erase(0, 3);
  if (!first.empty() && first.back() == '\r') first.pop_back();
  std::vector<std::string> cells;
  split_csv_line(first, cells);
  return cells;
}

Table read_headerless_csv(const std::string& path, const std::vector<std::string>& headers) {
  return csv_with_headers(path, headers);
}

Table read_clarify_dataset(const std::string& path, const ClarifyDatasetFormat& f) {
  if (f.type == "application/jsonlines") return read_jsonlines(path, f);
  if (f.type != "text/csv") {
    throw Error("dataset_type '" + f.type + "' is not one verdict reads (text/csv, application/jsonlines)");
  }
  Table t = f.headers.empty() ? read_csv(path) : csv_with_headers(path, f.headers);
  if (t.rows.empty()) throw Error("'" + path + "' holds no rows");
  return t;
}

}  // namespace verdict
