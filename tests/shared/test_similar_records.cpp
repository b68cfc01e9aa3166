#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "shared/error.h"
#include "shared/similar_records.h"

using namespace verdict;

namespace {

// The distance written out feature by feature, as the panel describes it.
double oracle_distance(const std::vector<double>& scale, const std::vector<bool>& categorical, const float* a,
                       const float* b) {
  double sum = 0;
  for (std::size_t f = 0; f < scale.size(); ++f) {
    double d;
    if (std::isnan(a[f]) && std::isnan(b[f])) d = 0;
    else if (std::isnan(a[f]) || std::isnan(b[f])) d = 1;
    else if (categorical[f]) d = a[f] == b[f] ? 0 : 1;
    else d = std::fabs(double(a[f]) - double(b[f])) / scale[f];
    sum += d * d;
  }
  return std::sqrt(sum);
}

}  // namespace

TEST_CASE("similar records: the k nearest by brute force, ties in row order, the record left out", "[similar]") {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> code(0, 3);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t cols = 3 + trial % 4, n = 30 + trial * 7;
    DistanceSpace space;
    for (std::size_t f = 0; f < cols; ++f) {
      space.categorical.push_back(f % 3 == 1);
      space.scale.push_back(0.5 + 10 * unit(rng));
    }
    // Small integer values so many distances tie.
    std::vector<float> rows(n * cols);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      rows[i] = unit(rng) < 0.1 ? std::nanf("") : static_cast<float>(code(rng));
    }
    const std::size_t self = trial % n;
    const float* query = rows.data() + self * cols;
    const std::size_t k = 1 + trial % 9;
    std::vector<std::pair<double, std::size_t>> all;
    for (std::size_t r = 0; r < n; ++r) {
      if (r != self) all.push_back({oracle_distance(space.scale, space.categorical, rows.data() + r * cols, query), r});
    }
    std::sort(all.begin(), all.end());
    const auto got = nearest_records(space, rows.data(), n, query, k, self);
    REQUIRE(got.size() == k);
    for (std::size_t i = 0; i < k; ++i) {
      CHECK(got[i].index == all[i].second);
      CHECK(got[i].distance == Approx(all[i].first).epsilon(1e-12));
      CHECK(got[i].distance == record_distance(space, rows.data() + got[i].index * cols, query));
    }
  }
}

TEST_CASE("similar records: missing values, categories, more k than rows, bad scales", "[similar]") {
  DistanceSpace space{{2.0, 1.0}, {false, true}};
  const float nan = std::nanf("");
  const std::vector<float> rows = {0, 0,  nan, 0,  4, 1,  nan, nan};
  const float query[] = {nan, 0};
  // Row 1: both missing, same code → 0; row 0: one missing → 1; row 3: 0 + 1 → 1; row 2: 1 + 1.
  const auto got = nearest_records(space, rows.data(), 4, query, 10, 99);
  REQUIRE(got.size() == 4);
  CHECK(got[0].index == 1);
  CHECK(got[0].distance == 0.0);
  CHECK(got[1].index == 0);
  CHECK(got[1].distance == 1.0);
  CHECK(got[2].index == 3);
  CHECK(got[3].index == 2);
  CHECK(got[3].distance == Approx(std::sqrt(2.0)));
  const float a[] = {1, 0}, b[] = {5, 0};
  CHECK(record_distance(space, a, b) == 2.0);  // (5 - 1) / 2
  DistanceSpace zero{{0.0, 1.0}, {false, true}};
  CHECK_THROWS_WITH(nearest_records(zero, rows.data(), 4, query, 3, 0), Catch::Contains("feature 0"));
  DistanceSpace uneven{{1.0}, {false, true}};
  CHECK_THROWS_AS(record_distance(uneven, a, b), Error);
}
