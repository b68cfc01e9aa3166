// Schema: how every column of a table is encoded into the float row the model sees.
// Built once from training data, saved beside the model, used for every later encoding.
#pragma once
#include <cstddef>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace verdict {

enum class ColumnKind { Numeric, Categorical };
// Multiclass: K labels, class k is labels[k] (sorted), the model's k-th margin.
enum class Task { Binary, Regression, Multiclass };

struct Column {
  std::string name;
  ColumnKind kind = ColumnKind::Numeric;
  std::vector<std::string> categories;  // code i is categories[i]; sorted like LabelEncoder
  double min = std::numeric_limits<double>::quiet_NaN();   // of the encoded training values
  double max = std::numeric_limits<double>::quiet_NaN();
  double mean = std::numeric_limits<double>::quiet_NaN();  // the default SHAP baseline
  std::string description;  // what the column means, for people (version 2; may be empty)
  std::string unit;         // of a numeric value: "years", "US dollars" (version 2; may be empty)
  // How far values usually lie apart, the unit of a change's cost (counterfactuals; version 3):
  // of the training values, the median absolute deviation, else the interquartile range, else
  // the standard deviation, else the range (Capital Gain is 92 % zeros: MAD and IQR are 0), else 1;
  // never 0. A categorical column has spread 1 (a change of category costs 1).
  double spread = 1.0;
  // Which statistic `spread` is: "mad", "iqr", "std", "range", "none" (constant column),
  // "category", or "range (fallback: the schema predates spreads)" for a file of version 1 or 2.
  std::string spread_statistic = "none";
  bool integer = false;    // every training value is whole: a change moves to whole values (version 3)
  bool immutable = false;  // never changed by a counterfactual, e.g. age or sex (version 3)
};

// The schema format this verdict writes. Version 1 (no "version" field, or 1) has no
// descriptions, units or class names; it reads as before. Version 3 adds per feature "spread",
// "spread_statistic", "integer" and "immutable"; a version 1 or 2 file reads with the range as
// its spread (or 1), integer and immutable false. Readers that predate a version ignore its
// new fields, so a newer file still works with them.
inline constexpr int kSchemaVersion = 3;

struct Schema {
  std::vector<Column> features;  // in model feature order
  std::string target;            // may be empty when no target is known
  Task task = Task::Binary;
  std::vector<std::string> labels;  // binary, multiclass: the target's values seen in training, sorted
  std::string positive_label;       // binary: the value encoded as 1 (multiclass: none)
  // binary: how a person reads a label, e.g. ">50K" -> ">50K: income over $50K a year"
  // (version 2). A label with no entry reads as itself.
  std::map<std::string, std::string> class_names;

  // Index of a feature by name, or -1.
  int feature_index(std::string_view name) const;
  // The display name of a label (the label itself when none is set).
  const std::string& class_name(const std::string& label) const;
  // The canonical form, version kSchemaVersion: every feature carries "description" and
  // "unit" (empty when unset), "spread", "spread_statistic", "integer" and "immutable", and a binary target "class_names" for every label, so readers
  // (the review page among them) need no defaults of their own.
  nlohmann::json to_json() const;
  // Reads versions 1 to 3; a newer version, or a field of a later version in an older file,
  // is an error naming the field.
  static Schema from_json(const nlohmann::json& j);
};

// Applies a description file to a schema: {"features": {NAME: {"description", "unit",
// "immutable"}},
// "classes": {LABEL: DISPLAY NAME}}, every part optional; an empty string clears. A name that
// is not a feature, a label that is not the target's, an unknown key or a wrong type is an
// error naming the field; the schema is left as it was then.
void apply_descriptions(Schema& schema, const nlohmann::json& describe);

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
// Each feature gets its min, max, mean, spread (see Column::spread) and integer flag.
// `positive_label` may be empty: then the last of the sorted labels (or "1") is positive.
// Multiclass: at least 2 labels, sorted; no positive label.
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

// The spread of non-missing training values and the statistic it is: MAD → IQR → standard
// deviation → range, the first that is above 0; ("none", 1) when all values are equal or none.
std::pair<double, std::string> spread_of(std::vector<double> values);

// A column's spread, its statistic and its whole-number flag from its training values (encoded,
// NaN = missing): spread_of for a numeric column; 1, "category" and whole for a categorical one.
void set_spread(Column& column, const std::vector<double>& values);

// Turns an encoded value back into the text a person reads (category name or number).
std::string decode_value(const Schema& schema, std::size_t feature, float value);

// Encodes a target cell: binary → 0/1, multiclass → the label's index in `labels`, regression
// → the number (the same float32 rule as a numeric feature). Throws on a bad label.
float encode_target(const Schema& schema, std::string_view cell);

}  // namespace verdict
