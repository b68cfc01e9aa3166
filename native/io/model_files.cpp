#include "native/io/model_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "native/io/staged_output.h"
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
  } catch (const nlohmann::json::exception& e) {  // e.g. a number beyond double (1e400)
    throw Error("'" + path + "' is not valid JSON (" + e.what() + ")");
  }
}

ModelFiles load_model_files(const std::string& model, const std::string& schema_path, ForestLoadOptions options) {
  ModelFiles m;
  fs::path model_json = model;
  if (fs::is_directory(model_json)) model_json /= "model.json";
  m.model_path = model_json.string();
  const nlohmann::json model_doc = read_json_file(m.model_path);  // names the file itself
  try {
    m.forest = load_xgboost_json(model_doc, options);
  } catch (const Error& e) {
    throw Error("'" + m.model_path + "': " + e.what());
  }
  fs::path schema = schema_path;
  if (schema.empty() && fs::exists(model_json.parent_path() / "schema.json")) {
    schema = model_json.parent_path() / "schema.json";
  }
  if (!schema.empty()) {
    const nlohmann::json schema_json = read_json_file(schema.string());
    try {
      m.schema = Schema::from_json(schema_json);
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

void write_model_folder(const std::string& dir, const std::string& model_json, const Schema& schema,
                        const nlohmann::json& metrics) {
  StagedOutputs out;
  out.write(fs::path(dir) / "model.json", model_json);
  out.write(fs::path(dir) / "schema.json", schema.to_json().dump(2) + "\n");
  out.write(fs::path(dir) / "metrics.json", metrics.dump(2) + "\n");
  out.commit();
}

Schema bare_model_schema(const Forest& forest, const std::vector<std::string>& header, const std::string& target) {
  const Task task = forest.link == Link::Logistic  ? Task::Binary
                    : forest.link == Link::Softmax ? Task::Multiclass
                                                   : Task::Regression;
  Schema schema = numeric_schema(header, target, task);
  if (task == Task::Multiclass) {  // a bare model's classes are its class indices, in class order
    for (int k = 0; k < forest.num_class; ++k) schema.labels.push_back(std::to_string(k));
  }
  return schema;
}

Schema schema_for_data(const ModelFiles& model, const std::vector<std::string>& header, const std::string& target,
                       const std::string& data_path) {
  if (model.schema) {
    Schema schema = *model.schema;
    if (!target.empty()) schema.target = target;
    return schema;
  }
  Schema schema = bare_model_schema(model.forest, header, target);
  if (static_cast<int>(schema.features.size()) != model.forest.num_features) {
    throw Error("'" + data_path + "' has " + std::to_string(schema.features.size()) + " feature columns; the model has " +
                std::to_string(model.forest.num_features) + (target.empty() ? " (name the label column with --target)" : ""));
  }
  return schema;
}

}  // namespace verdict
