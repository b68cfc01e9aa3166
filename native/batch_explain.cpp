#include "batch_explain.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <thread>

#include "shared/predict.h"
#include "shared/shap_baseline.h"
#include "shared/shap_tree.h"

namespace verdict {

namespace {

constexpr std::size_t kChunk = 64;

template <typename Explainer>
void work(const Forest& forest, const float* x, std::size_t rows, Explainer& explainer,
          BatchExplanation& out, std::atomic<std::size_t>& next, std::atomic<std::size_t>& done) {
  const std::size_t m = static_cast<std::size_t>(forest.num_features);
  for (;;) {
    const std::size_t begin = next.fetch_add(kChunk);
    if (begin >= rows) return;
    const std::size_t end = std::min(rows, begin + kChunk);
    for (std::size_t r = begin; r < end; ++r) {
      const float* row = x + r * m;
      out.margin[r] = predict_margin(forest, row);
      explainer.explain(row, out.phi.data() + r * m);
    }
    done.fetch_add(end - begin);
  }
}

}  // namespace

BatchExplanation explain_batch(const Forest& forest, const float* x, std::size_t rows,
                               ShapKind kind, const std::vector<float>& reference,
                               unsigned threads, const std::function<void(std::size_t)>& progress) {
  BatchExplanation out;
  const std::size_t m = static_cast<std::size_t>(forest.num_features);
  out.margin.resize(rows);
  out.phi.resize(rows * m);
  out.expected_value = kind == ShapKind::Tree ? TreeShap(forest).expected_value()
                                              : BaselineShap(forest, reference).expected_value();
  std::atomic<std::size_t> next{0}, done{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    try {
      if (kind == ShapKind::Tree) {
        TreeShap explainer(forest);
        work(forest, x, rows, explainer, out, next, done);
      } else {
        BaselineShap explainer(forest, reference);
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
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
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
