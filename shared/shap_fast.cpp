#include "shap_fast.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "path_splits.h"
#include "predict.h"
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

FastTreeShap::Workspace::Workspace(const FastTreeShap& shap) : block_(shap.tables_.workspace()) {
  if (!shap.classic_roots_.empty()) classic_ = std::make_unique<TreeShap>(*shap.forest_);
}
FastTreeShap::Workspace::~Workspace() = default;
FastTreeShap::Workspace::Workspace(Workspace&&) noexcept = default;
FastTreeShap::Workspace& FastTreeShap::Workspace::operator=(Workspace&&) noexcept = default;

FastTreeShap::~FastTreeShap() = default;
FastTreeShap::FastTreeShap(FastTreeShap&&) noexcept = default;

FastTreeShap::FastTreeShap(const Forest& forest, FastTreeShapOptions options)
    : forest_(&forest), num_features_(forest.num_features), tables_(forest.num_features) {
  expected_value_ = tree_expected_value(forest);  // exactly TreeShap's

  const int max_features = std::clamp(options.max_path_features, 0, 20);
  std::vector<double> poly, table(std::size_t{1} << max_features);
  for (std::int32_t root : forest.tree_root) {
    const TreeScan s = scan_tree(forest, root, max_features);
    const std::size_t bytes = s.fits ? tables_.plan_tree(forest, s) : 0;  // a scan cut short has no plan
    if (!s.fits || !s.finite || tables_.bytes() + bytes > options.max_table_bytes ||
        tables_.numbers() + bytes / sizeof(double) > std::numeric_limits<std::uint32_t>::max()) {
      classic_roots_.push_back(root);
      continue;
    }
    ++table_trees_;
    const int dmax = s.dmax;
    tables_.add_tree(forest, s, [&](std::size_t li, double* rows) {
      const TreeScan::Leaf& l = s.leaves[li];
      const int d = static_cast<int>(l.path.size());
      fill_table(l.path, forest.value[l.node], table, poly);
      // Row H: what the leaf adds to each path feature's φ for a row that satisfies H.
      for (std::uint32_t h = 0; h < (1u << d); ++h) {
        for (int i = 0; i < d; ++i) {
          const std::uint32_t bit = 1u << i;
          const double mult = (h & bit) ? (1.0 - l.path[i].z) / l.path[i].z : -1.0;
          rows[h * dmax + i] = mult * table[h & ~bit];
        }
      }
    });
  }
  own_ = std::make_unique<Workspace>(*this);
}

void FastTreeShap::explain(const float* row, double* phi, double* margin) { explain(row, phi, *own_, margin); }

void FastTreeShap::explain(const float* row, double* phi, Workspace& ws, double* margin) const {
  explain_block(row, 1, phi, ws, margin);
}

void FastTreeShap::explain_rows(const float* rows, std::size_t count, double* phi, Workspace& ws,
                                double* margins) const {
  const std::size_t m = static_cast<std::size_t>(num_features_);
  for (std::size_t begin = 0; begin < count; begin += kBlockRows) {
    explain_block(rows + begin * m, std::min(kBlockRows, count - begin), phi + begin * m, ws,
                  margins ? margins + begin : nullptr);
  }
}

void FastTreeShap::explain_block(const float* rows, std::size_t count, double* phi, Workspace& ws,
                                 double* margins) const {
  const std::size_t m = static_cast<std::size_t>(num_features_), stride = m + 1;
  // The tables give the margin in the forest's order only when they hold every tree.
  const bool tables_margin = margins && classic_roots_.empty();
  tables_.add(rows, count, ws.block_, tables_margin ? margins : nullptr, forest_->base_margin);
  if (margins && !tables_margin) {
    for (std::size_t r = 0; r < count; ++r) margins[r] = predict_margin(*forest_, rows + r * m);
  }
  double* acc = ws.block_.acc.data();
  for (std::size_t r = 0; r < count; ++r) {
    for (std::int32_t root : classic_roots_) ws.classic_->explain_tree(root, rows + r * m, acc + r * stride);
    std::copy(acc + r * stride, acc + r * stride + m, phi + r * m);
  }
}

}  // namespace verdict
