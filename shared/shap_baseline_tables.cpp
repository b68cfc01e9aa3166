#include "shap_baseline_tables.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <limits>

#include "error.h"
#include "predict.h"

namespace verdict {

namespace {

int popcount(unsigned h) { return static_cast<int>(std::bitset<32>(h).count()); }

}  // namespace

BaselineShapTables::Workspace::Workspace(const BaselineShapTables& shap)
    : mask_(shap.max_slots_, 0), acc_(static_cast<std::size_t>(shap.num_features_) + 1, 0.0) {
  if (shap.walked_.empty()) return;
  const std::size_t m = static_cast<std::size_t>(shap.num_features_);
  for (std::size_t b = 0; b < shap.weights_.size(); ++b) {
    const auto first = shap.reference_.begin() + static_cast<std::ptrdiff_t>(b * m);
    walkers_.emplace_back(*shap.forest_, std::vector<float>(first, first + static_cast<std::ptrdiff_t>(m)));
  }
}

BaselineShapTables::BaselineShapTables(const Forest& forest, const std::vector<float>& reference,
                                       const std::vector<double>& weights,
                                       BaselineShapTablesOptions options)
    : forest_(&forest), num_features_(forest.num_features), reference_(reference) {
  weights_ = baseline_row_weights(forest, reference, weights);
  const std::size_t m = static_cast<std::size_t>(num_features_);
  const std::size_t n = weights_.size();
  for (std::size_t b = 0; b < n; ++b) {
    expected_value_ += weights_[b] * predict_margin(forest, reference_.data() + b * m);
  }

  const int max_features = std::clamp(options.max_path_features, 0, 16);
  // W(a, b) = a! b! / (a+b+1)!, a + b < max_features.
  const int w_size = max_features + 1;
  std::vector<double> w(static_cast<std::size_t>(w_size * w_size), 0.0);
  for (int a = 0; a < w_size; ++a) {
    w[a * w_size] = 1.0 / (a + 1);
    for (int b = 1; b < w_size; ++b) w[a * w_size + b] = w[a * w_size + b - 1] * b / (a + b + 1);
  }
  std::vector<std::uint32_t> mask;
  std::vector<double> by_r;  // Σ of reference weights for each R ⊆ P of one leaf
  for (std::int32_t root : forest.tree_root) {
    const TreeScan s = scan_tree(forest, root, max_features);
    std::size_t doubles = 0;
    for (const TreeScan::Leaf& l : s.leaves) doubles += (std::size_t{1} << l.path.size()) * s.dmax;
    const std::size_t bytes = doubles * sizeof(double) + s.splits.size() * sizeof(Inner) +
                              s.leaves.size() * (sizeof(Leaf) + s.dmax * sizeof(std::int32_t));
    if (!s.fits || table_bytes() + bytes > options.max_table_bytes ||
        values_.size() + doubles > std::numeric_limits<std::uint32_t>::max()) {
      walked_.push_back(root);
      continue;
    }
    ++table_trees_;
    if (s.dmax == 0) continue;  // a lone leaf: nothing to attribute
    Plan plan{};
    plan.dmax = static_cast<std::uint8_t>(s.dmax);
    plan.inner_begin = static_cast<std::uint32_t>(inner_.size());
    plan.inner_end = append_splits(forest, s, inner_);
    plan.leaf_begin = static_cast<std::uint32_t>(leaves_.size());
    plan.leaf_end = static_cast<std::uint32_t>(plan.leaf_begin + s.leaves.size());
    max_slots_ = std::max<std::size_t>(max_slots_, static_cast<std::size_t>(s.slots));
    mask.assign(static_cast<std::size_t>(s.slots), 0);
    // Each reference's failed splits, for every leaf at once: R = P minus the failed features.
    std::vector<std::vector<std::uint32_t>> failed(n);
    for (std::size_t b = 0; b < n; ++b) {
      fill_masks(plan, reference_.data() + b * m, mask.data());
      for (const TreeScan::Leaf& l : s.leaves) failed[b].push_back(mask[l.slot]);
    }
    const int dmax = s.dmax;
    for (std::size_t li = 0; li < s.leaves.size(); ++li) {
      const TreeScan::Leaf& l = s.leaves[li];
      const int d = static_cast<int>(l.path.size());
      const unsigned full = (1u << d) - 1u;
      Leaf leaf{};
      leaf.values = static_cast<std::uint32_t>(values_.size());
      leaf.features = static_cast<std::uint32_t>(features_.size());
      leaf.slot = static_cast<std::uint16_t>(l.slot);
      leaf.d = static_cast<std::uint8_t>(d);
      for (int i = 0; i < dmax; ++i) features_.push_back(i < d ? l.path[i].feature : num_features_);
      by_r.assign(std::size_t{1} << d, 0.0);
      for (std::size_t b = 0; b < n; ++b) by_r[~failed[b][li] & full] += weights_[b];
      values_.resize(values_.size() + (std::size_t{1} << d) * dmax, 0.0);
      double* table = values_.data() + leaf.values;
      const double v = forest.value[l.node];
      for (unsigned h = 0; h <= full; ++h) {
        double* row = table + static_cast<std::size_t>(h) * dmax;
        const int in_r = d - popcount(h);  // |B|: the features only the reference satisfies
        for (unsigned r = 0; r <= full; ++r) {
          if (by_r[r] == 0.0 || (h | r) != full) continue;
          const int in_x = d - popcount(r);  // |A|: the features only x satisfies
          const double scaled = by_r[r] * v;
          for (int i = 0; i < d; ++i) {
            const unsigned bit = 1u << i;
            if (!(r & bit)) row[i] += scaled * w[(in_x - 1) * w_size + in_r];
            if (!(h & bit)) row[i] -= scaled * w[in_x * w_size + in_r - 1];
          }
        }
      }
      leaves_.push_back(leaf);
    }
    plans_.push_back(plan);
  }
}

void BaselineShapTables::explain(const float* row, double* phi, Workspace& ws) const {
  double* acc = ws.acc_.data();
  std::fill(ws.acc_.begin(), ws.acc_.end(), 0.0);
  std::uint32_t* mask = ws.mask_.data();
  for (const Plan& plan : plans_) {
    fill_masks(plan, row, mask);
    const int dmax = plan.dmax;
    for (const Leaf* leaf = leaves_.data() + plan.leaf_begin, *end = leaves_.data() + plan.leaf_end;
         leaf != end; ++leaf) {
      const std::uint32_t h = ~mask[leaf->slot] & ((1u << leaf->d) - 1u);
      const double* t = values_.data() + leaf->values + static_cast<std::size_t>(h) * dmax;
      const std::int32_t* f = features_.data() + leaf->features;
      for (int i = 0; i < dmax; ++i) acc[f[i]] += t[i];
    }
  }
  for (std::int32_t root : walked_) {
    for (std::size_t b = 0; b < ws.walkers_.size(); ++b) ws.walkers_[b].add_tree(root, row, weights_[b], acc);
  }
  std::copy(acc, acc + num_features_, phi);
}

std::size_t BaselineShapTables::table_bytes() const {
  return values_.size() * sizeof(double) + features_.size() * sizeof(std::int32_t) +
         leaves_.size() * sizeof(Leaf) + inner_.size() * sizeof(Inner);
}

}  // namespace verdict
