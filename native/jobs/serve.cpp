// verdict serve: the review service (REST API + the review page) over SQLite or PostgreSQL.
#include "native/jobs/serve.h"

#include <malloc.h>

#include <csignal>
#include <filesystem>
#include <iostream>

#include "shared/error.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

review::ReviewServer* running = nullptr;

void on_signal(int) {
  if (running) running->stop();
}

}  // namespace

void serve_reviews(const ServePlan& o, std::ostream& log) {
  if (!o.server.dist.empty() && !fs::is_directory(o.server.dist)) {
    throw Error("review page folder '" + o.server.dist + "' does not exist (build it with scripts/build-web)");
  }
  // glibc hands a worker thread's freed memory back to the kernel whenever its arena's top
  // passes 128 KB: an madvise, and a TLB flush on every CPU, after nearly every answer that
  // brings the next task (a quarter of the throughput, measured with verdict-bench-serve).
  // Keep up to 64 MB per arena instead.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  review::Store store(o.db);
  review::ReviewServer server(store, o.server);
  const int port = server.bind();
  // Outputs a crash or a full disk left unwritten go to the background writer: serving starts
  // at once, however many there are.
  const int recovered = store.recover_outputs();
  running = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  log << "verdict serve: http://" << o.server.host << ":" << port << "/\n"
      << "  database  "
      << (store.postgres() ? sql::redact(o.db) + " (PostgreSQL, synchronous_commit=on, leases FOR UPDATE SKIP LOCKED)"
                           : fs::absolute(o.db).string() + " (SQLite, WAL, synchronous=FULL)") << "\n"
      << "  page      " << (o.server.dist.empty() ? "(none: API only)" : fs::absolute(o.server.dist).string()) << "\n"
      << "  outputs   each flow's output_dir (verdict flow list)\n";
  if (const auto& live = o.server.invocations) {
    log << "  scoring   POST /invocations, GET /ping: " << fs::absolute(live->model).string()
        << (live->compiled.empty() ? "" : " (compiled: " + live->compiled + ")")
        << (live->flow.empty() ? "" : "; flow '" + live->flow + "' starts a human loop per activated record") << "\n";
  }
  if (recovered) log << "  writing " << recovered << " output file(s) a previous run had not written (in the background)\n";
  log << std::flush;
  server.listen();
  running = nullptr;
  log << "verdict serve: stopped\n";
}

}  // namespace verdict
