// BaselineShapTables against its references: the weighted mean of BaselineShap (the walk)
// over the reference rows, brute-force Shapley enumeration of v(S) = Σ_b w_b f(x_S, r_b rest),
// and additivity; also with trees forced onto the walk fallback.
#include <catch2/catch.hpp>

#include "oracles.h"
#include "random_forest.h"
#include "shared/forest.h"
#include "shared/predict.h"
#include "shared/shap_baseline.h"
#include "shared/shap_baseline_tables.h"

using namespace verdict;
using namespace verdict::testing;

namespace {

struct Case : ForestCase {
  std::vector<float> references;  // refs × features
  std::vector<double> weights;
};

Case make_case(std::uint32_t seed, int features, int trees, int depth, int refs, double missing) {
  std::mt19937 rng(seed);
  Case c{random_forest_case(rng, features, trees, depth, missing, 8)};
  std::uniform_real_distribution<double> weight(0.1, 5.0);
  for (int b = 0; b < refs; ++b) {
    const std::vector<float> r = random_row(features, rng, missing);
    c.references.insert(c.references.end(), r.begin(), r.end());
    c.weights.push_back(weight(rng));
  }
  // One reference equal to an explained row: x and r agree everywhere for that pair.
  c.references.insert(c.references.end(), c.rows[0].begin(), c.rows[0].end());
  c.weights.push_back(1.0);
  return c;
}

// The weighted mean of the walk over the references: the reference values.
std::vector<double> walk_mean(const Case& c, const float* row) {
  const std::size_t m = static_cast<std::size_t>(c.forest.num_features);
  double total = 0;
  for (double w : c.weights) total += w;
  std::vector<double> mean(m, 0.0), phi(m);
  for (std::size_t b = 0; b < c.weights.size(); ++b) {
    BaselineShap walk(c.forest, std::vector<float>(c.references.begin() + b * m, c.references.begin() + (b + 1) * m));
    walk.explain(row, phi.data());
    for (std::size_t j = 0; j < m; ++j) mean[j] += c.weights[b] / total * phi[j];
  }
  return mean;
}

}  // namespace

TEST_CASE("baseline SHAP tables equal the weighted mean of the walk over the references", "[shap]") {
  for (std::uint32_t seed = 1; seed <= 30; ++seed) {
    const int m = 2 + static_cast<int>(seed % 11);
    const Case c = make_case(seed, m, 1 + seed % 9, 1 + seed % 7, 1 + seed % 6, seed % 3 ? 0.15 : 0.0);
    const BaselineShapTables tables(c.forest, c.references, c.weights);
    BaselineShapTables::Workspace ws(tables);
    REQUIRE(tables.walked_trees() == 0);
    REQUIRE(tables.references() == c.weights.size());
    std::vector<double> phi(m);
    for (const auto& row : c.rows) {
      tables.explain(row.data(), phi.data(), ws);
      const std::vector<double> expected = walk_mean(c, row.data());
      for (int j = 0; j < m; ++j) REQUIRE(phi[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("baseline SHAP tables equal brute-force Shapley enumeration and are additive", "[shap]") {
  for (std::uint32_t seed = 40; seed < 60; ++seed) {
    const int m = 2 + static_cast<int>(seed % 8);
    const Case c = make_case(seed, m, 1 + seed % 6, 1 + seed % 6, 1 + seed % 4, 0.15);
    const BaselineShapTables tables(c.forest, c.references, c.weights);
    BaselineShapTables::Workspace ws(tables);
    double total = 0;
    for (double w : c.weights) total += w;
    double expected_value = 0;
    for (std::size_t b = 0; b < c.weights.size(); ++b) {
      expected_value += c.weights[b] / total * predict_margin(c.forest, c.references.data() + b * m);
    }
    REQUIRE(tables.expected_value() == Approx(expected_value).margin(1e-12).epsilon(0));
    std::vector<double> phi(m);
    for (const auto& row : c.rows) {
      tables.explain(row.data(), phi.data(), ws);
      const auto expected = shapley_by_enumeration(m, [&](unsigned s) {
        double v = 0;
        for (std::size_t b = 0; b < c.weights.size(); ++b) {
          v += c.weights[b] / total * baseline_value(c.forest, row.data(), c.references.data() + b * m, s);
        }
        return v;
      });
      double sum = tables.expected_value();
      for (int j = 0; j < m; ++j) {
        REQUIRE(phi[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
        sum += phi[j];
      }
      CHECK(sum == Approx(predict_margin(c.forest, row.data())).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("baseline SHAP tables: trees over the path or memory limit are walked, same values", "[shap]") {
  const int m = 9;
  const Case c = make_case(77, m, 12, 6, 4, 0.15);
  const BaselineShapTables all_tables(c.forest, c.references, c.weights);
  BaselineShapTablesOptions narrow;
  narrow.max_path_features = 3;
  const BaselineShapTables some_walked(c.forest, c.references, c.weights, narrow);
  BaselineShapTablesOptions no_memory;
  no_memory.max_table_bytes = 0;
  const BaselineShapTables all_walked(c.forest, c.references, c.weights, no_memory);
  REQUIRE(all_tables.walked_trees() == 0);
  REQUIRE(some_walked.walked_trees() > 0);
  REQUIRE(some_walked.table_trees() > 0);
  REQUIRE(all_walked.table_trees() == 0);
  BaselineShapTables::Workspace w1(all_tables), w2(some_walked), w3(all_walked);
  std::vector<double> a(m), b(m), d(m);
  for (const auto& row : c.rows) {
    all_tables.explain(row.data(), a.data(), w1);
    some_walked.explain(row.data(), b.data(), w2);
    all_walked.explain(row.data(), d.data(), w3);
    for (int j = 0; j < m; ++j) {
      CHECK(b[j] == Approx(a[j]).margin(1e-9).epsilon(0));
      CHECK(d[j] == Approx(a[j]).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("baseline SHAP tables: paths of exactly max_path_features features use the table's last weights", "[shap]") {
  // A path of depth d has at most d distinct features; with max_path_features = d every such
  // path is tabled, and the largest coalitions (a + b = d - 1) read the weight table's edge.
  for (int depth = 2; depth <= 6; ++depth) {
    for (std::uint32_t seed = 0; seed < 4; ++seed) {
      const int m = 9;
      const Case c = make_case(500 + 10 * static_cast<std::uint32_t>(depth) + seed, m, 6, depth, 3, 0.1);
      BaselineShapTablesOptions exact;
      exact.max_path_features = depth;
      const BaselineShapTables tables(c.forest, c.references, c.weights, exact);
      REQUIRE(tables.walked_trees() == 0);
      BaselineShapTables::Workspace ws(tables);
      std::vector<double> phi(m);
      for (const auto& row : c.rows) {
        tables.explain(row.data(), phi.data(), ws);
        const std::vector<double> expected = walk_mean(c, row.data());
        for (int j = 0; j < m; ++j) REQUIRE(phi[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
      }
    }
  }
}

TEST_CASE("baseline SHAP tables reject a bad reference or weights", "[shap]") {
  const Case c = make_case(3, 5, 2, 3, 2, 0.0);
  CHECK_THROWS_WITH(BaselineShapTables(c.forest, std::vector<float>(4, 0.f), {}),
                    Catch::Contains("baseline has 4 values; the model has 5 features"));
  CHECK_THROWS_WITH(BaselineShapTables(c.forest, c.references, {1.0}),
                    Catch::Contains("baseline has 3 rows but 1 weights"));
  CHECK_THROWS_WITH(BaselineShapTables(c.forest, c.references, {0.0, 0.0, 0.0}),
                    Catch::Contains("baseline weights must be positive"));
}

TEST_CASE("baseline SHAP tables against a large background: the walk's weighted mean, rows in blocks", "[shap]") {
  // 3,000 references (the background pass) and 70 rows (two blocks and a remainder).
  std::mt19937 rng(77);
  const int m = 9;
  Case c{random_forest_case(rng, m, 40, 5, 0.1, 70)};
  for (int b = 0; b < 3000; ++b) {
    const std::vector<float> r = random_row(m, rng, 0.1);
    c.references.insert(c.references.end(), r.begin(), r.end());
    c.weights.push_back(1.0);
  }
  const BaselineShapTables tables(c.forest, c.references, {});
  BaselineShapTables::Workspace ws(tables);
  REQUIRE(tables.walked_trees() == 0);
  std::vector<float> rows;
  for (const auto& row : c.rows) rows.insert(rows.end(), row.begin(), row.end());
  std::vector<double> together(c.rows.size() * m), one(m);
  tables.explain_rows(rows.data(), c.rows.size(), together.data(), ws);
  for (std::size_t r = 0; r < c.rows.size(); ++r) {
    tables.explain(c.rows[r].data(), one.data(), ws);
    for (int j = 0; j < m; ++j) REQUIRE(one[j] == together[r * m + j]);  // the same bits
    if (r % 10 != 0) continue;  // the walk over 3,000 references is slow: every tenth row
    const std::vector<double> expected = walk_mean(c, c.rows[r].data());
    for (int j = 0; j < m; ++j) REQUIRE(one[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
  }
}
