// Global SHAP values: one figure per feature from the local values of many records,
// aggregated the way Clarify's agg_method does.
#pragma once
#include <string>
#include <vector>

namespace verdict {

enum class Aggregation { MeanAbs, Median, MeanSq };

Aggregation parse_aggregation(const std::string& name);  // mean_abs | median | mean_sq
const char* aggregation_name(Aggregation a);

// values: rows × features, row-major. Returns one value per feature.
std::vector<double> global_shap(const std::vector<double>& values, std::size_t features,
                                Aggregation how);

}  // namespace verdict
