// The review store's and server's tests once more, on PostgreSQL: the same test files built with
// VERDICT_TEST_POSTGRES, each test on a fresh database of one throwaway cluster (pg_cluster.h),
// stopped when the program ends. Exit 77 with the reason when the cluster cannot start.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

#include "tests/native/review/pg_cluster.h"

int main(int argc, char** argv) {
  auto& cluster = verdict::review::testing::PgCluster::get();
  if (cluster.url().empty()) {
    std::printf("SKIPPED: %s\n", cluster.skipped().c_str());
    return 77;
  }
  std::printf("PostgreSQL cluster: %s\n", cluster.url().c_str());
  return Catch::Session().run(argc, argv);
}
