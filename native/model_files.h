// A model on disk: XGBoost's model.json, and the verdict schema saved beside it.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

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
// when given, overrides the schema beside the model.
ModelFiles load_model_files(const std::string& model, const std::string& schema_path);

}  // namespace verdict
