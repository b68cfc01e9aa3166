// The store against what a careless or hostile caller does: the same batch started twice,
// answers nested deep or replayed with other content, flows with absurd times, output files
// that cannot be written for a while, a crash that leaves temp files, a mistyped database.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "native/review/store.h"
#include "tests/native/review/store_fixture.h"

using namespace verdict;
using namespace verdict::review;
namespace fs = std::filesystem;

namespace {

using Fixture = testing::StoreFixture;

nlohmann::json batch(int n, const std::string& source = "test.csv") {
  nlohmann::json records = nlohmann::json::array();
  for (int i = 0; i < n; ++i) {
    records.push_back({{"row", i}, {"values", {std::to_string(i)}}, {"encoded", {i}}, {"margin", 0.0},
                       {"prediction", 0.1}, {"predicted_label", "no"}, {"shap", {{"tree", {0.1}}}}});
  }
  return {{"format", "verdict-review-batch"}, {"source", source}, {"features", {"x"}}, {"task", "binary"}, {"records", records}};
}

nlohmann::json nested(int depth) {
  nlohmann::json j = "leaf";
  for (int i = 0; i < depth; ++i) j = nlohmann::json::array({j});
  return j;
}

int status_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ReviewError& e) {
    return e.status;
  }
  return 0;
}

// Completes a one-record loop with an agree answer; returns the loop.
std::string complete_one(Fixture& fx, const Reviewer& r, const std::string& flow = "f") {
  const std::string loop = fx.store->start_loop(flow, {{"records", {{{"row", 0}}}}}, "", "test");
  REQUIRE(fx.store->next_task(r));
  fx.store->submit(r, loop, "a-" + loop, {{"records", {{{"row", 0}, {"verdict", "agree"}}}}}, 3.0);
  return loop;
}

}  // namespace

TEST_CASE("a record is in one loop of a flow: the same batch started twice opens no second loop", "[review-hardening]") {
  Fixture fx;
  fx.flow("f", 1, 2);
  const BatchStart first = fx.store->start_from_batch("f", batch(5), "yes", "test");
  CHECK(first.loops.size() == 3);
  CHECK(first.records == 5);
  const BatchStart again = fx.store->start_from_batch("f", batch(5), "yes", "test");
  CHECK(again.loops.empty());
  CHECK(again.already_looped == 5);
  CHECK(fx.store->list({"f", "InProgress"})["HumanLoopSummaries"].size() == 3);
  // Another file's rows are other records; --allow-repeat reviews the same ones again.
  CHECK(fx.store->start_from_batch("f", batch(2, "other.csv"), "yes", "test").records == 2);
  const BatchStart repeat = fx.store->start_from_batch("f", batch(5), "yes", "test", true);
  CHECK(repeat.records == 5);
  CHECK(repeat.already_looped == 0);
  // Another flow keeps its own records.
  fx.flow("g", 1, 5);
  CHECK(fx.store->start_from_batch("g", batch(5), "yes", "test").records == 5);
}

TEST_CASE("answers and input nested deeper than 64 levels are refused (400), 64 are kept", "[review-hardening]") {
  Fixture fx;
  fx.flow("f");
  const Reviewer r = fx.reviewer("alice");
  CHECK(status_of([&] { fx.store->start_loop("f", {{"records", nested(100)}}, "", "test"); }) == 400);
  const std::string loop = fx.store->start_loop("f", {{"records", nested(62)}}, "", "test");
  REQUIRE(fx.store->next_task(r));
  CHECK(status_of([&] { fx.store->submit(r, loop, "a1", {{"deep", nested(100)}}, 1.0); }) == 400);
  CHECK(status_of([&] { fx.store->submit(r, loop, "a1", {{"deep", nested(62)}}, 1.0); }) == 0);
}

TEST_CASE("encoded values a float32 cannot hold are refused (400): the page would score them as infinity", "[review-hardening]") {
  Fixture fx;
  fx.flow("f");
  auto start = [&](const nlohmann::json& encoded) {
    return status_of([&] { fx.store->start_loop("f", {{"records", {{{"row", 0}, {"encoded", encoded}}}}}, "", "test"); });
  };
  CHECK(start({1.5, nullptr, -3.0e38}) == 0);
  CHECK(start({1.5, 1e39}) == 400);
  CHECK(start({-1e39}) == 400);
  CHECK(start({"7"}) == 400);
  nlohmann::json b = batch(2);
  b["records"][1]["encoded"] = {1e39};
  CHECK(status_of([&] { fx.store->start_from_batch("f", b, "yes", "test"); }) == 400);
  CHECK(fx.store->list({"f", ""})["HumanLoopSummaries"].size() == 1);  // the batch's other record started nothing either
}

TEST_CASE("an output costs about what was received: written compactly", "[review-hardening]") {
  Fixture fx;
  fx.flow("f");
  const Reviewer r = fx.reviewer("alice");
  const std::string loop = fx.store->start_loop("f", {{"records", {{{"row", 0}}}}}, "", "test");
  REQUIRE(fx.store->next_task(r));
  nlohmann::json deep = nlohmann::json::array();
  for (int i = 0; i < 2000; ++i) deep.push_back(nested(60));  // ~ 250 KB as sent
  const nlohmann::json content = {{"records", deep}};
  const std::size_t sent = content.dump().size();
  fx.store->submit(r, loop, "a1", content, 1.0);
  REQUIRE(fx.store->flush_outputs());
  const auto size = fs::file_size(fx.output_of(loop));
  INFO("sent " << sent << " bytes, output.json " << size);
  CHECK(size < 2 * sent + 4096);  // pretty-printed it was ~30x
}

TEST_CASE("a replayed answer id with other content is a 409 carrying the stored answer", "[review-hardening]") {
  Fixture fx;
  fx.flow("f", 1, 1);
  const Reviewer r = fx.reviewer("alice");
  const std::string loop = fx.store->start_loop("f", {{"records", {{{"row", 0}}, {{"row", 1}}}}}, "", "test");
  REQUIRE(fx.store->next_task(r));
  const nlohmann::json first = {{"records", {{{"row", 0}, {"verdict", "agree"}}}}};
  fx.store->submit(r, loop, "a1", first, 2.0);
  CHECK(fx.store->submit(r, loop, "a1", first, 2.0).duplicate);  // a true retry
  try {
    fx.store->submit(r, loop, "a1", {{"records", {{{"row", 0}, {"verdict", "disagree"}}}}}, 2.0);
    FAIL("other content under a stored answer id was accepted");
  } catch (const ReviewError& e) {
    CHECK(e.status == 409);
    CHECK(e.detail["stored"] == first);
  }
  // The first content is what the output holds (with the A2I reference fields added beside it).
  CHECK(fx.store->output(loop)["humanAnswers"][0]["answerContent"]["records"] == first["records"]);
  CHECK(fx.store->output(loop)["humanAnswers"][0]["answerContent"]["rating1"]["agree"] == true);
}

TEST_CASE("the lease's last instant: an answer at exactly its expiry is refused", "[review-hardening]") {
  Fixture fx;
  fx.flow("f");  // task_time_limit 60 s
  const Reviewer r = fx.reviewer("alice");
  const std::string loop = fx.store->start_loop("f", {{"records", {{{"row", 0}}}}}, "", "test");
  REQUIRE(fx.store->next_task(r));
  fx.now += 60'000;  // now == expires
  CHECK(status_of([&] { fx.store->submit(r, loop, "a1", {{"records", nlohmann::json::array()}}, 1.0); }) == 409);
  // A lease taken now is good up to one millisecond before its expiry.
  const auto task = fx.store->next_task(r);
  REQUIRE(task);
  fx.now += 59'999;
  CHECK(status_of([&] { fx.store->submit(r, (*task)["loop"], "a2", {{"records", nlohmann::json::array()}}, 1.0); }) == 0);
}

TEST_CASE("A2I times: acceptanceTime is the lease, submissionTime the answer, timeSpent between", "[review-hardening]") {
  Fixture fx;
  fx.flow("f");
  const Reviewer r = fx.reviewer("alice");
  const std::string loop = fx.store->start_loop("f", {{"records", {{{"row", 0}}}}}, "", "test");
  const std::int64_t leased = fx.now;
  REQUIRE(fx.store->next_task(r));
  fx.now += 7'250;
  fx.store->submit(r, loop, "a1", {{"records", nlohmann::json::array()}}, std::nullopt);
  const nlohmann::json a = fx.store->output(loop)["humanAnswers"][0];
  CHECK(a["acceptanceTime"] == iso_time(leased));
  CHECK(a["submissionTime"] == iso_time(leased + 7'250));
  CHECK(a["timeSpentInSeconds"].get<double>() == Approx(7.25));
}

TEST_CASE("acknowledged means on disk: WAL with synchronous=FULL (PostgreSQL: synchronous_commit on)", "[review-hardening]") {
  Fixture fx;
  const auto [mode, sync] = fx.store->durability();
  if (fx.store->postgres()) {
    CHECK(mode == "on");  // set by each connection, whatever the server's default
    CHECK(sync == 2);     // and the server fsyncs
    return;
  }
  CHECK(mode == "wal");
  CHECK(sync == 2);  // FULL; kill -9 keeps the page cache, so only the setting shows OFF or NORMAL
}

TEST_CASE("flows: times that overflow are 400; output_dir never relative to the server's folder", "[review-hardening]") {
  const nlohmann::json base = {{"name", "f"}, {"activation_conditions", {{"probability_below", 0.5}}}};
  for (const char* key : {"lifetime_seconds", "task_time_limit_seconds"}) {
    nlohmann::json j = base;
    j[key] = 9'000'000'000'000'000LL;
    CHECK(status_of([&] { Flow::from_json(j); }) == 400);
    j[key] = -5;
    CHECK(status_of([&] { Flow::from_json(j); }) == 400);
  }
  Fixture fx;
  if (fx.store->postgres()) {  // no folder is beside a database server: absolute folders only
    CHECK(status_of([&] { fx.store->create_flow(Flow::from_json(base), "api"); }) == 400);
    nlohmann::json rel = base;
    rel["output_dir"] = "answers/here";
    CHECK(status_of([&] { fx.store->create_flow(Flow::from_json(rel), "api"); }) == 400);
    rel["output_dir"] = (fx.dir / "answers").string();
    CHECK(status_of([&] { fx.store->create_flow(Flow::from_json(rel), "api"); }) == 0);
    return;
  }
  fx.store->create_flow(Flow::from_json(base), "api");
  const fs::path beside = fs::absolute(fx.dir);
  CHECK(fs::path(fx.store->flow("f").output_dir) == beside / "review-output");
  nlohmann::json rel = base;
  rel["name"] = "g";
  rel["output_dir"] = "answers/here";
  fx.store->create_flow(Flow::from_json(rel), "api");
  CHECK(fs::path(fx.store->flow("g").output_dir) == beside / "answers/here");
}

TEST_CASE("an output that cannot be written is retried while running, and leaves no temp file", "[review-hardening]") {
  Fixture fx;
  const fs::path out = fx.dir / "blocked";
  fx.flow("f", 1, 1, out.string());
  const Reviewer r = fx.reviewer("alice");
  std::ofstream(out) << "a file where the output folder should be";  // every write fails
  const std::string loop = complete_one(fx, r);
  CHECK_FALSE(fx.store->flush_outputs());
  // Deleting the loop now would lose its answers with its output unwritten.
  CHECK(status_of([&] { fx.store->remove(loop, "test"); }) == 409);
  fs::remove(out);  // space again
  const fs::path file = fx.output_of(loop);
  for (int i = 0; i < 100 && !fs::exists(file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(fs::exists(file));
  CHECK(nlohmann::json::parse(std::ifstream(file))["humanAnswers"].size() == 1);
  for (const auto& e : fs::recursive_directory_iterator(out)) CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
  CHECK(status_of([&] { fx.store->remove(loop, "test"); }) == 0);
}

TEST_CASE("start-up: missing outputs are queued for the writer and stale temp files removed", "[review-hardening]") {
  Fixture fx;
  fx.flow("f");
  const Reviewer r = fx.reviewer("alice");
  const std::string loop = complete_one(fx, r);
  REQUIRE(fx.store->flush_outputs());
  const fs::path file = fx.output_of(loop);
  fs::remove(file);  // as if killed before the rename
  std::ofstream(file.string() + ".tmp-99999") << "{half";
  fx.store.reset();
  fx.open();
  CHECK(fx.store->recover_outputs() == 1);
  REQUIRE(fx.store->flush_outputs());
  CHECK(fs::exists(file));
  CHECK_FALSE(fs::exists(file.string() + ".tmp-99999"));
  CHECK(fx.store->recover_outputs() == 0);
}

TEST_CASE("a command that only uses a database never creates one on a typo", "[review-hardening]") {
#ifdef VERDICT_TEST_POSTGRES
  // A database without the review tables: refused (404), and no table made there.
  const std::string fresh = testing::test_database("");
  CHECK(status_of([&] { Store s(fresh, system_clock_ms, OpenMode::MustExist); }) == 404);
  {
    sql::PgConnection c(fresh);
    auto tables = c.prepare("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='public'");
    tables.step();
    CHECK(tables.integer(0) == 0);
  }
  { Store made(fresh); }  // what `verdict serve` or `verdict flow create` does
  CHECK(status_of([&] { Store s(fresh, system_clock_ms, OpenMode::MustExist); }) == 0);
  testing::drop_test_database(fresh);
  return;
#endif
  const fs::path typo = fs::temp_directory_path() / ("verdict-no-such-" + std::to_string(::getpid()) + ".db");
  fs::remove(typo);
  CHECK(status_of([&] { Store s(typo.string(), system_clock_ms, OpenMode::MustExist); }) == 404);
  CHECK_FALSE(fs::exists(typo));
}
