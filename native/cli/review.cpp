// verdict flow | reviewer | review: set up reviews and manage human loops from the shell,
// through the same store the server uses.
#include <iostream>
#include <tuple>

#include "native/cli/commands.h"
#include "native/jobs/review.h"
#include "shared/error.h"

namespace verdict {

namespace {

// Options of `verdict review list|describe|stop|delete`.
struct LoopOptions {
  std::string db = "review.db";
  std::string flow, name, status;
  int limit = 50;
};

void print(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

void wrap(const std::function<void()>& f) {
  try {
    f();
  } catch (const review::ReviewError& e) {
    throw Error(e.what());
  }
}

// verdict flow create|list
void add_flow_commands(CLI::App& app) {
  CLI::App* flow = app.add_subcommand("flow", "Create and list review flow definitions");
  flow->require_subcommand(1);
  auto fo = std::make_shared<FlowPlan>();
  CLI::App* create = flow->add_subcommand("create", "Create a flow definition");
  create->add_option("--db", fo->db, "SQLite database file, or a postgresql:// URL")->capture_default_str();
  create->add_option("--name", fo->flow.name, "Flow name (letters, digits, - and _)")->required();
  create->add_option("--title", fo->flow.title, "Title shown to reviewers");
  create->add_option("--description", fo->flow.description, "Description shown to reviewers");
  create->add_option("--instructions", fo->flow.instructions, "Instructions shown to reviewers");
  create->add_option("--probability-below", fo->probability_below, "Activate when the probability is below this");
  create->add_flag("--predicted-negative", fo->predicted_negative, "Activate on a predicted negative outcome");
  create->add_option("--sample-percent", fo->sample_percent, "Activate a random audit sample of this percent");
  create->add_option("--predicted-class-in", fo->predicted_class_in,
                     "Multi-class: activate when the predicted class is one of these (comma-separated labels)")
      ->delimiter(',');
  create->add_option("--top-two-margin-below", fo->top_two_margin_below,
                     "Multi-class: activate when the top class's probability leads the second's by less than this");
  create->add_option("--combine", fo->combine, "any | all of the conditions")->capture_default_str();
  create->add_option("--seed", fo->seed, "Seed of the audit sample")->capture_default_str();
  create->add_option("--records-per-task", fo->flow.records_per_task, "Records per task (human loop)")->capture_default_str();
  create->add_option("--reviewers-per-record", fo->flow.reviewers_per_record, "Distinct reviewers per record, 1-3")->capture_default_str();
  create->add_option("--task-time-limit", fo->flow.task_time_limit, "Seconds a reviewer's lease lasts")->capture_default_str();
  create->add_option("--lifetime", fo->flow.lifetime, "Seconds a loop stays available before it fails")->capture_default_str();
  create->add_option("--output", fo->flow.output_dir, "Output folder (default: review-output beside the database)");
  create->add_option("--immutable", fo->flow.immutable,
                     "Features the page's \"What would flip it?\" never changes for this flow, on top of the schema's (comma-separated)")
      ->delimiter(',');
  create->add_flag("--exist-ok", fo->exist_ok, "A flow of that name already there is not an error (it is kept)");
  create->callback([fo] { create_flow(*fo, std::cout); });
  auto fl = std::make_shared<std::string>("review.db");
  CLI::App* flist = flow->add_subcommand("list", "List flow definitions");
  flist->add_option("--db", *fl, "SQLite database file, or a postgresql:// URL")->capture_default_str();
  flist->callback([fl] {
    wrap([&] {
      review::Store store(*fl, review::system_clock_ms, review::OpenMode::MustExist);
      nlohmann::json out = nlohmann::json::array();
      for (const auto& f : store.flows()) out.push_back(f.to_json());
      print(out);
    });
  });

}

// verdict reviewer add
void add_reviewer_command(CLI::App& app) {
  CLI::App* reviewer = app.add_subcommand("reviewer", "Create reviewer accounts");
  reviewer->require_subcommand(1);
  auto ro = std::make_shared<std::tuple<std::string, std::string, bool>>("review.db", "", false);
  CLI::App* add = reviewer->add_subcommand("add", "Create a reviewer; prints the secret token once");
  add->add_option("--db", std::get<0>(*ro), "SQLite database file, or a postgresql:// URL")->capture_default_str();
  add->add_option("--name", std::get<1>(*ro), "Reviewer name")->required();
  add->add_flag("--admin", std::get<2>(*ro), "May manage flows and loops through the API");
  add->callback([ro] {
    wrap([&] {
      review::Store store(std::get<0>(*ro), review::system_clock_ms, review::OpenMode::MustExist);
      const std::string token = store.add_reviewer(std::get<1>(*ro), std::get<2>(*ro));
      std::cout << token << "\n";
      std::cerr << "reviewer '" << std::get<1>(*ro) << "' created; the token above is shown only once\n";
    });
  });

}

// verdict review start|list|describe|stop|delete
void add_loop_commands(CLI::App& app) {
  CLI::App* rev = app.add_subcommand("review", "Start and manage human review loops");
  rev->require_subcommand(1);
  auto so = std::make_shared<StartLoopsPlan>();
  CLI::App* st = rev->add_subcommand("start", "Open loops for the records of a batch that meet the flow's conditions");
  st->add_option("--db", so->db, "SQLite database file, or a postgresql:// URL")->capture_default_str();
  st->add_option("--flow", so->flow, "Flow name")->required();
  st->add_option("--batch", so->batch, "Folder written by `verdict explain` (or its review_batch.json)")->required();
  st->add_option("--schema", so->schema, "Schema (for the positive label) if not beside the batch's model");
  st->add_flag("--allow-repeat", so->allow_repeat, "Also records a loop of this flow already holds (reviewed again)");
  st->callback([so] { start_loops(*so, std::cout); });
  auto lo = std::make_shared<LoopOptions>();
  CLI::App* ls = rev->add_subcommand("list", "List loops");
  ls->add_option("--db", lo->db, "SQLite database file, or a postgresql:// URL")->capture_default_str();
  ls->add_option("--flow", lo->flow, "Only this flow");
  ls->add_option("--status", lo->status, "InProgress | Completed | Failed | Stopping | Stopped");
  ls->add_option("--limit", lo->limit, "At most this many")->capture_default_str();
  ls->callback([lo] {
    wrap([&] {
      review::Store store(lo->db, review::system_clock_ms, review::OpenMode::MustExist);
      review::LoopFilter f;
      f.flow = lo->flow, f.status = lo->status, f.limit = lo->limit;
      print(store.list(f));
    });
  });
  for (const char* verb : {"describe", "stop", "delete"}) {
    CLI::App* c = rev->add_subcommand(verb, std::string(verb) == "describe" ? "Show a loop's status and output location"
                                              : std::string(verb) == "stop" ? "Stop a loop (no further answers)"
                                                                           : "Delete a stopped, completed or failed loop");
    c->add_option("--db", lo->db, "SQLite database file, or a postgresql:// URL")->capture_default_str();
    c->add_option("name", lo->name, "Loop name")->required();
    const std::string v = verb;
    c->callback([lo, v] {
      wrap([&] {
        review::Store store(lo->db, review::system_clock_ms, review::OpenMode::MustExist);
        if (v == "stop") store.stop(lo->name, "cli");
        if (v == "delete") {
          store.remove(lo->name, "cli");
          std::cout << "deleted " << lo->name << "\n";
          return;
        }
        print(store.describe(lo->name));
      });
    });
  }
}

}  // namespace

void add_review_commands(CLI::App& app) {
  add_flow_commands(app);
  add_reviewer_command(app);
  add_loop_commands(app);
}

}  // namespace verdict
