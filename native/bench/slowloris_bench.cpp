// Benchmark of the review service under a slowloris attack: a real `verdict serve` process,
// N connections from 127.0.0.2 trickling a header line every second and N sending nothing
// (each reopened as soon as the server closes it, so the pressure lasts), while a probe at
// 127.0.0.1 asks GET /api/health every 50 ms. Reports the probe's latency (p50, p99, max) and
// failures, with and without the attack in the same run.
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "tests/native/review/server_process.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;
using verdict::review::testing::closed_by_server;
using verdict::review::testing::connect_from;

namespace {

struct Probe {
  std::vector<double> ms;
  int failed = 0;
};

Probe probe(int port, std::chrono::seconds duration) {
  Probe p;
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5, 0);
  c.set_read_timeout(30, 0);
  const auto end = Steady::now() + duration;
  while (Steady::now() < end) {
    const auto t0 = Steady::now();
    auto r = c.Get("/api/health");
    const double ms = std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
    if (r && r->status == 200) p.ms.push_back(ms);
    else ++p.failed;
    std::this_thread::sleep_for(50ms);
  }
  std::sort(p.ms.begin(), p.ms.end());
  return p;
}

double at(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * static_cast<double>(sorted.size())))];
}

void report(const char* what, const Probe& p) {
  std::printf("%-34s %5zu probes, p50 %7.2f ms, p99 %7.2f ms, max %7.2f ms, %d failed\n", what, p.ms.size(), at(p.ms, 0.5),
              at(p.ms, 0.99), p.ms.empty() ? 0.0 : p.ms.back(), p.failed);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"verdict-bench-slowloris: health-probe latency of `verdict serve` under a slowloris attack"};
  std::string binary;
  int attackers = 200, seconds = 20;
  app.add_option("--verdict", binary, "The verdict binary")->required();
  app.add_option("--connections", attackers, "Trickling connections, and as many idle ones")->capture_default_str();
  app.add_option("--seconds", seconds, "How long the attack (and the probe) lasts")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const fs::path dir = fs::temp_directory_path() / ("verdict-bench-slowloris-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const int port = verdict::review::testing::free_port();
  const pid_t server = verdict::review::testing::start_server(binary, dir / "r.db", port);

  report("no attack", probe(port, std::chrono::seconds(std::max(2, seconds / 4))));

  std::atomic<bool> stop{false};
  std::atomic<long> opened{0}, cut{0};
  std::thread attack([&] {
    std::vector<int> trickling(static_cast<std::size_t>(attackers), -1), idle(static_cast<std::size_t>(attackers), -1);
    const std::string start = "POST /api/tasks/next HTTP/1.1\r\nHost: x\r\n";
    while (!stop) {
      for (int& fd : trickling) {
        if (fd >= 0 && closed_by_server(fd)) ::close(fd), fd = -1, ++cut;
        if (fd < 0 && (fd = connect_from("127.0.0.2", port)) >= 0) ++opened, ::send(fd, start.data(), start.size(), MSG_NOSIGNAL);
        if (fd >= 0) ::send(fd, "X-a: b\r\n", 8, MSG_NOSIGNAL);
      }
      for (int& fd : idle) {
        if (fd >= 0 && closed_by_server(fd)) ::close(fd), fd = -1, ++cut;
        if (fd < 0 && (fd = connect_from("127.0.0.2", port)) >= 0) ++opened;
      }
      std::this_thread::sleep_for(1s);
    }
    for (int fd : trickling) if (fd >= 0) ::close(fd);
    for (int fd : idle) if (fd >= 0) ::close(fd);
  });
  std::this_thread::sleep_for(2s);  // the attack in full swing
  char what[96];
  std::snprintf(what, sizeof what, "%d trickling + %d idle connections", attackers, attackers);
  const Probe under = probe(port, std::chrono::seconds(seconds));
  stop = true;
  attack.join();
  report(what, under);
  std::printf("attack: %ld connections opened, %ld closed by the server (deadlines and the per-address cap)\n",
              opened.load(), cut.load());
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  fs::remove_all(dir);
  const bool met = under.failed == 0 && !under.ms.empty() && under.ms.back() <= 1000.0;
  std::printf("goal (every probe answered, slowest <= 1 s): %s\n", met ? "met" : "MISSED");
  return met ? 0 : 1;
}
