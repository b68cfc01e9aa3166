// shared/knn_vote against the brute-force scan (tests/knn_oracle.h): the same vote for every
// query, on data built to tie — few distinct values, duplicated points, ties at the k-th place.
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "knn_oracle.h"
#include "shared/error.h"
#include "shared/knn_vote.h"

using namespace verdict;

TEST_CASE("k-NN vote: ties at the k-th distance go to the lowest point index", "[knn]") {
  // Points on a line: 0 (neg), 1 (pos), 1 (neg), 1 (pos), 3 (pos); query 0, k = 2:
  //   point 0 at distance 0, then three points at distance 1 (indices 1, 2, 3): index 1 wins
  //   → votes: point 0 neg + point 1 pos = 1.
  const std::vector<double> x = {0, 1, 1, 1, 3};
  const std::vector<bool> pos = {0, 1, 0, 1, 1};
  const double q = 0;
  CHECK(KnnVote(x, 1, pos, 2).positives(&q) == 1);
  // With point 1 negative and point 2 positive, index 1 still wins → 0 votes.
  CHECK(KnnVote(x, 1, {0, 0, 1, 1, 1}, 2).positives(&q) == 0);
  // k = 4 takes all three tied points: 0 + 1 + 0 + 1 = 2.
  CHECK(KnnVote(x, 1, pos, 4).positives(&q) == 2);
  // k = 1 from 2: points 1, 2, 3 (at 1) and 4 (at 3) are all at distance 1 → index 1 (pos).
  const double mid = 2;
  CHECK(KnnVote(x, 1, pos, 1).positives(&mid) == 1);
  CHECK(KnnVote(x, 1, pos, 1).distinct_points() == 3);
}

TEST_CASE("k-NN vote rejects what it cannot answer", "[knn]") {
  CHECK_THROWS_AS(KnnVote({1, 2}, 1, {0, 1}, 3), Error);
  CHECK_THROWS_AS(KnnVote({1, 2}, 1, {0, 1}, 0), Error);
  CHECK_THROWS_AS(KnnVote({1, 2, 3}, 1, {0, 1}, 1), Error);
  CHECK_THROWS_AS(KnnVote({}, 0, {}, 1), Error);
}

TEST_CASE("k-NN vote equals the brute-force scan on random data full of ties", "[knn]") {
  std::mt19937 rng(16);
  int cut_ties = 0;  // queries whose k-th distance is shared by a point left out
  for (int trial = 0; trial < 400; ++trial) {
    const std::size_t n = 1 + rng() % 300, cols = 1 + rng() % 4;
    const int levels = 1 + static_cast<int>(rng() % 4);  // values per feature: heavy ties
    const bool fractional = rng() % 3 == 0;              // values like 0.1, 0.2: rounding in the sums
    auto value = [&] {
      const double v = static_cast<double>(rng() % levels);
      return fractional ? v / 10 : v;
    };
    std::vector<double> x(n * cols);
    std::vector<bool> pos(n);
    for (auto& v : x) v = value();
    for (std::size_t i = 0; i < n; ++i) pos[i] = rng() % 2;
    const int k = std::min<int>(static_cast<int>(n), 1 + static_cast<int>(rng() % 7));
    const KnnVote knn(x, cols, pos, k);
    for (int q = 0; q < 30; ++q) {
      std::vector<double> query(cols);
      for (auto& v : query) v = rng() % 5 == 0 ? value() + 0.5 : value();
      const int brute = testing::brute_knn_positives(x, cols, pos, k, query.data());
      const int fast = knn.positives(query.data());
      if (fast != brute) {
        INFO("trial " << trial << " n " << n << " cols " << cols << " k " << k << " query " << q);
        REQUIRE(fast == brute);
      }
      // How often the rule mattered: the k-th and (k+1)-th nearest at one distance.
      std::vector<double> d;
      for (std::size_t s = 0; s < n; ++s) {
        double t = 0;
        for (std::size_t f = 0; f < cols; ++f) t += (query[f] - x[s * cols + f]) * (query[f] - x[s * cols + f]);
        d.push_back(t);
      }
      std::sort(d.begin(), d.end());
      cut_ties += static_cast<std::size_t>(k) < n && d[k - 1] == d[k];
    }
  }
  CHECK(cut_ties > 1000);  // the data did exercise the tie rule
}

TEST_CASE("k-NN vote equals the brute-force scan on continuous data with a few duplicates", "[knn]") {
  std::mt19937 rng(19);
  std::normal_distribution<double> normal(0, 1);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 500 + rng() % 1500, cols = 1 + rng() % 6;
    std::vector<double> x(n * cols);
    std::vector<bool> pos(n);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t f = 0; f < cols; ++f) {
        x[i * cols + f] = i > 10 && rng() % 10 == 0 ? x[(rng() % i) * cols + f] : normal(rng) * (1 + f * 100.0);
      }
      pos[i] = rng() % 2;
    }
    const KnnVote knn(x, cols, pos, 5);
    for (int q = 0; q < 50; ++q) {
      std::vector<double> query(cols);
      for (std::size_t f = 0; f < cols; ++f) query[f] = normal(rng) * (1 + f * 100.0);
      REQUIRE(knn.positives(query.data()) == testing::brute_knn_positives(x, cols, pos, 5, query.data()));
    }
  }
}
