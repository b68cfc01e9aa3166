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
// The references cost one pass when the tables are made (each reference's failed splits, once
// per tree), then nothing per explained row: the whole training set as the background costs
// about as much per row as path-dependent TreeSHAP (figures: README, scripts/bench).
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
#include "leaf_tables.h"
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
    LeafTables::Workspace block_;
    std::vector<BaselineShap> walkers_;  // one per reference, for the walked trees only
  };

  // φ0 = Σ_b w_b f(r_b), the weighted mean margin of the references.
  double expected_value() const { return expected_value_; }
  std::size_t references() const { return weights_.size(); }

  // Writes one SHAP value per feature into phi[0 .. num_features); Σφ + φ0 = margin.
  void explain(const float* row, double* phi, Workspace& workspace) const;
  // Rows one after another, their values likewise: explain()'s bits, in blocks.
  void explain_rows(const float* rows, std::size_t count, double* phi, Workspace& workspace) const;

  std::size_t table_trees() const { return table_trees_; }
  std::size_t walked_trees() const { return walked_.size(); }
  std::size_t table_bytes() const { return tables_.bytes(); }

 private:
  void explain_block(const float* rows, std::size_t count, double* phi, Workspace& workspace) const;

  const Forest* forest_;
  int num_features_;
  double expected_value_ = 0;
  std::vector<float> reference_;
  std::vector<double> weights_;  // normalised to sum 1
  LeafTables tables_;
  std::vector<std::int32_t> walked_;  // roots of the trees walked per reference
  std::size_t table_trees_ = 0;
};

}  // namespace verdict
