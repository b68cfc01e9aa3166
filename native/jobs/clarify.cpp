// verdict clarify (native/jobs/clarify.h): read the config and the dataset, check both against
// the model, write the dataset (with its column names, label-encoded categories read as the
// model's categories) to a scratch folder, then call explain, bias and report into a staging
// folder that becomes OUT's contents only when every step has succeeded.
#include "native/jobs/clarify.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "native/io/clarify_dataset.h"
#include "native/io/dataset.h"
#include "native/io/model_files.h"
#include "native/jobs/bias.h"
#include "native/jobs/clarify_config.h"
#include "native/jobs/explain.h"
#include "native/jobs/report.h"
#include "shared/clarify_columns.h"
#include "shared/error.h"
#include "shared/pdp.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& pattern) {
    std::string t = pattern;
    if (!::mkdtemp(t.data())) throw Error("cannot create a temporary folder like '" + pattern + "'");
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Categorical features of the model whose dataset cells are label-encoded codes: read as the
// model's categories (sorted, as LabelEncoder codes them), said once per column.
std::map<std::string, std::vector<std::string>> decode_categories(Table& t, const Schema& schema, std::ostream& log) {
  std::map<std::string, std::vector<std::string>> decoded_columns;
  for (std::size_t col = 0; col < t.header.size(); ++col) {
    const int f = schema.feature_index(t.header[col]);
    if (f < 0) continue;
    const Column& feature = schema.features[static_cast<std::size_t>(f)];
    if (feature.kind != ColumnKind::Categorical) continue;
    if (const auto decoded = decode_label_codes(t.column_cells(col), feature.categories)) {
      for (std::size_t r = 0; r < t.rows.size(); ++r) t.rows[r][col] = (*decoded)[r];
      std::string list;
      for (std::size_t k = 0; k < feature.categories.size(); ++k) list += (k ? ", " : "") + std::to_string(k) + "=" + feature.categories[k];
      log << "note: dataset column '" << feature.name << "' holds label-encoded categories; read as " << list << "\n";
      decoded_columns[feature.name] = feature.categories;
    }
  }
  return decoded_columns;
}

// A facet's values on a column read as categories: codes become the category names too.
std::vector<std::string> decode_values(const std::vector<std::string>& values, const std::vector<std::string>& categories) {
  if (const auto decoded = decode_label_codes(values, categories)) return *decoded;
  return values;
}

void write_table(const fs::path& path, const Table& t) {
  std::ofstream out(path, std::ios::binary);
  write_csv_row(out, t.header);
  for (const auto& row : t.rows) write_csv_row(out, row);
  if (!out.flush()) throw Error("cannot write '" + path.string() + "'");
}

// Moves the staged outputs into OUT (created when missing), replacing files of the same name.
void publish(const fs::path& staged, const fs::path& out) {
  fs::create_directories(out);
  for (const auto& entry : fs::directory_iterator(staged)) {
    const fs::path target = out / entry.path().filename();
    std::error_code ec;
    fs::remove_all(target, ec);
    fs::rename(entry.path(), target);
  }
}

// explanations.pdp in analysis.json: the features named, or the top_k_features by global Kernel
// SHAP; a grid of grid_resolution values for a numeric feature, every category for a categorical
// one; the mean prediction over the dataset at each value (shared/pdp.h).
void add_pdp(const fs::path& analysis_path, const ClarifyPdp& pdp, const Table& table, const ModelFiles& model,
             const Schema& schema, std::ostream& log) {
  nlohmann::json analysis = fs::exists(analysis_path) ? read_json_file(analysis_path.string()) : nlohmann::json{{"version", "1.0"}};
  std::vector<std::string> names;
  for (std::size_t i = 0; i < pdp.features.size(); ++i) {
    std::vector<std::string> feature_names;
    for (const Column& col : schema.features) feature_names.push_back(col.name);
    names.push_back(clarify_column(pdp.features[i], pdp.features[i].is_number_integer() ? table.header : feature_names,
                                   "methods.pdp.features[" + std::to_string(i) + "]"));
    if (schema.feature_index(names.back()) < 0) throw Error("methods.pdp.features: '" + names.back() + "' is not a feature of the model");
  }
  if (names.empty()) {
    std::vector<std::pair<double, std::string>> ranked;
    for (const auto& [name, v] : analysis["explanations"]["kernel_shap"]["label0"]["global_shap_values"].items()) {
      ranked.emplace_back(-std::fabs(v.get<double>()), name);
    }
    std::sort(ranked.begin(), ranked.end());
    for (std::size_t i = 0; i < ranked.size() && i < pdp.top_k_features; ++i) names.push_back(ranked[i].second);
  }
  const Dataset data = encode_table(table, schema, false);
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& name : names) {
    const std::size_t f = static_cast<std::size_t>(schema.feature_index(name));
    const Column& col = schema.features[f];
    const bool categorical = col.kind == ColumnKind::Categorical;
    const PdpGrid grid = pdp_grid(data.x.data(), data.rows, data.cols, f, categorical, pdp.grid_resolution);
    nlohmann::json values = nlohmann::json::array();
    for (const float v : grid.values) values.push_back(categorical ? nlohmann::json(decode_value(schema, f, v)) : nlohmann::json(v));
    out.push_back({{"feature_name", name},
                   {"data_type", categorical ? "categorical" : "numerical"},
                   {"feature_values", values},
                   {"data_distribution", grid.distribution},
                   {"model_predictions", {partial_dependence(model.forest, data.x.data(), data.rows, data.cols, f, grid.values)}},
                   {"label_headers", {"label0"}}});
  }
  analysis["explanations"]["pdp"] = out;
  std::ofstream file(analysis_path, std::ios::binary);
  file << analysis.dump(2) << "\n";
  if (!file.flush()) throw Error("cannot write '" + analysis_path.string() + "'");
  log << "partial dependence of " << join(names) << " -> " << analysis_path.string() << " (explanations.pdp)\n";
}

}  // namespace

void run_clarify(const ClarifyPlan& plan, std::ostream& log) {
  nlohmann::json json = read_json_file(plan.config);
  ClarifyConfig c = [&] {
    try {
      return parse_clarify_config(json, fs::path(plan.config).parent_path().string());
    } catch (const Error& e) {
      throw Error(plan.config + ": " + e.what());
    }
  }();
  if (!c.ignored.empty()) {
    log << "note: config fields not used: " << join(c.ignored)
        << (std::find(c.ignored.begin(), c.ignored.end(), "predictor") != c.ignored.end() ? " (the model comes from --model)" : "")
        << "\n";
  }
  if (!c.shap && !c.pre_training_bias && !c.post_training_bias && !c.pdp && !c.report) {
    throw Error(plan.config + ": 'methods' asks for nothing verdict computes (shap, pre_training_bias, post_training_bias, "
                "pdp, report)");
  }

  // The dataset, its label and facets by name, checked against the model before anything runs.
  Table table = read_clarify_dataset(plan.dataset, c.format);
  // A config field naming a column the dataset lacks: the message names the config file.
  auto column = [&](const nlohmann::json& name_or_index, const std::string& field) {
    try {
      return clarify_column(name_or_index, table.header, field);
    } catch (const Error& e) {
      std::string m = e.what();
      if (m.rfind("config: ", 0) == 0) m.erase(0, 8);
      throw Error(plan.config + ": " + m + " '" + plan.dataset + "'");
    }
  };
  const std::string label = c.label.is_null() ? "" : column(c.label, "label");
  const ModelFiles model = load_model_files(plan.model, "");
  const Schema schema = schema_for_data(model, table.header, label, plan.dataset);
  const auto decoded_columns = decode_categories(table, schema, log);
  {
    Dataset check = encode_table(table, schema, false);  // errors name the dataset's file, line and column
    std::cerr << unseen_warning(check, schema);
  }
  std::vector<std::string> facets;
  for (std::size_t i = 0; i < c.facets.size(); ++i) {
    facets.push_back(column(c.facets[i].name_or_index, "facet[" + std::to_string(i) + "].name_or_index"));
  }
  if (!c.group_variable.empty()) column(c.group_variable, "group_variable");

  if (c.shap && c.shap->use_logit && schema.task != Task::Binary) {
    throw Error(plan.config + ": methods.shap.use_logit is for models that give probabilities; the model is a regression");
  }

  fs::path out = fs::path(plan.out).lexically_normal();
  if (out.filename().empty()) out = out.parent_path();  // "result/"
  if (fs::exists(out) && !fs::is_directory(out)) throw Error("--out '" + plan.out + "' is a file, not a folder");
  TempDir scratch("/tmp/verdict-clarify-XXXXXX");
  const fs::path data = scratch.path / (fs::path(plan.dataset).stem().string() + ".csv");
  write_table(data, table);
  const fs::path parent = fs::absolute(out).parent_path();
  fs::create_directories(parent);
  TempDir staged((parent / (out.filename().string() + ".partial-XXXXXX")).string());
  const fs::path dir = staged.path;
  std::ostringstream jobs_log;  // the jobs' own reports, shown with OUT in place of the staging folder

  std::vector<std::string> features;  // the dataset's feature columns in order: a headerless baseline's columns
  for (const std::string& h : table.header) {
    if (h != label) features.push_back(h);
  }

  if (c.shap) {
    ExplainPlan e;
    e.model = plan.model, e.data = data.string(), e.out = dir.string(), e.target = label;
    // Clarify's SHAP is Kernel SHAP; verdict computes the exact values against the same
    // baseline beside it (explanations.baseline_shap) and the report compares the two.
    e.methods = {"kernel", "baseline"};
    e.agg = c.shap->agg_method;
    e.num_samples = c.shap->num_samples;
    e.seed = c.shap->seed;
    e.threshold = c.probability_threshold;
    e.logit_of_mean = c.shap->use_logit;  // Clarify's use_logit is shap's link="logit"
    e.use_logit = c.shap->use_logit;
    e.baseline_columns = features;
    if (!c.shap->baseline_file.empty()) e.baseline = c.shap->baseline_file;
    else if (!c.shap->baseline_rows.empty()) e.baseline_inline = c.shap->baseline_rows;
    else e.baseline = "kmeans:" + std::to_string(c.shap->num_clusters);
    explain_file(e, jobs_log);
  }
  const bool pre = c.pre_training_bias.has_value(), post = c.post_training_bias.has_value();
  for (std::size_t i = 0; (pre || post) && i < facets.size(); ++i) {
    BiasPlan b;
    b.model = plan.model, b.data = data.string(), b.out = dir.string();
    b.label = label, b.facet = facets[i], b.group = c.group_variable;
    b.methods.clear();
    if (pre) b.methods.push_back("pre"), b.pre_metrics = *c.pre_training_bias;
    if (post) b.methods.push_back("post"), b.post_metrics = *c.post_training_bias;
    b.label_clarify = true, b.label_value_or_threshold = c.label_values;
    b.facet_clarify = true, b.facet_value_or_threshold = c.facets[i].values;
    if (decoded_columns.count(facets[i])) b.facet_value_or_threshold = decode_values(c.facets[i].values, decoded_columns.at(facets[i]));
    b.probability_threshold = c.probability_threshold;
    b.merge_facets = i > 0;
    measure_bias(b, jobs_log);
  }
  if (c.pdp) add_pdp(dir / "analysis.json", *c.pdp, table, model, schema, jobs_log);
  if (c.report) {
    ReportPlan r;
    r.report.analysis = dir.string(), r.report.data = data.string(), r.report.model = plan.model;
    r.report.analysis_shown = out.string(), r.report.data_shown = plan.dataset;  // not the staging and scratch copies
    r.report.target = label;
    r.report.title = c.report->second;
    r.out = (dir / (c.report->first + ".html")).string();
    r.pdf = (dir / (c.report->first + ".pdf")).string();
    r.notebook = (dir / (c.report->first + ".ipynb")).string();
    r.no_pdf = plan.no_pdf;
    r.chromium = plan.chromium;
    write_report(r, jobs_log);
  }
  if (c.shap && !c.shap->save_local_shap_values) {
    for (const auto& entry : fs::directory_iterator(dir / "explanations_shap")) {
      if (entry.path().filename().string().rfind("out", 0) == 0) fs::remove(entry.path());
    }
  }
  publish(dir, out);
  std::string text = jobs_log.str();
  const std::string from = dir.string(), to = fs::absolute(out).lexically_normal().string();
  for (std::size_t p; (p = text.find(from)) != std::string::npos;) text.replace(p, from.size(), to);
  log << text;
  log << "clarify outputs -> " << out.string() << "/ (analysis.json"
      << (c.shap ? ", explanations_shap/" : "") << (c.report ? ", " + c.report->first + ".html/.pdf/.ipynb" : "") << ")\n";
}

}  // namespace verdict
