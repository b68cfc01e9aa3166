#include "path_splits.h"

#include <algorithm>
#include <limits>

namespace verdict {

namespace {

constexpr int kMaxSlots = std::numeric_limits<std::uint16_t>::max();

void scan(const Forest& f, int node, int self, std::vector<TreeScan::PathFeature>& path, int max_features,
          TreeScan& s) {
  if (!s.fits) return;
  if (f.is_leaf(node)) {
    if (!std::isfinite(f.value[node])) s.finite = false;
    s.dmax = std::max(s.dmax, static_cast<int>(path.size()));
    s.leaves.push_back({node, self, path});
    return;
  }
  const int feature = f.feature[node];
  int bit = 0;
  while (bit < static_cast<int>(path.size()) && path[bit].feature != feature) ++bit;
  const bool repeated = bit < static_cast<int>(path.size());
  if (!repeated && bit >= max_features) {
    s.fits = false;
    return;
  }
  const int index = static_cast<int>(s.splits.size());
  s.splits.push_back({node, self, 0, 0, bit});
  const double w = f.cover[node];
  for (int side = 0; side < 2; ++side) {
    const int child = side == 0 ? f.left[node] : f.right[node];
    const int slot = s.slots++;
    if (slot >= kMaxSlots) {
      s.fits = false;
      return;
    }
    (side == 0 ? s.splits[index].left : s.splits[index].right) = slot;
    const double ratio = f.cover[child] / w;  // the classic's zero fraction of this step
    if (!(ratio > 0) || !std::isfinite(ratio)) s.finite = false;
    if (repeated) {
      const double before = path[bit].z;
      path[bit].z = ratio * before;
      scan(f, child, slot, path, max_features, s);
      path[bit].z = before;
    } else {
      path.push_back({feature, ratio});
      scan(f, child, slot, path, max_features, s);
      path.pop_back();
    }
  }
}

}  // namespace

TreeScan scan_tree(const Forest& forest, std::int32_t root, int max_features) {
  TreeScan s;
  std::vector<TreeScan::PathFeature> path;
  scan(forest, root, 0, path, max_features, s);
  return s;
}

std::uint32_t append_splits(const Forest& forest, const TreeScan& scan, std::vector<PathSplit>& out) {
  for (const TreeScan::Split& n : scan.splits) out.push_back(PathSplit::of(forest, n.node, n.self, n.left, n.right, n.bit));
  return static_cast<std::uint32_t>(out.size());
}

}  // namespace verdict
