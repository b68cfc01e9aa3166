// verdict schema: print a model's schema in canonical form, or describe its columns and classes
// for the people who read them (the review page shows descriptions, units and class names).
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/schema.h"

namespace verdict {

void add_schema_command(CLI::App& app) {
  auto o = std::make_shared<SchemaPlan>();
  CLI::App* cmd = app.add_subcommand(
      "schema", "Print a model's schema (canonical JSON), or give its columns descriptions and units and its classes names");
  cmd->footer(
      "A describe file (JSON), every part optional; an empty string clears a text:\n"
      "  {\"features\": {\"Age\": {\"description\": \"Age of the person\", \"unit\": \"years\"}},\n"
      "   \"classes\": {\">50K\": \">50K: income over $50K a year\"}}\n"
      "A feature the model does not have, a label the target does not have, an unknown key or a\n"
      "wrong type is refused (exit 2) naming the file and field; nothing is written then.\n"
      "A feature may also be marked {\"immutable\": true}: `verdict counterfactual` never changes it.\n"
      "The schema is written as version 3 (spreads, whole-number and immutable flags); files of version 1\n"
      "and 2 read as before, with the range as the spread.");
  cmd->add_option("--model", o->model, "Model folder (model.json + schema.json)")->required();
  cmd->add_option("--describe", o->describe, "Describe file (JSON): descriptions, units, class names");
  cmd->add_option("--spreads-from", o->spreads_from,
                  "Training CSV: each feature's spread and whole-number flag from it (for a schema older than version 3)");
  cmd->add_option("--out", o->out, "Write the schema here (default with --describe or --spreads-from: MODEL/schema.json; without: print it)");
  cmd->callback([o] { describe_schema(*o, std::cout); });
}

}  // namespace verdict
