// SHAP per class of a multi-class forest: each algorithm over the class's own trees
// (forest_of_class) against the Shapley values of that class's margin, from their definition.
#include <catch2/catch.hpp>
#include <random>

#include "oracles.h"
#include "random_forest.h"
#include "shared/forest_classes.h"
#include "shared/predict.h"
#include "shared/shap_baseline.h"
#include "shared/shap_baseline_tables.h"
#include "shared/shap_fast.h"
#include "shared/shap_kernel.h"
#include "shared/shap_tree.h"

using namespace verdict;
using namespace verdict::testing;

namespace {

struct MulticlassCase {
  Forest forest;
  std::vector<Forest> classes;
  std::vector<std::vector<float>> rows;
  int m;
};

MulticlassCase random_case(std::uint32_t seed) {
  std::mt19937 rng(seed);
  MulticlassCase c;
  c.m = 2 + static_cast<int>(seed % 8);  // 2..9 features
  const int k = 2 + static_cast<int>(seed % 4);  // 2..5 classes
  c.forest = random_multiclass_forest(rng, c.m, k, 1 + seed % 4, 1 + seed % 5);
  c.classes = forests_by_class(c.forest);
  for (int r = 0; r < 6; ++r) c.rows.push_back(random_row(c.m, rng, seed % 3 ? 0.15 : 0.0));
  return c;
}

// The margin of class k for x_S completed by r (the baseline game), from the whole forest.
double class_margin(const Forest& f, int k, const std::vector<float>& z) {
  std::vector<double> margin(static_cast<std::size_t>(f.num_class));
  predict_class_margins(f, z.data(), margin.data());
  return margin[static_cast<std::size_t>(k)];
}

}  // namespace

TEST_CASE("path-dependent SHAP per class equals brute force, classic and fast", "[shap][multiclass]") {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    MulticlassCase c = random_case(seed);
    for (int k = 0; k < c.forest.num_class; ++k) {
      const Forest& fk = c.classes[static_cast<std::size_t>(k)];
      TreeShap classic(fk);
      FastTreeShap fast(fk);
      std::vector<double> phi(c.m), phi_fast(c.m), margin(static_cast<std::size_t>(c.forest.num_class));
      for (const auto& row : c.rows) {
        classic.explain(row.data(), phi.data());
        fast.explain(row.data(), phi_fast.data());
        const auto expected = shapley_by_enumeration(
            c.m, [&](unsigned s) { return path_dependent_value(fk, row.data(), s); });
        for (int j = 0; j < c.m; ++j) {
          REQUIRE(phi[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
          REQUIRE(phi_fast[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
        }
        // Additive per class against the whole forest's margin k.
        predict_class_margins(c.forest, row.data(), margin.data());
        double sum = classic.expected_value();
        for (double v : phi) sum += v;
        REQUIRE(sum == Approx(margin[k]).margin(1e-9).epsilon(0));
        REQUIRE(fast.expected_value() == classic.expected_value());
      }
    }
  }
}

TEST_CASE("baseline SHAP per class equals brute force, walked and tabled", "[shap][multiclass]") {
  for (std::uint32_t seed = 40; seed < 60; ++seed) {
    MulticlassCase c = random_case(seed);
    std::mt19937 rng(seed * 7);
    const std::vector<float> reference = random_row(c.m, rng, 0.1);
    for (int k = 0; k < c.forest.num_class; ++k) {
      const Forest& fk = c.classes[static_cast<std::size_t>(k)];
      BaselineShap walked(fk, reference);
      BaselineShapTables tabled(fk, reference, {});
      BaselineShapTables::Workspace ws(tabled);
      std::vector<double> phi(c.m), phi_tables(c.m);
      for (const auto& row : c.rows) {
        walked.explain(row.data(), phi.data());
        tabled.explain(row.data(), phi_tables.data(), ws);
        const auto expected = shapley_by_enumeration(c.m, [&](unsigned s) {
          std::vector<float> z(c.m);
          for (int j = 0; j < c.m; ++j) z[j] = (s & (1u << j)) ? row[j] : reference[j];
          return class_margin(c.forest, k, z);
        });
        double sum = tabled.expected_value();
        for (int j = 0; j < c.m; ++j) {
          REQUIRE(phi[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
          REQUIRE(phi_tables[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
          sum += phi_tables[j];
        }
        REQUIRE(tabled.expected_value() == Approx(class_margin(c.forest, k, reference)).margin(1e-12).epsilon(0));
        REQUIRE(sum == Approx(class_margin(c.forest, k, row)).margin(1e-9).epsilon(0));
      }
    }
  }
}

TEST_CASE("Kernel SHAP per class with every coalition equals baseline SHAP per class", "[shap][kernel][multiclass]") {
  for (std::uint32_t seed = 70; seed < 80; ++seed) {
    MulticlassCase c = random_case(seed);
    std::mt19937 rng(seed);
    const std::vector<float> reference = random_row(c.m, rng, 0.0);
    const std::size_t all = (std::size_t{1} << c.m) - 2;
    for (int k = 0; k < c.forest.num_class; ++k) {
      const Forest& fk = c.classes[static_cast<std::size_t>(k)];
      BaselineShap exact(fk, reference);
      KernelShap kernel(fk, KernelUnits::Margin, reference, {}, {all, seed});
      std::vector<double> want(c.m), got(c.m);
      for (const auto& row : c.rows) {
        exact.explain(row.data(), want.data());
        kernel.explain(row.data(), got.data());
        for (int j = 0; j < c.m; ++j) REQUIRE(got[j] == Approx(want[j]).margin(1e-8).epsilon(0));
      }
    }
  }
}

TEST_CASE("Kernel SHAP of one class's softmax probability is additive in probability", "[shap][kernel][multiclass]") {
  MulticlassCase c = random_case(9);
  const int classes = c.forest.num_class, m = c.m;
  std::mt19937 rng(9);
  const std::vector<float> reference = random_row(m, rng, 0.0);
  for (int k = 0; k < classes; ++k) {
    auto probability = [&](const float* row) {
      std::vector<double> margin(static_cast<std::size_t>(classes)), prob(margin.size());
      predict_class_margins(c.forest, row, margin.data());
      softmax(margin.data(), classes, prob.data());
      return prob[static_cast<std::size_t>(k)];
    };
    KernelShap kernel(batch_model(probability, m), KernelLink::Identity, m, reference, {},
                      {(std::size_t{1} << m) - 2, 3});
    CHECK(kernel.expected_value() == Approx(probability(reference.data())).margin(1e-12));
    std::vector<double> phi(m);
    for (const auto& row : c.rows) {
      kernel.explain(row.data(), phi.data());
      const auto expected = shapley_by_enumeration(m, [&](unsigned s) {
        std::vector<float> z(m);
        for (int j = 0; j < m; ++j) z[j] = (s & (1u << j)) ? row[j] : reference[j];
        return probability(z.data());
      });
      for (int j = 0; j < m; ++j) REQUIRE(phi[j] == Approx(expected[j]).margin(1e-9).epsilon(0));
    }
  }
}
