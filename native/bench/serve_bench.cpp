// Benchmark of the review service: concurrent reviewers on loopback, each asking for a task
// and answering it, against real `verdict serve` processes: one on an SQLite file, or one or two
// on a PostgreSQL database (clients split across them, or behind nginx round robin). Reports
// answers/s, latency of the answer call (p50/p99), errors, answers lost (acknowledged but not
// stored), and the CPU each process spent per answer (verdict serve, PostgreSQL, nginx, clients).
#include <httplib.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "native/review/postgres.h"
#include "native/review/store.h"

namespace fs = std::filesystem;
using namespace verdict::review;
using Steady = std::chrono::steady_clock;

namespace {

double seconds_of(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

// CPU seconds (user + system) of the postmaster in `pidfile` and of its children (the
// backends, the background processes) alive now.
double postgres_cpu(const std::string& pidfile) {
  if (pidfile.empty()) return 0;
  std::ifstream in(pidfile);
  long postmaster = 0;
  in >> postmaster;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  double total = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string text;
    if (!std::getline(stat, text)) continue;
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(text.substr(close + 2));
    std::string state;
    long ppid = 0;
    unsigned long long skip = 0, utime = 0, stime = 0;
    fields >> state >> ppid;
    for (int i = 0; i < 9; ++i) fields >> skip;  // pgrp .. cmajflt
    fields >> utime >> stime;
    const long pid = std::atol(entry.path().filename().c_str());
    if (pid == postmaster || ppid == postmaster) total += static_cast<double>(utime + stime) / tick;
  }
  return total;
}

pid_t spawn(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stdout)) _exit(126);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Stops a child and returns the CPU seconds it used.
double stop_child(pid_t pid, int sig) {
  kill(pid, sig);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  return seconds_of(ru.ru_utime) + seconds_of(ru.ru_stime);
}

void wait_healthy(int port) {
  httplib::Client probe("127.0.0.1", port);
  for (int i = 0; i < 400 && !probe.Get("/api/health"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
}

}  // namespace

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
  std::string postgres, pidfile, nginx;
  int servers = 1;
  app.add_option("--postgres", postgres, "A PostgreSQL server's URL (postgresql://user@host:port/db): each run makes a database "
                 "of its own there and drops it afterwards (default: an SQLite file)");
  app.add_option("--postgres-pidfile", pidfile, "The server's postmaster.pid, to count PostgreSQL's CPU time per answer");
  app.add_option("--servers", servers, "verdict serve instances on the one database (PostgreSQL only for 2)")
      ->capture_default_str()->check(CLI::Range(1, 2));
  app.add_option("--nginx", nginx, "nginx binary: put nginx (round robin) in front of the instances; without it the clients "
                 "are split across them");
  CLI11_PARSE(app, argc, argv);
  if (servers > 1 && postgres.empty()) {
    std::fprintf(stderr, "verdict-bench-serve: --servers 2 needs --postgres (one SQLite file has one server)\n");
    return 2;
  }
  mallopt(M_TRIM_THRESHOLD, 64 << 20);  // as `verdict serve` does: the load generator's own frees stay cheap

  const fs::path dir = (keep_in.empty() ? fs::temp_directory_path() : fs::path(keep_in)) /
                       ("verdict-bench-serve-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string target = (dir / "r.db").string(), database;
  if (!postgres.empty()) {
    database = "bench_" + std::to_string(getpid());
    verdict::sql::PgConnection(postgres).exec("CREATE DATABASE " + database);
    target = postgres.substr(0, postgres.rfind('/') + 1) + database;
  }
  std::vector<std::string> tokens;
  {
    Store store(target);
    store.create_flow(Flow::from_json({{"name", "b"}, {"activation_conditions", {{"predicted_negative", true}}},
                                       {"records_per_task", 1}, {"output_dir", (dir / "out").string()}}), "bench");
    for (int i = 0; i < loops; ++i) {
      store.start_loop("b", {{"records", {{{"row", i}, {"values", {{"Age", "39"}, {"Sex", "Male"}}}, {"prediction", 0.3}}}}},
                       "loop-" + std::to_string(i), "bench");
    }
    for (int i = 0; i < clients; ++i) tokens.push_back(store.add_reviewer("r" + std::to_string(i), false));
  }
  std::vector<pid_t> server_pids;
  for (int i = 0; i < servers; ++i) {
    std::vector<std::string> args = {binary, "serve", "--db", target, "--port", std::to_string(port + i), "--threads",
                                     std::to_string(clients + 2)};
    if (!nginx.empty()) args.insert(args.end(), {"--trust-proxy", "127.0.0.1", "--max-per-client", "10000"});
    server_pids.push_back(spawn(args));
  }
  for (int i = 0; i < servers; ++i) wait_healthy(port + i);
  pid_t proxy = -1;
  const int proxy_port = port + 10;
  if (!nginx.empty()) {
    fs::create_directories(dir / "nginx");
    std::string upstream;
    for (int i = 0; i < servers; ++i) upstream += "    server 127.0.0.1:" + std::to_string(port + i) + ";\n";
    std::ofstream(dir / "nginx/nginx.conf")
        << "worker_processes 1;\ndaemon off;\npid " << (dir / "nginx/nginx.pid").string() << ";\nerror_log "
        << (dir / "nginx/error.log").string() << " warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n"
        << "  client_body_temp_path " << (dir / "nginx/body").string() << ";\n  proxy_temp_path " << (dir / "nginx/proxy").string()
        << ";\n  upstream verdict {\n" << upstream << "    keepalive 64;\n  }\n  server {\n    listen 127.0.0.1:" << proxy_port
        << ";\n    location / {\n      proxy_pass http://verdict;\n      proxy_http_version 1.1;\n"
        << "      proxy_set_header Connection \"\";\n      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    }\n  }\n}\n";
    proxy = spawn({nginx, "-p", (dir / "nginx").string(), "-c", (dir / "nginx/nginx.conf").string()});
    wait_healthy(proxy_port);
  }
  const double pg_cpu_before = postgres_cpu(pidfile);
  rusage self_before{};
  getrusage(RUSAGE_SELF, &self_before);

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
      httplib::Client c("127.0.0.1", nginx.empty() ? port + k % servers : proxy_port);
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
  rusage self_after{};
  getrusage(RUSAGE_SELF, &self_after);
  const double pg_cpu = postgres_cpu(pidfile) - pg_cpu_before;  // before the servers close their connections
  const double client_cpu = seconds_of(self_after.ru_utime) + seconds_of(self_after.ru_stime) -
                            seconds_of(self_before.ru_utime) - seconds_of(self_before.ru_stime);
  const double proxy_cpu = proxy > 0 ? stop_child(proxy, SIGQUIT) : 0;
  double serve_cpu = 0;
  for (pid_t pid : server_pids) serve_cpu += stop_child(pid, SIGTERM);

  std::size_t stored = 0;
  {
    Store store(target);
    for (const auto& out : store.completed_outputs("b")) stored += out["humanAnswers"].size();
  }
  auto pct = [](std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
  };
  const double requests = static_cast<double>(answer_ms.size() + task_ms.size());
  const std::string setup = postgres.empty() ? "SQLite, 1 verdict serve"
                            : "PostgreSQL, " + std::to_string(servers) + " verdict serve" +
                                  (nginx.empty() ? (servers > 1 ? " (clients split across them)" : "") : " behind nginx");
  std::printf("%s; %d clients, %d loops, %s: %d answers acknowledged in %.2f s = %.0f answers/s (%.0f requests/s)\n",
              setup.c_str(), clients, loops, two_calls ? "a request for each task and one for each answer" : "each answer brings the next task",
              acknowledged.load(), secs, acknowledged / secs, requests / secs);
  const double per = acknowledged > 0 ? 1e6 / acknowledged : 0;
  std::printf("CPU per answer: verdict serve %.0f us, PostgreSQL %s, nginx %s, clients %.0f us; machine busy %.0f%% of %ld cores\n",
              serve_cpu * per, pidfile.empty() ? (postgres.empty() ? "-" : "(not measured)") : (std::to_string(static_cast<int>(pg_cpu * per)) + " us").c_str(),
              proxy > 0 ? (std::to_string(static_cast<int>(proxy_cpu * per)) + " us").c_str() : "-", client_cpu * per,
              100.0 * (serve_cpu + pg_cpu + proxy_cpu + client_cpu) / secs / static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)),
              sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("answer call: p50 %.2f ms, p99 %.2f ms; next-task call (%zu): p50 %.2f ms, p99 %.2f ms\n",
              pct(answer_ms, 0.5), pct(answer_ms, 0.99), task_ms.size(), pct(task_ms, 0.5), pct(task_ms, 0.99));
  std::printf("errors %d, stored %zu, lost %d (acknowledged but not stored)%s\n", errors.load(), stored,
              std::max(0, acknowledged.load() - static_cast<int>(stored)),
              first_error.empty() ? "" : ("; first error: " + first_error).c_str());
  if (keep_in.empty()) fs::remove_all(dir);
  if (!database.empty()) {
    try {
      verdict::sql::PgConnection(postgres).exec("DROP DATABASE " + database + " WITH (FORCE)");
    } catch (const std::exception&) {
    }
  }
  return errors == 0 && static_cast<int>(stored) == acknowledged ? 0 : 1;
}
