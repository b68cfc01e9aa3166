#include "native/review/store.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "native/io/sha256.h"
#include "native/review/a2i_fields.h"
#include "shared/json_limits.h"

namespace fs = std::filesystem;

namespace verdict::review {

namespace {

const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS reviewers(
  id TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, token_hash TEXT UNIQUE NOT NULL,
  admin INTEGER NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS flows(
  name TEXT PRIMARY KEY, definition TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS loops(
  name TEXT PRIMARY KEY, flow TEXT NOT NULL REFERENCES flows(name), status TEXT NOT NULL,
  created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,
  failure_reason TEXT, output_location TEXT, input_content TEXT NOT NULL,
  required INTEGER NOT NULL, answered INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS loops_by_status ON loops(status, created_ms, name);
CREATE INDEX IF NOT EXISTS loops_by_created ON loops(created_ms, name);
CREATE INDEX IF NOT EXISTS loops_by_expiry ON loops(status, expires_ms);
CREATE TABLE IF NOT EXISTS leases(
  loop TEXT NOT NULL, reviewer TEXT NOT NULL, accepted_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL, PRIMARY KEY(loop, reviewer));
CREATE INDEX IF NOT EXISTS leases_by_reviewer ON leases(reviewer, expires_ms);
CREATE TABLE IF NOT EXISTS answers(
  answer_id TEXT PRIMARY KEY, loop TEXT NOT NULL, reviewer TEXT NOT NULL, content TEXT NOT NULL,
  accepted_ms INTEGER NOT NULL, submitted_ms INTEGER NOT NULL, time_spent REAL NOT NULL,
  UNIQUE(loop, reviewer));
CREATE TABLE IF NOT EXISTS loop_records(
  flow TEXT NOT NULL, record_key TEXT NOT NULL, loop TEXT NOT NULL, PRIMARY KEY(flow, record_key));
CREATE TABLE IF NOT EXISTS drafts(
  loop TEXT NOT NULL, reviewer TEXT NOT NULL, content TEXT NOT NULL, updated_ms INTEGER NOT NULL,
  PRIMARY KEY(loop, reviewer));
CREATE TABLE IF NOT EXISTS audit(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, loop TEXT, detail TEXT);
)SQL";

std::string random_hex(int bytes) {
  std::vector<unsigned char> buf(static_cast<std::size_t>(bytes));
  if (RAND_bytes(buf.data(), bytes) != 1) throw Error("no random bytes for a token");
  std::string hex;
  char two[3];
  for (unsigned char b : buf) {
    std::snprintf(two, sizeof two, "%02x", b);
    hex += two;
  }
  return hex;
}

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

const nlohmann::json& require(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) throw ReviewError(400, std::string("missing field '") + key + "'");
  return j.at(key);
}

// Writes files so that each is either absent or whole and on disk: every temp file written,
// one syncfs() for all of them, the renames, one more syncfs() for the folders. A batch of
// loop outputs costs two syncs instead of two per file.
void write_durably(const std::vector<std::pair<fs::path, std::string>>& files) {
  if (files.empty()) return;
  std::vector<fs::path> temps;
  struct RemoveTemps {  // on failure (disk full...), no temp file stays behind
    std::vector<fs::path>* temps;
    bool done = false;
    ~RemoveTemps() {
      std::error_code ec;
      if (!done) for (const fs::path& t : *temps) fs::remove(t, ec);
    }
  } cleanup{&temps};
  for (const auto& [path, text] : files) {
    fs::create_directories(path.parent_path());
    const fs::path temp = path.string() + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw Error("cannot write '" + temp.string() + "'");
    temps.push_back(temp);
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
      const ssize_t n = ::write(fd, p, left);
      if (n <= 0) {
        ::close(fd);
        throw Error("cannot write '" + temp.string() + "'");
      }
      p += n, left -= static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) throw Error("cannot write '" + temp.string() + "'");
  }
  auto sync = [&] {
    const int fd = ::open(files.front().first.parent_path().c_str(), O_RDONLY);
    if (fd >= 0) ::syncfs(fd), ::close(fd);
  };
  sync();
  for (std::size_t i = 0; i < files.size(); ++i) fs::rename(temps[i], files[i].first);
  cleanup.done = true;
  sync();
}

// Temp files that a killed or failed write left beside an output (output.json.tmp-PID).
void remove_stale_temps(const fs::path& output) {
  std::error_code ec;
  const std::string prefix = output.filename().string() + ".tmp-";
  for (const auto& entry : fs::directory_iterator(output.parent_path(), ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) fs::remove(entry.path(), ec);
  }
}

// Seconds a flow may set at most: ten years (the milliseconds stay far from overflowing).
constexpr std::int64_t kMaxSeconds = 10LL * 365 * 86400;

}  // namespace

std::int64_t system_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string iso_time(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

nlohmann::json Flow::to_json() const {
  return {{"name", name}, {"title", title}, {"description", description}, {"instructions", instructions},
          {"activation_conditions", conditions.to_json()}, {"records_per_task", records_per_task},
          {"reviewers_per_record", reviewers_per_record}, {"task_time_limit_seconds", task_time_limit},
          {"lifetime_seconds", lifetime}, {"output_dir", output_dir}, {"created", iso_time(created_ms)}};
}

Flow Flow::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw ReviewError(400, "a flow definition must be a JSON object");
  Flow f;
  try {
    f.name = require(j, "name").get<std::string>();
    f.title = j.value("title", f.name);
    f.description = j.value("description", "");
    f.instructions = j.value("instructions", "");
    f.conditions = ActivationConditions::from_json(require(j, "activation_conditions"));
    f.records_per_task = j.value("records_per_task", 3);
    f.reviewers_per_record = j.value("reviewers_per_record", 1);
    f.task_time_limit = j.value("task_time_limit_seconds", std::int64_t{3600});
    f.lifetime = j.value("lifetime_seconds", std::int64_t{14 * 86400});
    f.output_dir = j.value("output_dir", "");
  } catch (const ReviewError&) {
    throw;
  } catch (const nlohmann::json::exception& e) {
    throw ReviewError(400, std::string("flow definition: a field has the wrong type (") + e.what() + ")");
  } catch (const Error& e) {
    throw ReviewError(400, e.what());
  }
  if (!valid_name(f.name)) throw ReviewError(400, "flow name must be 1-63 letters, digits, '-' or '_'");
  if (f.records_per_task < 1 || f.records_per_task > 100) throw ReviewError(400, "records_per_task must be 1..100");
  if (f.reviewers_per_record < 1 || f.reviewers_per_record > 3) throw ReviewError(400, "reviewers_per_record must be 1..3");
  if (f.task_time_limit < 1 || f.task_time_limit > kMaxSeconds) {
    throw ReviewError(400, "task_time_limit_seconds must be from 1 to " + std::to_string(kMaxSeconds));
  }
  if (f.lifetime < 1 || f.lifetime > kMaxSeconds) {
    throw ReviewError(400, "lifetime_seconds must be from 1 to " + std::to_string(kMaxSeconds));
  }
  return f;
}

namespace {
// The database file, checked to exist unless the caller may create it.
const std::string& existing(const std::string& path, OpenMode mode) {
  if (mode == OpenMode::MustExist && !fs::exists(path)) {
    throw ReviewError(404, "no review database '" + path + "' (verdict flow create or verdict serve makes one)");
  }
  return path;
}
}  // namespace

Store::Store(const std::string& path, Clock clock, OpenMode mode)
    : path_(path), db_(existing(path, mode)), rdb_(path), odb_(path), clock_(std::move(clock)) {
  db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  db_.exec(kSchema);
  rdb_.exec("PRAGMA foreign_keys=ON;");
  odb_.exec("PRAGMA foreign_keys=ON;");
  output_thread_ = std::thread([this] { output_writer(); });
}

Store::~Store() {
  {
    std::lock_guard<std::mutex> lock(output_mutex_);
    stopping_ = true;
  }
  output_cv_.notify_all();
  output_thread_.join();
}

void Store::output_writer() {
  std::chrono::milliseconds backoff{250};
  std::unique_lock<std::mutex> lock(output_mutex_);
  for (;;) {
    output_cv_.wait(lock, [this] { return stopping_ || !output_queue_.empty(); });
    if (output_queue_.empty()) return;  // stopping, and nothing left to write
    // Let a busy moment's completions gather for a little while: one batch, two syncs. The
    // answers are committed already; this only delays their output files.
    output_cv_.wait_for(lock, kOutputBatchWindow,
                        [this] { return stopping_ || flush_waiting_ || output_queue_.size() >= kOutputBatchMax; });
    const std::size_t n = std::min(output_queue_.size(), kOutputBatchMax);
    std::vector<std::string> loops(output_queue_.begin(), output_queue_.begin() + static_cast<std::ptrdiff_t>(n));
    output_queue_.erase(output_queue_.begin(), output_queue_.begin() + static_cast<std::ptrdiff_t>(n));
    output_busy_ = true;
    lock.unlock();
    bool written = true;
    try {
      write_outputs(loops);
    } catch (const std::exception&) {
      written = false;  // disk full, a folder gone: the answers are safe in the database
    }
    lock.lock();
    output_busy_ = false;
    if (written) {
      backoff = std::chrono::milliseconds{250};
    } else {
      // Try again while running (the next start recovers them otherwise), first in line.
      output_queue_.insert(output_queue_.begin(), loops.begin(), loops.end());
      ++output_failures_;
      output_cv_.notify_all();
      if (stopping_) return;
      output_cv_.wait_for(lock, backoff, [this] { return stopping_; });
      backoff = std::min(backoff * 2, std::chrono::milliseconds{5000});
      if (stopping_) return;
    }
    output_cv_.notify_all();
  }
}

bool Store::flush_outputs() {
  std::unique_lock<std::mutex> lock(output_mutex_);
  ++flush_waiting_;
  const std::uint64_t failures = output_failures_;
  output_cv_.notify_all();
  output_cv_.wait(lock, [&] { return (output_queue_.empty() && !output_busy_) || output_failures_ != failures; });
  --flush_waiting_;
  return output_queue_.empty() && !output_busy_;
}

void Store::write(const std::function<void(std::int64_t)>& fn) {
  Job job{&fn, nullptr, false};
  std::unique_lock<std::mutex> lock(queue_mutex_);
  queue_.push_back(&job);
  while (!job.done) {
    if (writer_busy_) {
      queue_cv_.wait(lock);
      continue;
    }
    // Lead one batch: everything queued now shares a transaction and its fsync.
    writer_busy_ = true;
    std::vector<Job*> batch(queue_.begin(), queue_.end());
    queue_.clear();
    lock.unlock();
    run_batch(batch);
    lock.lock();
    for (Job* j : batch) j->done = true;
    writer_busy_ = false;
    queue_cv_.notify_all();
  }
  if (job.error) std::rethrow_exception(job.error);
}

void Store::run_batch(const std::vector<Job*>& batch) {
  try {
    sql::Transaction tx(db_);
    const std::int64_t now = clock_();
    expire_loops(now);
    for (Job* job : batch) {
      db_.exec("SAVEPOINT request");
      try {
        (*job->fn)(clock_());
        db_.exec("RELEASE request");
      } catch (...) {
        job->error = std::current_exception();
        db_.exec("ROLLBACK TO request; RELEASE request");
      }
    }
    tx.commit();
  } catch (...) {
    // The commit itself failed: nothing of this batch is stored, so every request fails.
    for (Job* job : batch) {
      if (!job->error) job->error = std::current_exception();
    }
  }
}

void Store::expire_if_due() {
  {
    std::lock_guard<std::mutex> lock(read_mutex_);
    auto s = rdb_.prepare("SELECT 1 FROM loops WHERE status='InProgress' AND expires_ms<=? LIMIT 1");
    if (!s.bind(1, clock_()).step()) return;
  }
  write([](std::int64_t) {});  // every batch expires what is due
}

void Store::log(std::int64_t now, const std::string& actor, const std::string& action, const std::string& loop,
                const nlohmann::json& detail) {
  auto s = db_.prepare("INSERT INTO audit(time_ms, actor, action, loop, detail) VALUES(?,?,?,?,?)");
  s.bind(1, now).bind(2, actor).bind(3, action);
  if (loop.empty()) s.bind_null(4); else s.bind(4, loop);
  s.bind(5, detail.dump());
  s.run();
}

std::string Store::add_reviewer(const std::string& name, bool admin) {
  if (!valid_name(name)) throw ReviewError(400, "reviewer name must be 1-63 letters, digits, '-' or '_'");
  const std::string token = random_hex(24);
  write([&](std::int64_t now) {
    auto exists = db_.prepare("SELECT 1 FROM reviewers WHERE name=?");
    if (exists.bind(1, name).step()) throw ReviewError(409, "reviewer '" + name + "' exists");
    db_.prepare("INSERT INTO reviewers(id, name, token_hash, admin, created_ms) VALUES(?,?,?,?,?)")
        .bind(1, "rv-" + random_hex(6)).bind(2, name).bind(3, sha256_text(token))
        .bind(4, std::int64_t{admin}).bind(5, now).run();
    log(now, "cli", "reviewer.create", "", {{"name", name}, {"admin", admin}});
  });
  return token;
}

std::optional<Reviewer> Store::authenticate(const std::string& token) {
  if (token.empty()) return std::nullopt;
  const std::string hash = sha256_text(token);
  std::lock_guard<std::mutex> lock(read_mutex_);
  auto s = rdb_.prepare("SELECT id, name, admin FROM reviewers WHERE token_hash=?");
  if (!s.bind(1, hash).step()) return std::nullopt;
  return Reviewer{s.text(0), s.text(1), s.integer(2) != 0};
}

void Store::create_flow(Flow flow, const std::string& actor) {
  // Never relative to whatever folder the server runs in: beside the database.
  const fs::path beside = fs::absolute(path_).parent_path();
  if (flow.output_dir.empty()) flow.output_dir = (beside / "review-output").string();
  if (fs::path(flow.output_dir).is_relative()) flow.output_dir = (beside / flow.output_dir).lexically_normal().string();
  write([&](std::int64_t now) {
    flow.created_ms = now;
    auto exists = db_.prepare("SELECT 1 FROM flows WHERE name=?");
    if (exists.bind(1, flow.name).step()) throw ReviewError(409, "flow '" + flow.name + "' exists");
    db_.prepare("INSERT INTO flows(name, definition, created_ms) VALUES(?,?,?)")
        .bind(1, flow.name).bind(2, flow.to_json().dump()).bind(3, flow.created_ms).run();
    log(now, actor, "flow.create", "", flow.to_json());
  });
}

namespace {
Flow flow_from_row(const std::string& definition, std::int64_t created_ms) {
  Flow f = Flow::from_json(nlohmann::json::parse(definition));
  f.created_ms = created_ms;
  return f;
}
}  // namespace

Flow Store::flow(const std::string& name) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  return load_flow(rdb_, name);
}

Flow Store::load_flow(sql::Database& db, const std::string& name) {
  auto s = db.prepare("SELECT definition, created_ms FROM flows WHERE name=?");
  if (!s.bind(1, name).step()) throw ReviewError(404, "no flow '" + name + "'");
  return flow_from_row(s.text(0), s.integer(1));
}

std::vector<Flow> Store::flows() {
  std::lock_guard<std::mutex> lock(read_mutex_);
  std::vector<Flow> out;
  auto s = rdb_.prepare("SELECT definition, created_ms FROM flows ORDER BY name");
  while (s.step()) out.push_back(flow_from_row(s.text(0), s.integer(1)));
  return out;
}

namespace {
void check_depth(const nlohmann::json& j, const char* what) {
  if (json_depth(j) > kMaxJsonDepth) {
    throw ReviewError(400, std::string(what) + " is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
}
}  // namespace

std::string Store::start_loop(const std::string& flow_name, const nlohmann::json& input_content,
                              const std::string& name, const std::string& actor) {
  if (!input_content.is_object()) throw ReviewError(400, "input content must be a JSON object");
  check_depth(input_content, "input content");
  const std::string loop = name.empty() ? flow_name + "-" + random_hex(6) : name;
  if (!valid_name(loop)) throw ReviewError(400, "loop name must be 1-63 letters, digits, '-' or '_'");
  write([&](std::int64_t now) { insert_loop(now, load_flow(db_, flow_name), loop, input_content, actor); });
  return loop;
}

namespace {
// The page scores a record's encoded values as float32: each is a number a float32 holds, or
// null (missing). One rule for every path (CSV, page, API): nothing is scored as ±inf.
void check_encoded(const nlohmann::json& input_content) {
  const auto records = input_content.find("records");
  if (records == input_content.end() || !records->is_array()) return;
  for (std::size_t r = 0; r < records->size(); ++r) {
    const nlohmann::json& rec = (*records)[r];
    if (!rec.is_object() || !rec.contains("encoded")) continue;
    const nlohmann::json& encoded = rec["encoded"];
    if (!encoded.is_array()) throw ReviewError(400, "input_content.records[" + std::to_string(r) + "].encoded is not a list");
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      const nlohmann::json& v = encoded[i];
      if (v.is_null()) continue;
      if (!v.is_number() || !(std::fabs(v.get<double>()) <= std::numeric_limits<float>::max())) {
        throw ReviewError(400, "input_content.records[" + std::to_string(r) + "].encoded[" + std::to_string(i) + "] is " +
                                   v.dump() + ": not a number a float32 holds (null means missing)");
      }
    }
  }
}
}  // namespace

void Store::insert_loop(std::int64_t now, const Flow& f, const std::string& loop, const nlohmann::json& input_content,
                        const std::string& actor) {
  check_encoded(input_content);
  auto exists = db_.prepare("SELECT 1 FROM loops WHERE name=?");
  if (exists.bind(1, loop).step()) throw ReviewError(409, "loop '" + loop + "' exists");
  db_.prepare("INSERT INTO loops(name, flow, status, created_ms, expires_ms, updated_ms, input_content, required)"
              " VALUES(?,?,'InProgress',?,?,?,?,?)")
      .bind(1, loop).bind(2, f.name).bind(3, now).bind(4, now + f.lifetime * 1000).bind(5, now)
      .bind(6, input_content.dump()).bind(7, std::int64_t{f.reviewers_per_record}).run();
  log(now, actor, "loop.start", loop, {{"flow", f.name}});
}

namespace {

// A record of a batch as a loop shows it, and the key that says it is the same record: the
// batch's source, the row and the values.
struct BatchRecord {
  nlohmann::json view;
  std::string key;
};

std::vector<BatchRecord> activated_records(const Flow& f, const nlohmann::json& batch, const std::string& positive_label) {
  if (!batch.is_object() || batch.value("format", "") != "verdict-review-batch") {
    throw ReviewError(400, "not a review batch written by `verdict explain`");
  }
  check_depth(batch, "the review batch");
  const nlohmann::json& features = batch.at("features");
  const std::string source = batch.value("source", "");
  std::vector<BatchRecord> selected;
  for (const nlohmann::json& r : batch.at("records")) {
    const double p = r.at("prediction").get<double>();
    const bool positive = r.value("predicted_label", "") == positive_label;
    if (!activates(f.conditions, r.at("row").get<std::uint64_t>(), p, positive)) continue;
    nlohmann::json values = nlohmann::json::object();
    for (std::size_t i = 0; i < features.size(); ++i) values[features[i].get<std::string>()] = r.at("values")[i];
    nlohmann::json rec = {{"row", r.at("row")}, {"values", values}, {"encoded", r.at("encoded")},
                          {"prediction", p}, {"margin", r.at("margin")}, {"shap", r.at("shap")}};
    if (r.contains("predicted_label")) rec["predicted_label"] = r["predicted_label"];
    if (r.contains("label")) rec["label"] = r["label"];
    const std::string key = sha256_text(source + '\x1f' + r.at("row").dump() + '\x1f' + r.at("values").dump());
    selected.push_back({std::move(rec), key});
  }
  return selected;
}

}  // namespace

BatchStart Store::start_from_batch(const std::string& flow_name, const nlohmann::json& batch,
                                   const std::string& positive_label, const std::string& actor, bool allow_repeat) {
  const Flow f = flow(flow_name);
  const std::vector<BatchRecord> selected = activated_records(f, batch, positive_label);
  const std::string stamp = std::to_string(clock_() / 1000) + "-" + random_hex(6);
  BatchStart started;
  // One transaction: every loop of the batch starts, or none does.
  write([&](std::int64_t now) {
    started = BatchStart{};
    std::vector<const BatchRecord*> fresh;
    for (const BatchRecord& r : selected) {
      auto seen = db_.prepare("SELECT 1 FROM loop_records WHERE flow=? AND record_key=?");
      if (!allow_repeat && seen.bind(1, f.name).bind(2, r.key).step()) {
        ++started.already_looped;
        continue;
      }
      fresh.push_back(&r);
    }
    const std::size_t per = static_cast<std::size_t>(f.records_per_task);
    for (std::size_t i = 0; i < fresh.size(); i += per) {
      nlohmann::json records = nlohmann::json::array();
      char suffix[24];
      std::snprintf(suffix, sizeof suffix, "%05zu", i / per + 1);
      const std::string loop = f.name + "-" + stamp + "-" + suffix;
      for (std::size_t k = i; k < fresh.size() && k < i + per; ++k) {
        records.push_back(fresh[k]->view);
        db_.prepare("INSERT OR REPLACE INTO loop_records(flow, record_key, loop) VALUES(?,?,?)")
            .bind(1, f.name).bind(2, fresh[k]->key).bind(3, loop).run();
      }
      started.records += records.size();
      nlohmann::json input = {{"source", batch.value("source", "")}, {"task", batch.value("task", "binary")},
                              {"threshold", batch.value("threshold", 0.5)}, {"features", batch.at("features")},
                              {"link", batch.value("link", nlohmann::json())},
                              {"methods", batch.value("methods", nlohmann::json::object())}, {"records", records}};
      insert_loop(now, f, loop, input, actor);
      started.loops.push_back(loop);
    }
  });
  return started;
}

void Store::expire_loops(std::int64_t now) {
  auto s = db_.prepare("SELECT name, answered, required FROM loops WHERE status='InProgress' AND expires_ms<=?");
  s.bind(1, now);
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> expired;
  while (s.step()) expired.emplace_back(s.text(0), s.integer(1), s.integer(2));
  for (const auto& [name, answered, required] : expired) {
    const std::string reason = "availability lifetime ended with " + std::to_string(answered) + " of " +
                               std::to_string(required) + " answers";
    db_.prepare("UPDATE loops SET status='Failed', failure_reason=?, updated_ms=? WHERE name=?")
        .bind(1, reason).bind(2, now).bind(3, name).run();
    db_.prepare("DELETE FROM leases WHERE loop=?").bind(1, name).run();
    db_.prepare("DELETE FROM drafts WHERE loop=?").bind(1, name).run();
    log(now, "system", "loop.failed", name, {{"reason", reason}});
  }
}

nlohmann::json Store::describe(const std::string& loop) {
  expire_if_due();
  std::lock_guard<std::mutex> lock(read_mutex_);
  auto s = rdb_.prepare("SELECT name, flow, status, created_ms, failure_reason, output_location, answered, required, updated_ms"
                        " FROM loops WHERE name=?");
  if (!s.bind(1, loop).step()) throw ReviewError(404, "no loop '" + loop + "'");
  nlohmann::json j = {{"HumanLoopName", s.text(0)}, {"FlowDefinition", s.text(1)}, {"HumanLoopStatus", s.text(2)},
                      {"CreationTime", iso_time(s.integer(3))}, {"Answers", s.integer(6)},
                      {"AnswersRequired", s.integer(7)}, {"LastUpdate", iso_time(s.integer(8))}};
  if (!s.is_null(4)) j["FailureReason"] = s.text(4);
  if (!s.is_null(5)) j["HumanLoopOutput"] = {{"OutputLocation", s.text(5)}};
  return j;
}

nlohmann::json Store::list(const LoopFilter& filter) {
  expire_if_due();
  const int limit = std::clamp(filter.limit, 1, 100);
  std::int64_t after_ms = -1;
  std::string after_name;
  if (!filter.next_token.empty()) {
    const auto colon = filter.next_token.find(':');
    if (colon == std::string::npos) throw ReviewError(400, "bad next_token");
    try {
      after_ms = std::stoll(filter.next_token.substr(0, colon));
      after_name = filter.next_token.substr(colon + 1);
    } catch (...) {
      throw ReviewError(400, "bad next_token");
    }
  }
  std::lock_guard<std::mutex> lock(read_mutex_);
  auto s = rdb_.prepare(
      "SELECT name, flow, status, created_ms FROM loops WHERE (?1='' OR flow=?1) AND (?2='' OR status=?2)"
      " AND created_ms>=?3 AND created_ms<=?4 AND (created_ms, name) > (?5, ?6)"
      " ORDER BY created_ms, name LIMIT ?7");
  s.bind(1, filter.flow).bind(2, filter.status).bind(3, filter.created_after_ms.value_or(0))
      .bind(4, filter.created_before_ms.value_or(INT64_MAX)).bind(5, after_ms).bind(6, after_name)
      .bind(7, std::int64_t{limit + 1});
  nlohmann::json items = nlohmann::json::array();
  std::string token;
  std::int64_t last_ms = 0;
  while (s.step()) {
    if (static_cast<int>(items.size()) == limit) {
      token = std::to_string(last_ms) + ":" + items.back()["HumanLoopName"].get<std::string>();
      break;
    }
    last_ms = s.integer(3);
    items.push_back({{"HumanLoopName", s.text(0)}, {"FlowDefinition", s.text(1)}, {"HumanLoopStatus", s.text(2)},
                     {"CreationTime", iso_time(s.integer(3))}});
  }
  nlohmann::json out = {{"HumanLoopSummaries", items}};
  if (!token.empty()) out["NextToken"] = token;
  return out;
}

void Store::stop(const std::string& loop, const std::string& actor) {
  write([&](std::int64_t now) {
    auto s = db_.prepare("SELECT status FROM loops WHERE name=?");
    if (!s.bind(1, loop).step()) throw ReviewError(404, "no loop '" + loop + "'");
    const std::string status = s.text(0);
    if (status != "InProgress") throw ReviewError(409, "loop '" + loop + "' is " + status + "; only InProgress loops stop");
    // Stopping: no new leases or answers; the leases held are revoked, then it is Stopped.
    db_.prepare("UPDATE loops SET status='Stopping', updated_ms=? WHERE name=?").bind(1, now).bind(2, loop).run();
    log(now, actor, "loop.stopping", loop, nlohmann::json::object());
    db_.prepare("DELETE FROM leases WHERE loop=?").bind(1, loop).run();
    db_.prepare("DELETE FROM drafts WHERE loop=?").bind(1, loop).run();
    db_.prepare("UPDATE loops SET status='Stopped', updated_ms=? WHERE name=?").bind(1, now).bind(2, loop).run();
    log(now, actor, "loop.stopped", loop, nlohmann::json::object());
  });
}

void Store::remove(const std::string& loop, const std::string& actor) {
  write([&](std::int64_t now) {
    auto s = db_.prepare("SELECT status FROM loops WHERE name=?");
    if (!s.bind(1, loop).step()) throw ReviewError(404, "no loop '" + loop + "'");
    const std::string status = s.text(0);
    if (status == "InProgress" || status == "Stopping") {
      throw ReviewError(409, "loop '" + loop + "' is " + status + "; stop it before deleting it");
    }
    auto where = db_.prepare("SELECT output_location FROM loops WHERE name=? AND status='Completed'");
    if (where.bind(1, loop).step() && !fs::exists(where.text(0))) {
      throw ReviewError(409, "loop '" + loop + "' is Completed but its output is not written yet; try again in a moment");
    }
    db_.prepare("DELETE FROM leases WHERE loop=?").bind(1, loop).run();
    db_.prepare("DELETE FROM drafts WHERE loop=?").bind(1, loop).run();
    db_.prepare("DELETE FROM answers WHERE loop=?").bind(1, loop).run();
    db_.prepare("DELETE FROM loops WHERE name=?").bind(1, loop).run();
    log(now, actor, "loop.delete", loop, {{"status", status}});
  });
}

nlohmann::json Store::task_view(sql::Database& db, const std::string& loop, std::int64_t accepted_ms,
                                std::int64_t expires_ms) {
  auto s = db.prepare("SELECT flow, input_content FROM loops WHERE name=?");
  s.bind(1, loop).step();
  const Flow f = load_flow(db, s.text(0));
  return {{"loop", loop}, {"flow", {{"name", f.name}, {"title", f.title}, {"description", f.description}, {"instructions", f.instructions}}},
          {"input_content", nlohmann::json::parse(s.text(1))}, {"accepted", iso_time(accepted_ms)},
          {"lease_expires", iso_time(expires_ms)}};
}

std::optional<nlohmann::json> Store::next_task(const Reviewer& reviewer, std::int64_t* waiting) {
  std::optional<nlohmann::json> view;
  write([&](std::int64_t now) {
    view = lease_next(now, reviewer);
    if (waiting) *waiting = count_waiting(db_, now, reviewer.id);
  });
  return view;
}

std::int64_t Store::count_waiting(sql::Database& db, std::int64_t now, const std::string& reviewer_id) {
  // lease_next's choice, counted, less the loop this reviewer holds now.
  auto s = db.prepare(
      "SELECT COUNT(*) FROM loops p WHERE p.status='InProgress' AND p.expires_ms>?1"
      " AND p.answered + (SELECT COUNT(*) FROM leases l WHERE l.loop=p.name AND l.expires_ms>?1) < p.required"
      " AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.loop=p.name AND a.reviewer=?2)"
      " AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.loop=p.name AND l.reviewer=?2 AND l.expires_ms>?1)");
  s.bind(1, now).bind(2, reviewer_id).step();
  return s.integer(0);
}

std::int64_t Store::waiting(const Reviewer& reviewer) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  return count_waiting(rdb_, clock_(), reviewer.id);
}

nlohmann::json Store::draft_of(sql::Database& db, const std::string& loop, const std::string& reviewer_id) {
  auto s = db.prepare("SELECT content FROM drafts WHERE loop=? AND reviewer=?");
  if (!s.bind(1, loop).bind(2, reviewer_id).step()) return nullptr;
  return nlohmann::json::parse(s.text(0));
}

std::optional<nlohmann::json> Store::lease_next(std::int64_t now, const Reviewer& reviewer) {
  // The task this reviewer already holds comes first.
  auto held = db_.prepare("SELECT l.loop, l.accepted_ms, l.expires_ms FROM leases l JOIN loops p ON p.name=l.loop"
                          " WHERE l.reviewer=? AND l.expires_ms>? AND p.status='InProgress' ORDER BY l.accepted_ms LIMIT 1");
  if (held.bind(1, reviewer.id).bind(2, now).step()) {
    nlohmann::json view = task_view(db_, held.text(0), held.integer(1), held.integer(2));
    view["draft"] = draft_of(db_, held.text(0), reviewer.id);
    return view;
  }
  auto pick = db_.prepare(
      "SELECT p.name, f.definition FROM loops p JOIN flows f ON f.name=p.flow WHERE p.status='InProgress'"
      " AND p.answered + (SELECT COUNT(*) FROM leases l WHERE l.loop=p.name AND l.expires_ms>?1) < p.required"
      " AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.loop=p.name AND a.reviewer=?2)"
      " ORDER BY p.created_ms, p.name LIMIT 1");
  if (!pick.bind(1, now).bind(2, reviewer.id).step()) return std::nullopt;
  const std::string loop = pick.text(0);
  const Flow f = Flow::from_json(nlohmann::json::parse(pick.text(1)));
  const std::int64_t expires = now + f.task_time_limit * 1000;
  db_.prepare("INSERT OR REPLACE INTO leases(loop, reviewer, accepted_ms, expires_ms) VALUES(?,?,?,?)")
      .bind(1, loop).bind(2, reviewer.id).bind(3, now).bind(4, expires).run();
  log(now, reviewer.name, "lease.take", loop, {{"expires", iso_time(expires)}});
  nlohmann::json view = task_view(db_, loop, now, expires);
  // A lease that lapsed and is taken again by the same reviewer finds their draft.
  view["draft"] = draft_of(db_, loop, reviewer.id);
  return view;
}

nlohmann::json Store::task(const Reviewer& reviewer, const std::string& loop) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  auto s = rdb_.prepare("SELECT l.accepted_ms, l.expires_ms FROM leases l JOIN loops p ON p.name=l.loop"
                        " WHERE l.loop=? AND l.reviewer=? AND l.expires_ms>? AND p.status='InProgress'");
  if (!s.bind(1, loop).bind(2, reviewer.id).bind(3, clock_()).step()) {
    throw ReviewError(403, "task '" + loop + "' is not leased to you");
  }
  nlohmann::json view = task_view(rdb_, loop, s.integer(0), s.integer(1));
  view["draft"] = draft_of(rdb_, loop, reviewer.id);
  return view;
}

void Store::save_draft(const Reviewer& reviewer, const std::string& loop, const nlohmann::json& draft) {
  if (!draft.is_object()) throw ReviewError(400, "a draft must be a JSON object");
  check_depth(draft, "the draft");
  const std::string content = draft.dump();
  if (content.size() > kMaxDraftBytes) {
    throw ReviewError(413, "the draft is " + std::to_string(content.size()) + " bytes; a draft holds at most " +
                               std::to_string(kMaxDraftBytes));
  }
  write([&](std::int64_t now) {
    auto st = db_.prepare("SELECT status FROM loops WHERE name=?");
    if (!st.bind(1, loop).step()) throw ReviewError(404, "no loop '" + loop + "'");
    auto lease = db_.prepare("SELECT expires_ms FROM leases WHERE loop=? AND reviewer=?");
    if (!lease.bind(1, loop).bind(2, reviewer.id).step()) throw ReviewError(403, "task '" + loop + "' is not leased to you");
    if (st.text(0) != "InProgress") throw ReviewError(409, "loop '" + loop + "' is " + st.text(0));
    if (lease.integer(0) <= now) throw ReviewError(409, "your lease on '" + loop + "' expired; ask for the next task");
    db_.prepare("INSERT OR REPLACE INTO drafts(loop, reviewer, content, updated_ms) VALUES(?,?,?,?)")
        .bind(1, loop).bind(2, reviewer.id).bind(3, content).bind(4, now).run();
    log(now, reviewer.name, "draft.save", loop, {{"bytes", content.size()}});
  });
}

SubmitResult Store::submit(const Reviewer& reviewer, const std::string& loop, const std::string& answer_id,
                           const nlohmann::json& answer_content, std::optional<double> time_spent,
                           bool then_next) {
  if (answer_id.empty() || answer_id.size() > 128) throw ReviewError(400, "answer_id must be 1-128 characters");
  if (!answer_content.is_object()) throw ReviewError(400, "answer_content must be a JSON object");
  check_depth(answer_content, "answer_content");
  SubmitResult result;
  bool completed = false;
  const std::string content = answer_content.dump();
  write([&](std::int64_t now) {
    result = SubmitResult{};
    completed = record_answer(now, reviewer, loop, answer_id, content, time_spent, result);
    // In the same transaction: the next task, so a reviewer needs one call per task.
    if (then_next) result.next_task = lease_next(now, reviewer);
    result.waiting = count_waiting(db_, now, reviewer.id);
  });
  // After the commit, off the request path: the output file (a crash before it is written
  // is repaired at start-up by recover_outputs()).
  if (completed) {
    {
      std::lock_guard<std::mutex> lock(output_mutex_);
      output_queue_.push_back(loop);
    }
    output_cv_.notify_all();
  }
  return result;
}

bool Store::record_answer(std::int64_t now, const Reviewer& reviewer, const std::string& loop,
                          const std::string& answer_id, const std::string& content,
                          std::optional<double> time_spent, SubmitResult& result) {
  auto dup = db_.prepare("SELECT loop, reviewer, content FROM answers WHERE answer_id=?");
  if (dup.bind(1, answer_id).step()) {
    if (dup.text(0) != loop || dup.text(1) != reviewer.id) {
      throw ReviewError(409, "answer id '" + answer_id + "' belongs to another task");
    }
    if (dup.text(2) != content) {  // a retry repeats the answer; anything else is not a retry
      throw ReviewError(409, "answer id '" + answer_id + "' was stored with other content; it is kept as it was",
                        {{"stored", nlohmann::json::parse(dup.text(2))}});
    }
    auto st = db_.prepare("SELECT status FROM loops WHERE name=?");
    st.bind(1, loop).step();
    result.duplicate = true;
    result.loop_status = st.text(0);
    return false;  // a retry of an answer already stored: nothing changes
  }
  auto st = db_.prepare("SELECT status, answered, required, flow FROM loops WHERE name=?");
  if (!st.bind(1, loop).step()) throw ReviewError(404, "no loop '" + loop + "'");
  const std::string status = st.text(0);
  const std::int64_t answered = st.integer(1), required = st.integer(2);
  const std::string flow_name = st.text(3);
  auto lease = db_.prepare("SELECT accepted_ms, expires_ms FROM leases WHERE loop=? AND reviewer=?");
  if (!lease.bind(1, loop).bind(2, reviewer.id).step()) {
    throw ReviewError(403, "task '" + loop + "' is not leased to you");
  }
  if (status != "InProgress") throw ReviewError(409, "loop '" + loop + "' is " + status);
  if (lease.integer(1) <= now) throw ReviewError(409, "your lease on '" + loop + "' expired; ask for the next task");
  const std::int64_t accepted = lease.integer(0);
  const double spent = time_spent.value_or(static_cast<double>(now - accepted) / 1000.0);
  db_.prepare("INSERT INTO answers(answer_id, loop, reviewer, content, accepted_ms, submitted_ms, time_spent)"
              " VALUES(?,?,?,?,?,?,?)")
      .bind(1, answer_id).bind(2, loop).bind(3, reviewer.id).bind(4, content)
      .bind(5, accepted).bind(6, now).bind(7, spent).run();
  db_.prepare("DELETE FROM leases WHERE loop=? AND reviewer=?").bind(1, loop).bind(2, reviewer.id).run();
  db_.prepare("DELETE FROM drafts WHERE loop=? AND reviewer=?").bind(1, loop).bind(2, reviewer.id).run();
  log(now, reviewer.name, "answer.submit", loop, {{"answer_id", answer_id}});
  result.loop_status = "InProgress";
  if (answered + 1 >= required) {
    const Flow f = load_flow(db_, flow_name);
    const std::string when = iso_time(now);  // YYYY-MM-DDThh:mm:ss
    const std::string stamp = when.substr(0, 4) + "/" + when.substr(5, 2) + "/" + when.substr(8, 2) + "/" +
                              when.substr(11, 2) + "/" + when.substr(14, 2) + "/" + when.substr(17, 2);
    const std::string location = (fs::path(f.output_dir) / f.name / stamp / loop / "output.json").string();
    db_.prepare("UPDATE loops SET answered=answered+1, status='Completed', output_location=?, updated_ms=? WHERE name=?")
        .bind(1, location).bind(2, now).bind(3, loop).run();
    db_.prepare("DELETE FROM leases WHERE loop=?").bind(1, loop).run();
    db_.prepare("DELETE FROM drafts WHERE loop=?").bind(1, loop).run();
    log(now, "system", "loop.completed", loop, {{"output", location}});
    result.loop_status = "Completed";
    return true;
  }
  db_.prepare("UPDATE loops SET answered=answered+1, updated_ms=? WHERE name=?").bind(1, now).bind(2, loop).run();
  return false;
}

nlohmann::json Store::build_output(sql::Database& db, const std::string& loop) {
  auto s = db.prepare("SELECT flow, input_content FROM loops WHERE name=?");
  if (!s.bind(1, loop).step()) throw ReviewError(404, "no loop '" + loop + "'");
  nlohmann::json out = {{"flowDefinitionArn", "verdict:flow/" + s.text(0)}, {"humanLoopName", loop},
                        {"inputContent", nlohmann::json::parse(s.text(1))}};
  nlohmann::json answers = nlohmann::json::array();
  auto a = db.prepare("SELECT a.content, a.accepted_ms, a.submitted_ms, a.time_spent, a.reviewer, r.name"
                      " FROM answers a LEFT JOIN reviewers r ON r.id=a.reviewer WHERE a.loop=? ORDER BY a.submitted_ms, a.answer_id");
  a.bind(1, loop);
  while (a.step()) {
    answers.push_back({{"answerContent", nlohmann::json::parse(a.text(0))}, {"acceptanceTime", iso_time(a.integer(1))},
                       {"submissionTime", iso_time(a.integer(2))}, {"timeSpentInSeconds", a.real(3)},
                       {"workerId", a.text(4)}, {"workerMetadata", {{"identityData", {{"sub", a.text(5)}}}}}});
  }
  out["humanAnswers"] = answers;
  add_a2i_reference_fields(out);
  return out;
}

void Store::write_outputs(const std::vector<std::string>& loops) {
  std::vector<std::pair<fs::path, std::string>> files;
  for (const std::string& loop : loops) {
    // Its own connection: building outputs never waits for, or holds up, the requests' reads.
    std::lock_guard<std::mutex> lock(output_db_mutex_);
    auto s = odb_.prepare("SELECT output_location FROM loops WHERE name=? AND status='Completed'");
    if (!s.bind(1, loop).step()) continue;
    std::string location = s.text(0);
    // Compact: indenting would cost 2·depth bytes a line, so a deep answer could grow a hundredfold.
    files.emplace_back(std::move(location), build_output(odb_, loop).dump() + "\n");
  }
  write_durably(files);
}

nlohmann::json Store::output(const std::string& loop) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  return build_output(rdb_, loop);
}

std::vector<nlohmann::json> Store::completed_outputs(const std::string& flow_name) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  std::vector<nlohmann::json> out;
  auto s = rdb_.prepare("SELECT name FROM loops WHERE status='Completed' AND (?1='' OR flow=?1) ORDER BY created_ms, name");
  s.bind(1, flow_name);
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.text(0));
  for (const auto& n : names) out.push_back(build_output(rdb_, n));
  return out;
}

int Store::recover_outputs() {
  std::vector<std::string> missing;
  {
    std::lock_guard<std::mutex> lock(read_mutex_);
    auto s = rdb_.prepare("SELECT name, output_location FROM loops WHERE status='Completed'");
    while (s.step()) {
      if (fs::exists(s.text(1))) continue;
      missing.push_back(s.text(0));
      remove_stale_temps(s.text(1));
    }
  }
  if (!missing.empty()) {
    std::lock_guard<std::mutex> lock(output_mutex_);
    output_queue_.insert(output_queue_.end(), missing.begin(), missing.end());
  }
  output_cv_.notify_all();
  return static_cast<int>(missing.size());
}

std::pair<std::string, int> Store::durability() {
  auto mode = db_.prepare("PRAGMA journal_mode");
  mode.step();
  auto sync = db_.prepare("PRAGMA synchronous");
  sync.step();
  return {mode.text(0), static_cast<int>(sync.integer(0))};
}

std::vector<nlohmann::json> Store::audit(std::int64_t after_seq, int limit) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  std::vector<nlohmann::json> out;
  auto s = rdb_.prepare("SELECT seq, time_ms, actor, action, loop, detail FROM audit WHERE seq>? ORDER BY seq LIMIT ?");
  s.bind(1, after_seq).bind(2, std::int64_t{std::clamp(limit, 1, 1000)});
  while (s.step()) {
    out.push_back({{"seq", s.integer(0)}, {"time", iso_time(s.integer(1))}, {"actor", s.text(2)},
                   {"action", s.text(3)}, {"loop", s.is_null(4) ? nlohmann::json() : nlohmann::json(s.text(4))},
                   {"detail", nlohmann::json::parse(s.text(5))}});
  }
  return out;
}

}  // namespace verdict::review
