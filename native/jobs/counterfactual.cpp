// verdict counterfactual: the nearest decision flips of every record of a CSV, streamed a chunk
// at a time, each chunk's rows spread over threads (the search is read-only, one per model).
#include "native/jobs/counterfactual.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "native/batch/batch_counterfactual.h"
#include "native/batch/threads.h"
#include "native/io/dataset.h"
#include "native/io/model_files.h"
#include "native/io/staged_output.h"
#include "shared/counterfactual.h"
#include "shared/error.h"

namespace verdict {

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// The search's options from the plan, checked against the model before any row is read.
CounterfactualOptions options_of(const CounterfactualPlan& o, const Schema& schema) {
  CounterfactualOptions opt;
  opt.max_features = o.max_features;
  opt.answers = o.answers;
  opt.immutable.assign(schema.features.size(), false);
  for (const std::string& name : o.immutable) {
    const int f = schema.feature_index(name);
    if (f < 0) throw Error("--immutable: '" + name + "' is not a feature of the model");
    opt.immutable[static_cast<std::size_t>(f)] = true;
  }
  if (schema.task == Task::Regression) {
    if (o.threshold) throw Error("--threshold is for binary models; a regression model needs --target-delta");
    if (!o.target_delta) throw Error("a regression model needs --target-delta D (the move of the prediction asked for)");
    opt.goal.target_delta = *o.target_delta;
  } else if (schema.task == Task::Multiclass) {
    if (o.threshold || o.target_delta) {
      throw Error(std::string(o.threshold ? "--threshold" : "--target-delta") +
                  " does not apply to a multi-class model: its decision flips when another class becomes the top one");
    }
  } else {
    if (o.target_delta) throw Error("--target-delta is for regression models; a binary decision flips at --threshold");
    opt.goal.threshold = o.threshold.value_or(0.5);
  }
  return opt;
}

std::string changed_names(const Schema& schema, const Counterfactual& cf) {
  std::string out;
  for (const FeatureChange& c : cf.changes) out += (out.empty() ? "" : ";") + schema.features[c.feature].name;
  return out;
}

}  // namespace

void find_counterfactuals(const CounterfactualPlan& o, std::ostream& log) {
  const ModelFiles model = load_model_files(o.model, "", ForestLoadOptions{true});
  CsvReader reader(o.data);
  const Schema schema = schema_for_data(model, reader.header(), "", o.data);
  const bool multiclass = schema.task == Task::Multiclass;
  const CounterfactualOptions options = options_of(o, schema);
  const CounterfactualSearch search(model.forest, schema);
  const unsigned threads = resolve_threads(o.threads);
  StagedOutputs out;
  std::ofstream file(out.stage(o.out), std::ios::binary);
  std::vector<std::string> header = reader.header();
  for (const char* extra : {"row", "rank", "cost", "changed", "score", "method"}) header.emplace_back(extra);
  if (multiclass) header.emplace_back("class");  // the class the changed row is predicted; score is its probability
  write_csv_row(file, header);
  Table chunk;
  std::size_t total = 0, flipped = 0, written = 0, heuristic = 0;
  const auto start = std::chrono::steady_clock::now();
  while (reader.read(chunk, 4096) > 0) {
    const Dataset data = encode_table(chunk, schema, false);
    const auto found = counterfactuals_of_rows(search, data.x.data(), data.rows, data.cols, options, threads);
    for (std::size_t r = 0; r < data.rows; ++r) {
      flipped += !found[r].empty();
      for (std::size_t rank = 0; rank < found[r].size(); ++rank) {
        const Counterfactual& cf = found[r][rank];
        std::vector<std::string> cells = chunk.rows[r];
        for (const FeatureChange& c : cf.changes) {
          cells[static_cast<std::size_t>(data.source_column[c.feature])] = decode_value(schema, c.feature, c.to);
        }
        cells.insert(cells.end(), {std::to_string(total + r), std::to_string(rank + 1), number(cf.cost), changed_names(schema, cf),
                                   number(cf.prediction), cf.exact ? "exact" : "heuristic"});
        if (multiclass) cells.push_back(schema.labels.at(static_cast<std::size_t>(cf.predicted_class)));
        write_csv_row(file, cells);
        ++written;
        heuristic += !cf.exact;
      }
    }
    total += data.rows;
  }
  if (total == 0) throw Error("'" + o.data + "' has a header but no rows");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  file.close();
  if (!file) throw Error("cannot write '" + o.out + "'");
  out.commit();
  log << "counterfactuals: " << total << " records, " << flipped << " with an answer within " << o.max_features
      << " feature(s), " << written << " answers (" << heuristic << " heuristic) on " << threads << " thread(s) in "
      << number(seconds) << " s (" << static_cast<long long>(static_cast<double>(total) / std::max(seconds, 1e-9))
      << " records/s) -> " << o.out << "\n";
}

}  // namespace verdict
