#include "native/review/migrate.h"

#include <filesystem>

#include "native/review/database.h"
#include "native/review/store.h"

namespace fs = std::filesystem;

namespace verdict::review {

namespace {

bool has_table(sql::Connection& db, const std::string& table) {
  auto s = db.prepare(db.postgres() ? "SELECT 1 FROM information_schema.tables WHERE table_schema=current_schema() AND table_name=?"
                                    : "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  return s.bind(1, table).step();
}

std::int64_t count_rows(sql::Connection& db, const std::string& table) {
  auto s = db.prepare("SELECT COUNT(*) FROM " + table);
  s.step();
  return s.integer(0);
}

void copy_table(sql::Connection& from, sql::Connection& to, const ReviewTable& t) {
  std::string columns, marks;
  for (const ReviewColumn& c : t.columns) {
    columns += std::string(columns.empty() ? "" : ", ") + c.name;
    marks += marks.empty() ? "?" : ", ?";
  }
  auto read = from.prepare("SELECT " + columns + " FROM " + t.name + " ORDER BY " + t.order);
  const std::string insert = "INSERT INTO " + std::string(t.name) + "(" + columns + ") VALUES(" + marks + ")";
  while (read.step()) {
    auto write = to.prepare(insert);
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const int column = static_cast<int>(i), index = column + 1;
      if (read.is_null(column)) {
        write.bind_null(index);
      } else if (t.columns[i].kind == 'I') {
        write.bind(index, read.integer(column));
      } else if (t.columns[i].kind == 'R') {
        write.bind(index, read.real(column));
      } else {
        write.bind(index, read.text(column));
      }
    }
    write.run();
  }
}

bool same_database(const std::string& a, const std::string& b) {
  if (sql::is_postgres_url(a) || sql::is_postgres_url(b)) return a == b;
  std::error_code ec;
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

}  // namespace

std::vector<TableCount> migrate_store(const std::string& from, const std::string& to, bool replace) {
  if (same_database(from, to)) throw Error("--from and --to are the same database ('" + sql::redact(from) + "')");
  if (!sql::is_postgres_url(from) && !fs::is_regular_file(from)) {
    throw Error("no review database '" + from + "' (--from: an SQLite file or a postgresql:// URL)");
  }
  std::unique_ptr<sql::Connection> source = sql::connect(from);
  if (!has_table(*source, "loops")) throw Error("'" + sql::redact(from) + "' holds no review tables");
  const bool new_file = !sql::is_postgres_url(to) && !fs::exists(to);
  if (new_file && !fs::is_directory(fs::absolute(to).parent_path())) {
    throw Error("no folder for '" + to + "' (--to: an SQLite file in an existing folder, or a postgresql:// URL)");
  }
  std::vector<TableCount> counts;
  try {
    std::unique_ptr<sql::Connection> target = sql::connect(to);
    if (!target->postgres()) target->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    // One snapshot of the source; one transaction on the target, the tables' creation included.
    source->exec(source->postgres() ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
    sql::Transaction tx(*target);
    target->serialize("verdict-review-schema");
    target->exec(review_schema(target->dialect()));
    const auto& tables = review_tables();
    std::int64_t held = 0;
    for (const ReviewTable& t : tables) held += count_rows(*target, t.name);
    if (held > 0) {
      if (!replace) {
        throw Error("'" + sql::redact(to) + "' already holds review data (" + std::to_string(count_rows(*target, "loops")) +
                    " loops, " + std::to_string(count_rows(*target, "flows")) + " flows, " +
                    std::to_string(count_rows(*target, "reviewers")) + " reviewers): nothing copied (--replace deletes it first)");
      }
      for (auto t = tables.rbegin(); t != tables.rend(); ++t) target->exec(std::string("DELETE FROM ") + t->name);
    }
    for (const ReviewTable& t : tables) {
      // A database from before a table existed (outputs) has none of its rows to copy.
      const std::int64_t rows = has_table(*source, t.name) ? count_rows(*source, t.name) : 0;
      if (rows > 0) copy_table(*source, *target, t);
      const std::int64_t copied = count_rows(*target, t.name);
      if (copied != rows) {
        throw Error("table " + std::string(t.name) + ": " + std::to_string(rows) + " rows in '" + sql::redact(from) + "', " +
                    std::to_string(copied) + " in '" + sql::redact(to) + "' after the copy: nothing kept");
      }
      counts.push_back({t.name, rows});
    }
    if (target->postgres()) {  // the audit's next sequence number follows the copied ones
      target->exec("SELECT setval(pg_get_serial_sequence('audit', 'seq'), (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit), false)");
    }
    tx.commit();
    source->exec("ROLLBACK");
  } catch (...) {
    if (new_file) {
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(to + suffix, ec);
    }
    throw;
  }
  return counts;
}

}  // namespace verdict::review
