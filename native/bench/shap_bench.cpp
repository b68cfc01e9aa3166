// Benchmark: exact SHAP for a whole batch and for one row, verdict's core (the fast
// per-leaf-table TreeSHAP and the classic algorithm) against XGBoost's pred_contribs on the
// same model in the same run. Medians of --runs runs; the contenders alternate within a run.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <functional>

#include "native/batch/batch_explain.h"
#include "native/bench/xgb_peer.h"
#include "native/io/dataset.h"
#include "native/io/model_files.h"
#include "native/train/xgb.h"
#include "shared/kmeans.h"
#include "shared/predict.h"
#include "shared/shap_baseline.h"
#include "shared/shap_baseline_tables.h"
#include "shared/shap_fast.h"
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

// A time or a ratio for the table; "-" where the peer is absent.
std::string cell(double v, const char* format) {
  if (std::isnan(v)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Runs each function once per round, alternating, for `runs` rounds: the median time of each.
std::vector<double> median_times(int runs, const std::vector<std::function<void()>>& fs) {
  std::vector<std::vector<double>> t(fs.size());
  for (int i = 0; i < runs; ++i) {
    for (std::size_t k = 0; k < fs.size(); ++k) {
      const auto start = Clock::now();
      fs[k]();
      t[k].push_back(seconds_since(start));
    }
  }
  std::vector<double> out;
  for (auto& v : t) out.push_back(median(v));
  return out;
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
  bool baseline_only = false, skip_baseline = false;
  app.add_flag("--baseline-only", baseline_only, "Only baseline SHAP (against fast TreeSHAP on the same rows)");
  app.add_flag("--skip-baseline", skip_baseline, "No baseline SHAP: path-dependent TreeSHAP only");
  std::string peer_path = bench::XgboostPeer::default_path(), background_path;
  app.add_option("--background", background_path, "Also baseline SHAP against every row of this CSV (e.g. the training set)");
  app.add_option("--peer", peer_path, "XGBoost 3.x's libxgboost.so (scripts/build-xgboost-peer)")->capture_default_str();
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

    // Baseline (interventional) SHAP against the training mean and against a K-prototypes
    // summary of 10 rows as Clarify makes one: per-leaf tables against walking each tree once
    // per reference (the reference algorithm), fast TreeSHAP on the same rows as a yardstick.
    if (!background_path.empty()) {
      // Interventional SHAP against a whole background, 1 thread: the tables' pass over the
      // background included in the time.
      const Dataset bg = encode_table(read_csv(background_path), *model.schema, false);
      std::vector<double> make_t, explain_t, total_t;
      for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        const BaselineShapTables tables(f, bg.x, {});
        make_t.push_back(seconds_since(start));
        const auto mid = Clock::now();
        BaselineShapTables::Workspace ws(tables);
        std::vector<double> phi(n * m);
        tables.explain_rows(d.x.data(), n, phi.data(), ws);
        explain_t.push_back(seconds_since(mid));
        total_t.push_back(seconds_since(start));
      }
      std::printf("baseline SHAP against %zu background rows, all %zu rows, 1 thread: %.3f s "
                  "(tables %.3f s, explaining %.3f s)\n\n",
                  bg.rows, n, median(total_t), median(make_t), median(explain_t));
    }
    if (!skip_baseline) {
      std::vector<bool> categorical;
      for (const Column& c : model.schema->features) categorical.push_back(c.kind == ColumnKind::Categorical);
      const ClusterSummary summary = kmeans_summary(d.x.data(), n, m, categorical, KMeansOptions{});
      std::vector<double> counts(summary.counts.begin(), summary.counts.end());
      const auto start = Clock::now();
      const BaselineShapTables k10(f, summary.centres, counts);
      std::printf("baseline SHAP tables for %zu references: %.1f ms, %.1f MB, %zu trees by table, %zu walked\n\n",
                  k10.references(), seconds_since(start) * 1e3, static_cast<double>(k10.table_bytes()) / 1e6,
                  k10.table_trees(), k10.walked_trees());
      std::printf("%-44s %10s %10s %11s %11s\n", "baseline SHAP, all rows", "tables s", "walk s", "walk/tables",
                  "fast tree s");
      for (unsigned threads : {1u, 2u}) {
        ShapSettings tables, walk;
        tables.kind = ShapKind::Baseline;
        walk.kind = ShapKind::BaselineWalk;
        tables.reference = walk.reference = summary.centres;
        tables.reference_weights = walk.reference_weights = counts;
        const std::vector<double> t = median_times(runs, {
            [&] { explain_batch(f, d.x.data(), n, tables, threads); },
            [&] { explain_batch(f, d.x.data(), n, walk, threads); },
            [&] { explain_batch(f, d.x.data(), n, ShapKind::Tree, {}, threads); },
            [&] { explain_batch(f, d.x.data(), n, ShapKind::Baseline, mean, threads); }});
        const std::string th = ", " + std::to_string(threads) + " thread(s)";
        std::printf("%-44s %10.3f %10.3f %10.2fx %11.3f\n", (std::to_string(summary.size()) + " K-prototypes references" + th).c_str(),
                    t[0], t[1], t[1] / t[0], t[2]);
        std::printf("%-44s %10s %10.3f %11s %11.3f\n", ("training mean (1 reference: walked)" + th).c_str(), "-", t[3], "-", t[2]);
      }
      std::printf("\n");
      if (baseline_only) return 0;
    }
    {
      const auto start = Clock::now();
      const FastTreeShap fast(f);
      std::printf("fast TreeSHAP precomputation: %.1f ms, %.2f MB of tables, %zu trees by table, %zu classic\n\n",
                  seconds_since(start) * 1e3, static_cast<double>(fast.table_bytes()) / 1e6, fast.table_trees(),
                  fast.classic_trees());
    }
    // XGBoost 3.x (QuadratureTreeSHAP on CPU) beside the linked 1.7.4, when it has been built.
    std::string why;
    std::unique_ptr<bench::XgboostPeer> peer = bench::XgboostPeer::open(peer_path, why);
    if (peer) {
      peer->load_json(read_json_file(model.model_path).dump());
      peer->set_threads(1);
      const std::vector<float> theirs = peer->predict(d.x.data(), n, m, 2);
      const BatchExplanation ours = explain_batch(f, d.x.data(), n, ShapKind::Tree, {}, 1);
      double worst = 0;
      for (std::size_t r = 0; r < n; ++r) {
        for (std::size_t j = 0; j < m; ++j) worst = std::max(worst, std::fabs(ours.phi[r * m + j] - theirs[r * (m + 1) + j]));
      }
      std::printf("peer: XGBoost %s (%s); its values vs verdict's: max |diff| %.2g\n\n", peer->version().c_str(),
                  peer_path.c_str(), worst);
    } else {
      std::printf("peer: XGBoost 3.x absent (%s); scripts/build-xgboost-peer builds it\n\n", why.c_str());
    }
    std::printf("%-40s %9s %9s %9s %9s %9s %9s\n", "batch SHAP, all rows", "verdict s", "1.7.4 s", "3.x s",
                "1.7.4/us", "3.x/us", "classic/us");
    for (unsigned threads : {1u, 2u}) {
      booster.set_param("nthread", std::to_string(threads));
      if (peer) peer->set_threads(static_cast<int>(threads));
      std::vector<std::function<void()>> contenders = {
          [&] { booster.predict(dm, xgb::Booster::Output::Contributions); },
          [&] { explain_batch(f, d.x.data(), n, ShapKind::Tree, {}, threads); },
          [&] { explain_batch(f, d.x.data(), n, ShapKind::TreeClassic, {}, threads); }};
      if (peer) contenders.push_back([&] { peer->predict(d.x.data(), n, m, 2); });
      const std::vector<double> t = median_times(runs, contenders);
      const double old_peer = t[0], ours = t[1], classic = t[2], new_peer = peer ? t[3] : NAN;
      std::printf("%-40s %9.3f %9.3f %9s %8.2fx %9s %8.2fx\n",
                  ("TreeSHAP, " + std::to_string(threads) + " thread(s)").c_str(), ours, old_peer,
                  cell(new_peer, "%.3f").c_str(), old_peer / ours, cell(new_peer / ours, "%.2fx").c_str(), classic / ours);
      std::printf("%-40s %9.3f %9s %9s %8.2fx %9s\n", ("  classic algorithm, " + std::to_string(threads) + " thread(s)").c_str(),
                  classic, "", "", old_peer / classic, cell(new_peer / classic, "%.2fx").c_str());
    }

    // One row at a time: score + full SHAP, as after a reviewer's edit.
    booster.set_param("nthread", "1");
    if (peer) peer->set_threads(1);
    single_rows = std::min(single_rows, n);
    TreeShap shap(f);
    FastTreeShap fast(f);
    std::vector<double> phi(m);
    std::vector<double> ours_t, classic_t, theirs_t, peer_t;
    double sink = 0;
    for (std::size_t r = 0; r < single_rows; ++r) {
      const float* row = d.x.data() + r * m;
      auto start = Clock::now();
      double margin = 0;  // the same pass gives the margin (predict_margin's bits), as the page and /invocations take it
      fast.explain(row, phi.data(), &margin);
      ours_t.push_back(seconds_since(start) * 1e3);
      sink += margin;
      sink += phi[0];
      start = Clock::now();
      sink += predict_margin(f, row);
      shap.explain(row, phi.data());
      classic_t.push_back(seconds_since(start) * 1e3);
      sink += phi[0];
      start = Clock::now();
      xgb::Matrix one(row, 1, m);
      sink += booster.predict(one, xgb::Booster::Output::Contributions)[0];
      theirs_t.push_back(seconds_since(start) * 1e3);
      if (peer) {
        start = Clock::now();
        sink += peer->predict(row, 1, m, 2)[0];
        peer_t.push_back(seconds_since(start) * 1e3);
      }
    }
    std::printf("\n%-40s %9s %9s %9s %9s %9s %9s\n", "one row: score + SHAP", "verdict ms", "1.7.4 ms", "3.x ms",
                "1.7.4/us", "3.x/us", "classic/us");
    for (double p : {0.5, 0.99}) {
      const double ours = percentile(ours_t, p), theirs = percentile(theirs_t, p), classic = percentile(classic_t, p);
      const double other = peer ? percentile(peer_t, p) : NAN;
      std::printf("%-40s %9.4f %9.4f %9s %8.2fx %9s %8.2fx\n", (p == 0.5 ? "p50" : "p99"), ours, theirs,
                  cell(other, "%.4f").c_str(), theirs / ours, cell(other / ours, "%.2fx").c_str(), classic / ours);
    }
    std::printf("(xgboost's one-row time includes making a 1-row DMatrix: its API has no other way to ask for contributions)\n");
    return sink == 12345.678 ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "verdict-bench: error: %s\n", e.what());
    return 2;
  }
}
