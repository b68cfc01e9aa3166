// A small summary of a data set for the Kernel SHAP baseline, as Clarify makes one when no
// baseline is given: K-prototypes (Huang 1998), which is K-means when every column is numeric.
//   - numeric columns are standardised (mean 0, standard deviation 1 over the non-missing
//     values) and compared by squared difference; their centre is the mean of the members;
//   - categorical columns (category codes) cost `gamma` when the codes differ; their centre is
//     the most frequent code among the members (ties: the smallest code; missing counts as a
//     code of its own and loses ties);
//   - a missing value against a present one costs `gamma` in either kind of column;
//   - k-means++ seeding, Lloyd iterations until no row moves, `restarts` runs, the lowest
//     total cost wins. Random numbers from std::mt19937_64 raw outputs only: the same seed
//     gives the same centres on every platform.
// Centres come back in the original units, with the number of rows each stands for (the
// baseline weights). Fewer than K centres only when the data hold fewer than K distinct rows.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace verdict {

struct KMeansOptions {
  std::size_t k = 10;
  std::uint64_t seed = 0;
  int max_iterations = 100;
  int restarts = 3;
  double gamma = 0.5;  // cost of a categorical mismatch, in squared standard deviations
};

struct ClusterSummary {
  std::vector<float> centres;       // centres × cols, row-major
  std::vector<std::size_t> counts;  // data rows per centre, all > 0
  double cost = 0;                  // Σ over rows of the distance to their centre
  std::size_t size() const { return counts.size(); }
};

// x: rows × cols, row-major, NaN = missing; categorical: one flag per column.
ClusterSummary kmeans_summary(const float* x, std::size_t rows, std::size_t cols,
                              const std::vector<bool>& categorical, const KMeansOptions& options);

}  // namespace verdict
