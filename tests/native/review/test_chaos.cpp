// Chaos: a storm of answers from several clients while the server process is killed with
// SIGKILL at random moments and restarted; afterwards every acknowledged answer is in the
// database once and in its loop's output.json. Then a disk-full run on a small tmpfs (needs
// root to mount one; skipped with the reason otherwise): while the disk is full, requests that
// would write are refused with 507 and a JSON message, nothing is half-stored and the server
// stays up; once space returns, the outputs of loops completed meanwhile are written without
// a restart, and the database passes SQLite's integrity check.
// Usage: verdict_chaos_test VERDICT_BINARY
#include <sys/mount.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <vector>

#include "native/review/sqlite.h"
#include "native/review/store.h"
#include "tests/native/review/server_process.h"

namespace fs = std::filesystem;
using namespace verdict::review;
using namespace verdict::review::testing;
using namespace std::chrono_literals;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) ++failures;
}

struct Project {
  fs::path dir, db, out;
  std::vector<std::string> tokens;
};

Project make_project(const fs::path& dir, int loops, int reviewers) {
  fs::create_directories(dir);
  Project p{dir, dir / "r.db", dir / "out", {}};
  Store store(p.db.string());
  store.create_flow(Flow::from_json({{"name", "c"}, {"activation_conditions", {{"predicted_negative", true}}},
                                     {"records_per_task", 1}, {"output_dir", p.out.string()}}), "test");
  for (int i = 0; i < loops; ++i) store.start_loop("c", {{"records", {{{"row", i}}}}}, "loop-" + std::to_string(i), "test");
  for (int i = 0; i < reviewers; ++i) p.tokens.push_back(store.add_reviewer("r" + std::to_string(i), false));
  return p;
}

// One reviewer answering until no task is left or `stop`; the answer carries its own id so the
// output files can be checked. Connection failures (the server is being killed) are retried.
struct Storm {
  int port;
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::map<int, int> statuses;  // HTTP status -> count, of refused requests
  std::atomic<bool> stop{false};

  void reviewer(const std::string& token, int k) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(1, 0);
    c.set_read_timeout(5, 0);
    const httplib::Headers h = {{"Authorization", "Bearer " + token}};
    int empty = 0;
    for (int attempt = 0; !stop && attempt < 20000; ++attempt) {
      auto t = c.Post("/api/tasks/next", h, "{}", "application/json");
      if (!t || t->status != 200) {
        note(t);
        std::this_thread::sleep_for(20ms);
        continue;
      }
      const auto task = nlohmann::json::parse(t->body)["task"];
      if (task.is_null()) {
        if (++empty > 3) return;  // really nothing left
        std::this_thread::sleep_for(50ms);
        continue;
      }
      const std::string loop = task["loop"];
      const std::string id = "ans-" + loop + "-r" + std::to_string(k);
      const std::string body = nlohmann::json({{"answer_id", id}, {"answer_content", {{"id", id}}}}).dump();
      auto r = c.Post("/api/tasks/" + loop + "/answer", h, body, "application/json");
      if (r && (r->status == 201 || r->status == 200)) {
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.insert(id);
      } else {
        note(r);
      }
    }
  }

  void note(const httplib::Result& r) {
    std::lock_guard<std::mutex> lock(mu);
    ++statuses[r ? r->status : -1];
    if (r && r->status >= 500 && !nlohmann::json::accept(r->body)) ++statuses[-2];  // a 5xx without JSON
  }
};

// Every acknowledged answer is stored once, in its loop's output in the database and on disk.
void check_answers(const Project& p, const std::set<std::string>& acknowledged, const std::string& phase) {
  Store store(p.db.string());
  std::size_t missing_db = 0, missing_file = 0, twice = 0;
  for (const std::string& id : acknowledged) {
    const std::string loop = id.substr(4, id.rfind("-r") - 4);
    const nlohmann::json out = store.output(loop);
    std::size_t found = 0;
    for (const auto& a : out["humanAnswers"]) found += a["answerContent"].value("id", "") == id;
    missing_db += found == 0;
    twice += found > 1 || out["humanAnswers"].size() > 1;
    const nlohmann::json d = store.describe(loop);
    const std::string file = d.contains("HumanLoopOutput") ? d["HumanLoopOutput"]["OutputLocation"].get<std::string>() : "";
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    missing_file += text.find("\"" + id + "\"") == std::string::npos;
  }
  char line[256];
  std::snprintf(line, sizeof line, "%s: %zu acknowledged; %zu missing in the database, %zu missing in output.json, %zu twice",
                phase.c_str(), acknowledged.size(), missing_db, missing_file, twice);
  check(!acknowledged.empty() && missing_db == 0 && missing_file == 0 && twice == 0, line);
}

void stop_server(pid_t pid) {
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
}

void kill_storm(const std::string& binary, const fs::path& dir) {
  const Project p = make_project(dir, 1500, 6);
  Storm storm;
  storm.port = free_port();
  pid_t server = start_server(binary, p.db, storm.port);
  std::vector<std::thread> reviewers;
  for (int k = 0; k < 6; ++k) reviewers.emplace_back([&, k] { storm.reviewer(p.tokens[static_cast<std::size_t>(k)], k); });
  std::mt19937 rng(20261129);
  const int kills = 6;
  for (int i = 0; i < kills; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(150, 500)(rng)));
    kill(server, SIGKILL);  // with requests in flight and outputs queued
    waitpid(server, nullptr, 0);
    server = start_server(binary, p.db, storm.port);
  }
  for (auto& t : reviewers) t.join();
  stop_server(server);  // a clean stop writes every queued output
  check(true, std::to_string(kills) + " SIGKILLs at random moments during the storm, each followed by a restart");
  check_answers(p, storm.acknowledged, "after the kills");
  std::size_t temps = 0;
  for (const auto& e : fs::recursive_directory_iterator(p.out)) temps += e.path().filename().string().find(".tmp-") != std::string::npos;
  check(temps == 0, std::to_string(temps) + " temp files left in the output folders");
}

// Returns false (and says why) when no tmpfs can be mounted here.
bool disk_full(const std::string& binary, const fs::path& dir) {
  fs::create_directories(dir);
  if (::geteuid() != 0 || ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=16m") != 0) {
    std::printf("skipped: the disk-full run needs root to mount a small tmpfs (%s)\n",
                ::geteuid() != 0 ? "not root" : std::strerror(errno));
    return false;
  }
  struct Unmount {
    fs::path dir;
    ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
  } unmount{dir};
  const Project p = make_project(dir, 400, 4);
  Storm storm;
  storm.port = free_port();
  const pid_t server = start_server(binary, p.db, storm.port);
  // Fill the disk: what is left goes to one file, a page at a time.
  const fs::path filler = dir / "filler";
  {
    std::ofstream f(filler, std::ios::binary);
    const std::string page(4096, 'x');
    while (f.write(page.data(), page.size()) && f.flush()) {
    }
  }
  std::vector<std::thread> reviewers;
  for (int k = 0; k < 4; ++k) reviewers.emplace_back([&, k] { storm.reviewer(p.tokens[static_cast<std::size_t>(k)], k); });
  std::this_thread::sleep_for(1500ms);
  httplib::Client c("127.0.0.1", storm.port);
  check(c.Get("/api/health") && c.Get("/api/health")->status == 200, "the server answers while its disk is full");
  fs::remove(filler);  // space again: the storm goes on and finishes
  for (auto& t : reviewers) t.join();
  int full = 0, other = 0;
  for (const auto& [status, n] : storm.statuses) (status == 507 ? full : other) += n;
  check(full > 0 && other == 0, std::to_string(full) + " requests refused with 507 while full, " + std::to_string(other) +
                                    " failed otherwise (5xx without a JSON body counted twice)");
  // The outputs of loops completed while full are written by the running server.
  Store store(p.db.string());
  std::size_t unwritten = 0;
  for (int wait = 0; wait < 150; ++wait) {
    unwritten = 0;
    for (const auto& out : store.completed_outputs("c")) {
      unwritten += !fs::exists(store.describe(out["humanLoopName"])["HumanLoopOutput"]["OutputLocation"].get<std::string>());
    }
    if (unwritten == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  check(unwritten == 0, std::to_string(unwritten) + " completed loops without output.json once space returned (no restart)");
  stop_server(server);
  check_answers(p, storm.acknowledged, "after the disk-full spell");
  verdict::sql::Database db(p.db.string());
  auto integrity = db.prepare("PRAGMA integrity_check");
  integrity.step();
  check(integrity.text(0) == "ok", "SQLite integrity_check: " + integrity.text(0));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s VERDICT_BINARY\n", argv[0]);
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const fs::path dir = fs::temp_directory_path() / ("verdict-chaos-" + std::to_string(getpid()));
  fs::remove_all(dir);
  kill_storm(argv[1], dir / "kills");
  const bool full_ran = disk_full(argv[1], dir / "full");
  fs::remove_all(dir);
  const int checks_failed = failures;
  std::printf("%d passed, %d failed%s\n", checks_failed ? 0 : 1, checks_failed ? 1 : 0, full_ran ? "" : ", 1 skipped");
  return checks_failed ? 1 : 0;
}
