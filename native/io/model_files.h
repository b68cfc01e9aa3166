// A model on disk: XGBoost's model.json, and the verdict schema saved beside it.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "shared/forest.h"
#include "shared/schema.h"

namespace verdict {

nlohmann::json read_json_file(const std::string& path);

struct ModelFiles {
  Forest forest;
  std::optional<Schema> schema;  // absent for a bare model trained elsewhere
  std::string model_path;
};

// `model` is a folder (model.json + schema.json) or a model.json file; `schema_path`,
// when given, overrides the schema beside the model. A multi-class model loads only with
// `options.multiclass` (for the jobs that read one margin per class); others get the refusal.
ModelFiles load_model_files(const std::string& model, const std::string& schema_path,
                            ForestLoadOptions options = {});

// Writes DIR/model.json, schema.json and metrics.json, all three or none.
void write_model_folder(const std::string& dir, const std::string& model_json, const Schema& schema,
                        const nlohmann::json& metrics);

// A model trained elsewhere, without a schema: every column of `header` but `target` numeric;
// the task from the objective (a multi-class model's classes named "0" … "K-1").
Schema bare_model_schema(const Forest& forest, const std::vector<std::string>& header, const std::string& target);

// The schema to read the CSV `data_path` (whose header is `header`) with: the model's own, its
// target replaced by `target` when given; for a bare model, every column but `target` numeric,
// as many as the model has features.
Schema schema_for_data(const ModelFiles& model, const std::vector<std::string>& header, const std::string& target,
                       const std::string& data_path);

}  // namespace verdict
