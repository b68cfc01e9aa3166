// Batch prediction without walking trees: for 16 rows at once, every split of a tree is
// compared (one vector compare a split), and each row's leaf found without a branch: the trees
// laid out as complete binary trees of depth ≤ 5 (32 leaf slots, a leaf above the last level
// filling every slot below it), a row going right at a split rules out the slots of its left
// subtree (one OR of a constant under the compare's mask), and the row's leaf is the lowest slot
// left (QuickScorer's exit leaf, with the rows in SIMD lanes rather than the trees in
// bit-vectors). A tree costs its number of splits, not its depth in mispredicted jumps. Margins
// are bit for bit predict_margin's: the same leaves, added to the base margin in tree order.
//
// Three builds of the same steps, chosen at run time: AVX-512 (16 rows a register, the leaf
// values read by two register permutes), AVX2 (two registers of 8 rows, the leaf values picked
// by permutes when they are floats, as XGBoost's are, else loaded one by one) and portable C++ (the compiler's own vectorisation; still 1.4× the 8-row walk).
// available() says whether a forest can use it; MarginPredictor always does when it can.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "forest.h"

namespace verdict {

// Splits from the root to the deepest leaf, per tree.
std::vector<int> tree_depths(const Forest& f);

enum class SimdLevel { portable, avx2, avx512 };
const char* simd_level_name(SimdLevel level);  // "portable", "AVX2", "AVX-512"

class SplitBitsPredictor {
 public:
  static constexpr std::size_t kRows = 16;  // rows a call to predict_block scores
  static constexpr int kMaxDepth = 5;

  // True when `f` has one output and every tree is at most kMaxDepth deep.
  static bool available(const Forest& f);
  // The best level this CPU runs (checked at run time), and whether it runs `level`.
  static SimdLevel best_level();
  static bool supported(SimdLevel level);

  // `f` must stay alive and unchanged; throws verdict::Error when !available(f) or when the
  // CPU does not run `level`.
  explicit SplitBitsPredictor(const Forest& f, SimdLevel level = best_level());

  SimdLevel level() const { return level_; }

  // Margins of kRows rows (`cols` floats each, NaN = missing) into out[0, kRows).
  // `scratch` holds kRows × num_features floats (the rows transposed).
  void predict_block(const float* rows, std::size_t cols, double* out, float* scratch) const;

  struct Split {
    std::int32_t feature;
    float threshold;
    std::uint32_t left_slots;  // the leaf slots of its left subtree in the complete tree
  };

 private:
  const Forest* forest_;
  SimdLevel level_;
  std::vector<Split> splits_;        // tree by tree: those that send missing values right, then left
  std::vector<std::uint32_t> first_; // per tree, where its splits start (one more: the end)
  std::vector<std::uint32_t> left_;  // per tree, where its default-left splits start
  std::vector<double> leaf_;         // per tree, the 32 leaves of its complete tree
  std::vector<float> leaf_floats_;   // the same, when every one is a float exactly (else empty)
};

}  // namespace verdict
