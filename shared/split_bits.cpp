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
// place `place`: a leaf above the last level fills every slot below it, a split adds itself to
// the list of its default with the leaf slots of its left subtree. A row that goes right at a
// split cannot end in those; the leftmost slot no split ruled out is the row's leaf
// (QuickScorer's exit leaf), and a leaf's slots are ruled out all together or not at all.
void lay_out(const Forest& f, std::int32_t node, std::uint32_t place, int level, int depth,
             std::vector<SplitBitsPredictor::Split>& right, std::vector<SplitBitsPredictor::Split>& left, double* leaves) {
  if (level == depth) {
    leaves[place - ((1u << depth) - 1)] = f.value[node];
    return;
  }
  if (f.left[node] >= 0) {  // the left child's subtree: 2^(depth - level - 1) slots from its first
    const int width = depth - level - 1;
    const std::uint32_t first_slot = (2 * place + 1 - ((2u << level) - 1u)) << width;
    const std::uint32_t slots = static_cast<std::uint32_t>((std::uint64_t{1} << (1u << width)) - 1u) << first_slot;
    (f.default_left[node] ? left : right).push_back({f.feature[node], f.threshold[node], slots});
  }
  const bool leaf = f.left[node] < 0;
  lay_out(f, leaf ? node : f.left[node], 2 * place + 1, level + 1, depth, right, left, leaves);
  lay_out(f, leaf ? node : f.right[node], 2 * place + 2, level + 1, depth, right, left, leaves);
}

// What every build reads: the forest laid out as complete trees.
struct Layout {
  const Forest& f;
  const SplitBitsPredictor::Split* splits;
  const std::uint32_t* first;
  const std::uint32_t* left;
  const double* leaves;
  const float* leaf_floats;  // the same values as floats when each is one exactly (else null)
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
  double sum[R];
  for (double& s : sum) s = l.f.base_margin;
  for (std::size_t t = 0; t < l.f.tree_root.size(); ++t) {
    std::uint32_t gone[R] = {};  // per row, the leaf slots ruled out
    for (std::uint32_t i = l.first[t]; i < l.left[t]; ++i) {
      const float* v = &x[static_cast<std::size_t>(l.splits[i].feature) * R];
      const float threshold = l.splits[i].threshold;
      const std::uint32_t slots = l.splits[i].left_slots;
      for (std::size_t r = 0; r < R; ++r) gone[r] |= !(v[r] < threshold) ? slots : 0u;
    }
    for (std::uint32_t i = l.left[t]; i < l.first[t + 1]; ++i) {
      const float* v = &x[static_cast<std::size_t>(l.splits[i].feature) * R];
      const float threshold = l.splits[i].threshold;
      const std::uint32_t slots = l.splits[i].left_slots;
      for (std::size_t r = 0; r < R; ++r) gone[r] |= v[r] >= threshold ? slots : 0u;
    }
    const double* value = l.leaves + t * 32;
    for (std::size_t r = 0; r < R; ++r) sum[r] += value[__builtin_ctz(~gone[r])];
  }
  for (std::size_t r = 0; r < R; ++r) out[r] = sum[r];
}

#ifdef VERDICT_SPLIT_BITS
// Per lane, the index of the lowest 0 bit of `gone` (there is one: the row's leaf): that bit
// alone is ~gone & (gone + 1), a power of two whose float exponent is the index (for 2^31, read
// as INT_MIN, the exponent is the same under the sign bit).
__attribute__((target("avx2"))) __m256i lowest_zero_bit_avx2(__m256i gone) {
  const __m256i bit = _mm256_andnot_si256(gone, _mm256_add_epi32(gone, _mm256_set1_epi32(1)));
  const __m256i exponent = _mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(bit)), 23);
  return _mm256_sub_epi32(_mm256_and_si256(exponent, _mm256_set1_epi32(0xff)), _mm256_set1_epi32(127));
}

__attribute__((target("avx2"))) void predict_block_avx2(const Layout& l, const float* rows, std::size_t cols, double* out,
                                                        float* x) {
  transpose(rows, cols, static_cast<std::size_t>(l.f.num_features), x);
  __m256d sum[4];
  for (__m256d& s : sum) s = _mm256_set1_pd(l.f.base_margin);
  alignas(32) std::int32_t leaf[R];
  for (std::size_t t = 0; t < l.f.tree_root.size(); ++t) {
    __m256i low = _mm256_setzero_si256(), high = low;  // rows 0-7, 8-15: the leaf slots ruled out
    for (std::uint32_t i = l.first[t]; i < l.left[t]; ++i) {
      const float* v = &x[static_cast<std::size_t>(l.splits[i].feature) * R];
      const __m256 threshold = _mm256_set1_ps(l.splits[i].threshold);
      const __m256i slots = _mm256_set1_epi32(static_cast<int>(l.splits[i].left_slots));
      low = _mm256_or_si256(low, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(v), threshold, _CMP_NLT_UQ)), slots));
      high = _mm256_or_si256(high, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(v + 8), threshold, _CMP_NLT_UQ)), slots));
    }
    for (std::uint32_t i = l.left[t]; i < l.first[t + 1]; ++i) {
      const float* v = &x[static_cast<std::size_t>(l.splits[i].feature) * R];
      const __m256 threshold = _mm256_set1_ps(l.splits[i].threshold);
      const __m256i slots = _mm256_set1_epi32(static_cast<int>(l.splits[i].left_slots));
      low = _mm256_or_si256(low, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(v), threshold, _CMP_GE_OQ)), slots));
      high = _mm256_or_si256(high, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(v + 8), threshold, _CMP_GE_OQ)), slots));
    }
    _mm256_store_si256(reinterpret_cast<__m256i*>(leaf), lowest_zero_bit_avx2(low));
    _mm256_store_si256(reinterpret_cast<__m256i*>(leaf + 8), lowest_zero_bit_avx2(high));
    if (l.leaf_floats) {  // 32 floats in 4 registers: permutes pick each lane's, blends its register
      const float* value = l.leaf_floats + t * 32;
      const __m256 v0 = _mm256_loadu_ps(value), v1 = _mm256_loadu_ps(value + 8);
      const __m256 v2 = _mm256_loadu_ps(value + 16), v3 = _mm256_loadu_ps(value + 24);
      for (std::size_t h = 0; h < 2; ++h) {
        const __m256i k = _mm256_load_si256(reinterpret_cast<const __m256i*>(leaf + 8 * h));
        const __m256 bit3 = _mm256_castsi256_ps(_mm256_slli_epi32(k, 28)), bit4 = _mm256_castsi256_ps(_mm256_slli_epi32(k, 27));
        const __m256 low_half = _mm256_blendv_ps(_mm256_permutevar8x32_ps(v0, k), _mm256_permutevar8x32_ps(v1, k), bit3);
        const __m256 high_half = _mm256_blendv_ps(_mm256_permutevar8x32_ps(v2, k), _mm256_permutevar8x32_ps(v3, k), bit3);
        const __m256 v = _mm256_blendv_ps(low_half, high_half, bit4);
        sum[2 * h] = _mm256_add_pd(sum[2 * h], _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
        sum[2 * h + 1] = _mm256_add_pd(sum[2 * h + 1], _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
      }
      continue;
    }
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
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i sixteen = _mm512_set1_epi64(16);
  __m512d low = _mm512_set1_pd(l.f.base_margin), high = low;  // rows 0-7, 8-15
  for (std::size_t t = 0; t < l.f.tree_root.size(); ++t) {
    __m512i gone = _mm512_setzero_si512();  // per lane, the leaf slots ruled out
    for (std::uint32_t i = l.first[t]; i < l.left[t]; ++i) {  // missing goes right: right unless x < t
      const __m512 v = _mm512_loadu_ps(&x[static_cast<std::size_t>(l.splits[i].feature) * R]);
      const __mmask16 right = _mm512_cmp_ps_mask(v, _mm512_set1_ps(l.splits[i].threshold), _CMP_NLT_UQ);
      gone = _mm512_mask_or_epi32(gone, right, gone, _mm512_set1_epi32(static_cast<int>(l.splits[i].left_slots)));
    }
    for (std::uint32_t i = l.left[t]; i < l.first[t + 1]; ++i) {  // missing goes left: right when x >= t
      const __m512 v = _mm512_loadu_ps(&x[static_cast<std::size_t>(l.splits[i].feature) * R]);
      const __mmask16 right = _mm512_cmp_ps_mask(v, _mm512_set1_ps(l.splits[i].threshold), _CMP_GE_OQ);
      gone = _mm512_mask_or_epi32(gone, right, gone, _mm512_set1_epi32(static_cast<int>(l.splits[i].left_slots)));
    }
    // The lowest 0 bit of `gone`, as in lowest_zero_bit_avx2.
    const __m512i bit = _mm512_andnot_si512(gone, _mm512_add_epi32(gone, one));
    const __m512i exponent = _mm512_srli_epi32(_mm512_castps_si512(_mm512_cvtepi32_ps(bit)), 23);
    const __m512i leaf = _mm512_sub_epi32(_mm512_and_si512(exponent, _mm512_set1_epi32(0xff)), _mm512_set1_epi32(127));
    if (l.leaf_floats) {  // one permute of the tree's 32 floats in two registers, widened exactly
      const __m512 v = _mm512_permutex2var_ps(_mm512_loadu_ps(l.leaf_floats + t * 32), leaf, _mm512_loadu_ps(l.leaf_floats + t * 32 + 16));
      low = _mm512_add_pd(low, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
      high = _mm512_add_pd(high, _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)));
      continue;
    }
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
  int depth = 1;  // of the complete trees: the deepest tree's
  for (int d : tree_depths(f)) depth = std::max(depth, d);
  leaf_.assign(f.tree_root.size() * 32, 0.0);
  std::vector<Split> right, left;
  for (std::size_t t = 0; t < f.tree_root.size(); ++t) {
    right.clear();
    left.clear();
    lay_out(f, f.tree_root[t], 0, 0, depth, right, left, &leaf_[t * 32]);
    first_.push_back(static_cast<std::uint32_t>(splits_.size()));
    splits_.insert(splits_.end(), right.begin(), right.end());
    left_.push_back(static_cast<std::uint32_t>(splits_.size()));
    splits_.insert(splits_.end(), left.begin(), left.end());
  }
  first_.push_back(static_cast<std::uint32_t>(splits_.size()));
  // XGBoost's leaves are floats: then four registers hold a tree's 32 (AVX2), and widening a
  // float to double is exact, so the sums keep their bits.
  if (std::all_of(leaf_.begin(), leaf_.end(), [](double v) { return static_cast<double>(static_cast<float>(v)) == v; })) {
    leaf_floats_.assign(leaf_.begin(), leaf_.end());
  }
}

void SplitBitsPredictor::predict_block(const float* rows, std::size_t cols, double* out, float* scratch) const {
  const Layout layout{*forest_, splits_.data(), first_.data(), left_.data(), leaf_.data(),
                      leaf_floats_.empty() ? nullptr : leaf_floats_.data()};
  switch (level_) {
#ifdef VERDICT_SPLIT_BITS
    case SimdLevel::avx512: return predict_block_avx512(layout, rows, cols, out, scratch);
    case SimdLevel::avx2: return predict_block_avx2(layout, rows, cols, out, scratch);
#endif
    default: return predict_block_portable(layout, rows, cols, out, scratch);
  }
}

}  // namespace verdict
