#include "shap_fast.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "shap_tree.h"

namespace verdict {

namespace {

using PathFeature = TreeScan::PathFeature;

unsigned lowest_bit(unsigned h) {
  unsigned i = 0;
  while (!(h & (1u << i))) ++i;
  return i;
}

// The leaf's table: B(H) = v · Σ_{S⊆H} W(|S|, d) · Π_{j∈P∖S} z_j for every H ⊆ P (bit i of H is
// path feature i), from the polynomials Q_H(t) = Π_{j∈H} (z_j + t): [t^k] Q_H sums over the
// S ⊆ H of size k the products Π_{j∈H∖S} z_j. Every term is positive: no cancellation.
void fill_table(const std::vector<PathFeature>& path, double v, std::vector<double>& table,
                std::vector<double>& poly) {
  const int d = static_cast<int>(path.size());
  const unsigned count = 1u << d;
  std::vector<double> w(static_cast<std::size_t>(d));  // W(k, d) = k!(d−k−1)!/d!
  if (d > 0) {
    w[0] = 1.0 / d;
    for (int k = 1; k < d; ++k) w[k] = w[k - 1] * k / (d - k);
  }
  const std::size_t stride = static_cast<std::size_t>(d) + 1;
  poly.assign(count * stride, 0.0);
  poly[0] = 1.0;
  for (unsigned h = 0; h < count; ++h) {
    double* q = poly.data() + h * stride;
    int size = 0;
    if (h != 0) {
      const unsigned low = lowest_bit(h);
      const double* p = poly.data() + (h & (h - 1)) * stride;
      const double z = path[low].z;
      q[0] = p[0] * z;
      for (int k = 1; k <= d; ++k) q[k] = p[k] * z + p[k - 1];
    }
    double rest = 1.0;  // Π over P ∖ H
    for (int j = 0; j < d; ++j) {
      if (h & (1u << j)) {
        ++size;
      } else {
        rest *= path[j].z;
      }
    }
    double sum = 0;
    for (int k = 0; k <= std::min(size, d - 1); ++k) sum += w[k] * q[k];
    table[h] = v * (rest * sum);
  }
}

}  // namespace

FastTreeShap::Workspace::Workspace(const FastTreeShap& shap)
    : mask_(shap.max_slots_ * kBlockRows, 0),
      acc_((static_cast<std::size_t>(shap.num_features_) + 1) * kBlockRows, 0.0) {
  if (shap.classic_trees_ > 0) classic_ = std::make_unique<TreeShap>(*shap.forest_);
}
FastTreeShap::Workspace::~Workspace() = default;
FastTreeShap::Workspace::Workspace(Workspace&&) noexcept = default;
FastTreeShap::Workspace& FastTreeShap::Workspace::operator=(Workspace&&) noexcept = default;

FastTreeShap::~FastTreeShap() = default;
FastTreeShap::FastTreeShap(FastTreeShap&&) noexcept = default;

FastTreeShap::FastTreeShap(const Forest& forest, FastTreeShapOptions options)
    : forest_(&forest), num_features_(forest.num_features) {
  expected_value_ = tree_expected_value(forest);  // exactly TreeShap's

  const int max_features = std::clamp(options.max_path_features, 0, 20);
  std::vector<double> poly, table(std::size_t{1} << max_features);
  for (std::int32_t root : forest.tree_root) {
    const TreeScan s = scan_tree(forest, root, max_features);
    std::size_t doubles = 0;
    for (const TreeScan::Leaf& l : s.leaves) doubles += (std::size_t{1} << l.path.size()) * s.dmax;
    const std::size_t bytes = doubles * sizeof(double) + s.splits.size() * sizeof(Inner) +
                              s.leaves.size() * (sizeof(Leaf) + s.dmax * sizeof(std::int32_t));
    Plan plan{};
    plan.root = root;
    if (!s.fits || !s.finite || table_bytes() + bytes > options.max_table_bytes ||
        values_.size() + doubles > std::numeric_limits<std::uint32_t>::max()) {
      plan.classic = true;
      ++classic_trees_;
      plans_.push_back(plan);
      continue;
    }
    ++table_trees_;
    if (s.dmax == 0) continue;  // a lone leaf: nothing to attribute
    plan.classic = false;
    plan.dmax = static_cast<std::uint8_t>(s.dmax);
    plan.inner_begin = static_cast<std::uint32_t>(inner_.size());
    plan.inner_end = append_splits(forest, s, inner_);
    plan.leaf_begin = static_cast<std::uint32_t>(leaves_.size());
    for (const TreeScan::Leaf& l : s.leaves) {
      const int d = static_cast<int>(l.path.size());
      Leaf leaf{};
      leaf.values = static_cast<std::uint32_t>(values_.size());
      leaf.features = static_cast<std::uint32_t>(features_.size());
      leaf.slot = static_cast<std::uint16_t>(l.slot);
      leaf.d = static_cast<std::uint8_t>(d);
      for (int i = 0; i < s.dmax; ++i) features_.push_back(i < d ? l.path[i].feature : num_features_);
      fill_table(l.path, forest.value[l.node], table, poly);
      // Row H of the leaf's contributions: what it adds to each path feature's φ for a row
      // whose satisfied features are H — (i ∈ H ? c_i : −1) · B(H ∖ {i}), c_i = (1 − z_i)/z_i.
      for (std::uint32_t h = 0; h < (1u << d); ++h) {
        for (int i = 0; i < s.dmax; ++i) {
          const std::uint32_t bit = 1u << i;
          const double mult = i >= d ? 0.0 : (h & bit) ? (1.0 - l.path[i].z) / l.path[i].z : -1.0;
          values_.push_back(mult * table[h & ~bit]);
        }
      }
      leaves_.push_back(leaf);
    }
    plan.leaf_end = static_cast<std::uint32_t>(leaves_.size());
    max_slots_ = std::max<std::size_t>(max_slots_, static_cast<std::size_t>(s.slots));
    plans_.push_back(plan);
  }
  own_ = std::make_unique<Workspace>(*this);
}

std::size_t FastTreeShap::table_bytes() const {
  return values_.size() * sizeof(double) + features_.size() * sizeof(std::int32_t) +
         leaves_.size() * sizeof(Leaf) + inner_.size() * sizeof(Inner);
}

void FastTreeShap::explain(const float* row, double* phi) { explain(row, phi, *own_); }

void FastTreeShap::explain(const float* row, double* phi, Workspace& ws) const { explain_block(row, 1, phi, ws); }

void FastTreeShap::explain_rows(const float* rows, std::size_t count, double* phi, Workspace& ws) const {
  const std::size_t m = static_cast<std::size_t>(num_features_);
  for (std::size_t begin = 0; begin < count; begin += kBlockRows) {
    explain_block(rows + begin * m, std::min(kBlockRows, count - begin), phi + begin * m, ws);
  }
}

// The leaves of one tree for a block of rows, each leaf padded to D path features
// (compile-time D: unrolled, no data-dependent branches). For path feature i of a leaf:
// φ += (i ∈ H ? c_i : −1) · B(H ∖ {i}). The rows are the inner loop: one row's additions to
// the same feature (every leaf adds to the root's) would otherwise wait on each other.
template <int D>
void FastTreeShap::leaf_pass(const Leaf* first, const Leaf* last, const std::uint32_t* mask,
                             std::size_t mask_stride, const double* values, const std::int32_t* features,
                             double* acc, std::size_t acc_stride, std::size_t rows, int dmax) {
  const int d = D > 0 ? D : dmax;  // D = 0: paths longer than the unrolled cases
  for (const Leaf* leaf = first; leaf != last; ++leaf) {
    const std::uint32_t keep = (1u << leaf->d) - 1u;
    const double* table = values + leaf->values;
    const std::int32_t* f = features + leaf->features;
    for (std::size_t r = 0; r < rows; ++r) {
      const double* add = table + static_cast<std::size_t>(~mask[r * mask_stride + leaf->slot] & keep) * d;
      double* a = acc + r * acc_stride;
      for (int i = 0; i < d; ++i) a[f[i]] += add[i];
    }
  }
}

void FastTreeShap::explain_block(const float* rows, std::size_t count, double* phi, Workspace& ws) const {
  const std::size_t m = static_cast<std::size_t>(num_features_);
  const std::size_t acc_stride = m + 1, mask_stride = max_slots_;
  double* acc = ws.acc_.data();
  std::fill(acc, acc + count * acc_stride, 0.0);
  std::uint32_t* mask = ws.mask_.data();
  const double* values = values_.data();
  const std::int32_t* features = features_.data();
  for (const Plan& plan : plans_) {
    if (plan.classic) {
      for (std::size_t r = 0; r < count; ++r) ws.classic_->explain_tree(plan.root, rows + r * m, acc + r * acc_stride);
      continue;
    }
    for (std::size_t r = 0; r < count; ++r) {
      fill_failed_masks(inner_.data() + plan.inner_begin, inner_.data() + plan.inner_end, rows + r * m,
                        mask + r * mask_stride);
    }
    const Leaf* first = leaves_.data() + plan.leaf_begin;
    const Leaf* last = leaves_.data() + plan.leaf_end;
    switch (plan.dmax) {
#define VERDICT_LEAF_CASE(D) \
  case D: leaf_pass<D>(first, last, mask, mask_stride, values, features, acc, acc_stride, count); break;
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
        leaf_pass<0>(first, last, mask, mask_stride, values, features, acc, acc_stride, count, plan.dmax);
    }
  }
  for (std::size_t r = 0; r < count; ++r) std::copy(acc + r * acc_stride, acc + r * acc_stride + m, phi + r * m);
}

}  // namespace verdict
