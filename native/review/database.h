// The little the review store needs of a SQL database, with two implementations: SQLite (a file,
// native/review/sqlite.h) and PostgreSQL through libpq (a postgresql:// URL,
// native/review/postgres.h). SQL is written once in SQLite's spelling (`?` or `?N` parameters,
// ON CONFLICT ... DO UPDATE); the few places where the dialects differ ask the connection.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shared/error.h"

namespace verdict::sql {

// The disk (or the database's quota) is full: nothing of the statement or transaction was
// stored; the caller may try again once there is room.
struct StorageFull : Error {
  using Error::Error;
};

// The database gave up the transaction to break a deadlock or a serialization conflict:
// nothing of it was stored, and running it again from the start may well succeed.
struct Retry : Error {
  using Error::Error;
};

// A UNIQUE or PRIMARY KEY constraint refused a row (a concurrent request inserted the same key).
struct Conflict : Error {
  using Error::Error;
};

enum class Dialect { SQLite, PostgreSQL };

// One prepared statement of a connection (the implementations' side of Statement).
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual void bind_text(int index, const std::string& value) = 0;
  virtual void bind_integer(int index, std::int64_t value) = 0;
  virtual void bind_real(int index, double value) = 0;
  virtual void bind_null(int index) = 0;
  virtual bool step() = 0;
  virtual void reset() = 0;  // ready to run again, bindings cleared
  virtual std::string text(int column) const = 0;
  virtual std::int64_t integer(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual bool is_null(int column) const = 0;
  // Done with it: reset and back to its connection's cache (or deleted).
  virtual void release() = 0;
};

// A prepared statement: bind parameters 1, 2, ... (chainable), step through the rows, read
// columns. Movable, not copyable; goes back to its connection's cache when destroyed.
class Statement {
 public:
  explicit Statement(Cursor* cursor) : cursor_(cursor) {}
  ~Statement() {
    if (cursor_) cursor_->release();
  }
  Statement(Statement&& other) noexcept : cursor_(other.cursor_) { other.cursor_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& value) { return cursor_->bind_text(index, value), *this; }
  Statement& bind(int index, std::int64_t value) { return cursor_->bind_integer(index, value), *this; }
  Statement& bind(int index, double value) { return cursor_->bind_real(index, value), *this; }
  Statement& bind_null(int index) { return cursor_->bind_null(index), *this; }
  // Advances; true while there is a row.
  bool step() { return cursor_->step(); }
  // Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }
  void reset() { cursor_->reset(); }

  std::string text(int column) const { return cursor_->text(column); }
  std::int64_t integer(int column) const { return cursor_->integer(column); }
  double real(int column) const { return cursor_->real(column); }
  bool is_null(int column) const { return cursor_->is_null(column); }

 private:
  Cursor* cursor_;
};

// A connection, used by one thread at a time.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // Runs SQL without parameters (several statements separated by ';' are allowed).
  virtual void exec(const std::string& sql) = 0;
  // A statement for `sql`, prepared once per connection and kept for the next prepare() of
  // the same text.
  virtual Statement prepare(const std::string& sql) = 0;
  // Starts a write transaction: SQLite takes the write lock at once (BEGIN IMMEDIATE);
  // PostgreSQL's is a plain BEGIN (READ COMMITTED; rows are locked as they are claimed).
  virtual void begin() = 0;
  // Inside a transaction: waits until no other transaction holds `key`, and holds it until
  // this one ends (PostgreSQL: an advisory lock; SQLite: nothing, its writers take turns).
  virtual void serialize(const std::string& key) = 0;
  // Whether the connection still works (a lost one is dropped from a pool).
  virtual bool healthy() const { return true; }

  // Dialect hooks for the store's SQL.
  bool postgres() const { return dialect() == Dialect::PostgreSQL; }
  // " FOR UPDATE" on PostgreSQL (the row stays locked until the transaction ends); nothing on
  // SQLite, where a write transaction already excludes every other writer.
  const char* for_update() const { return postgres() ? " FOR UPDATE" : ""; }
};

// "postgresql://..." or "postgres://...": a PostgreSQL connection URI; anything else is an
// SQLite file path.
bool is_postgres_url(const std::string& target);
// The target as it may be shown in messages and logs: a URL's password replaced by "***".
std::string redact(const std::string& target);
// Opens a connection to a SQLite file (created if absent) or a PostgreSQL URL.
std::unique_ptr<Connection> connect(const std::string& target);

// BEGIN (IMMEDIATE on SQLite) on construction; ROLLBACK unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& db);
  ~Transaction();
  void commit();

 private:
  Connection& db_;
  bool done_ = false;
};

// Connections to one target, shared by threads: acquire() hands out an idle one or opens a
// new one, up to `max` at once (then waits). A connection that broke is not kept.
class Pool {
 public:
  Pool(std::string target, std::size_t max);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Handle {
   public:
    Handle(Pool* pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
    Handle(Handle&& other) noexcept = default;
    ~Handle() {
      if (c_) pool_->give_back(std::move(c_));
    }
    Connection& operator*() const { return *c_; }
    Connection* operator->() const { return c_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
  };
  Handle acquire();

 private:
  void give_back(std::unique_ptr<Connection> c);
  std::string target_;
  std::size_t max_;
  std::size_t open_ = 0;  // handed out + idle
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace verdict::sql
