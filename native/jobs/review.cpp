#include "native/jobs/review.h"

#include <filesystem>
#include <iostream>

#include "native/io/model_files.h"
#include "shared/error.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

// The positive label comes from the schema beside the batch's model, or --schema.
std::string positive_label(const StartLoopsPlan& o, const fs::path& batch_dir) {
  fs::path schema = o.schema;
  if (schema.empty()) {
    for (const fs::path& p : {batch_dir / "schema.json", batch_dir.parent_path() / "model" / "schema.json"}) {
      if (fs::exists(p)) schema = p;
    }
  }
  if (schema.empty()) return "";
  return Schema::from_json(read_json_file(schema.string())).positive_label;
}

review::Flow flow_definition(const FlowPlan& o) {
  nlohmann::json conditions = {{"combine", o.combine}, {"seed", o.seed}};
  if (o.probability_below) conditions["probability_below"] = *o.probability_below;
  if (o.predicted_negative) conditions["predicted_negative"] = true;
  if (o.sample_percent) conditions["sample_percent"] = *o.sample_percent;
  if (!o.predicted_class_in.empty()) conditions["predicted_class_in"] = o.predicted_class_in;
  if (o.top_two_margin_below) conditions["top_two_margin_below"] = *o.top_two_margin_below;
  nlohmann::json def = o.flow.to_json();
  def["activation_conditions"] = conditions;
  if (o.flow.output_dir.empty()) {
    // Beside an SQLite file; with PostgreSQL (no file) in the folder the command runs in.
    const fs::path home = sql::is_postgres_url(o.db) ? fs::current_path() : fs::absolute(o.db).parent_path();
    def["output_dir"] = (home / "review-output").string();
  } else {
    def["output_dir"] = fs::absolute(o.flow.output_dir).string();
  }
  return review::Flow::from_json(def);
}

}  // namespace

void create_flow(const FlowPlan& o, std::ostream& log) {
  try {
    const review::Flow f = flow_definition(o);
    review::Store store(o.db);
    try {
      store.create_flow(f, "cli");
    } catch (const review::ReviewError& e) {
      if (!(o.exist_ok && e.status == 409)) throw;
      std::cerr << "flow '" << f.name << "' exists; kept as it is\n";
    }
    log << store.flow(f.name).to_json().dump(2) << "\n";
  } catch (const review::ReviewError& e) {
    throw Error(e.what());
  }
}

void start_loops(const StartLoopsPlan& o, std::ostream& log) {
  try {
    fs::path batch = o.batch;
    if (fs::is_directory(batch)) batch /= "review_batch.json";
    const nlohmann::json j = read_json_file(batch.string());
    review::Store store(o.db, review::system_clock_ms, review::OpenMode::MustExist);
    const review::BatchStart started =
        store.start_from_batch(o.flow, j, positive_label(o, batch.parent_path()), "cli", o.allow_repeat);
    log << "started " << started.loops.size() << " human loop(s) for flow '" << o.flow << "' with " << started.records
        << " of " << j["records"].size() << " records (activation conditions applied)";
    if (started.already_looped) {
      log << "; " << started.already_looped << " already in a loop of this flow, left out (--allow-repeat reviews them again)";
    }
    log << "\n";
  } catch (const review::ReviewError& e) {
    throw Error(e.what());
  }
}

}  // namespace verdict
