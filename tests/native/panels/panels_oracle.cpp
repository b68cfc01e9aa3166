// The review page's panels computed natively, for the page's tests to compare with what the
// browser shows (WebAssembly == native): one record of a review batch, each feature's exact
// curve (and a categorical feature's prediction per category), and its nearest records of the
// batch; with --average, each feature's average curve over the batch (partial dependence at a
// value inside each cell, then missing).
// Usage: verdict_panels_oracle MODEL_DIR BATCH_JSON RECORD_INDEX K [--average] > expected.json
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "native/io/model_files.h"
#include "shared/error.h"
#include "shared/feature_curve.h"
#include "shared/pdp.h"
#include "shared/similar_records.h"

using namespace verdict;

namespace {

// Numbers as JSON has them; a non-finite one (a cell's open end) as null.
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

std::vector<float> encoded_row(const nlohmann::json& record) {
  std::vector<float> row;
  for (const nlohmann::json& v : record.at("encoded")) row.push_back(v.is_null() ? std::nanf("") : v.get<float>());
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  const bool average = argc == 6 && std::string(argv[5]) == "--average";
  if (argc != 5 && !average) {
    std::cerr << "usage: verdict_panels_oracle MODEL_DIR BATCH_JSON RECORD_INDEX K [--average]\n";
    return 2;
  }
  try {
    const ModelFiles model = load_model_files(argv[1], "");
    if (!model.schema) throw Error("the model has no schema");
    const nlohmann::json batch = read_json_file(argv[2]);
    const std::size_t index = std::strtoul(argv[3], nullptr, 10), k = std::strtoul(argv[4], nullptr, 10);
    const nlohmann::json& records = batch.at("records");
    const std::vector<float> row = encoded_row(records.at(index));
    std::vector<float> rows;
    for (const nlohmann::json& r : records) {
      const std::vector<float> x = encoded_row(r);
      rows.insert(rows.end(), x.begin(), x.end());
    }
    nlohmann::json curves = nlohmann::json::array();
    for (int f = 0; f < model.forest.num_features; ++f) {
      const FeatureCurve c = feature_curve(model.forest, row.data(), f);
      nlohmann::json out = {{"feature", model.schema->features[f].name}, {"thresholds", std::vector<double>(c.thresholds.begin(), c.thresholds.end())},
                            {"prediction", c.prediction}, {"missing_prediction", number(c.missing_prediction)}};
      const Column& col = model.schema->features[f];
      if (col.kind == ColumnKind::Categorical) {
        nlohmann::json per = nlohmann::json::array();
        for (std::size_t code = 0; code < col.categories.size(); ++code) {
          per.push_back(c.prediction[c.cell_of(static_cast<float>(code))]);
        }
        out["categories"] = per;
      }
      if (average) {
        std::vector<float> grid = cell_values(c);
        grid.push_back(std::nanf(""));
        const std::size_t cols = static_cast<std::size_t>(model.forest.num_features);
        out["average"] = partial_dependence(model.forest, rows.data(), records.size(), cols, static_cast<std::size_t>(f), grid);
      }
      curves.push_back(out);
    }
    nlohmann::json nearest = nlohmann::json::array();
    for (const Neighbour& n : nearest_records(schema_distance_space(*model.schema), rows.data(), records.size(),
                                              row.data(), k, index)) {
      nearest.push_back({{"index", n.index}, {"row", records[n.index].at("row")}, {"distance", n.distance}});
    }
    std::cout << nlohmann::json({{"record", index}, {"row", records[index].at("row")}, {"curves", curves},
                                 {"nearest", nearest}}).dump() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "verdict_panels_oracle: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
