// The `migrate` job: a review project moved from one database to another (an SQLite file and
// PostgreSQL, either way) while its server is stopped.
#pragma once
#include <ostream>
#include <string>

namespace verdict {

struct MigratePlan {
  std::string from;      // SQLite file or postgresql:// URL
  std::string to;        // SQLite file (created) or postgresql:// URL (tables created)
  bool replace = false;  // the target's review data is deleted first (otherwise it must hold none)
};

// Copies everything in one transaction on the target and checks the row counts per table before
// the commit; prints them on `log`. Throws Error (nothing written) on bad input or a mismatch.
void migrate_reviews(const MigratePlan& plan, std::ostream& log);

}  // namespace verdict
