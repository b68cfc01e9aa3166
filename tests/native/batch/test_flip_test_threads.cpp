// native/batch/flip_test_threads: the Flip Test split over threads counts what one pass counts.
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "native/batch/flip_test_threads.h"

using namespace verdict;

TEST_CASE("Flip Test on 1, 2 and 3 threads gives the one-pass counts", "[bias][flip]") {
  std::mt19937 rng(7);
  const std::size_t n = 20000, cols = 3;
  std::vector<bool> facet(n), predicted(n);
  std::vector<double> x(n * cols);
  for (std::size_t r = 0; r < n; ++r) {
    facet[r] = rng() % 2;
    predicted[r] = rng() % 3 == 0;
  }
  for (auto& v : x) v = static_cast<double>(rng() % 20);
  const FlipTest test(facet, predicted, x, cols);
  const FlipTestCounts one = test.count(0, test.rows());
  CHECK(one.model_pos_knn_neg + one.model_neg_knn_pos > 0);
  for (unsigned threads : {1u, 2u, 3u}) {
    const FlipTestCounts c = count_flip_test(test, threads);
    CHECK(c.k == 5);
    CHECK(c.model_pos_knn_neg == one.model_pos_knn_neg);
    CHECK(c.model_neg_knn_pos == one.model_neg_knn_pos);
  }
}
