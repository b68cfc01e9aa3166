// Scores and explains many encoded rows on several threads with the core's SHAP.
#pragma once
#include <functional>
#include <vector>

#include "shared/forest.h"
#include "shared/shap_kernel.h"

namespace verdict {

// Tree: path-dependent TreeSHAP by FastTreeShap (per-leaf tables); TreeClassic: the same
// values by the classic algorithm (TreeShap), kept as the reference and for comparison.
// Baseline: exact baseline SHAP by per-leaf tables over the references (BaselineShapTables),
// or by the walk when there is one reference row; BaselineWalk: the same values by walking
// each tree once per reference (BaselineShap), kept as the reference and for comparison.
enum class ShapKind { Tree, Baseline, Kernel, TreeClassic, BaselineWalk };

struct BatchExplanation {
  std::vector<double> margin;  // one per row
  std::vector<double> phi;     // rows × features, row-major
  double expected_value = 0;   // φ0
};

// What to compute. Baseline and Kernel read `reference`: one or more rows × features, with
// `reference_weights` (one per row; empty = equal). Baseline with several rows gives the
// weighted mean of exact baseline SHAP over them (margin units); Kernel is Kernel SHAP over
// them in `units`, one explainer per thread, row r drawing from random stream r (the result
// does not depend on the number of threads).
struct ShapSettings {
  ShapKind kind = ShapKind::Tree;
  std::vector<float> reference;
  std::vector<double> reference_weights;
  KernelUnits units = KernelUnits::Margin;
  KernelShapOptions kernel;
  // Row r of this batch is row first_row + r of the whole input: Kernel SHAP's random stream,
  // so a file explained chunk by chunk (or shard by shard) gets the values of one batch.
  std::size_t first_row = 0;
};

BatchExplanation explain_batch(const Forest& forest, const float* x, std::size_t rows,
                               const ShapSettings& settings, unsigned threads,
                               const std::function<void(std::size_t)>& progress = {});

// The same for Tree and Baseline. `reference` (one or more rows) is used by ShapKind::Baseline
// only. `progress` (may be empty) is called from the calling thread with the number of rows done.
BatchExplanation explain_batch(const Forest& forest, const float* x, std::size_t rows,
                               ShapKind kind, const std::vector<float>& reference,
                               unsigned threads,
                               const std::function<void(std::size_t)>& progress = {});

}  // namespace verdict
