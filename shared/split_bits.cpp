#include "split_bits.h"

#include <algorithm>
#include <string>

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

// What every build reads: the forest laid out as complete trees.
struct Layout {
  const Forest& f;
  int depth;
  const SplitBitsPredictor::Split* splits;
  const std::uint32_t* first;
  const std::uint32_t* left;
  const double* leaves;
};

constexpr std::size_t R = SplitBitsPredictor::kRows;

// Feature-major: x[c * R + r], so one feature of the 16 rows is one load.
void transpose(const float* rows, std::size_t cols, std::size_t m, float* x) {
  for (std::size_t c = 0; c < m; ++c) {
    for (std::size_t r = 0; r < R; ++r) x[c * R + r] = rows[r * cols + c];
  }
}

// Missing goes right: right unless x < t (!(x < t) holds for NaN). Missing goes left: right
// when x >= t (false for NaN). The same predicates as the vector compares below.
void predict_block_portable(const Layout& l, const float* rows, std::size_t cols, double* out, float* x) {
  transpose(rows, cols, static_cast<std::size_t>(l.f.num_features), x);
  const std::uint32_t first_leaf = (1u << l.depth) - 1u;
  double sum[R];
  for (double& s : sum) s = l.f.base_margin;
  for (std::size_t t = 0; t < l.f.tree_root.size(); ++t) {
    std::uint32_t bits[R] = {};
    for (std::uint32_t i = l.first[t]; i < l.left[t]; ++i) {
      const float* v = &x[static_cast<std::size_t>(l.splits[i].feature) * R];
      const float threshold = l.splits[i].threshold;
      const std::uint32_t bit = l.splits[i].bit;
      for (std::size_t r = 0; r < R; ++r) bits[r] |= !(v[r] < threshold) ? bit : 0u;
    }
    for (std::uint32_t i = l.left[t]; i < l.first[t + 1]; ++i) {
      const float* v = &x[static_cast<std::size_t>(l.splits[i].feature) * R];
      const float threshold = l.splits[i].threshold;
      const std::uint32_t bit = l.splits[i].bit;
      for (std::size_t r = 0; r < R; ++r) bits[r] |= v[r] >= threshold ? bit : 0u;
    }
    const double* value = l.leaves + t * 32;
    for (std::size_t r = 0; r < R; ++r) {
      std::uint32_t place = 0;
      for (int level = 0; level < l.depth; ++level) place = 2 * place + 1 + ((bits[r] >> place) & 1u);
      sum[r] += value[place - first_leaf];
    }
  }
  for (std::size_t r = 0; r < R; ++r) out[r] = sum[r];
}

#ifdef VERDICT_SPLIT_BITS
__attribute__((target("avx2"))) void predict_block_avx2(const Layout& l, const float* rows, std::size_t cols, double* out,
                                                        float* x) {
  transpose(rows, cols, static_cast<std::size_t>(l.f.num_features), x);
  const __m256i one = _mm256_set1_epi32(1), first_leaf = _mm256_set1_epi32((1 << l.depth) - 1);
  __m256d sum[4];
  for (__m256d& s : sum) s = _mm256_set1_pd(l.f.base_margin);
  alignas(32) std::int32_t leaf[R];
  for (std::size_t t = 0; t < l.f.tree_root.size(); ++t) {
    __m256i low = _mm256_setzero_si256(), high = low;  // rows 0-7, 8-15: a lane's bit at each split sending it right
    for (std::uint32_t i = l.first[t]; i < l.left[t]; ++i) {
      const float* v = &x[static_cast<std::size_t>(l.splits[i].feature) * R];
      const __m256 threshold = _mm256_set1_ps(l.splits[i].threshold);
      const __m256i bit = _mm256_set1_epi32(static_cast<int>(l.splits[i].bit));
      low = _mm256_or_si256(low, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(v), threshold, _CMP_NLT_UQ)), bit));
      high = _mm256_or_si256(high, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(v + 8), threshold, _CMP_NLT_UQ)), bit));
    }
    for (std::uint32_t i = l.left[t]; i < l.first[t + 1]; ++i) {
      const float* v = &x[static_cast<std::size_t>(l.splits[i].feature) * R];
      const __m256 threshold = _mm256_set1_ps(l.splits[i].threshold);
      const __m256i bit = _mm256_set1_epi32(static_cast<int>(l.splits[i].bit));
      low = _mm256_or_si256(low, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(v), threshold, _CMP_GE_OQ)), bit));
      high = _mm256_or_si256(high, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(v + 8), threshold, _CMP_GE_OQ)), bit));
    }
    __m256i place_low = _mm256_setzero_si256(), place_high = place_low;
    for (int level = 0; level < l.depth; ++level) {  // child = 2·place + 1 + (right ? 1 : 0)
      const __m256i right_low = _mm256_and_si256(_mm256_srlv_epi32(low, place_low), one);
      const __m256i right_high = _mm256_and_si256(_mm256_srlv_epi32(high, place_high), one);
      place_low = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(place_low, place_low), one), right_low);
      place_high = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(place_high, place_high), one), right_high);
    }
    _mm256_store_si256(reinterpret_cast<__m256i*>(leaf), _mm256_sub_epi32(place_low, first_leaf));
    _mm256_store_si256(reinterpret_cast<__m256i*>(leaf + 8), _mm256_sub_epi32(place_high, first_leaf));
    const double* value = l.leaves + t * 32;
    for (std::size_t q = 0; q < 4; ++q) {
      const std::int32_t* k = leaf + 4 * q;
      sum[q] = _mm256_add_pd(sum[q], _mm256_set_pd(value[k[3]], value[k[2]], value[k[1]], value[k[0]]));
    }
  }
  for (std::size_t q = 0; q < 4; ++q) _mm256_storeu_pd(out + 4 * q, sum[q]);
}

// GCC 12's AVX-512 headers leave an operand undefined on purpose (_mm512_undefined_*), and
// -Wmaybe-uninitialized says so once inlined here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f,avx512dq"))) void predict_block_avx512(const Layout& l, const float* rows, std::size_t cols,
                                                                      double* out, float* x) {
  transpose(rows, cols, static_cast<std::size_t>(l.f.num_features), x);
  const __m512i one = _mm512_set1_epi32(1), first_leaf = _mm512_set1_epi32((1 << l.depth) - 1);
  const __m512i sixteen = _mm512_set1_epi64(16);
  __m512d low = _mm512_set1_pd(l.f.base_margin), high = low;  // rows 0-7, 8-15
  for (std::size_t t = 0; t < l.f.tree_root.size(); ++t) {
    __m512i bits = _mm512_setzero_si512();  // a lane's bit at each split that sends its row right
    for (std::uint32_t i = l.first[t]; i < l.left[t]; ++i) {  // missing goes right: right unless x < t
      const __m512 v = _mm512_loadu_ps(&x[static_cast<std::size_t>(l.splits[i].feature) * R]);
      const __mmask16 right = _mm512_cmp_ps_mask(v, _mm512_set1_ps(l.splits[i].threshold), _CMP_NLT_UQ);
      bits = _mm512_mask_or_epi32(bits, right, bits, _mm512_set1_epi32(static_cast<int>(l.splits[i].bit)));
    }
    for (std::uint32_t i = l.left[t]; i < l.first[t + 1]; ++i) {  // missing goes left: right when x >= t
      const __m512 v = _mm512_loadu_ps(&x[static_cast<std::size_t>(l.splits[i].feature) * R]);
      const __mmask16 right = _mm512_cmp_ps_mask(v, _mm512_set1_ps(l.splits[i].threshold), _CMP_GE_OQ);
      bits = _mm512_mask_or_epi32(bits, right, bits, _mm512_set1_epi32(static_cast<int>(l.splits[i].bit)));
    }
    __m512i place = _mm512_setzero_si512();
    for (int level = 0; level < l.depth; ++level) {  // child = 2·place + 1 + (right ? 1 : 0)
      const __m512i right = _mm512_and_si512(_mm512_srlv_epi32(bits, place), one);
      place = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(place, place), one), right);
    }
    const __m512i leaf = _mm512_sub_epi32(place, first_leaf);
    const double* v = l.leaves + t * 32;
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
#pragma GCC diagnostic pop
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

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::avx512: return "AVX-512";
    case SimdLevel::avx2: return "AVX2";
    case SimdLevel::portable: break;
  }
  return "portable";
}

bool SplitBitsPredictor::available(const Forest& f) {
  if (f.num_class > 1 || f.tree_root.empty()) return false;
  const std::vector<int> depth = tree_depths(f);
  return std::all_of(depth.begin(), depth.end(), [](int d) { return d <= kMaxDepth; });
}

bool SplitBitsPredictor::supported(SimdLevel level) {
#ifdef VERDICT_SPLIT_BITS
  switch (level) {
    case SimdLevel::avx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    case SimdLevel::avx2: return __builtin_cpu_supports("avx2");
    case SimdLevel::portable: break;
  }
#endif
  return level == SimdLevel::portable;
}

SimdLevel SplitBitsPredictor::best_level() {
  for (SimdLevel level : {SimdLevel::avx512, SimdLevel::avx2}) {
    if (supported(level)) return level;
  }
  return SimdLevel::portable;
}

SplitBitsPredictor::SplitBitsPredictor(const Forest& f, SimdLevel level) : forest_(&f), level_(level) {
  if (!available(f)) throw Error("SplitBitsPredictor: this forest cannot use it (one output, trees at most 5 deep)");
  if (!supported(level)) throw Error(std::string("SplitBitsPredictor: this CPU has no ") + simd_level_name(level));
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
  const Layout layout{*forest_, depth_, splits_.data(), first_.data(), left_.data(), leaf_.data()};
  switch (level_) {
#ifdef VERDICT_SPLIT_BITS
    case SimdLevel::avx512: return predict_block_avx512(layout, rows, cols, out, scratch);
    case SimdLevel::avx2: return predict_block_avx2(layout, rows, cols, out, scratch);
#endif
    default: return predict_block_portable(layout, rows, cols, out, scratch);
  }
}

}  // namespace verdict
