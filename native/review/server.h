// The review service's HTTP face: a JSON REST API over review::Store, and the review page
// (dist/) as static files. Listens on loopback unless told otherwise.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "native/review/http_guard.h"
#include "native/review/invocations.h"
#include "native/review/store.h"

namespace verdict::review {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;           // 0 = any free port
  std::string dist;          // static folder served at /, may be empty
  std::size_t max_body = 1 << 20;
  int max_json_depth = 64;   // objects and arrays nested deeper: 400
  GuardOptions guard;        // deadlines, connection caps, threads, trusted proxy
  std::optional<InvocationOptions> invocations;  // real-time scoring: POST /invocations, GET /ping
};

class ReviewServer {
 public:
  ReviewServer(Store& store, ServerOptions options);
  ~ReviewServer();
  // Binds the socket, which no other process may share; returns the port (useful with port
  // 0). Throws on failure (e.g. the port is in use).
  int bind();
  // Serves until stop() (blocking).
  void listen();
  void stop();

 private:
  void routes();
  Store& store_;
  ServerOptions options_;
  std::unique_ptr<Invocations> invocations_;
  std::unique_ptr<GuardedServer> http_;
  int listen_socket_ = -1;
  bool share_port_ = false;  // see bind()
};

}  // namespace verdict::review
