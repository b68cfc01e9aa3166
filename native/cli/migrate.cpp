// verdict migrate: a review project moved between databases (an SQLite file and PostgreSQL,
// either way) while its server is stopped.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/migrate.h"

namespace verdict {

void add_migrate_command(CLI::App& app) {
  auto o = std::make_shared<MigratePlan>();
  CLI::App* cmd = app.add_subcommand("migrate", "Move a review project to another database (e.g. review.db -> postgresql://...), "
                                                "its servers stopped; one transaction, row counts checked");
  cmd->add_option("--from", o->from, "The project's database: an SQLite file or a postgresql:// URL")->required();
  cmd->add_option("--to", o->to, "The new database: an SQLite file (created) or a postgresql:// URL (tables created)")->required();
  cmd->add_flag("--replace", o->replace, "Delete the review data the target already holds (otherwise it must hold none)");
  cmd->callback([o] { migrate_reviews(*o, std::cout); });
}

}  // namespace verdict
