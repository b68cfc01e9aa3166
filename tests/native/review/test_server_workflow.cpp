// The reviewer's queue and drafts over real HTTP: tasks/next and answers carry queue.waiting;
// PUT /api/tasks/{loop}/draft only by the lease holder, bounded like every body, with JSON
// errors; the draft comes back with the task.
#include <httplib.h>

#include <catch2/catch.hpp>

#include "tests/native/review/server_fixture.h"

using namespace verdict::review;
using namespace verdict::review::testing;

namespace {

void three_loops(Running& s, httplib::Client& c) {
  const nlohmann::json flow = {{"name", "f"}, {"activation_conditions", {{"predicted_negative", true}}},
                               {"records_per_task", 1}, {"reviewers_per_record", 1}, {"output_dir", (s.dir / "out").string()}};
  REQUIRE(ok(c.Post("/api/flows", Running::auth(s.admin), flow.dump(), "application/json")).status == 201);
  for (int i = 1; i <= 3; ++i) {
    const nlohmann::json loop = {{"flow", "f"}, {"name", "loop-" + std::to_string(i)}, {"input_content", {{"records", {{{"row", i}}}}}}};
    REQUIRE(ok(c.Post("/api/loops", Running::auth(s.admin), loop.dump(), "application/json")).status == 201);
  }
}

std::string answer(const std::string& id, int row) {
  return nlohmann::json({{"answer_id", id}, {"answer_content", {{"records", {{{"row", row}, {"verdict", "agree"}}}}}}, {"next", true}}).dump();
}

}  // namespace

TEST_CASE("API: tasks/next and the answer reply carry queue.waiting, falling as tasks are answered", "[server][queue]") {
  Running s;
  auto c = s.client();
  three_loops(s, c);
  auto r = c.Post("/api/tasks/next", Running::auth(s.alice), "{}", "application/json");
  REQUIRE(ok(r).status == 200);
  CHECK(body(r)["task"]["loop"] == "loop-1");
  CHECK(body(r)["queue"]["waiting"] == 2);
  CHECK(body(r)["task"]["draft"].is_null());
  r = c.Post("/api/tasks/loop-1/answer", Running::auth(s.alice), answer("a1", 1), "application/json");
  REQUIRE(ok(r).status == 201);
  CHECK(body(r)["next_task"]["loop"] == "loop-2");
  CHECK(body(r)["queue"]["waiting"] == 1);
  r = c.Post("/api/tasks/next", Running::auth(s.bob), "{}", "application/json");
  CHECK(body(r)["task"]["loop"] == "loop-3");
  CHECK(body(r)["queue"]["waiting"] == 0);  // Alice holds loop-2, Bob loop-3
  r = c.Post("/api/tasks/loop-2/answer", Running::auth(s.alice), answer("a2", 2), "application/json");
  CHECK(body(r)["next_task"].is_null());
  CHECK(body(r)["queue"]["waiting"] == 0);
  r = c.Post("/api/tasks/next", Running::auth(s.alice), "{}", "application/json");
  CHECK(body(r)["task"].is_null());
  CHECK(body(r)["queue"]["waiting"] == 0);
}

TEST_CASE("API: a draft is saved by the lease holder only and comes back with the task", "[server][drafts]") {
  Running s;
  auto c = s.client();
  three_loops(s, c);
  REQUIRE(body(c.Post("/api/tasks/next", Running::auth(s.alice), "{}", "application/json"))["task"]["loop"] == "loop-1");
  const nlohmann::json draft = {{"loop", "loop-1"}, {"answerId", "id-1"}, {"answers", {{"1", {{"verdict", "disagree"}, {"reason", "r"}}}}}};
  auto r = c.Put("/api/tasks/loop-1/draft", Running::auth(s.alice), draft.dump(), "application/json");
  REQUIRE(ok(r).status == 200);
  CHECK(body(r)["saved"] == true);

  // Another reviewer, no token, a task that does not exist: JSON errors, nothing stored.
  r = c.Put("/api/tasks/loop-1/draft", Running::auth(s.bob), nlohmann::json({{"answers", {}}}).dump(), "application/json");
  CHECK(ok(r).status == 403);
  CHECK(body(r)["error"].get<std::string>().find("not leased to you") != std::string::npos);
  CHECK(ok(c.Put("/api/tasks/loop-1/draft", draft.dump(), "application/json")).status == 401);
  r = c.Put("/api/tasks/loop-9/draft", Running::auth(s.alice), draft.dump(), "application/json");
  CHECK(ok(r).status == 404);
  CHECK(body(r).contains("error"));
  // Bodies: not JSON, not an object, too deep, too large.
  r = c.Put("/api/tasks/loop-1/draft", Running::auth(s.alice), "{\"answers\": ", "application/json");
  CHECK(ok(r).status == 400);
  CHECK(body(r).contains("error"));
  CHECK(ok(c.Put("/api/tasks/loop-1/draft", Running::auth(s.alice), "[1, 2]", "application/json")).status == 400);
  CHECK(ok(c.Put("/api/tasks/loop-1/draft", Running::auth(s.alice), std::string(100, '[') + std::string(100, ']'), "application/json")).status == 400);
  r = c.Put("/api/tasks/loop-1/draft", Running::auth(s.alice), std::string(70 * 1024, ' ') + "{}", "application/json");
  CHECK(ok(r).status == 413);  // over the server's --max-body (64 KiB here)

  // Another browser signed in with Alice's token: the held task, with the draft.
  r = c.Post("/api/tasks/next", Running::auth(s.alice), "{}", "application/json");
  CHECK(body(r)["task"]["loop"] == "loop-1");
  CHECK(body(r)["task"]["draft"] == draft);
  CHECK(body(c.Get("/api/tasks/loop-1", Running::auth(s.alice)))["task"]["draft"] == draft);

  // Answered: the lease and the draft are gone; a late draft save is refused.
  REQUIRE(ok(c.Post("/api/tasks/loop-1/answer", Running::auth(s.alice), answer("a1", 1), "application/json")).status == 201);
  r = c.Put("/api/tasks/loop-1/draft", Running::auth(s.alice), draft.dump(), "application/json");
  CHECK(ok(r).status == 403);
  CHECK(body(r).contains("error"));
}
