// Durability: several clients submit answers at once, the server process is killed with
// SIGKILL mid-way and restarted; every answer it acknowledged is stored, none twice.
// Usage: verdict_durability_test VERDICT_BINARY
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "native/review/store.h"
#include "tests/native/review/server_process.h"

namespace fs = std::filesystem;
using namespace verdict::review;
using namespace verdict::review::testing;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s VERDICT_BINARY\n", argv[0]);
    return 2;
  }
  const std::string binary = argv[1];
  const fs::path dir = fs::temp_directory_path() / ("verdict-durability-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path db = dir / "r.db";
  constexpr int kClients = 6, kLoops = 600;
  std::vector<std::string> tokens;
  {
    Store store(db.string());
    store.create_flow(Flow::from_json({{"name", "d"}, {"activation_conditions", {{"predicted_negative", true}}},
                                       {"records_per_task", 1}, {"output_dir", (dir / "out").string()}}), "test");
    for (int i = 0; i < kLoops; ++i) store.start_loop("d", {{"records", {{{"row", i}}}}}, "loop-" + std::to_string(i), "test");
    for (int i = 0; i < kClients; ++i) tokens.push_back(store.add_reviewer("r" + std::to_string(i), false));
  }
  const int port = free_port();
  pid_t server = start_server(binary, db, port);

  std::mutex mu;
  std::set<std::string> acknowledged;  // answer ids the server confirmed
  std::atomic<bool> killed{false};
  std::atomic<int> sent{0};
  auto client = [&](int k) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(1, 0);
    c.set_read_timeout(5, 0);
    const httplib::Headers h = {{"Authorization", "Bearer " + tokens[static_cast<std::size_t>(k)]}};
    for (int n = 0; n < 1000 && !killed; ++n) {
      auto t = c.Post("/api/tasks/next", h, "{}", "application/json");
      if (!t || t->status != 200) {
        if (!killed) std::fprintf(stderr, "client %d: next task failed: %s\n", k, t ? t->body.c_str() : httplib::to_string(t.error()).c_str());
        return;
      }
      const auto task = nlohmann::json::parse(t->body)["task"];
      if (task.is_null()) return;
      const std::string loop = task["loop"];
      const std::string id = "ans-" + loop + "-r" + std::to_string(k);
      const std::string b = nlohmann::json({{"answer_id", id}, {"answer_content", {{"records", {{{"row", 0}, {"verdict", "agree"}}}}}}}).dump();
      ++sent;
      auto r = c.Post("/api/tasks/" + loop + "/answer", h, b, "application/json");
      if (r && (r->status == 201 || r->status == 200)) {
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.insert(id);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int k = 0; k < kClients; ++k) threads.emplace_back(client, k);
  // Kill mid-way: after a third of the answers were sent (or when the clients stopped early).
  for (int waited = 0; sent < kLoops / 3 && waited < 30000; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill(server, SIGKILL);  // mid-way, with requests in flight
  killed = true;
  waitpid(server, nullptr, 0);
  for (auto& t : threads) t.join();
  const std::size_t acked = acknowledged.size();

  server = start_server(binary, db, port);  // restart: recovery runs at start-up
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);

  Store store(db.string());
  std::size_t stored = 0, missing = 0, completed_without_file = 0;
  std::set<std::string> seen_ids;
  bool twice = false;
  for (const auto& out : store.completed_outputs("d")) {
    const auto& answers = out["humanAnswers"];
    stored += answers.size();
    if (answers.size() != 1) twice = true;
    for (const auto& a : answers) twice |= !seen_ids.insert(a["workerId"].get<std::string>() + out["humanLoopName"].get<std::string>()).second;
    const auto d = store.describe(out["humanLoopName"]);
    if (!fs::exists(d["HumanLoopOutput"]["OutputLocation"].get<std::string>())) ++completed_without_file;
  }
  for (const auto& id : acknowledged) {
    const std::string loop = id.substr(4, id.rfind("-r") - 4);
    const auto out = store.output(loop);
    if (out["humanAnswers"].size() != 1) ++missing;
  }
  std::printf("durability: %d sent, %zu acknowledged before SIGKILL, %zu stored, %zu acknowledged but missing, %s, %zu completed loops without output file\n",
              sent.load(), acked, stored, missing, twice ? "SOME TWICE" : "none twice", completed_without_file);
  fs::remove_all(dir);
  const bool ok = acked > 0 && missing == 0 && !twice && completed_without_file == 0 && stored >= acked;
  std::printf("%d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
  return ok ? 0 : 1;
}
