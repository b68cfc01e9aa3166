// verdict bias: Clarify's pre-training (labels) and post-training (predicted labels) bias
// metrics for one facet; writes them into DIR/analysis.json beside whatever is already there.
#include "native/jobs/bias.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "native/batch/flip_test_threads.h"
#include "native/batch/threads.h"
#include "native/io/dataset.h"
#include "native/io/model_files.h"
#include "shared/bias.h"
#include "shared/clarify_columns.h"
#include "shared/error.h"
#include "shared/predict.h"
#include "native/io/staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

// Which cells of a column count: listed values, or numbers above a threshold (Clarify's
// interval (threshold, max]).
struct Selector {
  std::string what;    // "label" | "facet", for messages
  std::string column;
  int index = -1;      // column in the table
  std::vector<std::string> values;
  bool by_threshold = false;
  double threshold = 0;

  // Same text, or the same number written differently ("1" and "1.0").
  bool matches_value(std::string_view cell) const {
    for (const std::string& v : values) {
      double a, b;
      if (cell == v || (parse_number(cell, a) && parse_number(v, b) && a == b)) return true;
    }
    return false;
  }
};

// The rows a selector picks; errors name the file and line of a cell that cannot be read,
// and a listed value that never occurs.
std::vector<bool> select_rows(const Table& t, const Selector& s, bool missing_is_error, double* max_seen) {
  std::vector<bool> out(t.rows.size(), false);
  std::set<std::string> seen;
  *max_seen = -std::numeric_limits<double>::infinity();
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string& cell = t.rows[r][static_cast<std::size_t>(s.index)];
    const std::string where = t.source + ":" + std::to_string(t.line[r]) + ": ";
    if (is_missing_cell(cell) && missing_is_error) {
      throw Error(where + "the " + s.what + " column '" + s.column + "' is empty");
    }
    if (s.by_threshold) {
      if (is_missing_cell(cell)) continue;  // a missing facet value is never above a threshold
      double v;
      if (!parse_number(cell, v)) {
        throw Error(where + "--" + s.what + "-threshold needs numbers, but '" + s.column + "' holds \"" + cell + "\"");
      }
      *max_seen = std::max(*max_seen, v);
      out[r] = v > s.threshold;
    } else {
      if (seen.size() < 1000) seen.insert(cell);
      out[r] = s.matches_value(cell);
    }
  }
  if (!s.by_threshold) {
    for (const std::string& v : s.values) {
      Selector one = s;
      one.values = {v};
      bool found = false;
      for (const std::string& cell : seen) found = found || one.matches_value(cell);
      if (!found) {
        std::vector<std::string> some(seen.begin(), seen.end());
        if (some.size() > 8) some.resize(8), some.push_back("...");
        throw Error(s.what + " value '" + v + "' never occurs in column '" + s.column + "' of '" + t.source +
                    "' (values: " + join(some, ", ") + ")");
      }
    }
  }
  return out;
}

// "Female" / ">50K,=50K" for values, "(40, 90]" for a threshold, as Clarify writes them.
std::string describe(const Selector& s, double max_seen) {
  if (!s.by_threshold) return join(s.values, ",");
  return "(" + num(s.threshold) + ", " + num(max_seen) + "]";
}

int column_or_throw(const Table& t, const std::string& name, const char* option) {
  const int c = t.column(name);
  if (c < 0) throw Error(std::string(option) + " column '" + name + "' is not a column of '" + t.source + "'");
  return c;
}

nlohmann::json metric_json(const BiasMetric& m) {
  nlohmann::json j = {{"name", m.name}, {"description", m.description}};
  if (!m.error.empty()) {
    j["value"] = nullptr;
    j["error"] = m.error;
  } else if (std::isinf(m.value)) {
    j["value"] = m.value > 0 ? "Infinity" : "-Infinity";  // as Clarify writes infinities
  } else {
    j["value"] = m.value;
  }
  if (!m.note.empty()) j["note"] = m.note;
  return j;
}

nlohmann::json confusion_json(const Confusion& c) {
  return {{"TP", c.tp}, {"FP", c.fp}, {"FN", c.fn}, {"TN", c.tn}};
}

nlohmann::json counts_json(const FacetCounts& c, bool post) {
  nlohmann::json j = {{"n", c.n},
                      {"n_a", c.n_a},
                      {"n_d", c.n_d},
                      {"n_a_positive_labels", c.n_a_pos},
                      {"n_d_positive_labels", c.n_d_pos}};
  if (c.groups) j["groups"] = c.groups;
  if (post) {
    j["n_a_positive_predictions"] = c.n_a_pred_pos;
    j["n_d_positive_predictions"] = c.n_d_pred_pos;
    j["confusion_matrix_a"] = confusion_json(c.a);
    j["confusion_matrix_d"] = confusion_json(c.d);
    j["flip_test"] = {{"k", c.flip.k},
                      {"model_positive_knn_negative", c.flip.model_pos_knn_neg},
                      {"model_negative_knn_positive", c.flip.model_neg_knn_pos}};
  }
  return j;
}

void print_metrics(std::ostream& log, const char* title, const BiasResult& r) {
  log << title << "\n";
  for (const BiasMetric& m : r.metrics) {
    char value[48];
    if (!m.error.empty()) {
      std::snprintf(value, sizeof value, "%10s", "-");
    } else if (std::isinf(m.value)) {
      std::snprintf(value, sizeof value, "%10s", m.value > 0 ? "Infinity" : "-Infinity");
    } else {
      std::snprintf(value, sizeof value, "%10.4f", m.value);
    }
    log << "  " << m.name << std::string(m.name.size() < 6 ? 6 - m.name.size() : 0, ' ') << value << "  "
        << m.description;
    if (!m.error.empty()) log << "  [not computed: " << m.error << "]";
    if (!m.note.empty()) log << "  [" << m.note << "]";
    log << "\n";
  }
}

struct Wanted {
  bool pre = false, post = false;
};

Wanted wanted_methods(const BiasPlan& o) {
  Wanted w;
  for (const std::string& m : o.methods) {
    if (m == "pre") w.pre = true;
    else if (m == "post") w.post = true;
    else throw Error("--methods: '" + m + "' is not one of pre, post");
  }
  if (!w.pre && !w.post) throw Error("--methods names no method");
  if (o.label_threshold && !o.label_values.empty()) throw Error("give --label-values or --label-threshold, not both");
  if (o.facet_threshold && !o.facet_values.empty()) throw Error("give --facet-values or --facet-threshold, not both");
  if (!o.facet_threshold && o.facet_values.empty()) throw Error("--facet-values or --facet-threshold is required");
  return w;
}

// The model's schema; for a bare model, every column but the label and the group is a feature.
Schema bias_schema(const ModelFiles& model, const Table& table, const BiasPlan& o) {
  if (model.schema) return *model.schema;
  std::vector<std::string> header;
  for (const std::string& h : table.header) {
    if (h != o.group) header.push_back(h);
  }
  Schema schema = bare_model_schema(model.forest, header, o.label);
  if (static_cast<int>(schema.features.size()) != model.forest.num_features) {
    throw Error("'" + o.data + "' has " + std::to_string(schema.features.size()) + " feature columns; the model has " +
                std::to_string(model.forest.num_features));
  }
  return schema;
}

// The label, facet and group columns of the table and how their cells are read.
struct Columns {
  Selector label, facet;
  int group = -1;
};

Columns bias_columns(const Table& table, const Schema& schema, const BiasPlan& o) {
  Columns c;
  c.label.what = "label";
  c.label.column = o.label.empty() ? schema.target : o.label;
  if (c.label.column.empty()) throw Error("--label is required: the model's schema names no target column");
  c.label.index = column_or_throw(table, c.label.column, "--label");
  c.facet.what = "facet";
  c.facet.column = o.facet;
  c.facet.index = column_or_throw(table, c.facet.column, "--facet");
  if (c.facet.index == c.label.index) throw Error("the facet column '" + o.facet + "' is the label column");
  if (!o.group.empty()) c.group = column_or_throw(table, o.group, "--group");
  c.label.values = o.label_values;
  c.label.by_threshold = o.label_threshold.has_value();
  c.label.threshold = o.label_threshold.value_or(0);
  if (!c.label.by_threshold && c.label.values.empty()) {
    if (schema.task != Task::Binary || schema.positive_label.empty()) {
      throw Error("--label-values or --label-threshold is required (the schema names no positive label)");
    }
    c.label.values = {schema.positive_label};
  }
  c.facet.values = o.facet_values;
  c.facet.by_threshold = o.facet_threshold.has_value();
  c.facet.threshold = o.facet_threshold.value_or(0);
  return c;
}

// Which rows are positive, which are in the facet, which group each is in; the facet's and the
// label's description as Clarify writes them.
struct Selected {
  BiasInput in;
  std::string facet_text, label_text;
  std::size_t positives = 0;
};

Selected selected_rows(const Table& table, const Columns& c) {
  Selected s;
  double label_max = 0, facet_max = 0;
  s.in.label = select_rows(table, c.label, true, &label_max);
  s.in.facet = select_rows(table, c.facet, false, &facet_max);
  s.facet_text = describe(c.facet, facet_max);
  s.label_text = describe(c.label, label_max);
  std::size_t n_d = 0;
  for (bool b : s.in.facet) n_d += b;
  for (bool b : s.in.label) s.positives += b;
  if (table.rows.empty()) throw Error("'" + table.source + "' has no rows");
  if (n_d == 0) {
    throw Error("the facet is empty: no row of '" + table.source + "' has '" + c.facet.column + "' " +
                (c.facet.by_threshold ? "above " + num(c.facet.threshold) + " (the largest is " + num(facet_max) + ")"
                                      : "in " + s.facet_text));
  }
  if (n_d == table.rows.size()) {
    throw Error("every row of '" + table.source + "' has '" + c.facet.column + "' in " + s.facet_text +
                ": the rest of the data (facet a) is empty");
  }
  if (c.label.by_threshold && s.positives == 0) {
    throw Error("no value of the label '" + c.label.column + "' in '" + table.source + "' is above " +
                num(c.label.threshold) + " (the largest is " + num(label_max) + ")");
  }
  if (c.group >= 0) {
    std::map<std::string, int> ids;
    for (const auto& row : table.rows) {
      const auto [it, added] = ids.emplace(row[static_cast<std::size_t>(c.group)], static_cast<int>(ids.size()));
      s.in.group.push_back(it->second);
    }
  }
  return s;
}

// The model's features only: the label, facet and group may be extra columns.
Dataset encode_features(const Table& table, const Schema& schema, const Columns& c, const BiasPlan& o) {
  Schema feature_schema = schema;
  feature_schema.target.clear();
  Dataset data = encode_table(table, feature_schema, false, {schema.target, c.label.column, c.facet.column, o.group});
  std::cerr << unseen_warning(data, schema);
  return data;
}

// Fills the post-training inputs: predicted labels — the model's label at the probability
// threshold (binary), or its score (regression), counted positive by the same rule as the
// observed labels — and the Flip Test's features: every model feature except the facet and
// the label (Clarify drops both).
void add_predictions(BiasInput& in, const Forest& forest, const Schema& schema, const Dataset& data, const Columns& c,
                     double probability_threshold, unsigned threads) {
  std::string pos_label = "1", neg_label = "0";
  if (schema.task == Task::Binary && !schema.positive_label.empty()) {
    pos_label = schema.positive_label;
    neg_label.clear();
    for (const std::string& l : schema.labels) {
      if (l != pos_label) neg_label = l;
    }
  }
  const std::size_t n = data.rows, m = data.cols;
  const std::size_t k = forest.num_class > 1 ? static_cast<std::size_t>(forest.num_class) : 1;
  std::vector<double> margin(n * k);  // a multi-class model: K margins a row, class order
  const unsigned workers = resolve_threads(threads);
  const std::size_t per = (n + workers - 1) / workers;
  auto work = [&](std::size_t begin, std::size_t end) {
    if (k > 1) {
      for (std::size_t r = begin; r < end; ++r) predict_class_margins(forest, &data.x[r * m], &margin[r * k]);
    } else if (begin < end) {
      predict_margins(forest, &data.x[begin * m], end - begin, m, &margin[begin]);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < workers; ++t) pool.emplace_back(work, std::min(n, t * per), std::min(n, (t + 1) * per));
  work(0, std::min(n, per));
  for (auto& t : pool) t.join();
  in.predicted.resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    if (k > 1) {  // predicted favourable: the predicted class is one of the favourable classes
      const std::string& predicted = schema.labels.at(static_cast<std::size_t>(predicted_class(&margin[r * k], static_cast<int>(k))));
      double v;
      in.predicted[r] = c.label.by_threshold ? parse_number(predicted, v) && v > c.label.threshold
                                             : c.label.matches_value(predicted);
      continue;
    }
    const double score = apply_link(forest.link, margin[r]);
    if (schema.task == Task::Binary) {
      const std::string& predicted = above_threshold(score, probability_threshold) ? pos_label : neg_label;
      double v;
      in.predicted[r] = c.label.by_threshold ? parse_number(predicted, v) && v > c.label.threshold
                                             : c.label.matches_value(predicted);
    } else {
      in.predicted[r] = c.label.by_threshold ? score > c.label.threshold : c.label.matches_value(num(score));
    }
  }
  std::vector<std::size_t> ft_cols;
  for (std::size_t f = 0; f < m; ++f) {
    const std::string& name = schema.features[f].name;
    if (name != c.facet.column && name != c.label.column) ft_cols.push_back(f);
  }
  in.feature_count = ft_cols.size();
  in.features.reserve(n * ft_cols.size());
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t f : ft_cols) in.features.push_back(data.x[r * m + f]);
  }
}

nlohmann::json facet_entry(const BiasResult& r, bool is_post, const Selected& s) {
  nlohmann::json metrics = nlohmann::json::array();
  for (const BiasMetric& m : r.metrics) metrics.push_back(metric_json(m));
  return {{"value_or_threshold", s.facet_text}, {"metrics", metrics}, {"counts", counts_json(r.counts, is_post)}};
}

nlohmann::json bias_section(const nlohmann::json& entries, bool is_post, const Columns& c, const Selected& s,
                            const Schema& schema, const BiasPlan& o) {
  nlohmann::json section = {{"label", c.label.column}, {"label_value_or_threshold", s.label_text}};
  section["facets"][c.facet.column] = entries;
  if (!o.group.empty()) section["group_variable"] = o.group;
  if (is_post && schema.task == Task::Binary) section["probability_threshold"] = o.probability_threshold;
  return section;
}

// Clarify's metric selection: "all", or names (smclarify's fetch_metrics_to_run refuses an
// unknown one); DCAcc is the name verdict used before Clarify's DCA.
void keep_metrics(BiasResult& r, const std::vector<std::string>& names, const char* what) {
  if (names.empty() || (names.size() == 1 && names[0] == "all")) return;
  std::vector<std::string> wanted;
  for (const std::string& n : names) {
    const std::string name = n == "DCAcc" ? "DCA" : n;
    bool known = false;
    for (const BiasMetric& m : r.metrics) known = known || m.name == name;
    if (!known) {
      std::vector<std::string> all;
      for (const BiasMetric& m : r.metrics) all.push_back(m.name);
      throw Error(std::string(what) + ": '" + n + "' is not a metric; the metrics are " + join(all, ", ") + " (or \"all\")");
    }
    wanted.push_back(name);
  }
  std::vector<BiasMetric> kept;
  for (const BiasMetric& m : r.metrics) {
    if (std::find(wanted.begin(), wanted.end(), m.name) != wanted.end()) kept.push_back(m);
  }
  r.metrics = kept;
}

std::vector<std::string> column_cells(const Table& t, const std::string& name, const char* what) {
  return t.column_cells(static_cast<std::size_t>(column_or_throw(t, name, what)));
}

// Clarify's values read by Clarify's rule: one plan per facet entry (several when the facet
// is measured one value against all the others).
std::vector<BiasPlan> resolve_clarify(const BiasPlan& o, const Table& table) {
  BiasPlan p = o;
  if (o.label_clarify) {
    const std::string label = o.label;
    if (label.empty()) throw Error("the label column is required");
    const auto cells = column_cells(table, label, "label");
    if (o.label_value_or_threshold.empty()) throw Error("label_values_or_threshold is required for bias metrics");
    if (clarify_column_type(cells, o.label_value_or_threshold.size()) == ClarifyColumnType::Continuous) {
      double t;
      if (!parse_number(o.label_value_or_threshold[0], t)) {
        throw Error("label_values_or_threshold: '" + o.label_value_or_threshold[0] + "' must be a number: the label '" +
                    label + "' is continuous (Clarify's rule: a single numeric threshold)");
      }
      p.label_threshold = t, p.label_values.clear();
    } else {
      p.label_values = o.label_value_or_threshold, p.label_threshold.reset();
    }
  }
  if (!o.facet_clarify) return {p};
  const auto cells = column_cells(table, o.facet, "facet");
  const auto& given = o.facet_value_or_threshold;
  const ClarifyColumnType type = clarify_column_type(cells, given.size());
  if (type == ClarifyColumnType::Continuous) {
    double t;
    if (given.empty()) {
      throw Error("facet '" + o.facet + "' is continuous (Clarify's rule): value_or_threshold must give a threshold");
    }
    if (!parse_number(given[0], t)) {
      throw Error("facet '" + o.facet + "': value_or_threshold '" + given[0] + "' must be a number: the column is continuous");
    }
    p.facet_threshold = t, p.facet_values.clear();
    return {p};
  }
  p.facet_threshold.reset();
  if (!given.empty()) {
    p.facet_values = given;
    return {p};
  }
  std::vector<BiasPlan> plans;
  for (const std::string& v : distinct_cells(cells)) {
    p.facet_values = {v};
    plans.push_back(p);
  }
  if (plans.size() < 2) throw Error("facet '" + o.facet + "' holds a single value: one-vs-all needs two or more");
  return plans;
}

}  // namespace

void measure_bias(const BiasPlan& plan, std::ostream& log) {
  ForestLoadOptions multiclass;
  multiclass.multiclass = true;
  const ModelFiles model = load_model_files(plan.model, plan.schema, multiclass);
  const Table table = read_csv(plan.data);
  const std::vector<BiasPlan> entries = resolve_clarify(plan, table);
  const BiasPlan& o = entries.front();
  const Wanted want = wanted_methods(o);
  const Schema schema = bias_schema(model, table, o);
  std::optional<Dataset> encoded;  // the model's features, encoded once for every entry
  nlohmann::json pre_entries = nlohmann::json::array(), post_entries = nlohmann::json::array();
  Columns c;
  Selected s;
  std::vector<std::pair<std::string, std::pair<BiasResult, BiasResult>>> results;
  for (const BiasPlan& e : entries) {
    wanted_methods(e);
    c = bias_columns(table, schema, e);
    s = selected_rows(table, c);
    BiasResult pre, post;
    if (want.pre) {
      pre = pre_training_bias(s.in);
      keep_metrics(pre, o.pre_metrics, "methods.pre_training_bias.methods");
      pre_entries.push_back(facet_entry(pre, false, s));
    }
    if (want.post) {
      if (!encoded) encoded = encode_features(table, schema, c, o);
      add_predictions(s.in, model.forest, schema, *encoded, c, o.probability_threshold, o.threads);
      post = post_training_bias(s.in, flip_test_runner(o.threads));
      keep_metrics(post, o.post_metrics, "methods.post_training_bias.methods");
      post_entries.push_back(facet_entry(post, true, s));
    }
    results.push_back({s.facet_text + "\t" + std::to_string(s.positives), {pre, post}});
  }

  // Merge into an existing analysis.json (e.g. from `verdict explain`): only the bias keys change.
  const fs::path path = fs::path(o.out) / "analysis.json";
  nlohmann::json analysis = {{"version", "1.0"}};
  if (fs::exists(path)) {
    analysis = read_json_file(path.string());
    if (!analysis.is_object()) throw Error("'" + path.string() + "' is not a JSON object; not merging into it");
  }
  auto put = [&](const char* key, const nlohmann::json& entries_json, bool post) {
    nlohmann::json section = bias_section(entries_json, post, c, s, schema, o);
    if (o.merge_facets && analysis.contains(key) && analysis[key].is_object() && analysis[key].contains("facets")) {
      nlohmann::json merged = analysis[key];
      merged["facets"][c.facet.column] = entries_json;
      section = merged;
    }
    analysis[key] = section;
  };
  if (want.pre) put("pre_training_bias_metrics", pre_entries, false);
  if (want.post) put("post_training_bias_metrics", post_entries, true);
  StagedOutputs out;
  out.write(path, analysis.dump(2) + "\n");
  out.commit();

  for (const auto& [key, r] : results) {
    const std::string facet_text = key.substr(0, key.find('\t'));
    const FacetCounts& counts = want.pre ? r.first.counts : r.second.counts;
    log << "facet " << c.facet.column << " in " << facet_text << ": n_d " << counts.n_d << " of " << counts.n
        << " rows; label " << c.label.column << " in " << s.label_text << ": " << s.positives << " positive";
    if (want.post && schema.task == Task::Binary) log << "; probability threshold " << num(o.probability_threshold);
    log << "\n";
    if (want.pre) print_metrics(log, "pre-training (observed labels)", r.first);
    if (want.post) print_metrics(log, "post-training (predicted labels)", r.second);
  }
  log << "analysis -> " << path.string() << "\n";
}

}  // namespace verdict
