// Benchmark of the review service: concurrent reviewers on loopback, each asking for a task
// and answering it, against a real `verdict serve` process. Reports answers/s, latency of the
// answer call (p50/p99), errors, and answers lost (acknowledged but not stored).
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "native/review_store.h"

namespace fs = std::filesystem;
using namespace verdict::review;
using Steady = std::chrono::steady_clock;

int main(int argc, char** argv) {
  CLI::App app{"verdict-bench-serve: answers per second through `verdict serve` on loopback"};
  std::string binary;
  int clients = 8, loops = 6000, port = 18765;
  app.add_option("--verdict", binary, "The verdict binary")->required();
  app.add_option("--clients", clients, "Concurrent reviewers")->capture_default_str();
  app.add_option("--loops", loops, "Human loops (one answer each)")->capture_default_str();
  app.add_option("--port", port, "Loopback port")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const fs::path dir = fs::temp_directory_path() / ("verdict-bench-serve-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<std::string> tokens;
  {
    Store store((dir / "r.db").string());
    store.create_flow(Flow::from_json({{"name", "b"}, {"activation_conditions", {{"predicted_negative", true}}},
                                       {"records_per_task", 1}, {"output_dir", (dir / "out").string()}}), "bench");
    for (int i = 0; i < loops; ++i) {
      store.start_loop("b", {{"records", {{{"row", i}, {"values", {{"Age", "39"}, {"Sex", "Male"}}}, {"prediction", 0.3}}}}},
                       "loop-" + std::to_string(i), "bench");
    }
    for (int i = 0; i < clients; ++i) tokens.push_back(store.add_reviewer("r" + std::to_string(i), false));
  }
  const pid_t server = fork();
  if (server == 0) {
    freopen("/dev/null", "w", stdout);
    execl(binary.c_str(), binary.c_str(), "serve", "--db", (dir / "r.db").c_str(), "--port",
          std::to_string(port).c_str(), "--threads", std::to_string(clients + 2).c_str(), nullptr);
    _exit(127);
  }
  httplib::Client probe("127.0.0.1", port);
  for (int i = 0; i < 200 && !probe.Get("/api/health"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));

  std::mutex mu;
  std::vector<double> answer_ms, task_ms;
  std::atomic<int> errors{0}, acknowledged{0};
  const auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int k = 0; k < clients; ++k) {
    threads.emplace_back([&, k] {
      httplib::Client c("127.0.0.1", port);
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);
      const httplib::Headers h = {{"Authorization", "Bearer " + tokens[static_cast<std::size_t>(k)]}};
      std::vector<double> mine_a, mine_t;
      for (;;) {
        auto t0 = Steady::now();
        auto t = c.Post("/api/tasks/next", h, "{}", "application/json");
        mine_t.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
        if (!t || t->status != 200) { ++errors; break; }
        const auto task = nlohmann::json::parse(t->body)["task"];
        if (task.is_null()) break;
        const std::string loop = task["loop"];
        const std::string body = nlohmann::json({{"answer_id", loop + "-a"}, {"answer_content",
            {{"records", {{{"row", 0}, {"verdict", "disagree"}, {"label", ">50K"}, {"reason", "income evidence"}}}}}}}).dump();
        t0 = Steady::now();
        auto r = c.Post("/api/tasks/" + loop + "/answer", h, body, "application/json");
        mine_a.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
        if (r && r->status == 201) ++acknowledged; else ++errors;
      }
      std::lock_guard<std::mutex> lock(mu);
      answer_ms.insert(answer_ms.end(), mine_a.begin(), mine_a.end());
      task_ms.insert(task_ms.end(), mine_t.begin(), mine_t.end());
    });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Steady::now() - start).count();
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);

  Store store((dir / "r.db").string());
  std::size_t stored = 0;
  for (const auto& out : store.completed_outputs("b")) stored += out["humanAnswers"].size();
  auto pct = [](std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
  };
  std::printf("%d clients, %d loops: %d answers acknowledged in %.2f s = %.0f answers/s (each with its task request: %.0f requests/s)\n",
              clients, loops, acknowledged.load(), secs, acknowledged / secs, 2 * acknowledged / secs);
  std::printf("answer call: p50 %.2f ms, p99 %.2f ms; next-task call: p50 %.2f ms, p99 %.2f ms\n",
              pct(answer_ms, 0.5), pct(answer_ms, 0.99), pct(task_ms, 0.5), pct(task_ms, 0.99));
  std::printf("errors %d, stored %zu, lost %d (acknowledged but not stored)\n", errors.load(), stored,
              std::max(0, acknowledged.load() - static_cast<int>(stored)));
  fs::remove_all(dir);
  return errors == 0 && static_cast<int>(stored) == acknowledged ? 0 : 1;
}
