// verdict score: batch prediction without explanations, streamed a chunk at a time, with the
// loaded forest or a compiled model (`verdict compile`).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "commands.h"
#include "compiled_model.h"
#include "dataset.h"
#include "fetch.h"
#include "model_files.h"
#include "shared/error.h"
#include "shared/predict.h"
#include "staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct ScoreOptions {
  std::string model, data, out, compiled, target;
  bool margin = false;
  int digits = 10;
  unsigned threads = 0;
};

void run_score(const ScoreOptions& o) {
  const ModelFiles model = load_model_files(o.model, "");
  const Forest& forest = model.forest;
  std::unique_ptr<CompiledModel> compiled;
  if (!o.compiled.empty()) compiled = std::make_unique<CompiledModel>(o.compiled, forest.num_features, sha256_file(model.model_path));
  CsvReader reader(o.data);
  Schema schema;
  if (model.schema) {
    schema = *model.schema;
    if (!o.target.empty()) schema.target = o.target;
  } else {
    schema = numeric_schema(reader.header(), o.target, forest.link == Link::Logistic ? Task::Binary : Task::Regression);
    if (static_cast<int>(schema.features.size()) != forest.num_features) {
      throw Error("'" + o.data + "' has " + std::to_string(schema.features.size()) + " feature columns; the model has " +
                  std::to_string(forest.num_features));
    }
  }
  const unsigned threads = resolve_threads(o.threads);
  StagedOutputs out;
  std::ofstream file(out.stage(o.out), std::ios::binary);
  Table chunk;
  std::vector<double> margin;
  std::size_t total = 0;
  char buf[48];
  while (reader.read(chunk, 65536) > 0) {
    const Dataset data = encode_table(chunk, schema, false);
    margin.resize(data.rows);
    const std::size_t m = data.cols, per = (data.rows + threads - 1) / threads;
    auto work = [&](std::size_t begin, std::size_t end) {
      if (begin >= end) return;
      if (compiled) {
        compiled->predict_margin(data.x.data() + begin * m, end - begin, margin.data() + begin);
      } else {
        for (std::size_t r = begin; r < end; ++r) margin[r] = predict_margin(forest, data.x.data() + r * m);
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t * per, std::min(data.rows, (t + 1) * per));
    work(0, std::min(data.rows, per));
    for (auto& t : pool) t.join();
    for (double v : margin) {
      std::snprintf(buf, sizeof buf, "%.*g\n", o.digits, o.margin ? v : apply_link(forest.link, v));
      file << buf;
    }
    total += data.rows;
  }
  if (total == 0) throw Error("'" + o.data + "' has a header but no rows");
  file.close();
  if (!file) throw Error("cannot write '" + o.out + "'");
  out.commit();
  std::cout << "scored " << total << " records with the " << (compiled ? "compiled model " + compiled->path() : std::string("loaded forest"))
            << " on " << threads << " thread(s) -> " << o.out << "\n";
}

}  // namespace

void add_score_command(CLI::App& app) {
  auto o = std::make_shared<ScoreOptions>();
  CLI::App* cmd = app.add_subcommand("score", "Batch prediction (no explanations): one line per record, streamed");
  cmd->add_option("--model", o->model, "Model folder (model.json + schema.json) or an XGBoost model.json")->required();
  cmd->add_option("--data", o->data, "CSV with a header row")->required();
  cmd->add_option("--out", o->out, "Output file: one prediction per line")->required();
  cmd->add_option("--compiled", o->compiled, "A model compiled by `verdict compile` (its folder or libmodel.so)");
  cmd->add_option("--target", o->target, "Label column in the CSV, left out of the features");
  cmd->add_flag("--margin", o->margin, "Write the margin (log-odds) instead of the prediction");
  cmd->add_option("--digits", o->digits, "Significant digits (17: every double exactly)")->capture_default_str()->check(CLI::Range(1, 17));
  cmd->add_option("--threads", o->threads, "Threads (0 = all cores)")->capture_default_str();
  cmd->callback([o] { run_score(*o); });
}

}  // namespace verdict
