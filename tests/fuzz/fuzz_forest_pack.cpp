// Fuzz target: bytes -> unpack_forest (the review page's model form) -> predict and TreeSHAP on
// a row of zeros and a row of missing values. A finding is a crash, a sanitizer report, a hang,
// an exception other than verdict::Error, or a forest that does not pack back to the same bytes.
#include <cmath>
#include <vector>

#include "fuzz_common.h"
#include "shared/error.h"
#include "shared/forest_pack.h"
#include "shared/predict.h"
#include "shared/shap_fast.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  verdict::Forest forest;
  try {
    forest = verdict::unpack_forest(data, size);
  } catch (const verdict::Error&) {
    return 0;
  }
  if (forest.num_features > (1 << 16)) return 0;
  VERDICT_FUZZ_CHECK(forest.max_depth() <= 64);
  VERDICT_FUZZ_CHECK(verdict::pack_forest(forest) == std::vector<std::uint8_t>(data, data + size));
  const auto n = static_cast<std::size_t>(forest.num_features);
  for (const float v : {0.0f, std::nanf("")}) {
    const std::vector<float> row(n, v);
    (void)verdict::predict_margin(forest, row.data());
    std::vector<double> phi(n + 1);
    verdict::FastTreeShap(forest).explain(row.data(), phi.data());
  }
  return 0;
}
