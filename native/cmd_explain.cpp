// verdict explain: score a CSV and explain every record with exact SHAP; writes Clarify's
// layout (explanations_shap/out.csv, analysis.json), batch-transform predictions, and the
// review batch the browser client reads.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "batch_explain.h"
#include "commands.h"
#include "dataset.h"
#include "model_files.h"
#include "progress.h"
#include "shared/error.h"
#include "shared/kmeans.h"
#include "shared/metrics.h"
#include "shared/predict.h"
#include "shared/shap_summary.h"
#include "staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct ExplainOptions {
  std::string model, schema, data, out, target, baseline, baseline_data;
  std::vector<std::string> methods = {"tree", "baseline"};
  std::string agg = "mean_abs";
  double threshold = 0.5;
  unsigned threads = 0;
  std::size_t limit = 0;        // 0 = every row
  std::size_t num_samples = 0;  // Kernel SHAP; 0 = shap's auto (2M + 2048)
  std::uint64_t seed = 0;       // Kernel SHAP coalitions and the K-means baseline
  bool use_logit = true;        // Kernel SHAP in margin (log-odds) units, else probability
  bool logit_of_mean = false;   // Kernel SHAP with shap's link="logit" (Clarify's use_logit)
};

// The reference rows of baseline and Kernel SHAP, with a weight per row.
struct Reference {
  std::vector<float> rows;  // n × features
  std::vector<double> weights;
  std::size_t count = 0;
};

struct MethodResult {
  std::string name;  // "tree" | "tree-classic" | "baseline" | "kernel"
  BatchExplanation result;
  const Reference* reference = nullptr;  // baseline and kernel
  std::string units = "margin";
  nlohmann::json settings = nlohmann::json::object();  // kernel: num_samples, seed, ...
};

std::string num(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::vector<float> mean_row(const Schema& schema, const Dataset& data);

// --baseline: 'mean', 'kmeans:K' (a K-prototypes summary of --baseline-data or of the data
// explained, weighted by cluster size), or a CSV of one or more rows (equal weights).
Reference baseline_rows(const ExplainOptions& o, const Schema& schema, const Dataset& data) {
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
  if (!o.baseline.empty() && o.baseline != "mean") {
    Table t = read_csv(o.baseline);
    if (t.rows.empty()) throw Error("baseline '" + o.baseline + "' holds no rows");
    const Dataset b = encode_table(t, schema, false);
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

std::vector<float> mean_row(const Schema& schema, const Dataset& data) {
  std::vector<float> ref(data.cols, 0.0f);
  for (std::size_t f = 0; f < data.cols; ++f) {
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

std::string shap_csv(const Schema& schema, const BatchExplanation& r, std::size_t rows) {
  std::ostringstream s;
  std::vector<std::string> cells;
  for (const Column& c : schema.features) cells.push_back(c.name);
  write_csv_row(s, cells);
  const std::size_t m = schema.features.size();
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t f = 0; f < m; ++f) cells[f] = num(r.phi[i * m + f]);
    write_csv_row(s, cells);
  }
  return s.str();
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

void run_explain(ExplainOptions o) {
  const ModelFiles model = load_model_files(o.model, o.schema);
  const Forest& forest = model.forest;
  Table table = read_csv(o.data);
  if (o.limit > 0 && table.rows.size() > o.limit) {
    table.rows.resize(o.limit);
    table.line.resize(o.limit);
  }
  Schema schema;
  if (model.schema) {
    schema = *model.schema;
    if (!o.target.empty()) schema.target = o.target;
  } else {
    const Task task = forest.link == Link::Logistic ? Task::Binary : Task::Regression;
    schema = numeric_schema(table.header, o.target, task);
    if (static_cast<int>(schema.features.size()) != forest.num_features) {
      throw Error("'" + o.data + "' has " + std::to_string(schema.features.size()) +
                  " feature columns; the model has " + std::to_string(forest.num_features) +
                  (o.target.empty() ? " (name the label column with --target)" : ""));
    }
  }
  const Aggregation agg = parse_aggregation(o.agg);
  const Dataset data = encode_table(table, schema, false);
  std::cerr << unseen_warning(data, schema);
  const std::size_t n = data.rows, m = data.cols;
  const unsigned threads = resolve_threads(o.threads);

  for (const std::string& method : o.methods) {
    if (method != "tree" && method != "tree-classic" && method != "baseline" && method != "kernel") {
      throw Error("--shap method '" + method + "' is not one of tree, tree-classic, baseline, kernel");
    }
  }
  Reference reference;  // computed once, shared by baseline and kernel
  std::vector<MethodResult> results;
  for (const std::string& method : o.methods) {
    MethodResult mr;
    mr.name = method;
    ShapSettings settings;
    if (method == "tree" || method == "tree-classic") {
      settings.kind = method == "tree" ? ShapKind::Tree : ShapKind::TreeClassic;
    } else {
      if (reference.count == 0) reference = baseline_rows(o, schema, data);
      mr.reference = &reference;
      settings.kind = method == "baseline" ? ShapKind::Baseline : ShapKind::Kernel;
      settings.reference = reference.rows;
      settings.reference_weights = reference.weights;
    }
    if (method == "kernel") {
      settings.units = o.logit_of_mean ? KernelUnits::LogitOfMean
                       : o.use_logit   ? KernelUnits::Margin
                                       : KernelUnits::Prediction;
      settings.kernel.num_samples = o.num_samples;
      settings.kernel.seed = o.seed;
      mr.units = settings.units == KernelUnits::Prediction && forest.link == Link::Logistic
                     ? "probability"
                     : kernel_units_name(settings.units);
      mr.settings = {{"num_samples", o.num_samples ? nlohmann::json(o.num_samples) : nlohmann::json("auto")},
                     {"seed", o.seed},
                     {"use_logit", settings.units != KernelUnits::Prediction},
                     {"link", settings.units == KernelUnits::LogitOfMean ? "logit" : "identity"}};
    }
    Progress bar("shap:" + method, n);
    mr.result = explain_batch(forest, data.x.data(), n, settings, threads,
                              [&](std::size_t done) { bar.update(done); });
    bar.finish();
    results.push_back(std::move(mr));
  }
  if (results.empty()) throw Error("--shap names no method");
  const std::vector<double>& margin = results.front().result.margin;
  std::vector<double> score(n);
  for (std::size_t r = 0; r < n; ++r) score[r] = apply_link(forest.link, margin[r]);

  StagedOutputs out;
  const fs::path dir = o.out;
  // Clarify's layout: local values of the first method in out.csv, the others beside it.
  for (std::size_t k = 0; k < results.size(); ++k) {
    const std::string file = k == 0 ? "out.csv" : "out_" + results[k].name + ".csv";
    out.write(dir / "explanations_shap" / file, shap_csv(schema, results[k].result, n));
  }

  nlohmann::json analysis;
  analysis["version"] = "1.0";
  for (const MethodResult& mr : results) {
    const std::vector<double> global = global_shap(mr.result.phi, m, agg);
    nlohmann::json g = nlohmann::json::object();
    for (std::size_t f = 0; f < m; ++f) g[schema.features[f].name] = global[f];
    nlohmann::json label0 = {{"expected_value", mr.result.expected_value}, {"global_shap_values", g}};
    nlohmann::json method = {{"label0", label0}, {"agg_method", aggregation_name(agg)}, {"units", mr.units}};
    if (mr.reference) add_reference(method, *mr.reference, m);
    method.update(mr.settings);
    analysis["explanations"][mr.name + "_shap"] = method;
  }
  if (!data.label.empty()) {
    if (schema.task == Task::Binary) {
      const BinaryMetrics bm = binary_metrics(score, data.label, o.threshold);
      analysis["model_performance"] = {{"rows", n}, {"accuracy", bm.accuracy}, {"auc", bm.auc}, {"log_loss", bm.log_loss}, {"threshold", o.threshold}};
    } else {
      const RegressionMetrics rm = regression_metrics(score, data.label);
      analysis["model_performance"] = {{"rows", n}, {"rmse", rm.rmse}, {"mae", rm.mae}, {"r2", rm.r2}};
    }
  }
  out.write(dir / "analysis.json", analysis.dump(2) + "\n");

  std::ostringstream pred;
  for (double s : score) pred << num(s) << "\n";
  out.write(dir / "predictions" / (fs::path(o.data).filename().string() + ".out"), pred.str());

  nlohmann::json batch;
  batch["format"] = "verdict-review-batch";
  batch["version"] = 1;
  batch["source"] = fs::path(o.data).filename().string();
  batch["task"] = schema.task == Task::Binary ? "binary" : "regression";
  batch["threshold"] = o.threshold;
  batch["features"] = nlohmann::json::array();
  for (const Column& c : schema.features) batch["features"].push_back(c.name);
  for (const MethodResult& mr : results) {
    batch["methods"][mr.name] = {{"expected_value", mr.result.expected_value}, {"units", mr.units}};
    if (mr.reference) add_reference(batch["methods"][mr.name], *mr.reference, m);
  }
  const int target_col = schema.target.empty() ? -1 : table.column(schema.target);
  nlohmann::json records = nlohmann::json::array();
  for (std::size_t r = 0; r < n; ++r) {
    nlohmann::json rec;
    rec["row"] = r;
    rec["line"] = table.line[r];
    nlohmann::json values = nlohmann::json::array();
    for (std::size_t f = 0; f < m; ++f) values.push_back(table.rows[r][data.source_column[f]]);
    rec["values"] = values;
    rec["encoded"] = std::vector<float>(data.x.begin() + static_cast<long>(r * m), data.x.begin() + static_cast<long>((r + 1) * m));
    rec["margin"] = margin[r];
    rec["prediction"] = score[r];
    if (schema.task == Task::Binary) {
      rec["predicted_label"] = score[r] >= o.threshold ? schema.positive_label
                                                       : (schema.labels.front() == schema.positive_label ? schema.labels.back() : schema.labels.front());
    }
    if (target_col >= 0) rec["label"] = table.rows[r][static_cast<std::size_t>(target_col)];
    for (const MethodResult& mr : results) rec["shap"][mr.name] = row_of(mr.result.phi, r, m);
    records.push_back(std::move(rec));
  }
  batch["records"] = std::move(records);
  out.write(dir / "review_batch.json", batch.dump() + "\n");
  out.commit();

  std::cout << "explained " << n << " records with " << results.size() << " SHAP method(s) on "
            << threads << " thread(s)\n"
            << "local SHAP   -> " << (dir / "explanations_shap/out.csv").string() << "\n"
            << "analysis     -> " << (dir / "analysis.json").string() << "\n"
            << "predictions  -> " << (dir / "predictions").string() << "/\n"
            << "review batch -> " << (dir / "review_batch.json").string() << "\n";
  if (analysis.contains("model_performance")) {
    std::cout << "model performance: " << analysis["model_performance"].dump() << "\n";
  }
}

}  // namespace

void add_explain_command(CLI::App& app) {
  auto o = std::make_shared<ExplainOptions>();
  CLI::App* cmd = app.add_subcommand("explain", "Score a CSV and explain every record with exact SHAP (or Kernel SHAP)");
  cmd->add_option("--model", o->model, "Model folder (model.json + schema.json) or an XGBoost model.json")->required();
  cmd->add_option("--schema", o->schema, "schema.json (default: the one beside the model; none = all columns numeric)");
  cmd->add_option("--data", o->data, "CSV with a header row")->required();
  cmd->add_option("--out", o->out, "Output folder")->required();
  cmd->add_option("--target", o->target, "Label column in the CSV, left out of the features");
  cmd->add_option("--shap", o->methods, "SHAP methods, first goes to out.csv: tree (path-dependent; tree-classic: the same values by "
                  "the classic algorithm), baseline (exact; "
                  "mean over several reference rows), kernel (Kernel SHAP, sampled like shap's KernelExplainer / Clarify)")
      ->delimiter(',')->capture_default_str();
  cmd->add_option("--baseline", o->baseline, "Reference rows for baseline and kernel SHAP: 'mean' (training mean), "
                  "'kmeans:K' (K-prototypes summary of --baseline-data or of the data explained, weighted by cluster "
                  "size), or a CSV of one or more rows")->capture_default_str();
  cmd->add_option("--baseline-data", o->baseline_data, "CSV summarised by --baseline kmeans:K (default: the data explained)");
  cmd->add_option("--num-samples", o->num_samples, "Kernel SHAP coalitions per record; 0 = shap's auto, 2M + 2048 "
                  "(M = features that differ from the baseline); ≥ 2^M − 2 is exact")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of Kernel SHAP's coalition sampling and of the K-means baseline")->capture_default_str();
  cmd->add_flag("--use-logit,!--no-logit", o->use_logit, "Kernel SHAP in log-odds (margin) units, the mean margin over "
                "the baseline rows (default, comparable with tree and baseline); --no-logit: probability units");
  cmd->add_flag("--logit-of-mean", o->logit_of_mean, "Kernel SHAP with shap's link='logit' (Clarify's use_logit): logit of the "
                "mean probability over the baseline rows; equals --use-logit with one baseline row");
  cmd->add_option("--limit", o->limit, "Explain only the first N records (0 = all)")->capture_default_str();
  cmd->add_option("--agg", o->agg, "Global SHAP aggregation: mean_abs | median | mean_sq")->capture_default_str();
  cmd->add_option("--threshold", o->threshold, "Probability at or above which the label is positive")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads (0 = all cores)")->capture_default_str();
  cmd->callback([o] { run_explain(*o); });
}

}  // namespace verdict
