#include "native/review/http_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <list>

#include <nlohmann/json.hpp>

namespace verdict::review {

namespace {

using SteadyClock = std::chrono::steady_clock;

std::string address_of(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, text, sizeof text);
  }
  return text;
}

int port_of(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  return -1;
}

bool poll_for(socket_t sock, short events, std::chrono::milliseconds wait) {
  pollfd p{sock, events, 0};
  const int ms = static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, wait.count()));
  int n;
  do {
    n = ::poll(&p, 1, ms);
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

// A connection's byte stream with deadlines: a request's headers must be complete within
// header_deadline of its first byte, its body within body_deadline of the headers' end.
// Trickled bytes do not move a deadline (unlike a per-read timeout).
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(socket_t sock, const GuardOptions& o) : sock_(sock), o_(o) {}

  // Waits for the next request's first byte (up to the idle timeout, or until the server
  // stops), then starts its header deadline.
  bool next_request(const std::atomic<socket_t>& server_socket) {
    const auto give_up = SteadyClock::now() + o_.idle_timeout;
    while (begin_ == end_) {
      if (server_socket == INVALID_SOCKET) return false;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - SteadyClock::now());
      if (left.count() <= 0) return false;
      if (poll_for(sock_, POLLIN, std::min(left, std::chrono::milliseconds(100)))) break;
    }
    deadline_ = SteadyClock::now() + o_.header_deadline;
    in_headers_ = true;
    newlines_ = 0;
    return true;
  }

  bool is_readable() const override {
    return begin_ != end_ || poll_for(sock_, POLLIN, left());
  }
  bool is_writable() const override { return poll_for(sock_, POLLOUT, std::chrono::milliseconds(5000)); }

  // The request's deadline passed, or its sender went quiet: httplib answers 400 and would keep
  // the connection; it is closed instead.
  bool expired() const { return expired_; }

  ssize_t read(char* ptr, size_t size) override {
    if (begin_ == end_) {
      const auto wait = left();
      if (wait.count() <= 0 || !poll_for(sock_, POLLIN, std::min(wait, std::chrono::milliseconds(5000)))) {
        expired_ = true;
        return -1;
      }
      const ssize_t n = ::recv(sock_, buffer_, sizeof buffer_, 0);
      if (n <= 0) return n;
      begin_ = 0, end_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_ + begin_, n);
    if (in_headers_) watch_for_header_end(buffer_ + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    return ::send(sock_, ptr, size, MSG_NOSIGNAL);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { name(::getpeername, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { name(::getsockname, ip, port); }
  socket_t socket() const override { return sock_; }

 private:
  std::chrono::milliseconds left() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - SteadyClock::now());
  }

  // The headers end at an empty line (CRLF CRLF, or LF LF); the body's deadline starts then.
  void watch_for_header_end(const char* p, std::size_t n) {
    for (std::size_t i = 0; i < n && in_headers_; ++i) {
      if (p[i] == '\n') {
        if (++newlines_ == 2) {
          in_headers_ = false;
          deadline_ = SteadyClock::now() + o_.body_deadline;
        }
      } else if (p[i] != '\r') {
        newlines_ = 0;
      }
    }
  }

  template <class F>
  void name(F get, std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (get(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      ip = address_of(addr);
      port = port_of(addr);
    }
  }

  socket_t sock_;
  const GuardOptions& o_;
  SteadyClock::time_point deadline_ = SteadyClock::now();
  bool in_headers_ = true, expired_ = false;
  int newlines_ = 0;
  char buffer_[4096];
  std::size_t begin_ = 0, end_ = 0;
};

std::string json_error(const std::string& message) { return nlohmann::json{{"error", message}}.dump(); }

std::string peer_address(socket_t sock) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  return address_of(addr);
}

// The answer to a connection refused before its request is read.
void refuse(socket_t sock, int status, const std::string& message) {
  const std::string body = json_error(message);
  const std::string reason = status == 503 ? "Service Unavailable" : "Too Many Requests";
  const std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                           "\r\nContent-Type: application/json\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  const std::string reply = head + body;
  ::send(sock, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// The client behind the trusted proxy: the address the proxy appended last to X-Forwarded-For
// (what comes before it was sent by the client and may be anything).
std::string forwarded_client(const httplib::Request& req) {
  std::string h = req.get_header_value("X-Forwarded-For");
  const auto comma = h.rfind(',');
  if (comma != std::string::npos) h = h.substr(comma + 1);
  h.erase(0, h.find_first_not_of(" \t"));
  h.erase(h.find_last_not_of(" \t") + 1);
  return h.empty() ? req.remote_addr : h;
}

// The connection a worker thread is serving: lets the pre-routing handler count the request
// against its forwarded client, and release it once the request is done.
struct ConnectionContext {
  bool via_proxy = false;
  std::string held;  // the forwarded client holding a request slot, if any
};
thread_local ConnectionContext* current_connection = nullptr;

}  // namespace

bool ClientCounter::acquire(const std::string& client, bool count_per_client) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (total_ >= max_total_) return false;
  if (count_per_client) {
    std::size_t& mine = per_client_[client];
    if (mine >= max_per_) return false;
    ++mine;
  }
  ++total_;
  return true;
}

void ClientCounter::release(const std::string& client, bool count_per_client) {
  std::lock_guard<std::mutex> lock(mutex_);
  --total_;
  if (!count_per_client) return;
  const auto it = per_client_.find(client);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

std::size_t ClientCounter::open() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return total_;
}

ElasticPool::ElasticPool(std::size_t base, std::size_t max) : base_(base), max_(std::max(base, max)) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::size_t i = 0; i < base_; ++i) start(true);
}

ElasticPool::~ElasticPool() { shutdown(); }

void ElasticPool::start(bool permanent) {
  workers_.emplace_back();
  Worker& w = workers_.back();
  ++running_;
  w.thread = std::thread([this, &w, permanent] { work(w, permanent); });
}

void ElasticPool::enqueue(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) return;
  for (auto it = workers_.begin(); it != workers_.end();) {  // extra threads that have left
    if (it->done) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
  jobs_.push_back(std::move(fn));
  if (idle_ < jobs_.size() && running_ < max_) start(false);
  cv_.notify_one();
}

void ElasticPool::work(Worker& self, bool permanent) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    ++idle_;
    const auto ready = [this] { return stopping_ || !jobs_.empty(); };
    const bool woke = permanent ? (cv_.wait(lock, ready), true) : cv_.wait_for(lock, std::chrono::seconds(30), ready);
    --idle_;
    if (jobs_.empty() && (stopping_ || !woke)) break;
    std::function<void()> fn = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    fn();
    lock.lock();
  }
  --running_;
  self.done = true;
}

void ElasticPool::shutdown() {
  std::list<Worker> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (;;) {  // join without the lock: a worker finishing its last job needs it
    std::unique_lock<std::mutex> lock(mutex_);
    if (workers_.empty()) break;
    Worker& w = workers_.front();
    std::thread t = std::move(w.thread);
    lock.unlock();
    if (t.joinable()) t.join();
    lock.lock();
    workers_.pop_front();
  }
}

GuardedServer::GuardedServer(GuardOptions options)
    : options_(std::move(options)),
      connections_(options_.max_connections, options_.max_per_client),
      forwarded_(options_.max_connections, options_.max_per_client) {
  const std::size_t base = options_.base_threads, max = options_.max_connections;
  new_task_queue = [base, max] { return new ElasticPool(base, max); };
  set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    ConnectionContext* c = current_connection;
    if (!c || !c->via_proxy) return HandlerResponse::Unhandled;
    const std::string client = forwarded_client(req);
    if (!forwarded_.acquire(client)) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      res.set_content(json_error("too many requests at once from " + client), "application/json");
      return HandlerResponse::Handled;
    }
    c->held = client;
    return HandlerResponse::Unhandled;
  });
  // The slot is free before the response leaves: a client's next request never finds it taken.
  set_post_routing_handler([this](const httplib::Request&, httplib::Response&) {
    if (ConnectionContext* c = current_connection; c && !c->held.empty()) forwarded_.release(c->held), c->held.clear();
  });
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  const std::string peer = peer_address(sock);
  ConnectionContext context;
  context.via_proxy = !options_.trusted_proxy.empty() && peer == options_.trusted_proxy;
  bool ret = false;
  if (!connections_.acquire(peer, !context.via_proxy)) {
    refuse(sock, 503, "too many open connections" + std::string(context.via_proxy ? "" : " from " + peer));
  } else {
    current_connection = &context;
    DeadlineStream strm(sock, options_);
    for (std::size_t count = keep_alive_max_count_; count > 0 && strm.next_request(svr_sock_); --count) {
      bool closed = false;
      ret = process_request(strm, count == 1, closed, nullptr);
      if (!context.held.empty()) forwarded_.release(context.held), context.held.clear();  // no response written
      if (!ret || closed || strm.expired()) break;
    }
    current_connection = nullptr;
    connections_.release(peer, !context.via_proxy);
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace verdict::review
