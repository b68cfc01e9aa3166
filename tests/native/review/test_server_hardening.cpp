// The review service over real HTTP against a hostile client: bodies nested 75,000 deep, numbers
// that overflow, fields of the wrong type, a second server on the same port, and slow clients
// (slowloris) trickling headers from another loopback address while a reviewer keeps working.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "tests/native/review/server_fixture.h"
#include "tests/native/review/server_process.h"

using namespace verdict::review;
using namespace verdict::review::testing;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::string deep_array(int depth) { return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']'); }

const nlohmann::json kFlow = {{"name", "f"}, {"activation_conditions", {{"predicted_negative", true}}}, {"records_per_task", 1}};

}  // namespace

TEST_CASE("bodies nested 75,000 levels deep are 400, and the server lives on", "[server-hardening]") {
  ServerOptions o;
  o.max_body = 1 << 21;  // 2 MB: room for the deep bodies
  Running s(o);
  auto c = s.client();
  REQUIRE(ok(c.Post("/api/flows", Running::auth(s.admin), kFlow.dump(), "application/json")).status == 201);
  const std::string deep = deep_array(75'000);  // 150 KB
  auto r = c.Post("/api/loops", Running::auth(s.admin), R"({"flow": "f", "input_content": {"x": )" + deep + "}}",
                  "application/json");
  CHECK(ok(r).status == 400);
  CHECK(body(r)["error"].get<std::string>().find("nested deeper than 64") != std::string::npos);
  r = c.Post("/api/loops", Running::auth(s.admin), R"({"flow": "f", "input_content": {"records": [{"row": 0}]}})",
             "application/json");
  REQUIRE(ok(r).status == 201);
  const std::string loop = body(r)["HumanLoopName"];
  REQUIRE(ok(c.Post("/api/tasks/next", Running::auth(s.alice), "{}", "application/json")).status == 200);
  r = c.Post("/api/tasks/" + loop + "/answer", Running::auth(s.alice),
             R"({"answer_id": "a1", "answer_content": {"x": )" + deep + "}}", "application/json");
  CHECK(ok(r).status == 400);
  CHECK(ok(c.Get("/api/health")).status == 200);
}

TEST_CASE("client mistakes are 4xx with a JSON message, never 500", "[server-hardening]") {
  Running s;
  auto c = s.client();
  const auto admin = Running::auth(s.admin);
  REQUIRE(ok(c.Post("/api/flows", admin, kFlow.dump(), "application/json")).status == 201);
  // A number too large for a double, anywhere in a body.
  auto r = c.Post("/api/loops", admin, R"({"flow": "f", "input_content": {"x": 1e400}})", "application/json");
  CHECK(ok(r).status == 400);
  CHECK(body(r).contains("error"));
  // An encoded value a float32 cannot hold (the page would score it as infinity).
  r = c.Post("/api/loops", admin, R"({"flow": "f", "input_content": {"records": [{"row": 0, "encoded": [1e39]}]}})", "application/json");
  CHECK(ok(r).status == 400);
  CHECK(body(r)["error"].get<std::string>().find("float32") != std::string::npos);
  // A field of the wrong type.
  r = c.Post("/api/loops", admin, R"({"flow": "f", "input_content": {}, "name": 123})", "application/json");
  CHECK(ok(r).status == 400);
  r = c.Post("/api/flows", admin, R"({"name": "g", "activation_conditions": {}, "records_per_task": "three"})", "application/json");
  CHECK(ok(r).status == 400);
  // Times that would overflow.
  nlohmann::json long_lived = kFlow;
  long_lived["name"] = "h";
  long_lived["lifetime_seconds"] = 9'000'000'000'000'000LL;
  CHECK(ok(c.Post("/api/flows", admin, long_lived.dump(), "application/json")).status == 400);
  // Errors httplib answers itself carry JSON too: 413, 414, 404.
  r = c.Post("/api/flows", admin, std::string(70 * 1024, ' '), "application/json");
  CHECK(ok(r).status == 413);
  CHECK(body(r)["error"] == "request body too large");
  r = c.Get(("/api/loops?flow=" + std::string(20'000, 'x')).c_str(), admin);
  CHECK(ok(r).status == 414);
  CHECK(body(r).contains("error"));
  r = c.Get("/no/such/page");
  CHECK(ok(r).status == 404);
  CHECK(body(r).contains("error"));
  // A negative time spent.
  r = c.Post("/api/loops", admin, R"({"flow": "f", "input_content": {"records": [{"row": 0}]}})", "application/json");
  const std::string loop = body(r)["HumanLoopName"];
  REQUIRE(ok(c.Post("/api/tasks/next", Running::auth(s.alice), "{}", "application/json")).status == 200);
  r = c.Post("/api/tasks/" + loop + "/answer", Running::auth(s.alice),
             R"({"answer_id": "a1", "answer_content": {}, "time_spent_seconds": -3})", "application/json");
  CHECK(ok(r).status == 400);
  // A replayed answer id with other content: 409 with the stored answer.
  REQUIRE(ok(c.Post("/api/tasks/" + loop + "/answer", Running::auth(s.alice), R"({"answer_id": "a1", "answer_content": {"v": 1}})",
                    "application/json")).status == 201);
  r = c.Post("/api/tasks/" + loop + "/answer", Running::auth(s.alice), R"({"answer_id": "a1", "answer_content": {"v": 2}})",
             "application/json");
  CHECK(ok(r).status == 409);
  CHECK(body(r)["stored"] == nlohmann::json{{"v", 1}});
}

TEST_CASE("a second server cannot take a port that one is serving", "[server-hardening]") {
  Running first;
  Store other((first.dir / "other.db").string());
  ServerOptions o;
  o.port = first.port;
  ReviewServer second(other, o);
  CHECK_THROWS_WITH(second.bind(), Catch::Contains("in use"));
}

TEST_CASE("slow clients (slowloris) are cut at their deadline and never stall a reviewer", "[server-hardening]") {
  ServerOptions o;
  o.guard.header_deadline = 1500ms;
  o.guard.idle_timeout = 1500ms;
  o.guard.base_threads = 4;
  o.guard.max_per_client = 100;  // the deadlines are under test here, not the caps
  Running s(o);
  // 40 connections that trickle a header line every 300 ms and 40 that send nothing, all from
  // another address; the reviewer at 127.0.0.1 keeps asking for work meanwhile.
  std::vector<int> trickling, idle;
  for (int i = 0; i < 40; ++i) {
    const int t = connect_from("127.0.0.2", s.port), d = connect_from("127.0.0.2", s.port);
    REQUIRE(t >= 0);
    REQUIRE(d >= 0);
    trickling.push_back(t), idle.push_back(d);
    const std::string start = "POST /api/tasks/next HTTP/1.1\r\nHost: x\r\n";
    ::send(t, start.data(), start.size(), MSG_NOSIGNAL);
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop) {
      for (int fd : trickling) ::send(fd, "X-a: b\r\n", 8, MSG_NOSIGNAL);
      std::this_thread::sleep_for(300ms);
    }
  });
  const auto attack_start = SteadyClock::now();
  auto c = s.client();
  double worst = 0;
  int answered = 0;
  while (SteadyClock::now() - attack_start < 4s) {
    const auto t0 = SteadyClock::now();
    auto r = c.Post("/api/tasks/next", Running::auth(s.alice), "{}", "application/json");
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    if (r && r->status == 200) ++answered;
    worst = std::max(worst, seconds);
  }
  stop = true;
  trickle.join();
  INFO("reviewer's slowest request under attack: " << worst << " s, " << answered << " answered");
  CHECK(answered > 20);
  CHECK(worst < 1.0);
  // By now (4 s > the 1.5 s deadlines) the server has hung up on every slow connection.
  int cut_trickling = 0, cut_idle = 0;
  for (int fd : trickling) cut_trickling += closed_by_server(fd);
  for (int fd : idle) cut_idle += closed_by_server(fd);
  CHECK(cut_trickling == 40);
  CHECK(cut_idle == 40);
  for (int fd : trickling) ::close(fd);
  for (int fd : idle) ::close(fd);
}

TEST_CASE("connections are capped per client address (503 with JSON)", "[server-hardening]") {
  ServerOptions o;
  o.guard.max_per_client = 4;
  Running s(o);
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) held.push_back(connect_from("127.0.0.3", s.port));
  std::this_thread::sleep_for(200ms);  // the server has taken them
  const int fifth = connect_from("127.0.0.3", s.port);
  REQUIRE(fifth >= 0);
  char reply[512] = {};
  std::this_thread::sleep_for(300ms);
  const ssize_t n = ::recv(fifth, reply, sizeof reply - 1, MSG_DONTWAIT);
  REQUIRE(n > 0);
  CHECK(std::string(reply).rfind("HTTP/1.1 503", 0) == 0);
  CHECK(std::string(reply).find(R"({"error":"too many open connections from 127.0.0.3"})") != std::string::npos);
  CHECK(ok(s.client().Get("/api/health")).status == 200);  // another address is served
  for (int fd : held) ::close(fd);
  ::close(fifth);
}

TEST_CASE("behind a trusted proxy, requests are capped per X-Forwarded-For client, not per address", "[server-hardening]") {
  ServerOptions o;
  o.guard.max_per_client = 1;
  o.guard.trusted_proxy = "127.0.0.1";
  Running s(o);
  // Idle connections from the proxy's address: no per-address cap for it.
  std::vector<int> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(connect_from("127.0.0.1", s.port));
  std::this_thread::sleep_for(200ms);
  auto c = s.client();
  REQUIRE(ok(c.Get("/api/health")).status == 200);
  // A request from 10.1.2.3 (as the proxy appended it) whose body has not arrived holds that
  // client's one slot: its next request at once is a 429; other clients are served.
  const int slow = connect_from("127.0.0.1", s.port);
  const std::string head = "POST /api/flows HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.1.2.3\r\nContent-Type: application/json\r\n"
                           "Authorization: Bearer " + s.admin + "\r\nContent-Length: 200\r\n\r\n";
  ::send(slow, head.data(), head.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(300ms);
  auto r = c.Get("/api/health", {{"X-Forwarded-For", "10.1.2.3"}});
  CHECK(ok(r).status == 429);
  CHECK(body(r)["error"] == "too many requests at once from 10.1.2.3");
  CHECK(ok(c.Get("/api/health", {{"X-Forwarded-For", "10.4.5.6"}})).status == 200);
  // What the client put before the proxy's entry does not count: the rightmost one does.
  CHECK(ok(c.Get("/api/health", {{"X-Forwarded-For", "10.4.5.6, 10.1.2.3"}})).status == 429);
  CHECK(ok(c.Get("/api/health", {{"X-Forwarded-For", "10.1.2.3, 10.4.5.6"}})).status == 200);
  // The slow request gone, its client is served again.
  ::close(slow);
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(20ms);
    status = ok(c.Get("/api/health", {{"X-Forwarded-For", "10.1.2.3"}})).status;
  }
  CHECK(status == 200);
  // One request after another from the same client is never refused.
  for (int i = 0; i < 20; ++i) CHECK(ok(c.Post("/api/tasks/next", {{"Authorization", "Bearer " + s.alice}, {"X-Forwarded-For", "10.1.2.3"}},
                                               "{}", "application/json")).status == 200);
  for (int fd : idle) ::close(fd);
}
