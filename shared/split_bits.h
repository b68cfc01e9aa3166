// Batch prediction without walking trees: for 16 rows at once, every split of a tree is
// compared (one vector compare a split), the outcomes set one bit each at the split's place in
// the tree laid out as a complete binary tree, and each row's leaf is read off its bits
// (QuickScorer's idea, with the rows in SIMD lanes rather than the trees in bit-vectors). No
// branch depends on the data, and a tree costs its number of splits, not its depth in
// mispredicted jumps. Margins are bit for bit predict_margin's: the same leaves, added to the
// base margin in tree order.
//
// Needs AVX-512 (checked at run time) and trees at most 5 levels deep (a complete tree of
// depth 5 has 31 splits: their bits fit 32-bit lanes); available() says whether this forest
// on this CPU can use it. MarginPredictor uses it when it can.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "forest.h"

namespace verdict {

// Splits from the root to the deepest leaf, per tree.
std::vector<int> tree_depths(const Forest& f);

class SplitBitsPredictor {
 public:
  static constexpr std::size_t kRows = 16;  // rows a call to predict_block scores
  static constexpr int kMaxDepth = 5;

  // True when the CPU has AVX-512 (F, DQ) and every tree of `f` is at most kMaxDepth deep.
  static bool available(const Forest& f);

  // `f` must stay alive and unchanged; throws verdict::Error when !available(f).
  explicit SplitBitsPredictor(const Forest& f);

  // Margins of kRows rows (`cols` floats each, NaN = missing) into out[0, kRows).
  // `scratch` holds kRows × num_features floats (the rows transposed).
  void predict_block(const float* rows, std::size_t cols, double* out, float* scratch) const;

  struct Split {
    std::int32_t feature;
    float threshold;
    std::uint32_t bit;  // 1 << the split's place in the complete tree (breadth first)
  };

 private:
  const Forest* forest_;
  int depth_ = 0;                    // of the complete trees: the deepest tree's
  std::vector<Split> splits_;        // tree by tree: those that send missing values right, then left
  std::vector<std::uint32_t> first_; // per tree, where its splits start (one more: the end)
  std::vector<std::uint32_t> left_;  // per tree, where its default-left splits start
  std::vector<double> leaf_;         // per tree, the 32 leaves of its complete tree
};

}  // namespace verdict
