// Benchmark of real-time scoring: keep-alive HTTP clients on loopback against a real
// `verdict serve --model` process, posting records of a CSV file to /invocations. Reports
// requests/s, rows/s, latency p50/p99 and errors; with --flow, that every acknowledged record
// that activates has its human loop in the store (nothing lost).
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
#include <fstream>
#include <mutex>
#include <thread>

#include "native/io/csv.h"
#include "native/io/model_files.h"
#include "native/review/sqlite.h"
#include "native/review/store.h"

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

namespace {

// The feature cells of every data row, in the model's order, as CSV lines.
std::vector<std::string> feature_lines(const std::string& data, const verdict::Schema& schema) {
  std::ifstream in(data);
  std::string line;
  std::vector<std::string> header, cells, out;
  std::getline(in, line);
  verdict::split_csv_line(line, header);
  std::vector<std::size_t> pick;
  for (const auto& c : schema.features) pick.push_back(static_cast<std::size_t>(std::find(header.begin(), header.end(), c.name) - header.begin()));
  while (std::getline(in, line)) {
    if (!verdict::split_csv_line(line, cells)) continue;
    std::ostringstream row;
    std::vector<std::string> picked;
    for (std::size_t k : pick) picked.push_back(k < cells.size() ? cells[k] : "");
    verdict::write_csv_row(row, picked);
    out.push_back(row.str());
  }
  return out;
}

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"verdict-bench-invocations: real-time scoring through `verdict serve --model` on loopback"};
  std::string binary, model, data, compiled;
  int clients = 4, port = 18775, rows_per_request = 1;
  double seconds = 5;
  bool explain = false, flow = false;
  app.add_option("--verdict", binary, "The verdict binary")->required();
  app.add_option("--model", model, "Model folder")->required();
  app.add_option("--data", data, "CSV of records to send (its header names the features)")->required();
  app.add_option("--compiled", compiled, "Serve with this compiled model (verdict compile)");
  app.add_option("--clients", clients, "Concurrent keep-alive clients")->capture_default_str();
  app.add_option("--rows", rows_per_request, "Records per request")->capture_default_str();
  app.add_option("--seconds", seconds, "Duration")->capture_default_str();
  app.add_option("--port", port, "Loopback port")->capture_default_str();
  app.add_flag("--explain", explain, "Ask for SHAP (?explain=shap)");
  app.add_flag("--flow", flow, "Attach a flow that starts a human loop for every record (a durable write per request)");
  CLI11_PARSE(app, argc, argv);

  const verdict::ModelFiles files = verdict::load_model_files(model, "");
  const std::vector<std::string> lines = feature_lines(data, *files.schema);
  const fs::path dir = fs::temp_directory_path() / ("verdict-bench-invocations-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (flow) {
    verdict::review::Store store((dir / "r.db").string());
    store.create_flow(verdict::review::Flow::from_json({{"name", "live"}, {"activation_conditions", {{"probability_below", 1.01}}},
                                                        {"records_per_task", 1}, {"output_dir", (dir / "out").string()}}), "bench");
  }
  const pid_t server = fork();
  if (server == 0) {
    freopen("/dev/null", "w", stdout);
    std::vector<std::string> args = {binary, "serve", "--db", (dir / "r.db").string(), "--port", std::to_string(port), "--model", model};
    if (!compiled.empty()) args.insert(args.end(), {"--compiled", compiled});
    if (flow) args.insert(args.end(), {"--flow", "live"});
    std::vector<char*> argv2;
    for (auto& a : args) argv2.push_back(a.data());
    argv2.push_back(nullptr);
    execv(binary.c_str(), argv2.data());
    _exit(127);
  }
  httplib::Client probe("127.0.0.1", port);
  for (int i = 0; i < 200 && !probe.Get("/ping"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));

  std::atomic<bool> stop{false};
  std::atomic<long> errors{0}, requests{0}, human_loops{0};
  std::mutex merge;
  std::vector<double> latencies;
  const std::string path = explain ? "/invocations?explain=shap" : "/invocations";
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      std::vector<double> mine;
      std::size_t next = static_cast<std::size_t>(c) * 997;
      while (!stop) {
        std::string body;
        for (int r = 0; r < rows_per_request; ++r) body += lines[next++ % lines.size()];
        const auto t0 = Steady::now();
        auto res = client.Post(path, body, "text/csv");
        mine.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
        if (!res || res->status != 200) {
          if (++errors <= 3) {
            std::fprintf(stderr, "error: %s\n", res ? (std::to_string(res->status) + " " + res->body).c_str() : httplib::to_string(res.error()).c_str());
          }
          continue;
        }
        ++requests;
        if (flow) {
          const std::string loops = res->get_header_value("X-Verdict-Human-Loops");
          human_loops += loops.empty() ? 0 : static_cast<long>(std::count(loops.begin(), loops.end(), ',')) + 1;
        }
      }
      std::lock_guard<std::mutex> lock(merge);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  const auto start = Steady::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Steady::now() - start).count();
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  long stored = 0;
  if (flow) {
    verdict::sql::Database db((dir / "r.db").string());
    auto count = db.prepare("SELECT count(*) FROM loop_records WHERE flow='live'");
    if (count.step()) stored = static_cast<long>(count.integer(0));
  }
  fs::remove_all(dir);
  std::printf("%d clients, %d record(s) a request%s%s%s: %.0f requests/s, %.0f rows/s, p50 %.3f ms, p99 %.3f ms, errors %ld\n",
              clients, rows_per_request, explain ? ", SHAP" : "", compiled.empty() ? "" : ", compiled model",
              flow ? ", a human loop per record" : "", static_cast<double>(requests) / elapsed,
              static_cast<double>(requests) * rows_per_request / elapsed, pct(latencies, 0.5), pct(latencies, 0.99),
              errors.load());
  if (flow) {
    std::printf("human loops acknowledged %ld, in the store %ld: %s\n", human_loops.load(), stored,
                human_loops == stored ? "none lost" : "MISMATCH");
  }
  return errors == 0 && (!flow || human_loops == stored) ? 0 : 1;
}
