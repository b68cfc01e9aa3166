#include "native/jobs/migrate.h"

#include <cstdio>

#include "native/review/database.h"
#include "native/review/migrate.h"

namespace verdict {

void migrate_reviews(const MigratePlan& o, std::ostream& log) {
  const auto counts = review::migrate_store(o.from, o.to, o.replace);
  log << "migrated " << sql::redact(o.from) << " -> " << sql::redact(o.to) << " (one transaction; rows counted on both sides)\n";
  for (const auto& c : counts) {
    char line[96];
    std::snprintf(line, sizeof line, "  %-13s %10lld rows\n", c.table.c_str(), static_cast<long long>(c.rows));
    log << line;
  }
  log << "output files stay where they are (loops keep their absolute locations)\n";
}

}  // namespace verdict
