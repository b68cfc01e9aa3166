// Fuzz target: bytes -> JSON (depth-limited) -> load_xgboost_json -> predict and both TreeSHAP
// algorithms on a row of zeros and a row of missing values. A finding is a crash, a sanitizer
// report, a hang, or an exception other than verdict::Error leaving the loader.
#include <cmath>
#include <vector>

#include "fuzz_common.h"
#include "shared/error.h"
#include "shared/forest.h"
#include "shared/predict.h"
#include "shared/shap_fast.h"
#include "shared/shap_tree.h"

namespace {

// The harness's own bound: rows of num_features values are allocated below. The loader
// accepts any count up to 2^31 - 1, as XGBoost does.
constexpr int kMaxFeatures = 1 << 16;

void run(const verdict::Forest& f, const std::vector<float>& row) {
  const double margin = verdict::predict_margin(f, row.data());
  (void)verdict::apply_link(f.link, margin);
  std::vector<double> fast(static_cast<std::size_t>(f.num_features) + 1), classic(fast.size());
  verdict::FastTreeShap shap(f);
  shap.explain(row.data(), fast.data());
  verdict::TreeShap tree_shap(f);
  tree_shap.explain(row.data(), classic.data());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto json = verdict::fuzz::parse_json(data, size);
  if (!json) return 0;
  verdict::Forest forest;
  try {
    forest = verdict::load_xgboost_json(*json);
  } catch (const verdict::Error&) {
    return 0;  // refused with a message: what the loader should do
  }
  if (forest.num_features > kMaxFeatures) return 0;
  const auto n = static_cast<std::size_t>(forest.num_features);
  VERDICT_FUZZ_CHECK(forest.max_depth() <= 64);
  run(forest, std::vector<float>(n, 0.0f));
  run(forest, std::vector<float>(n, std::nanf("")));
  return 0;
}
