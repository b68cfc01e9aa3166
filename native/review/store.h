// The review workflow's state: flows, human loops, reviewers, leases, answers and the audit
// log, in one SQLite file (WAL) or a PostgreSQL database shared by several servers; an answer
// is acknowledged only after its commit is on disk. The HTTP server and the CLI both work
// through this class.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/error.h"
#include "shared/review_rules.h"
#include "native/review/database.h"

namespace verdict::review {

// An error with the HTTP status it maps to (400, 401, 403, 404, 409), and members to add to
// the JSON error body (e.g. the answer already stored under a replayed id).
struct ReviewError : Error {
  ReviewError(int status, const std::string& message, nlohmann::json detail = nullptr)
      : Error(message), status(status), detail(std::move(detail)) {}
  int status;
  nlohmann::json detail;
};

struct Flow {
  std::string name, title, description, instructions;
  ActivationConditions conditions;
  int records_per_task = 3;
  int reviewers_per_record = 1;      // distinct reviewers, 1..3
  std::int64_t task_time_limit = 3600;  // seconds a lease lasts
  std::int64_t lifetime = 14 * 86400;   // seconds a loop stays available
  std::string output_dir;
  // Features a reviewer's "What would flip it?" never changes, on top of the schema's immutable
  // ones (the "overridden by the flow"): names, checked against the model by the page.
  std::vector<std::string> immutable;
  std::int64_t created_ms = 0;

  nlohmann::json to_json() const;
  static Flow from_json(const nlohmann::json& j);  // validates; throws ReviewError 400
};

struct Reviewer {
  std::string id, name;
  bool admin = false;
};

struct LoopFilter {
  std::string flow, status;
  std::optional<std::int64_t> created_after_ms, created_before_ms;
  int limit = 50;
  std::string next_token;
};

struct SubmitResult {
  bool duplicate = false;       // the same answer id was already stored (a retry)
  std::string loop_status;
  std::optional<nlohmann::json> next_task;  // with then_next: the next task, if one is waiting
  std::int64_t waiting = 0;     // tasks the reviewer could still lease besides the one they hold
};

// The most a task's draft may hold (bytes of compact JSON).
inline constexpr std::size_t kMaxDraftBytes = 256 * 1024;

// What start_from_batch did: the loops it opened, the records in them, and the records left
// out because a loop of the flow already holds them.
struct BatchStart {
  std::vector<std::string> loops;
  std::size_t records = 0, already_looped = 0;
};

// Whether opening a store may create its database file.
enum class OpenMode { CreateIfAbsent, MustExist };

// Milliseconds since the epoch; tests pass a clock they control.
using Clock = std::function<std::int64_t()>;
std::int64_t system_clock_ms();
std::string iso_time(std::int64_t ms);  // 2026-11-22T23:40:01.123Z

// The review tables and indexes (CREATE ... IF NOT EXISTS), in a dialect's SQL: written once
// for SQLite; PostgreSQL gets 64-bit integers, double precision, byte-order text and an
// identity column for the audit's sequence.
std::string review_schema(sql::Dialect dialect);

// The review tables and their columns, in an order that respects their references (flows before
// loops): what `verdict migrate` copies. Kind: 'T' text, 'I' 64-bit integer, 'R' double.
struct ReviewColumn {
  const char* name;
  char kind;
};
struct ReviewTable {
  const char* name;
  std::vector<ReviewColumn> columns;
  const char* order;  // ORDER BY: the primary key
};
const std::vector<ReviewTable>& review_tables();

class Store {
 public:
  // `target`: an SQLite file, or a PostgreSQL connection URI (postgresql://user@host/db). With
  // PostgreSQL, MustExist means the review tables must be there already.
  explicit Store(const std::string& target, Clock clock = system_clock_ms, OpenMode mode = OpenMode::CreateIfAbsent);
  ~Store();  // writes the output files still queued

  // Reviewers. add_reviewer returns the secret token (only its sha256 is stored).
  std::string add_reviewer(const std::string& name, bool admin);
  std::optional<Reviewer> authenticate(const std::string& token);

  // A relative (or empty) output_dir is taken beside the database (review-output); with
  // PostgreSQL there is no "beside", and it must be absolute (400 otherwise).
  void create_flow(Flow flow, const std::string& actor);
  Flow flow(const std::string& name);
  std::vector<Flow> flows();

  // Opens one loop with the given input content; returns its name.
  std::string start_loop(const std::string& flow, const nlohmann::json& input_content,
                         const std::string& name, const std::string& actor);
  // Applies the flow's activation conditions to a batch written by `verdict explain` and
  // opens one loop per group of records_per_task records, all in one transaction. A record
  // (the batch's source, row and values) is in one loop of a flow: records a loop of the flow
  // already holds are left out unless allow_repeat.
  BatchStart start_from_batch(const std::string& flow, const nlohmann::json& batch, const std::string& positive_label,
                              const std::string& actor, bool allow_repeat = false);
  nlohmann::json describe(const std::string& loop);
  nlohmann::json list(const LoopFilter& filter);
  void stop(const std::string& loop, const std::string& actor);
  void remove(const std::string& loop, const std::string& actor);

  // A lease on the next task for this reviewer (their current one if they hold one), or
  // nullopt when nothing is waiting. Returns the task as the reviewer sees it, with their
  // draft of it ("draft", null when none). `waiting`, when given, is set in the same
  // transaction to the tasks the reviewer could still lease besides the one returned.
  std::optional<nlohmann::json> next_task(const Reviewer& reviewer, std::int64_t* waiting = nullptr);
  // The task (with the reviewer's draft), only while it is leased to this reviewer.
  nlohmann::json task(const Reviewer& reviewer, const std::string& loop);
  // Tasks this reviewer could lease now, not counting one they hold: InProgress loops that
  // still need an answer, that they have not answered, and whose places are not all leased.
  std::int64_t waiting(const Reviewer& reviewer);
  // Keeps the reviewer's draft of a task (the answers not sent yet, any JSON object up to
  // kMaxDraftBytes), replacing the last one; only while the task is leased to them (403
  // otherwise; 409 when the lease expired or the loop is no longer InProgress). Answering the
  // task, or the loop ending, deletes it.
  void save_draft(const Reviewer& reviewer, const std::string& loop, const nlohmann::json& draft);
  // Stores an answer (a retry with the same answer id is harmless). then_next: also leases the
  // reviewer's next task in the same transaction (SubmitResult::next_task).
  SubmitResult submit(const Reviewer& reviewer, const std::string& loop, const std::string& answer_id,
                      const nlohmann::json& answer_content, std::optional<double> time_spent,
                      bool then_next = false);

  // The stored A2I-shaped output of a completed loop.
  nlohmann::json output(const std::string& loop);
  std::vector<nlohmann::json> audit(std::int64_t after_seq, int limit);
  // Completed loops of a flow (or all), with their outputs.
  std::vector<nlohmann::json> completed_outputs(const std::string& flow);
  // The reviewers' labels of the given rows of a batch (its `source`) in completed loops only —
  // an open loop's answers are never shown, so reviewers stay independent: {"source",
  // "records": [{"row", "loop", "labels": [...]}]} (agree counts as the model's label, as in
  // verdict merge). Reads only the loops that hold the rows (the loop_rows index, filled as
  // loops start; loops no store of this version indexed are indexed when a store opens).
  nlohmann::json ground_truth(const std::string& source, const std::set<std::int64_t>& rows);
  // Queues the output files a crash or a full disk left unwritten for the background writer
  // and removes the temp files beside them; returns how many (called at start-up).
  int recover_outputs();
  // Waits until every queued output file is written (answers are durable in the database
  // when acknowledged; their A2I output files follow from a background writer, which retries
  // failed writes with a growing pause). False when a write failed meanwhile.
  bool flush_outputs();
  // What makes an acknowledged answer durable. SQLite: the journal mode and the synchronous
  // level of the write connection (2 = FULL). PostgreSQL: the sessions' synchronous_commit and
  // 2 when the commit waits for the server's disk (fsync on, synchronous_commit not off/local).
  std::pair<std::string, int> durability();
  bool postgres() const { return pool_ != nullptr; }
  const std::string& target() const { return target_; }

 private:
  using WriteFn = std::function<void(sql::Connection& db, std::int64_t now)>;
  // Runs `fn` inside a write transaction and commits. SQLite: concurrent callers are batched
  // into one transaction (group commit: one fsync for all of them), each in its own SAVEPOINT,
  // so one failing request does not undo the others. PostgreSQL: one transaction per call on a
  // pooled connection (the server flushes concurrent commits together), run again from the
  // start when the server breaks a deadlock or a concurrent insert took the same key.
  // Rethrows fn's exception.
  void write(const WriteFn& fn);
  void write_postgres(const WriteFn& fn);
  // Runs `fn` with a connection for reads (SQLite: the read connection; PostgreSQL: pooled).
  template <class F>
  auto read(F&& fn);
  // Fails loops past their lifetime when any are due (a write only when needed).
  void expire_if_due();

  // Inside a write: the answer (true when it completes its loop) and the next lease.
  bool record_answer(sql::Connection& db, std::int64_t now, const Reviewer& reviewer, const std::string& loop,
                     const std::string& answer_id, const std::string& content,
                     std::optional<double> time_spent, SubmitResult& result);
  std::optional<nlohmann::json> lease_next(sql::Connection& db, std::int64_t now, const Reviewer& reviewer);
  std::int64_t count_waiting(sql::Connection& db, std::int64_t now, const std::string& reviewer_id);
  nlohmann::json draft_of(sql::Connection& db, const std::string& loop, const std::string& reviewer_id);

  Flow load_flow(sql::Connection& db, const std::string& name);
  void insert_loop(sql::Connection& db, std::int64_t now, const Flow& f, const std::string& loop,
                   const nlohmann::json& input_content, const std::string& actor);
  void expire_loops(sql::Connection& db, std::int64_t now);
  void log(sql::Connection& db, std::int64_t now, const std::string& actor, const std::string& action,
           const std::string& loop, const nlohmann::json& detail);
  nlohmann::json task_view(sql::Connection& db, const std::string& loop, std::int64_t accepted_ms,
                           std::int64_t expires_ms);
  nlohmann::json build_output(sql::Connection& db, const std::string& loop);
  void write_outputs(const std::vector<std::string>& loops);  // as one durable batch
  // PostgreSQL: each output is claimed in the database (its row locked, SKIP LOCKED) for as
  // long as the file is written, so two servers never both write it.
  void write_outputs_claimed(const std::vector<std::string>& loops);
  void output_writer();  // background thread: writes queued output files
  // PostgreSQL: completed loops whose output no server has written (one was killed), queued.
  void sweep_outputs();

  struct Job {
    const WriteFn* fn;
    std::exception_ptr error;
    bool done = false;
  };
  void run_batch(const std::vector<Job*>& batch);

  std::string target_;  // the SQLite file or the PostgreSQL URI
  std::string home_;    // SQLite: the database's folder (relative output folders are taken there)
  std::string writer_id_;  // host:pid, named in the audit log with the outputs it wrote
  // SQLite: three connections. db_ writes (used by one batch leader at a time), rdb_ reads (WAL
  // lets them run beside the writer), odb_ reads for the output writer.
  std::unique_ptr<sql::Connection> db_, rdb_, odb_;
  // PostgreSQL: every request takes a connection from the pool.
  std::unique_ptr<sql::Pool> pool_;
  std::mutex read_mutex_;
  std::mutex output_db_mutex_;
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Job*> queue_;
  bool writer_busy_ = false;
  Clock clock_;

  std::mutex output_mutex_;
  std::condition_variable output_cv_;
  std::deque<std::string> output_queue_;
  bool output_busy_ = false;
  int flush_waiting_ = 0;  // callers of flush_outputs(): no batch window then
  std::uint64_t output_failures_ = 0;
  static constexpr std::chrono::milliseconds kOutputBatchWindow{50};
  static constexpr std::size_t kOutputBatchMax = 1024;
  static constexpr std::chrono::milliseconds kSweepEvery{1000};
  static constexpr std::int64_t kSweepAfterMs = 2000;  // a completion this old and unwritten is an orphan
  bool stopping_ = false;
  std::thread output_thread_;
};

}  // namespace verdict::review
