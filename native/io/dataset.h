// A table encoded through a schema: the float matrix the model reads, plus labels.
#pragma once
#include <string>
#include <algorithm>
#include <vector>

#include "native/io/csv.h"
#include "shared/schema.h"

namespace verdict {

struct Dataset {
  std::size_t rows = 0, cols = 0;
  std::vector<float> x;      // rows × cols, row-major, NaN = missing
  std::vector<float> label;  // empty when the table has no target column
  std::vector<int> source_column;  // per feature, its column in the table
  EncodeStats stats;
};

// Encodes every row. Each schema feature must be a column of the table; a column that is
// neither a feature nor the target is an error (the schema does not match the CSV).
// Errors name the file, line and column ("data.csv:12:3: column 'age' holds 1e39, ...").
// Columns named in `ignored` (e.g. lineage columns) are skipped.
Dataset encode_table(const Table& table, const Schema& schema, bool require_target,
                     const std::vector<std::string>& ignored = {});

// One line per feature with unseen categories, for a warning on stderr ("" when none).
std::string unseen_warning(const Dataset& data, const Schema& schema);

}  // namespace verdict
