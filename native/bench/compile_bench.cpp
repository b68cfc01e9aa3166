// Benchmark: batch prediction of all rows with the compiled model (`verdict compile`, plain
// and quantized) against the loaded forest and XGBoost's own predictor on the same model in
// the same run, 1 and 2 threads, medians of --runs runs (the contenders alternate per run).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <thread>

#include "native/codegen/compiled_model.h"
#include "native/io/dataset.h"
#include "native/io/fetch.h"
#include "native/io/model_files.h"
#include "native/train/xgb.h"
#include "shared/predict.h"

using namespace verdict;
using Clock = std::chrono::steady_clock;

namespace {

// Rows split into `threads` contiguous slices, one thread each.
void parallel(std::size_t n, unsigned threads, const std::function<void(std::size_t, std::size_t)>& f) {
  const std::size_t per = (n + threads - 1) / threads;
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(f, std::min(n, t * per), std::min(n, (t + 1) * per));
  f(0, std::min(n, per));
  for (auto& t : pool) t.join();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"verdict-bench-compile: batch prediction, compiled model vs loaded forest vs XGBoost"};
  std::string model_dir, data_path, compiled_dir, quantized_dir;
  int runs = 7;
  app.add_option("--model", model_dir, "Model folder")->required();
  app.add_option("--data", data_path, "CSV to score")->required();
  app.add_option("--compiled", compiled_dir, "Folder written by verdict compile")->required();
  app.add_option("--quantized", quantized_dir, "Folder written by verdict compile --quantize");
  app.add_option("--runs", runs, "Runs per measurement (median)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    const ModelFiles model = load_model_files(model_dir, "");
    const Forest& f = model.forest;
    const Dataset d = encode_table(read_csv(data_path), *model.schema, false);
    const std::size_t n = d.rows, m = d.cols;
    const std::string print = sha256_file(model.model_path);
    const CompiledModel compiled(compiled_dir, f.num_features, print);
    std::unique_ptr<CompiledModel> quantized;
    if (!quantized_dir.empty()) quantized = std::make_unique<CompiledModel>(quantized_dir, f.num_features, print);
    // MarginPredictor at every split-bits level this CPU runs, and walking 8 rows abreast.
    std::vector<std::pair<std::string, std::unique_ptr<MarginPredictor>>> predictors;
    if (SplitBitsPredictor::available(f)) {
      for (SimdLevel level : {SimdLevel::avx512, SimdLevel::avx2, SimdLevel::portable}) {
        if (!SplitBitsPredictor::supported(level)) continue;
        predictors.emplace_back(std::string("split bits, 16 rows, ") + simd_level_name(level), std::make_unique<MarginPredictor>(f, level));
      }
    }
    predictors.emplace_back("MarginPredictor walk, 8 rows abreast", std::make_unique<MarginPredictor>(f, std::nullopt));
    xgb::Booster booster;
    booster.load_json(read_json_file(model.model_path).dump());
    std::printf("model: %zu trees, %zu nodes; %zu rows x %zu features; median of %d runs\n\n", f.num_trees(), f.num_nodes(), n, m, runs);

    // XGBoost caches a DMatrix's predictions: every timed call gets a matrix of its own,
    // made before the clock starts.
    std::vector<std::unique_ptr<xgb::Matrix>> fresh;
    for (int i = 0; i < 2 * runs; ++i) fresh.push_back(std::make_unique<xgb::Matrix>(d.x.data(), n, m));
    std::size_t next_matrix = 0;
    std::vector<double> out(n);
    struct Contender {
      const char* name;
      std::function<void(unsigned)> run;
    };
    std::vector<Contender> contenders = {
        {"XGBoost predictor (margin)", [&](unsigned t) {
           booster.set_param("nthread", std::to_string(t));
           booster.predict(*fresh.at(next_matrix++), xgb::Booster::Output::Margin, static_cast<int>(t));
         }},
        {"loaded forest (shared/predict)", [&](unsigned t) {
           parallel(n, t, [&](std::size_t b, std::size_t e) { for (std::size_t r = b; r < e; ++r) out[r] = predict_margin(f, d.x.data() + r * m); });
         }},
        {"compiled (float compares)", [&](unsigned t) {
           parallel(n, t, [&](std::size_t b, std::size_t e) { compiled.predict_margin(d.x.data() + b * m, e - b, out.data() + b); });
         }},
    };
    for (const auto& [name, predictor] : predictors) {
      contenders.push_back({name.c_str(), [&, p = predictor.get()](unsigned t) {
        parallel(n, t, [&](std::size_t b, std::size_t e) { p->predict(d.x.data() + b * m, e - b, m, out.data() + b); });
      }});
    }
    if (quantized) {
      contenders.push_back({"compiled, quantized (integer bins)", [&](unsigned t) {
        parallel(n, t, [&](std::size_t b, std::size_t e) { quantized->predict_margin(d.x.data() + b * m, e - b, out.data() + b); });
      }});
    }
    // Every contender but XGBoost must give predict_margin's margins, bit for bit.
    std::vector<double> reference(n);
    for (std::size_t r = 0; r < n; ++r) reference[r] = predict_margin(f, d.x.data() + r * m);
    std::vector<bool> same(contenders.size(), true);
    for (std::size_t k = 1; k < contenders.size(); ++k) {
      contenders[k].run(2);
      same[k] = std::memcmp(out.data(), reference.data(), n * sizeof(double)) == 0;
    }
    std::printf("%-40s %10s %10s %12s %10s\n", "all rows, margin", "ms", "rows/s", "XGBoost/this", "same bits");
    for (unsigned threads : {1u, 2u}) {
      std::vector<std::vector<double>> t(contenders.size());
      for (int i = 0; i < runs; ++i) {
        for (std::size_t k = 0; k < contenders.size(); ++k) {
          const auto start = Clock::now();
          contenders[k].run(threads);
          t[k].push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        }
      }
      std::vector<double> med;
      for (auto& v : t) {
        std::sort(v.begin(), v.end());
        med.push_back(v[v.size() / 2]);
      }
      for (std::size_t k = 0; k < contenders.size(); ++k) {
        std::printf("%-40s %10.2f %10.0f %11.2fx %10s\n", (std::string(contenders[k].name) + ", " + std::to_string(threads) + " thr").c_str(),
                    med[k], static_cast<double>(n) / med[k] * 1e3, med[0] / med[k], k == 0 ? "" : same[k] ? "yes" : "NO");
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "verdict-bench-compile: %s\n", e.what());
    return 2;
  }
  return 0;
}
