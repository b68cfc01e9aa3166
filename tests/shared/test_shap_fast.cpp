// FastTreeShap (per-leaf tables, FastTreeSHAP v2) against the classic TreeShap it replaces on
// the hot path, against brute-force Shapley enumeration, and its fallbacks.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <thread>

#include "oracles.h"
#include "random_forest.h"
#include "shared/forest.h"
#include "shared/predict.h"
#include "shared/shap_fast.h"
#include "shared/shap_tree.h"

using namespace verdict;
using namespace verdict::testing;

namespace {


// Largest |fast − classic| over the case's rows; also checks φ0.
double worst_vs_classic(const ForestCase& c, const FastTreeShapOptions& options = {}) {
  const int m = c.forest.num_features;
  TreeShap classic(c.forest);
  FastTreeShap fast(c.forest, options);
  REQUIRE(fast.expected_value() == classic.expected_value());
  std::vector<double> a(m), b(m);
  double worst = 0;
  for (const auto& row : c.rows) {
    classic.explain(row.data(), a.data());
    fast.explain(row.data(), b.data());
    for (int j = 0; j < m; ++j) worst = std::max(worst, std::fabs(a[j] - b[j]));
  }
  return worst;
}

// A path feature repeats when the same feature splits twice on one root-to-leaf path.
bool has_repeated_feature(const Forest& f, int node, std::vector<int>& path) {
  if (f.is_leaf(node)) return false;
  if (std::find(path.begin(), path.end(), f.feature[node]) != path.end()) return true;
  path.push_back(f.feature[node]);
  const bool r = has_repeated_feature(f, f.left[node], path) || has_repeated_feature(f, f.right[node], path);
  path.pop_back();
  return r;
}

}  // namespace

TEST_CASE("fast TreeSHAP equals the classic algorithm and brute-force Shapley", "[shap][fast]") {
  int repeated = 0, with_missing = 0;
  std::size_t leaves = 0, groups = 0;
  for (std::uint32_t seed = 1; seed <= 96; ++seed) {
    const int m = 2 + static_cast<int>(seed % 9);          // 2..10 features
    const int depth = 1 + static_cast<int>((seed / 9) % 8);  // 1..8 levels
    const double missing = seed % 3 ? 0.2 : 0.0;
    ForestCase c = random_forest_case(seed, m, 1 + seed % 6, depth, missing, 8);
    for (std::int32_t root : c.forest.tree_root) {
      std::vector<int> path;
      repeated += has_repeated_feature(c.forest, root, path);
    }
    with_missing += missing > 0;
    TreeShap classic(c.forest);
    FastTreeShap fast(c.forest);
    REQUIRE(fast.classic_trees() == 0);
    REQUIRE(fast.expected_value() == classic.expected_value());
    for (int node = 0; node < static_cast<int>(c.forest.num_nodes()); ++node) leaves += c.forest.is_leaf(node);
    groups += fast.table_groups();
    std::vector<double> a(m), b(m);
    for (const auto& row : c.rows) {
      classic.explain(row.data(), a.data());
      fast.explain(row.data(), b.data());
      const auto expected = shapley_by_enumeration(
          m, [&](unsigned s) { return path_dependent_value(c.forest, row.data(), s); });
      for (int j = 0; j < m; ++j) {
        INFO("seed " << seed << " feature " << j);
        REQUIRE(b[j] == Approx(a[j]).margin(1e-9).epsilon(0));
        REQUIRE(b[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
      }
    }
  }
  CHECK(repeated > 50);  // the property covers features repeating on a path
  CHECK(with_missing > 50);
  CHECK(groups * 2 < leaves);  // ... and leaves summed ahead into groups (LeafTables)
}

TEST_CASE("fast TreeSHAP is additive: sum of phi plus phi0 is the margin", "[shap][fast]") {
  for (std::uint32_t seed = 200; seed < 210; ++seed) {
    ForestCase c = random_forest_case(seed, 10, 100, 2 + static_cast<int>(seed % 7), 0.2, 32);
    FastTreeShap fast(c.forest);
    std::vector<double> phi(10);
    for (const auto& row : c.rows) {
      fast.explain(row.data(), phi.data());
      double sum = fast.expected_value();
      for (double p : phi) sum += p;
      REQUIRE(sum == Approx(predict_margin(c.forest, row.data())).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("fast TreeSHAP on larger forests equals the classic algorithm", "[shap][fast]") {
  // Wider than brute force allows: 40 features, 200 trees, depths up to 8.
  for (std::uint32_t seed = 300; seed < 306; ++seed) {
    ForestCase c = random_forest_case(seed, 40, 200, 3 + static_cast<int>(seed % 6), 0.1, 64);
    CHECK(worst_vs_classic(c) <= 1e-9);
  }
}

TEST_CASE("fast TreeSHAP tables paths of exactly max_path_features features", "[shap][fast]") {
  // A tree of depth d has paths of up to d distinct features: with the bound at d, none falls
  // back to the classic algorithm (a bound one short would send them there: same values, slower).
  for (int depth = 2; depth <= 7; ++depth) {
    ForestCase c = random_forest_case(700 + static_cast<std::uint32_t>(depth), 10, 8, depth, 0.1, 8);
    FastTreeShapOptions exact;
    exact.max_path_features = depth;
    FastTreeShap fast(c.forest, exact);
    REQUIRE(fast.classic_trees() == 0);
    CHECK(worst_vs_classic(c, exact) <= 1e-9);
  }
}

TEST_CASE("fast TreeSHAP falls back to the classic algorithm tree by tree", "[shap][fast]") {
  ForestCase c = random_forest_case(11, 12, 40, 12, 0.15, 16);  // paths with up to 12 distinct features
  SECTION("paths with more distinct features than the table allows") {
    FastTreeShapOptions narrow;
    narrow.max_path_features = 4;
    FastTreeShap fast(c.forest, narrow);
    CHECK(fast.classic_trees() > 0);
    CHECK(fast.table_trees() > 0);
    CHECK(worst_vs_classic(c, narrow) <= 1e-9);
    CHECK(worst_vs_classic(c) <= 1e-9);  // the default: 10
  }
  SECTION("a table budget") {
    FastTreeShapOptions none;
    none.max_table_bytes = 0;
    FastTreeShap fast(c.forest, none);
    CHECK(fast.table_trees() == 0);  // every tree classic (a lone leaf needs no table)
    CHECK(worst_vs_classic(c, none) == 0.0);
    FastTreeShapOptions some;
    some.max_table_bytes = FastTreeShap(c.forest).table_bytes() / 2;
    FastTreeShap half(c.forest, some);
    CHECK(half.table_trees() > 0);
    CHECK(half.classic_trees() > 0);
    CHECK(half.table_bytes() <= some.max_table_bytes);
    CHECK(worst_vs_classic(c, some) <= 1e-9);
  }
  SECTION("deep trees against brute force") {
    FastTreeShap fast(c.forest);
    std::vector<double> phi(12);
    for (int r = 0; r < 3; ++r) {
      const float* row = c.rows[r].data();
      fast.explain(row, phi.data());
      const auto expected = shapley_by_enumeration(
          12, [&](unsigned s) { return path_dependent_value(c.forest, row, s); });
      for (int j = 0; j < 12; ++j) REQUIRE(phi[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("fast TreeSHAP leaves a tree with a zero cover to the classic algorithm", "[shap][fast]") {
  ForestCase c = random_forest_case(5, 6, 10, 4, 0.2, 8);
  Forest& f = c.forest;
  // Make one leaf empty: cover 0, its ancestors' covers reduced to match.
  const int root = f.tree_root[3];
  int node = root;
  std::vector<int> path;
  while (!f.is_leaf(node)) path.push_back(node), node = f.left[node];
  const double removed = f.cover[node];
  f.cover[node] = 0;
  for (int p : path) f.cover[p] -= removed;
  FastTreeShap fast(f);
  CHECK(fast.classic_trees() == 1);
  TreeShap classic(f);
  std::vector<double> a(6), b(6);
  for (const auto& row : c.rows) {
    classic.explain(row.data(), a.data());
    fast.explain(row.data(), b.data());
    for (int j = 0; j < 6; ++j) {
      // The same computation for that tree: equal, NaN included (0/0 in the classic unwind).
      REQUIRE(std::isnan(a[j]) == std::isnan(b[j]));
      if (!std::isnan(a[j])) REQUIRE(b[j] == Approx(a[j]).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("fast TreeSHAP: lone leaves and single splits", "[shap][fast]") {
  ForestCase c = random_forest_case(21, 3, 6, 1, 0.3, 8);
  CHECK(worst_vs_classic(c) <= 1e-12);
  // A forest of lone leaves: φ = 0, φ0 = margin.
  Forest f = c.forest;
  for (std::size_t n = 0; n < f.num_nodes(); ++n) f.left[n] = f.right[n] = -1;
  FastTreeShap fast(f);
  std::vector<double> phi(3, 1.0);
  fast.explain(c.rows[0].data(), phi.data());
  for (double p : phi) CHECK(p == 0.0);
  CHECK(fast.expected_value() == Approx(predict_margin(f, c.rows[0].data())).margin(1e-12));
}

TEST_CASE("one FastTreeShap shared by threads, each with its own workspace", "[shap][fast]") {
  ForestCase c = random_forest_case(31, 10, 60, 6, 0.2, 400);
  const FastTreeShap fast(c.forest);
  const std::size_t n = c.rows.size(), m = 10;
  std::vector<double> serial(n * m), parallel(n * m);
  FastTreeShap::Workspace ws(fast);
  for (std::size_t r = 0; r < n; ++r) fast.explain(c.rows[r].data(), serial.data() + r * m, ws);
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < 4; ++t) {
    pool.emplace_back([&, t] {
      FastTreeShap::Workspace own(fast);
      for (std::size_t r = t; r < n; r += 4) fast.explain(c.rows[r].data(), parallel.data() + r * m, own);
    });
  }
  for (std::thread& t : pool) t.join();
  CHECK(serial == parallel);
}

TEST_CASE("explain's margins are predict_margin's bits, with or without classic trees", "[shap][fast]") {
  FastTreeShapOptions narrow;
  narrow.max_path_features = 3;  // some trees classic: the margin then comes from predict_margin
  for (std::uint32_t seed = 300; seed < 306; ++seed) {
    // Depth 0 trees are lone leaves: their values count too.
    ForestCase c = random_forest_case(seed, 8, 60, static_cast<int>(seed % 6), 0.2, 45);
    const int m = c.forest.num_features;
    for (const FastTreeShapOptions& options : {FastTreeShapOptions{}, narrow}) {
      FastTreeShap fast(c.forest, options);
      FastTreeShap::Workspace ws(fast);
      std::vector<float> rows;
      for (const auto& row : c.rows) rows.insert(rows.end(), row.begin(), row.end());
      std::vector<double> phi(c.rows.size() * m), margins(c.rows.size(), -1.0);
      fast.explain_rows(rows.data(), c.rows.size(), phi.data(), ws, margins.data());
      for (std::size_t r = 0; r < c.rows.size(); ++r) {
        const double expected = predict_margin(c.forest, c.rows[r].data());
        REQUIRE(std::memcmp(&margins[r], &expected, sizeof(double)) == 0);
        double one = -1.0;
        fast.explain(c.rows[r].data(), phi.data(), ws, &one);
        REQUIRE(std::memcmp(&one, &expected, sizeof(double)) == 0);
      }
    }
  }
}
