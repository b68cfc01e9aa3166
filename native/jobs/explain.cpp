// The explain job (native/jobs/explain.h): read a chunk, encode it with the schema, score and
// explain it with each SHAP method, stream the rows into the staged outputs; then the global
// SHAP, the model's performance and (for a shard) what explain-merge needs.
#include "native/jobs/explain.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <tuple>

#include "native/batch/batch_counterfactual.h"
#include "native/batch/batch_explain.h"
#include "native/batch/batch_explain_classes.h"
#include "native/batch/performance.h"
#include "native/batch/progress.h"
#include "native/batch/shap_totals.h"
#include "native/batch/threads.h"
#include "native/io/clarify_dataset.h"
#include "native/io/dataset.h"
#include "native/io/json_stream.h"
#include "native/io/model_files.h"
#include "native/io/staged_output.h"
#include "shared/clarify_columns.h"
#include "shared/error.h"
#include "shared/kmeans.h"
#include "shared/metrics.h"
#include "shared/predict.h"
#include "shared/shap_summary.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

// The reference rows of baseline and Kernel SHAP, with a weight per row.
struct Reference {
  std::vector<float> rows;  // n × features
  std::vector<std::vector<std::string>> given;  // a file's or inline rows as given (for baseline.csv)
  std::vector<double> weights;
  std::size_t count = 0;
};

// One SHAP method of the run: what to compute and what the outputs say of it.
struct Method {
  std::string name;  // "tree" | "tree-classic" | "baseline" | "kernel"
  ShapSettings settings;
  std::vector<double> expected_value;  // one per class (one for a single-output model)
  const Reference* reference = nullptr;  // baseline and kernel
  std::string units = "margin";
  nlohmann::json settings_json = nlohmann::json::object();  // kernel: num_samples, seed, ...
};

std::string num(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::vector<float> mean_row(const Schema& schema, const Dataset& data);

const char* task_name(Task task) {
  return task == Task::Binary ? "binary" : task == Task::Multiclass ? "multiclass" : "regression";
}

// A single-output model's one value as a number; a multi-class model's as a list in class order.
nlohmann::json per_class_value(const std::vector<double>& v) {
  return v.size() == 1 ? nlohmann::json(v.front()) : nlohmann::json(v);
}

// The local SHAP files' header: the features; for K classes one block of the features per
// class in class order, "<feature>_label<k>" (class k is the schema's labels[k]).
std::vector<std::string> shap_header(const Schema& schema, std::size_t classes) {
  std::vector<std::string> header;
  for (std::size_t k = 0; k < classes; ++k) {
    for (const Column& c : schema.features) header.push_back(classes == 1 ? c.name : c.name + "_label" + std::to_string(k));
  }
  return header;
}

// The baseline's columns when it has no header: --baseline-columns, or the schema's features.
std::vector<std::string> headerless_columns(const ExplainPlan& o, const Schema& schema) {
  if (!o.baseline_columns.empty()) return o.baseline_columns;
  std::vector<std::string> names;
  for (const Column& c : schema.features) names.push_back(c.name);
  return names;
}

// A baseline file's first row is a header when it names the schema's features; otherwise the
// file is headerless (as Clarify's baseline.csv is) and its first row is a reference row.
bool has_header(const std::vector<std::string>& first_row, const Schema& schema) {
  std::size_t named = 0;
  for (const std::string& h : first_row) named += schema.feature_index(h) >= 0 || h == schema.target;
  return named == first_row.size();
}

// The reference rows as a table of named columns: a CSV with or without a header, or inline
// rows. Label-encoded categories (codes 0..K-1 where the schema has K category names) are
// read as those categories, with a note; any other category the model never saw is an error
// naming the file, line and column — a silently missing baseline value changes every SHAP value.
Table reference_table(const ExplainPlan& o, const Schema& schema, std::vector<std::vector<std::string>>* given) {
  Table t;
  const std::string source = o.baseline_inline.empty() ? o.baseline : "the inline baseline";
  if (o.baseline_inline.empty()) {
    const std::vector<std::string> first = first_csv_row(o.baseline);
    if (has_header(first, schema)) {
      t = read_csv(o.baseline);
    } else {
      const std::vector<std::string> columns = headerless_columns(o, schema);
      if (first.size() != columns.size()) {
        throw Error(o.baseline + ":1: not a header of the model's feature names, so the baseline is read as "
                    "headerless (as Clarify's baseline.csv is), but it has " + std::to_string(first.size()) +
                    " values and the model has " + std::to_string(columns.size()) +
                    " features (give one value per feature, in the order of the dataset's columns without the label)");
      }
      t = read_headerless_csv(o.baseline, columns);
    }
  } else {
    t.source = source;
    t.header = headerless_columns(o, schema);
    for (std::size_t r = 0; r < o.baseline_inline.size(); ++r) {
      if (o.baseline_inline[r].size() != t.header.size()) {
        throw Error("inline baseline row " + std::to_string(r + 1) + " has " + std::to_string(o.baseline_inline[r].size()) +
                    " values; the model's features are " + std::to_string(t.header.size()));
      }
      t.rows.push_back(o.baseline_inline[r]);
      t.line.push_back(r + 1);
    }
  }
  if (t.rows.empty()) throw Error("baseline '" + source + "' holds no rows");
  *given = t.rows;
  for (std::size_t col = 0; col < t.header.size(); ++col) {
    const int f = schema.feature_index(t.header[col]);
    if (f < 0 || schema.features[static_cast<std::size_t>(f)].kind != ColumnKind::Categorical) continue;
    const Column& feature = schema.features[static_cast<std::size_t>(f)];
    const std::vector<std::string> cells = t.column_cells(col);
    if (const auto decoded = decode_label_codes(cells, feature.categories)) {
      for (std::size_t r = 0; r < t.rows.size(); ++r) t.rows[r][col] = (*decoded)[r];
      std::string list;
      for (std::size_t k = 0; k < feature.categories.size(); ++k) list += (k ? ", " : "") + std::to_string(k) + "=" + feature.categories[k];
      std::cerr << "verdict: note: baseline column '" << feature.name << "' holds label-encoded categories; read as "
                << list << " (sorted, as LabelEncoder codes them)\n";
      continue;
    }
    // The first cell that is neither a category nor a code; else the first code among names.
    std::size_t bad = t.rows.size(), code = t.rows.size();
    for (std::size_t r = 0; r < t.rows.size() && bad == t.rows.size(); ++r) {
      const std::string& cell = t.rows[r][col];
      if (is_missing_cell(cell)) continue;
      if (std::find(feature.categories.begin(), feature.categories.end(), cell) != feature.categories.end()) continue;
      if (decode_label_codes({cell}, feature.categories)) code = std::min(code, r);
      else bad = r;
    }
    if (bad == t.rows.size()) bad = code;
    if (bad < t.rows.size()) {
      std::string list;
      for (std::size_t k = 0; k < feature.categories.size() && k < 12; ++k) list += (k ? ", " : "") + feature.categories[k];
      throw Error(source + ":" + std::to_string(t.line[bad]) + ": baseline column '" + feature.name + "' holds \"" +
                  t.rows[bad][col] + "\", a category the model never saw (its categories: " + list +
                  (bad == code ? "; label codes 0.." + std::to_string(feature.categories.size() - 1) +
                                     " are read only when the whole column is codes"
                               : "") + ")");
    }
  }
  return t;
}

// --baseline: 'mean', 'kmeans:K' (a K-prototypes summary of --baseline-data or of the data
// explained, weighted by cluster size), or a CSV of one or more rows (equal weights).
Reference baseline_rows(const ExplainPlan& o, const Schema& schema, const Dataset& data) {
  Reference ref;
  if (o.baseline.rfind("kmeans:", 0) == 0) {
    const std::string k_text = o.baseline.substr(7);
    double k = 0;
    if (!parse_number(k_text, k) || k < 1 || k != std::floor(k) || k > 1e6) {
      throw Error("--baseline '" + o.baseline + "': K must be a whole number of at least 1");
    }
    Dataset source;
    const Dataset* from = &data;
    if (!o.baseline_data.empty()) {
      source = encode_table(read_csv(o.baseline_data), schema, false);
      from = &source;
    }
    std::vector<bool> categorical;
    for (const Column& c : schema.features) categorical.push_back(c.kind == ColumnKind::Categorical);
    KMeansOptions km;
    km.k = static_cast<std::size_t>(k);
    km.seed = o.seed;
    const ClusterSummary summary = kmeans_summary(from->x.data(), from->rows, from->cols, categorical, km);
    ref.rows = summary.centres;
    for (std::size_t c : summary.counts) ref.weights.push_back(static_cast<double>(c));
    ref.count = summary.size();
    return ref;
  }
  if (!o.baseline_data.empty()) throw Error("--baseline-data is used only with --baseline kmeans:K");
  if (!o.baseline_inline.empty() || (!o.baseline.empty() && o.baseline != "mean")) {
    std::vector<std::vector<std::string>> given;
    const Dataset b = encode_table(reference_table(o, schema, &given), schema, false);
    ref.given = given;
    ref.rows = b.x;
    ref.weights.assign(b.rows, 1.0);
    ref.count = b.rows;
    return ref;
  }
  ref.rows = mean_row(schema, data);
  ref.weights = {1.0};
  ref.count = 1;
  return ref;
}

// The training mean of each feature; a bare model's schema has none: then the mean of `data`.
std::vector<float> mean_row(const Schema& schema, const Dataset& data) {
  std::vector<float> ref(schema.features.size(), 0.0f);
  for (std::size_t f = 0; f < ref.size(); ++f) {
    double mean = schema.features[f].mean;
    if (std::isnan(mean)) {  // a bare model: the mean of the data explained
      double sum = 0;
      std::size_t n = 0;
      for (std::size_t r = 0; r < data.rows; ++r) {
        const float v = data.x[r * data.cols + f];
        if (!std::isnan(v)) sum += v, ++n;
      }
      mean = n ? sum / static_cast<double>(n) : 0.0;
    }
    ref[f] = static_cast<float>(mean);
  }
  return ref;
}

// One reference row stays a flat list (as before); several become a list of rows + weights.
void add_reference(nlohmann::json& method, const Reference& ref, std::size_t m) {
  if (ref.count == 1) {
    method["baseline"] = ref.rows;
    return;
  }
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t b = 0; b < ref.count; ++b) {
    rows.push_back(std::vector<float>(ref.rows.begin() + static_cast<long>(b * m), ref.rows.begin() + static_cast<long>((b + 1) * m)));
  }
  method["baseline"] = rows;
  method["baseline_weights"] = ref.weights;
}

std::vector<double> row_of(const std::vector<double>& v, std::size_t r, std::size_t m) {
  return std::vector<double>(v.begin() + static_cast<long>(r * m), v.begin() + static_cast<long>((r + 1) * m));
}

constexpr std::size_t kChunkRows = 4 * kBlockRows;  // read, encoded and explained at a time

// --shard I/N.
std::pair<std::size_t, std::size_t> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  double i = -1, n = -1;
  if (slash == std::string::npos || !parse_number(text.substr(0, slash), i) || !parse_number(text.substr(slash + 1), n) ||
      i != std::floor(i) || n != std::floor(n) || n < 1 || i < 0 || i >= n || n > 1e6) {
    throw Error("--shard '" + text + "' is not I/N with 0 <= I < N (e.g. 0/4)");
  }
  return {static_cast<std::size_t>(i), static_cast<std::size_t>(n)};
}

// The rows of shard I of N: whole blocks of kBlockRows rows, split as evenly as blocks allow.
std::pair<std::size_t, std::size_t> shard_rows(std::size_t n, std::size_t index, std::size_t count) {
  const std::size_t blocks = (n + kBlockRows - 1) / kBlockRows;
  return {std::min(n, blocks * index / count * kBlockRows), std::min(n, blocks * (index + 1) / count * kBlockRows)};
}

// The first `rows` rows of the input, encoded (for the K-means baseline and a bare model's mean).
Dataset load_rows(const std::string& path, const Schema& schema, std::size_t rows) {
  CsvReader reader(path);
  Table t;
  reader.read(t, rows);
  return encode_table(t, schema, false);
}


// Rows [begin, end) of the input: the whole of it (up to --limit) or one shard.
struct RowRange {
  std::size_t begin = 0, end = 0, input_rows = 0;
  std::size_t shard_index = 0, shard_count = 1;
  std::size_t size() const { return end - begin; }
};

RowRange rows_to_explain(const ExplainPlan& o, Aggregation agg) {
  RowRange range;
  if (!o.shard.empty()) {
    std::tie(range.shard_index, range.shard_count) = parse_shard(o.shard);
    if (agg == Aggregation::Median) {
      throw Error("--agg median needs every SHAP value at once and cannot be sharded; use mean_abs or mean_sq");
    }
  }
  // The whole input's row count: for the shard's range and the progress bar.
  range.input_rows = count_csv_rows(o.data);
  if (range.input_rows == 0) throw Error("'" + o.data + "' has a header but no rows");
  if (o.limit > 0) range.input_rows = std::min(range.input_rows, o.limit);
  std::tie(range.begin, range.end) = shard_rows(range.input_rows, range.shard_index, range.shard_count);
  return range;
}

void check_methods(const std::vector<std::string>& methods) {
  for (const std::string& method : methods) {
    if (method != "tree" && method != "tree-classic" && method != "baseline" && method != "kernel") {
      throw Error("--shap method '" + method + "' is not one of tree, tree-classic, baseline, kernel");
    }
  }
  if (methods.empty()) throw Error("--shap names no method");
}

// Baseline and Kernel SHAP's reference rows come from the whole input (not the shard), so
// every shard uses the same ones.
Reference reference_rows(const ExplainPlan& o, const Schema& schema, std::size_t input_rows) {
  const bool needs_reference = std::any_of(o.methods.begin(), o.methods.end(),
                                           [](const std::string& me) { return me == "baseline" || me == "kernel"; });
  if (!needs_reference) return {};
  const bool from_data = (o.baseline.rfind("kmeans:", 0) == 0 && o.baseline_data.empty()) ||
                         ((o.baseline.empty() || o.baseline == "mean") && o.baseline_inline.empty() &&
                          std::any_of(schema.features.begin(), schema.features.end(), [](const Column& c) { return std::isnan(c.mean); }));
  return baseline_rows(o, schema, from_data ? load_rows(o.data, schema, input_rows) : Dataset{});
}

Method make_method(const std::string& name, const ExplainPlan& o, const Forest& forest, const Reference& reference) {
  Method me;
  me.name = name;
  ShapSettings& st = me.settings;
  if (name == "tree" || name == "tree-classic") {
    st.kind = name == "tree" ? ShapKind::Tree : ShapKind::TreeClassic;
  } else {
    me.reference = &reference;
    st.kind = name == "baseline" ? ShapKind::Baseline : ShapKind::Kernel;
    st.reference = reference.rows;
    st.reference_weights = reference.weights;
  }
  if (name == "kernel") {
    st.units = o.logit_of_mean ? KernelUnits::LogitOfMean
               : o.use_logit   ? KernelUnits::Margin
                               : KernelUnits::Prediction;
    st.kernel.num_samples = o.num_samples;
    st.kernel.seed = o.seed;
    // With the identity link the prediction is the margin: the same units as tree and baseline SHAP.
    me.units = st.units == KernelUnits::Prediction && forest.link == Link::Logistic ? "probability"
               : st.units == KernelUnits::Prediction && forest.link == Link::Identity ? "margin"
                                                                                     : kernel_units_name(st.units);
    me.settings_json = {{"num_samples", o.num_samples ? nlohmann::json(o.num_samples) : nlohmann::json("auto")},
                        {"seed", o.seed},
                        {"use_logit", st.units != KernelUnits::Prediction},
                        {"link", st.units == KernelUnits::LogitOfMean ? "logit" : "identity"}};
  }
  for (const BatchExplanation& e : explain_batch_per_class(forest, nullptr, 0, st, 1)) me.expected_value.push_back(e.expected_value);
  return me;
}

// The review batch's members other than its records.
nlohmann::json review_batch_header(const ExplainPlan& o, const Schema& schema, const Forest& forest,
                                   const std::vector<Method>& methods) {
  nlohmann::json batch;
  batch["format"] = "verdict-review-batch";
  batch["version"] = 1;
  batch["source"] = fs::path(o.data).filename().string();
  batch["task"] = task_name(schema.task);
  if (schema.task == Task::Multiclass) {
    batch["classes"] = schema.labels;  // class k is classes[k]; every per-class list follows this order
  } else {
    batch["threshold"] = o.threshold;
  }
  // How a margin becomes the prediction: the page draws the batch's own SHAP values before its
  // engine has loaded, and needs the link for the axis.
  batch["link"] = link_name(forest.link);
  std::vector<std::string> names;
  for (const Column& c : schema.features) names.push_back(c.name);
  batch["features"] = names;
  for (const Method& me : methods) {
    batch["methods"][me.name] = {{"expected_value", per_class_value(me.expected_value)}, {"units", me.units}};
    if (me.reference) add_reference(batch["methods"][me.name], *me.reference, names.size());
  }
  return batch;
}

// The streamed outputs: one SHAP CSV per method, the predictions, the review batch. Every one
// is a stream into a staged file: nothing appears unless all of it is written.
class ExplainWriter {
 public:
  ExplainWriter(StagedOutputs& out, const ExplainPlan& o, const Schema& schema, const std::vector<Method>& methods,
                const nlohmann::json& batch)
      : dir_(o.out), m_(schema.features.size()) {
    const std::vector<std::string> header = shap_header(schema, methods.front().expected_value.size());
    for (std::size_t k = 0; k < methods.size(); ++k) {
      const std::string file = k == 0 ? "out.csv" : "out_" + methods[k].name + ".csv";
      shap_files_.emplace_back(out.stage(dir_ / "explanations_shap" / file), std::ios::binary);
      write_csv_row(shap_files_.back(), header);
    }
    pred_.open(out.stage(dir_ / "predictions" / (fs::path(o.data).filename().string() + ".out")), std::ios::binary);
    batch_file_.open(out.stage(dir_ / "review_batch.json"), std::ios::binary);
    records_.emplace(batch_file_, batch, "records");
  }

  // One row per record: the features' values of class 0, then of class 1, ...
  void shap_rows(std::size_t method, const std::vector<BatchExplanation>& classes, std::size_t rows) {
    std::vector<std::string> cells(m_ * classes.size());
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t k = 0; k < classes.size(); ++k) {
        for (std::size_t f = 0; f < m_; ++f) cells[k * m_ + f] = num(classes[k].phi[i * m_ + f]);
      }
      write_csv_row(shap_files_[method], cells);
    }
  }
  // The score (a multi-class model: one probability per class, in class order, comma-separated).
  void prediction(const std::vector<double>& scores) {
    for (std::size_t k = 0; k < scores.size(); ++k) pred_ << (k ? "," : "") << num(scores[k]);
    pred_ << "\n";
  }
  void record(const nlohmann::json& rec) { records_->add(rec); }
  void finish_records() { records_->finish(); }

  // Closes every stream; throws when one of them failed.
  void close() {
    for (auto& f : shap_files_) f.close();
    pred_.close();
    batch_file_.close();
    bool bad = !pred_ || !batch_file_;
    for (const auto& f : shap_files_) bad = bad || !f;
    if (bad) throw Error("cannot write the outputs in '" + dir_.string() + "' (disk full?)");
  }

 private:
  fs::path dir_;
  std::size_t m_;
  std::vector<std::ofstream> shap_files_;
  std::ofstream pred_, batch_file_;
  std::optional<JsonObjectStream> records_;
};

// What the rows add up to over the run: global SHAP per method and class, scores (K per row
// for K classes) and labels for the model's performance, categories never seen in training.
struct RunTotals {
  std::vector<std::vector<ShapTotals>> shap;  // [method][class]
  std::vector<double> scores;
  std::vector<float> labels;
  EncodeStats unseen;
};

// The label a binary model predicts below the threshold.
std::string negative_label(const Schema& schema) {
  if (schema.labels.empty()) return "";
  return schema.labels.front() == schema.positive_label ? schema.labels.back() : schema.labels.front();
}

// The review batch's counterfactuals of a record: what `verdict counterfactual` writes, by name.
nlohmann::json flips_json(const Schema& schema, const std::vector<Counterfactual>& answers) {
  nlohmann::json out = nlohmann::json::array();
  for (const Counterfactual& cf : answers) {
    nlohmann::json changes = nlohmann::json::array();
    for (const FeatureChange& c : cf.changes) {
      changes.push_back({{"feature", schema.features[c.feature].name}, {"from", decode_value(schema, c.feature, c.from)},
                         {"to", decode_value(schema, c.feature, c.to)}, {"cost", c.cost}});
    }
    nlohmann::json answer = {{"cost", cf.cost}, {"score", cf.prediction}, {"method", cf.exact ? "exact" : "heuristic"}, {"changes", changes}};
    if (cf.predicted_class >= 0) answer["class"] = schema.labels.at(static_cast<std::size_t>(cf.predicted_class));  // score: its probability
    out.push_back(std::move(answer));
  }
  return out;
}

// The search explain adds to the review batch (explain --counterfactuals).
struct FlipStep {
  CounterfactualSearch search;
  CounterfactualOptions options;
};

// One chunk's review-batch record for row i (row `row` of the input).
nlohmann::json batch_record(const ExplainPlan& o, const Schema& schema, const Table& chunk, const Dataset& data,
                            std::size_t row, std::size_t i, const std::vector<Method>& methods,
                            const std::vector<std::vector<BatchExplanation>>& explained, const std::vector<double>& scores,
                            const std::vector<Counterfactual>* flips) {
  const std::size_t m = schema.features.size();
  const int target_col = schema.target.empty() ? -1 : chunk.column(schema.target);
  nlohmann::json rec;
  rec["row"] = row;
  rec["line"] = chunk.line[i];
  nlohmann::json values = nlohmann::json::array();
  for (std::size_t f = 0; f < m; ++f) values.push_back(chunk.rows[i][data.source_column[f]]);
  rec["values"] = values;
  rec["encoded"] = std::vector<float>(data.x.begin() + static_cast<long>(i * m), data.x.begin() + static_cast<long>((i + 1) * m));
  if (schema.task == Task::Multiclass) {  // margins, probabilities and SHAP per class, in class order
    std::vector<double> margins;
    for (const BatchExplanation& c : explained.front()) margins.push_back(c.margin[i]);
    const int top = predicted_class(margins.data(), static_cast<int>(margins.size()));
    rec["margins"] = margins;
    rec["probabilities"] = scores;
    rec["prediction"] = scores[static_cast<std::size_t>(top)];
    rec["predicted_class"] = top;
    rec["predicted_label"] = schema.labels.at(static_cast<std::size_t>(top));
  } else {
    rec["margin"] = explained.front().front().margin[i];
    rec["prediction"] = scores.front();
    if (schema.task == Task::Binary) rec["predicted_label"] = above_threshold(scores.front(), o.threshold) ? schema.positive_label : negative_label(schema);
  }
  if (target_col >= 0) rec["label"] = chunk.rows[i][static_cast<std::size_t>(target_col)];
  for (std::size_t k = 0; k < methods.size(); ++k) {
    const std::vector<BatchExplanation>& classes = explained[k];
    if (classes.size() == 1) {
      rec["shap"][methods[k].name] = row_of(classes.front().phi, i, m);
    } else {
      nlohmann::json per_class = nlohmann::json::array();
      for (const BatchExplanation& c : classes) per_class.push_back(row_of(c.phi, i, m));
      rec["shap"][methods[k].name] = per_class;
    }
  }
  if (flips) rec["counterfactuals"] = flips_json(schema, *flips);
  return rec;
}

// Reads, encodes, explains and writes the rows of `range`, a chunk at a time.
void explain_rows(const ExplainPlan& o, const Forest& forest, const Schema& schema, CsvReader& reader,
                  const RowRange& range, unsigned threads, const std::vector<Method>& methods, ExplainWriter& writer,
                  RunTotals& totals, const FlipStep* flip) {
  const std::size_t m = schema.features.size();
  reader.skip(range.begin);
  std::vector<Progress> bars;
  for (const Method& me : methods) bars.emplace_back("shap:" + me.name, range.size() * me.expected_value.size());
  Table chunk;
  std::vector<std::vector<BatchExplanation>> explained(methods.size());  // [method][class]
  const std::size_t classes = methods.front().expected_value.size();
  std::vector<double> margins(classes), scores(classes);
  for (std::size_t first = range.begin; first < range.end;) {
    const std::size_t rows = reader.read(chunk, std::min(kChunkRows, range.end - first));
    if (rows == 0) throw Error("'" + o.data + "' ended early (it changed while being read?)");
    const Dataset data = encode_table(chunk, schema, false);
    for (std::size_t f = 0; f < m; ++f) totals.unseen.unseen_category[f] += data.stats.unseen_category[f];
    for (std::size_t k = 0; k < methods.size(); ++k) {
      ShapSettings st = methods[k].settings;
      st.first_row = first;
      const std::size_t done_before = (first - range.begin) * classes;
      explained[k] = explain_batch_per_class(forest, data.x.data(), rows, st, threads,
                                             [&](std::size_t done) { bars[k].update(done_before + done); });
      for (std::size_t c = 0; c < classes; ++c) totals.shap[k][c].add(explained[k][c].phi.data(), rows);
      writer.shap_rows(k, explained[k], rows);
    }
    const auto flips = flip ? counterfactuals_of_rows(flip->search, data.x.data(), rows, m, flip->options, threads)
                            : std::vector<std::vector<Counterfactual>>();
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t c = 0; c < classes; ++c) margins[c] = explained.front()[c].margin[i];
      if (classes > 1) {
        softmax(margins.data(), static_cast<int>(classes), scores.data());
      } else {
        scores[0] = apply_link(forest.link, margins[0]);
      }
      writer.prediction(scores);
      if (!data.label.empty()) {
        totals.scores.insert(totals.scores.end(), scores.begin(), scores.end());
        totals.labels.push_back(data.label[i]);
      }
      writer.record(batch_record(o, schema, chunk, data, first + i, i, methods, explained, scores, flip ? &flips[i] : nullptr));
    }
    first += rows;
  }
  for (Progress& bar : bars) bar.finish();
  Dataset stats_only;
  stats_only.stats = totals.unseen;
  std::cerr << unseen_warning(stats_only, schema);
}

nlohmann::json analysis_json(const ExplainPlan& o, const Schema& schema, Aggregation agg,
                             const std::vector<Method>& methods, const RunTotals& totals) {
  const std::size_t m = schema.features.size();
  nlohmann::json analysis;
  analysis["version"] = "1.0";
  for (std::size_t k = 0; k < methods.size(); ++k) {
    const Method& me = methods[k];
    // Clarify's layout: label0 … labelK-1, one per class in class order (label_headers).
    nlohmann::json method = {{"agg_method", aggregation_name(agg)}, {"units", me.units}};
    for (std::size_t c = 0; c < me.expected_value.size(); ++c) {
      const std::vector<double> global = totals.shap[k][c].global();
      nlohmann::json g = nlohmann::json::object();
      for (std::size_t f = 0; f < m; ++f) g[schema.features[f].name] = global[f];
      method["label" + std::to_string(c)] = {{"expected_value", me.expected_value[c]}, {"global_shap_values", g}};
    }
    if (me.expected_value.size() > 1) method["label_headers"] = schema.labels;
    if (me.reference) add_reference(method, *me.reference, m);
    method.update(me.settings_json);
    analysis["explanations"][me.name + "_shap"] = method;
  }
  if (!totals.labels.empty() && schema.task == Task::Multiclass) {
    analysis["model_performance"] = multiclass_performance(totals.scores, totals.labels, schema.labels, schema.target);
  } else if (!totals.labels.empty()) {
    analysis["model_performance"] = model_performance(schema.task, totals.scores, totals.labels, o.threshold, schema.target,
                                                   schema.positive_label, negative_label(schema));
  }
  return analysis;
}

// What `verdict explain-merge` needs to rebuild the single-run analysis.json exactly.
nlohmann::json shard_json(const ExplainPlan& o, const Schema& schema, Aggregation agg, const RowRange& range,
                          const nlohmann::json& batch, const std::vector<Method>& methods, const RunTotals& totals) {
  nlohmann::json shard = {{"format", "verdict-explain-shard"}, {"version", 1}, {"shard", range.shard_index},
                          {"shards", range.shard_count}, {"first_row", range.begin}, {"rows", range.size()},
                          {"input_rows", range.input_rows}, {"agg_method", aggregation_name(agg)},
                          {"threshold", o.threshold}, {"task", task_name(schema.task)}, {"classes", schema.labels},
                          {"features", batch["features"]}, {"review_batch", batch}, {"scores", totals.scores},
                          {"labels", totals.labels}, {"target", schema.target},
                          {"positive_label", schema.positive_label}, {"negative_label", negative_label(schema)}};
  // Block sums per method: a list of blocks; for K classes a list of K such lists, in class order.
  for (std::size_t k = 0; k < methods.size(); ++k) {
    if (totals.shap[k].size() == 1) {
      shard["block_sums"][methods[k].name] = totals.shap[k].front().blocks();
    } else {
      for (const ShapTotals& c : totals.shap[k]) shard["block_sums"][methods[k].name].push_back(c.blocks());
    }
  }
  return shard;
}

// explanations_shap/baseline.csv: the reference rows as Clarify writes them, without a header:
// a file's or inline rows as given; else (mean, kmeans:K) one value per feature in the
// schema's order, categories by name.
std::string baseline_csv(const Schema& schema, const Reference& ref) {
  std::ostringstream text;
  if (!ref.given.empty()) {
    for (const auto& row : ref.given) write_csv_row(text, row);
    return text.str();
  }
  const std::size_t m = schema.features.size();
  std::vector<std::string> cells(m);
  for (std::size_t b = 0; b < ref.count; ++b) {
    for (std::size_t f = 0; f < m; ++f) {
      const float v = ref.rows[b * m + f];
      cells[f] = std::isnan(v) ? std::string() : decode_value(schema, f, v);
    }
    write_csv_row(text, cells);
  }
  return text.str();
}

void print_summary(std::ostream& log, const ExplainPlan& o, const RowRange& range, std::size_t methods,
                   unsigned threads, const nlohmann::json& analysis) {
  const fs::path dir = o.out;
  log << "explained " << range.size() << " records"
      << (range.shard_count > 1 ? " (rows " + std::to_string(range.begin) + "-" + std::to_string(range.end) + " of " +
                                      std::to_string(range.input_rows) + ", shard " + o.shard + ")"
                                : std::string())
      << " with " << methods << " SHAP method(s) on " << threads << " thread(s)\n"
      << "local SHAP   -> " << (dir / "explanations_shap/out.csv").string() << "\n"
      << "analysis     -> " << (dir / "analysis.json").string() << "\n"
      << "predictions  -> " << (dir / "predictions").string() << "/\n"
      << "review batch -> " << (dir / "review_batch.json").string() << "\n";
  if (analysis.contains("model_performance")) {
    log << "model performance: " << analysis["model_performance"].dump() << "\n";
  }
}

}  // namespace

void explain_file(const ExplainPlan& o, std::ostream& log) {
  ForestLoadOptions multiclass;
  multiclass.multiclass = true;
  const ModelFiles model = load_model_files(o.model, o.schema, multiclass);
  CsvReader reader(o.data);
  const Schema schema = schema_for_data(model, reader.header(), o.target, o.data);
  const Aggregation agg = parse_aggregation(o.agg);
  check_methods(o.methods);
  const RowRange range = rows_to_explain(o, agg);
  const unsigned threads = resolve_threads(o.threads);
  const Reference reference = reference_rows(o, schema, range.input_rows);
  std::vector<Method> methods;  // settings and expected values; rows are streamed
  for (const std::string& name : o.methods) methods.push_back(make_method(name, o, model.forest, reference));

  StagedOutputs out;
  const nlohmann::json batch = review_batch_header(o, schema, model.forest, methods);
  ExplainWriter writer(out, o, schema, methods, batch);
  RunTotals totals;
  for (const Method& me : methods) totals.shap.emplace_back(me.expected_value.size(), ShapTotals(schema.features.size(), agg));
  totals.unseen.unseen_category.assign(schema.features.size(), 0);
  std::optional<FlipStep> flip;
  if (o.counterfactual_features > 0) {
    if (schema.task == Task::Regression) {
      throw Error("--counterfactuals is for classification models; a regression's move needs verdict counterfactual --target-delta");
    }
    flip.emplace(FlipStep{CounterfactualSearch(model.forest, schema), {}});
    flip->options.max_features = o.counterfactual_features;
    flip->options.goal.threshold = o.threshold;
  }
  explain_rows(o, model.forest, schema, reader, range, threads, methods, writer, totals, flip ? &*flip : nullptr);
  writer.finish_records();

  const fs::path dir = o.out;
  const nlohmann::json analysis = analysis_json(o, schema, agg, methods, totals);
  out.write(dir / "analysis.json", analysis.dump(2) + "\n");
  if (reference.count > 0) out.write(dir / "explanations_shap" / "baseline.csv", baseline_csv(schema, reference));
  if (range.shard_count > 1) out.write(dir / "shard.json", shard_json(o, schema, agg, range, batch, methods, totals).dump() + "\n");
  writer.close();
  out.commit();
  print_summary(log, o, range, methods.size(), threads, analysis);
}

}  // namespace verdict
