// SplitBitsPredictor: 16 rows at a time, every split compared in SIMD, the leaf read off the
// bits — the same margins as walking the trees, bit for bit, whatever the depth (up to 5),
// missing values, default directions, row count and row stride, at every level the CPU runs
// (portable, AVX2, AVX-512).
#include <catch2/catch.hpp>

#include <cstring>
#include <iostream>
#include <optional>
#include <random>
#include <set>

#include "random_forest.h"
#include "shared/predict.h"
#include "shared/split_bits.h"

using namespace verdict;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("split bits: margins bit for bit predict_margin's on random forests", "[predict][split_bits]") {
  std::mt19937 rng(41);
  std::set<SimdLevel> used_levels;
  for (int depth = 1; depth <= 6; ++depth) {
    for (int features : {1, 3, 9}) {
      testing::ForestCase c = testing::random_forest_case(rng, features, 40, depth, 0.2, 53);
      // Leaves of doubles, and of floats as XGBoost's (the AVX2 build then permutes floats).
      if (features == 3) for (double& v : c.forest.value) v = static_cast<float>(v);
      // Rows with values on the thresholds themselves, and a stride wider than the features.
      const std::size_t cols = static_cast<std::size_t>(features) + 2;
      std::vector<float> rows(c.rows.size() * cols, 7.0f);
      for (std::size_t r = 0; r < c.rows.size(); ++r) {
        for (int f = 0; f < features; ++f) rows[r * cols + static_cast<std::size_t>(f)] = c.rows[r][static_cast<std::size_t>(f)];
        if (r % 5 == 0) {  // exactly a split's threshold on its feature
          const std::size_t node = static_cast<std::size_t>(c.forest.tree_root[r % c.forest.tree_root.size()]);
          if (c.forest.left[node] >= 0) rows[r * cols + static_cast<std::size_t>(c.forest.feature[node])] = c.forest.threshold[node];
        }
      }
      const MarginPredictor best(c.forest);
      CHECK(best.uses_split_bits() == SplitBitsPredictor::available(c.forest));
      if (best.uses_split_bits()) CHECK(best.bits_level() == SplitBitsPredictor::best_level());
      if (depth == 6) CHECK_FALSE(SplitBitsPredictor::available(c.forest));  // deeper than 5: the walk
      // Every level this CPU runs, and the walk alone.
      std::vector<std::optional<SimdLevel>> levels = {std::nullopt};
      for (SimdLevel level : {SimdLevel::portable, SimdLevel::avx2, SimdLevel::avx512}) {
        if (SplitBitsPredictor::supported(level)) levels.push_back(level);
      }
      for (const auto& level : levels) {
        const MarginPredictor predictor(c.forest, level);
        CHECK(predictor.uses_split_bits() == (level && SplitBitsPredictor::available(c.forest)));
        if (predictor.uses_split_bits()) used_levels.insert(predictor.bits_level());
        for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17}, c.rows.size()}) {
          std::vector<double> out(n);
          predictor.predict(rows.data(), n, cols, out.data());
          for (std::size_t r = 0; r < n; ++r) {
            const double want = predict_margin(c.forest, &rows[r * cols]);
            INFO("depth " << depth << ", features " << features << ", " << (level ? simd_level_name(*level) : "walk") << ", "
                          << n << " rows, row " << r);
            CHECK(same_bits(out[r], want));
          }
        }
      }
    }
  }
  CHECK(used_levels.count(SimdLevel::portable) == 1);
  for (SimdLevel level : {SimdLevel::avx2, SimdLevel::avx512}) {
    if (!SplitBitsPredictor::supported(level)) std::cout << "note: this CPU has no " << simd_level_name(level) << ": that build was not exercised\n";
  }
}

TEST_CASE("split bits: a copied predictor predicts the same", "[predict][split_bits]") {
  testing::ForestCase c = testing::random_forest_case(7, 5, 30, 4, 0.1, 40);
  const MarginPredictor a(c.forest);
  const MarginPredictor b(a);
  CHECK(a.uses_split_bits() == b.uses_split_bits());
  std::vector<float> rows;
  for (const auto& r : c.rows) rows.insert(rows.end(), r.begin(), r.end());
  std::vector<double> x(c.rows.size()), y(c.rows.size());
  a.predict(rows.data(), c.rows.size(), 5, x.data());
  b.predict(rows.data(), c.rows.size(), 5, y.data());
  CHECK(x == y);
}
