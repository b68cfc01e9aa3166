#include "shap_summary.h"

#include <algorithm>
#include <cmath>

#include "error.h"

namespace verdict {

Aggregation parse_aggregation(const std::string& name) {
  if (name == "mean_abs") return Aggregation::MeanAbs;
  if (name == "median") return Aggregation::Median;
  if (name == "mean_sq") return Aggregation::MeanSq;
  throw Error("aggregation '" + name + "' is not one of mean_abs, median, mean_sq");
}

const char* aggregation_name(Aggregation a) {
  switch (a) {
    case Aggregation::Median:
      return "median";
    case Aggregation::MeanSq:
      return "mean_sq";
    case Aggregation::MeanAbs:
      break;
  }
  return "mean_abs";
}

std::vector<double> global_shap(const std::vector<double>& values, std::size_t features,
                                Aggregation how) {
  const std::size_t rows = features ? values.size() / features : 0;
  std::vector<double> out(features, 0.0);
  if (rows == 0) return out;
  std::vector<double> column(rows);
  for (std::size_t f = 0; f < features; ++f) {
    for (std::size_t r = 0; r < rows; ++r) column[r] = values[r * features + f];
    double acc = 0;
    switch (how) {
      case Aggregation::MeanAbs:
        for (double v : column) acc += std::fabs(v);
        out[f] = acc / static_cast<double>(rows);
        break;
      case Aggregation::MeanSq:
        for (double v : column) acc += v * v;
        out[f] = acc / static_cast<double>(rows);
        break;
      case Aggregation::Median: {
        // Clarify documents "median of the SHAP values": signed, unlike the other two.
        std::sort(column.begin(), column.end());
        out[f] = rows % 2 ? column[rows / 2] : (column[rows / 2 - 1] + column[rows / 2]) / 2;
        break;
      }
    }
  }
  return out;
}

}  // namespace verdict
