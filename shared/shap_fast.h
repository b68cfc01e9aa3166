// Path-dependent TreeSHAP with the work moved into a per-tree precomputation: the values of
// TreeShap (shap_tree.h, Lundberg 2018 Algorithm 2, which stays the reference), in O(T·L·D)
// per row instead of O(T·L·D²). FastTreeSHAP v2 (Yang 2021), arranged for a flat forest:
//
// For a leaf l with value v and the distinct features P (d of them) on its path, let z_j be
// the product of the cover ratios of j's nodes on the path, and H ⊆ P the features whose
// every condition on the path the row satisfies. With W(k, d) = k!(d−k−1)!/d! and
//   B_l(H) = v · Σ_{S ⊆ H} W(|S|, d) · Π_{j ∈ P∖S} z_j          (a table of 2^d numbers),
// the leaf adds to φ_i, for i ∈ P:
//   i ∉ H:  −B_l(H)            i ∈ H:  (1 − z_i)/z_i · B_l(H ∖ {i}).
// The constructor fills B for every leaf and every H and keeps, per leaf, the row of d
// additions each H makes: (i ∈ H ? c_i : −1) · B(H ∖ {i}) with c_i = (1 − z_i)/z_i. Explaining
// (LeafTables) evaluates each split once, derives H per leaf from the failed splits, and adds
// that row: d additions per leaf, no multiplications or branches. Memory: Σ_leaves 2^d · dmax
// doubles (Adult, 800 trees: 1.5 MB).
//
// A tree falls back to the classic algorithm (after the tables' trees) when a path has more than
// `max_path_features` distinct features, when the table budget is spent, or when a cover or
// leaf value rules the table out (a zero or non-finite cover ratio, a non-finite value).
//
// Threads: a FastTreeShap is read-only after construction and can be shared; each thread
// explains through its own Workspace. The two-argument explain() uses one built into the
// object, like TreeShap (one thread at a time).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "forest.h"
#include "leaf_tables.h"

namespace verdict {

class TreeShap;

struct FastTreeShapOptions {
  int max_path_features = 10;                            // 2^10 · 10 doubles = 80 KiB per leaf at most
  std::size_t max_table_bytes = std::size_t{256} << 20;  // the rest of the trees go classic
};

class FastTreeShap {
 public:
  explicit FastTreeShap(const Forest& forest, FastTreeShapOptions options = {});
  ~FastTreeShap();
  FastTreeShap(FastTreeShap&&) noexcept;
  FastTreeShap& operator=(FastTreeShap&&) = delete;
  FastTreeShap(const FastTreeShap&) = delete;
  FastTreeShap& operator=(const FastTreeShap&) = delete;

  // Scratch of one thread: a block's masks and sums, and the classic fallback's path.
  class Workspace {
   public:
    explicit Workspace(const FastTreeShap& shap);
    ~Workspace();
    Workspace(Workspace&&) noexcept;
    Workspace& operator=(Workspace&&) noexcept;

   private:
    friend class FastTreeShap;
    LeafTables::Workspace block_;
    std::unique_ptr<TreeShap> classic_;
  };

  // E[f(X)] under the trees' cover distribution: φ0 (computed as TreeShap does).
  double expected_value() const { return expected_value_; }

  // Writes one SHAP value per feature into phi[0 .. num_features); Σφ + φ0 = margin. With
  // `margin`, also the row's margin: predict_margin's bits, from the same pass over the splits.
  void explain(const float* row, double* phi, Workspace& workspace, double* margin = nullptr) const;
  void explain(const float* row, double* phi, double* margin = nullptr);  // with the object's own workspace

  // Rows held one after another (num_features floats each), their SHAP values likewise: the
  // same bits as explain() row by row, in blocks of LeafTables::kBlockRows rows; `margins`
  // (optional) one per row.
  void explain_rows(const float* rows, std::size_t count, double* phi, Workspace& workspace,
                    double* margins = nullptr) const;
  static constexpr std::size_t kBlockRows = LeafTables::kBlockRows;

  std::size_t table_trees() const { return table_trees_; }
  std::size_t classic_trees() const { return classic_roots_.size(); }
  std::size_t table_bytes() const { return tables_.bytes(); }
  std::size_t table_groups() const { return tables_.groups(); }  // lookups per row (LeafTables)

 private:
  void explain_block(const float* rows, std::size_t count, double* phi, Workspace& workspace, double* margins) const;

  const Forest* forest_;
  int num_features_;
  double expected_value_ = 0;
  LeafTables tables_;
  std::vector<std::int32_t> classic_roots_;
  std::size_t table_trees_ = 0;
  std::unique_ptr<Workspace> own_;
};

}  // namespace verdict
