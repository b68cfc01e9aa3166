// Moving a review project between databases (an SQLite file and PostgreSQL, either way) while
// no server uses it: every review table copied in one transaction on the target, counted on
// both sides before the commit.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace verdict::review {

struct TableCount {
  std::string table;
  std::int64_t rows = 0;  // in the source, and (checked) in the target
};

// Copies every review table of `from` into `to` (an SQLite path or a postgresql:// URL; the
// tables are created where missing). `to` must hold no review data unless `replace` (then it is
// deleted first, in the same transaction). The row counts of each table are compared before the
// commit. Throws Error naming what is wrong; `to` is then left as it was (a new SQLite file is
// removed). The output files stay where they are: loops keep their absolute locations.
std::vector<TableCount> migrate_store(const std::string& from, const std::string& to, bool replace);

}  // namespace verdict::review
