// Scores and explains many encoded rows on several threads with the core's SHAP.
#pragma once
#include <functional>
#include <vector>

#include "shared/forest.h"

namespace verdict {

enum class ShapKind { Tree, Baseline };

struct BatchExplanation {
  std::vector<double> margin;  // one per row
  std::vector<double> phi;     // rows × features, row-major
  double expected_value = 0;   // φ0
};

// `reference` is used by ShapKind::Baseline only. `progress` (may be empty) is called from
// the calling thread with the number of rows done.
BatchExplanation explain_batch(const Forest& forest, const float* x, std::size_t rows,
                               ShapKind kind, const std::vector<float>& reference,
                               unsigned threads,
                               const std::function<void(std::size_t)>& progress = {});

}  // namespace verdict
