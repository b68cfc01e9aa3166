#include "native/batch/batch_explain_classes.h"

#include "shared/error.h"
#include "shared/forest_classes.h"

namespace verdict {

std::vector<BatchExplanation> explain_batch_per_class(const Forest& forest, const float* x, std::size_t rows,
                                                      const ShapSettings& settings, unsigned threads,
                                                      const std::function<void(std::size_t)>& progress) {
  if (forest.num_class <= 1) return {explain_batch(forest, x, rows, settings, threads, progress)};
  if (settings.kind == ShapKind::Kernel && settings.units != KernelUnits::Margin) {
    throw Error("Kernel SHAP of a multi-class model is explained in margin units only (use_logit); "
                "probability units are not supported yet");
  }
  std::vector<BatchExplanation> out;
  out.reserve(static_cast<std::size_t>(forest.num_class));
  for (int k = 0; k < forest.num_class; ++k) {
    const Forest trees = forest_of_class(forest, k);
    // Progress counts rows over every class: class k's row r is k·rows + r.
    std::function<void(std::size_t)> step;
    if (progress) step = [&, k](std::size_t done) { progress(static_cast<std::size_t>(k) * rows + done); };
    out.push_back(explain_batch(trees, x, rows, settings, threads, step));
  }
  return out;
}

}  // namespace verdict
