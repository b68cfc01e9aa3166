#include "shared/clarify_columns.h"

#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_set>

#include "shared/schema.h"

namespace verdict {

namespace {

bool whole(double v) { return std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e18; }

}  // namespace

ClarifyColumnType clarify_column_type(const std::vector<std::string>& cells, std::size_t values_given) {
  if (values_given > 1) return ClarifyColumnType::Categorical;
  bool all_numbers = true, all_whole = true, any_missing = false;
  std::set<std::string> distinct;
  std::size_t count = 0;
  for (const std::string& cell : cells) {
    if (is_missing_cell(cell)) {
      any_missing = true;
      continue;
    }
    ++count;
    double v;
    if (!parse_number(cell, v)) {
      all_numbers = false;
      break;
    }
    if (!whole(v) || cell.find_first_of(".eE") != std::string::npos) all_whole = false;
    char key[40];
    std::snprintf(key, sizeof key, "%.17g", v);  // "1" and "01" are the same integer to pandas
    distinct.insert(key);
  }
  if (!all_numbers || count == 0) return ClarifyColumnType::Categorical;  // text (object dtype)
  if (!all_whole || any_missing) return ClarifyColumnType::Continuous;     // float64
  const double uniqueness = static_cast<double>(distinct.size()) / static_cast<double>(count);
  return uniqueness < kClarifyUniquenessThreshold ? ClarifyColumnType::Categorical : ClarifyColumnType::Continuous;
}

std::vector<std::string> distinct_cells(const std::vector<std::string>& cells) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (const std::string& cell : cells) {
    if (!is_missing_cell(cell) && seen.insert(cell).second) out.push_back(cell);
  }
  return out;
}

std::optional<std::vector<std::string>> decode_label_codes(const std::vector<std::string>& cells,
                                                           const std::vector<std::string>& categories) {
  if (categories.empty()) return std::nullopt;
  const std::set<std::string> names(categories.begin(), categories.end());
  std::vector<std::string> out;
  out.reserve(cells.size());
  bool any = false;
  for (const std::string& cell : cells) {
    if (is_missing_cell(cell)) {
      out.push_back(cell);
      continue;
    }
    double v;
    if (names.count(cell) || !parse_number(cell, v) || !whole(v) || v < 0 ||
        v >= static_cast<double>(categories.size())) {
      return std::nullopt;
    }
    out.push_back(categories[static_cast<std::size_t>(v)]);
    any = true;
  }
  if (!any) return std::nullopt;
  return out;
}

}  // namespace verdict
