// verdict explain-merge: the output folders of `verdict explain --shard I/N` (all N of them)
// joined into exactly what one `verdict explain` of the whole input writes: the local SHAP
// files, predictions and review-batch records concatenated in row order, analysis.json rebuilt
// from the shards' block sums, scores and labels (shard.json).
#include "native/jobs/explain_merge.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "native/io/json_stream.h"
#include "native/io/model_files.h"
#include "native/batch/performance.h"
#include "native/batch/shap_totals.h"
#include "shared/error.h"
#include "native/io/staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct ShardDir {
  fs::path dir;
  nlohmann::json meta;      // shard.json
  nlohmann::json analysis;  // analysis.json
};

// Copies `from` into `to`, leaving out its first line when `skip_header`.
void append_file(std::ostream& to, const fs::path& from, bool skip_header) {
  std::ifstream in(from, std::ios::binary);
  if (!in) throw Error("cannot read '" + from.string() + "'");
  if (skip_header) {
    std::string header;
    std::getline(in, header);
  }
  if (in.peek() != std::char_traits<char>::eof()) to << in.rdbuf();  // an empty rest would set failbit
}

// Copies the text of the records array of a review_batch.json written by explain (without its
// brackets, with a leading comma unless `first`) without reading the whole file into memory.
// Returns false when the array is empty.
bool copy_records(std::ostream& to, const fs::path& p, bool first) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error("cannot read '" + p.string() + "'");
  const std::string open = "\"records\":[", close = "],\"source\":";
  const auto size = static_cast<std::size_t>(fs::file_size(p));
  std::string head;
  std::size_t begin = std::string::npos;
  std::vector<char> buf(1 << 16);
  while (begin == std::string::npos) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() <= 0) break;
    head.append(buf.data(), static_cast<std::size_t>(in.gcount()));
    begin = head.find(open);
  }
  const std::size_t tail_size = std::min<std::size_t>(size, 1 << 20);
  std::string tail(tail_size, '\0');
  in.clear();
  in.seekg(static_cast<std::streamoff>(size - tail_size));
  in.read(tail.data(), static_cast<std::streamsize>(tail_size));
  const auto close_at = tail.rfind(close);
  if (begin == std::string::npos || close_at == std::string::npos || size - tail_size + close_at < begin + open.size()) {
    throw Error("'" + p.string() + "' is not a review batch written by explain");
  }
  std::size_t from = begin + open.size();
  const std::size_t to_end = size - tail_size + close_at;
  if (from == to_end) return false;
  if (!first) to << ',';
  in.clear();
  in.seekg(static_cast<std::streamoff>(from));
  buf.resize(1 << 20);
  while (from < to_end) {
    const std::size_t chunk = std::min(buf.size(), to_end - from);
    in.read(buf.data(), static_cast<std::streamsize>(chunk));
    if (static_cast<std::size_t>(in.gcount()) != chunk) throw Error("cannot read '" + p.string() + "'");
    to.write(buf.data(), static_cast<std::streamsize>(chunk));
    from += chunk;
  }
  return true;
}

// The shard folders in shard order, checked to be all N shards of one split; `rows` is their total.
std::vector<ShardDir> load_shards(const std::vector<std::string>& dirs, std::size_t* rows) {
  std::vector<ShardDir> shards;
  for (const std::string& d : dirs) {
    ShardDir s{d, read_json_file((fs::path(d) / "shard.json").string()), read_json_file((fs::path(d) / "analysis.json").string())};
    if (s.meta.value("format", "") != "verdict-explain-shard") throw Error("'" + d + "/shard.json' is not a shard description");
    shards.push_back(std::move(s));
  }
  if (shards.empty()) throw Error("no shard folders given");
  std::sort(shards.begin(), shards.end(), [](const ShardDir& a, const ShardDir& b) { return a.meta["shard"] < b.meta["shard"]; });
  const nlohmann::json& first = shards.front().meta;
  const std::size_t count = first["shards"];
  if (shards.size() != count) {
    throw Error("got " + std::to_string(shards.size()) + " shard folder(s); the input was split into " + std::to_string(count));
  }
  std::size_t next_row = 0;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const nlohmann::json& m = shards[i].meta;
    if (m["shard"] != i || m["shards"] != count || m["input_rows"] != first["input_rows"] ||
        m["agg_method"] != first["agg_method"] || m["first_row"] != next_row) {
      throw Error("'" + shards[i].dir.string() + "' is not shard " + std::to_string(i) + " of the same " + std::to_string(count) + "-way split");
    }
    next_row += m["rows"].get<std::size_t>();
  }
  *rows = next_row;
  return shards;
}

// Local SHAP files, predictions: concatenated, one header (baseline.csv: the first shard's).
void concatenate_row_files(StagedOutputs& out, const fs::path& dir, const std::vector<ShardDir>& shards) {
  for (const auto& entry : fs::directory_iterator(shards.front().dir / "explanations_shap")) {
    const fs::path name = entry.path().filename();
    std::ofstream f(out.stage(dir / "explanations_shap" / name), std::ios::binary);
    // baseline.csv: the reference rows, the same in every shard (taken from the whole input).
    const std::size_t count = name == "baseline.csv" ? 1 : shards.size();
    for (std::size_t i = 0; i < count; ++i) append_file(f, shards[i].dir / "explanations_shap" / name, i > 0);
    if (!f) throw Error("cannot write '" + (dir / "explanations_shap" / name).string() + "'");
  }
  for (const auto& entry : fs::directory_iterator(shards.front().dir / "predictions")) {
    const fs::path name = entry.path().filename();
    std::ofstream f(out.stage(dir / "predictions" / name), std::ios::binary);
    for (const ShardDir& s : shards) append_file(f, s.dir / "predictions" / name, false);
    if (!f) throw Error("cannot write '" + (dir / "predictions" / name).string() + "'");
  }
}

// The review batch: the first shard's members, every shard's records in order.
void write_review_batch(StagedOutputs& out, const fs::path& dir, const std::vector<ShardDir>& shards) {
  const nlohmann::json& first = shards.front().meta;
  const nlohmann::json& head = first["review_batch"];  // the batch's members but its records
  std::ofstream f(out.stage(dir / "review_batch.json"), std::ios::binary);
  f << '{';
  bool first_member = true;
  for (const auto& [k, v] : head.items()) {
    if (k >= "records") break;
    f << (first_member ? "" : ",") << nlohmann::json(k).dump() << ':' << v.dump();
    first_member = false;
  }
  f << (first_member ? "" : ",") << "\"records\":[";
  bool any = false;
  for (const ShardDir& s : shards) any = copy_records(f, s.dir / "review_batch.json", !any) || any;
  f << ']';
  for (const auto& [k, v] : head.items()) {
    if (k > "records") f << ',' << nlohmann::json(k).dump() << ':' << v.dump();
  }
  f << "}\n";
  if (!f) throw Error("cannot write '" + (dir / "review_batch.json").string() + "'");
}

// analysis.json: the first shard's, with every figure that depends on the rows rebuilt.
nlohmann::json merged_analysis(const std::vector<ShardDir>& shards) {
  const nlohmann::json& first = shards.front().meta;
  nlohmann::json analysis = shards.front().analysis;
  const Aggregation agg = parse_aggregation(first["agg_method"]);
  for (auto& [key, method] : analysis["explanations"].items()) {
    const std::string name = key.substr(0, key.size() - 5);  // "<name>_shap"
    const nlohmann::json& batch_features = first["features"];  // the blocks' order
    // A multi-class model's block sums are one list per class, in class order (label<k>).
    const bool per_class = method.contains("label_headers");
    const std::size_t classes = per_class ? method["label_headers"].size() : 1;
    for (std::size_t c = 0; c < classes; ++c) {
      nlohmann::json& g = method["label" + std::to_string(c)]["global_shap_values"];
      ShapTotals totals(batch_features.size(), agg);
      for (const ShardDir& s : shards) {
        const nlohmann::json& sums = per_class ? s.meta["block_sums"][name].at(c) : s.meta["block_sums"][name];
        totals.add_blocks(sums.get<std::vector<std::vector<double>>>(), s.meta["rows"].get<std::size_t>());
      }
      const std::vector<double> global = totals.global();
      for (std::size_t f = 0; f < batch_features.size(); ++f) g[batch_features[f].get<std::string>()] = global[f];
    }
  }
  std::vector<double> scores;
  std::vector<float> labels;
  for (const ShardDir& s : shards) {
    const auto sc = s.meta["scores"].get<std::vector<double>>();
    const auto lb = s.meta["labels"].get<std::vector<float>>();
    scores.insert(scores.end(), sc.begin(), sc.end());
    labels.insert(labels.end(), lb.begin(), lb.end());
  }
  if (!labels.empty() && first["task"] == "multiclass") {
    analysis["model_performance"] = multiclass_performance(scores, labels, first["classes"].get<std::vector<std::string>>(),
                                                           first.value("target", ""));
  } else if (!labels.empty()) {  // (a shard without rows has no model_performance of its own)
    const Task task = first["task"] == "binary" ? Task::Binary : Task::Regression;
    analysis["model_performance"] = model_performance(task, scores, labels, first["threshold"].get<double>(),
                                                      first.value("target", ""), first.value("positive_label", "1"),
                                                      first.value("negative_label", "0"));
  }
  return analysis;
}

}  // namespace

void merge_explain_shards(const MergeShardsPlan& o, std::ostream& log) {
  try {
    std::size_t rows = 0;
    const std::vector<ShardDir> shards = load_shards(o.shards, &rows);
    StagedOutputs out;
    const fs::path dir = o.out;
    concatenate_row_files(out, dir, shards);
    write_review_batch(out, dir, shards);
    out.write(dir / "analysis.json", merged_analysis(shards).dump(2) + "\n");
    out.commit();
    log << "merged " << shards.size() << " shards (" << rows << " records) -> " << dir.string() << "/\n";
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("a shard's shard.json or analysis.json is not as explain writes it: ") + e.what());
  }
}

}  // namespace verdict
