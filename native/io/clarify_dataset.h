// A dataset as SageMaker Clarify's analysis_config.json describes it: text/csv with or without
// a header row (the column names come from `headers` when the file has none), or
// application/jsonlines (one JSON object per line). Read into a Table whose rows' line numbers
// and source are the file's own, so errors name the user's file and line.
#pragma once
#include <string>
#include <vector>

#include "native/io/csv.h"

namespace verdict {

struct ClarifyDatasetFormat {
  std::string type = "text/csv";      // dataset_type: text/csv | application/jsonlines
  std::vector<std::string> headers;   // the config's `headers` (may be empty for a CSV with a header row)
  std::string features;               // jsonlines: the key (a dotted path) of the list of feature values
  std::string label;                  // jsonlines: the label's key (with `features`)
};

// Throws verdict::Error naming the file and line for a row with the wrong number of values, a
// line that is not a JSON object, or a missing key.
Table read_clarify_dataset(const std::string& path, const ClarifyDatasetFormat& format);

// A headerless CSV (Clarify's baseline.csv) or one whose first row is `headers`: the rows.
// `headers` names the columns; the count of every row is checked.
Table read_headerless_csv(const std::string& path, const std::vector<std::string>& headers);

// The cells of a CSV file's first row (its header, or its first record when it has none).
std::vector<std::string> first_csv_row(const std::string& path);

}  // namespace verdict
