// Global SHAP values accumulated chunk by chunk, so a batch of any length needs memory for
// one chunk only. mean_abs and mean_sq are sums over fixed blocks of kBlockRows rows (the
// blocks counted from the first row of the input), each block summed in row order, the block
// sums added in order: a shard that starts on a block boundary keeps its block sums, and the
// shards' sums merged in order give exactly the single-run figures. median needs every value
// and keeps them (8 bytes per value).
#pragma once
#include <cstddef>
#include <vector>

#include "shared/shap_summary.h"

namespace verdict {

constexpr std::size_t kBlockRows = 4096;

class ShapTotals {
 public:
  ShapTotals(std::size_t features, Aggregation how);

  // Adds rows × features local values, row-major.
  void add(const double* phi, std::size_t rows);
  // The global value per feature of everything added (and merged).
  std::vector<double> global() const;

  // Block sums: one vector of `features` per block (the last one may be partial).
  std::vector<std::vector<double>> blocks() const;
  // Continues from block sums saved by another ShapTotals (a shard's), in input order.
  void add_blocks(const std::vector<std::vector<double>>& blocks, std::size_t rows);

 private:
  void close_block();
  std::size_t m_;
  Aggregation how_;
  std::size_t rows_ = 0, in_block_ = 0;
  std::vector<double> total_, block_;
  std::vector<std::vector<double>> blocks_;
  std::vector<double> values_;  // median only
};

}  // namespace verdict
