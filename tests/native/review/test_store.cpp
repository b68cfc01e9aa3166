// The review workflow's state machine, through the store the server and the CLI share,
// with a clock the test controls.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "native/review/store.h"
#include "tests/native/review/store_fixture.h"

using namespace verdict;
using namespace verdict::review;
namespace fs = std::filesystem;

namespace {

using Fixture = testing::StoreFixture;

// A batch of n records with predictions spread over [0, 1).
nlohmann::json batch(int n) {
  nlohmann::json records = nlohmann::json::array();
  for (int i = 0; i < n; ++i) {
    const double p = (i + 0.5) / n;
    records.push_back({{"row", i}, {"values", {std::to_string(i)}}, {"encoded", {i}}, {"margin", 0.0},
                       {"prediction", p}, {"predicted_label", p >= 0.5 ? "yes" : "no"},
                       {"shap", {{"tree", {0.1}}}}});
  }
  return {{"format", "verdict-review-batch"}, {"features", {"x"}}, {"task", "binary"}, {"records", records}};
}

nlohmann::json answer(int row) { return {{"records", {{{"row", row}, {"verdict", "agree"}}}}}; }

}  // namespace

TEST_CASE("activation conditions pick the records; loops group records_per_task of them", "[review-store]") {
  Fixture fx;
  fx.flow("f", 1, 3);
  // 20 records, predictions 0.025 .. 0.975: 10 below 0.5 -> 4 loops (3, 3, 3, 1).
  const auto loops = fx.store->start_from_batch("f", batch(20), "yes", "test").loops;
  REQUIRE(loops.size() == 4);
  CHECK(fx.store->output(loops[0])["inputContent"]["records"].size() == 3);
  CHECK(fx.store->output(loops[3])["inputContent"]["records"].size() == 1);
  CHECK(fx.store->list({"f", "InProgress"})["HumanLoopSummaries"].size() == 4);
}

TEST_CASE("a loop's life: leases, distinct reviewers, completion, output in A2I's layout", "[review-store]") {
  Fixture fx;
  fx.flow("f", 2, 5);
  const std::string loop = fx.store->start_from_batch("f", batch(4), "yes", "test").loops.at(0);
  const Reviewer a = fx.reviewer("a"), b = fx.reviewer("b"), c = fx.reviewer("c");

  auto ta = fx.store->next_task(a);
  REQUIRE(ta);
  CHECK((*ta)["loop"] == loop);
  CHECK(fx.store->next_task(a).value()["loop"] == loop);  // asking again returns the same lease
  auto tb = fx.store->next_task(b);
  REQUIRE(tb);
  CHECK_FALSE(fx.store->next_task(c));  // two reviewers hold the two places

  fx.now += 5000;
  CHECK(fx.store->submit(a, loop, "a-1", answer(0), std::nullopt).loop_status == "InProgress");
  CHECK_FALSE(fx.store->next_task(a));  // never the same record twice
  CHECK(fx.store->submit(b, loop, "b-1", answer(0), 7.5).loop_status == "Completed");
  fx.store->flush_outputs();
  const nlohmann::json d = fx.store->describe(loop);
  CHECK(d["HumanLoopStatus"] == "Completed");
  const std::string location = d["HumanLoopOutput"]["OutputLocation"];
  // <output>/<flow>/YYYY/MM/DD/hh/mm/ss/<loop>/output.json
  CHECK(location.find((fx.dir / "out" / "f").string() + "/2027/01/15/") == 0);
  CHECK(location.size() > loop.size() + 12);
  CHECK(location.substr(location.size() - loop.size() - 12) == loop + "/output.json");
  std::ifstream in(location);
  REQUIRE(in);
  nlohmann::json out = nlohmann::json::parse(in);
  CHECK(out["humanLoopName"] == loop);
  CHECK(out["flowDefinitionArn"] == "verdict:flow/f");
  REQUIRE(out["humanAnswers"].size() == 2);
  for (const auto& h : out["humanAnswers"]) {
    for (const char* k : {"answerContent", "acceptanceTime", "submissionTime", "timeSpentInSeconds", "workerId"}) {
      CHECK(h.contains(k));
    }
  }
  CHECK(out["humanAnswers"][0]["timeSpentInSeconds"] == Approx(5.0));
  CHECK(out["humanAnswers"][1]["timeSpentInSeconds"] == Approx(7.5));
  CHECK(out["inputContent"]["records"].size() == 2);
}

TEST_CASE("an expired lease returns the task to the queue; the late answer is refused", "[review-store]") {
  Fixture fx;
  fx.flow("f", 1);
  const std::string loop = fx.store->start_from_batch("f", batch(2), "yes", "test").loops.at(0);
  const Reviewer a = fx.reviewer("a"), b = fx.reviewer("b");
  REQUIRE(fx.store->next_task(a));
  CHECK_FALSE(fx.store->next_task(b));
  fx.now += 61'000;  // task time limit is 60 s
  REQUIRE(fx.store->next_task(b));
  CHECK((*fx.store->next_task(b))["loop"] == loop);
  try {
    fx.store->submit(a, loop, "late", answer(0), std::nullopt);
    FAIL("a lapsed lease was accepted");
  } catch (const ReviewError& e) {
    CHECK(e.status == 409);  // "your lease expired": the task now belongs to b
  }
  CHECK(fx.store->submit(b, loop, "b-1", answer(0), std::nullopt).loop_status == "Completed");
}

TEST_CASE("retries are harmless; answer ids are not reusable; only the lease holder answers", "[review-store]") {
  Fixture fx;
  fx.flow("f", 2);
  const std::string loop = fx.store->start_from_batch("f", batch(2), "yes", "test").loops.at(0);
  const Reviewer a = fx.reviewer("a"), b = fx.reviewer("b");
  REQUIRE(fx.store->next_task(a));
  CHECK_FALSE(fx.store->submit(a, loop, "x", answer(0), std::nullopt).duplicate);
  CHECK(fx.store->submit(a, loop, "x", answer(0), std::nullopt).duplicate);
  CHECK(fx.store->output(loop)["humanAnswers"].size() == 1);
  try {
    fx.store->task(b, loop);
    FAIL("b read a task not leased to b");
  } catch (const ReviewError& e) {
    CHECK(e.status == 403);
  }
  try {
    fx.store->submit(b, loop, "y", answer(0), std::nullopt);
    FAIL("b answered a task not leased to b");
  } catch (const ReviewError& e) {
    CHECK(e.status == 403);
  }
  REQUIRE(fx.store->next_task(b));
  try {
    fx.store->submit(b, loop, "x", answer(0), std::nullopt);  // a's answer id
    FAIL("an answer id was reused");
  } catch (const ReviewError& e) {
    CHECK(e.status == 409);
  }
}

TEST_CASE("stop, delete, and the lifetime that fails a loop", "[review-store]") {
  Fixture fx;
  fx.flow("f", 1, 1);
  const auto loops = fx.store->start_from_batch("f", batch(6), "yes", "test").loops;  // 3 loops
  REQUIRE(loops.size() == 3);
  const Reviewer a = fx.reviewer("a");
  REQUIRE(fx.store->next_task(a).value()["loop"] == loops[0]);
  fx.store->stop(loops[0], "test");
  CHECK(fx.store->describe(loops[0])["HumanLoopStatus"] == "Stopped");
  try {
    fx.store->submit(a, loops[0], "s", answer(0), std::nullopt);
    FAIL("answer to a stopped loop");
  } catch (const ReviewError& e) {
    CHECK(e.status == 403);  // its leases were revoked
  }
  try {
    fx.store->remove(loops[1], "test");
    FAIL("deleted an InProgress loop");
  } catch (const ReviewError& e) {
    CHECK(e.status == 409);
  }
  fx.store->remove(loops[0], "test");
  try {
    fx.store->describe(loops[0]);
    FAIL("deleted loop still described");
  } catch (const ReviewError& e) {
    CHECK(e.status == 404);
  }
  fx.now += 3601'000;
  const nlohmann::json d = fx.store->describe(loops[1]);
  CHECK(d["HumanLoopStatus"] == "Failed");
  CHECK(d["FailureReason"].get<std::string>().find("lifetime") != std::string::npos);
  CHECK_FALSE(fx.store->next_task(a));
  // Every action is in the audit log.
  std::vector<std::string> actions;
  for (const auto& e : fx.store->audit(0, 1000)) actions.push_back(e["action"]);
  for (const char* want : {"flow.create", "loop.start", "lease.take", "loop.stopping", "loop.stopped", "loop.delete", "loop.failed"}) {
    CHECK(std::find(actions.begin(), actions.end(), want) != actions.end());
  }
}

TEST_CASE("list filters and pages", "[review-store]") {
  Fixture fx;
  fx.flow("f", 1, 1);
  fx.flow("g", 1, 1);
  fx.store->start_from_batch("f", batch(10), "yes", "test");  // 5 loops
  fx.now += 1000;
  fx.store->start_from_batch("g", batch(4), "yes", "test");  // 2 loops
  LoopFilter all;
  all.limit = 3;
  auto page = fx.store->list(all);
  std::size_t seen = page["HumanLoopSummaries"].size();
  while (page.contains("NextToken")) {
    all.next_token = page["NextToken"];
    page = fx.store->list(all);
    seen += page["HumanLoopSummaries"].size();
  }
  CHECK(seen == 7);
  LoopFilter g;
  g.flow = "g";
  CHECK(fx.store->list(g)["HumanLoopSummaries"].size() == 2);
  LoopFilter late;
  late.created_after_ms = fx.now;
  CHECK(fx.store->list(late)["HumanLoopSummaries"].size() == 2);
}

TEST_CASE("tokens: unknown ones are refused, a reviewer added by another process counts at once", "[review-store]") {
  Fixture fx;
  const std::string token = fx.store->add_reviewer("ann", false);
  CHECK(fx.store->authenticate("") == std::nullopt);
  CHECK(fx.store->authenticate("not-a-token") == std::nullopt);
  REQUIRE(fx.store->authenticate(token));
  CHECK(fx.store->authenticate(token)->name == "ann");
  std::string later;
  {
    Store cli(fx.target);  // as `verdict review reviewer add` does, beside the server
    later = cli.add_reviewer("bob", true);
  }
  const auto bob = fx.store->authenticate(later);
  REQUIRE(bob);
  CHECK(bob->name == "bob");
  CHECK(bob->admin);
  CHECK(fx.store->authenticate(token)->name == "ann");
}

TEST_CASE("a flow's immutable features: kept in its definition, given to the reviewer with each task", "[review-store]") {
  Fixture fx;
  Flow f = Flow::from_json({{"name", "cf"}, {"activation_conditions", {{"probability_below", 0.5}}},
                            {"immutable", {"age", "sex"}}, {"output_dir", (fx.dir / "out").string()}});
  CHECK(f.immutable == std::vector<std::string>{"age", "sex"});
  CHECK(Flow::from_json(f.to_json()).immutable == f.immutable);
  fx.store->create_flow(f, "test");
  CHECK(fx.store->flow("cf").immutable == f.immutable);
  fx.store->start_from_batch("cf", batch(4), "yes", "test");
  const auto task = fx.store->next_task(*fx.store->authenticate(fx.store->add_reviewer("rita", false)));
  REQUIRE(task);
  CHECK((*task)["flow"]["immutable"] == nlohmann::json({"age", "sex"}));
  // Without the field: none; a wrong one is a 400 naming it.
  CHECK(Flow::from_json({{"name", "g"}, {"activation_conditions", {{"probability_below", 0.5}}}}).immutable.empty());
  CHECK_THROWS_WITH(Flow::from_json({{"name", "h"}, {"activation_conditions", {{"probability_below", 0.5}}}, {"immutable", "age"}}),
                    Catch::Contains("'immutable' must be a list"));
  CHECK_THROWS_WITH(Flow::from_json({{"name", "h"}, {"activation_conditions", {{"probability_below", 0.5}}}, {"immutable", {1}}}),
                    Catch::Contains("not a feature name"));
}
