// The evaluation both per-leaf-table SHAP algorithms share (FastTreeShap: path-dependent;
// BaselineShapTables: against a background). An algorithm gives, for each leaf and each set H
// of its path features a row satisfies (H ⊆ P), the row of additions — one number per path
// feature — that the leaf makes to the row's φ.
//
// Explaining adds those rows, but not leaf by leaf: each tree is cut into groups, subtrees at
// its bottom (a leaf alone, two sibling leaves, up to the whole tree) whose leaves' additions
// are summed ahead into one table. A group's leaves' H depend only on which features of the
// path above the group the row satisfies and on the row's way at each split inside the group,
// so the group's table has a row for each combination of those bits: one lookup and one
// addition per feature of the group replace one per leaf and path feature. A group is taken as
// large as its table stays small (kGroupNumbers; larger gained nothing on Adult): on the Adult
// model 842 lookups and 2,910 additions a row instead of 4,203 and 11,650, in 1.79 MB instead
// of 1.42 MB; one row explains 2.3× faster, a batch 1.7×.
//
// Each tree's splits are evaluated once per row: a split above the groups sets its feature's
// bit in the masks below its cold side (path_splits.h), a split inside a group its way (left:
// 1) in the group's word. Rows are explained in blocks: each tree's tables serve the whole
// block while in cache, and the block's rows are the inner loop. Each row's sums run in the same
// order whatever the block: explaining rows together or one by one gives the same bits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "forest.h"
#include "path_splits.h"

namespace verdict {

class LeafTables {
 public:
  static constexpr std::size_t kBlockRows = 32;
  // The most numbers a group of more than one leaf may hold (a single leaf always is a group).
  static constexpr std::size_t kGroupNumbers = 1024;

  explicit LeafTables(int num_features) : num_features_(num_features) {}

  // Cuts a scanned tree into groups and returns what it would cost, in bytes; the next
  // add_tree of the same scan adds this plan rather than making it again.
  std::size_t plan_tree(const Forest& forest, const TreeScan& scan);

  // Adds a scanned tree. fill(leaf_index, rows) writes the leaf's 2^d rows of scan.dmax
  // additions (zero-initialised; path feature i of the leaf at position i, d ≤ i < dmax unused).
  template <typename Fill>
  void add_tree(const Forest& forest, const TreeScan& scan, Fill&& fill) {
    if (scan.dmax == 0) {  // a lone leaf: nothing to attribute, its value for the margin
      add_lone_leaf(forest.value[scan.leaves.front().node]);
      return;
    }
    const std::size_t dmax = static_cast<std::size_t>(scan.dmax);
    leaf_start_.assign(1, 0);
    for (const TreeScan::Leaf& l : scan.leaves) leaf_start_.push_back(leaf_start_.back() + (std::size_t{1} << l.path.size()) * dmax);
    leaf_rows_.assign(leaf_start_.back(), 0.0);
    for (std::size_t li = 0; li < scan.leaves.size(); ++li) fill(li, leaf_rows_.data() + leaf_start_[li]);
    add_groups(forest, scan);
  }

  // Numbers held so far (the 2^32 limit of a group's offset).
  std::size_t numbers() const { return values_.size(); }
  std::size_t bytes() const;
  std::size_t max_slots() const { return max_slots_; }
  std::size_t groups() const { return groups_.size(); }

  // Scratch for one block of rows.
  struct Workspace {
    std::vector<std::uint32_t> mask;
    std::vector<double> acc;      // kBlockRows × (num_features + 1): the last is padding's sink
    std::vector<double> reached;  // per row: the value of the leaf it reached in the current tree
  };
  Workspace workspace() const;

  // Zeroes the block's sums in ws.acc, then adds every tree's additions for rows
  // [0, count), count ≤ kBlockRows; row r's sums are at ws.acc[r * (num_features + 1)].
  // With `margins`: margins[r] = base + the value of the leaf row r reaches in each tree, in
  // the trees' order — predict_margin's sum, bit for bit, when these are all the forest's trees.
  void add(const float* rows, std::size_t count, Workspace& ws, double* margins = nullptr, double base = 0) const;

  struct Group {
    std::uint32_t values;    // its table: 2^(up + its splits) rows of the tree's width
    std::uint32_t features;  // the tree's width of feature indices (padding: num_features)
    std::uint32_t reach;     // into reach_: per word, the value of the leaf it leads to
    std::uint16_t slot;      // mask of the failed features of the path above the group
    std::uint16_t word;      // the slot holding the row's way at the group's splits (0: none)
    std::uint8_t up;         // the distinct features on the path above the group
  };

 private:
  struct Tree {
    std::uint32_t inner_begin, inner_end, group_begin, group_end;
    std::uint8_t width;  // the most features of one of its groups; 0: a lone leaf
    double lone_value;   // a lone leaf's value
  };
  template <int D>
  static void group_pass(const Group* first, const Group* last, const std::uint32_t* mask,
                         std::size_t mask_stride, const double* values, const std::int32_t* features,
                         const double* reach, double* acc, std::size_t acc_stride, double* reached,
                         std::size_t rows, int width = D);
  void add_lone_leaf(double value);
  void add_groups(const Forest& forest, const TreeScan& scan);

  int num_features_;
  std::vector<Tree> trees_;
  std::vector<PathSplit> inner_;
  std::vector<Group> groups_;
  std::vector<std::int32_t> features_;
  std::vector<double> values_;
  std::vector<double> reach_;
  std::size_t max_slots_ = 1;
  std::vector<double> leaf_rows_;         // the tree being added: its leaves' rows from fill
  std::vector<std::size_t> leaf_start_;
  struct Plan;
  std::shared_ptr<Plan> plan_;            // plan_tree's last plan, for the scan at planned_
  const TreeScan* planned_ = nullptr;     // (and whose first leaf is planned_leaf_)
  int planned_leaf_ = -1;
};

}  // namespace verdict
