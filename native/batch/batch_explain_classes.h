// explain_batch for every class of a model: class k's SHAP values over class k's trees
// (forest_of_class), in margin units, so Σφ_k + φ0_k = margin_k. A single-output forest gives
// one explanation, explain_batch's own.
#pragma once
#include <functional>
#include <vector>

#include "native/batch/batch_explain.h"
#include "shared/forest.h"

namespace verdict {

// One BatchExplanation per class, in class order. Kernel SHAP of a multi-class model is
// explained per class in margin units only (KernelUnits::Margin): its probability units need
// the softmax over every class, which is not written yet; asking for them throws verdict::Error.
std::vector<BatchExplanation> explain_batch_per_class(const Forest& forest, const float* x, std::size_t rows,
                                                      const ShapSettings& settings, unsigned threads,
                                                      const std::function<void(std::size_t)>& progress = {});

}  // namespace verdict
