// Benchmark: exact SHAP for a whole batch and for one row, verdict's core against XGBoost's
// pred_contribs on the same model in the same run. Medians of --runs runs.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "native/batch_explain.h"
#include "native/dataset.h"
#include "native/model_files.h"
#include "native/xgb.h"
#include "shared/predict.h"
#include "shared/shap_baseline.h"
#include "shared/shap_tree.h"

using namespace verdict;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

template <typename F>
double median_time(int runs, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    f();
    t.push_back(seconds_since(start));
  }
  return median(t);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"verdict-bench: SHAP speed against XGBoost's pred_contribs"};
  std::string model_dir, data_path;
  int runs = 5;
  std::size_t single_rows = 2000;
  app.add_option("--model", model_dir, "Model folder")->required();
  app.add_option("--data", data_path, "CSV to explain")->required();
  app.add_option("--runs", runs, "Runs per measurement (median)")->capture_default_str();
  app.add_option("--single-rows", single_rows, "Rows timed one at a time")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    const ModelFiles model = load_model_files(model_dir, "");
    const Forest& f = model.forest;
    const Dataset d = encode_table(read_csv(data_path), *model.schema, false);
    const std::size_t n = d.rows, m = d.cols;
    std::printf("model: %zu trees, %zu nodes (%.1f per tree), max depth %d; %zu rows x %zu features; %d runs\n\n",
                f.num_trees(), f.num_nodes(), static_cast<double>(f.num_nodes()) / static_cast<double>(f.num_trees()),
                f.max_depth(), n, m, runs);

    xgb::Matrix dm(d.x.data(), n, m);
    xgb::Booster booster;
    booster.load_json(read_json_file(model.model_path).dump());
    std::vector<float> mean;
    for (const Column& c : model.schema->features) mean.push_back(static_cast<float>(c.mean));

    std::printf("%-44s %10s %10s %8s\n", "batch SHAP, all rows", "verdict s", "xgboost s", "ratio");
    for (unsigned threads : {1u, 2u}) {
      booster.set_param("nthread", std::to_string(threads));
      const double theirs = median_time(runs, [&] { booster.predict(dm, xgb::Booster::Output::Contributions); });
      const double ours = median_time(runs, [&] { explain_batch(f, d.x.data(), n, ShapKind::Tree, {}, threads); });
      std::printf("%-44s %10.3f %10.3f %7.2fx\n", ("path-dependent TreeSHAP, " + std::to_string(threads) + " thread(s)").c_str(),
                  ours, theirs, theirs / ours);
    }
    for (unsigned threads : {1u, 2u}) {
      const double ours = median_time(runs, [&] { explain_batch(f, d.x.data(), n, ShapKind::Baseline, mean, threads); });
      std::printf("%-44s %10.3f %10s\n", ("baseline SHAP (exact), " + std::to_string(threads) + " thread(s)").c_str(), ours, "-");
    }

    // One row at a time: score + full SHAP, as after a reviewer's edit.
    booster.set_param("nthread", "1");
    single_rows = std::min(single_rows, n);
    TreeShap shap(f);
    std::vector<double> phi(m);
    std::vector<double> ours_t, theirs_t;
    double sink = 0;
    for (std::size_t r = 0; r < single_rows; ++r) {
      const float* row = d.x.data() + r * m;
      auto start = Clock::now();
      sink += predict_margin(f, row);
      shap.explain(row, phi.data());
      ours_t.push_back(seconds_since(start) * 1e3);
      start = Clock::now();
      xgb::Matrix one(row, 1, m);
      sink += booster.predict(one, xgb::Booster::Output::Contributions)[0];
      theirs_t.push_back(seconds_since(start) * 1e3);
    }
    std::printf("\n%-44s %10s %10s %8s\n", "one row: score + SHAP", "verdict ms", "xgboost ms", "ratio");
    std::printf("%-44s %10.4f %10.4f %7.2fx\n", "p50", percentile(ours_t, 0.5), percentile(theirs_t, 0.5),
                percentile(theirs_t, 0.5) / percentile(ours_t, 0.5));
    std::printf("%-44s %10.4f %10.4f %7.2fx\n", "p99", percentile(ours_t, 0.99), percentile(theirs_t, 0.99),
                percentile(theirs_t, 0.99) / percentile(ours_t, 0.99));
    std::printf("(xgboost's one-row time includes making a 1-row DMatrix: its API has no other way to ask for contributions)\n");
    return sink == 12345.678 ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "verdict-bench: error: %s\n", e.what());
    return 2;
  }
}
