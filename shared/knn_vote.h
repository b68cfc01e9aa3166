// Exact k-nearest-neighbour vote, the Flip Test's classifier: squared Euclidean distance summed
// over the features in order, uniform votes, and one pinned rule for equally distant points —
// among points at the k-th smallest distance, those with the lowest index are taken. Equal
// points are stored once with their members; a k-d tree over the distinct points finds the
// neighbours without looking at most of them. The result is the same set a brute-force scan
// in index order keeping the first k by (distance, index) finds (tests/knn_oracle.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace verdict {

class KnnVote {
 public:
  // `points`: n rows × `cols` values, row-major, all finite; `positive[i]`: point i's label.
  // Throws verdict::Error unless 1 <= k <= n and the sizes agree.
  KnnVote(const std::vector<double>& points, std::size_t cols, const std::vector<bool>& positive, int k);

  // Positive labels among the k points nearest to `query` (`cols` finite values).
  // Safe to call from several threads at once.
  int positives(const double* query) const;

  // Where `query` falls among the tree's leaves (0, 1, ...): queries asked in this order touch
  // memory nearby one after another.
  std::uint32_t leaf_rank(const double* query) const;

  int k() const { return k_; }
  std::size_t distinct_points() const { return count_.size(); }

 private:
  struct Node {
    std::uint32_t begin = 0, end = 0;  // distinct points [begin, end) in tree order
    std::int32_t left = -1, right = -1;  // children; -1 for a leaf
    std::uint32_t split_feature = 0;
    double split_value = 0;  // left holds values <= split, right values >= split
  };
  struct Candidate {
    double dist;
    std::uint32_t id;  // distinct point
  };
  std::int32_t build(std::vector<std::uint32_t>& order, std::uint32_t begin, std::uint32_t end,
                     const std::vector<double>& distinct);
  double box_distance(std::size_t node, const double* query) const;
  void search(std::int32_t node, const double* query, std::vector<Candidate>& best, double& worst) const;
  void insert(std::vector<Candidate>& best, double& worst, double dist, std::uint32_t id) const;

  std::size_t cols_ = 0;
  int k_ = 0;
  std::vector<double> coord_;             // distinct points in tree order, cols_ values each
  std::vector<std::uint32_t> count_;      // points equal to each distinct point
  std::vector<std::uint32_t> positives_;  // of them, with a positive label
  std::vector<std::uint32_t> first_;      // members of distinct point i: members_[first_[i], first_[i+1])
  std::vector<std::uint32_t> members_;    // point indices, ascending within each distinct point
  std::vector<bool> positive_;            // per point
  std::vector<Node> nodes_;
  std::vector<double> box_;  // per node: cols_ lower bounds then cols_ upper bounds
};

}  // namespace verdict
