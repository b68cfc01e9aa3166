// The `schema` job: shows a model's schema in its canonical form, or gives its columns
// descriptions and units and its classes display names (a describe file), written whole.
#pragma once
#include <ostream>
#include <string>

namespace verdict {

struct SchemaPlan {
  std::string model;     // model folder (model.json + schema.json)
  std::string describe;  // describe file: {"features": {NAME: {"description", "unit"}}, "classes": {LABEL: NAME}}
  std::string out;       // where to write the schema; default: MODEL/schema.json with a describe file
  std::string spreads_from;  // training CSV: each feature's spread and whole-number flag from it (version 3)
};

// Without a describe file or OUT: prints the schema (canonical JSON, the current version) on
// `log`. Otherwise writes it (whole or not at all) and says what it holds on `log`. Bad input
// (a feature or label the model does not have, a wrong type) throws naming the file and field,
// before anything is written.
void describe_schema(const SchemaPlan& plan, std::ostream& log);

}  // namespace verdict
