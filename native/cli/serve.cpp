// verdict serve: the review service (REST API + the review page) over one SQLite file.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/serve.h"

namespace verdict {

void add_serve_command(CLI::App& app) {
  auto o = std::make_shared<ServePlan>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the review page and the review API (SQLite-backed)");
  cmd->add_option("--db", o->db, "SQLite database file (created if absent)")->capture_default_str();
  cmd->add_option("--dist", o->server.dist, "Folder of the review page (scripts/build-web makes dist/)");
  cmd->add_option("--host", o->server.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", o->server.port, "Port (0 = any free port)")->capture_default_str();
  cmd->add_option("--max-body", o->server.max_body, "Largest request body in bytes (larger: 413)")->capture_default_str();
  cmd->add_option("--threads", o->server.threads, "Worker threads")->capture_default_str();
  cmd->callback([o] { serve_reviews(*o, std::cout); });
}

}  // namespace verdict
