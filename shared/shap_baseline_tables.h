// Exact baseline (interventional) SHAP against several weighted reference rows — Clarify's
// K-means baseline — with the references moved into a per-leaf precomputation, so a row costs
// the same for 1 or 100 references. The values are those of the weighted mean of BaselineShap
// (shap_baseline.h, which stays the reference) over the references.
//
// For a leaf l with value v and the distinct features P (d of them) on its path, a row reaches
// the leaf in the game v(S) = f(x_S, r_rest) through the features whose every condition on the
// path it satisfies: H ⊆ P for x, R ⊆ P for a reference r. The leaf counts when H ∪ R = P; then
// A = P∖R (only x satisfies) must come from x and B = P∖H (only r) from r, and
//   i ∈ A:  φ_i += v · W(|A|−1, |B|)        i ∈ B:  φ_i −= v · W(|A|, |B|−1),
// with W(a, b) = a! b! / (a+b+1)!. Summed over the references, by weight, that is a table of
// d numbers for each H: 2^d · d per leaf, filled from the references' R once. Explaining a row
// evaluates each split once, derives H per leaf from the failed splits (as FastTreeShap does),
// and adds d numbers per leaf. Memory: Σ_leaves 2^d · dmax doubles (1.5 MB for the Adult model).
//
// A tree falls back to walking it once per reference (BaselineShap) when a path has more than
// `max_path_features` distinct features or the table budget is spent.
//
// Threads: read-only after construction; each thread explains through its own Workspace.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "forest.h"
#include "path_splits.h"
#include "shap_baseline.h"

namespace verdict {

struct BaselineShapTablesOptions {
  int max_path_features = 10;                            // 2^10 · 10 doubles = 80 KiB per leaf
  std::size_t max_table_bytes = std::size_t{512} << 20;  // the rest of the trees are walked
};

class BaselineShapTables {
 public:
  // reference: rows × num_features, row-major, at least one row; weights: one per row (any
  // positive scale; empty = equal weights).
  BaselineShapTables(const Forest& forest, const std::vector<float>& reference,
                     const std::vector<double>& weights, BaselineShapTablesOptions options = {});

  class Workspace {
   public:
    explicit Workspace(const BaselineShapTables& shap);

   private:
    friend class BaselineShapTables;
    std::vector<std::uint32_t> mask_;
    std::vector<double> acc_;
    std::vector<BaselineShap> walkers_;  // one per reference, for the walked trees only
  };

  // φ0 = Σ_b w_b f(r_b), the weighted mean margin of the references.
  double expected_value() const { return expected_value_; }
  std::size_t references() const { return weights_.size(); }

  // Writes one SHAP value per feature into phi[0 .. num_features); Σφ + φ0 = margin.
  void explain(const float* row, double* phi, Workspace& workspace) const;

  std::size_t table_trees() const { return table_trees_; }
  std::size_t walked_trees() const { return walked_.size(); }
  std::size_t table_bytes() const;

 private:
  // The tree's splits in preorder; slots number its nodes for the failed-split masks.
  using Inner = PathSplit;
  using Leaf = PathLeaf;  // values: into values_, 2^d rows of dmax numbers
  struct Plan {
    std::uint32_t inner_begin, inner_end, leaf_begin, leaf_end;
    std::uint8_t dmax;
  };

  void fill_masks(const Plan& plan, const float* row, std::uint32_t* mask) const {
    fill_failed_masks(inner_.data() + plan.inner_begin, inner_.data() + plan.inner_end, row, mask);
  }

  const Forest* forest_;
  int num_features_;
  double expected_value_ = 0;
  std::vector<float> reference_;
  std::vector<double> weights_;  // normalised to sum 1
  std::vector<Plan> plans_;
  std::vector<std::int32_t> walked_;  // roots of the trees walked per reference
  std::vector<Inner> inner_;
  std::vector<Leaf> leaves_;
  std::vector<std::int32_t> features_;
  std::vector<double> values_;
  std::size_t max_slots_ = 1;
  std::size_t table_trees_ = 0;
};

}  // namespace verdict
