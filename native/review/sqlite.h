// The SQLite side of native/review/database.h: a connection to one file, prepared statements
// kept per connection.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "native/review/database.h"

namespace verdict::sql {

class SqliteCursor;

// A connection to a SQLite file (created if absent).
class Database : public Connection {
 public:
  explicit Database(const std::string& path);
  ~Database() override;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const override { return Dialect::SQLite; }
  void exec(const std::string& sql) override;
  // A statement for `sql`, compiled once per connection: a finished Statement goes back to
  // the connection's cache (reset, bindings cleared) for the next prepare() of the same text.
  Statement prepare(const std::string& sql) override;
  void begin() override { exec("BEGIN IMMEDIATE"); }
  void serialize(const std::string&) override {}
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

 private:
  friend class SqliteCursor;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::vector<std::unique_ptr<SqliteCursor>>> cache_;
};

}  // namespace verdict::sql
