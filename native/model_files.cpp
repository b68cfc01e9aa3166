#include "model_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "shared/error.h"

namespace fs = std::filesystem;

namespace verdict {

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw Error("'" + path + "' is not valid JSON (byte " + std::to_string(e.byte) + ")");
  }
}

ModelFiles load_model_files(const std::string& model, const std::string& schema_path) {
  ModelFiles m;
  fs::path model_json = model;
  if (fs::is_directory(model_json)) model_json /= "model.json";
  m.model_path = model_json.string();
  try {
    m.forest = load_xgboost_json(read_json_file(m.model_path));
  } catch (const Error& e) {
    throw Error("'" + m.model_path + "': " + e.what());
  }
  fs::path schema = schema_path;
  if (schema.empty() && fs::exists(model_json.parent_path() / "schema.json")) {
    schema = model_json.parent_path() / "schema.json";
  }
  if (!schema.empty()) {
    try {
      m.schema = Schema::from_json(read_json_file(schema.string()));
    } catch (const Error& e) {
      throw Error("'" + schema.string() + "': " + e.what());
    }
    if (static_cast<int>(m.schema->features.size()) != m.forest.num_features) {
      throw Error("schema '" + schema.string() + "' has " + std::to_string(m.schema->features.size()) +
                  " features; the model has " + std::to_string(m.forest.num_features));
    }
  }
  return m;
}

}  // namespace verdict
