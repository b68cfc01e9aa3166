#include "leaf_tables.h"

#include <algorithm>
#include <limits>

namespace verdict {

namespace {

// One group of a tree: the subtree at `node`, below the path whose distinct features are `up`.
struct GroupPlan {
  int node = 0, slot = 0;
  std::vector<int> up;        // the features above, by their position on the path
  std::vector<int> splits;    // its splits' nodes in preorder: split k's way is bit k of the word
  std::vector<int> leaves;    // its leaves (indices into the scan's leaves) in preorder
  std::vector<std::vector<std::pair<int, int>>> ways;  // per leaf: (k, 1 if it lies left of split k)
  std::vector<int> features;  // `up`, then the features first used inside, in preorder

  int bits() const { return static_cast<int>(up.size() + splits.size()); }
  std::size_t rows() const { return std::size_t{1} << bits(); }
};

struct TreePlan {
  std::vector<int> upper;  // the scan's splits above every group, in preorder
  std::vector<GroupPlan> groups;
  int width = 0;
  int words = 0;  // groups with splits: each needs a slot for its word

  std::size_t bytes() const {
    std::size_t b = upper.size() * sizeof(PathSplit);
    for (const GroupPlan& g : groups) {
      b += g.rows() * static_cast<std::size_t>(width) * sizeof(double) + (std::size_t{1} << g.splits.size()) * sizeof(double) +
           static_cast<std::size_t>(width) * sizeof(std::int32_t) + sizeof(LeafTables::Group) + g.splits.size() * sizeof(PathSplit);
    }
    return b;
  }
};

// A group of splits has at most this many bits: 2^bits rows of at least one number each.
constexpr int kMaxGroupBits = 10;
static_assert((std::size_t{1} << kMaxGroupBits) >= LeafTables::kGroupNumbers, "no group may need more bits");

class Planner {
 public:
  Planner(const Forest& f, const TreeScan& scan) : f_(f) {
    std::vector<std::pair<int, int>> child_slot;  // (node, its slot)
    for (std::size_t i = 0; i < scan.splits.size(); ++i) {
      const TreeScan::Split& s = scan.splits[i];
      node_.push_back({s.node, 0, static_cast<int>(i), -1});
      child_slot.emplace_back(f.left[s.node], s.left);
      child_slot.emplace_back(f.right[s.node], s.right);
    }
    for (std::size_t i = 0; i < scan.leaves.size(); ++i) node_.push_back({scan.leaves[i].node, 0, -1, static_cast<int>(i)});
    std::sort(node_.begin(), node_.end(), [](const Node& a, const Node& b) { return a.node < b.node; });
    for (const auto& [node, slot] : child_slot) at(node).slot = slot;
    const int root = scan.splits.empty() ? scan.leaves.front().node : scan.splits.front().node;
    at(root).slot = 0;
    // Each group of splits needs a slot of its own; past the slots' range, leaf by leaf.
    visit(root, {}, true);
    if (scan.slots + plan_.words > std::numeric_limits<std::uint16_t>::max()) {
      plan_ = TreePlan{};
      visit(root, {}, false);
    }
  }
  const TreePlan& plan() const { return plan_; }

 private:
  // Gathers the subtree at `node` into g; false (and g unfinished) once it has more bits than
  // any group may have, so a deep tree costs each node a bounded look below it.
  bool collect(int node, GroupPlan& g, std::vector<std::pair<int, int>>& way) {
    if (f_.is_leaf(node)) {
      g.leaves.push_back(at(node).leaf);
      g.ways.push_back(way);
      return true;
    }
    if (g.bits() >= kMaxGroupBits) return false;
    const int k = static_cast<int>(g.splits.size());
    g.splits.push_back(node);
    if (std::find(g.features.begin(), g.features.end(), f_.feature[node]) == g.features.end()) {
      g.features.push_back(f_.feature[node]);
    }
    way.push_back({k, 1});
    if (!collect(f_.left[node], g, way)) return false;
    way.back().second = 0;
    if (!collect(f_.right[node], g, way)) return false;
    way.pop_back();
    return true;
  }

  void visit(int node, std::vector<int> up, bool merge) {
    GroupPlan g;
    g.node = node;
    g.slot = at(node).slot;
    g.up = up;
    g.features = up;
    std::vector<std::pair<int, int>> way;
    const bool whole = (f_.is_leaf(node) || merge) && collect(node, g, way);
    if (f_.is_leaf(node) || (whole && g.rows() * g.features.size() <= LeafTables::kGroupNumbers)) {
      plan_.width = std::max(plan_.width, static_cast<int>(g.features.size()));
      if (!g.splits.empty()) ++plan_.words;
      plan_.groups.push_back(std::move(g));
      return;
    }
    plan_.upper.push_back(at(node).split);
    if (std::find(up.begin(), up.end(), f_.feature[node]) == up.end()) up.push_back(f_.feature[node]);
    visit(f_.left[node], up, merge);
    visit(f_.right[node], up, merge);
  }

  const Forest& f_;
  // The tree's nodes, sorted: each one's slot, and its index among the scan's splits or leaves.
  struct Node {
    int node, slot, split, leaf;
  };
  Node& at(int node) {
    return *std::lower_bound(node_.begin(), node_.end(), node, [](const Node& n, int id) { return n.node < id; });
  }
  std::vector<Node> node_;
  TreePlan plan_;
};

}  // namespace

struct LeafTables::Plan {
  TreePlan tree;
};

std::size_t LeafTables::plan_tree(const Forest& forest, const TreeScan& scan) {
  planned_ = nullptr;
  if (scan.dmax == 0) return sizeof(Tree);
  if (!plan_) plan_ = std::make_shared<Plan>();
  plan_->tree = Planner(forest, scan).plan();
  planned_ = &scan;
  planned_leaf_ = scan.leaves.front().node;
  return sizeof(Tree) + plan_->tree.bytes();
}

std::size_t LeafTables::bytes() const {
  return values_.size() * sizeof(double) + reach_.size() * sizeof(double) + features_.size() * sizeof(std::int32_t) +
         groups_.size() * sizeof(Group) + inner_.size() * sizeof(PathSplit) + trees_.size() * sizeof(Tree);
}

LeafTables::Workspace LeafTables::workspace() const {
  Workspace ws;
  ws.mask.assign(max_slots_ * kBlockRows, 0);
  ws.acc.assign((static_cast<std::size_t>(num_features_) + 1) * kBlockRows, 0.0);
  ws.reached.assign(kBlockRows, 0.0);
  return ws;
}

void LeafTables::add_lone_leaf(double value) {
  Tree tree{};
  tree.lone_value = value;
  trees_.push_back(tree);
}

void LeafTables::add_groups(const Forest& forest, const TreeScan& scan) {
  const bool planned = planned_ == &scan && planned_leaf_ == scan.leaves.front().node;
  const TreePlan plan = planned ? std::move(plan_->tree) : Planner(forest, scan).plan();
  planned_ = nullptr;
  const std::size_t dmax = static_cast<std::size_t>(scan.dmax), width = static_cast<std::size_t>(plan.width);
  Tree tree{};
  tree.width = static_cast<std::uint8_t>(plan.width);
  tree.inner_begin = static_cast<std::uint32_t>(inner_.size());
  for (int i : plan.upper) {
    const TreeScan::Split& s = scan.splits[static_cast<std::size_t>(i)];
    inner_.push_back(PathSplit::of(forest, s.node, s.self, s.left, s.right, s.bit));
  }
  tree.group_begin = static_cast<std::uint32_t>(groups_.size());
  int next_word = scan.slots;
  for (const GroupPlan& g : plan.groups) {
    Group out{};
    out.slot = static_cast<std::uint16_t>(g.slot);
    out.up = static_cast<std::uint8_t>(g.up.size());
    out.word = static_cast<std::uint16_t>(g.splits.empty() ? 0 : next_word++);
    // The word: the first split starts it from slot 0 (always 0), each split's second write
    // (its right child's) is the one that stays: word | (way << k).
    for (std::size_t k = 0; k < g.splits.size(); ++k) {
      inner_.push_back(PathSplit::of(forest, g.splits[k], k == 0 ? 0 : out.word, out.word, out.word, static_cast<int>(k)));
    }
    out.features = static_cast<std::uint32_t>(features_.size());
    for (std::size_t i = 0; i < width; ++i) features_.push_back(i < g.features.size() ? g.features[i] : num_features_);
    out.reach = static_cast<std::uint32_t>(reach_.size());
    for (std::uint32_t word = 0; word < (1u << g.splits.size()); ++word) {
      int node = g.node;
      while (!forest.is_leaf(node)) {
        const auto k = std::find(g.splits.begin(), g.splits.end(), node) - g.splits.begin();
        node = (word >> k) & 1u ? forest.left[node] : forest.right[node];
      }
      reach_.push_back(forest.value[node]);
    }
    // Row (above, word): each leaf's row for the H that the failed features above and the ways
    // inside give it, summed in the leaves' order into the group's feature positions.
    out.values = static_cast<std::uint32_t>(values_.size());
    values_.resize(values_.size() + g.rows() * width, 0.0);
    const std::uint32_t keep = (1u << g.up.size()) - 1u;
    std::vector<int> position;
    for (std::size_t j = 0; j < g.leaves.size(); ++j) {
      const TreeScan::Leaf& leaf = scan.leaves[static_cast<std::size_t>(g.leaves[j])];
      const int d = static_cast<int>(leaf.path.size());
      position.assign(static_cast<std::size_t>(d), 0);
      for (int i = 0; i < d; ++i) {
        position[i] = static_cast<int>(std::find(g.features.begin(), g.features.end(), leaf.path[i].feature) - g.features.begin());
      }
      std::vector<std::pair<int, std::uint32_t>> conditions;  // (k, the bit of its feature on the leaf's path)
      for (const auto& [k, left] : g.ways[j]) {
        const int feature = forest.feature[g.splits[static_cast<std::size_t>(k)]];
        int i = 0;
        while (leaf.path[i].feature != feature) ++i;
        conditions.push_back({k, (1u << i) | (static_cast<std::uint32_t>(left) << 31)});
      }
      const double* rows = leaf_rows_.data() + leaf_start_[static_cast<std::size_t>(g.leaves[j])];
      const std::uint32_t full = (1u << d) - 1u;
      for (std::size_t idx = 0; idx < g.rows(); ++idx) {
        const std::uint32_t word = static_cast<std::uint32_t>(idx >> g.up.size());
        std::uint32_t h = (static_cast<std::uint32_t>(idx) & keep) | (full & ~keep);
        for (const auto& [k, c] : conditions) {
          if (((word >> k) & 1u) != (c >> 31)) h &= ~(c & 0x7fffffffu);
        }
        const double* add = rows + h * dmax;
        double* row = values_.data() + out.values + idx * width;
        for (int i = 0; i < d; ++i) row[position[i]] += add[i];
      }
    }
    groups_.push_back(out);
  }
  tree.inner_end = static_cast<std::uint32_t>(inner_.size());
  tree.group_end = static_cast<std::uint32_t>(groups_.size());
  max_slots_ = std::max(max_slots_, static_cast<std::size_t>(next_word));
  trees_.push_back(tree);
}

// The groups of one tree for a block of rows, each padded to D features (compile-time D:
// unrolled; D = 0 for wider trees than the unrolled cases).
template <int D>
void LeafTables::group_pass(const Group* first, const Group* last, const std::uint32_t* mask, std::size_t mask_stride,
                            const double* values, const std::int32_t* features, const double* reach, double* acc,
                            std::size_t acc_stride, double* reached, std::size_t rows, int width) {
  const int d = D > 0 ? D : width;
  for (const Group* g = first; g != last; ++g) {
    const std::uint32_t keep = (1u << g->up) - 1u;
    const double* table = values + g->values;
    const std::int32_t* f = features + g->features;
    const double* leads_to = reach + g->reach;
    for (std::size_t r = 0; r < rows; ++r) {
      const std::uint32_t* m = mask + r * mask_stride;
      const std::uint32_t failed = m[g->slot], word = m[g->word];
      reached[r] = failed == 0 ? leads_to[word] : reached[r];
      const double* add = table + static_cast<std::size_t>((~failed & keep) | (word << g->up)) * d;
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
    if (tree.width == 0) {
      if (margins) for (std::size_t r = 0; r < count; ++r) margins[r] += tree.lone_value;
      continue;
    }
    for (std::size_t r = 0; r < count; ++r) {
      fill_failed_masks(inner_.data() + tree.inner_begin, inner_.data() + tree.inner_end, rows + r * m,
                        mask + r * mask_stride);
    }
    const Group* first = groups_.data() + tree.group_begin;
    const Group* last = groups_.data() + tree.group_end;
    switch (tree.width) {
#define VERDICT_GROUP_CASE(D)                                                                                 \
  case D:                                                                                                     \
    group_pass<D>(first, last, mask, mask_stride, values_.data(), features_.data(), reach_.data(), acc, acc_stride, \
                  reached, count);                                                                            \
    break;
      VERDICT_GROUP_CASE(1)
      VERDICT_GROUP_CASE(2)
      VERDICT_GROUP_CASE(3)
      VERDICT_GROUP_CASE(4)
      VERDICT_GROUP_CASE(5)
      VERDICT_GROUP_CASE(6)
      VERDICT_GROUP_CASE(7)
      VERDICT_GROUP_CASE(8)
#undef VERDICT_GROUP_CASE
      default:
        group_pass<0>(first, last, mask, mask_stride, values_.data(), features_.data(), reach_.data(), acc, acc_stride,
                      reached, count, tree.width);
    }
    if (margins) for (std::size_t r = 0; r < count; ++r) margins[r] += reached[r];
  }
}

}  // namespace verdict
