// Model-agnostic Kernel SHAP (Lundberg & Lee 2017), the way shap's KernelExplainer — and so
// SageMaker Clarify — computes it:
//   - the game is v(S) = link(Σ_b w_b f(x_S, b_rest)) over the baseline rows b (weights w_b,
//     summing to 1); φ0 = link(Σ_b w_b f(b));
//   - features whose value in x equals every baseline row's (NaN equals NaN) cannot matter and
//     get φ = 0; the M others are explained;
//   - coalitions: subset sizes are enumerated completely from both ends (1 and M−1, 2 and
//     M−2, ...) while the sample budget allows, the rest are drawn by the Shapley kernel
//     weights (a coalition and its complement together; repeats add weight);
//   - weighted least squares (Eigen) with Σφ = v(N) − v(∅) enforced exactly by eliminating the
//     last feature, as shap does.
// With num_samples ≥ 2^M − 2 every coalition is enumerated and the result is the exact Shapley
// value of the game. Not done: shap's optional L1 feature selection (l1_reg; its "auto" runs
// an AIC lasso when less than 20% of the coalitions are evaluated) — here l1_reg=False.
//
// Random numbers come only from std::mt19937_64 raw outputs (portable_random.h): a seed and a
// row's stream number give the same coalitions on every platform and thread layout.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "forest.h"

namespace verdict {

// A model: `count` rows (row-major, num_features floats each, NaN = missing) to `count` outputs.
using BatchModel = std::function<void(const float* rows, std::size_t count, double* out)>;
using RowModel = std::function<double(const float* row)>;
BatchModel batch_model(RowModel model, int num_features);  // calls `model` row by row

// shap's link, applied to the baseline-averaged model output.
enum class KernelLink { Identity, Logit };

// Units for a Forest (Clarify's use_logit).
enum class KernelUnits {
  Margin,      // use_logit on: f = margin (log-odds for logistic models), averaged over b
  Prediction,  // use_logit off: f = the prediction (probability), averaged over b
  LogitOfMean  // shap's link="logit": f = probability, logit of its average over b
};
const char* kernel_units_name(KernelUnits units);  // margin | probability | logit_of_mean

struct KernelShapOptions {
  std::size_t num_samples = 0;  // coalitions per row; 0 = shap's "auto", 2M + 2048
  std::uint64_t seed = 0;
};

// What the last explain() did.
struct KernelStats {
  int varying = 0;                 // M: features that differ from some baseline row
  std::size_t samples = 0;         // coalitions evaluated
  int enumerated_sizes = 0;        // subset sizes enumerated completely (pairs count once)
  bool exact = false;              // every coalition enumerated
};

class KernelShap {
 public:
  // baseline: rows × num_features, row-major, at least one row; weights: one per row (any
  // positive scale) or empty for equal weights.
  KernelShap(BatchModel model, KernelLink link, int num_features, std::vector<float> baseline,
             std::vector<double> weights, KernelShapOptions options);
  KernelShap(const Forest& forest, KernelUnits units, std::vector<float> baseline,
             std::vector<double> weights, KernelShapOptions options);

  // φ0 = link(weighted mean of f over the baseline rows).
  double expected_value() const { return expected_value_; }
  int num_features() const { return m_; }
  std::size_t baseline_rows() const { return weights_.size(); }

  // One value per feature into phi[0 .. num_features); Σφ + φ0 = link(f(row)) exactly.
  // `stream` picks the random stream (the batch passes the row index): the result depends only
  // on (row, seed, stream), never on what was explained before.
  void explain(const float* row, double* phi, std::uint64_t stream = 0);

  // link(f(row)), the value the explanation adds up to.
  double output(const float* row);
  const KernelStats& last_stats() const { return stats_; }

 private:
  double link(double v) const;
  void enumerate_and_sample(std::size_t num_samples, std::uint64_t stream);
  void add_sample(const std::uint8_t* mask, double weight);
  void evaluate(const float* row);
  void solve(double diff, double* phi);

  BatchModel model_;
  KernelLink link_;
  int m_;
  std::vector<float> baseline_;
  std::vector<double> weights_;  // normalised to sum 1
  KernelShapOptions options_;
  double expected_value_ = 0;
  KernelStats stats_;

  // Per-explain workspace.
  std::vector<int> varying_;                 // feature index of each explained feature
  std::vector<std::uint8_t> masks_;          // samples × M
  std::vector<double> kernel_weight_;        // per sample
  std::vector<double> ey_;                   // per sample: link(Σ_b w_b f(z))
  std::vector<float> synth_;                 // synthetic rows for one evaluation chunk
  std::vector<double> out_;
};

}  // namespace verdict
