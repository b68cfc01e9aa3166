// UCI Adult: the raw files as UCI publishes them, read the way the reference notebook does.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "native/io/csv.h"

namespace verdict {

// Column names of the reference notebook, Target last.
const std::vector<std::string>& adult_columns();

// Reads adult.data or adult.test: ", "-separated, no header; adult.test's first line is
// skipped and its labels lose their trailing dot; rows with a "?" are dropped.
// Target keeps its text ("<=50K" / ">50K"); the schema encodes ">50K" as 1.
Table read_adult(const std::string& path, bool is_test_file);

// What each column means, its unit, and the classes' display names, as a describe file for
// `verdict schema --describe` (taken from UCI's adult.names; `verdict data adult` writes it as
// describe.json beside the CSVs).
nlohmann::json adult_descriptions();

}  // namespace verdict
