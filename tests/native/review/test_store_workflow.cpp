// Where a reviewer is (the queue of tasks they could still lease) and their drafts (the answers
// of a task not sent yet, kept in the store so another browser finds them), through the store
// with a clock the test controls.
#include <catch2/catch.hpp>

#include "native/review/store.h"
#include "tests/native/review/store_fixture.h"

using namespace verdict;
using namespace verdict::review;

namespace {

using Fixture = testing::StoreFixture;

// n records, predictions spread over [0, 1): the fixture's flows take those below 0.5.
nlohmann::json batch(int n) {
  nlohmann::json records = nlohmann::json::array();
  for (int i = 0; i < n; ++i) {
    const double p = (i + 0.5) / n;
    records.push_back({{"row", i}, {"values", {std::to_string(i)}}, {"encoded", {i}}, {"margin", 0.0},
                       {"prediction", p}, {"predicted_label", p >= 0.5 ? "yes" : "no"}, {"shap", {{"tree", {0.1}}}}});
  }
  return {{"format", "verdict-review-batch"}, {"features", {"x"}}, {"task", "binary"}, {"records", records}};
}

nlohmann::json answer(int row) { return {{"records", {{{"row", row}, {"verdict", "agree"}}}}}; }

int status_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ReviewError& e) {
    return e.status;
  }
  return 0;
}

}  // namespace

TEST_CASE("queue: waiting counts the tasks a reviewer could still lease, and falls as they answer", "[review-store][queue]") {
  Fixture fx;
  fx.flow("f", 1, 1);
  REQUIRE(fx.store->start_from_batch("f", batch(8), "yes", "test").loops.size() == 4);
  const Reviewer a = fx.reviewer("a"), b = fx.reviewer("b");
  CHECK(fx.store->waiting(a) == 4);  // nothing held yet

  std::int64_t waiting = -1;
  auto task = fx.store->next_task(a, &waiting);
  REQUIRE(task);
  CHECK(waiting == 3);  // the one held is not waiting
  CHECK(fx.store->waiting(a) == 3);
  // Another reviewer's lease takes a task out of a's queue too (one reviewer per record).
  REQUIRE(fx.store->next_task(b, &waiting));
  CHECK(waiting == 2);
  CHECK(fx.store->waiting(a) == 2);

  std::string loop = (*task)["loop"];
  for (std::int64_t expected : {1, 0}) {
    const SubmitResult r = fx.store->submit(a, loop, "a-" + loop, answer(0), std::nullopt, true);
    REQUIRE(r.next_task);
    CHECK(r.waiting == expected);
    loop = (*r.next_task)["loop"];
  }
  const SubmitResult last = fx.store->submit(a, loop, "a-" + loop, answer(0), std::nullopt, true);
  CHECK_FALSE(last.next_task);
  CHECK(last.waiting == 0);
  // b's lease lapses: its task is waiting again, for a as well.
  fx.now += 61'000;
  CHECK(fx.store->waiting(a) == 1);
}

TEST_CASE("queue: with two reviewers per record, an answer by one leaves the task waiting for the other", "[review-store][queue]") {
  Fixture fx;
  fx.flow("f", 2, 1);
  REQUIRE(fx.store->start_from_batch("f", batch(4), "yes", "test").loops.size() == 2);
  const Reviewer a = fx.reviewer("a"), b = fx.reviewer("b");
  auto t = fx.store->next_task(a);
  REQUIRE(t);
  const SubmitResult r = fx.store->submit(a, (*t)["loop"], "a-1", answer(0), std::nullopt);
  CHECK(r.waiting == 1);           // a answered the first; the second is left for a
  CHECK(fx.store->waiting(b) == 2);  // both still need b
}

TEST_CASE("drafts: kept for the lease holder, returned with the task, gone once answered", "[review-store][drafts]") {
  Fixture fx;
  fx.flow("f", 1, 2);
  const auto loops = fx.store->start_from_batch("f", batch(8), "yes", "test").loops;
  REQUIRE(loops.size() == 2);
  const Reviewer a = fx.reviewer("a"), b = fx.reviewer("b");
  auto t = fx.store->next_task(a);
  REQUIRE(t);
  const std::string loop = (*t)["loop"];
  CHECK((*t)["draft"].is_null());
  const nlohmann::json draft = {{"answerId", "x-1"}, {"answers", {{"0", {{"verdict", "agree"}, {"label", "no"}}}}}};
  fx.store->save_draft(a, loop, draft);
  // Asking again (another browser, the same token) returns the held task with the draft.
  CHECK((*fx.store->next_task(a))["draft"] == draft);
  CHECK(fx.store->task(a, loop)["draft"] == draft);
  nlohmann::json newer = draft;
  newer["answers"]["1"] = {{"verdict", "disagree"}};
  fx.store->save_draft(a, loop, newer);
  CHECK(fx.store->task(a, loop)["draft"] == newer);

  // Only the holder of the lease: another reviewer is refused and changes nothing.
  CHECK(status_of([&] { fx.store->save_draft(b, loop, draft); }) == 403);
  CHECK(status_of([&] { fx.store->save_draft(a, "no-such-loop", draft); }) == 404);
  CHECK(status_of([&] { fx.store->save_draft(a, loop, nlohmann::json::array()); }) == 400);
  CHECK(status_of([&] { fx.store->save_draft(a, loop, {{"big", std::string(kMaxDraftBytes, 'x')}}); }) == 413);
  nlohmann::json deep = nlohmann::json::object();
  for (int i = 0; i < 100; ++i) deep = {{"d", deep}};
  CHECK(status_of([&] { fx.store->save_draft(a, loop, deep); }) == 400);
  CHECK(fx.store->task(a, loop)["draft"] == newer);

  // A lapsed lease: refused (409); taken again by the same reviewer, the draft is still there.
  fx.now += 61'000;
  CHECK(status_of([&] { fx.store->save_draft(a, loop, draft); }) == 409);
  auto again = fx.store->next_task(a);
  REQUIRE(again);
  CHECK((*again)["loop"] == loop);
  CHECK((*again)["draft"] == newer);

  // Answered: the draft is gone with the lease.
  fx.store->submit(a, loop, "a-1", answer(0), std::nullopt);
  CHECK(status_of([&] { fx.store->save_draft(a, loop, draft); }) == 403);
  auto next = fx.store->next_task(a);
  REQUIRE(next);
  CHECK((*next)["loop"] != loop);
  CHECK((*next)["draft"].is_null());
  bool saved = false;
  for (const auto& e : fx.store->audit(0, 1000)) saved = saved || e["action"] == "draft.save";
  CHECK(saved);
}

TEST_CASE("ground truth: loop_rows finds the loops holding the rows; loops no store indexed are indexed when one opens",
          "[review-store][ground-truth]") {
  Fixture fx;
  fx.flow("f", 1, 2);
  const Reviewer a = fx.reviewer("alice");
  auto loop_of = [](const std::string& source, std::vector<int> rows) {
    nlohmann::json records = nlohmann::json::array();
    for (int r : rows) records.push_back({{"row", r}, {"predicted_label", "yes"}});
    return nlohmann::json{{"source", source}, {"records", records}};
  };
  fx.store->start_loop("f", loop_of("b.csv", {1, 2}), "loop-a", "test");
  fx.store->start_loop("f", loop_of("other.csv", {1}), "loop-b", "test");
  fx.store->start_loop("f", loop_of("b.csv", {2, 2}), "loop-c", "test");  // the same row twice in one loop
  const std::string long_source(8000, 's');  // longer than an index entry of PostgreSQL's may be
  fx.store->start_loop("f", loop_of(long_source, {4}), "loop-d", "test");
  for (int i = 0; i < 4; ++i) {
    const auto t = fx.store->next_task(a);
    REQUIRE(t);
    const std::string loop = (*t)["loop"];
    fx.store->submit(a, loop, "a-" + loop, answer(2), std::nullopt);
    fx.now += 1000;
  }
  const nlohmann::json want = {
      {"source", "b.csv"},
      {"records", {{{"row", 1}, {"loop", "loop-a"}, {"labels", nlohmann::json::array()}},
                   {{"row", 2}, {"loop", "loop-a"}, {"labels", {"yes"}}},
                   {{"row", 2}, {"loop", "loop-c"}, {"labels", {"yes"}}},
                   {{"row", 2}, {"loop", "loop-c"}, {"labels", {"yes"}}}}}};
  CHECK(fx.store->ground_truth("b.csv", {1, 2, 3}) == want);
  CHECK(fx.store->ground_truth("other.csv", {2})["records"].empty());
  CHECK(fx.store->ground_truth(long_source, {4})["records"].size() == 1);
  CHECK(fx.store->ground_truth(long_source.substr(1), {4})["records"].empty());

  // A database from before the index, and a loop an older binary started (no index rows): indexed
  // the next time a store opens the database.
  {
    auto db = sql::connect(fx.target);
    db->exec("DROP TABLE loop_rows; DROP TABLE indexed_loops;");
  }
  fx.open();
  CHECK(fx.store->ground_truth("b.csv", {1, 2, 3}) == want);
  {
    auto db = sql::connect(fx.target);
    db->prepare("INSERT INTO loops(name, flow, status, created_ms, expires_ms, updated_ms, input_content, required)"
                " VALUES('loop-e', 'f', 'Completed', ?, ?, ?, ?, 1)")
        .bind(1, fx.now).bind(2, fx.now + 1000).bind(3, fx.now).bind(4, loop_of("b.csv", {3}).dump()).run();
  }
  fx.open();
  const nlohmann::json three = fx.store->ground_truth("b.csv", {3});
  REQUIRE(three["records"].size() == 1);
  CHECK(three["records"][0]["loop"] == "loop-e");
  auto rows_of = [&](const std::string& where) {  // a fresh connection: no snapshot held between reads
    auto db = sql::connect(fx.target);
    auto n = db->prepare("SELECT COUNT(*) FROM loop_rows" + where);
    REQUIRE(n.step());
    return n.integer(0);
  };
  CHECK(rows_of("") == 6);  // (b.csv, 1, a), (b.csv, 2, a), (other.csv, 1, b), (b.csv, 2, c), (long, 4, d), (b.csv, 3, e)
  // A deleted loop leaves no index rows behind.
  fx.store->start_loop("f", loop_of("b.csv", {9}), "loop-f", "test");
  CHECK(rows_of(" WHERE loop='loop-f'") == 1);
  fx.store->stop("loop-f", "test");
  fx.store->remove("loop-f", "test");
  CHECK(rows_of(" WHERE loop='loop-f'") == 0);
}
