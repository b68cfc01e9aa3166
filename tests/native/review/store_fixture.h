// A review store in a temp folder (SQLite, or a fresh PostgreSQL database in the PostgreSQL
// build of the tests) with a clock the test controls, for the store's tests.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "native/review/store.h"
#include "tests/native/review/test_database.h"

namespace verdict::review::testing {

struct StoreFixture {
  std::filesystem::path dir;
  std::string target;  // the database: an SQLite file in dir, or a PostgreSQL URL
  std::int64_t now = 1'800'000'000'000;
  std::unique_ptr<Store> store;

  StoreFixture() {
    dir = std::filesystem::temp_directory_path() /
          ("verdict-store-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    target = test_database(dir);
    open();
  }
  ~StoreFixture() {
    store.reset();
    drop_test_database(target);
    std::filesystem::remove_all(dir);
  }
  // (Re)opens the store, as a restarted server would.
  void open() { store = std::make_unique<Store>(target, [this] { return now; }); }

  // A flow that activates on probability < 0.5; leases last 60 s, loops an hour.
  Flow flow(const std::string& name, int reviewers = 1, int per_task = 2, const std::string& output = "") {
    Flow f = Flow::from_json({{"name", name}, {"activation_conditions", {{"probability_below", 0.5}}},
                              {"records_per_task", per_task}, {"reviewers_per_record", reviewers},
                              {"task_time_limit_seconds", 60}, {"lifetime_seconds", 3600},
                              {"output_dir", output.empty() ? (dir / "out").string() : output}});
    store->create_flow(f, "test");
    return f;
  }
  Reviewer reviewer(const std::string& name) { return *store->authenticate(store->add_reviewer(name, false)); }
  std::filesystem::path output_of(const std::string& loop) {
    return store->describe(loop)["HumanLoopOutput"]["OutputLocation"].get<std::string>();
  }
};

}  // namespace verdict::review::testing
