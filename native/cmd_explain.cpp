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
#include "shared/metrics.h"
#include "shared/predict.h"
#include "shared/shap_summary.h"
#include "staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct ExplainOptions {
  std::string model, schema, data, out, target, baseline;
  std::vector<std::string> methods = {"tree", "baseline"};
  std::string agg = "mean_abs";
  double threshold = 0.5;
  unsigned threads = 0;
};

struct MethodResult {
  std::string name;  // "tree" | "baseline"
  BatchExplanation result;
  std::vector<float> reference;  // baseline only
};

std::string num(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::vector<float> baseline_row(const ExplainOptions& o, const Schema& schema, const Dataset& data) {
  std::vector<float> ref(data.cols, 0.0f);
  if (!o.baseline.empty() && o.baseline != "mean") {
    Table t = read_csv(o.baseline);
    if (t.rows.size() != 1) throw Error("baseline '" + o.baseline + "' must hold exactly one row");
    const Dataset b = encode_table(t, schema, false);
    return b.x;
  }
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

std::vector<double> row_of(const std::vector<double>& v, std::size_t r, std::size_t m) {
  return std::vector<double>(v.begin() + static_cast<long>(r * m), v.begin() + static_cast<long>((r + 1) * m));
}

void run_explain(ExplainOptions o) {
  const ModelFiles model = load_model_files(o.model, o.schema);
  const Forest& forest = model.forest;
  const Table table = read_csv(o.data);
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

  std::vector<MethodResult> results;
  for (const std::string& method : o.methods) {
    MethodResult mr;
    mr.name = method;
    ShapKind kind;
    if (method == "tree") {
      kind = ShapKind::Tree;
    } else if (method == "baseline") {
      kind = ShapKind::Baseline;
      mr.reference = baseline_row(o, schema, data);
    } else {
      throw Error("--shap method '" + method + "' is not one of tree, baseline");
    }
    Progress bar("shap:" + method, n);
    mr.result = explain_batch(forest, data.x.data(), n, kind, mr.reference, threads,
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
    nlohmann::json method = {{"label0", label0}, {"agg_method", aggregation_name(agg)}, {"units", "margin"}};
    if (!mr.reference.empty()) method["baseline"] = mr.reference;
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
    batch["methods"][mr.name] = {{"expected_value", mr.result.expected_value}};
    if (!mr.reference.empty()) batch["methods"][mr.name]["baseline"] = mr.reference;
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
  CLI::App* cmd = app.add_subcommand("explain", "Score a CSV and explain every record with exact SHAP");
  cmd->add_option("--model", o->model, "Model folder (model.json + schema.json) or an XGBoost model.json")->required();
  cmd->add_option("--schema", o->schema, "schema.json (default: the one beside the model; none = all columns numeric)");
  cmd->add_option("--data", o->data, "CSV with a header row")->required();
  cmd->add_option("--out", o->out, "Output folder")->required();
  cmd->add_option("--target", o->target, "Label column in the CSV, left out of the features");
  cmd->add_option("--shap", o->methods, "SHAP methods, first goes to out.csv: tree (path-dependent), baseline (exact, one reference)")
      ->delimiter(',')->capture_default_str();
  cmd->add_option("--baseline", o->baseline, "Reference for baseline SHAP: 'mean' (training mean) or a one-row CSV")->capture_default_str();
  cmd->add_option("--agg", o->agg, "Global SHAP aggregation: mean_abs | median | mean_sq")->capture_default_str();
  cmd->add_option("--threshold", o->threshold, "Probability at or above which the label is positive")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads (0 = all cores)")->capture_default_str();
  cmd->callback([o] { run_explain(*o); });
}

}  // namespace verdict
