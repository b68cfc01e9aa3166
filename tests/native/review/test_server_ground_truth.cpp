// POST /api/ground-truth: the similar-records panel's ground truth. Reviewers' labels of
// completed loops only; an open loop's answers are never revealed (reviewers stay
// independent); the body is bounded and every refusal is a JSON 4xx.
#include <httplib.h>

#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/native/review/server_fixture.h"

using namespace verdict::review;
using namespace verdict::review::testing;

namespace {

void add_flow(Running& s, httplib::Client& c, const std::string& name, int reviewers) {
  const nlohmann::json flow = {{"name", name}, {"activation_conditions", {{"predicted_negative", true}}},
                               {"records_per_task", 2}, {"reviewers_per_record", reviewers},
                               {"output_dir", (s.dir / ("out-" + name)).string()}};
  REQUIRE(ok(c.Post("/api/flows", Running::auth(s.admin), flow.dump(), "application/json")).status == 201);
}

void add_loop(Running& s, httplib::Client& c, const std::string& flow, const std::string& name,
              const std::string& source, const std::vector<int>& rows) {
  nlohmann::json records = nlohmann::json::array();
  for (int r : rows) records.push_back({{"row", r}, {"predicted_label", ">50K"}});
  const nlohmann::json loop = {{"flow", flow}, {"name", name}, {"input_content", {{"source", source}, {"records", records}}}};
  REQUIRE(ok(c.Post("/api/loops", Running::auth(s.admin), loop.dump(), "application/json")).status == 201);
}

// Takes the reviewer's next task (it must be `loop`) and answers each row: agree, or disagree
// with "<=50K" for the rows in `disagree`.
void answer_next(httplib::Client& c, const std::string& token, const std::string& loop,
                 const std::vector<int>& rows, const std::vector<int>& disagree) {
  auto r = c.Post("/api/tasks/next", Running::auth(token), "{}", "application/json");
  REQUIRE(body(r)["task"]["loop"] == loop);
  nlohmann::json records = nlohmann::json::array();
  for (int row : rows) {
    const bool no = std::find(disagree.begin(), disagree.end(), row) != disagree.end();
    records.push_back({{"row", row}, {"verdict", no ? "disagree" : "agree"}, {"label", no ? "<=50K" : ">50K"}});
  }
  const nlohmann::json a = {{"answer_id", loop + "-" + token.substr(0, 6)}, {"answer_content", {{"records", records}}}};
  REQUIRE(ok(c.Post("/api/tasks/" + loop + "/answer", Running::auth(token), a.dump(), "application/json")).status == 201);
}

nlohmann::json ask(httplib::Client& c, const std::string& token, const nlohmann::json& q, int status = 200) {
  auto r = c.Post("/api/ground-truth", Running::auth(token), q.dump(), "application/json");
  REQUIRE(ok(r).status == status);
  return body(r);
}

}  // namespace

TEST_CASE("API: ground truth of completed loops only; an open loop's answer is not revealed", "[server][ground-truth]") {
  Running s;
  auto c = s.client();
  add_flow(s, c, "one", 1);
  add_flow(s, c, "two", 2);
  add_loop(s, c, "one", "loop-1", "batch.csv", {1, 2});
  answer_next(c, s.alice, "loop-1", {1, 2}, {2});  // completes loop-1
  add_loop(s, c, "two", "loop-2", "batch.csv", {3});
  answer_next(c, s.alice, "loop-2", {3}, {3});  // one of two answers: loop-2 stays open
  add_loop(s, c, "one", "loop-3", "other.csv", {1});
  answer_next(c, s.alice, "loop-3", {1}, {1});  // another batch's row 1

  nlohmann::json got = ask(c, s.bob, {{"source", "batch.csv"}, {"rows", {1, 2, 3, 4}}});
  CHECK(got["source"] == "batch.csv");
  REQUIRE(got["records"].size() == 2);  // rows 1 and 2; row 3's loop is open, row 4 was never looped
  CHECK(got["records"][0] == nlohmann::json({{"row", 1}, {"loop", "loop-1"}, {"labels", {">50K"}}}));
  CHECK(got["records"][1] == nlohmann::json({{"row", 2}, {"loop", "loop-1"}, {"labels", {"<=50K"}}}));
  CHECK(got.dump().find("loop-2") == std::string::npos);
  // Not even the reviewer who answered it sees the open loop's answer.
  CHECK(ask(c, s.alice, {{"source", "batch.csv"}, {"rows", {3}}})["records"].empty());

  // Bob's answer completes loop-2: now both labels are there.
  answer_next(c, s.bob, "loop-2", {3}, {});
  got = ask(c, s.bob, {{"source", "batch.csv"}, {"rows", {3}}});
  REQUIRE(got["records"].size() == 1);
  CHECK(got["records"][0]["labels"] == nlohmann::json({"<=50K", ">50K"}));
  got = ask(c, s.bob, {{"source", "other.csv"}, {"rows", {1}}});
  REQUIRE(got["records"].size() == 1);
  CHECK(got["records"][0]["labels"] == nlohmann::json({"<=50K"}));

  // An answer whose label is not text, and a loop whose source is not, stop nothing.
  const nlohmann::json odd = {{"flow", "one"}, {"name", "loop-4"}, {"input_content", {{"source", 7}, {"records", {{{"row", 1}}}}}}};
  REQUIRE(ok(c.Post("/api/loops", Running::auth(s.admin), odd.dump(), "application/json")).status == 201);
  add_loop(s, c, "one", "loop-5", "batch.csv", {5});
  for (const char* loop : {"loop-4", "loop-5"}) {
    REQUIRE(body(c.Post("/api/tasks/next", Running::auth(s.bob), "{}", "application/json"))["task"]["loop"] == loop);
    const nlohmann::json a = {{"answer_id", std::string(loop) + "-bob"},
                              {"answer_content", {{"records", {{{"row", loop == std::string("loop-4") ? 1 : 5}, {"verdict", "disagree"}, {"label", 5}}}}}}};
    REQUIRE(ok(c.Post("/api/tasks/" + std::string(loop) + "/answer", Running::auth(s.bob), a.dump(), "application/json")).status == 201);
  }
  got = ask(c, s.alice, {{"source", "batch.csv"}, {"rows", {1, 5}}});
  REQUIRE(got["records"].size() == 2);
  CHECK(got["records"][0]["row"] == 1);
  CHECK(got["records"][1] == nlohmann::json({{"row", 5}, {"loop", "loop-5"}, {"labels", nlohmann::json::array()}}));
}

TEST_CASE("API: ground truth refuses unbounded or malformed questions with JSON 4xx", "[server][ground-truth]") {
  Running s;
  auto c = s.client();
  CHECK(ok(c.Post("/api/ground-truth", nlohmann::json({{"source", "b"}, {"rows", {1}}}).dump(), "application/json")).status == 401);
  std::vector<int> many(101);
  for (const nlohmann::json& bad : {nlohmann::json::array(), nlohmann::json({{"rows", {1}}}),
                                    nlohmann::json({{"source", "b"}, {"rows", nlohmann::json::array()}}),
                                    nlohmann::json({{"source", "b"}, {"rows", many}}),
                                    nlohmann::json({{"source", "b"}, {"rows", {-1}}}),
                                    nlohmann::json({{"source", "b"}, {"rows", {"1"}}}),
                                    nlohmann::json({{"source", "b"}, {"rows", {1.5}}}),
                                    nlohmann::json({{"source", std::string(2000, 'x')}, {"rows", {1}}})}) {
    INFO(bad.dump().substr(0, 80));
    CHECK(ask(c, s.alice, bad, 400).contains("error"));
  }
  auto r = c.Post("/api/ground-truth", Running::auth(s.alice), "{\"rows\": ", "application/json");
  CHECK(ok(r).status == 400);
  CHECK(body(r).contains("error"));
  CHECK(ask(c, s.alice, {{"source", "b"}, {"rows", {1}}})["records"].empty());
}
