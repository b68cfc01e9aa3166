// One record's score as one feature sweeps its whole range (an ICE curve), exactly: the
// forest's split thresholds on that feature cut its axis into cells, the score is constant
// inside each, so one score per cell (and one for a missing value) is the whole curve.
#pragma once
#include <cstddef>
#include <vector>

#include "shared/forest.h"

namespace verdict {

struct FeatureCurve {
  // The distinct thresholds of the feature's splits, ascending. Cell 0 is x < thresholds[0],
  // cell i is thresholds[i-1] <= x < thresholds[i], the last cell x >= thresholds.back(); a
  // feature no tree splits on has one cell.
  std::vector<float> thresholds;
  std::vector<double> margin;      // per cell: the margin predict_margin gives any x in it
  std::vector<double> prediction;  // per cell: after the forest's link
  double missing_margin = 0;       // the record with the feature missing (NaN: default directions)
  double missing_prediction = 0;

  std::size_t cells() const { return margin.size(); }
  // The cell that holds x (x not NaN).
  std::size_t cell_of(float x) const;
};

// The curve of `feature` for the encoded `row` (num_features floats, NaN = missing; the
// feature's own value is ignored). Each cell's margin is summed as predict_margin sums it
// (base margin, then the trees in order), so it equals predict_margin of the row with the
// feature set to any value of the cell, bit for bit. Throws verdict::Error for a feature out
// of range. A multi-class forest's curve is class `cls`'s: its margin (base margin, then its
// trees in order, as predict_class_margins sums it) and its softmax probability per cell.
FeatureCurve feature_curve(const Forest& forest, const float* row, int feature, int cls = 0);

// A value inside each cell of the curve, in cell order: the threshold that starts the cell, and
// for cell 0 the float just below the first threshold (0 when the feature has no split).
std::vector<float> cell_values(const FeatureCurve& curve);

}  // namespace verdict
