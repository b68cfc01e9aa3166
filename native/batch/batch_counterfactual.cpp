#include "native/batch/batch_counterfactual.h"

#include <algorithm>
#include <thread>

namespace verdict {

std::vector<std::vector<Counterfactual>> counterfactuals_of_rows(const CounterfactualSearch& search, const float* x,
                                                                 std::size_t rows, std::size_t cols,
                                                                 const CounterfactualOptions& options, unsigned threads) {
  std::vector<std::vector<Counterfactual>> found(rows);
  threads = std::max(1u, threads);
  const std::size_t per = (rows + threads - 1) / threads;
  auto work = [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) found[r] = search.find(x + r * cols, options);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, std::min(rows, t * per), std::min(rows, (t + 1) * per));
  work(0, std::min(rows, per));
  for (auto& t : pool) t.join();
  return found;
}

}  // namespace verdict
