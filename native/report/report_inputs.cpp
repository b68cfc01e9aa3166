// Reading and checking the report's inputs: analysis.json, the local SHAP CSV, review_batch.json,
// the data set and the model's schema and metrics. Every problem is one verdict::Error line.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "native/io/fetch.h"
#include "native/io/model_files.h"
#include "native/report/report.h"
#include "shared/error.h"

namespace fs = std::filesystem;

namespace verdict::report {

std::string shown_paths(const ReportOptions& options, std::string text) {
  const std::pair<std::string, std::string> swaps[] = {{options.analysis, options.analysis_shown},
                                                       {options.data, options.data_shown}};
  for (const auto& [from, to] : swaps) {
    if (from.empty() || to.empty()) continue;
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }
  return text;
}

namespace {

void add_file(ReportInputs& in, const std::string& role, const fs::path& path) {
  InputFile f;
  f.role = role;
  f.path = shown_paths(in.options, path.string());
  std::error_code ec;
  f.bytes = fs::file_size(path, ec);
  f.sha256 = sha256_file(path.string());
  in.files.push_back(std::move(f));
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

double json_number(const nlohmann::json& j) {
  if (j.is_number()) return j.get<double>();
  return std::nan("");
}

// The local SHAP values: one column per feature, one row per record. A multi-class file holds
// a block "<feature>_label<k>" per class: the drawn class's block is kept, named by feature.
void read_local(ReportInputs& in, const fs::path& path) {
  Table t = read_csv(path.string());
  if (!in.classes.empty()) {
    const std::string suffix = "_" + in.label_key();
    std::vector<std::size_t> keep;
    std::vector<std::string> names;
    for (std::size_t c = 0; c < t.header.size(); ++c) {
      const std::string& h = t.header[c];
      if (h.size() > suffix.size() && h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0) {
        keep.push_back(c);
        names.push_back(h.substr(0, h.size() - suffix.size()));
      }
    }
    if (keep.empty()) throw Error("'" + path.string() + "' has no columns '<feature>" + suffix + "' of class '" + in.classes[in.class_index] + "'");
    for (auto& row : t.rows) {
      std::vector<std::string> kept;
      for (std::size_t c : keep) kept.push_back(row[c]);
      row = std::move(kept);
    }
    t.header = names;
  }
  in.local_file = path.string();
  in.local.features = t.header;
  in.local.rows = t.rows.size();
  in.local.shap.resize(t.rows.size() * t.header.size());
  const std::size_t m = t.header.size();
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    for (std::size_t f = 0; f < m; ++f) {
      const std::string& cell = t.rows[r][f];
      double v = std::nan("");
      if (!cell.empty() && !parse_number(cell, v)) {
        throw Error(t.source + ":" + std::to_string(t.line[r]) + ": column '" + t.header[f] +
                    "' holds \"" + cell + "\", not a SHAP value");
      }
      in.local.shap[r * m + f] = v;
    }
  }
  const nlohmann::json& global = in.analysis["explanations"][in.method + "_shap"][in.label_key()]["global_shap_values"];
  if (global.is_object()) {
    for (const std::string& name : t.header) {
      if (!global.contains(name)) {
        throw Error("'" + path.string() + "' has column '" + name + "', which is not a feature of explanations." +
                    in.method + "_shap in analysis.json");
      }
    }
  }
  add_file(in, "local SHAP values", path);
}

// The local values of one method: out_<method>.csv, or out.csv when that is the method's file.
std::optional<Table> local_table(const fs::path& shap_dir, const std::string& method, const std::vector<std::string>& methods) {
  if (fs::exists(shap_dir / ("out_" + method + ".csv"))) return read_csv((shap_dir / ("out_" + method + ".csv")).string());
  for (const std::string& m : methods) {  // out.csv holds the one method without a file of its own
    if (m != method && !fs::exists(shap_dir / ("out_" + m + ".csv"))) return std::nullopt;
  }
  if (fs::exists(shap_dir / "out.csv")) return read_csv((shap_dir / "out.csv").string());
  return std::nullopt;
}

// Kernel SHAP against exact baseline SHAP, when both are there with the same reference and units.
void check_kernel(ReportInputs& in, const fs::path& shap_dir) {
  auto has = [&](const char* m) { return std::find(in.methods.begin(), in.methods.end(), m) != in.methods.end(); };
  if (!has("kernel") || !has("baseline")) return;
  const nlohmann::json& k = in.analysis["explanations"]["kernel_shap"];
  const nlohmann::json& b = in.analysis["explanations"]["baseline_shap"];
  if (k.value("units", "") != b.value("units", "") || k.value("baseline", nlohmann::json()) != b.value("baseline", nlohmann::json())) {
    in.notes.push_back("Kernel SHAP and baseline SHAP used different units or reference rows: no error comparison");
    return;
  }
  const std::optional<Table> kt = local_table(shap_dir, "kernel", in.methods), bt = local_table(shap_dir, "baseline", in.methods);
  if (!kt || !bt) return;
  if (kt->header != bt->header || kt->rows.size() != bt->rows.size()) {
    throw Error("the local Kernel SHAP and baseline SHAP files in '" + shap_dir.string() + "' do not have the same columns and rows");
  }
  KernelCheck c;
  c.num_samples = k.contains("num_samples") ? (k["num_samples"].is_string() ? k["num_samples"].get<std::string>() : k["num_samples"].dump()) : "auto";
  c.units = k.value("units", "");
  c.rows = kt->rows.size();
  const std::size_t m = kt->header.size();
  std::vector<KernelCheck::Feature> f(m, KernelCheck::Feature{"", 0, 0, 0});
  std::size_t cells = 0;
  for (std::size_t r = 0; r < c.rows; ++r) {
    for (std::size_t j = 0; j < m; ++j) {
      double kv = 0, bv = 0;
      if (!parse_number(kt->rows[r][j], kv) || !parse_number(bt->rows[r][j], bv)) continue;
      const double e = std::fabs(kv - bv);
      f[j].mean_abs_error += e;
      f[j].max_abs_error = std::max(f[j].max_abs_error, e);
      f[j].mean_abs_exact += std::fabs(bv);
      c.mean_abs_error += e;
      c.mean_abs_exact += std::fabs(bv);
      c.max_abs_error = std::max(c.max_abs_error, e);
      ++cells;
    }
  }
  if (cells == 0) return;
  c.mean_abs_error /= static_cast<double>(cells);
  c.mean_abs_exact /= static_cast<double>(cells);
  for (std::size_t j = 0; j < m; ++j) {
    f[j].name = kt->header[j];
    f[j].mean_abs_error /= static_cast<double>(c.rows);
    f[j].mean_abs_exact /= static_cast<double>(c.rows);
  }
  std::stable_sort(f.begin(), f.end(), [](const auto& a, const auto& b) { return a.mean_abs_error > b.mean_abs_error; });
  c.features = std::move(f);
  in.kernel_check = std::move(c);
}

// review_batch.json: predictions, labels and the encoded feature values of every record.
void read_batch(ReportInputs& in, const fs::path& path) {
  const nlohmann::json batch = read_json_file(path.string());
  if (!batch.is_object() || batch.value("format", "") != "verdict-review-batch" || !batch.contains("records") ||
      !batch["records"].is_array()) {
    throw Error("'" + path.string() + "' is not a verdict review batch (format verdict-review-batch with records)");
  }
  add_file(in, "review batch", path);
  const nlohmann::json& records = batch["records"];
  in.have_batch = true;
  in.threshold = batch.value("threshold", 0.5);
  const bool multiclass = batch.value("task", "") == "multiclass";  // no positive label, no threshold
  std::vector<std::string> features;
  if (batch.contains("features") && batch["features"].is_array()) {
    for (const auto& f : batch["features"]) features.push_back(f.is_string() ? f.get<std::string>() : "");
  }
  bool labels = true;
  for (const auto& rec : records) {
    in.prediction.push_back(json_number(rec.value("prediction", nlohmann::json())));
    const bool has_label = rec.contains("label") && rec["label"].is_string();
    labels = labels && has_label;
    in.label.push_back(has_label ? rec["label"].get<std::string>() : "");
    if (!multiclass && rec.contains("predicted_label") && rec["predicted_label"].is_string()) {
      const double p = in.prediction.back();
      std::string& slot = p >= in.threshold ? in.positive_label : in.negative_label;
      if (slot.empty()) slot = rec["predicted_label"].get<std::string>();
    }
  }
  if (!labels) in.label.clear();

  // Feature values to colour the beeswarm, when the batch is the same records as the local values.
  if (in.local.rows == 0) return;
  if (records.size() != in.local.rows) {
    in.notes.push_back("review_batch.json holds " + std::to_string(records.size()) + " records but the local SHAP file " +
                       std::to_string(in.local.rows) + "; its feature values are not used");
    return;
  }
  std::vector<int> column;  // batch index of each local feature
  for (const std::string& name : in.local.features) {
    const auto it = std::find(features.begin(), features.end(), name);
    if (it == features.end()) return;
    column.push_back(static_cast<int>(it - features.begin()));
  }
  const std::size_t m = in.local.features.size();
  std::vector<double> values(in.local.rows * m, std::nan(""));
  for (std::size_t r = 0; r < records.size(); ++r) {
    const nlohmann::json& enc = records[r].value("encoded", nlohmann::json());
    if (!enc.is_array() || enc.size() != features.size()) return;
    for (std::size_t f = 0; f < m; ++f) values[r * m + f] = json_number(enc[static_cast<std::size_t>(column[f])]);
  }
  in.local.values = std::move(values);
  in.colour_source = "review_batch.json's encoded values (categories by code, in sorted order)";
}

bool is_categorical(const ReportInputs& in, const Table& t, std::size_t c) {
  if (in.schema) {
    const int f = in.schema->feature_index(t.header[c]);
    if (f >= 0) return in.schema->features[static_cast<std::size_t>(f)].kind == ColumnKind::Categorical;
  }
  double v;
  for (const auto& row : t.rows) {
    if (!is_missing_cell(row[c]) && !parse_number(row[c], v)) return true;
  }
  return false;
}

std::size_t distinct_values(const Table& t, std::size_t c, std::size_t stop_after) {
  std::set<std::string> seen;
  for (const auto& row : t.rows) {
    seen.insert(is_missing_cell(row[c]) ? std::string() : row[c]);
    if (seen.size() > stop_after) break;
  }
  return seen.size();
}

CountColumn count_column(const ReportInputs& in, const Table& t, std::size_t c) {
  CountColumn cc;
  cc.name = t.header[c];
  const int target = in.target.empty() ? -1 : t.column(in.target);
  std::map<std::string, std::size_t> index;
  for (const auto& row : t.rows) {
    const std::string name = is_missing_cell(row[c]) ? "(missing)" : row[c];
    auto it = index.find(name);
    if (it == index.end()) {
      it = index.emplace(name, cc.categories.size()).first;
      cc.categories.push_back({name, 0, 0});
    }
    CountCategory& cat = cc.categories[it->second];
    ++cat.all;
    if (target >= 0 && !in.positive.empty() && row[static_cast<std::size_t>(target)] == in.positive) ++cat.positive;
  }
  return cc;
}

// The bias sections' label column, value and facet columns.
void bias_columns(const nlohmann::json& a, std::string* label, std::string* label_value, std::vector<std::string>* facets) {
  for (const char* key : {"pre_training_bias_metrics", "post_training_bias_metrics"}) {
    if (!a.contains(key) || !a[key].is_object()) continue;
    const nlohmann::json& s = a[key];
    if (label->empty() && s.contains("label") && s["label"].is_string()) {
      *label = s["label"].get<std::string>();
      if (s.contains("label_value_or_threshold") && s["label_value_or_threshold"].is_string()) {
        *label_value = s["label_value_or_threshold"].get<std::string>();
      }
    }
    if (s.contains("facets") && s["facets"].is_object()) {
      for (const auto& [name, entries] : s["facets"].items()) {
        if (std::find(facets->begin(), facets->end(), name) == facets->end()) facets->push_back(name);
      }
    }
  }
}

// A cell through the schema; a cell the schema cannot read is missing here (colour only).
double encode_cell_or_nan(const Schema& schema, std::size_t feature, const std::string& cell) {
  try {
    return encode_cell(schema, feature, cell, nullptr);
  } catch (const Error&) {
    return std::nan("");
  }
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// analysis.json of the --analysis folder, checked; returns its path.
fs::path read_analysis(ReportInputs& in, const ReportOptions& o) {
  if (o.analysis.empty()) throw Error("--analysis is required");
  const fs::path dir = o.analysis;
  if (!fs::exists(dir)) throw Error("--analysis folder '" + o.analysis + "' does not exist");
  if (!fs::is_directory(dir)) {
    throw Error("--analysis '" + o.analysis + "' is not a folder (give the --out folder of verdict explain / bias)");
  }
  const fs::path analysis_path = dir / "analysis.json";
  if (!fs::exists(analysis_path)) {
    throw Error("'" + analysis_path.string() + "' does not exist: run verdict explain or verdict bias with --out " + o.analysis);
  }
  in.analysis = read_json_file(analysis_path.string());
  if (!in.analysis.is_object()) throw Error("'" + analysis_path.string() + "' is not a JSON object");
  add_file(in, "analysis", analysis_path);
  if (o.max_dots == 0) throw Error("--max-dots must be at least 1");
  return analysis_path;
}

// Which SHAP method to draw, and its local values.
void read_explanations(ReportInputs& in, const ReportOptions& o, const fs::path& analysis_path) {
  const fs::path dir = o.analysis;
  if (in.analysis.contains("explanations")) {
    if (!in.analysis["explanations"].is_object()) throw Error("'" + analysis_path.string() + "': explanations is not an object");
    for (const auto& [key, value] : in.analysis["explanations"].items()) {
      if (key.size() > 5 && key.compare(key.size() - 5, 5, "_shap") == 0) in.methods.push_back(key.substr(0, key.size() - 5));
    }
  }
  const bool has_bias = in.analysis.contains("pre_training_bias_metrics") || in.analysis.contains("post_training_bias_metrics");
  if (in.methods.empty() && !has_bias && !in.analysis.contains("model_performance")) {
    throw Error("'" + analysis_path.string() + "' holds no explanations, bias metrics or model performance to report");
  }
  const fs::path shap_dir = dir / "explanations_shap";
  if (!o.shap_method.empty()) {
    if (std::find(in.methods.begin(), in.methods.end(), o.shap_method) == in.methods.end()) {
      throw Error("--shap-method '" + o.shap_method + "': '" + analysis_path.string() + "' has no explanations." +
                  o.shap_method + "_shap" + (in.methods.empty() ? "" : " (it has: " + join(in.methods, ", ") + ")"));
    }
    in.method = o.shap_method;
  } else if (!in.methods.empty()) {
    // The method in out.csv is the one without an out_<method>.csv of its own.
    std::vector<std::string> in_out_csv;
    for (const std::string& m : in.methods) {
      if (!fs::exists(shap_dir / ("out_" + m + ".csv"))) in_out_csv.push_back(m);
    }
    const std::vector<std::string>& pool = in_out_csv.empty() ? in.methods : in_out_csv;
    in.method = pool.front();
    for (const char* preferred : {"kernel", "baseline", "tree"}) {
      if (std::find(pool.begin(), pool.end(), preferred) != pool.end()) in.method = preferred;
    }
  }
  if (!in.method.empty()) {
    const nlohmann::json& me = in.analysis["explanations"][in.method + "_shap"];
    if (me.contains("label_headers") && me["label_headers"].is_array()) {
      for (const auto& c : me["label_headers"]) in.classes.push_back(c.is_string() ? c.get<std::string>() : c.dump());
      if (!o.shap_class.empty()) {
        const auto it = std::find(in.classes.begin(), in.classes.end(), o.shap_class);
        if (it == in.classes.end()) throw Error("--class '" + o.shap_class + "' is not a class of the model (" + join(in.classes, ", ") + ")");
        in.class_index = static_cast<std::size_t>(it - in.classes.begin());
      }
    } else if (!o.shap_class.empty()) {
      throw Error("--class '" + o.shap_class + "': the model in '" + analysis_path.string() + "' is not multi-class");
    }
    const fs::path own = shap_dir / ("out_" + in.method + ".csv"), first = shap_dir / "out.csv";
    if (fs::exists(own)) {
      read_local(in, own);
    } else if (fs::exists(first)) {
      read_local(in, first);
    } else {
      in.notes.push_back("no local SHAP values (" + first.string() + "): the summary plot is left out");
    }
  }
  check_kernel(in, shap_dir);
  if (fs::exists(dir / "review_batch.json")) read_batch(in, dir / "review_batch.json");

}

// The model: its schema and training metrics.
void read_model(ReportInputs& in, const ReportOptions& o) {
  if (!o.model.empty()) {
    const fs::path model = o.model;
    if (!fs::exists(model)) throw Error("--model '" + o.model + "' does not exist");
    const fs::path folder = fs::is_directory(model) ? model : model.parent_path();
    const fs::path model_json = fs::is_directory(model) ? model / "model.json" : model;
    if (!fs::exists(model_json)) throw Error("--model '" + o.model + "' holds no model.json");
    add_file(in, "model", model_json);
    const fs::path schema = o.schema.empty() ? folder / "schema.json" : fs::path(o.schema);
    if (fs::exists(schema)) {
      try {
        in.schema = Schema::from_json(read_json_file(schema.string()));
      } catch (const Error& e) {
        throw Error("'" + schema.string() + "': " + e.what());
      }
      add_file(in, "schema", schema);
    } else if (!o.schema.empty()) {
      throw Error("--schema '" + o.schema + "' does not exist");
    }
    if (fs::exists(folder / "metrics.json")) {
      in.model_metrics = read_json_file((folder / "metrics.json").string());
      if (!in.model_metrics.is_object()) throw Error("'" + (folder / "metrics.json").string() + "' is not a JSON object");
      add_file(in, "training metrics", folder / "metrics.json");
    }
  } else if (!o.schema.empty()) {
    throw Error("--schema is used only with --model");
  }

}

// The label column and its positive value; returns the bias facets.
std::vector<std::string> resolve_label(ReportInputs& in, const ReportOptions& o) {
  std::string bias_label, bias_value;
  std::vector<std::string> facets;
  bias_columns(in.analysis, &bias_label, &bias_value, &facets);
  in.target = o.target;
  if (in.target.empty() && in.schema && !in.schema->target.empty()) in.target = in.schema->target;
  if (in.target.empty()) in.target = bias_label;
  in.positive = o.positive;
  if (in.positive.empty() && in.schema && in.schema->target == in.target) in.positive = in.schema->positive_label;
  if (in.positive.empty() && bias_label == in.target && !bias_value.empty() && bias_value[0] != '(' &&
      bias_value.find(',') == std::string::npos) {
    in.positive = bias_value;
  }
  if (in.positive.empty() && !in.label.empty()) in.positive = in.positive_label;

  return facets;
}

// Count plots: the named columns, or the bias facets and then every categorical column with
// few values, up to max_count_plots.
void add_count_plots(ReportInputs& in, const Table& t, const ReportOptions& o, const std::vector<std::string>& facets) {
  std::vector<std::size_t> chosen;
  if (!o.count_columns.empty()) {
    for (const std::string& name : o.count_columns) {
      const int c = t.column(name);
      if (c < 0) throw Error("--count-columns: '" + name + "' is not a column of '" + o.data + "' (columns: " + join(t.header, ", ") + ")");
      if (std::find(chosen.begin(), chosen.end(), static_cast<std::size_t>(c)) == chosen.end()) chosen.push_back(static_cast<std::size_t>(c));
    }
  } else {
    std::vector<std::string> order = facets;
    for (const std::string& h : t.header) order.push_back(h);
    for (const std::string& name : order) {
      const int c = t.column(name);
      if (c < 0 || name == in.target || chosen.size() >= o.max_count_plots) continue;
      const std::size_t cu = static_cast<std::size_t>(c);
      if (std::find(chosen.begin(), chosen.end(), cu) != chosen.end()) continue;
      if (is_categorical(in, t, cu) && distinct_values(t, cu, o.max_categories) <= o.max_categories) chosen.push_back(cu);
    }
  }
  for (std::size_t c : chosen) in.count_plots.push_back(count_column(in, t, c));
}

// Colour the beeswarm from the data when the review batch could not.
void colour_from_data(ReportInputs& in, const Table& t, const ReportOptions& o) {
  if (in.local.rows == 0 || !in.local.values.empty()) return;
  if (t.rows.size() < in.local.rows) {
    in.notes.push_back("'" + o.data + "' has fewer rows than the local SHAP file: the summary plot is not coloured");
    return;
  }
  Schema schema;
  if (in.schema) {
    schema = *in.schema;
  } else {
    std::vector<std::vector<std::string>> columns(t.header.size());
    for (std::size_t c = 0; c < t.header.size(); ++c) columns[c] = t.column_cells(c);
    schema = infer_schema(t.header, columns, in.target, Task::Regression, "");
  }
  const std::size_t m = in.local.features.size();
  std::vector<double> values(in.local.rows * m, std::nan(""));
  bool ok = true;
  for (std::size_t f = 0; f < m && ok; ++f) {
    const int c = t.column(in.local.features[f]);
    const int sf = schema.feature_index(in.local.features[f]);
    if (c < 0) {
      ok = false;
      break;
    }
    for (std::size_t r = 0; r < in.local.rows; ++r) {
      const std::string& cell = t.rows[r][static_cast<std::size_t>(c)];
      double v = std::nan("");
      if (sf >= 0) v = encode_cell_or_nan(schema, static_cast<std::size_t>(sf), cell);
      else if (!parse_number(cell, v)) v = std::nan("");
      values[r * m + f] = v;
    }
  }
  if (ok) {
    in.local.values = std::move(values);
    in.colour_source = "'" + o.data + "' encoded through the " + std::string(in.schema ? "model's schema" : "column types found in it") +
                       " (categories by their code, in sorted order)" +
                       (t.rows.size() > in.local.rows ? "; its first " + std::to_string(in.local.rows) + " rows" : "");
  } else {
    in.notes.push_back("'" + o.data + "' lacks a feature of the local SHAP file: the summary plot is not coloured");
  }
}

// The data set: read, its label and positive value checked against it, count plots, colours.
void read_data(ReportInputs& in, const ReportOptions& o, const std::vector<std::string>& facets) {
  if (o.data.empty()) {
    if (!o.count_columns.empty()) throw Error("--count-columns needs --data");
    in.notes.push_back("no --data: the data set overview is left out");
    return;
  }
  in.data = read_csv(o.data);
  const Table& t = *in.data;
  if (t.rows.empty()) throw Error("'" + o.data + "' has no rows");
  add_file(in, "data", o.data);
  if (!in.target.empty() && t.column(in.target) < 0) {
    if (!o.target.empty()) throw Error("--target '" + o.target + "' is not a column of '" + o.data + "'");
    in.notes.push_back("label column '" + in.target + "' is not in '" + o.data + "': no class balance");
    in.target.clear();
    in.positive.clear();
  }
  if (!in.target.empty() && !in.positive.empty()) {
    const std::size_t tc = static_cast<std::size_t>(t.column(in.target));
    const bool occurs = std::any_of(t.rows.begin(), t.rows.end(), [&](const auto& row) { return row[tc] == in.positive; });
    if (!occurs) {
      if (!o.positive.empty()) throw Error("--positive '" + o.positive + "' never occurs in column '" + in.target + "' of '" + o.data + "'");
      in.notes.push_back("positive label '" + in.positive + "' never occurs in '" + in.target + "': counts among it are left out");
      in.positive.clear();
    }
  }
  add_count_plots(in, t, o, facets);
  colour_from_data(in, t, o);
}

}  // namespace

ReportInputs load_report_inputs(const ReportOptions& o) {
  ReportInputs in;
  in.options = o;
  in.generated = o.generated.empty() ? now_utc() : o.generated;
  const fs::path analysis_path = read_analysis(in, o);
  read_explanations(in, o, analysis_path);
  read_model(in, o);
  read_data(in, o, resolve_label(in, o));
  return in;
}

}  // namespace verdict::report
