// verdict schema: the schema in canonical form, and descriptions, units and class names from a
// describe file.
#include "native/jobs/schema.h"

#include <filesystem>

#include "native/io/csv.h"
#include "native/io/model_files.h"
#include "native/io/staged_output.h"
#include "shared/error.h"
#include "shared/schema.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

// Every feature's spread and whole-number flag from the training CSV (a schema older than
// version 3 has none); the cells are encoded as for training, so a bad one is named by line.
void spreads_from_csv(Schema& schema, const std::string& path) {
  const Table t = read_csv(path);
  for (std::size_t f = 0; f < schema.features.size(); ++f) {
    Column& c = schema.features[f];
    const int col = t.column(c.name);
    if (col < 0) throw Error("'" + path + "' has no column '" + c.name + "' (--spreads-from needs the training data)");
    std::vector<double> values(t.rows.size());
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      try {
        values[r] = encode_cell(schema, f, t.rows[r][static_cast<std::size_t>(col)], nullptr);
      } catch (const Error& e) {
        throw Error(path + ":" + std::to_string(t.line[r]) + ": " + e.what());
      }
    }
    set_spread(c, values);
  }
}

}  // namespace

void describe_schema(const SchemaPlan& o, std::ostream& log) {
  ForestLoadOptions multiclass;
  multiclass.multiclass = true;
  const ModelFiles model = load_model_files(o.model, "", multiclass);
  if (!model.schema) {
    throw Error("'" + o.model + "' has no schema.json beside its model (a model folder written by verdict train has one)");
  }
  Schema schema = *model.schema;
  if (!o.describe.empty()) {
    const nlohmann::json describe = read_json_file(o.describe);
    try {
      apply_descriptions(schema, describe);
    } catch (const Error& e) {
      throw Error("'" + o.describe + "': " + e.what());
    }
  }
  if (!o.spreads_from.empty()) spreads_from_csv(schema, o.spreads_from);
  const std::string text = schema.to_json().dump(2) + "\n";
  if (o.describe.empty() && o.spreads_from.empty() && o.out.empty()) {
    log << text;
    return;
  }
  const fs::path out = o.out.empty() ? fs::path(model.model_path).parent_path() / "schema.json" : fs::path(o.out);
  StagedOutputs staged;
  staged.write(out, text);
  staged.commit();
  std::size_t described = 0, units = 0;
  for (const Column& c : schema.features) {
    described += !c.description.empty();
    units += !c.unit.empty();
  }
  log << "schema: " << schema.features.size() << " features, " << described << " described, " << units
      << " with a unit";
  if (schema.task != Task::Regression) log << "; class names for " << schema.class_names.size() << " of " << schema.labels.size() << " labels";
  log << " -> " << out.string() << " (version " << kSchemaVersion << ")\n";
}

}  // namespace verdict
