// What keeps one client from holding the review service: cpp-httplib gives each connection a
// thread and has only per-read timeouts, which a client trickling a byte a second resets
// forever (slowloris). GuardedServer reads every request through a stream with deadlines (the
// headers within one, the body within another, counted from the request's first byte), caps
// open connections in total and per client address, and runs connections on a pool that grows
// up to that cap, so slow clients never queue the quick ones behind them.
#pragma once
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace verdict::review {

struct GuardOptions {
  std::chrono::milliseconds header_deadline{10000};  // request line + headers, from the first byte
  std::chrono::milliseconds body_deadline{30000};    // the body, from the end of the headers
  std::chrono::milliseconds idle_timeout{5000};      // waiting for a keep-alive connection's next request
  std::size_t max_connections = 512;                 // open at once, in total
  std::size_t max_per_client = 32;                   // open at once from one address
  std::size_t base_threads = 16;                     // kept even when idle
  std::string trusted_proxy;  // connections from this address are counted per X-Forwarded-For client
};

// Counts open connections (or in-flight requests) per client; refuses past the caps.
class ClientCounter {
 public:
  ClientCounter(std::size_t max_total, std::size_t max_per_client) : max_total_(max_total), max_per_(max_per_client) {}
  bool acquire(const std::string& client, bool count_per_client = true);
  void release(const std::string& client, bool count_per_client = true);
  std::size_t open() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> per_client_;
  std::size_t total_ = 0, max_total_, max_per_;
};

// A task queue with `base` threads that starts more (up to `max`) whenever every thread is busy,
// and lets the extra ones go after they have been idle a while.
class ElasticPool : public httplib::TaskQueue {
 public:
  ElasticPool(std::size_t base, std::size_t max);
  ~ElasticPool() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  struct Worker {
    std::thread thread;
    bool done = false;  // its loop has ended: join it
  };
  void start(bool permanent);  // with mutex_ held
  void work(Worker& self, bool permanent);
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<Worker> workers_;
  std::size_t base_, max_, running_ = 0, idle_ = 0;
  bool stopping_ = false;
};

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(GuardOptions options);
  const GuardOptions& guard() const { return options_; }
  std::size_t open_connections() const { return connections_.open(); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  GuardOptions options_;
  ClientCounter connections_;
  ClientCounter forwarded_;  // in-flight requests per X-Forwarded-For client, behind the trusted proxy
};

}  // namespace verdict::review
