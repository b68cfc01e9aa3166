// Benchmark: Kernel SHAP (sampled, as Clarify computes it) against exact baseline SHAP on the
// same model, rows and baseline — time and mean |error| side by side, margin units.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "native/batch/batch_explain.h"
#include "native/io/dataset.h"
#include "native/io/model_files.h"
#include "shared/error.h"
#include "shared/kmeans.h"

using namespace verdict;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Baseline {
  std::string name;
  ShapSettings settings;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"verdict-bench-kernel: Kernel SHAP (sampled) against exact baseline SHAP"};
  std::string model_dir, data_path;
  std::size_t rows = 500, k = 10;
  std::vector<std::size_t> samples = {15, 2048};
  unsigned threads = 1;
  std::uint64_t seed = 0;
  app.add_option("--model", model_dir, "Model folder")->required();
  app.add_option("--data", data_path, "CSV to explain (its first --rows rows); also what K-means summarises")->required();
  app.add_option("--rows", rows, "Rows explained")->capture_default_str();
  app.add_option("--num-samples", samples, "Kernel SHAP num_samples to measure")->delimiter(',')->capture_default_str();
  app.add_option("--kmeans", k, "K of the K-means baseline (0 = skip it)")->capture_default_str();
  app.add_option("--threads", threads, "Threads for every method")->capture_default_str();
  app.add_option("--seed", seed, "Seed of the sampling and of K-means")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    const ModelFiles model = load_model_files(model_dir, "");
    if (!model.schema) throw verdict::Error("the benchmark needs a model folder with schema.json");
    const Forest& f = model.forest;
    const Schema& schema = *model.schema;
    const Dataset d = encode_table(read_csv(data_path), schema, false);
    const std::size_t m = d.cols, n = std::min(rows, d.rows);

    std::vector<Baseline> baselines;
    {
      Baseline b{"training mean (1 row)", {}};
      for (const Column& c : schema.features) b.settings.reference.push_back(static_cast<float>(c.mean));
      baselines.push_back(b);
    }
    if (k > 0) {
      std::vector<bool> categorical;
      for (const Column& c : schema.features) categorical.push_back(c.kind == ColumnKind::Categorical);
      KMeansOptions o;
      o.k = k;
      o.seed = seed;
      const auto start = Clock::now();
      const ClusterSummary s = kmeans_summary(d.x.data(), d.rows, m, categorical, o);
      Baseline b{"kmeans:" + std::to_string(k) + " (" + std::to_string(s.size()) + " rows of " +
                     std::to_string(d.rows) + ", " + std::to_string(static_cast<int>(seconds_since(start) * 1e3)) + " ms)",
                 {}};
      b.settings.reference = s.centres;
      for (std::size_t c : s.counts) b.settings.reference_weights.push_back(static_cast<double>(c));
      baselines.push_back(b);
    }

    std::printf("model: %zu trees, %d features; %zu rows explained; %u thread(s); margin (log-odds) units\n",
                f.num_trees(), f.num_features, n, threads);
    std::printf("%-12s %12s %10s %10s %14s %14s\n", "method", "num_samples", "time s", "ms/row", "mean |error|",
                "max |error|");
    for (Baseline& b : baselines) {
      std::printf("\nbaseline: %s\n", b.name.c_str());
      b.settings.kind = ShapKind::Baseline;
      auto start = Clock::now();
      const BatchExplanation exact = explain_batch(f, d.x.data(), n, b.settings, threads);
      const double exact_s = seconds_since(start);
      double mean_abs_phi = 0;
      for (double p : exact.phi) mean_abs_phi += std::fabs(p);
      mean_abs_phi /= static_cast<double>(exact.phi.size());
      std::printf("%-12s %12s %10.3f %10.3f %14s %14s   (mean |phi| %.4f)\n", "exact", "-", exact_s,
                  exact_s * 1e3 / static_cast<double>(n), "0", "0", mean_abs_phi);
      for (std::size_t s : samples) {
        ShapSettings k_settings = b.settings;
        k_settings.kind = ShapKind::Kernel;
        k_settings.units = KernelUnits::Margin;
        k_settings.kernel.num_samples = s;
        k_settings.kernel.seed = seed;
        start = Clock::now();
        const BatchExplanation kernel = explain_batch(f, d.x.data(), n, k_settings, threads);
        const double kernel_s = seconds_since(start);
        double sum = 0, worst = 0;
        for (std::size_t i = 0; i < kernel.phi.size(); ++i) {
          const double e = std::fabs(kernel.phi[i] - exact.phi[i]);
          sum += e;
          worst = std::max(worst, e);
        }
        std::printf("%-12s %12zu %10.3f %10.3f %14.6f %14.6f\n", "kernel", s, kernel_s,
                    kernel_s * 1e3 / static_cast<double>(n), sum / static_cast<double>(kernel.phi.size()), worst);
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "verdict-bench-kernel: error: %s\n", e.what());
    return 2;
  }
}
