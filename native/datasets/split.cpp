#include "native/datasets/split.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "shared/error.h"
#include "shared/portable_random.h"

namespace verdict {

std::vector<bool> seeded_test_rows(std::size_t n, std::uint64_t seed, double test_fraction) {
  if (!(test_fraction >= 0 && test_fraction <= 1)) throw Error("the test fraction must be in [0, 1]");
  const auto n_test = static_cast<std::size_t>(std::floor(static_cast<double>(n) * test_fraction + 0.5));
  std::vector<std::uint64_t> key(n);
  for (std::size_t i = 0; i < n; ++i) key[i] = mix_seed(seed, i);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return key[a] != key[b] ? key[a] < key[b] : a < b;
  });
  std::vector<bool> test(n, false);
  for (std::size_t k = 0; k < n_test; ++k) test[order[k]] = true;
  return test;
}

SplitTables split_table(const Table& all, std::uint64_t seed, double test_fraction) {
  const std::vector<bool> is_test = seeded_test_rows(all.rows.size(), seed, test_fraction);
  SplitTables s;
  s.train.header = s.test.header = all.header;
  s.train.source = s.test.source = all.source;
  for (std::size_t r = 0; r < all.rows.size(); ++r) {
    Table& to = is_test[r] ? s.test : s.train;
    to.rows.push_back(all.rows[r]);
    if (r < all.line.size()) to.line.push_back(all.line[r]);
  }
  return s;
}

}  // namespace verdict
