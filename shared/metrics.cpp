#include "metrics.h"
#include "predict.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "bias.h"
#include "error.h"

namespace verdict {

double roc_auc(const std::vector<double>& score, const std::vector<float>& label) {
  const std::size_t n = score.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  double rank_sum = 0, positives = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && score[order[j]] == score[order[i]]) ++j;
    const double mid_rank = (static_cast<double>(i) + static_cast<double>(j) + 1) / 2;
    for (std::size_t k = i; k < j; ++k) {
      if (label[order[k]] > 0.5f) {
        rank_sum += mid_rank;
        positives += 1;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0 || negatives == 0) return std::nan("");
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

BinaryMetrics binary_metrics(const std::vector<double>& probability,
                             const std::vector<float>& label, double threshold) {
  if (probability.size() != label.size() || probability.empty()) {
    throw Error("metrics need as many labels as predictions, and at least one");
  }
  BinaryMetrics m;
  double correct = 0, loss = 0;
  constexpr double eps = 1e-15;
  for (std::size_t i = 0; i < label.size(); ++i) {
    const bool positive = label[i] > 0.5f;
    if (above_threshold(probability[i], threshold) == positive) correct += 1;
    const double p = std::clamp(probability[i], eps, 1 - eps);
    loss -= positive ? std::log(p) : std::log(1 - p);
  }
  const auto n = static_cast<double>(label.size());
  m.accuracy = correct / n;
  m.log_loss = loss / n;
  m.auc = roc_auc(probability, label);
  return m;
}

MulticlassMetrics multiclass_metrics(const std::vector<double>& probability, int k,
                                     const std::vector<float>& label) {
  if (k < 2 || label.empty() || probability.size() != label.size() * static_cast<std::size_t>(k)) {
    throw Error("metrics need k >= 2 probabilities per label, and at least one label");
  }
  MulticlassMetrics m;
  double correct = 0, loss = 0;
  constexpr double eps = 1e-15;
  for (std::size_t i = 0; i < label.size(); ++i) {
    const double* p = probability.data() + i * static_cast<std::size_t>(k);
    const float y = label[i];
    if (!(y >= 0 && y < static_cast<float>(k)) || y != std::floor(y)) {
      throw Error("label " + std::to_string(y) + " of row " + std::to_string(i) + " is not a class index below " +
                  std::to_string(k));
    }
    const int c = static_cast<int>(y);
    if (predicted_class(p, k) == c) correct += 1;
    loss -= std::log(std::clamp(p[c], eps, 1 - eps));
  }
  const auto n = static_cast<double>(label.size());
  m.accuracy = correct / n;
  m.log_loss = loss / n;
  return m;
}

RegressionMetrics regression_metrics(const std::vector<double>& prediction,
                                     const std::vector<float>& target) {
  if (prediction.size() != target.size() || prediction.empty()) {
    throw Error("metrics need as many targets as predictions, and at least one");
  }
  const auto n = static_cast<double>(target.size());
  double se = 0, ae = 0, mean = 0;
  for (float t : target) mean += t;
  mean /= n;
  double ss_total = 0;
  for (std::size_t i = 0; i < target.size(); ++i) {
    const double e = prediction[i] - target[i];
    se += e * e;
    ae += std::fabs(e);
    ss_total += (target[i] - mean) * (target[i] - mean);
  }
  RegressionMetrics m;
  m.rmse = std::sqrt(se / n);
  m.mae = ae / n;
  m.r2 = ss_total > 0 ? 1 - se / ss_total : std::nan("");
  return m;
}

}  // namespace verdict

namespace verdict {

std::vector<NamedMetric> clarify_performance_metrics(double tp, double fp, double fn, double tn) {
  auto divide = [](double a, double b) { return clarify_divide(a, b); };
  const double precision = divide(tp, fp + tp), recall = divide(tp, tp + fn);
  return {
      {"Accuracy", "Proportion of inputs assigned the correct predicted label by the model.", divide(tn + tp, tn + fp + fn + tp)},
      {"Proportion of Positive Predictions in Labels", "Proportion of input assigned in positive predicted label.",
       divide(tp + fp, tn + fp + fn + tp)},
      {"Proportion of Negative Predictions in Labels", "Proportion of input assigned the negative predicted label.",
       divide(tn + fn, tn + fp + fn + tp)},
      {"True Positive Rate / Recall",
       "Proportion of inputs with positive observed label correctly assigned the positive predicted label.", recall},
      {"True Negative Rate / Specificity",
       "Proportion of inputs with negative observed label correctly assigned the negative predicted label.", divide(tn, tn + fp)},
      {"Acceptance Rate / Precision",
       "Proportion of inputs with positive predicted label that actually have a positive observed label.", precision},
      {"Rejection Rate", "Proportion of inputs with negative predicted label that actually have a negative observed label.",
       divide(tn, tn + fn)},
      {"Conditional Acceptance", "Ratio between the positive observed labels and positive predicted labels.",
       divide(fn + tp, fp + tp)},
      {"Conditional Rejection", "Ratio between the negative observed labels and negative predicted labels.",
       divide(tn + fp, tn + fn)},
      {"F1 Score", "Harmonic mean of precision and recall.", 2 * divide(precision * recall, precision + recall)},
  };
}

}  // namespace verdict
