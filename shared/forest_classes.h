// A multi-class forest seen one class at a time: the trees of class k as a forest of their own
// (single output, margin units), so every SHAP algorithm explains class k over that class's
// trees only, unchanged: φ of class k sum with φ0 to margin k.
#pragma once
#include <vector>

#include "forest.h"

namespace verdict {

// Class k's trees (in the order XGBoost stores them) with the base margin every class starts
// from: num_class 1, link Identity, the objective and feature names kept. A single-output
// forest is its own class 0 (a copy). Throws verdict::Error for k out of range.
Forest forest_of_class(const Forest& forest, int k);

// forest_of_class for every class, in class order.
std::vector<Forest> forests_by_class(const Forest& forest);

}  // namespace verdict
