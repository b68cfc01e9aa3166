// UCI Abalone (regression: the number of Rings; age = Rings + 1.5 years).
#pragma once
#include <string>
#include <vector>

#include "native/io/csv.h"

namespace verdict {

// Sex, Length, Diameter, Height, Whole weight, Shucked weight, Viscera weight, Shell weight,
// Rings — abalone.names' attribute names, Rings (the target) last.
const std::vector<std::string>& abalone_columns();

// Reads abalone.data: 9 comma-separated fields, no header. Sex is M, F or I (infant); every
// other field must be a number. Errors name the file and line.
Table read_abalone(const std::string& path);

}  // namespace verdict
