// Two `verdict serve` instances on one PostgreSQL database behind a real nginx (round robin, on
// loopback): reviewers, each from an address of its own (127.0.0.20+k), answer concurrently
// through nginx while one instance is killed with SIGKILL mid-storm (and started again a few
// seconds later, after the survivor has had time to sweep). Then:
//   - no task was leased to two reviewers at once: a loop that needs one reviewer was leased
//     once, a loop that needs two by two reviewers, each the reviewer who answered it; no
//     reviewer was handed a loop that another held;
//   - every acknowledged answer is in the database and in its loop's output.json;
//   - every completed loop's output was written exactly once: one output.write (or, for a file a
//     killed server renamed into place but could not note, one output.found) in the audit log,
//     the file's inode never changed while the storm ran, the file is complete JSON;
//   - behind the trusted nginx the per-client cap follows X-Forwarded-For: reviewers (one request
//     in flight each, cap 2) never got a 429, a greedy client holding 5 requests did.
// The cluster is a throwaway one (scripts/pg-throwaway), stopped whatever happens.
// Exit 77 with "SKIPPED: reason" when PostgreSQL or nginx cannot start.
// Usage: verdict_pg_storm_test VERDICT_BINARY
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>
#include <vector>

#include "native/review/postgres.h"
#include "native/review/store.h"
#include "tests/native/review/pg_cluster.h"
#include "tests/native/review/server_process.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace verdict;
using namespace verdict::review;
using namespace verdict::review::testing;

namespace {

int failures = 0;
void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) ++failures;
}

constexpr int kReviewers = 10, kOneLoops = 1500, kTwoLoops = 500;

std::string nginx_binary() {
  for (const char* p : {"/usr/sbin/nginx", "/usr/bin/nginx"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

pid_t spawn(const std::vector<std::string>& args, const fs::path& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(log.c_str(), "a", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

bool healthy(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(0, 200'000);
  auto r = c.Get("/api/health");
  return r && r->status == 200;
}

pid_t start_serve(const std::string& binary, const std::string& url, int port, const fs::path& log) {
  const pid_t pid = spawn({binary, "serve", "--db", url, "--port", std::to_string(port), "--trust-proxy", "127.0.0.1",
                           "--max-per-client", "2", "--threads", "8"}, log);
  for (int i = 0; i < 400 && !healthy(port); ++i) std::this_thread::sleep_for(25ms);
  return pid;
}

void stop(pid_t pid, int sig = SIGTERM) {
  if (pid <= 0) return;
  kill(pid, sig);
  waitpid(pid, nullptr, 0);
}

// Binds a client's socket to a source address of its own (any 127.x.y.z is this machine), so
// nginx sees each reviewer as a different client.
void from_address(httplib::Client& c, const std::string& source) {
  c.set_socket_options([source](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &a.sin_addr);
    ::bind(sock, reinterpret_cast<sockaddr*>(&a), sizeof a);
  });
}

struct Tally {
  std::mutex mu;
  std::map<std::string, std::pair<std::string, std::string>> acknowledged;  // answer id -> (loop, reviewer)
  std::map<std::string, std::set<std::string>> handed;                      // loop -> reviewers it was handed to
  std::map<int, int> statuses;                                               // unexpected or retried: status -> count
  int transport_errors = 0, too_many = 0;
  std::atomic<int> acks{0};
};

// One reviewer: asks for a task, answers it and gets the next one in the same call, until
// nothing is left for them. A failed call (502 while a server dies, a transport error) is
// sent again as it was: the same answer id, so it is stored once.
void reviewer(int k, int port, const std::string& token, Tally& tally) {
  httplib::Client c("127.0.0.1", port);
  from_address(c, "127.0.0.2" + std::to_string(k));  // 127.0.0.20 .. 127.0.0.29
  c.set_keep_alive(true);
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(15, 0);
  const httplib::Headers h = {{"Authorization", "Bearer " + token}};
  const std::string me = "r" + std::to_string(k);
  auto call = [&](const std::string& path, const std::string& body, nlohmann::json& reply) {
    for (int attempt = 0; attempt < 400; ++attempt) {
      auto r = c.Post(path, h, body, "application/json");
      std::lock_guard<std::mutex> lock(tally.mu);
      if (!r) {
        ++tally.transport_errors;
      } else if (r->status == 200 || r->status == 201) {
        reply = nlohmann::json::parse(r->body);
        return r->status;
      } else {
        ++tally.statuses[r->status];
        if (r->status == 429) ++tally.too_many;
        if (r->status < 500 && r->status != 429) {
          std::printf("reviewer %s: %s -> %d %s\n", me.c_str(), path.c_str(), r->status, r->body.c_str());
          return r->status;
        }
      }
      std::this_thread::sleep_for(50ms);
    }
    return 0;
  };
  auto note_task = [&](const nlohmann::json& task) {
    if (task.is_null()) return;
    std::lock_guard<std::mutex> lock(tally.mu);
    tally.handed[task["loop"].get<std::string>()].insert(me);
  };
  nlohmann::json reply;
  if (call("/api/tasks/next", "{}", reply) != 200) return;
  nlohmann::json task = reply["task"];
  note_task(task);
  while (!task.is_null()) {
    const std::string loop = task["loop"];
    const std::string id = me + "-" + loop;
    const nlohmann::json body = {{"answer_id", id}, {"next", true},
                                 {"answer_content", {{"records", {{{"row", 0}, {"verdict", "agree"}, {"by", me}}}}}}};
    const int status = call("/api/tasks/" + loop + "/answer", body.dump(), reply);
    if (status != 200 && status != 201) return;
    {
      std::lock_guard<std::mutex> lock(tally.mu);
      tally.acknowledged[id] = {loop, me};
    }
    ++tally.acks;
    task = reply["next_task"];
    note_task(task);
  }
}

// A greedy client at 127.0.0.99 holds 5 requests whose bodies never come (nginx streams bodies
// through, proxy_request_buffering off): one server sees 3 of them, over the cap of 2.
int greedy_429s(int port, const std::string& token) {
  std::vector<int> fds;
  const std::string head = "POST /api/tasks/next HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Authorization: Bearer " + token + "\r\nContent-Length: 100\r\n\r\n{";
  for (int i = 0; i < 5; ++i) {
    const int fd = connect_from("127.0.0.99", port);
    if (fd < 0) continue;
    ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    fds.push_back(fd);
    std::this_thread::sleep_for(30ms);
  }
  int refused = 0;
  const auto until = std::chrono::steady_clock::now() + 3s;
  std::set<int> answered;
  while (std::chrono::steady_clock::now() < until && answered.size() < fds.size()) {
    for (int fd : fds) {
      if (answered.count(fd)) continue;
      char buf[2048];
      const ssize_t n = ::recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
      if (n <= 0) continue;
      buf[n] = 0;
      answered.insert(fd);
      if (std::string(buf).rfind("HTTP/1.1 429", 0) == 0 && std::string(buf).find("127.0.0.99") != std::string::npos) ++refused;
    }
    std::this_thread::sleep_for(20ms);
  }
  for (int fd : fds) ::close(fd);
  return refused;
}

// Watches the output files while the storm runs: a file renamed into place a second time gets
// a new inode.
struct InodeWatch {
  std::mutex mu;
  std::map<std::string, ino_t> first;
  std::set<std::string> changed;
  void scan(const fs::path& root) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().filename() != "output.json") continue;
      struct stat st{};
      if (::stat(it->path().c_str(), &st) != 0) continue;
      std::lock_guard<std::mutex> lock(mu);
      auto [at, fresh] = first.emplace(it->path().string(), st.st_ino);
      if (!fresh && at->second != st.st_ino) changed.insert(it->path().string());
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s VERDICT_BINARY\n", argv[0]);
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::string binary = fs::absolute(argv[1]).string();
  const std::string nginx = nginx_binary();
  if (nginx.empty()) {
    std::printf("SKIPPED: nginx is not installed (scripts/setup installs it)\n");
    return 77;
  }
  PgCluster& cluster = PgCluster::get();
  if (cluster.url().empty()) {
    std::printf("SKIPPED: %s\n", cluster.skipped().c_str());
    return 77;
  }
  const fs::path dir = fs::temp_directory_path() / ("verdict-pg-storm-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "nginx");
  const std::string url = cluster.create_database();
  const fs::path out = dir / "out";

  std::vector<std::string> tokens;
  {
    Store store(url);
    for (const auto& [name, reviewers] : {std::pair{"one", 1}, std::pair{"two", 2}}) {
      store.create_flow(Flow::from_json({{"name", name}, {"activation_conditions", {{"predicted_negative", true}}},
                                         {"records_per_task", 1}, {"reviewers_per_record", reviewers},
                                         {"task_time_limit_seconds", 3600}, {"output_dir", out.string()}}), "test");
    }
    for (int i = 0; i < kOneLoops + kTwoLoops; ++i) {
      store.start_loop(i < kOneLoops ? "one" : "two", {{"records", {{{"row", i}}}}}, "loop-" + std::to_string(i), "test");
    }
    for (int k = 0; k < kReviewers; ++k) tokens.push_back(store.add_reviewer("r" + std::to_string(k), false));
    tokens.push_back(store.add_reviewer("greedy", false));
  }
  const int port_a = free_port(), port_b = free_port(), port_nginx = free_port();
  pid_t a = start_serve(binary, url, port_a, dir / "a.log");
  pid_t b = start_serve(binary, url, port_b, dir / "b.log");
  check(healthy(port_a) && healthy(port_b), "two verdict serve instances on one PostgreSQL database");

  const std::string conf = "worker_processes 1;\ndaemon off;\npid " + (dir / "nginx/nginx.pid").string() +
      ";\nerror_log " + (dir / "nginx/error.log").string() + " warn;\nevents { worker_connections 1024; }\n"
      "http {\n  access_log off;\n"
      "  client_body_temp_path " + (dir / "nginx/body").string() + ";\n"
      "  proxy_temp_path " + (dir / "nginx/proxy").string() + ";\n"
      "  upstream verdict {\n"
      "    server 127.0.0.1:" + std::to_string(port_a) + " max_fails=1 fail_timeout=1s;\n"
      "    server 127.0.0.1:" + std::to_string(port_b) + " max_fails=1 fail_timeout=1s;\n"
      "    keepalive 32;\n  }\n"
      "  server {\n    listen 127.0.0.1:" + std::to_string(port_nginx) + ";\n"
      "    location / {\n      proxy_pass http://verdict;\n      proxy_http_version 1.1;\n"
      "      proxy_set_header Connection \"\";\n"
      "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
      "      proxy_request_buffering off;\n      proxy_next_upstream error timeout;\n"
      "      proxy_connect_timeout 1s;\n      proxy_read_timeout 30s;\n    }\n  }\n}\n";
  std::ofstream(dir / "nginx/nginx.conf") << conf;
  const pid_t proxy = spawn({nginx, "-p", (dir / "nginx").string(), "-c", (dir / "nginx/nginx.conf").string()}, dir / "nginx/out.log");
  for (int i = 0; i < 200 && !healthy(port_nginx); ++i) std::this_thread::sleep_for(25ms);
  if (!healthy(port_nginx)) {
    std::ifstream err(dir / "nginx/error.log");
    std::string line, last;
    while (std::getline(err, line)) last = line;
    stop(a), stop(b), stop(proxy, SIGKILL);
    cluster.drop_database(url);
    fs::remove_all(dir);
    std::printf("SKIPPED: nginx did not start: %s\n", last.c_str());
    return 77;
  }

  Tally tally;
  InodeWatch inodes;
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done) {
      inodes.scan(out);
      std::this_thread::sleep_for(100ms);
    }
  });
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> reviewers;
  for (int k = 0; k < kReviewers; ++k) reviewers.emplace_back(reviewer, k, port_nginx, tokens[static_cast<std::size_t>(k)], std::ref(tally));

  constexpr int kAnswers = kOneLoops + 2 * kTwoLoops;
  while (tally.acks < kAnswers / 10) std::this_thread::sleep_for(1ms);
  const int refused = greedy_429s(port_nginx, tokens.back());
  while (tally.acks < kAnswers * 3 / 10) std::this_thread::sleep_for(1ms);
  kill(a, SIGKILL);  // mid-storm, with requests in flight
  waitpid(a, nullptr, 0);
  const pid_t killed = a;
  const std::int64_t killed_ms = system_clock_ms();
  const int acks_at_kill = tally.acks;
  std::printf("killed instance A (SIGKILL) after %d of %d answers\n", acks_at_kill, kAnswers);
  // Started again once the survivor has had time to sweep what A left unwritten.
  std::this_thread::sleep_for(4s);
  a = start_serve(binary, url, port_a, dir / "a.log");
  for (auto& t : reviewers) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Every output written (by whichever server), then the servers stop.
  sql::PgConnection db(url);
  std::int64_t unwritten = -1;
  for (int i = 0; i < 300 && unwritten != 0; ++i) {
    auto s = db.prepare("SELECT COUNT(*) FROM loops p LEFT JOIN outputs o ON o.loop=p.name"
                        " WHERE p.status='Completed' AND (o.written_ms IS NULL)");
    s.step();
    unwritten = s.integer(0);
    if (unwritten) std::this_thread::sleep_for(100ms);
  }
  done = true;
  watcher.join();
  inodes.scan(out);
  stop(a), stop(b), stop(proxy, SIGQUIT);

  std::printf("storm: %d reviewers through nginx, %zu answers acknowledged in %.1f s; retried: %d transport errors, "
              "statuses", kReviewers, tally.acknowledged.size(), seconds, tally.transport_errors);
  for (const auto& [status, n] : tally.statuses) std::printf(" %d x%d", status, n);
  std::printf("\n");

  check(acks_at_kill > kAnswers / 10 && acks_at_kill < kAnswers, "the kill came mid-storm (" + std::to_string(acks_at_kill) + " answers before it)");
  check(static_cast<int>(tally.acknowledged.size()) == kAnswers, "every answer acknowledged in the end (" +
                                                                     std::to_string(tally.acknowledged.size()) + " of " + std::to_string(kAnswers) + ")");
  int server_errors = 0;
  for (const auto& [status, n] : tally.statuses) server_errors += status == 500 ? n : 0;
  check(server_errors == 0, "no 500 from the servers (" + std::to_string(server_errors) + ")");

  // Leases, from the audit log: who was handed each loop, and who answered it.
  std::map<std::string, std::vector<std::string>> leased;  // loop -> reviewer names, one per lease.take
  std::map<std::string, std::set<std::string>> answered;   // loop -> reviewer names
  std::map<std::string, int> writes, found;
  {
    auto s = db.prepare("SELECT action, actor, loop FROM audit WHERE action IN ('lease.take','output.write','output.found')");
    while (s.step()) {
      if (s.text(0) == "lease.take") leased[s.text(2)].push_back(s.text(1));
      if (s.text(0) == "output.write") ++writes[s.text(2)];
      if (s.text(0) == "output.found") ++found[s.text(2)];
    }
    auto q = db.prepare("SELECT a.loop, r.name FROM answers a JOIN reviewers r ON r.id=a.reviewer");
    while (q.step()) answered[q.text(0)].insert(q.text(1));
  }
  int lease_errors = 0, handed_errors = 0;
  for (int i = 0; i < kOneLoops + kTwoLoops; ++i) {
    const std::string loop = "loop-" + std::to_string(i);
    const std::size_t required = i < kOneLoops ? 1 : 2;
    const auto& l = leased[loop];
    const std::set<std::string> distinct(l.begin(), l.end());
    if (l.size() != required || distinct != answered[loop]) {
      if (++lease_errors <= 5) std::printf("  %s: leases to %zu reviewers (%zu distinct), answered by %zu\n", loop.c_str(), l.size(), distinct.size(), answered[loop].size());
    }
    if (tally.handed[loop].size() > required) ++handed_errors;
  }
  check(lease_errors == 0, "no task leased to two reviewers at once: each loop leased once per place, to the reviewers who answered it (" +
                               std::to_string(lease_errors) + " loops otherwise)");
  check(handed_errors == 0, "no reviewer was handed a place another reviewer held (" + std::to_string(handed_errors) + " loops otherwise)");

  // Every acknowledged answer: in the database and in its loop's output.json.
  int missing_db = 0, missing_file = 0, incomplete = 0, written_not_once = 0, inode_changed = 0;
  std::map<std::string, std::string> location;
  {
    auto s = db.prepare("SELECT name, output_location, status FROM loops");
    while (s.step()) {
      if (s.text(2) != "Completed") ++incomplete;
      location[s.text(0)] = s.text(1);
    }
  }
  std::map<std::string, nlohmann::json> files;
  for (const auto& [loop, where] : location) {
    try {
      std::ifstream in(where);
      files[loop] = nlohmann::json::parse(in);  // complete JSON, or it throws
    } catch (const std::exception&) {
      ++missing_file;
    }
    if (writes[loop] + found[loop] != 1 || writes[loop] > 1) {
      if (++written_not_once <= 5) std::printf("  %s: written %d, found %d\n", loop.c_str(), writes[loop], found[loop]);
    }
  }
  for (const auto& [id, who] : tally.acknowledged) {
    const auto& [loop, reviewer_name] = who;
    auto s = db.prepare("SELECT a.loop FROM answers a JOIN reviewers r ON r.id=a.reviewer WHERE a.answer_id=? AND r.name=?");
    if (!s.bind(1, id).bind(2, reviewer_name).step() || s.text(0) != loop) ++missing_db;
    bool in_file = false;
    for (const auto& h : files[loop].value("humanAnswers", nlohmann::json::array())) {
      in_file |= h["answerContent"]["records"][0]["by"] == reviewer_name;
    }
    if (!in_file) ++missing_file;
  }
  {
    std::lock_guard<std::mutex> lock(inodes.mu);
    inode_changed = static_cast<int>(inodes.changed.size());
  }
  check(incomplete == 0, "every loop Completed (" + std::to_string(incomplete) + " not)");
  check(missing_db == 0, "every acknowledged answer in the database (" + std::to_string(missing_db) + " missing)");
  check(missing_file == 0, "every acknowledged answer in its loop's output.json, every output complete JSON (" +
                               std::to_string(missing_file) + " missing)");
  check(unwritten == 0 && written_not_once == 0,
        "every completed loop's output written exactly once (" + std::to_string(written_not_once) + " loops otherwise, " +
            std::to_string(unwritten) + " unwritten); " + std::to_string(std::accumulate(found.begin(), found.end(), 0,
            [](int n, const auto& f) { return n + f.second; })) + " found in place after the kill");
  {
    // Who wrote what: the outputs of loops the killed instance completed but had not written
    // yet were written by the other one (its sweep) or by the killed one's successor.
    std::map<std::string, int> by_writer;
    int orphans = 0;
    auto s = db.prepare("SELECT writer, completed_ms, written_ms FROM outputs");
    while (s.step()) {
      ++by_writer[s.text(0)];
      orphans += s.integer(1) < killed_ms && s.integer(2) > killed_ms + 500 &&
                 s.text(0).substr(s.text(0).rfind(':') + 1) != std::to_string(killed);
    }
    std::printf("outputs by writer (host:pid; A was %d, then %d; B %d):", killed, a, b);
    for (const auto& [w, n] : by_writer) std::printf(" %s x%d", w.c_str(), n);
    std::printf("; %d completed before the kill and written after it by another process\n", orphans);
  }
  check(inode_changed == 0, "no output file replaced while the storm ran (" + std::to_string(inodes.first.size()) + " watched, " +
                                std::to_string(inode_changed) + " replaced)");
  check(tally.too_many == 0 && refused >= 1, "behind nginx the cap follows X-Forwarded-For: reviewers got " +
                                                 std::to_string(tally.too_many) + " 429s, the greedy client " + std::to_string(refused));

  cluster.drop_database(url);
  fs::remove_all(dir);
  std::printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
  return failures ? 1 : 0;
}
