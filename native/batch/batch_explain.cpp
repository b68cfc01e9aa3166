#include "native/batch/batch_explain.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <thread>
#include <type_traits>

#include "shared/error.h"
#include "shared/predict.h"
#include "shared/shap_baseline.h"
#include "shared/shap_baseline_tables.h"
#include "shared/shap_fast.h"
#include "shared/shap_tree.h"

namespace verdict {

namespace {

constexpr std::size_t kChunk = 64;

// Exact baseline SHAP against several reference rows, each tree walked once per reference:
// the weighted mean over them (BaselineWalk, the reference for BaselineShapTables).
class MultiBaselineShap {
 public:
  MultiBaselineShap(const Forest& forest, const std::vector<float>& reference,
                    const std::vector<double>& weights)
      : m_(static_cast<std::size_t>(forest.num_features)),
        weights_(baseline_row_weights(forest, reference, weights)) {
    for (std::size_t b = 0; b < weights_.size(); ++b) {
      const auto first = reference.begin() + static_cast<std::ptrdiff_t>(b * m_);
      explainers_.emplace_back(forest, std::vector<float>(first, first + static_cast<std::ptrdiff_t>(m_)));
      expected_value_ += weights_[b] * explainers_.back().expected_value();
    }
    phi_.resize(m_);
  }
  double expected_value() const { return expected_value_; }
  void explain(const float* row, double* phi, std::size_t) {
    if (explainers_.size() == 1) return explainers_[0].explain(row, phi);
    std::fill(phi, phi + m_, 0.0);
    for (std::size_t b = 0; b < explainers_.size(); ++b) {
      explainers_[b].explain(row, phi_.data());
      for (std::size_t j = 0; j < m_; ++j) phi[j] += weights_[b] * phi_[j];
    }
  }

 private:
  std::size_t m_;
  std::vector<BaselineShap> explainers_;
  std::vector<double> weights_;
  std::vector<double> phi_;
  double expected_value_ = 0;
};

struct TreeAdapter {
  TreeShap shap;
  void explain(const float* row, double* phi, std::size_t) { shap.explain(row, phi); }
};

// One precomputed FastTreeShap shared by the threads; the scratch is per thread.
struct FastTreeAdapter {
  const FastTreeShap& shap;
  FastTreeShap::Workspace workspace;
  void explain(const float* row, double* phi, std::size_t) { shap.explain(row, phi, workspace); }
};

// One BaselineShapTables shared by the threads; the scratch is per thread.
struct BaselineTablesAdapter {
  const BaselineShapTables& shap;
  BaselineShapTables::Workspace workspace;
  const MarginPredictor& margins;
  void explain(const float* row, double* phi, std::size_t) { shap.explain(row, phi, workspace); }
};

struct KernelAdapter {
  KernelShap shap;
  std::size_t first_row;
  void explain(const float* row, double* phi, std::size_t r) { shap.explain(row, phi, first_row + r); }
};

template <typename Explainer>
void work(const Forest& forest, const float* x, std::size_t rows, Explainer& explainer,
          BatchExplanation& out, std::atomic<std::size_t>& next, std::atomic<std::size_t>& done) {
  const std::size_t m = static_cast<std::size_t>(forest.num_features);
  // Kernel SHAP rows are slow: hand them out in small chunks so the threads stay balanced.
  const std::size_t chunk = std::is_same_v<Explainer, KernelAdapter> ? 4 : kChunk;
  for (;;) {
    const std::size_t begin = next.fetch_add(chunk);
    if (begin >= rows) return;
    const std::size_t end = std::min(rows, begin + chunk);
    if constexpr (std::is_same_v<Explainer, FastTreeAdapter>) {  // margins from the same pass
      explainer.shap.explain_rows(x + begin * m, end - begin, out.phi.data() + begin * m, explainer.workspace,
                                  out.margin.data() + begin);
    } else if constexpr (std::is_same_v<Explainer, BaselineTablesAdapter>) {
      explainer.margins.predict(x + begin * m, end - begin, m, out.margin.data() + begin);
      explainer.shap.explain_rows(x + begin * m, end - begin, out.phi.data() + begin * m, explainer.workspace);
    } else {
      for (std::size_t r = begin; r < end; ++r) {
        const float* row = x + r * m;
        out.margin[r] = predict_margin(forest, row);
        explainer.explain(row, out.phi.data() + r * m, r);
      }
    }
    done.fetch_add(end - begin);
  }
}

}  // namespace

BatchExplanation explain_batch(const Forest& forest, const float* x, std::size_t rows,
                               ShapKind kind, const std::vector<float>& reference,
                               unsigned threads, const std::function<void(std::size_t)>& progress) {
  ShapSettings settings;
  settings.kind = kind;
  settings.reference = reference;
  return explain_batch(forest, x, rows, settings, threads, progress);
}

BatchExplanation explain_batch(const Forest& forest, const float* x, std::size_t rows,
                               const ShapSettings& settings, unsigned threads,
                               const std::function<void(std::size_t)>& progress) {
  BatchExplanation out;
  const std::size_t m = static_cast<std::size_t>(forest.num_features);
  ShapKind kind = settings.kind;
  // One reference row: walking each tree is a little faster than the tables (scripts/bench).
  if (kind == ShapKind::Baseline && m > 0 && settings.reference.size() == m) kind = ShapKind::BaselineWalk;
  out.margin.resize(rows);
  out.phi.resize(rows * m);
  auto make_kernel = [&] {
    return KernelAdapter{KernelShap(forest, settings.units, settings.reference,
                                    settings.reference_weights, settings.kernel), settings.first_row};
  };
  std::unique_ptr<const FastTreeShap> fast;
  std::unique_ptr<const BaselineShapTables> tables;
  switch (kind) {
    case ShapKind::Tree:
      fast = std::make_unique<const FastTreeShap>(forest);
      out.expected_value = fast->expected_value();
      break;
    case ShapKind::TreeClassic:
      out.expected_value = TreeShap(forest).expected_value();
      break;
    case ShapKind::Baseline:
      tables = std::make_unique<const BaselineShapTables>(forest, settings.reference, settings.reference_weights);
      out.expected_value = tables->expected_value();
      break;
    case ShapKind::BaselineWalk:
      out.expected_value = MultiBaselineShap(forest, settings.reference, settings.reference_weights).expected_value();
      break;
    case ShapKind::Kernel:
      out.expected_value = make_kernel().shap.expected_value();
      break;
  }
  const MarginPredictor margins(forest);
  std::atomic<std::size_t> next{0}, done{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    try {
      if (kind == ShapKind::Tree) {
        FastTreeAdapter explainer{*fast, FastTreeShap::Workspace(*fast)};
        work(forest, x, rows, explainer, out, next, done);
      } else if (kind == ShapKind::TreeClassic) {
        TreeAdapter explainer{TreeShap(forest)};
        work(forest, x, rows, explainer, out, next, done);
      } else if (kind == ShapKind::Baseline) {
        BaselineTablesAdapter explainer{*tables, BaselineShapTables::Workspace(*tables), margins};
        work(forest, x, rows, explainer, out, next, done);
      } else if (kind == ShapKind::BaselineWalk) {
        MultiBaselineShap explainer(forest, settings.reference, settings.reference_weights);
        work(forest, x, rows, explainer, out, next, done);
      } else {
        KernelAdapter explainer = make_kernel();
        work(forest, x, rows, explainer, out, next, done);
      }
    } catch (...) {
      if (!failed.exchange(true)) failure = std::current_exception();
      next.store(rows);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(1u, threads); ++t) pool.emplace_back(worker);
  if (progress) {
    // The calling thread reports progress while the pool works, then joins the work itself.
    std::thread last(worker);
    while (done.load() < rows && !failed.load()) {
      progress(done.load());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    last.join();
  } else {
    worker();
  }
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  if (progress) progress(rows);
  return out;
}

}  // namespace verdict
