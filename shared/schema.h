// Schema: how every column of a table is encoded into the float row the model sees.
// Built once from training data, saved beside the model, used for every later encoding.
#pragma once
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace verdict {

enum class ColumnKind { Numeric, Categorical };
enum class Task { Binary, Regression };

struct Column {
  std::string name;
  ColumnKind kind = ColumnKind::Numeric;
  std::vector<std::string> categories;  // code i is categories[i]; sorted like LabelEncoder
  double min = std::numeric_limits<double>::quiet_NaN();   // of the encoded training values
  double max = std::numeric_limits<double>::quiet_NaN();
  double mean = std::numeric_limits<double>::quiet_NaN();  // the default SHAP baseline
};

struct Schema {
  std::vector<Column> features;  // in model feature order
  std::string target;            // may be empty when no target is known
  Task task = Task::Binary;
  std::vector<std::string> labels;  // binary: the target's values seen in training, sorted
  std::string positive_label;       // binary: the value encoded as 1

  // Index of a feature by name, or -1.
  int feature_index(std::string_view name) const;
  nlohmann::json to_json() const;
  static Schema from_json(const nlohmann::json& j);
};

// True for the cells that mean "missing": empty and "?".
bool is_missing_cell(std::string_view cell);

// Parses a whole cell as a finite or infinite number; false when it is not a number (or is
// beyond double's range, like 1e400). A number too small for double reads as 0 or a subnormal.
bool parse_number(std::string_view cell, double& out);

// How a cell reads as a numeric feature's value.
enum class NumberCell {
  NotANumber,  // text: "forty", "NA"
  Fits,        // a number that is finite as a float32 (the value the model sees)
  OutOfRange,  // a number that is not: 1e39, 1e400, inf, -inf, nan
};
NumberCell read_number_cell(std::string_view cell, double& out);

// True when a double is finite and stays finite rounded to float32 (|v| < FLT_MAX + half an
// ulp): the one rule for every number that becomes a feature value.
bool fits_float32(double v);

// Infers a schema from training cells (rows of strings, one vector per column, in header
// order). A column is numeric when every non-missing cell is a number, else categorical.
// `positive_label` may be empty: then the last of the sorted labels (or "1") is positive.
Schema infer_schema(const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& columns, const std::string& target,
                    Task task, const std::string& positive_label);

// A schema that treats every column except the target as numeric (models trained elsewhere).
Schema numeric_schema(const std::vector<std::string>& header, const std::string& target,
                      Task task);

// Counts what encoding could not place, per feature.
struct EncodeStats {
  std::vector<std::size_t> unseen_category;  // per feature
  std::size_t total_unseen() const;
};

// Encodes one feature cell; unknown categories become NaN and are counted. Missing cells ("" and
// "?") are NaN. A numeric feature's cell must be a number that fits float32 (fits_float32):
// text, 1e39, 1e400, inf, -inf and nan are errors naming the column. Every path that turns a
// cell into a feature value (CSV files, the review page through WebAssembly) comes here.
float encode_cell(const Schema& schema, std::size_t feature, std::string_view cell,
                  EncodeStats* stats);

// Turns an encoded value back into the text a person reads (category name or number).
std::string decode_value(const Schema& schema, std::size_t feature, float value);

// Encodes a target cell: binary → 0/1, regression → the number (the same float32 rule as a
// numeric feature). Throws on a bad label.
float encode_target(const Schema& schema, std::string_view cell);

}  // namespace verdict
