#include <catch2/catch.hpp>
#include <cmath>
#include <iostream>

#include "oracles.h"
#include "random_forest.h"
#include "shared/forest.h"
#include "shared/kmeans.h"
#include "shared/portable_random.h"
#include "shared/predict.h"
#include "shared/shap_baseline.h"
#include "shared/shap_kernel.h"

using namespace verdict;
using namespace verdict::testing;

namespace {


std::vector<float> concat(const std::vector<std::vector<float>>& rows) {
  std::vector<float> out;
  for (const auto& r : rows) out.insert(out.end(), r.begin(), r.end());
  return out;
}

// Weighted mean of exact baseline SHAP over the reference rows (margin units).
std::vector<double> mean_exact(const Forest& f, const std::vector<std::vector<float>>& refs,
                               const std::vector<double>& weights, const float* row, double* phi0) {
  const int m = f.num_features;
  std::vector<double> phi(m, 0.0), one(m);
  double total = 0;
  for (double w : weights) total += w;
  *phi0 = 0;
  for (std::size_t b = 0; b < refs.size(); ++b) {
    BaselineShap exact(f, refs[b]);
    exact.explain(row, one.data());
    for (int j = 0; j < m; ++j) phi[j] += weights[b] / total * one[j];
    *phi0 += weights[b] / total * exact.expected_value();
  }
  return phi;
}

double sum_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

std::size_t all_coalitions(int m) { return (std::size_t{1} << m) - 2; }

}  // namespace

TEST_CASE("Kernel SHAP with every coalition and one baseline row equals exact baseline SHAP", "[kernel]") {
  for (std::uint32_t seed = 200; seed < 224; ++seed) {
    const int m = 2 + static_cast<int>(seed % 9);  // 2..10 features
    ForestCase c = random_forest_case(seed, m, 1 + seed % 7, 1 + seed % 6, seed % 3 ? 0.15 : 0.0, 6);
    std::mt19937 rng(seed * 5);
    const std::vector<float> reference = random_row(m, rng, 0.1);
    BaselineShap exact(c.forest, reference);
    KernelShap kernel(c.forest, KernelUnits::Margin, reference, {}, {all_coalitions(m), seed});
    REQUIRE(kernel.expected_value() == Approx(exact.expected_value()).margin(1e-12).epsilon(0));
    std::vector<double> want(m), got(m);
    for (const auto& row : c.rows) {
      exact.explain(row.data(), want.data());
      kernel.explain(row.data(), got.data());
      REQUIRE(kernel.last_stats().exact);
      for (int j = 0; j < m; ++j) REQUIRE(got[j] == Approx(want[j]).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("Kernel SHAP of any callable with every coalition equals brute-force Shapley", "[kernel]") {
  // Not a tree: a smooth function with interactions, through the row-by-row adapter.
  const int m = 7;
  const RowModel f = [](const float* x) {
    return std::sin(x[0]) * x[1] + x[2] * x[3] * x[4] - 0.5 * x[5] + std::exp(0.3 * x[6]) * x[0];
  };
  std::mt19937 rng(42);
  const std::vector<float> reference = random_row(m, rng, 0.0);
  KernelShap kernel(batch_model(f, m), KernelLink::Identity, m, reference, {}, {all_coalitions(m), 1});
  std::vector<double> got(m);
  for (int r = 0; r < 5; ++r) {
    const std::vector<float> x = random_row(m, rng, 0.0);
    kernel.explain(x.data(), got.data());
    const auto want = shapley_by_enumeration(m, [&](unsigned s) {
      std::vector<float> z(m);
      for (int j = 0; j < m; ++j) z[j] = (s & (1u << j)) ? x[j] : reference[j];
      return f(z.data());
    });
    for (int j = 0; j < m; ++j) REQUIRE(got[j] == Approx(want[j]).margin(1e-9).epsilon(0));
  }
}

TEST_CASE("Kernel SHAP over several baseline rows is the weighted mean of exact baseline SHAP", "[kernel]") {
  for (std::uint32_t seed = 300; seed < 312; ++seed) {
    const int m = 3 + static_cast<int>(seed % 7);  // 3..9
    ForestCase c = random_forest_case(seed, m, 3 + seed % 5, 2 + seed % 4, 0.15, 6);
    std::mt19937 rng(seed);
    std::vector<std::vector<float>> refs;
    const int nrefs = 2 + static_cast<int>(seed % 4);
    for (int b = 0; b < nrefs; ++b) refs.push_back(random_row(m, rng, 0.1));
    std::vector<double> weights;
    for (int b = 0; b < nrefs; ++b) weights.push_back(seed % 2 ? 1.0 : 1.0 + b * 3.0);
    KernelShap kernel(c.forest, KernelUnits::Margin, concat(refs), weights, {all_coalitions(m), 7});
    CHECK(kernel.baseline_rows() == refs.size());
    std::vector<double> got(m);
    for (const auto& row : c.rows) {
      double phi0 = 0;
      const auto want = mean_exact(c.forest, refs, weights, row.data(), &phi0);
      kernel.explain(row.data(), got.data());
      REQUIRE(kernel.expected_value() == Approx(phi0).margin(1e-12).epsilon(0));
      for (int j = 0; j < m; ++j) REQUIRE(got[j] == Approx(want[j]).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("Kernel SHAP is additive when sampling: sum of phi plus phi0 is the margin", "[kernel]") {
  ForestCase c = random_forest_case(11, 12, 40, 6, 0.2, 10);
  const std::vector<float> refs = concat({c.rows[0], c.rows[1], c.rows[2]});
  for (std::size_t samples : {1u, 15u, 100u, 2000u}) {
    KernelShap kernel(c.forest, KernelUnits::Margin, refs, {}, {samples, 3});
    std::vector<double> phi(12);
    for (std::size_t r = 3; r < c.rows.size(); ++r) {
      kernel.explain(c.rows[r].data(), phi.data(), r);
      INFO("num_samples " << samples << ", row " << r);
      CHECK(kernel.last_stats().samples <= samples);
      CHECK(!kernel.last_stats().exact);
      for (double p : phi) REQUIRE(std::isfinite(p));
      CHECK(sum_of(phi) + kernel.expected_value() ==
            Approx(predict_margin(c.forest, c.rows[r].data())).margin(1e-9).epsilon(0));
    }
  }
}

TEST_CASE("Kernel SHAP: features equal to every baseline row get zero; one varying feature gets all", "[kernel]") {
  ForestCase c = random_forest_case(13, 6, 10, 4, 0.0, 6);
  std::vector<float> x = c.rows[0], ref = c.rows[1];
  for (int j : {1, 3, 4}) ref[j] = x[j];
  x[5] = ref[5] = std::nanf("");  // missing in both: equal
  KernelShap kernel(c.forest, KernelUnits::Margin, ref, {}, {50, 0});
  std::vector<double> phi(6, 9.0);
  kernel.explain(x.data(), phi.data());
  CHECK(kernel.last_stats().varying == 2);
  CHECK(kernel.last_stats().exact);  // 2^2 − 2 = 2 coalitions ≤ 50
  for (int j : {1, 3, 4, 5}) CHECK(phi[j] == 0.0);
  BaselineShap exact(c.forest, ref);
  std::vector<double> want(6);
  exact.explain(x.data(), want.data());
  for (int j = 0; j < 6; ++j) CHECK(phi[j] == Approx(want[j]).margin(1e-12).epsilon(0));

  std::vector<float> y = ref;
  y[2] = x[2];
  kernel.explain(y.data(), phi.data());
  CHECK(kernel.last_stats().varying <= 1);
  CHECK(sum_of(phi) == Approx(predict_margin(c.forest, y.data()) - kernel.expected_value()).margin(1e-12));
  kernel.explain(ref.data(), phi.data());
  for (double p : phi) CHECK(p == 0.0);
}

TEST_CASE("Kernel SHAP is deterministic by seed and stream, independent of call order", "[kernel]") {
  ForestCase c = random_forest_case(17, 10, 30, 5, 0.1, 8);
  const std::vector<float> refs = concat({c.rows[6], c.rows[7]});
  auto run = [&](std::uint64_t seed, std::uint64_t stream, const std::vector<float>& row, KernelShap* reuse = nullptr) {
    std::vector<double> phi(10);
    if (reuse) {
      reuse->explain(row.data(), phi.data(), stream);
    } else {
      KernelShap k(c.forest, KernelUnits::Margin, refs, {}, {60, seed});
      k.explain(row.data(), phi.data(), stream);
    }
    return phi;
  };
  const auto a = run(5, 0, c.rows[0]);
  CHECK(run(5, 0, c.rows[0]) == a);  // bit for bit
  CHECK(run(6, 0, c.rows[0]) != a);
  CHECK(run(5, 1, c.rows[0]) != a);
  // Explaining other rows first changes nothing.
  KernelShap shared(c.forest, KernelUnits::Margin, refs, {}, {60, 5});
  run(5, 3, c.rows[1], &shared);
  run(5, 4, c.rows[2], &shared);
  CHECK(run(5, 0, c.rows[0], &shared) == a);
}

TEST_CASE("portable random numbers: std::mt19937_64 raw outputs, mapped by hand", "[kernel]") {
  std::mt19937_64 standard;  // the C++ standard fixes its 10000th output
  standard.discard(9999);
  CHECK(standard() == 9981545732273789042ull);
  std::mt19937_64 rng(mix_seed(0, 0));
  for (int i = 0; i < 1000; ++i) {
    const double u = uniform01(rng);
    REQUIRE((u >= 0.0 && u < 1.0));
    REQUIRE(uniform_below(rng, 7) < 7);
  }
  CHECK(uniform_below(rng, 1) == 0);
}

TEST_CASE("Kernel SHAP with use_logit off: probability units summing to p(x) - mean p(baseline)", "[kernel]") {
  ForestCase c = random_forest_case(19, 8, 25, 5, 0.1, 8);
  const std::vector<std::vector<float>> refs = {c.rows[5], c.rows[6], c.rows[7]};
  double mean_p = 0;
  for (const auto& r : refs) mean_p += apply_link(c.forest.link, predict_margin(c.forest, r.data())) / 3;
  std::vector<double> phi(8);
  for (std::size_t samples : {40u, 254u}) {  // sampled, then all 2^8 − 2 coalitions
    KernelShap kernel(c.forest, KernelUnits::Prediction, concat(refs), {}, {samples, 1});
    CHECK(kernel.expected_value() == Approx(mean_p).margin(1e-12).epsilon(0));
    for (int r = 0; r < 5; ++r) {
      const double p = apply_link(c.forest.link, predict_margin(c.forest, c.rows[r].data()));
      kernel.explain(c.rows[r].data(), phi.data(), r);
      CHECK(sum_of(phi) == Approx(p - mean_p).margin(1e-9).epsilon(0));
      CHECK(std::fabs(sum_of(phi)) < 1.0);
    }
  }
  // One baseline row, every coalition: brute-force Shapley of the probability game.
  KernelShap kernel(c.forest, KernelUnits::Prediction, refs[0], {}, {254, 1});
  const float* x = c.rows[0].data();
  kernel.explain(x, phi.data());
  const auto want = shapley_by_enumeration(8, [&](unsigned s) {
    return apply_link(c.forest.link, baseline_value(c.forest, x, refs[0].data(), s));
  });
  for (int j = 0; j < 8; ++j) CHECK(phi[j] == Approx(want[j]).margin(1e-9).epsilon(0));
}

TEST_CASE("Kernel SHAP with shap's logit link: logit of the mean probability", "[kernel]") {
  ForestCase c = random_forest_case(23, 6, 20, 4, 0.1, 6);
  std::vector<double> a(6), b(6);
  // One baseline row: the same as margin units.
  KernelShap margin(c.forest, KernelUnits::Margin, c.rows[5], {}, {62, 2});
  KernelShap logit(c.forest, KernelUnits::LogitOfMean, c.rows[5], {}, {62, 2});
  CHECK(logit.expected_value() == Approx(margin.expected_value()).margin(1e-9));
  margin.explain(c.rows[0].data(), a.data());
  logit.explain(c.rows[0].data(), b.data());
  for (int j = 0; j < 6; ++j) CHECK(b[j] == Approx(a[j]).margin(1e-9));
  // Several: φ0 = logit(mean p), Σφ = margin(x) − φ0.
  const std::vector<std::vector<float>> refs = {c.rows[3], c.rows[4], c.rows[5]};
  KernelShap several(c.forest, KernelUnits::LogitOfMean, concat(refs), {}, {30, 2});
  double mean_p = 0;
  for (const auto& r : refs) mean_p += apply_link(c.forest.link, predict_margin(c.forest, r.data())) / 3;
  CHECK(several.expected_value() == Approx(std::log(mean_p / (1 - mean_p))).margin(1e-12));
  several.explain(c.rows[0].data(), b.data());
  CHECK(sum_of(b) + several.expected_value() == Approx(predict_margin(c.forest, c.rows[0].data())).margin(1e-9));
}

TEST_CASE("Kernel SHAP rejects bad baselines and links", "[kernel]") {
  ForestCase c = random_forest_case(29, 4, 2, 3, 0.0, 6);
  const KernelShapOptions o{10, 0};
  CHECK_THROWS_WITH(KernelShap(c.forest, KernelUnits::Margin, std::vector<float>(6, 0.f), {}, o),
                    Catch::Contains("must be one or more rows of 4 features"));
  CHECK_THROWS_WITH(KernelShap(c.forest, KernelUnits::Margin, {}, {}, o), Catch::Contains("one or more rows"));
  CHECK_THROWS_WITH(KernelShap(c.forest, KernelUnits::Margin, std::vector<float>(8, 0.f), {1.0}, o),
                    Catch::Contains("2 rows but 1 weights"));
  CHECK_THROWS_WITH(KernelShap(c.forest, KernelUnits::Margin, std::vector<float>(4, 0.f), {-1.0}, o),
                    Catch::Contains("weights must be positive"));
  std::mt19937 rng(1);
  const Forest reg = load_xgboost_json(random_xgboost_model({3, 4, 3, "reg:squarederror"}, rng));
  CHECK_THROWS_WITH(KernelShap(reg, KernelUnits::LogitOfMean, std::vector<float>(4, 0.f), {}, o),
                    Catch::Contains("logit_of_mean need a model with probability outputs"));
}

TEST_CASE("K-means summary: K rows near the cluster centres, categorical modes, deterministic", "[kernel][kmeans]") {
  // Three blobs on very different scales, with a categorical column mostly one code per blob.
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0.0, 1.0);
  const double centre_a[3] = {0, 10, 20}, centre_b[3] = {1000, 5000, 9000};
  const float code[3] = {2, 0, 1};
  std::vector<float> x;
  for (int blob = 0; blob < 3; ++blob) {
    for (int i = 0; i < 40; ++i) {
      x.push_back(static_cast<float>(centre_a[blob] + 0.5 * noise(rng)));
      x.push_back(i == 7 ? std::nanf("") : static_cast<float>(centre_b[blob] + 100 * noise(rng)));
      x.push_back(i % 5 == 4 ? static_cast<float>((blob + 1) % 3) : code[blob]);
    }
  }
  const std::vector<bool> categorical = {false, false, true};
  KMeansOptions o;
  o.k = 3;
  o.seed = 9;
  const ClusterSummary s = kmeans_summary(x.data(), 120, 3, categorical, o);
  REQUIRE(s.size() == 3);
  REQUIRE(s.centres.size() == 9);
  const ClusterSummary again = kmeans_summary(x.data(), 120, 3, categorical, o);
  CHECK(again.centres == s.centres);
  CHECK(again.counts == s.counts);
  bool found[3] = {false, false, false};
  for (std::size_t c = 0; c < 3; ++c) {
    const float* centre = s.centres.data() + c * 3;
    for (int blob = 0; blob < 3; ++blob) {
      if (std::fabs(centre[0] - centre_a[blob]) < 1.0) {
        found[blob] = true;
        CHECK(s.counts[c] == 40);
        CHECK(std::fabs(centre[1] - centre_b[blob]) < 100);
        CHECK(centre[2] == code[blob]);
      }
    }
  }
  CHECK((found[0] && found[1] && found[2]));
  // Another seed finds the same partition of such clear blobs.
  o.seed = 10;
  const ClusterSummary other = kmeans_summary(x.data(), 120, 3, categorical, o);
  CHECK(other.cost == Approx(s.cost));

  // K = 1 is the column means (numeric) and the mode (categorical).
  o.k = 1;
  const ClusterSummary one = kmeans_summary(x.data(), 120, 3, categorical, o);
  REQUIRE(one.size() == 1);
  CHECK(one.centres[0] == Approx(10.0).margin(0.2));
  CHECK(one.counts[0] == 120);
}

TEST_CASE("K-means summary: few distinct rows, and errors", "[kernel][kmeans]") {
  const std::vector<float> x = {1, 1, 1, 1, 5, 5, 5, 5};  // 2 distinct rows of 2 columns
  KMeansOptions o;
  o.k = 3;
  const ClusterSummary s = kmeans_summary(x.data(), 4, 2, {false, true}, o);
  CHECK(s.size() == 2);
  CHECK(s.counts[0] + s.counts[1] == 4);
  o.k = 5;
  CHECK_THROWS_WITH(kmeans_summary(x.data(), 4, 2, {false, true}, o), Catch::Contains("needs at least 5 rows"));
  o.k = 0;
  CHECK_THROWS_WITH(kmeans_summary(x.data(), 4, 2, {false, true}, o), Catch::Contains("K of at least 1"));
}

TEST_CASE("Kernel SHAP over a K-means baseline equals the weighted mean of exact baseline SHAP", "[kernel][kmeans]") {
  ForestCase c = random_forest_case(31, 6, 15, 4, 0.1, 60);
  const std::vector<float> data = concat(c.rows);
  KMeansOptions o;
  o.k = 4;
  const ClusterSummary s = kmeans_summary(data.data(), c.rows.size(), 6, std::vector<bool>(6, false), o);
  REQUIRE(s.size() == 4);
  std::vector<std::vector<float>> refs;
  std::vector<double> weights;
  for (std::size_t b = 0; b < s.size(); ++b) {
    refs.emplace_back(s.centres.begin() + static_cast<long>(b * 6), s.centres.begin() + static_cast<long>((b + 1) * 6));
    weights.push_back(static_cast<double>(s.counts[b]));
  }
  KernelShap kernel(c.forest, KernelUnits::Margin, s.centres, weights, {62, 0});
  std::vector<double> got(6);
  for (int r = 0; r < 5; ++r) {
    double phi0 = 0;
    const auto want = mean_exact(c.forest, refs, weights, c.rows[r].data(), &phi0);
    kernel.explain(c.rows[r].data(), got.data());
    CHECK(kernel.expected_value() == Approx(phi0).margin(1e-12));
    for (int j = 0; j < 6; ++j) CHECK(got[j] == Approx(want[j]).margin(1e-9));
  }
}

TEST_CASE("Kernel SHAP with Clarify's num_samples = 15 on Adult-like models: measured error", "[kernel][measure]") {
  // 14 features like Adult, 100 trees of depth 5; the truth is exact baseline SHAP against the
  // same single reference row. Reports the error; asserts only sanity (finite, additive).
  const int m = 14;
  double abs_err_15 = 0, abs_err_2076 = 0, abs_phi = 0;
  std::size_t values = 0;
  for (std::uint32_t model = 0; model < 4; ++model) {
    ForestCase c = random_forest_case(500 + model, m, 100, 5, 0.05, 50);
    std::mt19937 rng(model);
    const std::vector<float> reference = random_row(m, rng, 0.0);
    BaselineShap exact(c.forest, reference);
    KernelShap k15(c.forest, KernelUnits::Margin, reference, {}, {15, model});
    KernelShap kauto(c.forest, KernelUnits::Margin, reference, {}, {0, model});
    std::vector<double> want(m), a(m), b(m);
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
      const float* x = c.rows[r].data();
      exact.explain(x, want.data());
      k15.explain(x, a.data(), r);
      kauto.explain(x, b.data(), r);
      const double margin = predict_margin(c.forest, x);
      REQUIRE(sum_of(a) + k15.expected_value() == Approx(margin).margin(1e-9));
      REQUIRE(sum_of(b) + kauto.expected_value() == Approx(margin).margin(1e-9));
      for (int j = 0; j < m; ++j) {
        REQUIRE(std::isfinite(a[j]));
        abs_err_15 += std::fabs(a[j] - want[j]);
        abs_err_2076 += std::fabs(b[j] - want[j]);
        abs_phi += std::fabs(want[j]);
        ++values;
      }
    }
  }
  const double n = static_cast<double>(values);
  std::cout << "Kernel SHAP vs exact on Adult-like random models (14 features, 100 trees, depth 5; "
            << values << " values): mean |phi| " << abs_phi / n << ", mean |error| at num_samples 15: "
            << abs_err_15 / n << ", at auto (2076): " << abs_err_2076 / n << "\n";
  CHECK(abs_err_2076 < abs_err_15);
}
