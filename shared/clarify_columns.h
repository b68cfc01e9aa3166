// How SageMaker Clarify reads a column it is given by name: is a facet or label column a set of
// categories or a number with a threshold, and are a feature's cells label-encoded categories.
//
// smclarify (bias/metrics/common.py, series_datatype) decides from the column as pandas parsed
// it: several values given → categories; text → categories; floating point → continuous;
// integers → categories when fewer than UNIQUENESS_THRESHOLD (5 %) of the non-missing cells
// are distinct, else continuous. A facet `value_or_threshold: [0]` on a label-encoded column
// (0/1) therefore selects the rows holding 0; it is not a threshold.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace verdict {

enum class ClarifyColumnType { Categorical, Continuous };

// smclarify's UNIQUENESS_THRESHOLD (bias/metrics/constants.py).
constexpr double kClarifyUniquenessThreshold = 0.05;

// Clarify's rule on CSV cells, typed as pandas types them: every non-missing cell a whole
// number → integers (a missing cell makes pandas read the column as floating point); every
// cell a number → floating point; else text. `values_given` is how many values the config
// names for the column.
ClarifyColumnType clarify_column_type(const std::vector<std::string>& cells, std::size_t values_given);

// The distinct non-missing cells, in order of first appearance (smclarify's one-vs-all order,
// pandas' Series.unique()).
std::vector<std::string> distinct_cells(const std::vector<std::string>& cells);

// Label-encoded categories (scikit-learn's LabelEncoder / OrdinalEncoder: code i is the i-th of
// the sorted categories, as a schema lists them): when no cell names a category and every
// non-missing cell is a whole number in [0, K), the cells with each code replaced by its
// category name; otherwise nothing. Missing cells stay as they are.
std::optional<std::vector<std::string>> decode_label_codes(const std::vector<std::string>& cells,
                                                           const std::vector<std::string>& categories);

}  // namespace verdict
