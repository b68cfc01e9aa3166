// Scoring one encoded row (float32, NaN = missing) with a Forest.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "forest.h"
#include "split_bits.h"

namespace verdict {

// The leaf a row reaches from `node`.
inline std::int32_t leaf_of(const Forest& f, std::int32_t node, const float* row) {
  while (f.left[node] >= 0) {
    const float x = row[f.feature[node]];
    const bool go_left = std::isnan(x) ? f.default_left[node] != 0 : x < f.threshold[node];
    node = go_left ? f.left[node] : f.right[node];
  }
  return node;
}

// The child of an inner node a row goes to.
inline std::int32_t child_of(const Forest& f, std::int32_t node, const float* row) {
  const float x = row[f.feature[node]];
  const bool go_left = std::isnan(x) ? f.default_left[node] != 0 : x < f.threshold[node];
  return go_left ? f.left[node] : f.right[node];
}

// Raw score: base margin plus every tree's leaf value. Throws for a multi-class forest (one
// margin per class: predict_class_margins).
double predict_margin(const Forest& f, const float* row);

// One margin per class into margins[0, f.num_class): base margin plus the leaves of that
// class's trees (XGBoost's output_margin). A single-output forest writes predict_margin.
void predict_class_margins(const Forest& f, const float* row, double* margins);

// Softmax of k margins into prob[0, k), through portable_exp (the same bits natively and in
// WebAssembly): XGBoost's multi:softprob prediction.
void softmax(const double* margins, int k, double* prob);

// The class with the largest margin, the first of equal ones: XGBoost's multi:softmax prediction.
int predicted_class(const double* margins, int k);

// predict_margin of `n` rows of `cols` values each into out[0, n), bit-identical to it; walks
// a few rows through each tree side by side, so their memory loads overlap.
void predict_margins(const Forest& f, const float* rows, std::size_t n, std::size_t cols, double* out);

// predict_margins with the forest's nodes packed once, for many calls (read-only: threads may share it).
// Where the forest allows (SplitBitsPredictor::available), 16 rows at a time go through
// SplitBitsPredictor at the CPU's best level; the rest walk the trees 8 rows abreast. Either
// way the same bits.
class MarginPredictor {
 public:
  explicit MarginPredictor(const Forest& f);
  // Split bits at this level (when the forest allows it), or with std::nullopt only the walk:
  // for benchmarks and tests. Throws verdict::Error when the CPU does not run the level.
  MarginPredictor(const Forest& f, std::optional<SimdLevel> split_bits);
  MarginPredictor(const MarginPredictor& other);
  MarginPredictor& operator=(const MarginPredictor&) = delete;
  ~MarginPredictor();
  void predict(const float* rows, std::size_t n, std::size_t cols, double* out) const;
  // True when blocks of 16 rows use SplitBitsPredictor (at bits_level()).
  bool uses_split_bits() const { return bits_ != nullptr; }
  SimdLevel bits_level() const { return bits_ ? bits_->level() : SimdLevel::portable; }

  // One node in one place; a leaf points to itself both ways, so a row that reached it stays.
  struct Node {
    std::int32_t left, right, feature;
    float threshold;
    std::uint8_t default_left;
  };

 private:
  const Forest* forest_;
  std::vector<Node> node_;
  std::vector<int> depth_;  // per tree: steps from the root to the deepest leaf
  std::unique_ptr<SplitBitsPredictor> bits_;
};

// The one rule for a binary decision, as Clarify's probability_threshold: positive when the
// probability is above the threshold (a probability equal to it is negative).
inline bool above_threshold(double probability, double threshold) { return probability > threshold; }

// "identity", "logistic", "exp" or "softmax": the link's name in files and on the page.
const char* link_name(Link link);

// The objective's link applied to a margin (probability for logistic objectives). Throws for
// Link::Softmax, which needs every class's margin (softmax()).
double apply_link(Link link, double margin);

}  // namespace verdict
