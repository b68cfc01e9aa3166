#include "predict.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "error.h"
#include "portable_exp.h"

namespace verdict {

namespace {

[[noreturn]] void refuse_multiclass(const Forest& f, const char* what) {
  throw Error(std::string(what) + ": a multi-class forest (" + std::to_string(f.num_class) +
              " classes) has one margin per class");
}

}  // namespace

double predict_margin(const Forest& f, const float* row) {
  if (f.num_class > 1) refuse_multiclass(f, "predict_margin");
  double sum = f.base_margin;
  for (std::int32_t root : f.tree_root) sum += f.value[leaf_of(f, root, row)];
  return sum;
}

void predict_class_margins(const Forest& f, const float* row, double* margins) {
  if (f.num_class <= 1) {
    margins[0] = predict_margin(f, row);
    return;
  }
  for (int k = 0; k < f.num_class; ++k) margins[k] = f.base_margin;
  for (std::size_t t = 0; t < f.tree_root.size(); ++t) {
    margins[f.tree_class[t]] += f.value[leaf_of(f, f.tree_root[t], row)];
  }
}

void softmax(const double* margins, int k, double* prob) {
  double top = margins[0];
  for (int i = 1; i < k; ++i) top = std::max(top, margins[i]);
  double sum = 0;
  for (int i = 0; i < k; ++i) sum += prob[i] = portable_exp(margins[i] - top);
  for (int i = 0; i < k; ++i) prob[i] /= sum;
}

int predicted_class(const double* margins, int k) {
  int best = 0;
  for (int i = 1; i < k; ++i) {
    if (margins[i] > margins[best]) best = i;
  }
  return best;
}

namespace {

constexpr std::size_t kBlock = 8;

// B rows through every tree side by side: B independent chains of loads for the CPU to overlap.
template <std::size_t B>
void margins_of_block(const Forest& f, const std::vector<MarginPredictor::Node>& node, const std::vector<int>& depth,
                      const float* x, std::size_t cols, double* out) {
  double sum[B];
  for (std::size_t i = 0; i < B; ++i) sum[i] = f.base_margin;
  for (std::size_t t = 0; t < depth.size(); ++t) {
    std::int32_t at[B];
    for (std::size_t i = 0; i < B; ++i) at[i] = f.tree_root[t];
    for (int d = 0; d < depth[t]; ++d) {
      for (std::size_t i = 0; i < B; ++i) {
        const MarginPredictor::Node& p = node[at[i]];
        const float v = x[i * cols + p.feature];
        const bool go_left = std::isnan(v) ? p.default_left != 0 : v < p.threshold;
        at[i] = go_left ? p.left : p.right;
      }
    }
    for (std::size_t i = 0; i < B; ++i) sum[i] += f.value[at[i]];
  }
  for (std::size_t i = 0; i < B; ++i) out[i] = sum[i];
}

}  // namespace

MarginPredictor::MarginPredictor(const Forest& f) : MarginPredictor(f, SplitBitsPredictor::best_level()) {}

MarginPredictor::MarginPredictor(const Forest& f, std::optional<SimdLevel> split_bits)
    : forest_(&f), node_(f.left.size()), depth_(f.tree_root.size(), 0) {
  if (f.num_class > 1) refuse_multiclass(f, "MarginPredictor");
  for (std::size_t i = 0; i < node_.size(); ++i) {
    const auto self = static_cast<std::int32_t>(i);
    node_[i] = f.left[i] >= 0 ? Node{f.left[i], f.right[i], f.feature[i], f.threshold[i], f.default_left[i]}
                              : Node{self, self, 0, 0.0f, 1};
  }
  depth_ = tree_depths(f);
  if (split_bits && SplitBitsPredictor::available(f)) bits_ = std::make_unique<SplitBitsPredictor>(f, *split_bits);
}

MarginPredictor::MarginPredictor(const MarginPredictor& other)
    : forest_(other.forest_), node_(other.node_), depth_(other.depth_),
      bits_(other.bits_ ? std::make_unique<SplitBitsPredictor>(*other.forest_, other.bits_->level()) : nullptr) {}

MarginPredictor::~MarginPredictor() = default;

void MarginPredictor::predict(const float* rows, std::size_t n, std::size_t cols, double* out) const {
  std::size_t first = 0;
  if (bits_ && n >= SplitBitsPredictor::kRows) {
    std::vector<float> scratch(SplitBitsPredictor::kRows * static_cast<std::size_t>(forest_->num_features));
    for (; first + SplitBitsPredictor::kRows <= n; first += SplitBitsPredictor::kRows) {
      bits_->predict_block(rows + first * cols, cols, out + first, scratch.data());
    }
  }
  for (; first + kBlock <= n; first += kBlock) {
    margins_of_block<kBlock>(*forest_, node_, depth_, rows + first * cols, cols, out + first);
  }
  for (; first < n; ++first) margins_of_block<1>(*forest_, node_, depth_, rows + first * cols, cols, out + first);
}

void predict_margins(const Forest& f, const float* rows, std::size_t n, std::size_t cols, double* out) {
  MarginPredictor(f).predict(rows, n, cols, out);
}

const char* link_name(Link link) {
  switch (link) {
    case Link::Logistic: return "logistic";
    case Link::Exp: return "exp";
    case Link::Softmax: return "softmax";
    case Link::Identity: break;
  }
  return "identity";
}

double apply_link(Link link, double margin) {
  switch (link) {
    case Link::Logistic:
      return 1.0 / (1.0 + portable_exp(-margin));
    case Link::Exp:
      return portable_exp(margin);
    case Link::Softmax:
      throw Error("apply_link: softmax needs every class's margin, not one");
    case Link::Identity:
      break;
  }
  return margin;
}

}  // namespace verdict
