// The Flip Test's neighbour step (smclarify's FT): a k-nearest-neighbour classifier fitted on
// facet a's rows and their predicted labels labels every row of facet d (shared/knn_vote: exact,
// Euclidean over the features as given, ties at the k-th distance to the lowest row index).
// Prepared once and counted over any range of facet d's rows, so a caller may split the rows
// over threads: the counts are integers, so the sums are the same however they are split.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace verdict {

class KnnVote;

// The Flip Test's k-nearest-neighbour step, for the report.
struct FlipTestCounts {
  int k = 0;                           // neighbours: 5, or 1 when n_a <= 9
  std::size_t model_pos_knn_neg = 0;   // in d: predicted positive, its a-neighbours say negative
  std::size_t model_neg_knn_pos = 0;   // in d: predicted negative, its a-neighbours say positive
};

// Neighbours the Flip Test uses: 5, or 1 when facet a has at most 9 rows (smclarify's
// FT_DEFAULT_NEIGHBOR, FT_MIN_NEIGHBOR, FT_SAMPLES_COUNT_THRESHOLD).
int flip_test_neighbours(std::size_t n_a);

class FlipTest {
 public:
  // `facet[r]`: row r is in facet d; `predicted[r]`: the model's label; `features`: rows ×
  // `feature_count`, row-major, NaN = missing, filled with the column's mean over all rows
  // (scikit-learn refuses NaN). Throws verdict::Error when the sizes disagree or a facet is
  // empty; error() says why FT is undefined for these features (none, or an infinite value).
  FlipTest(const std::vector<bool>& facet, const std::vector<bool>& predicted, const std::vector<double>& features,
           std::size_t feature_count);
  ~FlipTest();

  const std::string& error() const { return error_; }
  std::size_t filled() const { return filled_; }  // missing values filled with the column mean
  int k() const { return k_; }
  std::size_t rows() const { return d_predicted_.size(); }  // facet d's rows, in row order

  // The kNN's label for facet d's i-th row (i < rows()): a majority of its k neighbours in a.
  bool knn_positive(std::size_t i) const;
  // The flips among facet d's rows at positions [begin, end) of the search order (d's rows
  // sorted by where they fall in the tree, which keeps the cache warm); [0, rows()) is all.
  FlipTestCounts count(std::size_t begin, std::size_t end) const;

 private:
  std::string error_;
  std::size_t filled_ = 0, cols_ = 0;
  int k_ = 0;
  std::vector<double> d_features_;  // facet d's rows, filled
  std::vector<bool> d_predicted_;
  std::vector<std::uint32_t> order_;  // the search order of d's rows
  std::unique_ptr<KnnVote> knn_;
};

// Counts the flips over all of facet d's rows (e.g. split over threads); empty = one call to
// count(0, rows()).
using FlipTestRunner = std::function<FlipTestCounts(const FlipTest&)>;

}  // namespace verdict
