// The evaluation both per-leaf-table SHAP algorithms share (FastTreeShap: path-dependent;
// BaselineShapTables: against a background): each tree's splits evaluated once per row, the
// path features a row satisfies (H ⊆ P) read per leaf from the failed splits, and the leaf's
// row H of additions — one number per path feature — added to the row's φ. The algorithms
// differ only in what they write into the rows.
//
// Rows are explained in blocks: each tree's tables serve the whole block while in cache, and
// the block's rows are the inner loop, so one row's additions to the same feature (every leaf
// adds to the root's) do not wait on one another. Each row's sums run in the same order
// whatever the block: explaining rows together or one by one gives the same bits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "forest.h"
#include "path_splits.h"

namespace verdict {

class LeafTables {
 public:
  static constexpr std::size_t kBlockRows = 32;

  explicit LeafTables(int num_features) : num_features_(num_features) {}

  // What a tree with these leaves would cost, in bytes, before adding it.
  static std::size_t tree_bytes(const TreeScan& scan);

  // Adds a scanned tree. fill(leaf_index, rows) writes the leaf's 2^d rows of scan.dmax
  // additions (zero-initialised; path feature i of the leaf at position i, d ≤ i < dmax unused).
  template <typename Fill>
  void add_tree(const Forest& forest, const TreeScan& scan, Fill&& fill) {
    Tree tree{};
    if (scan.dmax == 0) {  // a lone leaf: nothing to attribute, its value for the margin
      tree.lone_value = forest.value[scan.leaves.front().node];
      trees_.push_back(tree);
      return;
    }
    tree.dmax = static_cast<std::uint8_t>(scan.dmax);
    tree.inner_begin = static_cast<std::uint32_t>(inner_.size());
    tree.inner_end = append_splits(forest, scan, inner_);
    tree.leaf_begin = static_cast<std::uint32_t>(leaves_.size());
    for (std::size_t li = 0; li < scan.leaves.size(); ++li) {
      const TreeScan::Leaf& l = scan.leaves[li];
      const int d = static_cast<int>(l.path.size());
      PathLeaf leaf{};
      leaf.values = static_cast<std::uint32_t>(values_.size());
      leaf.features = static_cast<std::uint32_t>(features_.size());
      leaf.slot = static_cast<std::uint16_t>(l.slot);
      leaf.d = static_cast<std::uint8_t>(d);
      for (int i = 0; i < scan.dmax; ++i) features_.push_back(i < d ? l.path[i].feature : num_features_);
      values_.resize(values_.size() + (std::size_t{1} << d) * static_cast<std::size_t>(scan.dmax), 0.0);
      fill(li, values_.data() + leaf.values);
      leaves_.push_back(leaf);
      leaf_value_.push_back(forest.value[l.node]);
    }
    tree.leaf_end = static_cast<std::uint32_t>(leaves_.size());
    max_slots_ = std::max<std::size_t>(max_slots_, static_cast<std::size_t>(scan.slots));
    trees_.push_back(tree);
  }

  // Numbers held so far (the 2^32 limit of a leaf's offset).
  std::size_t numbers() const { return values_.size(); }
  std::size_t bytes() const;
  std::size_t max_slots() const { return max_slots_; }

  // Scratch for one block of rows.
  struct Workspace {
    std::vector<std::uint32_t> mask;
    std::vector<double> acc;  // kBlockRows × (num_features + 1): the last is padding's sink
    std::vector<double> reached;  // per row: the value of the leaf it reached in the current tree
  };
  Workspace workspace() const;

  // Zeroes the block's sums in ws.acc, then adds every tree's additions for rows
  // [0, count), count ≤ kBlockRows; row r's sums are at ws.acc[r * (num_features + 1)].
  // With `margins`: margins[r] = base + the value of the leaf row r reaches in each tree (the one
  // with no failed split), in the trees' order — predict_margin's sum, bit for bit, when these
  // are all the forest's trees.
  void add(const float* rows, std::size_t count, Workspace& ws, double* margins = nullptr, double base = 0) const;

 private:
  struct Tree {
    std::uint32_t inner_begin, inner_end, leaf_begin, leaf_end;
    std::uint8_t dmax;  // leaves padded to this many path features (feature num_features); 0: a lone leaf
    double lone_value;  // a lone leaf's value
  };
  template <int D>
  static void leaf_pass(const PathLeaf* first, const PathLeaf* last, const std::uint32_t* mask,
                        std::size_t mask_stride, const double* values, const std::int32_t* features,
                        const double* leaf_values, double* acc, std::size_t acc_stride, double* reached,
                        std::size_t rows, int dmax = D);

  int num_features_;
  std::vector<Tree> trees_;
  std::vector<PathSplit> inner_;
  std::vector<PathLeaf> leaves_;
  std::vector<std::int32_t> features_;
  std::vector<double> values_;
  std::vector<double> leaf_value_;  // per leaf, its value (for margins)
  std::size_t max_slots_ = 1;
};

}  // namespace verdict
