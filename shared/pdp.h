// Partial dependence (Friedman 2001) as Clarify's `methods.pdp` reports it: for one feature, the
// model's mean prediction over the data with that feature set to each value of a grid, and the
// share of the data at each grid value. The output shape Clarify writes in analysis.json
// (explanations.pdp[] = {feature_name, data_type, feature_values, data_distribution,
// model_predictions[label][value], label_headers}) is the one the SageMaker Python SDK reads
// (src/sagemaker/model_card/evaluation_metric_parsers.py, ClarifyExplainabilityParser._parse_pdp).
#pragma once
#include <cstddef>
#include <vector>

#include "shared/forest.h"

namespace verdict {

struct PdpGrid {
  std::vector<float> values;         // the grid (codes for a categorical feature)
  std::vector<double> distribution;  // share of the non-missing data nearest each grid value
};

// A numeric feature: `resolution` evenly spaced values from the smallest to the largest
// non-missing value (fewer when the column has fewer distinct values: then those values);
// a categorical feature: every code that occurs, in code order. Column `feature` of the
// row-major `rows` × `cols` matrix x (NaN = missing).
PdpGrid pdp_grid(const float* x, std::size_t rows, std::size_t cols, std::size_t feature, bool categorical,
                 std::size_t resolution);

// The mean prediction (after the link) over the rows with the feature set to each grid value
// (NaN: missing): each row's exact feature curve (shared/feature_curve) read at every grid value,
// bit for bit the mean of scoring the rows once per value. A K-class model: class `cls`'s
// probability (softmax over every class's margin).
std::vector<double> partial_dependence(const Forest& forest, const float* x, std::size_t rows, std::size_t cols,
                                       std::size_t feature, const std::vector<float>& grid, int cls = 0);

}  // namespace verdict
