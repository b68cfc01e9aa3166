// verdict serve: the review service (REST API + the review page) over SQLite or PostgreSQL.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/serve.h"
#include "shared/error.h"

namespace verdict {

void add_serve_command(CLI::App& app) {
  auto o = std::make_shared<ServePlan>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the review page and the review API (SQLite or PostgreSQL)");
  cmd->add_option("--db", o->db, "SQLite database file (created if absent), or a postgresql:// URL (several servers may share it)")->capture_default_str();
  cmd->add_option("--dist", o->server.dist, "Folder of the review page (scripts/build-web makes dist/)");
  cmd->add_option("--host", o->server.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", o->server.port, "Port (0 = any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--max-body", o->server.max_body, "Largest request body in bytes (larger: 413)")->capture_default_str();
  cmd->add_option("--max-json-depth", o->server.max_json_depth, "Deepest nesting of objects and arrays in a JSON body (deeper: 400)")
      ->capture_default_str()->check(CLI::Range(1, 1000));
  auto* guard = &o->server.guard;
  cmd->add_option("--threads", guard->base_threads, "Worker threads kept ready (more start while all are busy, up to --max-connections)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
  cmd->add_option("--max-connections", guard->max_connections, "Open connections at once, in total (more: 503)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  cmd->add_option("--max-per-client", guard->max_per_client, "Open connections at once from one address (more: 503); behind "
                  "--trust-proxy, requests in flight per X-Forwarded-For client (more: 429)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  cmd->add_option_function<double>("--header-timeout", [guard](double s) { guard->header_deadline = std::chrono::milliseconds(static_cast<long>(s * 1000)); },
                                   "Seconds a request's headers may take from its first byte (default 10)")->check(CLI::Range(0.1, 3600.0));
  cmd->add_option_function<double>("--body-timeout", [guard](double s) { guard->body_deadline = std::chrono::milliseconds(static_cast<long>(s * 1000)); },
                                   "Seconds a request's body may take after its headers (default 30)")->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--trust-proxy", guard->trusted_proxy, "Address of a reverse proxy in front (e.g. 127.0.0.1 for nginx on this "
                  "machine): its connections are not capped per address; its X-Forwarded-For client is");
  auto live = std::make_shared<review::InvocationOptions>();
  cmd->add_option("--model", live->model, "Also score in real time: POST /invocations (text/csv or application/jsonlines "
                  "rows; ?explain=shap adds exact SHAP) and GET /ping, with this model folder");
  cmd->add_option("--compiled", live->compiled, "Score /invocations with a model compiled by verdict compile (folder or libmodel.so)");
  cmd->add_option("--flow", live->flow, "Start a human loop of this flow for each scored record that meets its activation conditions");
  cmd->add_option("--threshold", live->threshold, "Binary decision threshold for /invocations (positive when p > threshold)")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-rows", live->max_rows, "Records in one /invocations request (more: 413)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
  cmd->callback([o, live] {
    if (!live->model.empty()) {
      live->max_json_depth = o->server.max_json_depth;
      o->server.invocations = *live;
    } else if (!live->compiled.empty() || !live->flow.empty()) {
      throw Error("--compiled and --flow need --model (real-time scoring)");
    }
    serve_reviews(*o, std::cout);
  });
}

}  // namespace verdict
