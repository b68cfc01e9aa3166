#include "native/review/postgres.h"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace verdict::sql {

std::string postgres_parameters(const std::string& sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 8);
  int highest = 0;
  char quote = 0;  // inside '...' or "..."
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      out += c;
      if (c == quote) quote = 0;  // a doubled quote closes and reopens: same result
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    std::size_t j = i + 1;
    int n = 0;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
    if (j == i + 1) n = highest + 1;  // a bare '?'
    if (n > highest) highest = n;
    out += '$' + std::to_string(n);
    i = j - 1;
  }
  if (count) *count = highest;
  return out;
}

class PgCursor : public Cursor {
 public:
  PgCursor(PgConnection* owner, std::string sql, std::string name, int params)
      : owner_(owner), sql_(std::move(sql)), name_(std::move(name)),
        values_(static_cast<std::size_t>(params)), null_(static_cast<std::size_t>(params), true) {}
  ~PgCursor() override { clear(); }

  void bind_text(int index, const std::string& value) override { set(index, value); }
  void bind_integer(int index, std::int64_t value) override { set(index, std::to_string(value)); }
  void bind_real(int index, double value) override {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    set(index, buf);
  }
  void bind_null(int index) override {
    check_index(index);
    null_[static_cast<std::size_t>(index - 1)] = true;
  }
  bool step() override {
    if (!result_) {
      std::vector<const char*> values(values_.size());
      for (std::size_t i = 0; i < values_.size(); ++i) values[i] = null_[i] ? nullptr : values_[i].c_str();
      result_ = PQexecPrepared(owner_->conn_, name_.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                               nullptr, 0);
      const ExecStatusType status = result_ ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        PGresult* failed = result_;
        result_ = nullptr;
        owner_->fail(failed, "step");
      }
      row_ = 0;
    } else {
      ++row_;
    }
    return row_ < PQntuples(result_);
  }
  void reset() override {
    clear();
    for (std::size_t i = 0; i < values_.size(); ++i) null_[i] = true, values_[i].clear();
  }
  std::string text(int column) const override {
    return std::string(PQgetvalue(result_, row_, column), static_cast<std::size_t>(PQgetlength(result_, row_, column)));
  }
  std::int64_t integer(int column) const override { return std::strtoll(PQgetvalue(result_, row_, column), nullptr, 10); }
  double real(int column) const override { return std::strtod(PQgetvalue(result_, row_, column), nullptr); }
  bool is_null(int column) const override { return PQgetisnull(result_, row_, column) != 0; }
  void release() override {
    reset();
    try {
      owner_->cache_[sql_].emplace_back(this);
    } catch (...) {
      delete this;
    }
  }

 private:
  void clear() {
    if (result_) PQclear(result_);
    result_ = nullptr;
  }
  void check_index(int index) const {
    if (index < 1 || static_cast<std::size_t>(index) > values_.size()) {
      throw Error("database: parameter " + std::to_string(index) + " of " + std::to_string(values_.size()) + " in: " + sql_);
    }
  }
  void set(int index, std::string value) {
    check_index(index);
    values_[static_cast<std::size_t>(index - 1)] = std::move(value);
    null_[static_cast<std::size_t>(index - 1)] = false;
  }

  PgConnection* owner_;
  std::string sql_, name_;
  std::vector<std::string> values_;
  std::vector<bool> null_;
  PGresult* result_ = nullptr;
  int row_ = 0;
};

namespace {
void ignore_notice(void*, const char*) {}  // "relation ... already exists, skipping" and the like

// libpq's messages span lines (and indent with tabs): one line for a log or a CLI error.
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}
}  // namespace

PgConnection::PgConnection(const std::string& url) : target_(redact(url)) {
  conn_ = PQconnectdb(url.c_str());
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    const std::string message = one_line(conn_ ? PQerrorMessage(conn_) : "out of memory");
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error("cannot connect to database '" + target_ + "': " + message);
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  // An answer is acknowledged once its commit is flushed to the server's disk, whatever the
  // server's default; a client machine that vanishes releases its locks within ~25 s.
  exec("SET synchronous_commit TO on; SET tcp_keepalives_idle TO 10; SET tcp_keepalives_interval TO 5;"
       " SET tcp_keepalives_count TO 3");
}

PgConnection::~PgConnection() {
  cache_.clear();
  PQfinish(conn_);
}

void PgConnection::fail(PGresult* result, const std::string& what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = state ? state : "";
  std::string message = result ? PQresultErrorMessage(result) : "";
  if (message.empty()) message = PQerrorMessage(conn_);
  if (result) PQclear(result);
  message = "database: " + what + ": " + one_line(message);
  if (code == "40P01" || code == "40001") throw Retry(message);
  if (code == "53100") throw StorageFull(message);
  if (code == "23505") throw Conflict(message);
  if (PQstatus(conn_) != CONNECTION_OK) throw Error(message + " (connection to '" + target_ + "' lost)");
  throw Error(message);
}

void PgConnection::exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r, "exec");
  PQclear(r);
}

Statement PgConnection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.empty()) {
    PgCursor* cursor = it->second.back().release();
    it->second.pop_back();
    return Statement(cursor);
  }
  int params = 0;
  const std::string text = postgres_parameters(sql, &params);
  auto named = prepared_.find(sql);
  if (named == prepared_.end()) {
    const std::string name = "v" + std::to_string(++next_name_);
    PGresult* r = PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) fail(r, "prepare");
    PQclear(r);
    named = prepared_.emplace(sql, name).first;
  }
  return Statement(new PgCursor(this, sql, named->second, params));
}

void PgConnection::serialize(const std::string& key) {
  prepare("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))").bind(1, key).run();
}

bool PgConnection::healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

std::string PgConnection::show(const std::string& setting) {
  PGresult* r = PQexec(conn_, ("SHOW " + setting).c_str());
  if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) fail(r, "show");
  std::string value = PQgetvalue(r, 0, 0);
  PQclear(r);
  return value;
}

}  // namespace verdict::sql
