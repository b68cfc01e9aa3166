#include "flip_test.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <string>

#include "error.h"
#include "knn_vote.h"

namespace verdict {

int flip_test_neighbours(std::size_t n_a) { return n_a > 9 ? 5 : 1; }

FlipTest::FlipTest(const std::vector<bool>& facet, const std::vector<bool>& predicted,
                   const std::vector<double>& features, std::size_t feature_count)
    : cols_(feature_count) {
  const std::size_t n = facet.size();
  if (predicted.size() != n || features.size() != n * feature_count) {
    throw Error("Flip Test: " + std::to_string(n) + " rows, " + std::to_string(predicted.size()) +
                " predicted labels and " + std::to_string(features.size()) + " feature values for " +
                std::to_string(feature_count) + " features");
  }
  std::size_t n_d = 0;
  for (bool d : facet) n_d += d;
  if (n_d == 0 || n_d == n) throw Error("Flip Test: facet d and facet a both need rows");
  k_ = flip_test_neighbours(n - n_d);
  if (cols_ == 0) {
    error_ = "needs at least one feature besides the facet and the label";
    return;
  }
  std::vector<double> mean(cols_, 0.0);
  for (std::size_t f = 0; f < cols_; ++f) {
    double sum = 0;
    std::size_t seen = 0;
    for (std::size_t r = 0; r < n; ++r) {
      const double v = features[r * cols_ + f];
      if (!std::isnan(v)) sum += v, ++seen;
    }
    mean[f] = seen ? sum / static_cast<double>(seen) : 0.0;
  }
  std::vector<double> a_features;
  std::vector<bool> a_predicted;
  a_features.reserve((n - n_d) * cols_);
  d_features_.reserve(n_d * cols_);
  for (std::size_t r = 0; r < n; ++r) {
    std::vector<double>& to = facet[r] ? d_features_ : a_features;
    for (std::size_t f = 0; f < cols_; ++f) {
      double v = features[r * cols_ + f];
      if (std::isnan(v)) v = mean[f], ++filled_;
      if (std::isinf(v)) {
        error_ = "feature " + std::to_string(f + 1) + " of row " + std::to_string(r + 1) +
                 " is infinite (the k-NN needs finite values)";
        d_features_.clear();
        d_predicted_.clear();  // rows() = 0: nothing to count
        return;
      }
      to.push_back(v);
    }
    (facet[r] ? d_predicted_ : a_predicted).push_back(predicted[r]);
  }
  knn_ = std::make_unique<KnnVote>(a_features, cols_, a_predicted, k_);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> rank(n_d);  // (leaf, row)
  for (std::size_t i = 0; i < n_d; ++i) {
    rank[i] = {knn_->leaf_rank(&d_features_[i * cols_]), static_cast<std::uint32_t>(i)};
  }
  std::sort(rank.begin(), rank.end());
  order_.resize(n_d);
  for (std::size_t i = 0; i < n_d; ++i) order_[i] = rank[i].second;
}

FlipTest::~FlipTest() = default;

bool FlipTest::knn_positive(std::size_t i) const {
  if (!knn_) throw Error("Flip Test: " + error_);
  return 2 * knn_->positives(&d_features_[i * cols_]) > k_;  // k is odd: no 50/50 vote
}

FlipTestCounts FlipTest::count(std::size_t begin, std::size_t end) const {
  FlipTestCounts c;
  c.k = k_;
  for (std::size_t at = begin; at < end && at < rows(); ++at) {
    const std::size_t i = order_[at];
    const bool knn = knn_positive(i);
    if (d_predicted_[i] && !knn) c.model_pos_knn_neg += 1;
    if (!d_predicted_[i] && knn) c.model_neg_knn_pos += 1;
  }
  return c;
}

}  // namespace verdict
