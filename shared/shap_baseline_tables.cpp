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

BaselineShapTables::Workspace::Workspace(const BaselineShapTables& shap) : block_(shap.tables_.workspace()) {
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
    : forest_(&forest), num_features_(forest.num_features), reference_(reference), tables_(forest.num_features) {
  weights_ = baseline_row_weights(forest, reference, weights);
  const std::size_t m = static_cast<std::size_t>(num_features_);
  const std::size_t n = weights_.size();
  // φ0 = Σ_b w_b f(r_b), gathered tree by tree below: by the leaves' reach for the tables' trees.
  expected_value_ = forest.base_margin;

  const int max_features = std::clamp(options.max_path_features, 0, 16);
  // W(a, b) = a! b! / (a+b+1)!, a + b < max_features.
  const int w_size = max_features + 1;
  std::vector<double> w(static_cast<std::size_t>(w_size * w_size), 0.0);
  for (int a = 0; a < w_size; ++a) {
    w[a * w_size] = 1.0 / (a + 1);
    for (int b = 1; b < w_size; ++b) w[a * w_size + b] = w[a * w_size + b - 1] * b / (a + b + 1);
  }
  std::vector<std::uint32_t> mask;
  std::vector<PathSplit> splits;
  std::vector<double> by_r;  // per leaf of one tree, Σ of reference weights for each R ⊆ P
  std::vector<std::size_t> by_r_start;
  std::vector<std::uint32_t> slots, fulls;
  for (std::int32_t root : forest.tree_root) {
    const TreeScan s = scan_tree(forest, root, max_features);
    const std::size_t bytes = s.fits ? tables_.plan_tree(forest, s) : 0;  // a scan cut short has no plan
    if (!s.fits || tables_.bytes() + bytes > options.max_table_bytes ||
        tables_.numbers() + bytes / sizeof(double) > std::numeric_limits<std::uint32_t>::max()) {
      walked_.push_back(root);
      for (std::size_t b = 0; b < n; ++b) expected_value_ += weights_[b] * forest.value[leaf_of(forest, root, reference_.data() + b * m)];
      continue;
    }
    ++table_trees_;
    if (s.dmax == 0) {  // a lone leaf: nothing to attribute
      expected_value_ += forest.value[root];
      tables_.add_tree(forest, s, [](std::size_t, double*) {});
      continue;
    }
    // One pass over the references, every leaf at once: R = P minus the reference's failed features.
    splits.clear();
    append_splits(forest, s, splits);
    mask.assign(static_cast<std::size_t>(s.slots), 0);
    by_r_start.assign(1, 0);
    slots.clear();
    fulls.clear();
    for (const TreeScan::Leaf& l : s.leaves) {
      by_r_start.push_back(by_r_start.back() + (std::size_t{1} << l.path.size()));
      slots.push_back(static_cast<std::uint32_t>(l.slot));
      fulls.push_back((1u << l.path.size()) - 1u);
    }
    by_r.assign(by_r_start.back(), 0.0);
    const std::size_t leaves = s.leaves.size();
    for (std::size_t b = 0; b < n; ++b) {
      fill_failed_masks(splits.data(), splits.data() + splits.size(), reference_.data() + b * m, mask.data());
      const double wb = weights_[b];
      for (std::size_t li = 0; li < leaves; ++li) by_r[by_r_start[li] + (~mask[slots[li]] & fulls[li])] += wb;
    }
    for (std::size_t li = 0; li < leaves; ++li) {
      expected_value_ += forest.value[s.leaves[li].node] * by_r[by_r_start[li] + fulls[li]];  // the leaf's reach
    }
    const int dmax = s.dmax;
    tables_.add_tree(forest, s, [&](std::size_t li, double* table) {
      const TreeScan::Leaf& l = s.leaves[li];
      const int d = static_cast<int>(l.path.size());
      const unsigned full = (1u << d) - 1u;
      const double* leaf_by_r = by_r.data() + by_r_start[li];
      const double v = forest.value[l.node];
      for (unsigned h = 0; h <= full; ++h) {
        double* row = table + static_cast<std::size_t>(h) * dmax;
        const int in_r = d - popcount(h);  // |B|: the features only the reference satisfies
        for (unsigned r = 0; r <= full; ++r) {
          if (leaf_by_r[r] == 0.0 || (h | r) != full) continue;
          const int in_x = d - popcount(r);  // |A|: the features only x satisfies
          const double scaled = leaf_by_r[r] * v;
          for (int i = 0; i < d; ++i) {
            const unsigned bit = 1u << i;
            if (!(r & bit)) row[i] += scaled * w[(in_x - 1) * w_size + in_r];
            if (!(h & bit)) row[i] -= scaled * w[in_x * w_size + in_r - 1];
          }
        }
      }
    });
  }
}

void BaselineShapTables::explain(const float* row, double* phi, Workspace& ws) const { explain_block(row, 1, phi, ws); }

void BaselineShapTables::explain_rows(const float* rows, std::size_t count, double* phi, Workspace& ws) const {
  const std::size_t m = static_cast<std::size_t>(num_features_);
  for (std::size_t begin = 0; begin < count; begin += LeafTables::kBlockRows) {
    explain_block(rows + begin * m, std::min(LeafTables::kBlockRows, count - begin), phi + begin * m, ws);
  }
}

void BaselineShapTables::explain_block(const float* rows, std::size_t count, double* phi, Workspace& ws) const {
  const std::size_t m = static_cast<std::size_t>(num_features_), stride = m + 1;
  tables_.add(rows, count, ws.block_);
  double* acc = ws.block_.acc.data();
  for (std::size_t r = 0; r < count; ++r) {
    for (std::int32_t root : walked_) {
      for (std::size_t b = 0; b < ws.walkers_.size(); ++b) ws.walkers_[b].add_tree(root, rows + r * m, weights_[b], acc + r * stride);
    }
    std::copy(acc + r * stride, acc + r * stride + m, phi + r * m);
  }
}

}  // namespace verdict
