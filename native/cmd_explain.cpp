// verdict explain: score a CSV and explain every record with exact SHAP; writes Clarify's
// layout (explanations_shap/out.csv, analysis.json), batch-transform predictions, and the
// review batch the browser client reads.
#include <algorithm>
#include <cmath>
#include <tuple>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "batch_explain.h"
#include "commands.h"
#include "dataset.h"
#include "model_files.h"
#include "performance.h"
#include "json_stream.h"
#include "progress.h"
#include "shap_totals.h"
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
  std::string shard;            // "I/N": only slice I of N (whole blocks of rows)
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

void run_explain(ExplainOptions o) {
  const ModelFiles model = load_model_files(o.model, o.schema);
  const Forest& forest = model.forest;
  CsvReader reader(o.data);
  Schema schema;
  if (model.schema) {
    schema = *model.schema;
    if (!o.target.empty()) schema.target = o.target;
  } else {
    const Task task = forest.link == Link::Logistic ? Task::Binary : Task::Regression;
    schema = numeric_schema(reader.header(), o.target, task);
    if (static_cast<int>(schema.features.size()) != forest.num_features) {
      throw Error("'" + o.data + "' has " + std::to_string(schema.features.size()) +
                  " feature columns; the model has " + std::to_string(forest.num_features) +
                  (o.target.empty() ? " (name the label column with --target)" : ""));
    }
  }
  const Aggregation agg = parse_aggregation(o.agg);
  for (const std::string& method : o.methods) {
    if (method != "tree" && method != "tree-classic" && method != "baseline" && method != "kernel") {
      throw Error("--shap method '" + method + "' is not one of tree, tree-classic, baseline, kernel");
    }
  }
  if (o.methods.empty()) throw Error("--shap names no method");
  std::size_t shard_index = 0, shard_count = 1;
  if (!o.shard.empty()) {
    std::tie(shard_index, shard_count) = parse_shard(o.shard);
    if (agg == Aggregation::Median) {
      throw Error("--agg median needs every SHAP value at once and cannot be sharded; use mean_abs or mean_sq");
    }
  }
  // The whole input's row count: for the shard's range and the progress bar.
  std::size_t n_all = count_csv_rows(o.data);
  if (n_all == 0) throw Error("'" + o.data + "' has a header but no rows");
  if (o.limit > 0) n_all = std::min(n_all, o.limit);
  const auto [begin, end] = shard_rows(n_all, shard_index, shard_count);
  const std::size_t n = end - begin, m = schema.features.size();
  const unsigned threads = resolve_threads(o.threads);

  // Baseline and Kernel SHAP's reference rows come from the whole input (not the shard), so
  // every shard uses the same ones.
  Reference reference;
  const bool needs_reference = std::any_of(o.methods.begin(), o.methods.end(),
                                           [](const std::string& me) { return me == "baseline" || me == "kernel"; });
  if (needs_reference) {
    const bool from_data = (o.baseline.rfind("kmeans:", 0) == 0 && o.baseline_data.empty()) ||
                           ((o.baseline.empty() || o.baseline == "mean") &&
                            std::any_of(schema.features.begin(), schema.features.end(), [](const Column& c) { return std::isnan(c.mean); }));
    reference = baseline_rows(o, schema, from_data ? load_rows(o.data, schema, n_all) : Dataset{});
  }

  std::vector<MethodResult> results;  // settings and expected values; rows are streamed
  std::vector<ShapSettings> settings;
  for (const std::string& method : o.methods) {
    MethodResult mr;
    mr.name = method;
    ShapSettings st;
    if (method == "tree" || method == "tree-classic") {
      st.kind = method == "tree" ? ShapKind::Tree : ShapKind::TreeClassic;
    } else {
      mr.reference = &reference;
      st.kind = method == "baseline" ? ShapKind::Baseline : ShapKind::Kernel;
      st.reference = reference.rows;
      st.reference_weights = reference.weights;
    }
    if (method == "kernel") {
      st.units = o.logit_of_mean ? KernelUnits::LogitOfMean
                 : o.use_logit   ? KernelUnits::Margin
                                 : KernelUnits::Prediction;
      st.kernel.num_samples = o.num_samples;
      st.kernel.seed = o.seed;
      mr.units = st.units == KernelUnits::Prediction && forest.link == Link::Logistic ? "probability"
                                                                                     : kernel_units_name(st.units);
      mr.settings = {{"num_samples", o.num_samples ? nlohmann::json(o.num_samples) : nlohmann::json("auto")},
                     {"seed", o.seed},
                     {"use_logit", st.units != KernelUnits::Prediction},
                     {"link", st.units == KernelUnits::LogitOfMean ? "logit" : "identity"}};
    }
    mr.result.expected_value = explain_batch(forest, nullptr, 0, st, 1).expected_value;
    results.push_back(std::move(mr));
    settings.push_back(st);
  }

  // Every output is a stream into a staged file: nothing appears unless all of it is written.
  StagedOutputs out;
  const fs::path dir = o.out;
  std::vector<std::ofstream> shap_files;
  std::vector<std::string> cells;
  for (const Column& c : schema.features) cells.push_back(c.name);
  for (std::size_t k = 0; k < results.size(); ++k) {
    const std::string file = k == 0 ? "out.csv" : "out_" + results[k].name + ".csv";
    shap_files.emplace_back(out.stage(dir / "explanations_shap" / file), std::ios::binary);
    write_csv_row(shap_files.back(), cells);
  }
  const fs::path pred_path = dir / "predictions" / (fs::path(o.data).filename().string() + ".out");
  std::ofstream pred(out.stage(pred_path), std::ios::binary);

  nlohmann::json batch;
  batch["format"] = "verdict-review-batch";
  batch["version"] = 1;
  batch["source"] = fs::path(o.data).filename().string();
  batch["task"] = schema.task == Task::Binary ? "binary" : "regression";
  batch["threshold"] = o.threshold;
  batch["features"] = cells;
  for (const MethodResult& mr : results) {
    batch["methods"][mr.name] = {{"expected_value", mr.result.expected_value}, {"units", mr.units}};
    if (mr.reference) add_reference(batch["methods"][mr.name], *mr.reference, m);
  }
  std::ofstream batch_file(out.stage(dir / "review_batch.json"), std::ios::binary);
  JsonObjectStream records(batch_file, batch, "records");

  std::vector<ShapTotals> totals(results.size(), ShapTotals(m, agg));
  std::vector<double> scores;  // with labels, for the model's performance (16 bytes a row)
  std::vector<float> labels;
  EncodeStats unseen;
  unseen.unseen_category.assign(m, 0);
  const std::string negative_label =
      schema.labels.empty() ? "" : (schema.labels.front() == schema.positive_label ? schema.labels.back() : schema.labels.front());

  reader.skip(begin);
  std::vector<Progress> bars;
  for (const MethodResult& mr : results) bars.emplace_back("shap:" + mr.name, n);
  Table chunk;
  std::vector<BatchExplanation> explained(results.size());
  for (std::size_t first = begin; first < end;) {
    const std::size_t rows = reader.read(chunk, std::min(kChunkRows, end - first));
    if (rows == 0) throw Error("'" + o.data + "' ended early (it changed while being read?)");
    const Dataset data = encode_table(chunk, schema, false);
    for (std::size_t f = 0; f < m; ++f) unseen.unseen_category[f] += data.stats.unseen_category[f];
    for (std::size_t k = 0; k < results.size(); ++k) {
      ShapSettings st = settings[k];
      st.first_row = first;
      const std::size_t done_before = first - begin;
      explained[k] = explain_batch(forest, data.x.data(), rows, st, threads,
                                   [&](std::size_t done) { bars[k].update(done_before + done); });
      totals[k].add(explained[k].phi.data(), rows);
      for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t f = 0; f < m; ++f) cells[f] = num(explained[k].phi[i * m + f]);
        write_csv_row(shap_files[k], cells);
      }
    }
    const int target_col = schema.target.empty() ? -1 : chunk.column(schema.target);
    for (std::size_t i = 0; i < rows; ++i) {
      const double margin = explained.front().margin[i];
      const double score = apply_link(forest.link, margin);
      pred << num(score) << "\n";
      if (!data.label.empty()) scores.push_back(score), labels.push_back(data.label[i]);
      nlohmann::json rec;
      rec["row"] = first + i;
      rec["line"] = chunk.line[i];
      nlohmann::json values = nlohmann::json::array();
      for (std::size_t f = 0; f < m; ++f) values.push_back(chunk.rows[i][data.source_column[f]]);
      rec["values"] = values;
      rec["encoded"] = std::vector<float>(data.x.begin() + static_cast<long>(i * m), data.x.begin() + static_cast<long>((i + 1) * m));
      rec["margin"] = margin;
      rec["prediction"] = score;
      if (schema.task == Task::Binary) rec["predicted_label"] = score >= o.threshold ? schema.positive_label : negative_label;
      if (target_col >= 0) rec["label"] = chunk.rows[i][static_cast<std::size_t>(target_col)];
      for (std::size_t k = 0; k < results.size(); ++k) rec["shap"][results[k].name] = row_of(explained[k].phi, i, m);
      records.add(rec);
    }
    first += rows;
  }
  for (Progress& bar : bars) bar.finish();
  {
    Dataset stats_only;
    stats_only.stats = unseen;
    std::cerr << unseen_warning(stats_only, schema);
  }
  records.finish();

  nlohmann::json analysis;
  analysis["version"] = "1.0";
  for (std::size_t k = 0; k < results.size(); ++k) {
    const MethodResult& mr = results[k];
    const std::vector<double> global = totals[k].global();
    nlohmann::json g = nlohmann::json::object();
    for (std::size_t f = 0; f < m; ++f) g[schema.features[f].name] = global[f];
    nlohmann::json label0 = {{"expected_value", mr.result.expected_value}, {"global_shap_values", g}};
    nlohmann::json method = {{"label0", label0}, {"agg_method", aggregation_name(agg)}, {"units", mr.units}};
    if (mr.reference) add_reference(method, *mr.reference, m);
    method.update(mr.settings);
    analysis["explanations"][mr.name + "_shap"] = method;
  }
  if (!labels.empty()) analysis["model_performance"] = model_performance(schema.task, scores, labels, o.threshold);
  out.write(dir / "analysis.json", analysis.dump(2) + "\n");

  if (shard_count > 1) {
    // What `verdict explain-merge` needs to rebuild the single-run analysis.json exactly.
    nlohmann::json shard = {{"format", "verdict-explain-shard"}, {"version", 1}, {"shard", shard_index},
                            {"shards", shard_count}, {"first_row", begin}, {"rows", n}, {"input_rows", n_all},
                            {"agg_method", aggregation_name(agg)}, {"threshold", o.threshold},
                            {"task", schema.task == Task::Binary ? "binary" : "regression"},
                            {"features", batch["features"]}, {"review_batch", batch}, {"scores", scores}, {"labels", labels}};
    for (std::size_t k = 0; k < results.size(); ++k) shard["block_sums"][results[k].name] = totals[k].blocks();
    out.write(dir / "shard.json", shard.dump() + "\n");
  }

  for (auto& f : shap_files) f.close();
  pred.close();
  batch_file.close();
  bool bad = !pred || !batch_file;
  for (const auto& f : shap_files) bad = bad || !f;
  if (bad) throw Error("cannot write the outputs in '" + o.out + "' (disk full?)");
  out.commit();

  std::cout << "explained " << n << " records" << (shard_count > 1 ? " (rows " + std::to_string(begin) + "-" + std::to_string(end) + " of " + std::to_string(n_all) + ", shard " + o.shard + ")" : std::string())
            << " with " << results.size() << " SHAP method(s) on " << threads << " thread(s)\n"
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
  cmd->add_option("--shard", o->shard, "I/N: explain only slice I (0-based) of N, whole blocks of 4096 rows, for a batch "
                  "engine to fan out (a Kubernetes indexed Job, a Slurm array); `verdict explain-merge` joins the N output "
                  "folders into exactly the single-run output");
  cmd->footer("Rows are read, explained and written a chunk at a time: memory stays flat however long the CSV is "
              "(except 16 bytes a row for the model's performance, 8 per value with --agg median, and the data in "
              "memory for --baseline kmeans:K without --baseline-data).");
  cmd->callback([o] { run_explain(*o); });
}

}  // namespace verdict
