#include "schema.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "error.h"

namespace verdict {

namespace {

const char* kind_name(ColumnKind k) { return k == ColumnKind::Numeric ? "numeric" : "categorical"; }

std::string format_number(double v) {
  if (std::isnan(v)) return "";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void fill_stats(Column& c, const std::vector<double>& values) {
  double sum = 0;
  std::size_t n = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    if (n == 0 || v < c.min) c.min = v;
    if (n == 0 || v > c.max) c.max = v;
    sum += v;
    ++n;
  }
  c.mean = n ? sum / static_cast<double>(n) : 0.0;
  if (n == 0) c.min = c.max = 0.0;
}

}  // namespace

int Schema::feature_index(std::string_view name) const {
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (features[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

nlohmann::json Schema::to_json() const {
  nlohmann::json j;
  j["format"] = "verdict-schema";
  j["version"] = 1;
  j["task"] = task == Task::Binary ? "binary" : "regression";
  nlohmann::json t;
  t["name"] = target;
  if (task == Task::Binary) {
    t["labels"] = labels;
    t["positive_label"] = positive_label;
  }
  j["target"] = t;
  nlohmann::json feats = nlohmann::json::array();
  for (const Column& c : features) {
    nlohmann::json f;
    f["name"] = c.name;
    f["type"] = kind_name(c.kind);
    if (c.kind == ColumnKind::Categorical) f["categories"] = c.categories;
    f["min"] = c.min;
    f["max"] = c.max;
    f["mean"] = c.mean;
    feats.push_back(f);
  }
  j["features"] = feats;
  return j;
}

Schema Schema::from_json(const nlohmann::json& j) {
  auto need = [](const nlohmann::json& o, const char* key, const std::string& where) {
    if (!o.is_object() || !o.contains(key)) {
      throw Error("schema: missing field '" + where + key + "'");
    }
    return o.at(key);
  };
  if (!j.is_object() || j.value("format", "") != "verdict-schema") {
    throw Error("schema: field 'format' must be \"verdict-schema\"");
  }
  Schema s;
  std::string task = need(j, "task", "").get<std::string>();
  if (task == "binary") {
    s.task = Task::Binary;
  } else if (task == "regression") {
    s.task = Task::Regression;
  } else {
    throw Error("schema: field 'task' must be \"binary\" or \"regression\", not \"" + task + "\"");
  }
  const nlohmann::json& t = need(j, "target", "");
  s.target = t.value("name", "");
  if (s.task == Task::Binary) {
    s.labels = need(t, "labels", "target.").get<std::vector<std::string>>();
    s.positive_label = need(t, "positive_label", "target.").get<std::string>();
  }
  const nlohmann::json& feats = need(j, "features", "");
  if (!feats.is_array() || feats.empty()) throw Error("schema: field 'features' must be a list");
  for (std::size_t i = 0; i < feats.size(); ++i) {
    const std::string where = "features[" + std::to_string(i) + "].";
    Column c;
    c.name = need(feats[i], "name", where).get<std::string>();
    std::string type = need(feats[i], "type", where).get<std::string>();
    if (type == "numeric") {
      c.kind = ColumnKind::Numeric;
    } else if (type == "categorical") {
      c.kind = ColumnKind::Categorical;
      c.categories = need(feats[i], "categories", where).get<std::vector<std::string>>();
    } else {
      throw Error("schema: field '" + where + "type' must be numeric or categorical");
    }
    auto num = [&](const char* key) {
      auto it = feats[i].find(key);
      return (it == feats[i].end() || it->is_null()) ? std::nan("") : it->get<double>();
    };
    c.min = num("min");
    c.max = num("max");
    c.mean = num("mean");
    s.features.push_back(std::move(c));
  }
  return s;
}

bool is_missing_cell(std::string_view cell) { return cell.empty() || cell == "?"; }

bool parse_number(std::string_view cell, double& out) {
  if (cell.empty() || cell.size() > 64) return false;
  char buf[65];
  cell.copy(buf, cell.size());
  buf[cell.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  out = std::strtod(buf, &end);
  return end == buf + cell.size() && errno != ERANGE;
}

Schema infer_schema(const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& columns, const std::string& target,
                    Task task, const std::string& positive_label) {
  Schema s;
  s.task = task;
  s.target = target;
  bool target_found = false;
  for (std::size_t c = 0; c < header.size(); ++c) {
    const std::vector<std::string>& cells = columns.at(c);
    if (header[c] == target) {
      target_found = true;
      if (task == Task::Binary) {
        std::set<std::string> seen(cells.begin(), cells.end());
        s.labels.assign(seen.begin(), seen.end());
        if (s.labels.size() != 2) {
          throw Error("target '" + target + "' has " + std::to_string(s.labels.size()) +
                      " distinct values; a binary model needs exactly 2");
        }
        s.positive_label = positive_label.empty() ? s.labels.back() : positive_label;
        if (!seen.count(s.positive_label)) {
          throw Error("positive label '" + s.positive_label + "' does not occur in target '" +
                      target + "'");
        }
      }
      continue;
    }
    Column col;
    col.name = header[c];
    bool numeric = true;
    std::vector<double> values(cells.size(), std::nan(""));
    for (std::size_t r = 0; r < cells.size() && numeric; ++r) {
      if (is_missing_cell(cells[r])) continue;
      numeric = parse_number(cells[r], values[r]);
    }
    if (!numeric) {
      col.kind = ColumnKind::Categorical;
      std::set<std::string> cats;
      for (const std::string& cell : cells) {
        if (!is_missing_cell(cell)) cats.insert(cell);
      }
      col.categories.assign(cats.begin(), cats.end());
      for (std::size_t r = 0; r < cells.size(); ++r) {
        if (is_missing_cell(cells[r])) {
          values[r] = std::nan("");
          continue;
        }
        auto it = std::lower_bound(col.categories.begin(), col.categories.end(), cells[r]);
        values[r] = static_cast<double>(it - col.categories.begin());
      }
    }
    fill_stats(col, values);
    s.features.push_back(std::move(col));
  }
  if (!target.empty() && !target_found) {
    throw Error("target column '" + target + "' is not in the header");
  }
  return s;
}

Schema numeric_schema(const std::vector<std::string>& header, const std::string& target,
                      Task task) {
  Schema s;
  s.task = task;
  s.target = target;
  if (task == Task::Binary) {
    s.labels = {"0", "1"};
    s.positive_label = "1";
  }
  for (const std::string& name : header) {
    if (name == target) continue;
    Column c;
    c.name = name;
    s.features.push_back(std::move(c));
  }
  return s;
}

std::size_t EncodeStats::total_unseen() const {
  std::size_t n = 0;
  for (std::size_t v : unseen_category) n += v;
  return n;
}

float encode_cell(const Schema& schema, std::size_t feature, std::string_view cell,
                  EncodeStats* stats) {
  const Column& c = schema.features[feature];
  if (is_missing_cell(cell)) return std::numeric_limits<float>::quiet_NaN();
  if (c.kind == ColumnKind::Numeric) {
    double v;
    if (!parse_number(cell, v)) {
      throw Error("column '" + c.name + "' is numeric but holds \"" + std::string(cell) + "\"");
    }
    return static_cast<float>(v);
  }
  auto it = std::lower_bound(c.categories.begin(), c.categories.end(), cell);
  if (it == c.categories.end() || *it != cell) {
    if (stats) {
      if (stats->unseen_category.size() < schema.features.size()) {
        stats->unseen_category.resize(schema.features.size());
      }
      ++stats->unseen_category[feature];
    }
    return std::numeric_limits<float>::quiet_NaN();
  }
  return static_cast<float>(it - c.categories.begin());
}

std::string decode_value(const Schema& schema, std::size_t feature, float value) {
  const Column& c = schema.features.at(feature);
  if (std::isnan(value)) return "";
  if (c.kind == ColumnKind::Categorical) {
    auto code = static_cast<long long>(value);
    if (code >= 0 && static_cast<std::size_t>(code) < c.categories.size() &&
        static_cast<float>(code) == value) {
      return c.categories[static_cast<std::size_t>(code)];
    }
    return "";
  }
  return format_number(value);
}

float encode_target(const Schema& schema, std::string_view cell) {
  if (schema.task == Task::Regression) {
    double v;
    if (!parse_number(cell, v)) {
      throw Error("target '" + schema.target + "' must be numeric, not \"" + std::string(cell) +
                  "\"");
    }
    return static_cast<float>(v);
  }
  if (cell == schema.positive_label) return 1.0f;
  for (const std::string& l : schema.labels) {
    if (cell == l) return 0.0f;
  }
  throw Error("target '" + schema.target + "' holds \"" + std::string(cell) +
              "\", which is not one of its training labels");
}

}  // namespace verdict
