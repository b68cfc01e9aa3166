// A thin RAII layer over SQLite's C API: a connection, prepared statements, transactions.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "shared/error.h"

namespace verdict::sql {

class Statement;

// The disk (or the database's quota) is full: nothing of the statement or transaction was
// stored; the caller may try again once there is room.
struct StorageFull : Error {
  using Error::Error;
};

class Database {
 public:
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql);
  // A statement for `sql`, compiled once per connection: a finished Statement goes back to
  // the connection's cache (reset, bindings cleared) for the next prepare() of the same text.
  // A connection and its statements are used by one thread at a time.
  Statement prepare(const std::string& sql);
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

 private:
  friend class Statement;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> cache_;
};

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);  // not cached
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds parameters 1, 2, ... in order; returns *this for chaining.
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind_null(int index);
  // Advances; true while there is a row.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;
  bool is_null(int column) const;

 private:
  friend class Database;
  Statement(Database* owner, std::string sql, sqlite3_stmt* stmt);
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Database* owner_ = nullptr;  // set: returned to owner_->cache_[sql_] when done
  std::string sql_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace verdict::sql
