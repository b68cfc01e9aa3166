#include "native/jobs/run.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "native/io/model_files.h"
#include "native/jobs/bias.h"
#include "native/jobs/clarify.h"
#include "native/jobs/data.h"
#include "native/jobs/explain.h"
#include "native/jobs/report.h"
#include "native/jobs/review.h"
#include "native/jobs/train.h"
#include "shared/error.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

// A config value as text: strings as they are, anything else as JSON.
std::string text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string text(const nlohmann::json& j, const char* key, const std::string& fallback = "") {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
  return text(j[key]);
}

// A list of values, from an array or a comma-separated string ("tree,baseline").
std::vector<std::string> texts(const nlohmann::json& values) {
  std::string joined;
  if (values.is_array()) {
    for (const auto& v : values) joined += (joined.empty() ? "" : ",") + text(v);
  } else {
    joined = text(values);
  }
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t comma; (comma = joined.find(',', start)) != std::string::npos; start = comma + 1) {
    out.push_back(joined.substr(start, comma - start));
  }
  out.push_back(joined.substr(start));
  return out;
}

double number(const nlohmann::json& v, const std::string& key) {
  double d = 0;
  if (v.is_number()) return v.get<double>();
  if (v.is_string() && parse_number(v.get<std::string>(), d)) return d;
  throw Error("config: '" + key + "' must be a number, not " + v.dump());
}

long long whole(const nlohmann::json& v, const std::string& key) {
  const double d = number(v, key);
  // Checked before the cast: converting inf, NaN or a value past 2^63 is undefined behaviour.
  if (!(std::fabs(d) < 9.0e18) || d != std::floor(d)) {
    throw Error("config: '" + key + "' must be a whole number, not " + v.dump());
  }
  return static_cast<long long>(d);
}

// Clarify's inline baseline: a list of rows (each a list of cells), or one row.
std::vector<std::vector<std::string>> inline_rows(const nlohmann::json& rows, const std::string& key) {
  if (rows.empty()) throw Error("config: '" + key + "' holds no rows");
  std::vector<std::vector<std::string>> out;
  const bool one_row = !rows[0].is_array();
  for (const nlohmann::json& row : one_row ? nlohmann::json::array({rows}) : rows) {
    if (!row.is_array()) throw Error("config: '" + key + "' must be a list of rows (lists of values)");
    std::vector<std::string> cells;
    for (const nlohmann::json& v : row) cells.push_back(v.is_null() ? "" : text(v));
    out.push_back(cells);
  }
  return out;
}

// The config's sections as the plans of the jobs they run.
class Config {
 public:
  Config(const std::string& path, nlohmann::json c) : path_(path), c_(std::move(c)) {
    if (!c_.is_object()) throw Error("config '" + path + "' is not a JSON object");
    for (const char* key : {"dataset", "label", "output"}) {
      if (!c_.contains(key)) throw Error("config '" + path + "': '" + key + "' is required (see configs/*.json)");
    }
    out_ = c_.value("output", "");
    if (out_.empty()) throw Error("config: 'output' (the run's folder) is required");
    const nlohmann::json& ds = c_.at("dataset");
    train_ = text(ds, "train");
    test_ = text(ds, "test");
    if (ds.contains("fetch")) {
      if (train_.empty()) train_ = (out_ / "data" / "train.csv").string();
      if (test_.empty()) test_ = (out_ / "data" / "test.csv").string();
    }
    if (train_.empty() || test_.empty()) throw Error("config: 'dataset' needs 'train' and 'test' CSVs, or 'fetch'");
  }

  const nlohmann::json& json() const { return c_; }
  const fs::path& out() const { return out_; }
  const std::string& train_csv() const { return train_; }
  const std::string& test_csv() const { return test_; }
  fs::path model_dir() const { return out_ / "model"; }
  fs::path explain_dir() const { return out_ / "explain"; }
  nlohmann::json methods() const { return c_.value("methods", nlohmann::json::object()); }

  bool fetches() const { return c_.at("dataset").contains("fetch"); }
  DataPlan data() const {
    const nlohmann::json& ds = c_.at("dataset");
    DataPlan p;
    p.dataset = ds["fetch"].get<std::string>();
    p.out = (out_ / "data").string();
    const nlohmann::json options = ds.value("fetch_options", nlohmann::json::object());  // kept: items() does not own it
    for (const auto& [k, v] : options.items()) {
      const std::string key = "dataset.fetch_options." + k;
      if (k == "rows") p.rows = static_cast<std::size_t>(whole(v, key));
      else if (k == "seed") p.seed = static_cast<std::uint64_t>(whole(v, key));
      else if (k == "test-fraction" || k == "test_fraction") p.test_fraction = number(v, key);
      else if (k == "mirror") p.mirror = text(v);
      else if (k == "outcomes") p.outcomes = static_cast<int>(whole(v, key));
      else throw Error("config: '" + key + "' is not one of rows, seed, test_fraction, mirror, outcomes");
    }
    return p;
  }

  TrainPlan train() const {
    TrainPlan p;
    p.data = train_, p.test = test_, p.target = c_.at("label").get<std::string>(), p.out = model_dir().string();
    const nlohmann::json model = c_.value("model", nlohmann::json::object());
    p.objective = text(model, "objective", p.objective);
    if (c_.contains("label_values_or_threshold") && p.objective.rfind("binary:", 0) == 0) {
      p.positive = texts(c_["label_values_or_threshold"]).front();
    }
    for (const auto& [k, v] : model.items()) {
      if (k == "objective") continue;
      if (k == "rounds") p.rounds = static_cast<int>(whole(v, "model.rounds"));
      else if (k == "tree_method") p.tree_method = text(v);
      else if (k == "seed") p.seed = static_cast<int>(whole(v, "model.seed"));
      else p.extra.push_back(k + "=" + text(v));
    }
    if (p.rounds < 1) throw Error("config: 'model.rounds' must be at least 1");
    return p;
  }

  ExplainPlan explain() const {
    const nlohmann::json shap = methods().value("shap", nlohmann::json::object());
    ExplainPlan p;
    p.model = model_dir().string(), p.data = test_, p.out = explain_dir().string();
    p.methods = texts(shap.value("methods", nlohmann::json("tree,baseline")));
    p.agg = shap.value("agg_method", "mean_abs");
    if (shap.contains("baseline")) {
      const nlohmann::json& b = shap["baseline"];
      if (b.is_array()) {
        p.baseline_inline = inline_rows(b, "methods.shap.baseline");  // Clarify's inline rows
      } else {
        p.baseline = text(shap, "baseline");
        if (p.baseline != "mean" && p.baseline.rfind("kmeans:", 0) != 0 && !fs::is_regular_file(p.baseline)) {
          throw Error("config: methods.shap.baseline '" + p.baseline + "' is not a file (nor 'mean' or 'kmeans:K')");
        }
      }
    }
    if (shap.contains("num_samples")) p.num_samples = static_cast<std::size_t>(whole(shap["num_samples"], "methods.shap.num_samples"));
    if (shap.contains("seed")) p.seed = static_cast<std::uint64_t>(whole(shap["seed"], "methods.shap.seed"));
    if (shap.contains("use_logit") && !shap["use_logit"].get<bool>()) p.use_logit = false;
    return p;
  }

  bool measures_bias() const {
    return (methods().contains("pre_training_bias") || methods().contains("post_training_bias")) && c_.contains("facet");
  }
  BiasPlan bias() const {
    const bool pre = methods().contains("pre_training_bias"), post = methods().contains("post_training_bias");
    const nlohmann::json facet = c_["facet"].is_array() ? c_["facet"].at(0) : c_["facet"];
    BiasPlan p;
    p.model = model_dir().string(), p.data = test_, p.out = explain_dir().string();
    p.label = c_.at("label").get<std::string>();
    p.facet = text(facet, "name_or_index");
    p.methods.clear();
    if (pre) p.methods.push_back("pre");
    if (post) p.methods.push_back("post");
    // Clarify's values, read by Clarify's rule once the data is read (a label-encoded facet's
    // [0] is the category 0, not a threshold).
    if (c_.contains("label_values_or_threshold")) {
      p.label_clarify = true;
      p.label_value_or_threshold = texts(c_["label_values_or_threshold"]);
    }
    p.facet_clarify = true;
    const nlohmann::json fv = facet.value("value_or_threshold", nlohmann::json());
    if (!fv.is_null()) p.facet_value_or_threshold = texts(fv);
    if (c_.contains("group_variable")) p.group = text(c_, "group_variable");
    if (c_.contains("probability_threshold")) p.probability_threshold = number(c_["probability_threshold"], "probability_threshold");
    return p;
  }

  bool reports() const { return methods().contains("report"); }
  ReportPlan report() const {
    const nlohmann::json r = methods()["report"];
    const std::string name = r.value("name", "report");
    ReportPlan p;
    p.report.analysis = explain_dir().string(), p.report.data = test_, p.report.model = model_dir().string();
    p.out = (out_ / (name + ".html")).string();
    if (r.contains("title")) p.report.title = r["title"].get<std::string>();
    if (r.value("pdf", true)) {
      p.pdf = (out_ / (name + ".pdf")).string();
    } else {
      p.no_pdf = true;
    }
    return p;
  }

  // "clarify_config": a Clarify analysis_config.json run as it is (verdict clarify) on the test
  // CSV with the trained model, into OUTPUT/clarify.
  bool runs_clarify() const { return c_.contains("clarify_config"); }
  ClarifyPlan clarify() const {
    ClarifyPlan p;
    p.config = text(c_, "clarify_config");
    if (!fs::is_regular_file(p.config)) throw Error("config: clarify_config '" + p.config + "' is not a file");
    p.dataset = test_, p.model = model_dir().string(), p.out = (out_ / "clarify").string();
    const nlohmann::json r = methods().value("report", nlohmann::json::object());
    p.no_pdf = r.is_object() && !r.value("pdf", true);
    return p;
  }

  bool reviews() const { return c_.contains("review"); }
  std::string review_db() const { return c_["review"].value("db", (out_ / "review.db").string()); }
  FlowPlan flow() const {
    const nlohmann::json rv = c_["review"];
    const nlohmann::json f = rv.at("flow");
    FlowPlan p;
    p.db = review_db();
    p.exist_ok = true;
    p.flow.name = f.at("name").get<std::string>();
    p.flow.output_dir = rv.value("output", (out_ / "review-output").string());
    const nlohmann::json cond = f.value("activation_conditions", nlohmann::json::object());
    if (cond.contains("probability_below")) p.probability_below = number(cond["probability_below"], "probability_below");
    p.predicted_negative = cond.value("predicted_negative", false);
    if (cond.contains("sample_percent")) p.sample_percent = number(cond["sample_percent"], "sample_percent");
    if (cond.contains("top_two_margin_below")) p.top_two_margin_below = number(cond["top_two_margin_below"], "top_two_margin_below");
    if (cond.contains("predicted_class_in")) {
      const nlohmann::json& in = cond["predicted_class_in"];
      if (!in.is_array()) throw Error("config: review.flow.activation_conditions.predicted_class_in must be a list of class labels");
      for (const auto& v : in) {
        if (!v.is_string()) throw Error("config: review.flow.activation_conditions.predicted_class_in must be a list of class labels");
        p.predicted_class_in.push_back(v.get<std::string>());
      }
    }
    if (cond.contains("combine")) p.combine = cond["combine"].get<std::string>();
    if (f.contains("title")) p.flow.title = f["title"].get<std::string>();
    if (f.contains("description")) p.flow.description = f["description"].get<std::string>();
    if (f.contains("instructions")) p.flow.instructions = f["instructions"].get<std::string>();
    if (f.contains("records_per_task")) p.flow.records_per_task = static_cast<int>(whole(f["records_per_task"], "records_per_task"));
    if (f.contains("reviewers_per_record")) {
      p.flow.reviewers_per_record = static_cast<int>(whole(f["reviewers_per_record"], "reviewers_per_record"));
    }
    if (f.contains("task_time_limit_seconds")) p.flow.task_time_limit = whole(f["task_time_limit_seconds"], "task_time_limit_seconds");
    if (f.contains("lifetime_seconds")) p.flow.lifetime = whole(f["lifetime_seconds"], "lifetime_seconds");
    if (f.contains("immutable")) {
      if (!f["immutable"].is_array()) throw Error("config: review.flow.immutable must be a list of feature names");
      for (const auto& n : f["immutable"]) {
        if (!n.is_string()) throw Error("config: review.flow.immutable must be a list of feature names");
        p.flow.immutable.push_back(n.get<std::string>());
      }
    }
    return p;
  }
  StartLoopsPlan start_loops() const {
    StartLoopsPlan p;
    p.db = review_db();
    p.flow = c_["review"].at("flow").at("name").get<std::string>();
    p.batch = explain_dir().string();
    return p;
  }

 private:
  std::string path_;
  nlohmann::json c_;
  fs::path out_;
  std::string train_, test_;
};

// Runs steps unless their stamps are newer than every input; records the time each took.
class Steps {
 public:
  Steps(const RunPlan& plan, const fs::path& out, std::ostream& log)
      : plan_(plan), stamps_(out / ".steps"), log_(log) {}

  fs::path stamp(const std::string& name) const { return stamps_ / name; }

  // `what` describes the step on its "== name: what" line; `job` does it.
  void step(const std::string& name, const std::string& what, std::vector<fs::path> inputs,
            const std::function<void()>& job) {
    inputs.push_back(plan_.config);
    const fs::path stamp = stamps_ / name;
    bool fresh = !plan_.force && fs::exists(stamp);
    for (const fs::path& in : inputs) {
      if (fresh && fs::exists(in) && fs::last_write_time(in) > fs::last_write_time(stamp)) fresh = false;
      if (ran_.count(in.string())) fresh = false;  // a step before it runs (or would, in a dry run)
    }
    if (fresh) {
      log_ << "== " << name << ": up to date, skipped\n";
      timings_.emplace_back(name, -1.0);
      return;
    }
    log_ << "== " << name << ": " << what << std::endl;
    ran_.insert(stamp.string());
    if (plan_.dry_run) return;
    const auto start = std::chrono::steady_clock::now();
    try {
      job();
    } catch (const std::exception& e) {
      throw Error("step '" + name + "' failed: " + e.what() + "; later steps were not run");
    }
    timings_.emplace_back(name, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    fs::create_directories(stamps_);
    std::ofstream(stamp) << "done\n";
  }

  // Prints each step's time; writes .steps/timings.json (seconds per step, null = skipped).
  void finish(const fs::path& out) {
    log_ << "\nsteps:";
    nlohmann::ordered_json times = nlohmann::ordered_json::object();  // in step order
    for (const auto& [name, secs] : timings_) {
      char value[32];
      std::snprintf(value, sizeof value, " %.1f s", secs);
      log_ << "  " << name << (secs < 0 ? std::string(" (skipped)") : std::string(value));
      times[name] = secs < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(secs);
    }
    if (!plan_.dry_run) {
      fs::create_directories(stamps_);
      std::ofstream(stamps_ / "timings.json") << times.dump(2) << "\n";
    }
    log_ << "\noutputs in " << out.string() << "/\n";
  }

 private:
  const RunPlan& plan_;
  fs::path stamps_;
  std::ostream& log_;
  std::vector<std::pair<std::string, double>> timings_;
  std::set<std::string> ran_;  // stamps of the steps run in this invocation
};

void run_steps(const Config& c, Steps& steps, std::ostream& log) {
  if (c.fetches()) {
    const DataPlan p = c.data();
    steps.step("data", "data " + p.dataset + " -> " + p.out, {}, [&] { prepare_dataset(p, log); });
  }
  const TrainPlan train = c.train();
  steps.step("train", "train " + train.data + " (test " + train.test + ") -> " + train.out, {train.data, train.test},
             [&] { train_from_csv(train, log); });
  const ExplainPlan explain = c.explain();
  steps.step("explain", "explain " + explain.data + " -> " + explain.out, {explain.data, steps.stamp("train")},
             [&] { explain_file(explain, log); });
  if (c.measures_bias()) {
    const BiasPlan bias = c.bias();
    steps.step("bias", "bias facet " + bias.facet + " -> " + bias.out + "/analysis.json", {steps.stamp("explain")},
               [&] { measure_bias(bias, log); });
  }
  if (c.reports()) {
    const ReportPlan report = c.report();
    steps.step("report", "report -> " + report.out + (report.no_pdf ? "" : " + " + report.pdf),
               {steps.stamp("explain"), steps.stamp("bias")}, [&] { write_report(report, log); });
  }
  if (c.runs_clarify()) {
    const ClarifyPlan clarify = c.clarify();
    steps.step("clarify", "clarify " + clarify.config + " on " + clarify.dataset + " -> " + clarify.out,
               {clarify.config, steps.stamp("train")}, [&] { run_clarify(clarify, log); });
  }
  if (c.reviews()) {
    const FlowPlan flow = c.flow();
    steps.step("flow", "flow create " + flow.flow.name + " in " + flow.db, {}, [&] { create_flow(flow, log); });
    const StartLoopsPlan start = c.start_loops();
    steps.step("review", "review start " + start.flow + " <- " + start.batch, {steps.stamp("explain")},
               [&] { start_loops(start, log); });
  }
}

}  // namespace

void run_pipeline(const RunPlan& plan, std::ostream& log) {
  try {
    const Config config(plan.config, read_json_file(plan.config));
    Steps steps(plan, config.out(), log);
    run_steps(config, steps, log);
    steps.finish(config.out());
  } catch (const nlohmann::json::exception& e) {
    throw Error("config '" + plan.config + "': " + e.what());
  }
}

}  // namespace verdict
