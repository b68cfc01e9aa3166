#include "native/io/dataset.h"

#include "shared/error.h"

namespace verdict {

Dataset encode_table(const Table& table, const Schema& schema, bool require_target,
                     const std::vector<std::string>& ignored) {
  Dataset d;
  d.rows = table.rows.size();
  d.cols = schema.features.size();
  for (const Column& c : schema.features) {
    const int idx = table.column(c.name);
    if (idx < 0) throw Error("schema feature '" + c.name + "' is not a column of '" + table.source + "'");
    d.source_column.push_back(idx);
  }
  for (const std::string& name : table.header) {
    const bool skip = std::find(ignored.begin(), ignored.end(), name) != ignored.end();
    if (!skip && name != schema.target && schema.feature_index(name) < 0) {
      throw Error("column '" + name + "' of '" + table.source + "' is not in the model's schema");
    }
  }
  const int target = schema.target.empty() ? -1 : table.column(schema.target);
  if (require_target && target < 0) {
    throw Error("target column '" + schema.target + "' is not in '" + table.source + "'");
  }
  d.x.resize(d.rows * d.cols);
  d.stats.unseen_category.assign(d.cols, 0);
  if (target >= 0) d.label.resize(d.rows);
  for (std::size_t r = 0; r < d.rows; ++r) {
    const auto& cells = table.rows[r];
    int column = -1;  // the table column being encoded, for the message
    try {
      for (std::size_t f = 0; f < d.cols; ++f) {
        column = d.source_column[f];
        d.x[r * d.cols + f] = encode_cell(schema, f, cells[d.source_column[f]], &d.stats);
      }
      column = target;
      if (target >= 0) d.label[r] = encode_target(schema, cells[target]);
    } catch (const Error& e) {
      throw Error(table.source + ":" + std::to_string(table.line[r]) + ":" + std::to_string(column + 1) + ": " +
                  e.what());
    }
  }
  return d;
}

std::string unseen_warning(const Dataset& data, const Schema& schema) {
  std::string out;
  for (std::size_t f = 0; f < data.stats.unseen_category.size(); ++f) {
    if (data.stats.unseen_category[f] == 0) continue;
    out += "warning: " + std::to_string(data.stats.unseen_category[f]) + " value(s) of '" +
           schema.features[f].name + "' were not seen in training; treated as missing\n";
  }
  return out;
}

}  // namespace verdict
