#include "native/review/database.h"

#include "native/review/postgres.h"
#include "native/review/sqlite.h"

namespace verdict::sql {

bool is_postgres_url(const std::string& target) {
  return target.rfind("postgresql://", 0) == 0 || target.rfind("postgres://", 0) == 0;
}

std::string redact(const std::string& target) {
  if (!is_postgres_url(target)) return target;
  std::string out = target;
  // scheme://user:password@host...: the password is between the first ':' after the scheme
  // and the '@' that ends the user information.
  const std::size_t start = out.find("://") + 3;
  const std::size_t at = out.find('@', start);
  const std::size_t slash = out.find('/', start);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    const std::size_t colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) out = out.substr(0, colon + 1) + "***" + out.substr(at);
  }
  // ...?password=...&...
  for (std::size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) continue;
    const std::size_t end = out.find('&', p);
    out = out.substr(0, p + 9) + "***" + (end == std::string::npos ? "" : out.substr(end));
  }
  return out;
}

std::unique_ptr<Connection> connect(const std::string& target) {
  if (is_postgres_url(target)) return std::make_unique<PgConnection>(target);
  return std::make_unique<Database>(target);
}

Transaction::Transaction(Connection& db) : db_(db) { db_.begin(); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

Pool::Pool(std::string target, std::size_t max) : target_(std::move(target)), max_(max < 1 ? 1 : max) {}

Pool::~Pool() = default;

Pool::Handle Pool::acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [this] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    return Handle(this, std::move(c));
  }
  ++open_;
  lock.unlock();
  try {
    return Handle(this, connect(target_));
  } catch (...) {
    lock.lock();
    --open_;
    cv_.notify_one();
    throw;
  }
}

void Pool::give_back(std::unique_ptr<Connection> c) {
  const bool keep = c->healthy();
  if (!keep) c.reset();  // closed outside the lock
  std::lock_guard<std::mutex> lock(mutex_);
  if (keep) {
    idle_.push_back(std::move(c));
  } else {
    --open_;
  }
  cv_.notify_one();
}

}  // namespace verdict::sql
