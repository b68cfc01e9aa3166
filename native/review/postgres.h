// The PostgreSQL side of native/review/database.h, through libpq: one connection per object,
// statements prepared once per connection (server-side), parameters sent as text and typed by
// the server, every transaction READ COMMITTED with synchronous_commit on.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "native/review/database.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace verdict::sql {

class PgCursor;

// SQLite's parameters in PostgreSQL's spelling: `?N` becomes `$N`, a bare `?` the next number
// (as SQLite counts them); quoted text and identifiers are left alone. `count` (if given) is
// set to the highest parameter number.
std::string postgres_parameters(const std::string& sql, int* count = nullptr);

class PgConnection : public Connection {
 public:
  // Connects (a libpq connection URI); throws Error naming the target (password hidden).
  explicit PgConnection(const std::string& url);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Dialect dialect() const override { return Dialect::PostgreSQL; }
  void exec(const std::string& sql) override;
  Statement prepare(const std::string& sql) override;
  void begin() override { exec("BEGIN ISOLATION LEVEL READ COMMITTED"); }
  void serialize(const std::string& key) override;
  bool healthy() const override;
  // A setting as SHOW prints it (e.g. synchronous_commit -> "on").
  std::string show(const std::string& setting);

 private:
  friend class PgCursor;
  // Throws the error of a failed result (and clears it): Retry, StorageFull, Conflict or Error.
  [[noreturn]] void fail(PGresult* result, const std::string& what);
  PGconn* conn_ = nullptr;
  std::string target_;  // redacted, for messages
  int next_name_ = 0;
  std::unordered_map<std::string, std::vector<std::unique_ptr<PgCursor>>> cache_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> server-side name
};

}  // namespace verdict::sql
