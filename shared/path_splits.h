// A tree's splits in preorder, as the per-leaf-table SHAP algorithms (FastTreeShap,
// BaselineShapTables) walk them: every node has a slot, and a row's failed splits become, per
// slot, a mask of the path features (by their position on the path) whose condition the row
// fails on the way from the root to that node.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "forest.h"

namespace verdict {

struct PathSplit {
  float threshold;
  std::int32_t feature;
  std::uint16_t self, left, right;  // slots of the node and of its children
  std::uint8_t default_left;
  std::uint8_t bit;  // position of `feature` among the distinct features on the path

  static PathSplit of(const Forest& f, int node, int self, int left, int right, int bit) {
    return {f.threshold[node], f.feature[node], static_cast<std::uint16_t>(self),
            static_cast<std::uint16_t>(left), static_cast<std::uint16_t>(right),
            static_cast<std::uint8_t>(f.default_left[node] != 0), static_cast<std::uint8_t>(bit)};
  }
};

// A leaf's entry in the tables: where its numbers and its path's features start.
struct PathLeaf {
  std::uint32_t values;    // into the algorithm's table of numbers
  std::uint32_t features;  // into its feature indices: dmax of them (padding: num_features)
  std::uint16_t slot;
  std::uint8_t d;  // distinct features on the path
};

// Each split once: a failed split sets its feature's bit in the masks below its cold side.
inline void fill_failed_masks(const PathSplit* first, const PathSplit* last, const float* row,
                              std::uint32_t* mask) {
  mask[0] = 0;
  for (const PathSplit* n = first; n != last; ++n) {
    const float x = row[n->feature];
    const std::uint32_t go_left = static_cast<std::uint32_t>(x < n->threshold) |
                                  (static_cast<std::uint32_t>(std::isnan(x)) & n->default_left);
    const std::uint32_t m = mask[n->self];
    mask[n->left] = m | ((go_left ^ 1u) << n->bit);
    mask[n->right] = m | (go_left << n->bit);
  }
}

// One tree walked in preorder, before deciding whether it gets tables.
struct TreeScan {
  struct Split {
    int node, self, left, right, bit;
  };
  struct PathFeature {
    int feature;
    double z;  // product of the cover ratios of this feature's nodes on the path
  };
  struct Leaf {
    int node, slot;
    std::vector<PathFeature> path;  // the distinct features on the path, in order of first use
  };
  std::vector<Split> splits;
  std::vector<Leaf> leaves;
  int slots = 1;
  int dmax = 0;        // the most distinct features on a path
  bool fits = true;    // ≤ max_features distinct features on every path, ≤ 65,535 slots
  bool finite = true;  // every cover ratio positive and finite, every leaf value finite
};

TreeScan scan_tree(const Forest& forest, std::int32_t root, int max_features);

// Appends the scanned tree's splits to `out`; returns the index just past them.
std::uint32_t append_splits(const Forest& forest, const TreeScan& scan, std::vector<PathSplit>& out);

}  // namespace verdict
