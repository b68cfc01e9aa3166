#include "shap_kernel.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>

#include "error.h"
#include "portable_random.h"
#include "predict.h"

namespace verdict {

namespace {

// Synthetic rows per model call.
constexpr std::size_t kChunkRows = 8192;

bool same_value(float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }

double binomial(int n, int k) {
  double r = 1;
  for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

}  // namespace

BatchModel batch_model(RowModel model, int num_features) {
  const std::size_t m = static_cast<std::size_t>(num_features);
  return [model = std::move(model), m](const float* rows, std::size_t count, double* out) {
    for (std::size_t i = 0; i < count; ++i) out[i] = model(rows + i * m);
  };
}

const char* kernel_units_name(KernelUnits units) {
  switch (units) {
    case KernelUnits::Margin:
      return "margin";
    case KernelUnits::Prediction:
      return "prediction";
    case KernelUnits::LogitOfMean:
      return "logit_of_mean";
  }
  return "margin";
}

KernelShap::KernelShap(BatchModel model, KernelLink link_kind, int num_features,
                       std::vector<float> baseline, std::vector<double> weights,
                       KernelShapOptions options)
    : model_(std::move(model)), link_(link_kind), m_(num_features), baseline_(std::move(baseline)),
      weights_(std::move(weights)), options_(options) {
  if (!model_) throw Error("Kernel SHAP needs a model");
  if (m_ <= 0) throw Error("Kernel SHAP needs at least one feature");
  const std::size_t m = static_cast<std::size_t>(m_);
  if (baseline_.empty() || baseline_.size() % m != 0) {
    throw Error("Kernel SHAP baseline has " + std::to_string(baseline_.size()) +
                " values; it must be one or more rows of " + std::to_string(m) + " features");
  }
  const std::size_t rows = baseline_.size() / m;
  if (weights_.empty()) weights_.assign(rows, 1.0);
  if (weights_.size() != rows) {
    throw Error("Kernel SHAP baseline has " + std::to_string(rows) + " rows but " +
                std::to_string(weights_.size()) + " weights");
  }
  double total = 0;
  for (double w : weights_) {
    if (!(w > 0) || !std::isfinite(w)) throw Error("Kernel SHAP baseline weights must be positive");
    total += w;
  }
  for (double& w : weights_) w /= total;
  out_.resize(rows);
  model_(baseline_.data(), rows, out_.data());
  double mean = 0;
  for (std::size_t b = 0; b < rows; ++b) mean += weights_[b] * out_[b];
  expected_value_ = link(mean);
}

namespace {

BatchModel forest_batch(const Forest& forest, KernelUnits units) {
  const bool margin = units == KernelUnits::Margin;
  const std::size_t m = static_cast<std::size_t>(forest.num_features);
  return [&forest, margin, m](const float* rows, std::size_t count, double* out) {
    for (std::size_t i = 0; i < count; ++i) {
      const double v = predict_margin(forest, rows + i * m);
      out[i] = margin ? v : apply_link(forest.link, v);
    }
  };
}

KernelLink forest_link(const Forest& forest, KernelUnits units) {
  if (units != KernelUnits::LogitOfMean) return KernelLink::Identity;
  if (forest.link != Link::Logistic) {
    throw Error("Kernel SHAP units logit_of_mean need a model with probability outputs (objective '" +
                forest.objective + "')");
  }
  return KernelLink::Logit;
}

}  // namespace

KernelShap::KernelShap(const Forest& forest, KernelUnits units, std::vector<float> baseline,
                       std::vector<double> weights, KernelShapOptions options)
    : KernelShap(forest_batch(forest, units), forest_link(forest, units), forest.num_features,
                 std::move(baseline), std::move(weights), options) {}

double KernelShap::link(double v) const {
  if (link_ == KernelLink::Identity) return v;
  if (!(v > 0 && v < 1)) {
    throw Error("Kernel SHAP logit link: model output " + std::to_string(v) +
                " is not a probability strictly between 0 and 1");
  }
  return std::log(v / (1 - v));
}

double KernelShap::output(const float* row) {
  double v = 0;
  model_(row, 1, &v);
  return link(v);
}

void KernelShap::add_sample(const std::uint8_t* mask, double weight) {
  masks_.insert(masks_.end(), mask, mask + varying_.size());
  kernel_weight_.push_back(weight);
}

void KernelShap::explain(const float* row, double* phi, std::uint64_t stream) {
  const std::size_t m = static_cast<std::size_t>(m_);
  const std::size_t rows = weights_.size();
  std::fill(phi, phi + m, 0.0);
  stats_ = KernelStats{};
  varying_.clear();
  for (std::size_t j = 0; j < m; ++j) {
    for (std::size_t b = 0; b < rows; ++b) {
      if (!same_value(row[j], baseline_[b * m + j])) {
        varying_.push_back(static_cast<int>(j));
        break;
      }
    }
  }
  const int M = static_cast<int>(varying_.size());
  stats_.varying = M;
  if (M == 0) {
    stats_.exact = true;
    return;  // x equals every baseline row: nothing to attribute
  }
  const double diff = output(row) - expected_value_;
  if (M == 1) {
    phi[varying_[0]] = diff;
    stats_.exact = true;
    return;
  }
  std::size_t num_samples = options_.num_samples ? options_.num_samples : 2 * static_cast<std::size_t>(M) + 2048;
  if (M <= 30) num_samples = std::min(num_samples, (std::size_t{1} << M) - 2);
  enumerate_and_sample(num_samples, stream);
  evaluate(row);
  solve(diff, phi);
}

void KernelShap::enumerate_and_sample(std::size_t num_samples, std::uint64_t stream) {
  const int M = static_cast<int>(varying_.size());
  masks_.clear();
  kernel_weight_.clear();

  // Total kernel weight of each subset size s = 1 .. M/2, a size and its complement together.
  const int num_subset_sizes = M / 2;           // ceil((M − 1) / 2)
  const int num_paired_sizes = (M - 1) / 2;     // floor((M − 1) / 2)
  std::vector<double> weight_vector(static_cast<std::size_t>(num_subset_sizes));
  double total = 0;
  for (int s = 1; s <= num_subset_sizes; ++s) {
    double w = (M - 1.0) / (s * static_cast<double>(M - s));
    if (s <= num_paired_sizes) w *= 2;
    weight_vector[static_cast<std::size_t>(s - 1)] = w;
    total += w;
  }
  for (double& w : weight_vector) w /= total;

  // Enumerate whole sizes from both ends while the budget covers them.
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(M));
  std::vector<int> combo;
  int num_full = 0;
  double samples_left = static_cast<double>(num_samples);
  std::vector<double> remaining = weight_vector;
  for (int s = 1; s <= num_subset_sizes; ++s) {
    const bool paired = s <= num_paired_sizes;
    const double nsubsets = binomial(M, s) * (paired ? 2 : 1);
    if (samples_left * remaining[static_cast<std::size_t>(s - 1)] / nsubsets < 1.0 - 1e-8) break;
    ++num_full;
    samples_left -= nsubsets;
    if (remaining[static_cast<std::size_t>(s - 1)] < 1.0) {
      const double scale = 1 - remaining[static_cast<std::size_t>(s - 1)];
      for (double& r : remaining) r /= scale;
    }
    double w = weight_vector[static_cast<std::size_t>(s - 1)] / binomial(M, s);
    if (paired) w /= 2;
    // Every s-subset in lexicographic order (as itertools.combinations), with its complement.
    combo.resize(static_cast<std::size_t>(s));
    for (int i = 0; i < s; ++i) combo[static_cast<std::size_t>(i)] = i;
    for (;;) {
      std::fill(mask.begin(), mask.end(), 0);
      for (int c : combo) mask[static_cast<std::size_t>(c)] = 1;
      add_sample(mask.data(), w);
      if (paired) {
        for (auto& b : mask) b ^= 1;
        add_sample(mask.data(), w);
      }
      int i = s - 1;
      while (i >= 0 && combo[static_cast<std::size_t>(i)] == M - s + i) --i;
      if (i < 0) break;
      ++combo[static_cast<std::size_t>(i)];
      for (int k = i + 1; k < s; ++k) combo[static_cast<std::size_t>(k)] = combo[static_cast<std::size_t>(k - 1)] + 1;
    }
  }
  stats_.enumerated_sizes = num_full;
  stats_.exact = num_full == num_subset_sizes;

  // Sample the remaining sizes by their kernel weight.
  const std::size_t fixed = kernel_weight_.size();
  std::size_t left = num_samples > fixed ? num_samples - fixed : 0;
  if (num_full != num_subset_sizes && left > 0) {
    std::vector<double> cumulative;
    double sum = 0;
    for (int s = num_full + 1; s <= num_subset_sizes; ++s) {
      double w = weight_vector[static_cast<std::size_t>(s - 1)];
      if (s <= num_paired_sizes) w /= 2;  // each draw adds a coalition and its complement
      sum += w;
      cumulative.push_back(sum);
    }
    std::mt19937_64 rng(mix_seed(options_.seed, stream));
    std::vector<int> order(static_cast<std::size_t>(M));
    std::unordered_map<std::string, std::size_t> seen;  // mask → sample index
    auto add_or_count = [&](const std::vector<std::uint8_t>& m) {
      std::string key(m.begin(), m.end());
      auto it = seen.find(key);
      if (it != seen.end()) {
        kernel_weight_[it->second] += 1.0;
        return;
      }
      seen.emplace(std::move(key), kernel_weight_.size());
      add_sample(m.data(), 1.0);
      --left;
    };
    const std::size_t max_draws = 4 * left;
    for (std::size_t draw = 0; draw < max_draws && left > 0; ++draw) {
      const double u = uniform01(rng) * sum;
      std::size_t pick = 0;
      while (pick + 1 < cumulative.size() && u >= cumulative[pick]) ++pick;
      const int s = num_full + 1 + static_cast<int>(pick);
      // A uniform s-subset: the first s entries of a partial Fisher–Yates shuffle.
      std::iota(order.begin(), order.end(), 0);
      std::fill(mask.begin(), mask.end(), 0);
      for (int i = 0; i < s; ++i) {
        const std::size_t j = static_cast<std::size_t>(i) + uniform_below(rng, static_cast<std::uint64_t>(M - i));
        std::swap(order[static_cast<std::size_t>(i)], order[j]);
        mask[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = 1;
      }
      add_or_count(mask);
      if (left > 0 && s <= num_paired_sizes) {
        for (auto& b : mask) b ^= 1;
        add_or_count(mask);
      }
    }
    // The sampled coalitions share the kernel weight the enumerated sizes left over.
    double weight_left = 0, sampled = 0;
    for (int s = num_full + 1; s <= num_subset_sizes; ++s) weight_left += weight_vector[static_cast<std::size_t>(s - 1)];
    for (std::size_t i = fixed; i < kernel_weight_.size(); ++i) sampled += kernel_weight_[i];
    if (sampled > 0) {
      for (std::size_t i = fixed; i < kernel_weight_.size(); ++i) kernel_weight_[i] *= weight_left / sampled;
    }
  }
  stats_.samples = kernel_weight_.size();
}

void KernelShap::evaluate(const float* row) {
  const std::size_t m = static_cast<std::size_t>(m_);
  const std::size_t M = varying_.size();
  const std::size_t rows = weights_.size();
  const std::size_t samples = kernel_weight_.size();
  const std::size_t per_chunk = std::max<std::size_t>(1, kChunkRows / rows);
  ey_.resize(samples);
  for (std::size_t first = 0; first < samples; first += per_chunk) {
    const std::size_t count = std::min(per_chunk, samples - first);
    synth_.resize(count * rows * m);
    out_.resize(count * rows);
    float* z = synth_.data();
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint8_t* mask = masks_.data() + (first + i) * M;
      for (std::size_t b = 0; b < rows; ++b, z += m) {
        std::copy(baseline_.begin() + static_cast<std::ptrdiff_t>(b * m),
                  baseline_.begin() + static_cast<std::ptrdiff_t>((b + 1) * m), z);
        for (std::size_t k = 0; k < M; ++k) {
          if (mask[k]) z[varying_[k]] = row[varying_[k]];
        }
      }
    }
    model_(synth_.data(), count * rows, out_.data());
    for (std::size_t i = 0; i < count; ++i) {
      double mean = 0;
      for (std::size_t b = 0; b < rows; ++b) mean += weights_[b] * out_[i * rows + b];
      ey_[first + i] = link(mean);
    }
  }
}

void KernelShap::solve(double diff, double* phi) {
  // Minimise Σ_i w_i (ey_i − φ0 − Σ_k mask_ik φ_k)² subject to Σ_k φ_k = diff, with the last
  // feature eliminated: φ_last = diff − Σ_{k<last} φ_k.
  const Eigen::Index M = static_cast<Eigen::Index>(varying_.size());
  const Eigen::Index n = static_cast<Eigen::Index>(kernel_weight_.size());
  const Eigen::Index last = M - 1;
  Eigen::MatrixXd a(n, last);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::uint8_t* mask = masks_.data() + i * M;
    const double sw = std::sqrt(kernel_weight_[static_cast<std::size_t>(i)]);
    for (Eigen::Index k = 0; k < last; ++k) a(i, k) = sw * (double(mask[k]) - double(mask[last]));
    y(i) = sw * (ey_[static_cast<std::size_t>(i)] - expected_value_ - double(mask[last]) * diff);
  }
  // Least squares; minimum norm when the samples do not determine every value (as shap's
  // lstsq fallback).
  const Eigen::VectorXd w = a.completeOrthogonalDecomposition().solve(y);
  double sum = 0;
  for (Eigen::Index k = 0; k < last; ++k) {
    phi[varying_[static_cast<std::size_t>(k)]] = w(k);
    sum += w(k);
  }
  phi[varying_[static_cast<std::size_t>(last)]] = diff - sum;
}

}  // namespace verdict
