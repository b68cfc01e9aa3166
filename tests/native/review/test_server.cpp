// The review API over real HTTP on 127.0.0.1: authentication, isolation between reviewers,
// malformed and oversized bodies, static files without path traversal.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/native/review/server_fixture.h"

using namespace verdict::review;
using namespace verdict::review::testing;
namespace fs = std::filesystem;

TEST_CASE("API: flow and loop life cycle over HTTP", "[server]") {
  Running s;
  auto c = s.client();
  const nlohmann::json flow = {{"name", "f"}, {"title", "Income"}, {"activation_conditions", {{"predicted_negative", true}}},
                               {"records_per_task", 1}, {"reviewers_per_record", 1}, {"output_dir", (s.dir / "out").string()}};
  auto r = c.Post("/api/flows", Running::auth(s.admin), flow.dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(ok(c.Post("/api/flows", Running::auth(s.alice), flow.dump(), "application/json")).status == 403);
  CHECK(ok(c.Post("/api/flows", flow.dump(), "application/json")).status == 401);

  r = c.Post("/api/loops", Running::auth(s.admin),
             nlohmann::json({{"flow", "f"}, {"name", "loop-1"}, {"input_content", {{"records", {{{"row", 7}}}}}}}).dump(),
             "application/json");
  REQUIRE(ok(r).status == 201);
  CHECK(body(r)["HumanLoopStatus"] == "InProgress");

  r = c.Post("/api/tasks/next", Running::auth(s.alice), "{}", "application/json");
  REQUIRE(ok(r).status == 200);
  CHECK(body(r)["task"]["loop"] == "loop-1");
  CHECK(body(r)["task"]["input_content"]["records"][0]["row"] == 7);

  // Bob can neither read nor answer Alice's task.
  CHECK(ok(c.Get("/api/tasks/loop-1", Running::auth(s.bob))).status == 403);
  const std::string ans = nlohmann::json({{"answer_id", "a1"}, {"answer_content", {{"records", {{{"row", 7}, {"verdict", "agree"}}}}}}}).dump();
  CHECK(ok(c.Post("/api/tasks/loop-1/answer", Running::auth(s.bob), ans, "application/json")).status == 403);
  CHECK(ok(c.Get("/api/tasks/loop-1", Running::auth(s.alice))).status == 200);

  r = c.Post("/api/tasks/loop-1/answer", Running::auth(s.alice), ans, "application/json");
  REQUIRE(ok(r).status == 201);
  CHECK(body(r)["loop_status"] == "Completed");
  r = c.Post("/api/tasks/loop-1/answer", Running::auth(s.alice), ans, "application/json");  // a retry
  CHECK(ok(r).status == 200);
  CHECK(body(r)["duplicate"] == true);

  s.store->flush_outputs();
  r = c.Get("/api/loops/loop-1", Running::auth(s.admin));
  CHECK(body(r)["HumanLoopStatus"] == "Completed");
  CHECK(fs::exists(body(r)["HumanLoopOutput"]["OutputLocation"].get<std::string>()));
  CHECK(ok(c.Get("/api/loops/loop-1", Running::auth(s.alice))).status == 403);
  CHECK(body(c.Get("/api/loops?flow=f&status=Completed", Running::auth(s.admin)))["HumanLoopSummaries"].size() == 1);
  CHECK(ok(c.Post("/api/loops/loop-1/stop", Running::auth(s.admin), "{}", "application/json")).status == 409);
  CHECK(ok(c.Delete("/api/loops/loop-1", Running::auth(s.admin))).status == 200);
  CHECK(ok(c.Get("/api/loops/loop-1", Running::auth(s.admin))).status == 404);
}

TEST_CASE("API: an answer with \"next\": true returns the next task in the same call", "[server]") {
  Running s;
  auto c = s.client();
  const nlohmann::json flow = {{"name", "f"}, {"activation_conditions", {{"predicted_negative", true}}},
                               {"records_per_task", 1}, {"reviewers_per_record", 1}, {"output_dir", (s.dir / "out").string()}};
  REQUIRE(ok(c.Post("/api/flows", Running::auth(s.admin), flow.dump(), "application/json")).status == 201);
  for (int i = 1; i <= 2; ++i) {
    const nlohmann::json loop = {{"flow", "f"}, {"name", "loop-" + std::to_string(i)}, {"input_content", {{"records", {{{"row", i}}}}}}};
    REQUIRE(ok(c.Post("/api/loops", Running::auth(s.admin), loop.dump(), "application/json")).status == 201);
  }
  auto r = c.Post("/api/tasks/next", Running::auth(s.alice), "{}", "application/json");
  REQUIRE(body(r)["task"]["loop"] == "loop-1");
  auto answer = [](const std::string& id, int row) {
    return nlohmann::json({{"answer_id", id}, {"answer_content", {{"records", {{{"row", row}, {"verdict", "agree"}}}}}}, {"next", true}}).dump();
  };
  r = c.Post("/api/tasks/loop-1/answer", Running::auth(s.alice), answer("a1", 1), "application/json");
  REQUIRE(ok(r).status == 201);
  CHECK(body(r)["loop_status"] == "Completed");
  REQUIRE(body(r)["next_task"].is_object());
  CHECK(body(r)["next_task"]["loop"] == "loop-2");
  CHECK(body(r)["next_task"]["input_content"]["records"][0]["row"] == 2);
  CHECK(ok(c.Get("/api/tasks/loop-2", Running::auth(s.alice))).status == 200);  // leased to Alice
  CHECK(body(c.Post("/api/tasks/next", Running::auth(s.bob), "{}", "application/json"))["task"].is_null());
  // A retry of the same answer gets the same next task (the lease Alice holds), not a second one.
  r = c.Post("/api/tasks/loop-1/answer", Running::auth(s.alice), answer("a1", 1), "application/json");
  CHECK(ok(r).status == 200);
  CHECK(body(r)["duplicate"] == true);
  CHECK(body(r)["next_task"]["loop"] == "loop-2");
  r = c.Post("/api/tasks/loop-2/answer", Running::auth(s.alice), answer("a2", 2), "application/json");
  REQUIRE(ok(r).status == 201);
  CHECK(body(r)["next_task"].is_null());
  // Without "next" the reply has no next_task at all; a refused answer leases nothing.
  CHECK_FALSE(body(c.Post("/api/tasks/loop-2/answer", Running::auth(s.alice), nlohmann::json({{"answer_id", "a2"},
      {"answer_content", {{"records", nlohmann::json::array()}}}}).dump(), "application/json")).contains("next_task"));
  CHECK(ok(c.Post("/api/tasks/loop-1/answer", Running::auth(s.bob), answer("b1", 1), "application/json")).status == 403);
}

TEST_CASE("API: malformed JSON is 400 with a message; an oversized body is 413", "[server]") {
  Running s;
  auto c = s.client();
  auto r = c.Post("/api/flows", Running::auth(s.admin), "{\"name\": ", "application/json");
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(body(r)["error"].get<std::string>().find("malformed JSON") != std::string::npos);
  r = c.Post("/api/flows", Running::auth(s.admin), R"({"name": "bad name!", "activation_conditions": {"predicted_negative": true}})", "application/json");
  CHECK(r->status == 400);
  r = c.Post("/api/flows", Running::auth(s.admin), std::string(200 * 1024, ' '), "application/json");
  REQUIRE(r);
  CHECK(r->status == 413);
}

TEST_CASE("static files: the page is served, paths outside it are not", "[server]") {
  Running s;
  auto c = s.client();
  auto r = c.Get("/index.html");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body.find("review") != std::string::npos);
  for (const char* path : {"/../secret.txt", "/../../etc/passwd", "/%2e%2e/secret.txt", "/..%2fsecret.txt"}) {
    r = c.Get(path);
    REQUIRE(r);
    INFO(path);
    CHECK(r->status != 200);
    CHECK(r->body.find("not for the web") == std::string::npos);
    CHECK(r->body.find("root:") == std::string::npos);
  }
}
