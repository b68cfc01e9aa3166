// verdict migrate: a project in an SQLite file moved to another database (another SQLite file
// here; a PostgreSQL database in the PostgreSQL build of the tests) is the same project: every
// view the API gives of it is equal, tokens and leases still hold, the audit sequence goes on.
// A target holding data is refused unless told; a copy that fails leaves the target as it was;
// the command's bad input is one line and exit 2.
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "native/review/database.h"
#include "native/review/migrate.h"
#include "native/review/sqlite.h"
#include "native/review/store.h"
#include "tests/native/review/test_database.h"

using namespace verdict;
using namespace verdict::review;
namespace fs = std::filesystem;

namespace {

struct Project {
  fs::path dir = fs::temp_directory_path() / ("verdict-migrate-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  std::int64_t now = 1'800'000'000'000;
  std::string source, target;
  std::string alice, bob;
  std::vector<std::string> loops;

  Project() {
    fs::remove_all(dir);
    fs::create_directories(dir / "src");
    source = (dir / "src" / "review.db").string();
    target = testing::test_database(dir);
    Store s(source, [this] { return now; });
    for (const auto& [name, reviewers] : {std::pair{"f", 2}, std::pair{"g", 1}}) {
      s.create_flow(Flow::from_json({{"name", name}, {"activation_conditions", {{"probability_below", 0.5}}},
                                     {"records_per_task", 1}, {"reviewers_per_record", reviewers},
                                     {"task_time_limit_seconds", 600}, {"lifetime_seconds", 3600},
                                     {"output_dir", (dir / "out").string()}}), "test");
    }
    alice = s.add_reviewer("alice", false);
    bob = s.add_reviewer("bob", true);
    nlohmann::json records = nlohmann::json::array();
    for (int i = 0; i < 6; ++i) {
      records.push_back({{"row", i}, {"values", {std::to_string(i)}}, {"encoded", {i}}, {"margin", -1.25 - i},
                         {"prediction", 0.1 + 0.01 * i}, {"predicted_label", "no"}, {"shap", {{"tree", {0.125 * i}}}}});
    }
    const nlohmann::json batch = {{"format", "verdict-review-batch"}, {"source", "t.csv"}, {"features", {"x"}},
                                  {"task", "binary"}, {"records", records}};
    loops = s.start_from_batch("f", batch, "yes", "test").loops;  // 6 loops, 2 reviewers each
    s.start_loop("g", {{"records", {{{"row", 9}}}}}, "g-one", "test");
    const Reviewer a = *s.authenticate(alice), b = *s.authenticate(bob);
    now += 1000;
    REQUIRE(s.next_task(a));
    s.submit(a, loops[0], "a-0", {{"records", {{{"row", 0}, {"verdict", "agree"}}}}}, 2.5, true);  // and leases loops[1]
    REQUIRE(s.next_task(b));
    now += 1000;
    s.submit(b, loops[0], "b-0", {{"records", {{{"row", 0}, {"verdict", "disagree"}, {"label", "yes"}}}}}, std::nullopt);
    s.save_draft(a, loops[1], {{"half", "done"}});
    s.stop(loops[5], "test");
    REQUIRE(s.flush_outputs());
  }
  ~Project() {
    testing::drop_test_database(target);
    fs::remove_all(dir);
  }
};

// Every view of the project, as the API gives it.
nlohmann::json views(Store& s, const Project& p) {
  nlohmann::json v;
  for (const Flow& f : s.flows()) v["flows"].push_back(f.to_json());
  v["list"] = s.list(LoopFilter{});
  for (const auto& loop : s.list(LoopFilter{})["HumanLoopSummaries"]) {
    const std::string name = loop["HumanLoopName"];
    v["describe"][name] = s.describe(name);
    v["output"][name] = s.output(name);
  }
  v["audit"] = s.audit(0, 1000);
  v["completed"] = s.completed_outputs("");
  const Reviewer a = *s.authenticate(p.alice), b = *s.authenticate(p.bob);
  v["alice"] = {a.id, a.name, a.admin};
  v["bob"] = {b.id, b.name, b.admin};
  v["waiting"] = {s.waiting(a), s.waiting(b)};
  v["alice_task"] = s.task(a, p.loops[1]);  // her lease and her draft
  return v;
}

int status_of(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const std::exception& e) {
    if (message) *message = e.what();
    return 1;
  }
  return 0;
}

// Runs `verdict ARGS`: exit status, stdout, stderr.
struct Run {
  int status;
  std::string out, err;
};
Run verdict_cli(const std::string& args, const fs::path& dir) {
  const std::string out = (dir / "stdout").string(), err = (dir / "stderr").string();
  const int rc = std::system((std::string("'") + VERDICT_BIN + "' " + args + " > '" + out + "' 2> '" + err + "'").c_str());
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(out), slurp(err)};
}

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("migrate: the project moves whole; every view of it is the same afterwards", "[migrate]") {
  Project p;
  const auto counts = migrate_store(p.source, p.target, false);
  std::map<std::string, std::int64_t> rows;
  for (const auto& c : counts) rows[c.table] = c.rows;
  CHECK(rows["loops"] == 7);
  CHECK(rows["answers"] == 2);
  CHECK(rows["leases"] == 1);
  CHECK(rows["drafts"] == 1);
  CHECK(rows["outputs"] == 1);
  CHECK(rows["audit"] > 10);
  CHECK(counts.size() == review_tables().size());

  Store before(p.source, [&] { return p.now; });
  Store after(p.target, [&] { return p.now; });
  CHECK(views(after, p) == views(before, p));
  // And back (PostgreSQL -> SQLite in the PostgreSQL build).
  const std::string back = (p.dir / "back.db").string();
  migrate_store(p.target, back, false);
  Store again(back, [&] { return p.now; });
  CHECK(views(again, p) == views(before, p));
  // The project goes on where it was: bob leases and answers, the audit sequence continues.
  const Reviewer b = *after.authenticate(p.bob);
  const std::int64_t last = after.audit(0, 1000).back()["seq"];
  const auto task = after.next_task(b);
  REQUIRE(task);
  CHECK((*task)["loop"] == p.loops[1]);  // alice holds one of its two places
  after.submit(b, p.loops[1], "b-1", {{"records", nlohmann::json::array()}}, 1.0);
  CHECK(after.audit(last, 10).front()["seq"].get<std::int64_t>() == last + 1);
}

TEST_CASE("migrate: a target holding data is refused unless --replace; a failed copy leaves it as it was", "[migrate]") {
  Project p;
  migrate_store(p.source, p.target, false);
  std::string message;
  CHECK(status_of([&] { migrate_store(p.source, p.target, false); }, &message) == 1);
  CHECK(message.find("already holds review data (7 loops, 2 flows, 2 reviewers): nothing copied") != std::string::npos);
  {
    Store s(p.source, [&] { return p.now; });
    s.start_loop("g", {{"records", {{{"row", 10}}}}}, "g-two", "test");
  }
  CHECK(migrate_store(p.source, p.target, true)[2].rows == 8);  // loops, replaced
  // A source the target's constraints refuse (a loop of a flow that is not there): nothing is
  // kept, the target still holds what it held.
  {
    sql::Database raw(p.source);
    raw.exec("PRAGMA foreign_keys=OFF; INSERT INTO loops(name, flow, status, created_ms, expires_ms, updated_ms, input_content,"
             " required) VALUES('orphan', 'nope', 'InProgress', 1, 2, 3, '{}', 1)");
  }
  CHECK(status_of([&] { migrate_store(p.source, p.target, true); }, &message) == 1);
  Store after(p.target, [&] { return p.now; });
  CHECK(after.list(LoopFilter{})["HumanLoopSummaries"].size() == 8);
  // A new SQLite file that a failed copy would have made is not left behind.
  const fs::path fresh = p.dir / "fresh.db";
  CHECK(status_of([&] { migrate_store(p.source, fresh.string(), false); }) == 1);
  CHECK_FALSE(fs::exists(fresh));
}

TEST_CASE("verdict migrate: bad input is one line and exit 2, nothing written", "[migrate]") {
  Project p;
  const fs::path none = p.dir / "none.db";
  for (const std::string& args : {"migrate --to '" + p.target + "'",                           // no --from
                                  "migrate --from '" + none.string() + "' --to '" + p.target + "'",  // no such file
                                  "migrate --from '" + p.source + "' --to '" + p.source + "'",       // the same
                                  "migrate --from '" + p.source + "' --to postgresql://nobody:pw@127.0.0.1:1/x",
                                  "migrate --from '" + p.source + "' --to '" + (p.dir / "no/such/dir.db").string() + "'",
                                  "migrate --from '" + p.source + "' --to '" + p.target + "' --frobnicate"}) {
    const Run r = verdict_cli(args, p.dir);
    INFO(args << " -> " << r.status << ": " << r.err);
    CHECK(r.status == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.out.empty());
    CHECK(r.err.find("pw@") == std::string::npos);  // a password is never printed
  }
  CHECK_FALSE(fs::exists(none));
  CHECK_FALSE(fs::exists(p.dir / "no"));
  // The target still empty: a real run copies, a second one is refused with one line.
  Run r = verdict_cli("migrate --from '" + p.source + "' --to '" + p.target + "'", p.dir);
  CHECK(r.status == 0);
  CHECK(r.out.find("loops                  7 rows") != std::string::npos);
  r = verdict_cli("migrate --from '" + p.source + "' --to '" + p.target + "'", p.dir);
  CHECK(r.status == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("--replace") != std::string::npos);
  r = verdict_cli("migrate --help", p.dir);
  CHECK(r.status == 0);
  CHECK(r.out.find("--replace") != std::string::npos);
}
