#include "native/review/sqlite.h"

#include "shared/error.h"

namespace verdict::sql {

namespace {
bool storage_full(sqlite3* db) {
  const int code = sqlite3_extended_errcode(db);
  return (code & 0xff) == SQLITE_FULL || code == SQLITE_IOERR_WRITE || code == SQLITE_IOERR_FSYNC ||
         code == SQLITE_IOERR_SHMSIZE || code == SQLITE_IOERR_TRUNCATE;
}

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  const std::string message = "database: " + what + ": " + sqlite3_errmsg(db);
  if (storage_full(db)) throw StorageFull(message);
  if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE ||
      sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY) {
    throw Conflict(message);
  }
  throw Error(message);
}
}  // namespace

class SqliteCursor : public Cursor {
 public:
  SqliteCursor(Database* owner, std::string sql, sqlite3_stmt* stmt)
      : owner_(owner), sql_(std::move(sql)), stmt_(stmt) {}
  ~SqliteCursor() override { sqlite3_finalize(stmt_); }

  void bind_text(int index, const std::string& value) override {
    if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
      fail(owner_->db_, "bind");
    }
  }
  void bind_integer(int index, std::int64_t value) override {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(owner_->db_, "bind");
  }
  void bind_real(int index, double value) override {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail(owner_->db_, "bind");
  }
  void bind_null(int index) override {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(owner_->db_, "bind");
  }
  bool step() override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(owner_->db_, "step");
  }
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int column) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }
  std::int64_t integer(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const override { return sqlite3_column_double(stmt_, column); }
  bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  void release() override {
    reset();
    try {
      owner_->cache_[sql_].emplace_back(this);
    } catch (...) {  // out of memory: just finalize
      delete this;
    }
  }

 private:
  Database* owner_;
  std::string sql_;
  sqlite3_stmt* stmt_;
};

Database::Database(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error("cannot open database '" + path + "': " + message);
  }
  sqlite3_busy_timeout(db_, 10000);
}

Database::~Database() {
  cache_.clear();  // finalizes every statement before the connection closes
  sqlite3_close(db_);
}

void Database::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message ? message : "error";
    sqlite3_free(message);
    if (storage_full(db_)) throw StorageFull("database: " + m);
    throw Error("database: " + m);
  }
}

Statement Database::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.empty()) {
    SqliteCursor* cursor = it->second.back().release();
    it->second.pop_back();
    return Statement(cursor);
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) fail(db_, "prepare");
  return Statement(new SqliteCursor(this, sql, stmt));
}

}  // namespace verdict::sql
