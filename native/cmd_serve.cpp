// verdict serve: the review service (REST API + the review page) over one SQLite file.
#include <malloc.h>

#include <csignal>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "review_server.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct ServeOptions {
  std::string db = "review.db";
  review::ServerOptions server;
};

review::ReviewServer* running = nullptr;

void on_signal(int) {
  if (running) running->stop();
}

void run_serve(ServeOptions o) {
  if (!o.server.dist.empty() && !fs::is_directory(o.server.dist)) {
    throw Error("review page folder '" + o.server.dist + "' does not exist (build it with scripts/build-web)");
  }
  // glibc hands a worker thread's freed memory back to the kernel whenever its arena's top
  // passes 128 KB: an madvise, and a TLB flush on every CPU, after nearly every answer that
  // brings the next task (a quarter of the throughput, measured with verdict-bench-serve).
  // Keep up to 64 MB per arena instead.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  review::Store store(o.db);
  const int recovered = store.recover_outputs();
  review::ReviewServer server(store, o.server);
  const int port = server.bind();
  running = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::cout << "verdict serve: http://" << o.server.host << ":" << port << "/\n"
            << "  database  " << fs::absolute(o.db).string() << " (SQLite, WAL, synchronous=FULL)\n"
            << "  page      " << (o.server.dist.empty() ? "(none: API only)" : fs::absolute(o.server.dist).string()) << "\n"
            << "  outputs   each flow's output_dir (verdict flow list)\n";
  if (recovered) std::cout << "  recovered " << recovered << " output file(s) a previous run had not written\n";
  std::cout << std::flush;
  server.listen();
  running = nullptr;
  std::cout << "verdict serve: stopped\n";
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the review page and the review API (SQLite-backed)");
  cmd->add_option("--db", o->db, "SQLite database file (created if absent)")->capture_default_str();
  cmd->add_option("--dist", o->server.dist, "Folder of the review page (scripts/build-web makes dist/)");
  cmd->add_option("--host", o->server.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", o->server.port, "Port (0 = any free port)")->capture_default_str();
  cmd->add_option("--max-body", o->server.max_body, "Largest request body in bytes (larger: 413)")->capture_default_str();
  cmd->add_option("--threads", o->server.threads, "Worker threads")->capture_default_str();
  cmd->callback([o] { run_serve(*o); });
}

}  // namespace verdict
