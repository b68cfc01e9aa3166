#include "split_bits.h"

#include <algorithm>

#include "error.h"

#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
#include <immintrin.h>
#define VERDICT_SPLIT_BITS 1
#endif

namespace verdict {

namespace {

// Lays out the subtree at `node` as the part of a complete tree of depth `depth` at breadth-first
// place `place`: a leaf above the last level fills every place below it (so whichever way a
// row's bits send it, it reaches that leaf), a split adds itself to the list of its default.
void lay_out(const Forest& f, std::int32_t node, std::uint32_t place, int level, int depth,
             std::vector<SplitBitsPredictor::Split>& right, std::vector<SplitBitsPredictor::Split>& left, double* leaves) {
  if (level == depth) {
    leaves[place - ((1u << depth) - 1)] = f.value[node];
    return;
  }
  if (f.left[node] >= 0) {
    (f.default_left[node] ? left : right).push_back({f.feature[node], f.threshold[node], 1u << place});
  }
  const bool leaf = f.left[node] < 0;
  lay_out(f, leaf ? node : f.left[node], 2 * place + 1, level + 1, depth, right, left, leaves);
  lay_out(f, leaf ? node : f.right[node], 2 * place + 2, level + 1, depth, right, left, leaves);
}

#ifdef VERDICT_SPLIT_BITS
__attribute__((target("avx512f,avx512dq"))) void predict_block_avx512(
    const Forest& f, int depth, const SplitBitsPredictor::Split* splits, const std::uint32_t* first,
    const std::uint32_t* left, const double* leaves, const float* rows, std::size_t cols, double* out, float* x) {
  constexpr std::size_t R = SplitBitsPredictor::kRows;
  const auto m = static_cast<std::size_t>(f.num_features);
  for (std::size_t c = 0; c < m; ++c) {
    for (std::size_t r = 0; r < R; ++r) x[c * R + r] = rows[r * cols + c];
  }
  const __m512i one = _mm512_set1_epi32(1), first_leaf = _mm512_set1_epi32((1 << depth) - 1);
  const __m512i sixteen = _mm512_set1_epi64(16);
  __m512d low = _mm512_set1_pd(f.base_margin), high = low;  // rows 0-7, 8-15
  for (std::size_t t = 0; t < f.tree_root.size(); ++t) {
    __m512i bits = _mm512_setzero_si512();  // a lane's bit at each split that sends its row right
    for (std::uint32_t i = first[t]; i < left[t]; ++i) {  // missing goes right: right unless x < t
      const __m512 v = _mm512_loadu_ps(&x[static_cast<std::size_t>(splits[i].feature) * R]);
      const __mmask16 right = _mm512_cmp_ps_mask(v, _mm512_set1_ps(splits[i].threshold), _CMP_NLT_UQ);
      bits = _mm512_mask_or_epi32(bits, right, bits, _mm512_set1_epi32(static_cast<int>(splits[i].bit)));
    }
    for (std::uint32_t i = left[t]; i < first[t + 1]; ++i) {  // missing goes left: right when x >= t
      const __m512 v = _mm512_loadu_ps(&x[static_cast<std::size_t>(splits[i].feature) * R]);
      const __mmask16 right = _mm512_cmp_ps_mask(v, _mm512_set1_ps(splits[i].threshold), _CMP_GE_OQ);
      bits = _mm512_mask_or_epi32(bits, right, bits, _mm512_set1_epi32(static_cast<int>(splits[i].bit)));
    }
    __m512i place = _mm512_setzero_si512();
    for (int level = 0; level < depth; ++level) {  // child = 2·place + 1 + (right ? 1 : 0)
      const __m512i right = _mm512_and_si512(_mm512_srlv_epi32(bits, place), one);
      place = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(place, place), one), right);
    }
    const __m512i leaf = _mm512_sub_epi32(place, first_leaf);
    const double* v = leaves + t * 32;
    const __m512d v0 = _mm512_loadu_pd(v), v1 = _mm512_loadu_pd(v + 8), v2 = _mm512_loadu_pd(v + 16), v3 = _mm512_loadu_pd(v + 24);
    const __m512i i0 = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(leaf));
    const __m512i i1 = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(leaf, 1));
    const __mmask8 h0 = _mm512_test_epi64_mask(i0, sixteen), h1 = _mm512_test_epi64_mask(i1, sixteen);
    low = _mm512_add_pd(low, _mm512_mask_blend_pd(h0, _mm512_permutex2var_pd(v0, i0, v1), _mm512_permutex2var_pd(v2, i0, v3)));
    high = _mm512_add_pd(high, _mm512_mask_blend_pd(h1, _mm512_permutex2var_pd(v0, i1, v1), _mm512_permutex2var_pd(v2, i1, v3)));
  }
  _mm512_storeu_pd(out, low);
  _mm512_storeu_pd(out + 8, high);
}
#endif

}  // namespace

std::vector<int> tree_depths(const Forest& f) {
  std::vector<int> depth(f.tree_root.size(), 0);
  std::vector<std::pair<std::int32_t, int>> stack;
  for (std::size_t t = 0; t < depth.size(); ++t) {
    stack.assign(1, {f.tree_root[t], 0});
    while (!stack.empty()) {
      const auto [id, d] = stack.back();
      stack.pop_back();
      if (f.left[id] < 0) {
        depth[t] = std::max(depth[t], d);
      } else {
        stack.push_back({f.left[id], d + 1});
        stack.push_back({f.right[id], d + 1});
      }
    }
  }
  return depth;
}

bool SplitBitsPredictor::available(const Forest& f) {
#ifdef VERDICT_SPLIT_BITS
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq")) return false;
  if (f.num_class > 1 || f.tree_root.empty()) return false;
  const std::vector<int> depth = tree_depths(f);
  return std::all_of(depth.begin(), depth.end(), [](int d) { return d <= kMaxDepth; });
#else
  (void)f;
  return false;
#endif
}

SplitBitsPredictor::SplitBitsPredictor(const Forest& f) : forest_(&f) {
  if (!available(f)) throw Error("SplitBitsPredictor: this CPU or forest cannot use it (AVX-512, trees at most 5 deep)");
  for (int d : tree_depths(f)) depth_ = std::max(depth_, d);
  depth_ = std::max(depth_, 1);
  leaf_.assign(f.tree_root.size() * 32, 0.0);
  std::vector<Split> right, left;
  for (std::size_t t = 0; t < f.tree_root.size(); ++t) {
    right.clear();
    left.clear();
    lay_out(f, f.tree_root[t], 0, 0, depth_, right, left, &leaf_[t * 32]);
    first_.push_back(static_cast<std::uint32_t>(splits_.size()));
    splits_.insert(splits_.end(), right.begin(), right.end());
    left_.push_back(static_cast<std::uint32_t>(splits_.size()));
    splits_.insert(splits_.end(), left.begin(), left.end());
  }
  first_.push_back(static_cast<std::uint32_t>(splits_.size()));
}

void SplitBitsPredictor::predict_block(const float* rows, std::size_t cols, double* out, float* scratch) const {
#ifdef VERDICT_SPLIT_BITS
  predict_block_avx512(*forest_, depth_, splits_.data(), first_.data(), left_.data(), leaf_.data(), rows, cols, out, scratch);
#else
  (void)rows, (void)cols, (void)out, (void)scratch;
#endif
}

}  // namespace verdict
