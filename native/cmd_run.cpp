// verdict run CONFIG: the whole job from one config in the spirit of Clarify's
// analysis_config.json — data → train → explain → bias → report → review loops. Each step is
// this same program run as a child process, and is skipped while its outputs are newer than
// its inputs (the config, the data, the steps before it).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "commands.h"
#include "model_files.h"
#include "shared/error.h"

extern char** environ;

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct RunOptions {
  CLI::App* app = nullptr;
  std::string config;
  bool force = false;
  bool dry_run = false;
};

std::string str(const nlohmann::json& j, const char* key, const std::string& fallback = "") {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

std::string join(const nlohmann::json& values) {
  if (!values.is_array()) return values.is_string() ? values.get<std::string>() : values.dump();
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + (v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

class Pipeline {
 public:
  Pipeline(const RunOptions& o, nlohmann::json config) : o_(o), c_(std::move(config)) {
    if (!c_.is_object()) throw Error("config '" + o.config + "' is not a JSON object");
    for (const char* key : {"dataset", "label", "output"}) {
      if (!c_.contains(key)) throw Error("config '" + o.config + "': '" + key + "' is required (see configs/*.json)");
    }
    out_ = c_.value("output", "");
    if (out_.empty()) throw Error("config: 'output' (the run's folder) is required");
    stamps_ = fs::path(out_) / ".steps";
  }

  // Runs `args` unless the step's stamp is newer than every input; records the time taken.
  void step(const std::string& name, const std::vector<std::string>& args, std::vector<fs::path> inputs) {
    inputs.push_back(o_.config);
    const fs::path stamp = stamps_ / name;
    bool fresh = !o_.force && fs::exists(stamp);
    for (const fs::path& in : inputs) {
      if (fresh && fs::exists(in) && fs::last_write_time(in) > fs::last_write_time(stamp)) fresh = false;
      if (ran_.count(in.string())) fresh = false;  // a step before it runs (or would, in a dry run)
    }
    if (fresh) {
      std::cout << "== " << name << ": up to date, skipped\n";
      timings_.emplace_back(name, -1.0);
      return;
    }
    std::cout << "== " << name << ":";
    for (const auto& a : args) std::cout << " " << (a.find(' ') != std::string::npos ? "'" + a + "'" : a);
    std::cout << std::endl;
    ran_.insert(stamp.string());
    if (o_.dry_run) return;
    const auto start = std::chrono::steady_clock::now();
    run_self(name, args);
    timings_.emplace_back(name, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    fs::create_directories(stamps_);
    std::ofstream(stamp) << "done\n";
  }

  void run() {
    const nlohmann::json& ds = c_.at("dataset");
    const fs::path out = out_;
    std::string train = str(ds, "train"), test = str(ds, "test");
    if (ds.contains("fetch")) {
      const fs::path dir = out / "data";
      std::vector<std::string> args = {"data", ds["fetch"].get<std::string>(), "--out", dir.string()};
      const nlohmann::json fetch_options = ds.value("fetch_options", nlohmann::json::object());
      for (const auto& [k, v] : fetch_options.items()) {
        args.push_back("--" + k);
        args.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      }
      step("data", args, {});
      if (train.empty()) train = (dir / "train.csv").string();
      if (test.empty()) test = (dir / "test.csv").string();
    }
    if (train.empty() || test.empty()) throw Error("config: 'dataset' needs 'train' and 'test' CSVs, or 'fetch'");
    const std::string label = c_.at("label").get<std::string>();
    const nlohmann::json model = c_.value("model", nlohmann::json::object());
    const fs::path model_dir = out / "model", explain_dir = out / "explain";

    std::vector<std::string> t = {"train", "--data", train, "--test", test, "--target", label, "--out", model_dir.string()};
    if (c_.contains("label_values_or_threshold") && str(model, "objective", "binary:logistic").rfind("binary:", 0) == 0) {
      t.insert(t.end(), {"--positive", join(c_["label_values_or_threshold"]).substr(0, join(c_["label_values_or_threshold"]).find(','))});
    }
    for (const auto& [k, v] : model.items()) {
      const std::string value = v.is_string() ? v.get<std::string>() : v.dump();
      if (k == "objective" || k == "rounds" || k == "tree_method" || k == "seed") {
        t.insert(t.end(), {"--" + std::string(k == "tree_method" ? "tree-method" : k), value});
      } else {
        t.insert(t.end(), {"--param", k + "=" + value});
      }
    }
    step("train", t, {train, test});

    const nlohmann::json methods = c_.value("methods", nlohmann::json::object());
    const nlohmann::json shap = methods.value("shap", nlohmann::json::object());
    std::vector<std::string> e = {"explain", "--model", model_dir.string(), "--data", test, "--out", explain_dir.string(),
                                  "--shap", join(shap.value("methods", nlohmann::json("tree,baseline"))),
                                  "--agg", shap.value("agg_method", "mean_abs")};
    if (shap.contains("baseline")) e.insert(e.end(), {"--baseline", str(shap, "baseline")});
    if (shap.contains("num_samples")) e.insert(e.end(), {"--num-samples", str(shap, "num_samples")});
    if (shap.contains("seed")) e.insert(e.end(), {"--seed", str(shap, "seed")});
    if (shap.contains("use_logit") && !shap["use_logit"].get<bool>()) e.push_back("--no-logit");
    step("explain", e, {test, stamps_ / "train"});

    const bool pre = methods.contains("pre_training_bias"), post = methods.contains("post_training_bias");
    if ((pre || post) && c_.contains("facet")) {
      const nlohmann::json facet = c_["facet"].is_array() ? c_["facet"].at(0) : c_["facet"];
      std::vector<std::string> b = {"bias", "--model", model_dir.string(), "--data", test, "--label", label,
                                    "--facet", str(facet, "name_or_index"), "--out", explain_dir.string(),
                                    "--methods", std::string(pre ? "pre" : "") + (pre && post ? "," : "") + (post ? "post" : "")};
      if (c_.contains("label_values_or_threshold")) b.insert(b.end(), {"--label-values", join(c_["label_values_or_threshold"])});
      const nlohmann::json fv = facet.value("value_or_threshold", nlohmann::json());
      if (fv.is_array() && !fv.empty() && fv[0].is_number()) {
        b.insert(b.end(), {"--facet-threshold", fv[0].dump()});
      } else if (!fv.is_null()) {
        b.insert(b.end(), {"--facet-values", join(fv)});
      }
      if (c_.contains("group_variable")) b.insert(b.end(), {"--group", str(c_, "group_variable")});
      if (c_.contains("probability_threshold")) b.insert(b.end(), {"--probability-threshold", str(c_, "probability_threshold")});
      step("bias", b, {stamps_ / "explain"});
    }

    bool have_report = true;
    try {
      o_.app->get_subcommand("report");
    } catch (const CLI::OptionNotFound&) {
      have_report = false;
    }
    if (methods.contains("report") && !have_report) {
      std::cout << "== report: skipped (this build has no `verdict report`)\n";
    } else if (methods.contains("report")) {
      const nlohmann::json r = methods["report"];
      const std::string name = r.value("name", "report");
      std::vector<std::string> rp = {"report", "--analysis", explain_dir.string(), "--data", test, "--model",
                                     model_dir.string(), "--out", (out / (name + ".html")).string()};
      if (r.contains("title")) rp.insert(rp.end(), {"--title", r["title"].get<std::string>()});
      if (r.value("pdf", true)) {
        rp.insert(rp.end(), {"--pdf", (out / (name + ".pdf")).string()});
      } else {
        rp.push_back("--no-pdf");
      }
      step("report", rp, {stamps_ / "explain", stamps_ / "bias"});
    }

    if (c_.contains("review")) {
      const nlohmann::json rv = c_["review"];
      const std::string db = rv.value("db", (out / "review.db").string());
      const nlohmann::json flow = rv.at("flow");
      const std::string name = flow.at("name").get<std::string>();
      std::vector<std::string> f = {"flow", "create", "--exist-ok", "--db", db, "--name", name,
                                    "--output", rv.value("output", (out / "review-output").string())};
      const nlohmann::json cond = flow.value("activation_conditions", nlohmann::json::object());
      if (cond.contains("probability_below")) f.insert(f.end(), {"--probability-below", cond["probability_below"].dump()});
      if (cond.value("predicted_negative", false)) f.push_back("--predicted-negative");
      if (cond.contains("sample_percent")) f.insert(f.end(), {"--sample-percent", cond["sample_percent"].dump()});
      if (cond.contains("combine")) f.insert(f.end(), {"--combine", cond["combine"].get<std::string>()});
      for (const char* k : {"title", "description", "instructions"}) {
        if (flow.contains(k)) f.insert(f.end(), {std::string("--") + k, flow[k].get<std::string>()});
      }
      for (const auto& [k, dash] : std::vector<std::pair<std::string, std::string>>{
               {"records_per_task", "--records-per-task"}, {"reviewers_per_record", "--reviewers-per-record"},
               {"task_time_limit_seconds", "--task-time-limit"}, {"lifetime_seconds", "--lifetime"}}) {
        if (flow.contains(k)) f.insert(f.end(), {dash, flow[k].dump()});
      }
      step("flow", f, {});
      step("review", {"review", "start", "--db", db, "--flow", name, "--batch", explain_dir.string()}, {stamps_ / "explain"});
    }

    std::cout << "\nsteps:";
    nlohmann::ordered_json times = nlohmann::ordered_json::object();  // in step order
    for (const auto& [name, secs] : timings_) {
      char text[32];
      std::snprintf(text, sizeof text, " %.1f s", secs);
      std::cout << "  " << name << (secs < 0 ? std::string(" (skipped)") : std::string(text));
      times[name] = secs < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(secs);
    }
    if (!o_.dry_run) {
      fs::create_directories(stamps_);
      std::ofstream(stamps_ / "timings.json") << times.dump(2) << "\n";  // seconds per step; null = skipped
    }
    std::cout << "\noutputs in " << out_ << "/\n";
  }

 private:
  void run_self(const std::string& name, const std::vector<std::string>& args) {
    std::vector<std::string> argv_s = {"verdict"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid;
    if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ) != 0) {
      throw Error("cannot start the '" + name + "' step");
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw Error("step '" + name + "' failed (see its message above); later steps were not run");
    }
  }

  RunOptions o_;
  nlohmann::json c_;
  std::string out_;
  fs::path stamps_;
  std::vector<std::pair<std::string, double>> timings_;
  std::set<std::string> ran_;  // stamps of the steps run in this invocation
};

}  // namespace

void add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  o->app = &app;
  CLI::App* cmd = app.add_subcommand("run", "Run the whole job from one JSON config: data, train, explain, bias, report, review loops");
  cmd->add_option("config", o->config, "Config file (see configs/*.json)")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--force", o->force, "Run every step, even those that are up to date");
  cmd->add_flag("--dry-run", o->dry_run, "Print the steps without running them");
  cmd->callback([o] {
    nlohmann::json config;
    try {
      config = read_json_file(o->config);
      Pipeline(*o, config).run();
    } catch (const nlohmann::json::exception& e) {
      throw Error("config '" + o->config + "': " + e.what());
    }
  });
}

}  // namespace verdict
