#include "schema.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
#include <tuple>
#include <unordered_map>

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

// Refuses a name given twice (one column would shadow the other and read as all missing).
void check_unique_names(const std::vector<std::string>& names) {
  std::unordered_map<std::string_view, std::size_t> first;  // name -> its column
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto [it, fresh] = first.emplace(names[i], i);
    if (!fresh) {
      throw Error("column '" + names[i] + "' appears twice in the header (columns " +
                  std::to_string(it->second + 1) + " and " + std::to_string(i + 1) + ")");
    }
  }
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
  set_spread(c, values);
}

// A version 1 or 2 file has no spread: the range stands in (1 when it is 0).
void fallback_spread(Column& c) {
  if (c.kind == ColumnKind::Categorical) {
    c.spread = 1.0, c.spread_statistic = "category";
  } else {
    const double range = c.max - c.min;
    c.spread = range > 0 ? range : 1.0;
    c.spread_statistic = "range (fallback: the schema predates spreads)";
  }
}

// Linear interpolation between order statistics (numpy's default) of sorted values.
double quantile(const std::vector<double>& sorted, double p) {
  const double at = p * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (at - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

std::pair<double, std::string> spread_of(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
  if (values.empty()) return {1.0, "none"};
  std::sort(values.begin(), values.end());
  const double median = quantile(values, 0.5);
  std::vector<double> deviation(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) deviation[i] = std::fabs(values[i] - median);
  std::sort(deviation.begin(), deviation.end());
  const double mad = quantile(deviation, 0.5);
  if (mad > 0) return {mad, "mad"};
  const double iqr = quantile(values, 0.75) - quantile(values, 0.25);
  if (iqr > 0) return {iqr, "iqr"};
  double mean = 0, square = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  for (double v : values) square += (v - mean) * (v - mean);
  const double sd = std::sqrt(square / static_cast<double>(values.size()));
  if (sd > 0) return {sd, "std"};
  const double range = values.back() - values.front();
  if (range > 0) return {range, "range"};
  return {1.0, "none"};
}

void set_spread(Column& c, const std::vector<double>& values) {
  if (c.kind == ColumnKind::Categorical) {
    c.spread = 1.0, c.spread_statistic = "category", c.integer = true;
    return;
  }
  std::tie(c.spread, c.spread_statistic) = spread_of(values);
  c.integer = std::all_of(values.begin(), values.end(), [](double v) { return std::isnan(v) || v == std::floor(v); });
}

int Schema::feature_index(std::string_view name) const {
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (features[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

const std::string& Schema::class_name(const std::string& label) const {
  const auto it = class_names.find(label);
  return it == class_names.end() || it->second.empty() ? label : it->second;
}

nlohmann::json Schema::to_json() const {
  nlohmann::json j;
  j["format"] = "verdict-schema";
  j["version"] = kSchemaVersion;
  j["task"] = task == Task::Binary ? "binary" : task == Task::Multiclass ? "multiclass" : "regression";
  nlohmann::json t;
  t["name"] = target;
  if (task != Task::Regression) {
    t["labels"] = labels;
    if (task == Task::Binary) t["positive_label"] = positive_label;
    nlohmann::json names = nlohmann::json::object();
    for (const std::string& l : labels) names[l] = class_name(l);
    t["class_names"] = names;
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
    f["description"] = c.description;
    f["unit"] = c.unit;
    f["spread"] = c.spread;
    f["spread_statistic"] = c.spread_statistic;
    f["integer"] = c.integer;
    f["immutable"] = c.immutable;
    feats.push_back(f);
  }
  j["features"] = feats;
  return j;
}

namespace {

// Bounds on the texts people write into a schema (it travels to every page).
constexpr std::size_t kMaxDescription = 2000, kMaxUnit = 60, kMaxClassName = 200;

std::string person_text(const nlohmann::json& v, const std::string& field, std::size_t max, const char* who) {
  if (!v.is_string()) throw Error(std::string(who) + ": field '" + field + "' must be a string");
  std::string text = v.get<std::string>();
  if (text.size() > max) {
    throw Error(std::string(who) + ": field '" + field + "' is " + std::to_string(text.size()) + " bytes; at most " +
                std::to_string(max));
  }
  return text;
}

// Class names must name the target's labels; a regression has none.
void read_class_names(const nlohmann::json& names, const std::string& field, const char* who, Schema& s) {
  if (s.task == Task::Regression) throw Error(std::string(who) + ": field '" + field + "': a regression target has no classes");
  if (!names.is_object()) throw Error(std::string(who) + ": field '" + field + "' must be an object {label: name}");
  for (const auto& [label, name] : names.items()) {
    if (std::find(s.labels.begin(), s.labels.end(), label) == s.labels.end()) {
      std::string known;
      for (const std::string& l : s.labels) known += (known.empty() ? "" : ", ") + l;
      throw Error(std::string(who) + ": field '" + field + "." + label + "' is not a label of the target (" + known + ")");
    }
    std::string text = person_text(name, field + "." + label, kMaxClassName, who);
    if (text.empty() || text == label) {
      s.class_names.erase(label);
    } else {
      s.class_names[label] = std::move(text);
    }
  }
}

bool flag(const nlohmann::json& v, const std::string& field) {
  if (!v.is_boolean()) throw Error("schema: field '" + field + "' must be true or false");
  return v.get<bool>();
}

// A version 3 feature's spread (a number above 0) and its statistic; without one, the fallback.
void read_cost_fields(const nlohmann::json& f, const std::string& where, bool has_spread, Column& c) {
  if (!has_spread) return fallback_spread(c);
  const nlohmann::json& v = f["spread"];
  if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>())) {
    throw Error("schema: field '" + where + "spread' must be a finite number above 0");
  }
  c.spread = v.get<double>();
  c.spread_statistic = "given";
  if (f.contains("spread_statistic")) {
    c.spread_statistic = person_text(f["spread_statistic"], where + "spread_statistic", kMaxUnit, "schema");
  }
}

}  // namespace

Schema Schema::from_json(const nlohmann::json& j) {
  using nlohmann::json;
  auto need = [](const json& o, const char* key, const std::string& where) -> const json& {
    if (!o.is_object() || !o.contains(key)) throw Error("schema: missing field '" + where + key + "'");
    return o.at(key);
  };
  auto text = [&](const json& o, const char* key, const std::string& where) {
    const json& v = need(o, key, where);
    if (!v.is_string()) throw Error("schema: field '" + where + key + "' must be a string");
    return v.get<std::string>();
  };
  auto texts = [&](const json& o, const char* key, const std::string& where) {
    const json& v = need(o, key, where);
    std::vector<std::string> out;
    bool ok = v.is_array();
    for (std::size_t i = 0; ok && i < v.size(); ++i) {
      ok = v[i].is_string();
      if (ok) out.push_back(v[i].get<std::string>());
    }
    if (!ok) throw Error("schema: field '" + where + key + "' must be a list of strings");
    return out;
  };
  if (!j.is_object() || !j.contains("format") || j["format"] != "verdict-schema") {
    throw Error("schema: field 'format' must be \"verdict-schema\"");
  }
  int version = 1;  // files written before versions were checked say 1 or nothing
  if (j.contains("version")) {
    const json& v = j["version"];
    if (!v.is_number_integer() || v.get<long long>() < 1) throw Error("schema: field 'version' must be a whole number from 1");
    if (v.get<long long>() > kSchemaVersion) {
      throw Error("schema: field 'version' is " + v.dump() + "; this verdict reads versions 1 to " +
                  std::to_string(kSchemaVersion) + " (a newer verdict wrote it)");
    }
    version = v.get<int>();
  }
  // A field of a later version in an earlier file: refused rather than silently dropped.
  auto since = [&](const json& o, const char* key, const std::string& where, int needed) {
    if (!o.contains(key)) return false;
    if (version < needed) {
      throw Error("schema: field '" + where + key + "' needs version " + std::to_string(needed) + "; the file says version " +
                  std::to_string(version));
    }
    return true;
  };
  Schema s;
  const std::string task = text(j, "task", "");
  if (task == "binary") {
    s.task = Task::Binary;
  } else if (task == "regression") {
    s.task = Task::Regression;
  } else if (task == "multiclass") {
    s.task = Task::Multiclass;
  } else {
    throw Error("schema: field 'task' must be \"binary\", \"multiclass\" or \"regression\", not \"" + task + "\"");
  }
  const json& t = need(j, "target", "");
  if (!t.is_object()) throw Error("schema: field 'target' must be an object");
  if (t.contains("name")) s.target = text(t, "name", "target.");
  if (s.task == Task::Binary) {
    s.labels = texts(t, "labels", "target.");
    s.positive_label = text(t, "positive_label", "target.");
  } else if (s.task == Task::Multiclass) {
    s.labels = texts(t, "labels", "target.");
    if (s.labels.size() < 2 || !std::is_sorted(s.labels.begin(), s.labels.end()) ||
        std::adjacent_find(s.labels.begin(), s.labels.end()) != s.labels.end()) {
      throw Error("schema: field 'target.labels' of a multiclass target must hold at least 2 labels, sorted and distinct");
    }
  }
  if (since(t, "class_names", "target.", 2)) read_class_names(t["class_names"], "target.class_names", "schema", s);
  const json& feats = need(j, "features", "");
  if (!feats.is_array() || feats.empty()) throw Error("schema: field 'features' must be a list");
  std::unordered_map<std::string, std::size_t> seen;  // name -> feature index
  for (std::size_t i = 0; i < feats.size(); ++i) {
    const std::string where = "features[" + std::to_string(i) + "].";
    Column c;
    c.name = text(feats[i], "name", where);
    const auto [it, fresh] = seen.emplace(c.name, i);
    if (!fresh) {
      throw Error("schema: features[" + std::to_string(it->second) + "] and features[" + std::to_string(i) +
                  "] are both named '" + c.name + "'");
    }
    const std::string type = text(feats[i], "type", where);
    if (type == "numeric") {
      c.kind = ColumnKind::Numeric;
    } else if (type == "categorical") {
      c.kind = ColumnKind::Categorical;
      c.categories = texts(feats[i], "categories", where);
      // Codes are found by binary search: the list must be sorted and distinct, as written.
      for (std::size_t k = 1; k < c.categories.size(); ++k) {
        if (!(c.categories[k - 1] < c.categories[k])) {
          throw Error("schema: field '" + where + "categories' must be sorted and distinct (\"" +
                      c.categories[k - 1] + "\" comes before \"" + c.categories[k] + "\")");
        }
      }
    } else {
      throw Error("schema: field '" + where + "type' must be numeric or categorical");
    }
    auto num = [&](const char* key) {
      auto v = feats[i].find(key);
      if (v == feats[i].end() || v->is_null()) return std::nan("");
      if (!v->is_number()) throw Error("schema: field '" + where + key + "' must be a number");
      return v->get<double>();
    };
    c.min = num("min");
    c.max = num("max");
    c.mean = num("mean");
    if (since(feats[i], "description", where, 2)) {
      c.description = person_text(feats[i]["description"], where + "description", kMaxDescription, "schema");
    }
    if (since(feats[i], "unit", where, 2)) c.unit = person_text(feats[i]["unit"], where + "unit", kMaxUnit, "schema");
    read_cost_fields(feats[i], where, since(feats[i], "spread", where, 3), c);
    if (since(feats[i], "integer", where, 3)) c.integer = flag(feats[i]["integer"], where + "integer");
    if (since(feats[i], "immutable", where, 3)) c.immutable = flag(feats[i]["immutable"], where + "immutable");
    since(feats[i], "spread_statistic", where, 3);
    s.features.push_back(std::move(c));
  }
  return s;
}

void apply_descriptions(Schema& schema, const nlohmann::json& describe) {
  const char* who = "describe";
  if (!describe.is_object()) throw Error("describe: the file must be a JSON object {\"features\": ..., \"classes\": ...}");
  Schema s = schema;  // all or nothing
  for (const auto& [key, value] : describe.items()) {
    if (key == "classes") {
      read_class_names(value, "classes", who, s);
    } else if (key == "features") {
      if (!value.is_object()) throw Error("describe: field 'features' must be an object {feature: {description, unit}}");
      for (const auto& [name, d] : value.items()) {
        const std::string where = "features." + name;
        const int i = s.feature_index(name);
        if (i < 0) throw Error("describe: field '" + where + "' is not a feature of the model");
        if (!d.is_object()) throw Error("describe: field '" + where + "' must be an object {\"description\", \"unit\"}");
        Column& c = s.features[static_cast<std::size_t>(i)];
        for (const auto& [k, v] : d.items()) {
          if (k == "description") {
            c.description = person_text(v, where + ".description", kMaxDescription, who);
          } else if (k == "unit") {
            c.unit = person_text(v, where + ".unit", kMaxUnit, who);
          } else if (k == "immutable") {
            if (!v.is_boolean()) throw Error("describe: field '" + where + ".immutable' must be true or false");
            c.immutable = v.get<bool>();
          } else {
            throw Error("describe: field '" + where + "." + k + "' is not known (description, unit, immutable)");
          }
        }
      }
    } else {
      throw Error("describe: field '" + key + "' is not known (features, classes)");
    }
  }
  schema = std::move(s);
}

bool is_missing_cell(std::string_view cell) { return cell.empty() || cell == "?"; }

namespace {

// strtod over the whole cell; `overflow` when the number is beyond double's range (±HUGE_VAL).
bool strtod_whole(std::string_view cell, double& out, bool& overflow) {
  overflow = false;
  if (cell.empty() || cell.size() > 64) return false;
  char buf[65];
  cell.copy(buf, cell.size());
  buf[cell.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  out = std::strtod(buf, &end);
  if (end != buf + cell.size()) return false;
  overflow = errno == ERANGE && std::isinf(out);  // ERANGE with a tiny result is underflow
  return true;
}

}  // namespace

bool parse_number(std::string_view cell, double& out) {
  bool overflow = false;
  return strtod_whole(cell, out, overflow) && !overflow;
}

bool fits_float32(double v) {
  // Doubles below FLT_MAX + 2^103 (half of float32's last ulp) round to FLT_MAX, not to inf.
  return std::isfinite(v) && std::fabs(v) < 0x1.ffffffp127;
}

NumberCell read_number_cell(std::string_view cell, double& out) {
  bool overflow = false;
  if (!strtod_whole(cell, out, overflow)) return NumberCell::NotANumber;
  return fits_float32(out) ? NumberCell::Fits : NumberCell::OutOfRange;
}

Schema infer_schema(const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& columns, const std::string& target,
                    Task task, const std::string& positive_label) {
  Schema s;
  s.task = task;
  s.target = target;
  check_unique_names(header);
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
                      " distinct values; a binary model needs exactly 2 (for more classes, train with --param "
                      "objective=multi:softprob --param num_class=K)");
        }
        s.positive_label = positive_label.empty() ? s.labels.back() : positive_label;
        if (!seen.count(s.positive_label)) {
          throw Error("positive label '" + s.positive_label + "' does not occur in target '" +
                      target + "'");
        }
      } else if (task == Task::Multiclass) {
        std::set<std::string> seen(cells.begin(), cells.end());
        s.labels.assign(seen.begin(), seen.end());
        if (s.labels.size() < 2) {
          throw Error("target '" + target + "' has " + std::to_string(s.labels.size()) +
                      " distinct value; a multi-class model needs at least 2");
        }
        if (!positive_label.empty()) throw Error("a multi-class target has no positive label (drop --positive)");
      }
      continue;
    }
    Column col;
    col.name = header[c];
    bool numeric = true;
    std::vector<double> values(cells.size(), std::nan(""));
    for (std::size_t r = 0; r < cells.size() && numeric; ++r) {
      if (is_missing_cell(cells[r])) continue;
      // A number out of float32's range (1e400, inf) keeps the column numeric: encoding
      // refuses it later, where the file and line are known.
      numeric = read_number_cell(cells[r], values[r]) != NumberCell::NotANumber;
      if (!fits_float32(values[r])) values[r] = std::nan("");
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
  if (s.features.empty()) {
    throw Error("no feature columns besides the target '" + target + "': a model needs at least one");
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

namespace {

std::string out_of_range_note() {
  return ", which is not a finite number within float32's range (|x| <= 3.4e38); "
         "leave it empty for a missing value";
}

// A numeric feature's cell as its value: missing cells are handled by the caller.
double checked_number(const std::string& column, std::string_view cell) {
  double v;
  switch (read_number_cell(cell, v)) {
    case NumberCell::Fits:
      return v;
    case NumberCell::OutOfRange:
      throw Error("column '" + column + "' holds " + std::string(cell) + out_of_range_note());
    case NumberCell::NotANumber:
      break;
  }
  throw Error("column '" + column + "' is numeric but holds \"" + std::string(cell) + "\"");
}

}  // namespace

float encode_cell(const Schema& schema, std::size_t feature, std::string_view cell,
                  EncodeStats* stats) {
  const Column& c = schema.features[feature];
  if (is_missing_cell(cell)) return std::numeric_limits<float>::quiet_NaN();
  if (c.kind == ColumnKind::Numeric) return static_cast<float>(checked_number(c.name, cell));
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
    switch (read_number_cell(cell, v)) {
      case NumberCell::Fits:
        return static_cast<float>(v);
      case NumberCell::OutOfRange:
        throw Error("target '" + schema.target + "' holds " + std::string(cell) + out_of_range_note());
      case NumberCell::NotANumber:
        break;
    }
    throw Error("target '" + schema.target + "' must be numeric, not \"" + std::string(cell) + "\"");
  }
  if (schema.task == Task::Multiclass) {
    const auto it = std::lower_bound(schema.labels.begin(), schema.labels.end(), cell);
    if (it != schema.labels.end() && *it == cell) return static_cast<float>(it - schema.labels.begin());
    throw Error("target '" + schema.target + "' holds \"" + std::string(cell) +
                "\", which is not one of its training labels");
  }
  if (cell == schema.positive_label) return 1.0f;
  for (const std::string& l : schema.labels) {
    if (cell == l) return 0.0f;
  }
  throw Error("target '" + schema.target + "' holds \"" + std::string(cell) +
              "\", which is not one of its training labels");
}

}  // namespace verdict
