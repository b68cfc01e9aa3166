// UCI Breast Cancer Wisconsin (Diagnostic), wdbc.data: 30 numeric features, label M / B.
#pragma once
#include <string>
#include <vector>

#include "native/io/csv.h"

namespace verdict {

// The 30 feature names of wdbc.names in file order — the ten nucleus features (radius,
// texture, perimeter, area, smoothness, compactness, concavity, concave_points, symmetry,
// fractal_dimension) as _mean, then _se, then _worst — and "diagnosis" last.
const std::vector<std::string>& breast_cancer_columns();

// Reads wdbc.data: ID, diagnosis (M = malignant, B = benign), 30 numbers; no header. The ID
// is dropped and the diagnosis moved to the last column. Errors name the file and line.
Table read_wdbc(const std::string& path);

}  // namespace verdict
