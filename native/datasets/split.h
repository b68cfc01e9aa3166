// The seeded train/test split shared by the data sets that UCI publishes as one file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "native/io/csv.h"

namespace verdict {

struct SplitTables {
  Table train, test;
};

// Which rows go to the test set: exactly round(n × test_fraction) of them. Row i gets the key
// mix_seed(seed, i) (SplitMix64's finaliser, shared/portable_random.h — integer arithmetic
// only, so the split is the same with every compiler and standard library); the rows with the
// smallest keys (ties by index) are the test rows. Both parts keep the file's row order.
std::vector<bool> seeded_test_rows(std::size_t n, std::uint64_t seed, double test_fraction);

// Splits a table's rows (and their source lines) by seeded_test_rows; both get its header.
SplitTables split_table(const Table& all, std::uint64_t seed, double test_fraction);

}  // namespace verdict
