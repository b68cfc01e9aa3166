#include "leaf_tables.h"

#include <algorithm>

namespace verdict {

std::size_t LeafTables::tree_bytes(const TreeScan& s) {
  std::size_t doubles = 0;
  for (const TreeScan::Leaf& l : s.leaves) doubles += (std::size_t{1} << l.path.size()) * static_cast<std::size_t>(s.dmax);
  return doubles * sizeof(double) + s.splits.size() * sizeof(PathSplit) +
         s.leaves.size() * (sizeof(PathLeaf) + static_cast<std::size_t>(s.dmax) * sizeof(std::int32_t));
}

std::size_t LeafTables::bytes() const {
  return values_.size() * sizeof(double) + features_.size() * sizeof(std::int32_t) +
         leaves_.size() * sizeof(PathLeaf) + inner_.size() * sizeof(PathSplit);
}

LeafTables::Workspace LeafTables::workspace() const {
  Workspace ws;
  ws.mask.assign(max_slots_ * kBlockRows, 0);
  ws.acc.assign((static_cast<std::size_t>(num_features_) + 1) * kBlockRows, 0.0);
  ws.reached.assign(kBlockRows, 0.0);
  return ws;
}

// The leaves of one tree for a block of rows, each leaf padded to D path features
// (compile-time D: unrolled; D = 0 for paths longer than the unrolled cases).
template <int D>
void LeafTables::leaf_pass(const PathLeaf* first, const PathLeaf* last, const std::uint32_t* mask,
                           std::size_t mask_stride, const double* values, const std::int32_t* features,
                           const double* leaf_values, double* acc, std::size_t acc_stride, double* reached,
                           std::size_t rows, int dmax) {
  const int d = D > 0 ? D : dmax;
  for (const PathLeaf* leaf = first; leaf != last; ++leaf) {
    const std::uint32_t keep = (1u << leaf->d) - 1u;
    const double* table = values + leaf->values;
    const std::int32_t* f = features + leaf->features;
    const double value = leaf_values[leaf - first];
    for (std::size_t r = 0; r < rows; ++r) {
      const std::uint32_t failed = mask[r * mask_stride + leaf->slot];
      reached[r] = failed == 0 ? value : reached[r];
      const double* add = table + static_cast<std::size_t>(~failed & keep) * d;
      double* a = acc + r * acc_stride;
      for (int i = 0; i < d; ++i) a[f[i]] += add[i];
    }
  }
}

void LeafTables::add(const float* rows, std::size_t count, Workspace& ws, double* margins, double base) const {
  const std::size_t m = static_cast<std::size_t>(num_features_);
  const std::size_t acc_stride = m + 1, mask_stride = max_slots_;
  double* acc = ws.acc.data();
  std::fill(acc, acc + count * acc_stride, 0.0);
  std::uint32_t* mask = ws.mask.data();
  double* reached = ws.reached.data();
  if (margins) std::fill(margins, margins + count, base);
  for (const Tree& tree : trees_) {
    if (tree.dmax == 0) {
      if (margins) for (std::size_t r = 0; r < count; ++r) margins[r] += tree.lone_value;
      continue;
    }
    for (std::size_t r = 0; r < count; ++r) {
      fill_failed_masks(inner_.data() + tree.inner_begin, inner_.data() + tree.inner_end, rows + r * m,
                        mask + r * mask_stride);
    }
    const PathLeaf* first = leaves_.data() + tree.leaf_begin;
    const PathLeaf* last = leaves_.data() + tree.leaf_end;
    const double* leaf_values = leaf_value_.data() + tree.leaf_begin;
    switch (tree.dmax) {
#define VERDICT_LEAF_CASE(D)                                                                               \
  case D:                                                                                                  \
    leaf_pass<D>(first, last, mask, mask_stride, values_.data(), features_.data(), leaf_values, acc, acc_stride, \
                 reached, count);                                                                          \
    break;
      VERDICT_LEAF_CASE(1)
      VERDICT_LEAF_CASE(2)
      VERDICT_LEAF_CASE(3)
      VERDICT_LEAF_CASE(4)
      VERDICT_LEAF_CASE(5)
      VERDICT_LEAF_CASE(6)
      VERDICT_LEAF_CASE(7)
      VERDICT_LEAF_CASE(8)
#undef VERDICT_LEAF_CASE
      default:
        leaf_pass<0>(first, last, mask, mask_stride, values_.data(), features_.data(), leaf_values, acc, acc_stride,
                     reached, count, tree.dmax);
    }
    if (margins) for (std::size_t r = 0; r < count; ++r) margins[r] += reached[r];
  }
}

}  // namespace verdict
