// Benchmark of the review service: concurrent reviewers on loopback, each asking for a task
// and answering it, against a real `verdict serve` process. Reports answers/s, latency of the
// answer call (p50/p99), errors, and answers lost (acknowledged but not stored).
#include <httplib.h>
#include <malloc.h>
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

#include "native/review/store.h"

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
  bool two_calls = false;
  app.add_flag("--two-calls", two_calls,
               "Ask for each task with its own request (POST /api/tasks/next) instead of getting it with the previous answer");
  std::string keep_in;
  app.add_option("--keep-in", keep_in,
                 "Leave the database and outputs in a new folder under this one (the caller deletes them after "
                 "all runs: on ext4 without a journal, files deleted in the last minute slow the next run's file creation)");
  CLI11_PARSE(app, argc, argv);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);  // as `verdict serve` does: the load generator's own frees stay cheap

  const fs::path dir = (keep_in.empty() ? fs::temp_directory_path() : fs::path(keep_in)) /
                       ("verdict-bench-serve-" + std::to_string(getpid()));
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
  std::string first_error;
  auto note_error = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    if (first_error.empty()) first_error = what;
  };
  const auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int k = 0; k < clients; ++k) {
    threads.emplace_back([&, k] {
      httplib::Client c("127.0.0.1", port);
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);
      const httplib::Headers h = {{"Authorization", "Bearer " + tokens[static_cast<std::size_t>(k)]}};
      std::vector<double> mine_a, mine_t;
      nlohmann::json task;
      auto ask = [&] {
        const auto t0 = Steady::now();
        auto t = c.Post("/api/tasks/next", h, "{}", "application/json");
        mine_t.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
        if (!t || t->status != 200) {
          note_error(t ? "next task: HTTP " + std::to_string(t->status) : "next task: " + httplib::to_string(t.error()));
          return false;
        }
        task = nlohmann::json::parse(t->body)["task"];
        return true;
      };
      if (!ask()) { ++errors; return; }
      while (!task.is_null()) {
        const std::string loop = task["loop"];
        nlohmann::json body = {{"answer_id", loop + "-a"}, {"answer_content",
            {{"records", {{{"row", 0}, {"verdict", "disagree"}, {"label", ">50K"}, {"reason", "income evidence"}}}}}}};
        if (!two_calls) body["next"] = true;
        const auto t0 = Steady::now();
        auto r = c.Post("/api/tasks/" + loop + "/answer", h, body.dump(), "application/json");
        mine_a.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
        if (!r || r->status != 201) {
          note_error(r ? "answer: HTTP " + std::to_string(r->status) + " " + r->body : "answer: " + httplib::to_string(r.error()));
          ++errors;
          break;
        }
        ++acknowledged;
        if (!two_calls) {
          task = nlohmann::json::parse(r->body)["next_task"];
        } else if (!ask()) {
          ++errors;
          break;
        }
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
  const double requests = static_cast<double>(answer_ms.size() + task_ms.size());
  std::printf("%d clients, %d loops, %s: %d answers acknowledged in %.2f s = %.0f answers/s (%.0f requests/s)\n",
              clients, loops, two_calls ? "a request for each task and one for each answer" : "each answer brings the next task",
              acknowledged.load(), secs, acknowledged / secs, requests / secs);
  std::printf("answer call: p50 %.2f ms, p99 %.2f ms; next-task call (%zu): p50 %.2f ms, p99 %.2f ms\n",
              pct(answer_ms, 0.5), pct(answer_ms, 0.99), task_ms.size(), pct(task_ms, 0.5), pct(task_ms, 0.99));
  std::printf("errors %d, stored %zu, lost %d (acknowledged but not stored)%s\n", errors.load(), stored,
              std::max(0, acknowledged.load() - static_cast<int>(stored)),
              first_error.empty() ? "" : ("; first error: " + first_error).c_str());
  if (keep_in.empty()) fs::remove_all(dir);
  return errors == 0 && static_cast<int>(stored) == acknowledged ? 0 : 1;
}
