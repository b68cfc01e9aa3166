// verdict score: batch prediction without explanations, streamed a chunk at a time, with the
// loaded forest or a compiled model (`verdict compile`).
#include "native/jobs/score.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "native/codegen/compiled_model.h"
#include "native/io/dataset.h"
#include "native/io/fetch.h"
#include "native/io/model_files.h"
#include "native/batch/threads.h"
#include "shared/error.h"
#include "shared/predict.h"
#include "native/io/staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

void score_file(const ScorePlan& o, std::ostream& log) {
  ForestLoadOptions multiclass;
  multiclass.multiclass = true;
  const ModelFiles model = load_model_files(o.model, "", multiclass);
  const Forest& forest = model.forest;
  // A multi-class model: K margins a row, written as K probabilities (or margins) a line.
  const std::size_t k = forest.num_class > 1 ? static_cast<std::size_t>(forest.num_class) : 1;
  std::unique_ptr<CompiledModel> compiled;
  if (!o.compiled.empty()) compiled = std::make_unique<CompiledModel>(o.compiled, forest.num_features, sha256_file(model.model_path), forest.num_class);
  CsvReader reader(o.data);
  const Schema schema = schema_for_data(model, reader.header(), o.target, o.data);
  const unsigned threads = resolve_threads(o.threads);
  StagedOutputs out;
  std::ofstream file(out.stage(o.out), std::ios::binary);
  Table chunk;
  std::vector<double> margin;
  std::size_t total = 0;
  char buf[48];
  while (reader.read(chunk, 65536) > 0) {
    const Dataset data = encode_table(chunk, schema, false);
    margin.resize(data.rows * k);
    const std::size_t m = data.cols, per = (data.rows + threads - 1) / threads;
    auto work = [&](std::size_t begin, std::size_t end) {
      if (begin >= end) return;
      if (compiled) {
        compiled->predict_margin(data.x.data() + begin * m, end - begin, margin.data() + begin * k);
      } else if (k > 1) {
        for (std::size_t r = begin; r < end; ++r) predict_class_margins(forest, data.x.data() + r * m, margin.data() + r * k);
      } else {
        for (std::size_t r = begin; r < end; ++r) margin[r] = predict_margin(forest, data.x.data() + r * m);
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t * per, std::min(data.rows, (t + 1) * per));
    work(0, std::min(data.rows, per));
    for (auto& t : pool) t.join();
    if (k > 1) {
      std::vector<double> p(k);
      for (std::size_t r = 0; r < data.rows; ++r) {
        const double* row = margin.data() + r * k;
        if (o.margin) std::copy(row, row + k, p.begin()); else softmax(row, static_cast<int>(k), p.data());
        for (std::size_t c = 0; c < k; ++c) {
          std::snprintf(buf, sizeof buf, "%.*g%c", o.digits, p[c], c + 1 < k ? ',' : '\n');
          file << buf;
        }
      }
    } else {
      for (double v : margin) {
        std::snprintf(buf, sizeof buf, "%.*g\n", o.digits, o.margin ? v : apply_link(forest.link, v));
        file << buf;
      }
    }
    total += data.rows;
  }
  if (total == 0) throw Error("'" + o.data + "' has a header but no rows");
  file.close();
  if (!file) throw Error("cannot write '" + o.out + "'");
  out.commit();
  log << "scored " << total << " records with the " << (compiled ? "compiled model " + compiled->path() : std::string("loaded forest"))
      << " on " << threads << " thread(s) -> " << o.out << "\n";
}

}  // namespace verdict
