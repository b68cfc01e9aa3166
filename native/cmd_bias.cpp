// verdict bias: Clarify's pre-training (labels) and post-training (predicted labels) bias
// metrics for one facet; writes them into DIR/analysis.json beside whatever is already there.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <set>

#include "commands.h"
#include "dataset.h"
#include "model_files.h"
#include "shared/bias.h"
#include "shared/error.h"
#include "shared/predict.h"
#include "staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct BiasOptions {
  std::string model, schema, data, out, label, facet, group;
  std::vector<std::string> label_values, facet_values;
  double label_threshold = 0, facet_threshold = 0;
  double probability_threshold = 0.5;
  std::vector<std::string> methods = {"pre", "post"};
  CLI::Option* label_threshold_opt = nullptr;
  CLI::Option* facet_threshold_opt = nullptr;
};

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

void print_metrics(const char* title, const BiasResult& r) {
  std::cout << title << "\n";
  for (const BiasMetric& m : r.metrics) {
    char value[48];
    if (!m.error.empty()) {
      std::snprintf(value, sizeof value, "%10s", "-");
    } else if (std::isinf(m.value)) {
      std::snprintf(value, sizeof value, "%10s", m.value > 0 ? "Infinity" : "-Infinity");
    } else {
      std::snprintf(value, sizeof value, "%10.4f", m.value);
    }
    std::cout << "  " << m.name << std::string(m.name.size() < 6 ? 6 - m.name.size() : 0, ' ') << value << "  "
              << m.description;
    if (!m.error.empty()) std::cout << "  [not computed: " << m.error << "]";
    if (!m.note.empty()) std::cout << "  [" << m.note << "]";
    std::cout << "\n";
  }
}

void run_bias(const BiasOptions& o) {
  bool want_pre = false, want_post = false;
  for (const std::string& m : o.methods) {
    if (m == "pre") want_pre = true;
    else if (m == "post") want_post = true;
    else throw Error("--methods: '" + m + "' is not one of pre, post");
  }
  if (!want_pre && !want_post) throw Error("--methods names no method");
  const bool label_thr = o.label_threshold_opt->count() > 0, facet_thr = o.facet_threshold_opt->count() > 0;
  if (label_thr && !o.label_values.empty()) throw Error("give --label-values or --label-threshold, not both");
  if (facet_thr && !o.facet_values.empty()) throw Error("give --facet-values or --facet-threshold, not both");
  if (!facet_thr && o.facet_values.empty()) throw Error("--facet-values or --facet-threshold is required");

  const ModelFiles model = load_model_files(o.model, o.schema);
  const Forest& forest = model.forest;
  const Table table = read_csv(o.data);
  Schema schema;
  if (model.schema) {
    schema = *model.schema;
  } else {  // a bare model: every column but the label and the group is a feature
    const Task task = forest.link == Link::Logistic ? Task::Binary : Task::Regression;
    std::vector<std::string> header;
    for (const std::string& h : table.header) {
      if (h != o.group) header.push_back(h);
    }
    schema = numeric_schema(header, o.label, task);
    if (static_cast<int>(schema.features.size()) != forest.num_features) {
      throw Error("'" + o.data + "' has " + std::to_string(schema.features.size()) + " feature columns; the model has " +
                  std::to_string(forest.num_features));
    }
  }

  // The columns.
  Selector label;
  label.what = "label";
  label.column = o.label.empty() ? schema.target : o.label;
  if (label.column.empty()) throw Error("--label is required: the model's schema names no target column");
  label.index = column_or_throw(table, label.column, "--label");
  Selector facet;
  facet.what = "facet";
  facet.column = o.facet;
  facet.index = column_or_throw(table, facet.column, "--facet");
  if (facet.index == label.index) throw Error("the facet column '" + o.facet + "' is the label column");
  int group_col = -1;
  if (!o.group.empty()) group_col = column_or_throw(table, o.group, "--group");
  label.values = o.label_values;
  label.by_threshold = label_thr;
  label.threshold = o.label_threshold;
  if (!label_thr && label.values.empty()) {
    if (schema.task != Task::Binary || schema.positive_label.empty()) {
      throw Error("--label-values or --label-threshold is required (the schema names no positive label)");
    }
    label.values = {schema.positive_label};
  }
  facet.values = o.facet_values;
  facet.by_threshold = facet_thr;
  facet.threshold = o.facet_threshold;

  // Which rows are positive, which are in the facet.
  double label_max = 0, facet_max = 0;
  BiasInput in;
  in.label = select_rows(table, label, true, &label_max);
  in.facet = select_rows(table, facet, false, &facet_max);
  const std::string facet_text = describe(facet, facet_max), label_text = describe(label, label_max);
  std::size_t n_d = 0, n_pos = 0;
  for (bool b : in.facet) n_d += b;
  for (bool b : in.label) n_pos += b;
  if (table.rows.empty()) throw Error("'" + table.source + "' has no rows");
  if (n_d == 0) {
    throw Error("the facet is empty: no row of '" + table.source + "' has '" + facet.column + "' " +
                (facet.by_threshold ? "above " + num(facet.threshold) + " (the largest is " + num(facet_max) + ")"
                                    : "in " + facet_text));
  }
  if (n_d == table.rows.size()) {
    throw Error("every row of '" + table.source + "' has '" + facet.column + "' in " + facet_text +
                ": the rest of the data (facet a) is empty");
  }
  if (label.by_threshold && n_pos == 0) {
    throw Error("no value of the label '" + label.column + "' in '" + table.source + "' is above " +
                num(label.threshold) + " (the largest is " + num(label_max) + ")");
  }
  if (group_col >= 0) {
    std::map<std::string, int> ids;
    for (const auto& row : table.rows) {
      const auto [it, added] = ids.emplace(row[static_cast<std::size_t>(group_col)], static_cast<int>(ids.size()));
      in.group.push_back(it->second);
    }
  }

  nlohmann::json pre_json, post_json;
  BiasResult pre, post;
  if (want_pre) pre = pre_training_bias(in);

  if (want_post) {
    // Encode the model's features only: the label, facet and group may be extra columns.
    Table features = table;
    features.header.clear();
    std::vector<std::size_t> keep;
    for (std::size_t c = 0; c < table.header.size(); ++c) {
      const std::string& name = table.header[c];
      if (schema.feature_index(name) >= 0) {
        keep.push_back(c);
        features.header.push_back(name);
      } else if (name != schema.target && name != label.column && name != facet.column && name != o.group) {
        throw Error("column '" + name + "' of '" + table.source + "' is not in the model's schema");
      }
    }
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      features.rows[r].clear();
      for (std::size_t c : keep) features.rows[r].push_back(table.rows[r][c]);
    }
    Schema feature_schema = schema;
    feature_schema.target.clear();
    const Dataset data = encode_table(features, feature_schema, false);
    std::cerr << unseen_warning(data, schema);

    // Predicted labels: the model's label at the probability threshold (binary), or its
    // score (regression), counted positive by the same rule as the observed labels.
    std::string pos_label = "1", neg_label = "0";
    if (schema.task == Task::Binary && !schema.positive_label.empty()) {
      pos_label = schema.positive_label;
      neg_label.clear();
      for (const std::string& l : schema.labels) {
        if (l != pos_label) neg_label = l;
      }
    }
    const std::size_t n = data.rows, m = data.cols;
    in.predicted.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
      const double score = apply_link(forest.link, predict_margin(forest, &data.x[r * m]));
      if (schema.task == Task::Binary) {
        const std::string& predicted = score > o.probability_threshold ? pos_label : neg_label;
        double v;
        in.predicted[r] = label.by_threshold ? parse_number(predicted, v) && v > label.threshold
                                             : label.matches_value(predicted);
      } else {
        in.predicted[r] = label.by_threshold ? score > label.threshold : label.matches_value(num(score));
      }
    }
    // Flip Test features: every model feature except the facet and the label (Clarify drops both).
    std::vector<std::size_t> ft_cols;
    for (std::size_t f = 0; f < m; ++f) {
      const std::string& name = schema.features[f].name;
      if (name != facet.column && name != label.column) ft_cols.push_back(f);
    }
    in.feature_count = ft_cols.size();
    in.features.reserve(n * ft_cols.size());
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t f : ft_cols) in.features.push_back(data.x[r * m + f]);
    }
    post = post_training_bias(in);
  }

  auto section = [&](const BiasResult& r, bool is_post) {
    nlohmann::json metrics = nlohmann::json::array();
    for (const BiasMetric& m : r.metrics) metrics.push_back(metric_json(m));
    nlohmann::json entry = {{"value_or_threshold", facet_text}, {"metrics", metrics}, {"counts", counts_json(r.counts, is_post)}};
    nlohmann::json s = {{"label", label.column}, {"label_value_or_threshold", label_text}};
    s["facets"][facet.column] = nlohmann::json::array({entry});
    if (!o.group.empty()) s["group_variable"] = o.group;
    if (is_post && schema.task == Task::Binary) s["probability_threshold"] = o.probability_threshold;
    return s;
  };

  // Merge into an existing analysis.json (e.g. from `verdict explain`): only the bias keys change.
  const fs::path path = fs::path(o.out) / "analysis.json";
  nlohmann::json analysis = {{"version", "1.0"}};
  if (fs::exists(path)) {
    analysis = read_json_file(path.string());
    if (!analysis.is_object()) throw Error("'" + path.string() + "' is not a JSON object; not merging into it");
  }
  if (want_pre) analysis["pre_training_bias_metrics"] = section(pre, false);
  if (want_post) analysis["post_training_bias_metrics"] = section(post, true);
  StagedOutputs out;
  out.write(path, analysis.dump(2) + "\n");
  out.commit();

  const FacetCounts& c = want_pre ? pre.counts : post.counts;
  std::cout << "facet " << facet.column << " in " << facet_text << ": n_d " << c.n_d << " of " << c.n
            << " rows; label " << label.column << " in " << label_text << ": " << n_pos << " positive";
  if (want_post && schema.task == Task::Binary) std::cout << "; probability threshold " << num(o.probability_threshold);
  std::cout << "\n";
  if (want_pre) print_metrics("pre-training (observed labels)", pre);
  if (want_post) print_metrics("post-training (predicted labels)", post);
  std::cout << "analysis -> " << path.string() << "\n";
}

}  // namespace

void add_bias_command(CLI::App& app) {
  auto o = std::make_shared<BiasOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bias", "Clarify's bias metrics for one facet: pre-training on the labels, post-training on the model's predictions");
  cmd->footer(
      "Facet d is the group the facet options pick; facet a is every other row. Metrics follow SageMaker\n"
      "Clarify (smclarify): 0/0 counts as 0, x/0 as Infinity (with a note). Results go to\n"
      "OUT/analysis.json under pre_training_bias_metrics / post_training_bias_metrics; other keys of an\n"
      "existing analysis.json are kept.");
  cmd->add_option("--model", o->model, "Model folder (model.json + schema.json) or an XGBoost model.json")->required();
  cmd->add_option("--schema", o->schema, "schema.json (default: the one beside the model; none = all columns numeric)");
  cmd->add_option("--data", o->data, "CSV with a header row: the model's features, the label, the facet (and group) columns")
      ->required();
  cmd->add_option("--out", o->out, "Output folder; OUT/analysis.json is written or updated")->required();
  cmd->add_option("--label", o->label, "Label column (default: the schema's target)");
  cmd->add_option("--label-values", o->label_values,
                  "Label value(s) that are the positive (favourable) outcome, comma-separated "
                  "(default: the schema's positive label)")
      ->delimiter(',');
  o->label_threshold_opt = cmd->add_option("--label-threshold", o->label_threshold,
                                           "For a numeric label: values above this are the positive outcome");
  cmd->add_option("--facet", o->facet, "Facet column: the sensitive attribute (e.g. Sex)")->required();
  cmd->add_option("--facet-values", o->facet_values,
                  "Facet value(s) that make up the disadvantaged group (facet d), comma-separated")
      ->delimiter(',');
  o->facet_threshold_opt = cmd->add_option("--facet-threshold", o->facet_threshold,
                                           "For a numeric facet: rows with a value above this are facet d");
  cmd->add_option("--group", o->group, "Group column for the conditional metrics CDDL / CDDPL (e.g. an age band)");
  cmd->add_option("--probability-threshold", o->probability_threshold,
                  "Binary models: a probability above this predicts the schema's positive label")
      ->capture_default_str();
  cmd->add_option("--methods", o->methods, "Which metrics: pre (on the labels), post (on the predicted labels)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->callback([o] { run_bias(*o); });
}

}  // namespace verdict
