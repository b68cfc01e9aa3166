#include "native/batch/flip_test_threads.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

#include "native/batch/threads.h"

namespace verdict {

FlipTestCounts count_flip_test(const FlipTest& test, unsigned threads) {
  constexpr std::size_t kChunk = 2048;  // rows a thread takes at a time
  const std::size_t rows = test.rows();
  const unsigned n = static_cast<unsigned>(std::min<std::size_t>(resolve_threads(threads), (rows + kChunk - 1) / kChunk));
  if (n <= 1) return test.count(0, rows);
  std::atomic<std::size_t> next{0};
  std::vector<FlipTestCounts> part(n);
  std::vector<std::exception_ptr> failed(n);
  auto work = [&](unsigned t) {
    try {
      for (std::size_t begin; (begin = next.fetch_add(kChunk)) < rows;) {
        const FlipTestCounts c = test.count(begin, std::min(rows, begin + kChunk));
        part[t].model_pos_knn_neg += c.model_pos_knn_neg;
        part[t].model_neg_knn_pos += c.model_neg_knn_pos;
      }
    } catch (...) {
      failed[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
  for (const auto& e : failed) {
    if (e) std::rethrow_exception(e);
  }
  FlipTestCounts total;
  total.k = test.k();
  for (const FlipTestCounts& c : part) {
    total.model_pos_knn_neg += c.model_pos_knn_neg;
    total.model_neg_knn_pos += c.model_neg_knn_pos;
  }
  return total;
}

FlipTestRunner flip_test_runner(unsigned threads) {
  return [threads](const FlipTest& test) { return count_flip_test(test, threads); };
}

}  // namespace verdict
