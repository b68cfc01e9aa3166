// Where a test's review store lives: an SQLite file in the test's folder, or, in the PostgreSQL
// build of the same tests (VERDICT_TEST_POSTGRES, see tests/CMakeLists.txt), a fresh database on
// the program's throwaway cluster.
#pragma once
#include <filesystem>
#include <string>

#ifdef VERDICT_TEST_POSTGRES
#include "tests/native/review/pg_cluster.h"
#endif

namespace verdict::review::testing {

inline std::string test_database(const std::filesystem::path& dir) {
#ifdef VERDICT_TEST_POSTGRES
  (void)dir;
  return PgCluster::get().create_database();
#else
  return (dir / "r.db").string();
#endif
}

inline void drop_test_database(const std::string& target) {
#ifdef VERDICT_TEST_POSTGRES
  PgCluster::get().drop_database(target);
#else
  (void)target;  // the test's folder goes, and the file with it
#endif
}

}  // namespace verdict::review::testing
